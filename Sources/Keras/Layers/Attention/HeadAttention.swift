/// Scaled dot-product attention over heads, shared by ``MultiHeadAttention`` and
/// ``GroupedQueryAttention``: `softmax(q·kᵀ / √d)` per head, masked where `mask` `(batch, T, S)`
/// is false (Keras puts −1e9 there), optional dropout on the probabilities, then times `v`.
///
/// Unless dropout is active or the caller asks for the probabilities (`differentiableScores`,
/// for `return_attention_scores`), this is one fused op
/// (``Tensor/scaledDotProductAttentionOutput(query:key:value:mask:scale:)``) and no probabilities
/// are returned.
///
/// - Parameters: `query` `(B, T, H, d)`, `key` `(B, S, H, d)`, `value` `(B, S, H, dv)`.
/// - Returns: the combined values `(B, T, H, dv)` and, when asked for or computed anyway, the
///   probabilities `(B, H, T, S)`.
func headAttention(query: Tensor, key: Tensor, value: Tensor, mask: Tensor?, dropout: Dropout?,
                   differentiableScores: Bool, training: Bool) -> (output: Tensor, probabilities: Tensor?) {
    let scale = 1 / Double(query.shape[3]).squareRoot()
    if !differentiableScores && (dropout == nil || !training) {
        let (t, s) = (query.shape[1], key.shape[1])
        let batchMask = mask.map { m -> Tensor in
            let m = m.cast(to: .bool)
            return m.shape == [1, t, s] || m.shape == [query.shape[0], t, s] ? m : m.broadcast(to: [query.shape[0], t, s])
        }
        return (Tensor.scaledDotProductAttentionOutput(query: query, key: key, value: value, mask: batchMask, scale: scale), nil)
    }
    var scores = (query * scale).transposed([0, 2, 1, 3]).matmul(key.transposed([0, 2, 3, 1]))   // (B, H, T, S)
    if let mask {
        scores = `where`(mask.expandingDims(at: -3), scores, Tensor.full([], -1e9, dtype: scores.dtype))
    }
    let probabilities = scores.softmax(axis: -1)
    let dropped = dropout.map { $0(probabilities, training: training) } ?? probabilities
    return (dropped.matmul(value.transposed([0, 2, 1, 3])).transposed([0, 2, 1, 3]), probabilities)
}
