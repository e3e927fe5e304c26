import CDNNL
import Keras

/// `gemm`: float32 `Tensor.matmul` throughput at n = 128…2048 beside oneDNN's `dnnl_sgemm` called
/// directly on buffers of the same size (the ceiling our matmul should reach, ≥ 90%).
let gemmWorkload = Workload(name: "gemm", summary: "square float32 matmul GFLOP/s, ours vs oneDNN sgemm called directly") {
    for n in [128, 512, 1024, 2048] {
        let a = Tensor.randomUniform([n, n], seed: 1)
        let b = Tensor.randomUniform([n, n], seed: 2)
        let pa = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
        let pb = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
        let pc = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
        defer { pa.deallocate(); pb.deallocate(); pc.deallocate() }
        a.withUnsafeBufferPointer(of: Float.self) { pa.initialize(from: $0.baseAddress!, count: n * n) }
        b.withUnsafeBufferPointer(of: Float.self) { pb.initialize(from: $0.baseAddress!, count: n * n) }
        pc.initialize(repeating: 0, count: n * n)
        let nn = Int64(n)
        let noTrans = CChar(UInt8(ascii: "N"))
        let (ours, direct) = secondsPerCall(minSeconds: 0.6, {
            consume(a.matmul(b))
        }, {
            _ = dnnl_sgemm(noTrans, noTrans, nn, nn, nn, 1, pa, nn, pb, nn, 0, pc, nn)
        })
        let flop = 2 * Double(n) * Double(n) * Double(n)
        report("gemm", "\(n)", flop / ours * 1e-9, "GFLOP/s")
        report("gemm", "\(n) direct", flop / direct * 1e-9, "GFLOP/s")
        report("gemm", "\(n) ratio", direct / ours * 100, "%")
    }
}
