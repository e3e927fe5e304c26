import CDNNL
import Dispatch
import Foundation

/// One named benchmark: `run` prints its figures, one `<workload> <figure>: <number> <unit>` line each.
struct Workload: Sendable {
    let name: String
    let summary: String
    let run: @Sendable () -> Void
}

/// Prints one figure line, e.g. `report("gemm", "1024", 251.3, "GFLOP/s")` → `gemm 1024: 251.3 GFLOP/s`.
func report(_ workload: String, _ figure: String, _ value: Double, _ unit: String) {
    let text = value >= 100 ? String(Int(value.rounded())) : String(Double(Int((value * 10).rounded())) / 10)
    // Unbuffered, so figures appear as they are measured even when piped.
    FileHandle.standardOutput.write("\(workload) \(figure): \(text) \(unit)\n".data(using: .utf8)!)
}

/// Seconds per call of `body`, the best over batches: one warm-up call, then batches sized to last
/// ≥ 10 ms each, repeated until `minSeconds` have been spent. The best (not the mean) is reported
/// because the machine is shared and noise only ever adds time.
func secondsPerCall(minSeconds: Double = 0.2, _ body: () -> Void) -> Double {
    body()
    var iterations = 1
    while true {
        let t = elapsed(iterations, body)
        if t >= 0.01 { break }
        iterations *= t <= 0.0001 ? 100 : max(2, min(100, Int(0.012 / t)))
    }
    var best = Double.infinity, total = 0.0
    repeat {
        let t = elapsed(iterations, body)
        best = min(best, t / Double(iterations))
        total += t
    } while total < minSeconds
    return best
}

/// Times `a` (ours) and `b` (the reference) alternately, so both see the same machine load;
/// seconds per call of each.
///
/// `b` may run oneDNN's OpenMP team, whose threads spin for milliseconds after each call; `a`
/// starts only after a pause that lets them sleep, as they would in a program using KerasCore
/// alone (which keeps that team at one thread).
func secondsPerCall(minSeconds: Double = 0.2, rounds: Int = 3, _ a: () -> Void, _ b: () -> Void) -> (Double, Double) {
    var ta = Double.infinity, tb = Double.infinity
    for _ in 0..<rounds {
        Thread.sleep(forTimeInterval: 0.05)
        ta = min(ta, secondsPerCall(minSeconds: minSeconds / Double(rounds), a))
        tb = min(tb, secondsPerCall(minSeconds: minSeconds / Double(rounds), b))
    }
    return (ta, tb)
}

@inline(__always)
private func elapsed(_ iterations: Int, _ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<iterations { body() }
    return Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
}

/// Keeps a result alive so the optimizer cannot drop the work that made it.
@inline(never)
func consume<T>(_ value: T) { withExtendedLifetime(value) {} }

/// oneDNN's `dnnl_sgemm` as a user calling it directly gets it: with its OpenMP team at the
/// default size (one thread per core), or at `threads`. The reference the `gemm` figures
/// compare against.
func directSgemm(m: Int, n: Int, k: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                 _ c: UnsafeMutablePointer<Float>, threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
    // KerasCore pins the calling thread's OpenMP team to one thread; set it for the reference.
    openMPSetThreads?(Int32(threads))
    let noTrans = CChar(UInt8(ascii: "N"))
    _ = dnnl_sgemm(noTrans, noTrans, Int64(m), Int64(n), Int64(k), 1, a, Int64(k), b, Int64(n), 0, c, Int64(n))
}

private let openMPSetThreads: (@convention(c) (Int32) -> Void)? = {
    guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "omp_set_num_threads") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Void).self)
}()
