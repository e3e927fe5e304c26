/// A named, mutable tensor that training updates: a layer's kernel or bias, an optimizer slot.
///
/// Reading ``value`` inside a gradient scope (``valueWithGradients(of:_:)``, ``GradientTape``)
/// records the read, so the result can be differentiated with respect to this variable.
///
/// ```swift
/// let w = Variable(Tensor([[1.0], [2.0]]), name: "kernel")
/// let (loss, grads) = valueWithGradients(of: [w]) { (w.value * w.value).sum() }
/// w.assign(w.value - 0.1 * grads[0])
/// ```
public final class Variable: @unchecked Sendable, CustomStringConvertible {
    /// The variable's name (`"kernel"`, `"bias"`, …).
    public let name: String
    /// Whether optimizers update it and gradient scopes watch it.
    public var trainable: Bool
    /// Applied to the value after each optimizer step (Keras's weight constraints).
    public var constraint: (@Sendable (Tensor) -> Tensor)?
    private var storedValue: Tensor

    public init(_ value: Tensor, name: String = "variable", trainable: Bool = true) {
        precondition(!trainable || value.dtype.isFloatingPoint,
                     "Variable '\(name)': a trainable variable must be float32 or float64, got \(value.dtype)")
        self.storedValue = withoutRecording { value.stopGradient() }
        self.name = name
        self.trainable = trainable
    }

    /// The current value; recorded when read inside a gradient scope and trainable.
    public var value: Tensor {
        if trainable, let recorder = AutodiffContext.recorder, !AutodiffContext.isPaused {
            var v = storedValue
            v.node = recorder.leaf(for: self)
            return v
        }
        return storedValue
    }

    public var shape: [Int] { storedValue.shape }
    public var dtype: DType { storedValue.dtype }

    /// Replaces the value; the shape must stay the same, the dtype is converted.
    public func assign(_ newValue: Tensor) {
        precondition(newValue.shape == storedValue.shape,
                     "Variable '\(name)'.assign: expected shape \(storedValue.shape), got \(newValue.shape)")
        storedValue = newValue.dtype == storedValue.dtype ? newValue.stopGradient() : newValue.cast(to: storedValue.dtype).stopGradient()
    }

    /// `assign(value + delta)`.
    public func assignAdd(_ delta: Tensor) { assign(storedValue + delta) }
    /// `assign(value - delta)`.
    public func assignSub(_ delta: Tensor) { assign(storedValue - delta) }

    public var description: String {
        "<Variable name=\(name), shape=\(shape), dtype=\(dtype), value=\(storedValue.doubles.prefix(6))>"
    }
}
