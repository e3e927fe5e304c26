import Foundation
@testable import KerasCore
import KerasTestSupport
import Testing

/// The performance kernels: fast float32 math against libm, and the parallel split covering
/// every element exactly once (sizes straddle the one-thread threshold and are odd).
@Suite struct KernelTests {
    /// Distance in units in the last place between `a` and the correctly rounded `reference`.
    private func ulps(_ a: Float, _ reference: Double) -> Double {
        let r = Float(reference)
        if a == r { return 0 }
        let unit = r == 0 ? Float.leastNonzeroMagnitude : r.ulp
        return Swift.abs(Double(a) - reference) / Double(unit)
    }

    @Test func fastExpIsWithinTwoUlpOverTheWholeRange() {
        var worst = 0.0, worstX: Float = 0
        var x: Float = -104
        while x < 89 {
            let e = ulps(fastExp(x), Foundation.exp(Double(x)))
            if e > worst { (worst, worstX) = (e, x) }
            x += 0.000_97
        }
        #expect(worst <= 2, "fastExp is \(worst) ulp off at x = \(worstX)")
    }

    @Test func fastExpSpecialValues() {
        #expect(fastExp(0) == 1)
        #expect(fastExp(.infinity) == .infinity)
        #expect(fastExp(-.infinity) == 0)
        #expect(fastExp(89) == .infinity)
        #expect(fastExp(-110) == 0)
        #expect(fastExp(.nan).isNaN)
        #expect(fastExp(88.7).isFinite)
        #expect(fastExp(-100) > 0)   // subnormal result, not flushed
    }

    @Test func fastSigmoidMatchesLibm() {
        var x: Float = -60
        while x < 60 {
            let reference = 1 / (1 + Foundation.exp(-Double(x)))
            #expect(ulps(fastSigmoid(x), reference) <= 3, "sigmoid(\(x))")
            x += 0.0137
        }
        #expect(fastSigmoid(-200) == 0 && fastSigmoid(200) == 1 && fastSigmoid(.nan).isNaN)
    }

