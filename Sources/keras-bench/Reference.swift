import CDNNL
import Foundation

/// oneDNN's `dnnl_sgemm` as a user calling it directly gets it: with its OpenMP team at the
/// default size (one thread per core), or at `threads`. The reference the `gemm` figures
/// compare against.
func directSgemm(m: Int, n: Int, k: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                 _ c: UnsafeMutablePointer<Float>, threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
    // Set explicitly: KerasCore runs oneDNN on one OpenMP thread (restoring this setting after).
    openMPSetThreads?(Int32(threads))
    let noTrans = CChar(UInt8(ascii: "N"))
    _ = dnnl_sgemm(noTrans, noTrans, Int64(m), Int64(n), Int64(k), 1, a, Int64(k), b, Int64(n), 0, c, Int64(n))
}

private let openMPSetThreads: (@convention(c) (Int32) -> Void)? = {
    guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "omp_set_num_threads") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Void).self)
}()
