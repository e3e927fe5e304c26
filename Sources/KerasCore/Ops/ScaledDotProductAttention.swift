import CKernels
import Foundation

/// Fused multi-head scaled dot-product attention: per batch element and head, one matrix product
/// for the scores read straight from the `(batch, steps, heads, size)` layout (no transposes or
/// copies), the scale, mask and softmax in one pass in place, one product with the values written
/// straight into the output, and a backward pass that reuses the saved probabilities.

extension Tensor {
    /// `softmax(scale · q·kᵀ)·v` per head, where `mask` is false the score is replaced by
    /// `-1e9` before the softmax (Keras's `MultiHeadAttention` masking).
    ///
    /// - Parameters:
    ///   - query: `(batch, T, heads, d)`.
    ///   - key: `(batch, S, heads, d)`.
    ///   - value: `(batch, S, heads, dv)`.
    ///   - mask: bool `(batch, T, S)` or `(1, T, S)` (true = attend), or `nil`.
    ///   - scale: the factor on the scores, usually `1/√d`.
    /// - Returns: the output `(batch, T, heads, dv)`, differentiable with respect to `query`, `key`
    ///   and `value` (float32 and float64), and the probabilities `(batch, heads, T, S)` (not
    ///   differentiable).
    ///
    /// ```swift
    /// let q = Tensor.randomNormal([2, 5, 4, 8]), k = Tensor.randomNormal([2, 7, 4, 8])
    /// let (out, probabilities) = Tensor.scaledDotProductAttention(query: q, key: k, value: k, mask: nil,
    ///                                                             scale: 1 / 8.0.squareRoot())
    /// // out: (2, 5, 4, 8); probabilities: (2, 4, 5, 7)
    /// ```
    public static func scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, mask: Tensor?,
                                                 scale: Double) -> (output: Tensor, probabilities: Tensor) {
        let (output, probabilities) = attention(query: query, key: key, value: value, mask: mask, scale: scale, keepProbabilities: true)
        return (output, probabilities!)
    }

    /// The output of ``scaledDotProductAttention(query:key:value:mask:scale:)`` alone. When no
    /// input is recorded for gradients (inference), the probabilities of each head live only in a
    /// small block reused by the thread, instead of a `(batch, heads, T, S)` tensor written out and
    /// read back.
    ///
    /// ```swift
    /// let q = Tensor.randomNormal([2, 5, 4, 8])
    /// let out = Tensor.scaledDotProductAttentionOutput(query: q, key: q, value: q, mask: nil, scale: 1 / 8.0.squareRoot())
    /// // out: (2, 5, 4, 8)
    /// ```
    public static func scaledDotProductAttentionOutput(query: Tensor, key: Tensor, value: Tensor, mask: Tensor?,
                                                       scale: Double) -> Tensor {
        let recorded = query.isRecorded || key.isRecorded || value.isRecorded
        return attention(query: query, key: key, value: value, mask: mask, scale: scale, keepProbabilities: recorded).output
    }

    /// Both ops; the probabilities are kept (and returned) when asked or when the backward needs them.
    private static func attention(query: Tensor, key: Tensor, value: Tensor, mask: Tensor?, scale: Double,
                                  keepProbabilities: Bool) -> (output: Tensor, probabilities: Tensor?) {
        let op = "scaled_dot_product_attention"
        require(query.rank == 4 && key.rank == 4 && value.rank == 4,
                "\(op): expected query, key and value of rank 4 (batch, steps, heads, size), received \(query.shape), \(key.shape), \(value.shape)")
        let (batch, t, heads, d) = (query.shape[0], query.shape[1], query.shape[2], query.shape[3])
        let (s, dv) = (key.shape[1], value.shape[3])
        require(key.shape == [batch, s, heads, d] && value.shape[0..<3] == [batch, s, heads],
                "\(op): key \(key.shape) and value \(value.shape) do not match query \(query.shape)")
        let dtype = query.dtype
        require(dtype.isFloatingPoint && key.dtype == dtype && value.dtype == dtype,
                "\(op): query, key and value must share a float dtype, received \(query.dtype), \(key.dtype), \(value.dtype)")
        if let mask {
            require(mask.dtype == .bool && mask.rank == 3 && (mask.shape[0] == 1 || mask.shape[0] == batch) && mask.shape[1] == t && mask.shape[2] == s,
                    "\(op): mask must be bool (batch or 1, \(t), \(s)), received \(mask.dtype) \(mask.shape)")
        }
        let shape = AttentionShape(batch: batch, t: t, s: s, heads: heads, d: d, dv: dv,
                                   maskStride: mask.map { $0.shape[0] == 1 ? 0 : t * s }, scale: scale)
        let output = Tensor(uninitializedShape: [batch, t, heads, dv], dtype: dtype, op: op)
        let probabilities = keepProbabilities ? Tensor(uninitializedShape: [batch, heads, t, s], dtype: dtype, op: op) : nil
        withExtendedLifetime((query, key, value, mask, output, probabilities)) {
            if dtype == .float32 {
                attentionForward(Float.self, shape, query, key, value, mask, output, probabilities)
            } else {
                attentionForward(Double.self, shape, query, key, value, mask, output, probabilities)
            }
        }
        guard let probabilities else { return (output, nil) }
        let result = Tensor.record(op, inputs: [query, key, value], output: output) { g in
            attentionBackward(g.dtype == dtype ? g : g.cast(to: dtype), shape, query, key, value, mask, probabilities)
        }
        return (result, probabilities)
    }
}