    @Test func fastTanhMatchesLibm() {
        var worst = 0.0, worstX: Float = 0
        var x: Float = -12
        while x < 12 {
            let e = ulps(fastTanh(x), Foundation.tanh(Double(x)))
            if e > worst { (worst, worstX) = (e, x) }
            x += 0.000_31
        }
        #expect(worst <= 3, "fastTanh is \(worst) ulp off at x = \(worstX)")
        for tiny: Float in [1e-30, -1e-20, 1e-8, .leastNonzeroMagnitude] { #expect(fastTanh(tiny) == tiny) }
        #expect(fastTanh(0) == 0 && fastTanh(.infinity) == 1 && fastTanh(-.infinity) == -1 && fastTanh(.nan).isNaN)
    }

    /// The float32 `exp`, `sigmoid` and `tanh` ops (C loops over fastmath.h, vectorized) give the
    /// Swift formulas' results bit for bit: a sweep over −120…120 with the special values, in a
    /// length with a partial last vector and one large enough to be split over the cores.
    @Test func elementwiseExpSigmoidTanhEqualTheSwiftFormulas() {
        var values: [Float] = stride(from: Float(-120), to: 120, by: 0.0173).map { $0 }
        values += [0, -0, .nan, .infinity, -.infinity, 1e-30, -1e-20, .leastNonzeroMagnitude, 88.7, 89, -103.9, -104, 0.625, -0.625]
        for count in [values.count, Parallel.elementThreshold + 5] {
            let xs = (0..<count).map { values[$0 % values.count] }
            let x = Tensor(shape: [count], scalars: xs)
            for (name, op, formula) in [("exp", { (t: Tensor) in t.exp() }, fastExp), ("sigmoid", { $0.sigmoid() }, fastSigmoid),
                                        ("tanh", { $0.tanh() }, fastTanh)] as [(String, (Tensor) -> Tensor, (Float) -> Float)] {
                let got: [Float] = op(x).scalars
                let mismatch = (0..<count).first { got[$0].bitPattern != formula(xs[$0]).bitPattern }
                #expect(mismatch == nil, "\(name)(\(mismatch.map { xs[$0] } ?? 0))")
            }
        }
    }

    /// float32 `+ - *` on tensors of one shape (a C loop, vectorized) give IEEE's result for
    /// every element, bit for bit: special values in every pairing, a partial last vector, and a
    /// length split over the cores.
    @Test func sameShapeFloatArithmeticIsIEEEBitForBit() {
        let specials: [Float] = [0, -0, 1, -1.5, .nan, .infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude,
                                 -.greatestFiniteMagnitude, 1e-38, 3.25]
        for count in [specials.count * specials.count, 37, Parallel.elementThreshold + 19] {
            let xs = (0..<count).map { specials[$0 % specials.count] * (count > 200 ? Float($0 % 97) : 1) }
            let ys = (0..<count).map { specials[($0 / specials.count) % specials.count] + (count > 200 ? Float($0 % 13) : 0) }
            let (x, y) = (Tensor(shape: [count], scalars: xs), Tensor(shape: [count], scalars: ys))
            for (name, op, scalar) in [("add", { (a: Tensor, b: Tensor) in a + b }, { (a: Float, b: Float) in a + b }),
                                       ("subtract", { $0 - $1 }, { $0 - $1 }), ("multiply", { $0 * $1 }, { $0 * $1 })]
                as [(String, (Tensor, Tensor) -> Tensor, (Float, Float) -> Float)] {
                let got: [Float] = op(x, y).scalars
                let mismatch = (0..<count).first { got[$0].bitPattern != scalar(xs[$0], ys[$0]).bitPattern }
                #expect(mismatch == nil, "\(name)(\(mismatch.map { "\(xs[$0]), \(ys[$0])" } ?? ""))")
            }
        }
    }

    @Test func bufferPoolReusesLargeBuffersAndStaysBounded() {
        // An odd size no other test allocates, so parallel tests do not take this buffer.
        let bytes = 3 * BufferPool.minimumBytes + 12_345
        let first = BufferPool.take(byteCount: bytes)
        #expect(Int(bitPattern: first) % 64 == 0)
        first.storeBytes(of: 42, as: Int.self)
        BufferPool.give(first, byteCount: bytes)
        let second = BufferPool.take(byteCount: bytes - 100)   // same rounded size
        #expect(second == first)
        BufferPool.give(second, byteCount: bytes - 100)
        // A buffer larger than the whole pool is released, not kept.
        let huge = BufferPool.take(byteCount: BufferPool.capacityBytes + 1)
        BufferPool.give(huge, byteCount: BufferPool.capacityBytes + 1)
        // Tensors on recycled buffers hold their own values.
        let n = BufferPool.minimumBytes / 4 + 3
        for seed in 0..<3 {
            let t = Tensor.randomUniform([n], seed: seed)
            let u = t * 2
            #expect(u.scalars == t.scalars.map { $0 * 2 })
        }
    }

    @Test func castsConvertEveryPairLikeC() {
        let sources: [DType] = [.float32, .float64]
        for dtype in sources {
            let x = Tensor(shape: [6], doubles: [-2.7, -0.0, 0, 1.5, 3e9, .nan], dtype: dtype)
            #expect(x.cast(to: .int32).toArray(of: Int32.self) == [-2, 0, 0, 1, .max, 0])
            #expect(x.cast(to: .int64).toArray(of: Int64.self) == [-2, 0, 0, 1, 3_000_000_000, 0])
            #expect(x.cast(to: .bool).toArray(of: Bool.self) == [true, false, false, true, true, true])
            #expect(x.cast(to: dtype == .float32 ? .float64 : .float32).doubles.prefix(5) == [-2.7, -0.0, 0, 1.5, 3e9].map { Double(Float($0)) }[...])
        }
        let i = Tensor(shape: [4], doubles: [-3, 0, 7, 3e9], dtype: .int64)
        #expect(i.cast(to: .int32).toArray(of: Int32.self) == [-3, 0, 7, Int32(truncatingIfNeeded: Int64(3e9))])
        #expect(i.cast(to: .float32).scalars == [-3, 0, 7, 3e9])
        #expect(i.cast(to: .bool).toArray(of: Bool.self) == [true, false, true, true])
        let b = Tensor([true, false])
        #expect(b.cast(to: .float64).doubles == [1, 0] && b.cast(to: .int32).toArray(of: Int32.self) == [1, 0])
    }

    /// Transposes (tiled and general paths, one and many threads) against index arithmetic.
    @Test func transposesMatchIndexArithmetic() {
        let cases: [([Int], [Int])] = [([37, 53], [1, 0]), ([600, 500], [1, 0]), ([3, 33, 65], [0, 2, 1]),
                                       ([2, 3, 4, 5], [3, 1, 2, 0]), ([4, 5, 6], [2, 0, 1]), ([1, 7, 1, 9], [3, 2, 1, 0]),
                                       // Contiguous rows copied whole, chunked over threads from the
                                       // middle of the outer indices (an RNN's time-major input).
                                       ([40, 300, 28], [1, 0, 2]), ([20, 30, 45, 25], [1, 2, 0, 3]), ([6, 7, 8, 3], [2, 0, 1, 3])]
        for (shape, perm) in cases {
            let count = shape.reduce(1, *)
            let x = Tensor(shape: shape, scalars: (0..<count).map { Int32($0) })
            let y = x.transposed(perm)
            let outShape = perm.map { shape[$0] }
            #expect(y.shape == outShape)
            let inStrides = contiguousStrides(shape), outStrides = contiguousStrides(outShape)
            var expected = [Int32](repeating: 0, count: count)
            for flat in 0..<count {
                var source = 0
                for (axis, p) in perm.enumerated() { source += (flat / outStrides[axis] % outShape[axis]) * inStrides[p] }
                expected[flat] = Int32(source)
            }
            #expect(y.toArray(of: Int32.self) == expected, "shape \(shape) perm \(perm)")
            let f = x.cast(to: .float32).transposed(perm)
            #expect(f.scalars == expected.map(Float.init))
        }
    }

    @Test func extremaPropagateNaNAndFindValues() {
        let n = 2 * Parallel.elementThreshold + 9
        var values = (0..<n).map { Float(($0 * 7919) % 1000) - 500 }
        let x = Tensor(shape: [n], scalars: values)
        #expect(x.max().item == 499 && x.min().item == -500)
        values[n / 3] = .nan
        let y = Tensor(shape: [n], scalars: values)
        #expect(y.max().item.isNaN && y.min().item.isNaN)
        let m = Tensor([[1.0, -2.0, 3.0], [-4.0, 5.0, -6.0]])
        #expect(m.max(axes: [0]).scalars == [1, 5, 3] && m.min(axes: [1]).scalars == [-2, -6])
    }

    @Test(arguments: [0, 1, 2, 7, Parallel.elementThreshold - 1, Parallel.elementThreshold + 3, 3 * Parallel.elementThreshold + 1])
    func chunksCoverEveryIndexOnce(count: Int) {
        let hits = UnsafeMutablePointer<Int32>.allocate(capacity: max(count, 1))
        defer { hits.deallocate() }
        hits.initialize(repeating: 0, count: max(count, 1))
        Parallel.chunks(count, context: hits) { r, h in for i in r { h[i] += 1 } }
        #expect((0..<count).allSatisfy { hits[$0] == 1 })

        hits.initialize(repeating: 0, count: max(count, 1))
        Parallel.chunks(count) { r in for i in r { hits[i] += 1 } }
        #expect((0..<count).allSatisfy { hits[$0] == 1 })

        hits.initialize(repeating: 0, count: max(count, 1))
        let pieces = Parallel.pieceCount(count)
        Parallel.forEachPiece(count, pieces: pieces, context: hits) { _, r, h in for i in r { h[i] += 1 } }
        #expect((0..<count).allSatisfy { hits[$0] == 1 })
    }

    /// The worker pool runs every piece exactly once, each as a parallel region, when loops come
    /// from several threads at once (one runs on the pool, the others through dispatch), back
    /// to back (the workers still spinning) and after a pause (the workers asleep).
    @Test func workerPoolRunsEveryPieceOnceFromManyThreads() {
        let rounds = 300, threads = 4
        let hits = UnsafeMutablePointer<Int32>.allocate(capacity: threads * rounds * 5)
        let outside = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        defer { hits.deallocate(); outside.deallocate() }
        hits.initialize(repeating: 0, count: threads * rounds * 5)
        outside.initialize(to: 0)
        let shared = UncheckedSendable((hits, outside))
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            let (hits, outside) = shared.value
            for round in 0..<rounds {
                let pieces = 2 + round % 4
                let base = (t * rounds + round) * 5
                Parallel.perform(pieces) { p in
                    if !Parallel.isInsideRegion { outside.pointee = 1 }
                    hits[base + p] += 1
                }
                if round % 100 == 99 { usleep(2_000) }
            }
        }
        #expect(outside.pointee == 0)
        for t in 0..<threads {
            for round in 0..<rounds {
                let base = (t * rounds + round) * 5, pieces = 2 + round % 4
                #expect((0..<5).allSatisfy { hits[base + $0] == ($0 < pieces ? 1 : 0) })
            }
        }
    }

