import Synchronization

/// A named, mutable tensor that training updates: a layer's kernel or bias, an optimizer slot.
///
/// Reading ``value`` inside a gradient scope (`valueWithGradients(of:_:)`, ``GradientTape``)
/// records the read, so the result can be differentiated with respect to this variable.
///
/// A variable may be shared between threads: one can ``assign(_:)`` while others read ``value``
/// (a model trained on one thread and served from others). Each read returns a whole value, the
/// one before or the one after a concurrent assignment, never a mix; ``trainable`` and
/// ``constraint`` are synchronized the same way.
///
/// ```swift
/// let w = Variable(Tensor([[1.0], [2.0]]), name: "kernel")
/// let (loss, grads) = valueWithGradients(of: [w]) { (w.value * w.value).sum() }
/// w.assign(w.value - 0.1 * grads[0])
/// ```
public final class Variable: Sendable, CustomStringConvertible {
    /// What can change after creation, behind one lock so a read sees a consistent whole.
    private struct State {
        var value: Tensor
        var trainable: Bool
        var constraint: (@Sendable (Tensor) -> Tensor)?
    }

    /// The variable's name (`"kernel"`, `"bias"`, …).
    public let name: String
    private let state: Mutex<State>

    /// A variable holding `value` (cut off from any gradient scope it was computed in); a
    /// trainable variable must be float32 or float64.
    public init(_ value: Tensor, name: String = "variable", trainable: Bool = true) {
        require(!trainable || value.dtype.isFloatingPoint,
                "Variable '\(name)': a trainable variable must be float32 or float64, got \(value.dtype)")
        self.state = Mutex(State(value: withoutRecording { value.stopGradient() }, trainable: trainable, constraint: nil))
        self.name = name
    }

    /// Whether optimizers update it and gradient scopes watch it.
    public var trainable: Bool {
        get { state.withLock { $0.trainable } }
        set { state.withLock { $0.trainable = newValue } }
    }

    /// Applied to the value after each optimizer step (Keras's weight constraints).
    public var constraint: (@Sendable (Tensor) -> Tensor)? {
        get { state.withLock { $0.constraint } }
        set { state.withLock { $0.constraint = newValue } }
    }

    /// The current value; recorded when read inside a gradient scope and trainable.
    public var value: Tensor {
        let (stored, trainable) = state.withLock { ($0.value, $0.trainable) }
        if trainable, let recorder = AutodiffContext.recorder, !AutodiffContext.isPaused {
            var v = stored
            v.node = recorder.leaf(for: self)
            return v
        }
        return stored
    }

    /// The value's shape, which never changes.
    public var shape: [Int] { state.withLock { $0.value.shape } }
    /// The value's dtype, which never changes.
    public var dtype: DType { state.withLock { $0.value.dtype } }

    /// Replaces the value; the shape must stay the same, the dtype is converted.
    public func assign(_ newValue: Tensor) {
        let (shape, dtype) = state.withLock { ($0.value.shape, $0.value.dtype) }
        let converted = stored(newValue, shape: shape, dtype: dtype)
        state.withLock { $0.value = converted }
    }

    /// Runs `body` on the value's elements for writing in place (an optimizer step over the
    /// variable's own buffer), with the variable's lock held: a concurrent read returns the
    /// value before or after, never a mix. When another tensor shares the value's buffer (a
    /// caller kept an earlier `value`), the value first moves to a fresh copy, so that tensor
    /// keeps its elements; `body` then writes the copy.
    ///
    /// ```swift
    /// w.withMutableValue { p in p.assumingMemoryBound(to: Float.self)[0] = 1 }
    /// ```
    package func withMutableValue(_ body: (UnsafeMutableRawPointer) -> Void) {
        state.withLock { s in
            if !isKnownUniquelyReferenced(&s.value.storage) || s.value.byteOffset != 0 {
                let byteCount = s.value.shape.reduce(1, *) * s.value.dtype.byteSize
                let fresh = TensorStorage(byteCount: byteCount)
                fresh.bytes.copyMemory(from: s.value.rawBytes, byteCount: byteCount)
                s.value = Tensor(storage: fresh, shape: s.value.shape, dtype: s.value.dtype)
            }
            body(s.value.storage.bytes)
        }
    }

    /// `assign(value + delta)`, atomically: concurrent calls all take effect.
    public func assignAdd(_ delta: Tensor) { update { $0 + delta } }
    /// `assign(value - delta)`, atomically: concurrent calls all take effect.
    public func assignSub(_ delta: Tensor) { update { $0 - delta } }

    /// Replaces the value with `transform(value)`, computed outside the lock (readers never wait
    /// for it) and retried if another assignment came first.
    private func update(_ transform: (Tensor) -> Tensor) {
        while true {
            let old = state.withLock { $0.value }
            let new = stored(transform(old), shape: old.shape, dtype: old.dtype)
            let replaced = state.withLock { s in
                guard s.value.storage === old.storage && s.value.byteOffset == old.byteOffset else { return false }
                s.value = new
                return true
            }
            if replaced { return }
        }
    }

    /// `newValue` as this variable stores it: checked against its shape, converted to its dtype,
    /// cut off from differentiation.
    private func stored(_ newValue: Tensor, shape: [Int], dtype: DType) -> Tensor {
        require(newValue.shape == shape, "Variable '\(name)'.assign: expected shape \(shape), got \(newValue.shape)")
        return (newValue.dtype == dtype ? newValue : newValue.cast(to: dtype)).stopGradient()
    }

    /// A readable description, as `print` shows it.
    public var description: String {
        let v = state.withLock { $0.value }
        return "<Variable name=\(name), shape=\(v.shape), dtype=\(v.dtype), value=\(v.doubles.prefix(6))>"
    }
}
