import CDNNL
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Row-major GEMM: `C = A·B` (optionally transposed operands), through oneDNN for float32.
///
/// Threading: oneDNN's own OpenMP team is kept at one thread, and large products are split into
/// row (or column) blocks of `C` run on ``Parallel``'s pool instead. OpenMP's barriers spin-wait
/// for every team thread, so a 2-thread team on a 2-core machine with anything else running
/// (a data loader, other processes) stalls for whole scheduler slices: measured here, a batch-32
/// MLP training step fell from ~160k to under 1k samples/s under load. `concurrentPerform` has
/// no such barrier (the calling thread takes any block not yet started), and one pool serves
/// both GEMM and elementwise kernels.
enum Gemm {
    /// `omp_set_num_threads` of the OpenMP runtime oneDNN uses, when it uses one.
    static let setOpenMPThreads: (@convention(c) (Int32) -> Void)? = {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "omp_set_num_threads") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Void).self)
    }()

    /// `omp_get_max_threads`, to restore the caller's setting after each product.
    static let openMPMaxThreads: (@convention(c) () -> Int32)? = {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "omp_get_max_threads") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) () -> Int32).self)
    }()

    /// Multiply-adds below which a product runs on the calling thread. Splitting repeats
    /// oneDNN's operand packing in each block and waits for a second thread to wake, so it pays
    /// only for larger products: measured here, a 32×784×128 product (a batch-32 Dense layer) ran
    /// at ~86 GFLOP/s on one thread and ~75 split in two, 256×784×128 at ~110 and ~180.
    /// `KERAS_GEMM_SPLIT` overrides it (for measuring).
    static let parallelThreshold = ProcessInfo.processInfo.environment["KERAS_GEMM_SPLIT"].flatMap { Int($0) } ?? (1 << 23)

    /// The operands of one product, for handing blocks to worker threads.
    struct Operands {
        let transA: Bool, transB: Bool, m: Int, n: Int, k: Int
        let a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int
        let beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    }

    /// `C[M×N] = op(A)[M×K] · op(B)[K×N] + beta·C`, all row-major.
    static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                      a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                      beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || n == 0 { return }
        if k == 0 { if beta == 0 { for i in 0..<m { (c + i * ldc).initialize(repeating: 0, count: n) } }; return }
        if transposesThroughScratch(transA: transA, transB: transB, m: m, n: n, k: k) {
            return sgemmTransposed(m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        }
        let ops = Operands(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                           beta: beta, c: c, ldc: ldc)
        // Without an OpenMP runtime to pin, oneDNN threads by itself: call it once.
        guard setOpenMPThreads != nil else { return block(ops, rows: 0..<m, cols: 0..<n) }
        let splitRows = m >= n
        let extent = splitRows ? m : n
        // Blocks of at least 16 rows/columns keep oneDNN's kernels at full width.
        let pieces = min(Parallel.pieceCount(m * n * k, threshold: parallelThreshold), max(1, extent / 16))
        Parallel.forEachPiece(extent, pieces: pieces, context: (ops, splitRows)) { _, range, context in
            let (ops, splitRows) = context
            if range.isEmpty { return }
            block(ops, rows: splitRows ? range : 0..<ops.m, cols: splitRows ? 0..<ops.n : range)
        }
    }

    /// Whether `A·Bᵀ` runs faster as `(B·Aᵀ)ᵀ`: with a few rows in `A` (a batch of 32 or fewer)
    /// and a long shared dimension, oneDNN's sgemm handles the transposed `B` slowly. Measured
    /// here on 2 cores, a 32×2048×2048 product (the input gradient `dy·Wᵀ` of a Dense 2048→2048
    /// at batch 32; `keras-bench gemm`'s "step … input gradient") ran at 91–106 GFLOP/s directly
    /// and 114–123 through the transpose (forward products of the same size: 131–180), and in a
    /// standalone C test at 68–74 against 107–117, 32×1024×1024 at 95 against 143. With 64 rows,
    /// or a shared dimension of 784, the two were within noise, so those keep the direct call.
    static func transposesThroughScratch(transA: Bool, transB: Bool, m: Int, n: Int, k: Int) -> Bool {
        transB && !transA && m <= 32 && k >= 1024 && n >= 1024
    }

    /// `C = A·Bᵀ + beta·C` computed as `T = B·Aᵀ` (an `n×m` scratch buffer, split over its rows
    /// like any product) and `C[i, j] = T[j, i] + beta·C[i, j]`.
    private static func sgemmTransposed(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                                        b: UnsafePointer<Float>, ldb: Int, beta: Float,
                                        c: UnsafeMutablePointer<Float>, ldc: Int) {
        let byteCount = n * m * MemoryLayout<Float>.size
        let pooled = byteCount >= BufferPool.minimumBytes
        let raw = pooled ? BufferPool.take(byteCount: byteCount) : UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64)
        defer { if pooled { BufferPool.give(raw, byteCount: byteCount) } else { raw.deallocate() } }
        let t = raw.bindMemory(to: Float.self, capacity: n * m)
        sgemm(transA: false, transB: true, m: n, n: m, k: k, a: b, lda: ldb, b: a, ldb: lda, c: t, ldc: m)
        for j in 0..<n {
            let column = t + j * m
            if beta == 0 {
                for i in 0..<m { c[i * ldc + j] = column[i] }
            } else {
                for i in 0..<m { c[i * ldc + j] = column[i] + beta * c[i * ldc + j] }
            }
        }
    }

    /// The product restricted to `C[rows, cols]`, on the calling thread. The thread's OpenMP
    /// setting is put back afterwards, so code of the caller's own that uses OpenMP is unaffected.
    private static func block(_ p: Operands, rows: Range<Int>, cols: Range<Int>) {
        let previous = openMPMaxThreads?() ?? 1
        setOpenMPThreads?(1)
        defer { if previous != 1 { setOpenMPThreads?(previous) } }
        let i = rows.lowerBound, j = cols.lowerBound
        let a = p.a + (p.transA ? i : i * p.lda)
        let b = p.b + (p.transB ? j * p.ldb : j)
        let ta = CChar(UInt8(ascii: p.transA ? "T" : "N")), tb = CChar(UInt8(ascii: p.transB ? "T" : "N"))
        let status = dnnl_sgemm(ta, tb, Int64(rows.count), Int64(cols.count), Int64(p.k), 1, a, Int64(p.lda),
                                b, Int64(p.ldb), p.beta, p.c + i * p.ldc + j, Int64(p.ldc))
        require(status == dnnl_success, "matmul: oneDNN sgemm failed with status \(status.rawValue)")
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