    @Test func largeElementwiseOpsMatchScalarMath() {
        let n = 2 * Parallel.elementThreshold + 5
        let x = Tensor.randomUniform([n], minval: -20, maxval: 20, seed: 11)
        let y = Tensor.randomUniform([n], minval: -20, maxval: 20, seed: 12)
        let xs = x.scalars, ys = y.scalars
        #expect((x + y).scalars == zip(xs, ys).map { $0 + $1 })
        #expect(x.relu().scalars == xs.map { Swift.max($0, 0) })
        assertClose(x.exp().doubles, xs.map { Foundation.exp(Double($0)) }, rtol: 3e-7, atol: 0)
        // Broadcast along rows on the multi-threaded path.
        let m = Tensor.randomUniform([n / 5, 5], seed: 13), b = Tensor.randomUniform([5], seed: 14)
        let ms = m.scalars, bs = b.scalars
        #expect((m - b).scalars == ms.indices.map { ms[$0] - bs[$0 % 5] })
    }

    @Test func largeReductionsMatchDoubleSums() {
        let n = 3 * Parallel.elementThreshold + 7
        let x = Tensor.randomUniform([n], minval: -1, maxval: 1, seed: 21)
        let xs = x.doubles
        assertClose(x.sum().doubles, [xs.reduce(0, +)], rtol: 1e-5, atol: 1e-3)
        #expect(x.max().item == Float(xs.max()!))
        // Rows × columns, reduced along each axis, with odd sizes.
        let rows = 1031, cols = 131
        let m = Tensor.randomUniform([rows, cols], seed: 22)
        let ms = m.doubles
        let colSums = (0..<cols).map { c in (0..<rows).reduce(0.0) { $0 + ms[$1 * cols + c] } }
        let rowSums = (0..<rows).map { r in ms[(r * cols)..<((r + 1) * cols)].reduce(0, +) }
        assertClose(m.sum(axes: [0]).doubles, colSums, rtol: 1e-5, atol: 1e-4)
        assertClose(m.sum(axes: [1]).doubles, rowSums, rtol: 1e-5, atol: 1e-4)
        let t = Tensor.randomUniform([1, 3, 70_001], seed: 23)
        assertClose(t.sum(axes: [2]).doubles, (0..<3).map { r in t.doubles[(r * 70_001)..<((r + 1) * 70_001)].reduce(0, +) },
                    rtol: 1e-5, atol: 1e-3)
    }