/// The sizes of one attention call and the layout strides that follow from them.
private struct AttentionShape {
    let batch, t, s, heads, d, dv: Int
    /// Elements between the masks of consecutive batch elements (0: one mask for all), `nil`: no mask.
    let maskStride: Int?
    let scale: Double

    var pairs: Int { batch * heads }
    /// float32 pairs with sizes in multiples of 16 run the C kernels (`keras_attention_forward_f32`):
    /// register-blocked products and the softmax on rows in registers, where oneDNN's per-call
    /// cost dominates products this small (measured per 64×64×16 pair, one thread: forward
    /// 8.0 → 4.6 µs, backward ≈ 9.4 → 6.2 µs; 4.25 → 3.75 µs forward when inference without a
    /// mask runs by columns of transposed scores, `keras_attention_output_f32`).
    func usesCKernels<T>(_: T.Type) -> Bool { T.self == Float.self && s % 16 == 0 && d % 16 == 0 && dv % 16 == 0 }
    /// Threads: the (batch, head) pairs are independent.
    var pieces: Int { min(Parallel.pieceCount(pairs * t * s * max(d, dv), threshold: Gemm.parallelThreshold), pairs) }
}

/// The float types attention runs in: the masked softmax in C for float32, in Swift for float64.
protocol AttentionScalar: RecurrenceScalar {
    static func maskedSoftmax(rows: Int, n: Int, x: UnsafeMutablePointer<Self>, scale: Self, mask: UnsafePointer<Bool>?)
    static func maskedSoftmaxBackward(rows: Int, n: Int, p: UnsafePointer<Self>, dp: UnsafeMutablePointer<Self>,
                                      scale: Self, mask: UnsafePointer<Bool>?)
}

/// Keras fills masked scores with −1e9.
private let maskedScore = -1e9

extension Float: AttentionScalar {
    static func maskedSoftmax(rows: Int, n: Int, x: UnsafeMutablePointer<Float>, scale: Float, mask: UnsafePointer<Bool>?) {
        keras_masked_softmax_f32(rows, n, x, scale, mask, Float(maskedScore))
    }
    static func maskedSoftmaxBackward(rows: Int, n: Int, p: UnsafePointer<Float>, dp: UnsafeMutablePointer<Float>,
                                      scale: Float, mask: UnsafePointer<Bool>?) {
        keras_masked_softmax_backward_f32(rows, n, p, dp, scale, mask)
    }
}

