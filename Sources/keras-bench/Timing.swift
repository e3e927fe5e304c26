import Dispatch
import Foundation

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
