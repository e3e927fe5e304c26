import Foundation

/// Broadcasting arithmetic: `+ - * /`, unary minus, `pow`, `minimum`, `maximum`, with Swift numbers
/// on either side (a number takes the tensor's dtype, as Python scalars do in Keras).

/// Element type numeric kernels run on.
protocol ArithmeticScalar: TensorScalar, Numeric, Comparable {}
extension Float: ArithmeticScalar {}
extension Double: ArithmeticScalar {}
extension Int32: ArithmeticScalar {}
extension Int64: ArithmeticScalar {}

enum BinaryArithmetic { case add, subtract, multiply, maximum, minimum }

/// Runs an arithmetic kernel after promotion and broadcasting (no recording).
func arithmeticKernel(_ op: BinaryArithmetic, _ a: Tensor, _ b: Tensor, name: String) -> Tensor {
    let (x, y, dt) = promote(a, b)
    if dt == .bool {
        // Keras on bools: add and maximum are logical or, multiply and minimum logical and.
        precondition(op != .subtract,
                     "\(name): not defined for two bool tensors (shapes \(a.shape) and \(b.shape)); use logicalXor")
        return arithmeticKernel(op, x.cast(to: .int32), y.cast(to: .int32), name: name).cast(to: .bool)
    }
    let shape = broadcastShape(a.shape, b.shape, op: name)
    @inline(__always) func run<T: ArithmeticScalar>(_: T.Type) -> Tensor {
        switch op {
        case .add: zipKernel(x, y, T.self, shape: shape, to: dt, T.self) { $0 + $1 }
        case .subtract: zipKernel(x, y, T.self, shape: shape, to: dt, T.self) { $0 - $1 }
        case .multiply: zipKernel(x, y, T.self, shape: shape, to: dt, T.self) { $0 * $1 }
        case .maximum: zipKernel(x, y, T.self, shape: shape, to: dt, T.self) { ($0 >= $1 || $0 != $0) ? $0 : $1 }
        case .minimum: zipKernel(x, y, T.self, shape: shape, to: dt, T.self) { ($0 <= $1 || $0 != $0) ? $0 : $1 }
        }
    }
    switch dt {
    case .float32: return run(Float.self)
    case .float64: return run(Double.self)
    case .int32: return run(Int32.self)
    case .int64: return run(Int64.self)
    case .bool: fatalError("unreachable")
    }
}

/// True division; integers are divided as float32 (Keras's `divide`).
func divideKernel(_ a: Tensor, _ b: Tensor) -> Tensor {
    let (x, y, dt) = promote(a, b, atLeast: .float32)
    let shape = broadcastShape(a.shape, b.shape, op: "divide")
    return dt == .float64
        ? zipKernel(x, y, Double.self, shape: shape, to: dt, Double.self) { $0 / $1 }
        : zipKernel(x, y, Float.self, shape: shape, to: dt, Float.self) { $0 / $1 }
}