extension Double: AttentionScalar {
    static func maskedSoftmax(rows: Int, n: Int, x: UnsafeMutablePointer<Double>, scale: Double, mask: UnsafePointer<Bool>?) {
        for r in 0..<rows {
            let row = x + r * n
            var peak = -Double.infinity
            for j in 0..<n {
                row[j] = mask.map { $0[r * n + j] } ?? true ? row[j] * scale : maskedScore
                peak = Swift.max(peak, row[j])
            }
            var sum = 0.0
            for j in 0..<n { row[j] = Foundation.exp(row[j] - peak); sum += row[j] }
            for j in 0..<n { row[j] /= sum }
        }
    }
    static func maskedSoftmaxBackward(rows: Int, n: Int, p: UnsafePointer<Double>, dp: UnsafeMutablePointer<Double>,
                                      scale: Double, mask: UnsafePointer<Bool>?) {
        for r in 0..<rows {
            let pr = p + r * n, dr = dp + r * n
            var dot = 0.0
            for j in 0..<n { dot += dr[j] * pr[j] }
            for j in 0..<n { dr[j] = mask.map { $0[r * n + j] } ?? true ? scale * (pr[j] * (dr[j] - dot)) : 0 }
        }
    }
}

/// A float32 buffer seen as the generic `T` it is (only where `usesCKernels` checked `T`).
private func float<T>(_ p: UnsafePointer<T>) -> UnsafePointer<Float> { UnsafeRawPointer(p).assumingMemoryBound(to: Float.self) }
private func float<T>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
}

private func attentionForward<T: AttentionScalar>(_: T.Type, _ shape: AttentionShape, _ query: Tensor, _ key: Tensor,
                                                  _ value: Tensor, _ mask: Tensor?, _ output: Tensor, _ probabilities: Tensor?) {
    let buffers = (UnsafePointer(query.pointer(T.self)), UnsafePointer(key.pointer(T.self)), UnsafePointer(value.pointer(T.self)),
                   mask.map { UnsafePointer($0.pointer(Bool.self)) }, output.pointer(T.self), probabilities?.pointer(T.self), shape)
    Parallel.forEachPiece(shape.pairs, pieces: shape.pieces, context: buffers) { _, range, p in
        let (q, k, v, mask, out, probs, sh) = p
        let (t, s, d, dv, heads) = (sh.t, sh.s, sh.d, sh.dv, sh.heads)
        // Without kept probabilities, one (T, S) block serves every pair of this piece (with the
        // C kernels' own scratch after it).
        let cKernels = sh.usesCKernels(T.self)
        let scratch = probs == nil ? UnsafeMutablePointer<T>.allocate(capacity: t * s + (cKernels ? d * max(s, t) + t : 0)) : nil
        defer { scratch?.deallocate() }
        let transposed = cKernels && probs != nil ? UnsafeMutablePointer<Float>.allocate(capacity: d * s) : nil
        defer { transposed?.deallocate() }
        for pair in range {
            let (b, h) = (pair / heads, pair % heads)
            let qp = q + b * t * heads * d + h * d, kp = k + b * s * heads * d + h * d
            let vp = v + b * s * heads * dv + h * dv, op = out + b * t * heads * dv + h * dv
            let pp = probs.map { $0 + pair * t * s } ?? scratch!
            let pairMask = mask.map { $0 + b * sh.maskStride! }
            if cKernels && probs == nil {
                keras_attention_output_f32(t, s, d, dv, float(qp), heads * d, float(kp), heads * d, float(vp), heads * dv,
                                           pairMask, Float(sh.scale), Float(maskedScore), float(op), heads * dv, float(pp))
                continue
            }
            if let transposed {
                keras_attention_forward_f32(t, s, d, dv, float(qp), heads * d, float(kp), heads * d, float(vp), heads * dv,
                                            pairMask, Float(sh.scale), Float(maskedScore), float(pp), float(op),
                                            heads * dv, transposed)
                continue
            }
            // scores = q·kᵀ (T × S), then scale, mask and softmax in place.
            T.gemm(transA: false, transB: true, m: t, n: s, k: d, a: qp, lda: heads * d, b: kp, ldb: heads * d,
                   accumulate: false, c: pp, ldc: s)
            T.maskedSoftmax(rows: t, n: s, x: pp, scale: T(sh.scale), mask: pairMask)
            // out = probabilities · v, straight into (batch, T, heads, dv).
            T.gemm(transA: false, transB: false, m: t, n: dv, k: s, a: pp, lda: s, b: vp, ldb: heads * dv,
                   accumulate: false, c: op, ldc: heads * dv)
        }
    }
}

