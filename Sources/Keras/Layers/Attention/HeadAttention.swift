/// Scaled dot-product attention over heads, shared by ``MultiHeadAttention`` and
/// ``GroupedQueryAttention``: `softmax(q·kᵀ / √d)` per head, masked where `mask` `(batch, T, S)`
/// is false (Keras adds −1e9 there), optional dropout on the probabilities, then times `v`.
///
/// - Parameters: `query` `(B, T, H, d)`, `key` `(B, S, H, d)`, `value` `(B, S, H, dv)`.
/// - Returns: the combined values `(B, T, H, dv)` and the probabilities `(B, H, T, S)`.
func headAttention(query: Tensor, key: Tensor, value: Tensor, mask: Tensor?, dropout: Dropout?,
                   training: Bool) -> (output: Tensor, probabilities: Tensor) {
    let scaled = query * (1 / Double(query.shape[3]).squareRoot())
    var scores = scaled.transposed([0, 2, 1, 3]).matmul(key.transposed([0, 2, 3, 1]))   // (B, H, T, S)
    if let mask {
        scores = `where`(mask.expandingDims(at: -3), scores, Tensor.full([], -1e9, dtype: scores.dtype))
    }
    let probabilities = scores.softmax(axis: -1)
    let dropped = dropout.map { $0(probabilities, training: training) } ?? probabilities
    return (dropped.matmul(value.transposed([0, 2, 1, 3])).transposed([0, 2, 1, 3]), probabilities)
}
