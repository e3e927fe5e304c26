/// A ``Variable`` used directly in tensor arithmetic and `matmul` stands for its current value
/// (Keras's `ops.matmul(inputs, self.w) + self.b`), recorded for differentiation like
/// `variable.value`.
///
/// ```swift
/// override func call(_ inputs: Tensor, training: Bool) -> Tensor { inputs.matmul(w) + b }
/// ```
extension Tensor {
    /// Arithmetic with the variable's current value, recorded for gradients.
    public static func + (a: Tensor, b: Variable) -> Tensor { a + b.value }
    /// Arithmetic with the variable's current value, recorded for gradients.
    public static func + (a: Variable, b: Tensor) -> Tensor { a.value + b }
    /// Arithmetic with the variable's current value, recorded for gradients.
    public static func - (a: Tensor, b: Variable) -> Tensor { a - b.value }
    /// Arithmetic with the variable's current value, recorded for gradients.
    public static func - (a: Variable, b: Tensor) -> Tensor { a.value - b }
    /// Arithmetic with the variable's current value, recorded for gradients.
    public static func * (a: Tensor, b: Variable) -> Tensor { a * b.value }
    /// Arithmetic with the variable's current value, recorded for gradients.
    public static func * (a: Variable, b: Tensor) -> Tensor { a.value * b }
    /// Arithmetic with the variable's current value, recorded for gradients.
    public static func / (a: Tensor, b: Variable) -> Tensor { a / b.value }
    /// Arithmetic with the variable's current value, recorded for gradients.
    public static func / (a: Variable, b: Tensor) -> Tensor { a.value / b }

    /// `self` times the variable's value (see ``matmul(_:)-(Tensor)``).
    ///
    /// ```swift
    /// let y = x.matmul(kernel)   // kernel: Variable
    /// ```
    public func matmul(_ other: Variable) -> Tensor { matmul(other.value) }
}

/// `keras.ops.matmul` with a variable as the right operand.
///
/// ```swift
/// let y = matmul(inputs, kernel) + bias   // kernel, bias: Variable
/// ```
public func matmul(_ a: Tensor, _ b: Variable) -> Tensor { a.matmul(b.value) }
