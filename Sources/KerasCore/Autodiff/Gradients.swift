/// Runs `body`, records every op on the given variables, and returns the result with the gradient
/// of its sum with respect to each variable (zeros for a variable the result does not depend on).
///
/// ```swift
/// let w = Variable(Tensor([3.0]))
/// let (y, grads) = valueWithGradients(of: [w]) { w.value * w.value }
/// // y = 9, grads[0] = 6
/// ```
public func valueWithGradients(of variables: [Variable],
                               _ body: () throws -> Tensor) rethrows -> (value: Tensor, gradients: [Tensor]) {
    let tape = GradientTape()
    let value = try tape.record(body)
    return (value.stopGradient(), tape.gradient(value, wrt: variables))
}

/// Like ``valueWithGradients(of:_:)-(_,()->Tensor)``, for a `body` that returns the value to
/// differentiate together with an output to keep — the model's predictions, so a custom train
/// step updates its metrics without a second forward pass (JAX's `has_aux`). Only the first
/// element is differentiated; the output comes back as computed.
///
/// ```swift
/// let (loss, logits, grads) = valueWithGradients(of: model.trainableVariables) {
///     let logits = model(x, training: true)
///     return (lossFn(y, logits), logits)
/// }
/// optimizer.apply(grads, to: model.trainableVariables)
/// accuracy.updateState(yTrue: y, yPred: logits)
/// ```
public func valueWithGradients<Output>(of variables: [Variable], _ body: () throws -> (Tensor, Output))
    rethrows -> (value: Tensor, output: Output, gradients: [Tensor]) {
    let tape = GradientTape()
    let (value, output) = try tape.record(body)
    return (value.stopGradient(), output, tape.gradient(value, wrt: variables))
}

/// The gradients of `body`'s result with respect to `variables`.
public func gradients(of variables: [Variable], _ body: () throws -> Tensor) rethrows -> [Tensor] {
    try valueWithGradients(of: variables, body).gradients
}

/// Differentiates `body` with respect to plain tensors: `body` receives watched copies of `inputs`.
///
/// ```swift
/// let (y, g) = valueWithGradients(at: [Tensor([1.0, 2.0])]) { xs in xs[0].exp().sum() }
/// ```
public func valueWithGradients(at inputs: [Tensor],
                               _ body: ([Tensor]) throws -> Tensor) rethrows -> (value: Tensor, gradients: [Tensor]) {
    let tape = GradientTape()
    let watched = inputs.map { tape.watch($0) }
    let value = try tape.record { try body(watched) }
    return (value.stopGradient(), tape.gradient(value, wrt: watched))
}

/// Runs `body` without recording anything for differentiation (inference, metric updates).
public func withoutRecording<R>(_ body: () throws -> R) rethrows -> R {
    try AutodiffContext.$isPaused.withValue(true, operation: body)
}

/// `tf.GradientTape` in Swift: ops run inside ``record(_:)`` on trainable variables (or on tensors
/// passed through ``watch(_:)``) are recorded; `gradient(_:wrt:)` differentiates a result.
///
/// ```swift
/// let tape = GradientTape()
/// let loss = tape.record { ((w.value - 1) ** 2).sum() }
/// let grads = tape.gradient(loss, wrt: [w])
/// ```
public final class GradientTape: Sendable {
    let recorder = Recorder()

    /// A tape that has recorded nothing yet.
    public init() {}

    /// Runs `body` with this tape recording.
    public func record<R>(_ body: () throws -> R) rethrows -> R {
        try AutodiffContext.$isPaused.withValue(false) {
            try AutodiffContext.$recorder.withValue(recorder, operation: body)
        }
    }

    /// A copy of `tensor` that ops will record, so gradients can be taken with respect to it.
    public func watch(_ tensor: Tensor) -> Tensor {
        require(tensor.dtype.isFloatingPoint,
                "GradientTape.watch: cannot differentiate with respect to a \(tensor.dtype) tensor; gradients exist only for float32 and float64 (cast it first)")
        var t = tensor
        t.node = .leaf(shape: tensor.shape)
        return t
    }

    /// Gradients of `target` (summed if it is not a scalar) with respect to `variables`.
    public func gradient(_ target: Tensor, wrt variables: [Variable]) -> [Tensor] {
        for v in variables {
            require(v.dtype.isFloatingPoint,
                    "gradient: variable '\(v.name)' is \(v.dtype); gradients exist only for float32 and float64")
        }
        let grads = backpropagate(from: checkedTarget(target))
        return variables.map { v in
            guard let leaf = recorder.existingLeaf(for: v), let g = grads[ObjectIdentifier(leaf)] else {
                return Tensor.zeros(v.shape, dtype: v.dtype)
            }
            return g
        }
    }

    /// Gradients of `target` with respect to tensors returned by ``watch(_:)``.
    public func gradient(_ target: Tensor, wrt tensors: [Tensor]) -> [Tensor] {
        for t in tensors {
            require(t.node != nil,
                    "gradient: a source tensor of shape \(t.shape) was not watched; pass it through tape.watch(_:) before using it")
        }
        let grads = backpropagate(from: checkedTarget(target))
        return tensors.map { t in grads[ObjectIdentifier(t.node!)] ?? Tensor.zeros(t.shape, dtype: t.dtype) }
    }

    private func checkedTarget(_ target: Tensor) -> Tensor {
        require(target.dtype.isFloatingPoint,
                "gradient: the target is \(target.dtype); only float32/float64 results can be differentiated")
        require(target.node != nil,
                "gradient: the target was not recorded. Compute it inside tape.record { … } (or the valueWithGradients closure) from a trainable Variable or a watched tensor; results built from constants, integer tensors or stopGradient have no gradient")
        return target
    }
}

extension Tensor {
    /// The same values, cut off from differentiation (`keras.ops.stop_gradient`).
    public func stopGradient() -> Tensor {
        var t = self
        t.node = nil
        return t
    }
}

/// `keras.ops.stop_gradient`.
public func stopGradient(_ x: Tensor) -> Tensor { x.stopGradient() }