extension Tensor {
    /// Elementwise sum with NumPy broadcasting (`keras.ops.add`): `Tensor([1.0, 2.0]) + Tensor([[10.0], [20.0]])` has shape (2, 2).
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let out = arithmeticKernel(.add, a, b, name: "add")
        return record("add", inputs: [a, b], output: out) { g in
            [a.isRecorded ? g.unbroadcast(to: a.shape) : nil, b.isRecorded ? g.unbroadcast(to: b.shape) : nil]
        }
    }

    /// Elementwise difference with broadcasting (`keras.ops.subtract`).
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let out = arithmeticKernel(.subtract, a, b, name: "subtract")
        return record("subtract", inputs: [a, b], output: out) { g in
            [a.isRecorded ? g.unbroadcast(to: a.shape) : nil, b.isRecorded ? (-g).unbroadcast(to: b.shape) : nil]
        }
    }

    /// Elementwise product with broadcasting (`keras.ops.multiply`).
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let out = arithmeticKernel(.multiply, a, b, name: "multiply")
        return record("multiply", inputs: [a, b], output: out) { g in
            [a.isRecorded ? (g * b).unbroadcast(to: a.shape) : nil,
             b.isRecorded ? (g * a).unbroadcast(to: b.shape) : nil]
        }
    }

    /// True division with broadcasting (`keras.ops.divide`); integers divide as float32.
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let out = divideKernel(a, b)
        return record("divide", inputs: [a, b], output: out) { g in
            [a.isRecorded ? (g / b).unbroadcast(to: a.shape) : nil,
             b.isRecorded ? (-g * out / b).unbroadcast(to: b.shape) : nil]
        }
    }

    /// Elementwise negation (`keras.ops.negative`).
    public static prefix func - (x: Tensor) -> Tensor {
        let out: Tensor
        switch x.dtype {
        case .float32: out = mapKernel(x, Float.self, to: .float32, Float.self) { -$0 }
        case .float64: out = mapKernel(x, Double.self, to: .float64, Double.self) { -$0 }
        case .int32: out = mapKernel(x, Int32.self, to: .int32, Int32.self) { 0 &- $0 }
        case .int64: out = mapKernel(x, Int64.self, to: .int64, Int64.self) { 0 &- $0 }
        case .bool: preconditionFailure("negative: not defined for bool tensors; use logicalNot")
        }
        return record("negative", inputs: [x], output: out) { g in [-g] }
    }

    /// Adds a number, which takes the tensor's dtype: `x + 1`.
    public static func + (a: Tensor, b: Double) -> Tensor { a + scalar(b, like: a) }
    /// Adds a number on the left: `1 + x`.
    public static func + (a: Double, b: Tensor) -> Tensor { scalar(a, like: b) + b }
    /// Subtracts a number: `x - 1`.
    public static func - (a: Tensor, b: Double) -> Tensor { a - scalar(b, like: a) }
    /// Subtracts from a number: `1 - x`.
    public static func - (a: Double, b: Tensor) -> Tensor { scalar(a, like: b) - b }
    /// Scales by a number: `x * 2`.
    public static func * (a: Tensor, b: Double) -> Tensor { a * scalar(b, like: a) }
    /// Scales by a number on the left: `2 * x`.
    public static func * (a: Double, b: Tensor) -> Tensor { scalar(a, like: b) * b }
    /// Divides by a number: `x / 255`.
    public static func / (a: Tensor, b: Double) -> Tensor { a / scalar(b, like: a) }
    /// Divides a number by each element: `1 / x`.
    public static func / (a: Double, b: Tensor) -> Tensor { scalar(a, like: b) / b }

    /// `a = a + b`.
    public static func += (a: inout Tensor, b: Tensor) { a = a + b }
    /// `a = a - b`.
    public static func -= (a: inout Tensor, b: Tensor) { a = a - b }
    /// `a = a * b`.
    public static func *= (a: inout Tensor, b: Tensor) { a = a * b }
    /// `a = a / b`.
    public static func /= (a: inout Tensor, b: Tensor) { a = a / b }

    /// `self ** exponent`, elementwise with broadcasting (`keras.ops.power`). Integer tensors
    /// raised to integer powers stay integers; otherwise the result is floating point.
    public func pow(_ exponent: Tensor) -> Tensor {
        let integral = promotedType(dtype, exponent.dtype)
        if integral.isInteger {
            return cast(to: .float64).pow(exponent.cast(to: .float64)).cast(to: integral)
        }
        let (x, y, dt) = promote(self, exponent, atLeast: .float32)
        let shape = broadcastShape(shape, exponent.shape, op: "power")
        let out = dt == .float64
            ? zipKernel(x, y, Double.self, shape: shape, to: dt, Double.self) { Foundation.pow($0, $1) }
            : zipKernel(x, y, Float.self, shape: shape, to: dt, Float.self) { Foundation.pow($0, $1) }
        let base = self
        return Tensor.record("power", inputs: [self, exponent], output: out) { g in
            [base.isRecorded ? (g * y * x.pow(y - 1)).unbroadcast(to: base.shape) : nil,
             exponent.isRecorded ? (g * out * x.log()).unbroadcast(to: exponent.shape) : nil]
        }
    }

    /// `self ** exponent` for a number exponent.
    public func pow(_ exponent: Double) -> Tensor { pow(Tensor.scalar(exponent, like: self)) }

    /// The larger of two tensors, elementwise (`keras.ops.maximum`); gradient goes to the first on ties.
    public func maximum(_ other: Tensor) -> Tensor {
        let out = arithmeticKernel(.maximum, self, other, name: "maximum")
        let a = self
        return Tensor.record("maximum", inputs: [a, other], output: out) { g in
            let mask = a.greaterEqual(other).cast(to: g.dtype)
            return [a.isRecorded ? (g * mask).unbroadcast(to: a.shape) : nil,
                    other.isRecorded ? (g * (1 - mask)).unbroadcast(to: other.shape) : nil]
        }
    }

    /// The smaller of two tensors, elementwise (`keras.ops.minimum`); gradient goes to the first on ties.
    public func minimum(_ other: Tensor) -> Tensor {
        let out = arithmeticKernel(.minimum, self, other, name: "minimum")
        let a = self
        return Tensor.record("minimum", inputs: [a, other], output: out) { g in
            let mask = a.lessEqual(other).cast(to: g.dtype)
            return [a.isRecorded ? (g * mask).unbroadcast(to: a.shape) : nil,
                    other.isRecorded ? (g * (1 - mask)).unbroadcast(to: other.shape) : nil]
        }
    }

    /// The larger of each element and a number.
    public func maximum(_ other: Double) -> Tensor { maximum(Tensor.scalar(other, like: self)) }
    /// The smaller of each element and a number.
    public func minimum(_ other: Double) -> Tensor { minimum(Tensor.scalar(other, like: self)) }

    /// Values limited to `[low, high]` (`keras.ops.clip`); gradient passes only inside the range.
    public func clip(_ low: Double, _ high: Double) -> Tensor {
        maximum(low).minimum(high)
    }
}

infix operator ** : MultiplicationPrecedence

extension Tensor {
    /// `a.pow(b)`: `x ** 2`.
    public static func ** (a: Tensor, b: Tensor) -> Tensor { a.pow(b) }
    /// `a.pow(b)` for a number exponent.
    public static func ** (a: Tensor, b: Double) -> Tensor { a.pow(b) }
}

/// `keras.ops.add` … free-function forms.
public func pow(_ x: Tensor, _ y: Tensor) -> Tensor { x.pow(y) }
/// `keras.ops.power` with a number exponent.
public func pow(_ x: Tensor, _ y: Double) -> Tensor { x.pow(y) }
/// `keras.ops.maximum`.
public func maximum(_ x: Tensor, _ y: Tensor) -> Tensor { x.maximum(y) }
/// `keras.ops.minimum`.
public func minimum(_ x: Tensor, _ y: Tensor) -> Tensor { x.minimum(y) }
/// `keras.ops.clip`.
public func clip(_ x: Tensor, _ low: Double, _ high: Double) -> Tensor { x.clip(low, high) }