    /// Products large enough to be split across threads (by rows, then by columns), odd sizes,
    /// every transpose combination, against a float64 reference on a sample of rows that
    /// includes the block boundaries.
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func splitGemmMatchesReference(transA: Bool, transB: Bool) {
        // (17, 1100, 1024) with only `B` transposed goes through `Gemm.sgemmTransposed`.
        for (m, n, k) in [(131, 67, 1031), (40, 211, 1000), (17, 1100, 1024), (5, 3, 7)] {
            #expect(m * n * k >= Gemm.parallelThreshold || m < 10)
            let a = Tensor.randomUniform(transA ? [k, m] : [m, k], minval: -1, maxval: 1, seed: 31)
            let b = Tensor.randomUniform(transB ? [n, k] : [k, n], minval: -1, maxval: 1, seed: 32)
            let ad = a.doubles, bd = b.doubles
            let rows = Set([0, m / 2 - 1, m / 2, m / 2 + 1, m - 1].filter { $0 >= 0 } + Array(stride(from: 0, to: m, by: 9)))
            var expected: [Double] = [], actualIndices: [Int] = []
            for i in rows.sorted() {
                for j in 0..<n {
                    var acc = 0.0
                    for p in 0..<k {
                        acc += ad[transA ? p * m + i : i * k + p] * bd[transB ? j * k + p : p * n + j]
                    }
                    expected.append(acc)
                    actualIndices.append(i * n + j)
                }
            }
            var out = [Float](repeating: .nan, count: m * n)
            a.withUnsafeBufferPointer(of: Float.self) { pa in
                b.withUnsafeBufferPointer(of: Float.self) { pb in
                    out.withUnsafeMutableBufferPointer { pc in
                        Gemm.sgemm(transA: transA, transB: transB, m: m, n: n, k: k,
                                   a: pa.baseAddress!, lda: transA ? m : k, b: pb.baseAddress!, ldb: transB ? k : n,
                                   c: pc.baseAddress!, ldc: n)
                    }
                }
            }
            assertClose(actualIndices.map { Double(out[$0]) }, expected, rtol: 1e-4, atol: 1e-3, "m=\(m) n=\(n) k=\(k)")
        }
    }

