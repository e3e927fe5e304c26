/// Matrix products: `matmul` (NumPy semantics, batched with broadcast batch dims) and `dot`.

extension Tensor {
    /// The matrix product (`keras.ops.matmul`): 2-D × 2-D, batched over leading dims with
    /// broadcasting, and 1-D operands promoted as in NumPy.
    ///
    /// ```swift
    /// let y = Tensor.ones([4, 3]).matmul(Tensor.ones([3, 2]))   // shape (4, 2), all 3
    /// ```
    public func matmul(_ other: Tensor) -> Tensor {
        let a = rank == 1 ? expandingDims(at: 0) : self
        let b = other.rank == 1 ? other.expandingDims(at: 1) : other
        require(rank > 0 && other.rank > 0, "matmul: operands must have rank ≥ 1, got \(shape) × \(other.shape)")
        var out = matmulCore(a, b, transposeA: false, transposeB: false, name: "matmul")
        if rank == 1 { out = out.squeezing(axes: [-2]) }
        if other.rank == 1 { out = out.squeezing(axes: [-1]) }
        return out
    }

    /// `keras.ops.dot`: `matmul` for rank ≤ 2, a product of scalars when either is rank 0.
    public func dot(_ other: Tensor) -> Tensor {
        if rank == 0 || other.rank == 0 { return self * other }
        return matmul(other)
    }
}

/// `keras.ops.matmul`.
public func matmul(_ a: Tensor, _ b: Tensor) -> Tensor { a.matmul(b) }
/// `keras.ops.dot` (also NumPy's `np.dot` for these ranks).
public func dot(_ a: Tensor, _ b: Tensor) -> Tensor { a.dot(b) }

/// `op(a) · op(b)` for rank ≥ 2 operands, where `op` transposes the last two axes when asked.
/// The backward rule reuses the transpose flags, so no transposed copy is ever made.
func matmulCore(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool, name: String) -> Tensor {
    let (x, y, dt) = promote(a, b)
    let (m, ka) = transposeA ? (a.shape[a.rank - 1], a.shape[a.rank - 2]) : (a.shape[a.rank - 2], a.shape[a.rank - 1])
    let (kb, n) = transposeB ? (b.shape[b.rank - 1], b.shape[b.rank - 2]) : (b.shape[b.rank - 2], b.shape[b.rank - 1])
    require(ka == kb, "\(name): inner dimensions differ: \(a.shape) × \(b.shape) (\(ka) ≠ \(kb))")
    // A batch of products sharing one right operand (a sequence through a kernel) is one product
    // with the batch folded into the rows: one GEMM call, and the kernel's gradient one product
    // over all rows instead of a product per batch entry and their sum.
    if a.rank > 2 && b.rank == 2 && !transposeA && ka > 0 {
        let rows = a.scalarCount / ka
        let folded = matmulCore(a.reshaped(to: [rows, ka]), b, transposeA: false, transposeB: transposeB, name: name)
        return folded.reshaped(to: Array(a.shape.dropLast()) + [n])
    }
    // Plain 2-D products (every Dense layer) skip the batch bookkeeping and its arrays.
    let plain = a.rank == 2 && b.rank == 2
    let batchA = plain ? [] : Array(a.shape.dropLast(2)), batchB = plain ? [] : Array(b.shape.dropLast(2))
    let batch = plain ? [] : broadcastShape(batchA, batchB, op: name)
    let outShape = plain ? [m, n] : batch + [m, n]
    let out = Tensor(uninitializedShape: outShape, dtype: dt, op: name)
    let batchCount = batch.reduce(1, *)
    let sa = plain ? [] : broadcastStrides(batchA, to: batch), sb = plain ? [] : broadcastStrides(batchB, to: batch)
    let lda = a.shape[a.rank - 1], ldb = b.shape[b.rank - 1]
    let strideA = a.shape[a.rank - 2] * lda, strideB = b.shape[b.rank - 2] * ldb
    func offsets(_ i: Int) -> (Int, Int) {
        var rem = i, oa = 0, ob = 0
        for d in stride(from: batch.count - 1, through: 0, by: -1) {
            let idx = rem % batch[d]
            rem /= batch[d]
            oa += idx * sa[d]
            ob += idx * sb[d]
        }
        return (oa, ob)
    }
    switch dt {
    case .float32:
        withExtendedLifetime((x, y)) {
            let pa = x.pointer(Float.self), pb = y.pointer(Float.self), pc = out.pointer(Float.self)
            for i in 0..<batchCount {
                let (oa, ob) = offsets(i)
                Gemm.sgemm(transA: transposeA, transB: transposeB, m: m, n: n, k: ka,
                           a: pa + oa * strideA, lda: lda, b: pb + ob * strideB, ldb: ldb,
                           c: pc + i * m * n, ldc: n)
            }
        }
    default:
        let xd = x.cast(to: .float64), yd = y.cast(to: .float64)
        let tmp = Tensor(uninitializedShape: outShape, dtype: .float64)
        withExtendedLifetime((xd, yd)) {
            let pa = xd.pointer(Double.self), pb = yd.pointer(Double.self), pc = tmp.pointer(Double.self)
            for i in 0..<batchCount {
                let (oa, ob) = offsets(i)
                Gemm.dgemm(transA: transposeA, transB: transposeB, m: m, n: n, k: ka,
                           a: pa + oa * strideA, lda: lda, b: pb + ob * strideB, ldb: ldb,
                           c: pc + i * m * n, ldc: n)
            }
        }
        return dt == .float64 ? Tensor.record(name, inputs: [a, b], output: tmp, backward: matmulBackward(a, b, transposeA, transposeB))
                              : tmp.cast(to: dt)
    }
    return Tensor.record(name, inputs: [a, b], output: out, backward: matmulBackward(a, b, transposeA, transposeB))
}

private func matmulBackward(_ a: Tensor, _ b: Tensor, _ ta: Bool, _ tb: Bool) -> (Tensor) -> [Tensor?] {
    { g in
        // C = op(A)·op(B):  dop(A) = g·op(B)ᵀ,  dop(B) = op(A)ᵀ·g.
        var ga: Tensor? = nil, gb: Tensor? = nil
        if a.isRecorded {
            ga = ta ? matmulCore(b, g, transposeA: tb, transposeB: true, name: "matmul_grad")
                    : matmulCore(g, b, transposeA: false, transposeB: !tb, name: "matmul_grad")
            ga = ga!.unbroadcast(to: a.shape)
        }
        if b.isRecorded {
            gb = tb ? matmulCore(g, a, transposeA: true, transposeB: ta, name: "matmul_grad")
                    : matmulCore(a, g, transposeA: !ta, transposeB: false, name: "matmul_grad")
            gb = gb!.unbroadcast(to: b.shape)
        }
        return [ga, gb]
    }
}
