extension Sequence where Element == Tensor {
    /// The element-wise sum of the tensors (Python's `sum(model.losses)`); a float32 scalar 0 for
    /// none. Recorded for differentiation.
    ///
    /// ```swift
    /// let (loss, grads) = valueWithGradients(of: model.trainableVariables) {
    ///     lossFn(y, model(x, training: true)) + model.losses.sum()
    /// }
    /// ```
    public func sum() -> Tensor {
        var iterator = makeIterator()
        guard var total = iterator.next() else { return Tensor(Float(0)) }
        while let next = iterator.next() { total = total + next }
        return total
    }
}