    /// `A·Bᵀ` through the transposed scratch product accumulates into `C` (`beta` 1) and
    /// writes only its columns of a wider `C` (`ldc` > `n`).
    @Test func transposedProductAccumulatesIntoStridedOutput() {
        let (m, n, k, ldc) = (3, 1024, 1024, 1030)
        #expect(Gemm.transposesThroughScratch(transA: false, transB: true, m: m, n: n, k: k))
        let a = Tensor.randomUniform([m, k], minval: -1, maxval: 1, seed: 41).doubles
        let b = Tensor.randomUniform([n, k], minval: -1, maxval: 1, seed: 42).doubles
        var c = (0..<(m * ldc)).map { Float($0 % 7) - 3 }
        let before = c
        let fa = a.map(Float.init), fb = b.map(Float.init)
        c.withUnsafeMutableBufferPointer { pc in
            Gemm.sgemm(transA: false, transB: true, m: m, n: n, k: k, a: fa, lda: k, b: fb, ldb: k,
                       beta: 1, c: pc.baseAddress!, ldc: ldc)
        }
        for i in 0..<m {
            for j in 0..<ldc {
                let product = j < n ? (0..<k).reduce(0.0) { $0 + a[i * k + $1] * b[j * k + $1] } : 0
                #expect(abs(Double(c[i * ldc + j]) - (Double(before[i * ldc + j]) + product)) < 1e-3, "C[\(i), \(j)]")
            }
        }
    }
}