private func attentionBackward(_ g: Tensor, _ shape: AttentionShape, _ query: Tensor, _ key: Tensor, _ value: Tensor,
                               _ mask: Tensor?, _ probabilities: Tensor) -> [Tensor?] {
    let dq = Tensor(uninitializedShape: query.shape, dtype: query.dtype, op: "scaled_dot_product_attention gradient")
    let dk = Tensor(uninitializedShape: key.shape, dtype: query.dtype, op: "scaled_dot_product_attention gradient")
    let dv = Tensor(uninitializedShape: value.shape, dtype: query.dtype, op: "scaled_dot_product_attention gradient")
    func run<T: AttentionScalar>(_: T.Type) {
        let buffers = (UnsafePointer(query.pointer(T.self)), UnsafePointer(key.pointer(T.self)), UnsafePointer(value.pointer(T.self)),
                       mask.map { UnsafePointer($0.pointer(Bool.self)) }, UnsafePointer(probabilities.pointer(T.self)),
                       UnsafePointer(g.pointer(T.self)), (dq.pointer(T.self), dk.pointer(T.self), dv.pointer(T.self)), shape)
        Parallel.forEachPiece(shape.pairs, pieces: shape.pieces, context: buffers) { _, range, p in
            let (q, k, v, mask, probs, g, (dq, dk, dvp), sh) = p
            let (t, s, d, dvSize, heads) = (sh.t, sh.s, sh.d, sh.dv, sh.heads)
            let cKernels = sh.usesCKernels(T.self)
            // dScores, and for the C kernels vᵀ after it.
            let dScores = UnsafeMutablePointer<T>.allocate(capacity: t * s + (cKernels ? dvSize * s : 0))
            defer { dScores.deallocate() }
            for pair in range {
                let (b, h) = (pair / heads, pair % heads)
                let qOffset = b * t * heads * d + h * d, kOffset = b * s * heads * d + h * d
                let vOffset = b * s * heads * dvSize + h * dvSize, oOffset = b * t * heads * dvSize + h * dvSize
                let pp = probs + pair * t * s
                let pairMask = mask.map { $0 + b * sh.maskStride! }
                if cKernels {
                    keras_attention_backward_f32(t, s, d, dvSize, float(q + qOffset), heads * d, float(k + kOffset), heads * d,
                                                 float(v + vOffset), heads * dvSize, pairMask, Float(sh.scale), float(pp),
                                                 float(g + oOffset), heads * dvSize, float(dq + qOffset), float(dk + kOffset),
                                                 float(dvp + vOffset), float(dScores))
                    continue
                }
                // dP = g · vᵀ; dv = Pᵀ · g.
                T.gemm(transA: false, transB: true, m: t, n: s, k: dvSize, a: g + oOffset, lda: heads * dvSize,
                       b: v + vOffset, ldb: heads * dvSize, accumulate: false, c: dScores, ldc: s)
                T.gemm(transA: true, transB: false, m: s, n: dvSize, k: t, a: pp, lda: s, b: g + oOffset, ldb: heads * dvSize,
                       accumulate: false, c: dvp + vOffset, ldc: heads * dvSize)
                // dScores = scale · P ⊙ (dP − Σ dP⊙P), 0 where masked.
                T.maskedSoftmaxBackward(rows: t, n: s, p: pp, dp: dScores, scale: T(sh.scale), mask: pairMask)
                // dq = dScores · k; dk = dScoresᵀ · q.
                T.gemm(transA: false, transB: false, m: t, n: d, k: s, a: dScores, lda: s, b: k + kOffset, ldb: heads * d,
                       accumulate: false, c: dq + qOffset, ldc: heads * d)
                T.gemm(transA: true, transB: false, m: s, n: d, k: t, a: dScores, lda: s, b: q + qOffset, ldb: heads * d,
                       accumulate: false, c: dk + kOffset, ldc: heads * d)
            }
        }
    }
    withExtendedLifetime((g, query, key, value, mask, probabilities, dq, dk, dv)) {
        if query.dtype == .float32 { run(Float.self) } else { run(Double.self) }
    }
    return [dq, dk, dv]
}
