import CDNNL

/// Row-major GEMM: `C = A·B` (optionally transposed operands), through oneDNN for float32.
enum Gemm {
    /// `C[M×N] = op(A)[M×K] · op(B)[K×N] + beta·C`, all row-major.
    @inline(__always)
    static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                      a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                      beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || n == 0 { return }
        if k == 0 { if beta == 0 { for i in 0..<m { (c + i * ldc).initialize(repeating: 0, count: n) } }; return }
        let ta = CChar(UInt8(ascii: transA ? "T" : "N")), tb = CChar(UInt8(ascii: transB ? "T" : "N"))
        let status = dnnl_sgemm(ta, tb, Int64(m), Int64(n), Int64(k), 1, a, Int64(lda), b, Int64(ldb), beta, c, Int64(ldc))
        precondition(status == dnnl_success, "matmul: oneDNN sgemm failed with status \(status.rawValue)")
    }

    /// The same contract in float64, as a cache-friendly triple loop (used for gradient checks).
    static func dgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                      a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
                      c: UnsafeMutablePointer<Double>, ldc: Int) {
        for i in 0..<m {
            let row = c + i * ldc
            row.initialize(repeating: 0, count: n)
            for p in 0..<k {
                let av = transA ? a[p * lda + i] : a[i * lda + p]
                if transB {
                    for j in 0..<n { row[j] += av * b[j * ldb + p] }
                } else {
                    let brow = b + p * ldb
                    for j in 0..<n { row[j] += av * brow[j] }
                }
            }
        }
    }
}
