import Foundation

/// Fused softmax cross-entropy with integer labels: the hot path of
/// `SparseCategoricalCrossentropy(fromLogits: true)`.

extension Tensor {
    /// `−log_softmax(self)[label]` along the last axis, one value per row: `self` is `[..., C]`
    /// logits, `labels` holds class indices of shape `[...]` (any numeric dtype). The backward rule
    /// is `g · (softmax − one_hot)`, computed from the probabilities saved by the forward pass.
    ///
    /// ```swift
    /// let logits = Tensor([[2.0, 1.0, 0.1]])
    /// logits.sparseSoftmaxCrossEntropy(labels: Tensor([0]))   // [0.417]
    /// ```
    public func sparseSoftmaxCrossEntropy(labels: Tensor) -> Tensor {
        require(rank >= 1, "sparse_softmax_cross_entropy: logits must have a class axis, got shape \(shape)")
        let rows = Array(shape.dropLast())
        require(labels.shape == rows,
                "sparse_softmax_cross_entropy: labels of shape \(labels.shape) do not match logits of shape \(shape) (expected labels of shape \(rows))")
        let logits = dtype.isFloatingPoint ? self : cast(to: .float32)
        let classes = shape[rank - 1]
        let index = labels.dtype == .int64 ? labels : labels.cast(to: .int64)
        let (loss, probabilities): (Tensor, Tensor)
        if logits.dtype == .float64 {
            (loss, probabilities) = sparseCrossEntropyKernel(logits, index, classes, Double.self, exp: { Foundation.exp($0) }, log: { Foundation.log($0) })
        } else {
            (loss, probabilities) = sparseCrossEntropyKernel(logits, index, classes, Float.self, exp: { Foundation.exp($0) }, log: { Foundation.log($0) })
        }
        return Tensor.record("sparse_softmax_cross_entropy", inputs: [logits], output: loss) { g in
            let gradient: Tensor
            if probabilities.dtype == .float64 {
                gradient = sparseCrossEntropyBackward(g, probabilities, index, classes, Double.self)
            } else {
                gradient = sparseCrossEntropyBackward(g, probabilities, index, classes, Float.self)
            }
            return [gradient]
        }
    }
}

/// `keras.ops.sparse_categorical_crossentropy(target, output, from_logits=True)` (fused).
public func sparseSoftmaxCrossEntropy(labels: Tensor, logits: Tensor) -> Tensor {
    logits.sparseSoftmaxCrossEntropy(labels: labels)
}

@inline(__always)
private func sparseCrossEntropyKernel<T: BinaryFloatingPoint & TensorScalar>(
    _ logits: Tensor, _ labels: Tensor, _ classes: Int, _: T.Type,
    exp: (T) -> T, log: (T) -> T) -> (Tensor, Tensor) {
    let rows = classes == 0 ? 0 : logits.scalarCount / classes
    let loss = Tensor(uninitializedShape: Array(logits.shape.dropLast()), dtype: T.dtype)
    let probabilities = Tensor(uninitializedShape: logits.shape, dtype: T.dtype)
    let x = logits.pointer(T.self), l = labels.pointer(Int64.self)
    let out = loss.pointer(T.self), p = probabilities.pointer(T.self)
    withExtendedLifetime((logits, labels)) {
        for r in 0..<rows {
            let row = x + r * classes, prow = p + r * classes
            let label = Int(l[r])
            require(label >= 0 && label < classes,
                    "sparse_softmax_cross_entropy: label \(label) at row \(r) is outside [0, \(classes))")
            var m = row[0]
            for c in 1..<classes where row[c] > m { m = row[c] }
            var s: T = 0
            for c in 0..<classes {
                let e = exp(row[c] - m)
                prow[c] = e
                s += e
            }
            let inv = 1 / s
            for c in 0..<classes { prow[c] *= inv }
            out[r] = log(s) - (row[label] - m)
        }
    }
    return (loss, probabilities)
}

@inline(__always)
private func sparseCrossEntropyBackward<T: BinaryFloatingPoint & TensorScalar>(
    _ g: Tensor, _ probabilities: Tensor, _ labels: Tensor, _ classes: Int, _: T.Type) -> Tensor {
    let g = g.dtype == T.dtype ? g : g.cast(to: T.dtype)
    let rows = classes == 0 ? 0 : probabilities.scalarCount / classes
    let out = Tensor(uninitializedShape: probabilities.shape, dtype: T.dtype)
    let p = probabilities.pointer(T.self), pg = g.pointer(T.self), l = labels.pointer(Int64.self), o = out.pointer(T.self)
    withExtendedLifetime((g, probabilities, labels)) {
        for r in 0..<rows {
            let gr = pg[r], base = r * classes
            for c in 0..<classes { o[base + c] = gr * p[base + c] }
            o[base + Int(l[r])] -= gr
        }
    }
    return out
}
