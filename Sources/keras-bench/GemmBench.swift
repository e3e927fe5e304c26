import Keras
import KerasCore

/// `gemm`: float32 `Tensor.matmul` throughput beside oneDNN's `dnnl_sgemm` called directly on
/// buffers of the same size (the ceiling our matmul should reach, ≥ 90%): square n = 128…2048,
/// then the MLP's shapes (`m×k×n`: batch 32 and 256 through Dense 784→128, batch 32 through 128→10).
/// `direct` uses oneDNN's default OpenMP team (all cores); `direct 1 thread` the same call on one
/// thread, which is how KerasCore runs products below `Gemm.parallelThreshold` (8M multiply-adds)
/// so that no OpenMP spin barrier can stall it under load.
let gemmWorkload = Workload(name: "gemm", summary: "float32 matmul GFLOP/s, ours vs oneDNN sgemm called directly") {
    let square = [128, 512, 1024, 2048].map { (name: "\($0)", m: $0, k: $0, n: $0) }
    let mlp = [(32, 784, 128), (256, 784, 128), (32, 128, 10)].map { (name: "\($0)x\($1)x\($2)", m: $0, k: $1, n: $2) }
    for (name, m, k, n) in square + mlp {
        let a = Tensor.randomUniform([m, k], seed: 1)
        let b = Tensor.randomUniform([k, n], seed: 2)
        let pa = UnsafeMutablePointer<Float>.allocate(capacity: m * k)
        let pb = UnsafeMutablePointer<Float>.allocate(capacity: k * n)
        let pc = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
        defer { pa.deallocate(); pb.deallocate(); pc.deallocate() }
        a.withUnsafeBufferPointer(of: Float.self) { pa.initialize(from: $0.baseAddress!, count: m * k) }
        b.withUnsafeBufferPointer(of: Float.self) { pb.initialize(from: $0.baseAddress!, count: k * n) }
        pc.initialize(repeating: 0, count: m * n)
        let (ours, direct) = secondsPerCall(minSeconds: 0.6, {
            consume(a.matmul(b))
        }, {
            directSgemm(m: m, n: n, k: k, pa, pb, pc)
        })
        // The same library on one thread: what products below `Gemm.parallelThreshold` run at.
        let single = secondsPerCall(minSeconds: 0.2) { directSgemm(m: m, n: n, k: k, pa, pb, pc, threads: 1) }
        let flop = 2 * Double(m) * Double(k) * Double(n)
        report("gemm", name, flop / ours * 1e-9, "GFLOP/s")
        report("gemm", "\(name) direct", flop / direct * 1e-9, "GFLOP/s")
        report("gemm", "\(name) direct 1 thread", flop / single * 1e-9, "GFLOP/s")
        report("gemm", "\(name) ratio", direct / ours * 100, "%")
    }
    // The planned train step's products at width 2048, batch 32 (`scaling w=2048 b=32`), as the
    // step calls them: forward `x·W`, input gradient `dy·Wᵀ`, kernel gradient `xᵀ·dy`.
    let step: [(name: String, transA: Bool, transB: Bool, m: Int, n: Int, k: Int)] = [
        ("step 32x784x2048 forward", false, false, 32, 2048, 784),
        ("step 32x2048x2048 forward", false, false, 32, 2048, 2048),
        ("step 32x2048x2048 input gradient", false, true, 32, 2048, 2048),
        ("step 784x32x2048 kernel gradient", true, false, 784, 2048, 32),
        ("step 2048x32x2048 kernel gradient", true, false, 2048, 2048, 32),
    ]
    for (name, transA, transB, m, n, k) in step {
        let a = Tensor.randomUniform([m * k], seed: 1), b = Tensor.randomUniform([k * n], seed: 2)
        let c = Tensor.zeros([m * n])
        let seconds = secondsPerCall(minSeconds: 0.5) {
            DenseStepKernels.gemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a.floatPointer, lda: transA ? m : k,
                                  b: b.floatPointer, ldb: transB ? k : n, c: c.floatPointer, ldc: n)
        }
        report("gemm", name, 2 * Double(m * n * k) / seconds * 1e-9, "GFLOP/s")
    }
}
