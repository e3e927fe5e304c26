import CKernels
import Foundation

/// Broadcasting arithmetic: `+ - * /`, unary minus, `pow`, `minimum`, `maximum`, `floorDivide`,
/// `mod`, with Swift numbers on either side (a number takes the tensor's dtype, as Python scalars
/// do in Keras). Integer arithmetic follows NumPy: it wraps around on overflow, and division or
/// modulo by zero gives 0, so no value stops the program.

/// Element type numeric kernels run on, with the arithmetic NumPy gives it: integers wrap around
/// on overflow (two's complement, never a trap) and integer division by zero gives 0.
protocol ArithmeticScalar: TensorScalar, Numeric, Comparable {
    static func add(_ a: Self, _ b: Self) -> Self
    static func subtract(_ a: Self, _ b: Self) -> Self
    static func multiply(_ a: Self, _ b: Self) -> Self
    /// `floor(a / b)` (Python's `//`).
    static func floorDivide(_ a: Self, _ b: Self) -> Self
    /// `a - floor(a / b) * b`, with the sign of `b` (Python's `%`).
    static func mod(_ a: Self, _ b: Self) -> Self
}

extension ArithmeticScalar where Self: BinaryFloatingPoint {
    @inline(__always) static func add(_ a: Self, _ b: Self) -> Self { a + b }
    @inline(__always) static func subtract(_ a: Self, _ b: Self) -> Self { a - b }
    @inline(__always) static func multiply(_ a: Self, _ b: Self) -> Self { a * b }

    /// NumPy's `npy_divmod`: exact through `fmod`, so `1 // 0.1` is 9 as in Python; `x // 0` is
    /// `x / 0` (±∞ or NaN).
    @inline(__always) static func floorDivide(_ a: Self, _ b: Self) -> Self {
        if b == 0 { return a / b }
        let r = a.truncatingRemainder(dividingBy: b)
        var q = (a - r) / b
        if r != 0 && (b < 0) != (r < 0) { q -= 1 }
        if q == 0 { return (a / b).sign == .minus ? -0.0 : 0 }
        let f = q.rounded(.down)
        return q - f > 0.5 ? f + 1 : f
    }

    /// NaN for `x % 0`, as NumPy.
    @inline(__always) static func mod(_ a: Self, _ b: Self) -> Self {
        let r = a.truncatingRemainder(dividingBy: b)
        if r == 0 { return b.sign == .minus ? -0.0 : 0 }
        return (b < 0) != (r < 0) ? r + b : r
    }
}

extension ArithmeticScalar where Self: FixedWidthInteger {
    @inline(__always) static func add(_ a: Self, _ b: Self) -> Self { a &+ b }
    @inline(__always) static func subtract(_ a: Self, _ b: Self) -> Self { a &- b }
    @inline(__always) static func multiply(_ a: Self, _ b: Self) -> Self { a &* b }

    /// 0 for `x // 0` (NumPy's result); `min // -1` wraps to `min`.
    @inline(__always) static func floorDivide(_ a: Self, _ b: Self) -> Self {
        if b == 0 { return 0 }
        if b == -1 { return 0 &- a }
        let q = a / b
        return (a % b != 0) && ((a < 0) != (b < 0)) ? q - 1 : q
    }

    /// 0 for `x % 0` (NumPy's result) and for `min % -1`.
    @inline(__always) static func mod(_ a: Self, _ b: Self) -> Self {
        if b == 0 || b == -1 { return 0 }
        let r = a % b
        return r != 0 && ((r < 0) != (b < 0)) ? r + b : r
    }
}

extension Float: ArithmeticScalar {}
extension Double: ArithmeticScalar {}
extension Int32: ArithmeticScalar {}
extension Int64: ArithmeticScalar {}

enum BinaryArithmetic {
    case add, subtract, multiply, maximum, minimum, floorDivide, mod

    /// The C kernel's code for the ops ``floatZip(_:_:_:)`` runs.
    var floatKernel: keras_binary_op? {
        switch self {
        case .add: KERAS_BINARY_ADD
        case .subtract: KERAS_BINARY_SUBTRACT
        case .multiply: KERAS_BINARY_MULTIPLY
        default: nil
        }
    }
}

/// `a op b` for two float32 tensors of one shape, as a C loop vectorized for AVX-512/AVX2 (the
/// same IEEE operation per element as the Swift loop, which is built for 4-lane SSE), split over
/// the cores in chunks.
private func floatZip(_ op: keras_binary_op, _ a: Tensor, _ b: Tensor) -> Tensor {
    let out = Tensor(uninitializedShape: a.shape, dtype: .float32)
    withExtendedLifetime((a, b)) {
        let buffers = (UnsafePointer(a.pointer(Float.self)), UnsafePointer(b.pointer(Float.self)), out.pointer(Float.self), op)
        Parallel.chunks(out.scalarCount, context: buffers) { r, p in
            keras_binary_f32(p.3, r.count, p.0 + r.lowerBound, p.1 + r.lowerBound, p.2 + r.lowerBound)
        }
    }
    return out
}

/// Runs an arithmetic kernel after promotion and broadcasting (no recording).
func arithmeticKernel(_ op: BinaryArithmetic, _ a: Tensor, _ b: Tensor, name: String) -> Tensor {
    let (x, y, dt) = promote(a, b)
    if dt == .bool {
        // Keras on bools: add and maximum are logical or, multiply and minimum logical and;
        // floor_divide and mod compute on int32 and keep it.
        require(op != .subtract,
                "\(name): not defined for two bool tensors (shapes \(a.shape) and \(b.shape)); use logicalXor")
        let ints = arithmeticKernel(op, x.cast(to: .int32), y.cast(to: .int32), name: name)
        return op == .floorDivide || op == .mod ? ints : ints.cast(to: .bool)
    }
    let shape = broadcastShape(a.shape, b.shape, op: name)
    if dt == .float32 && x.shape == y.shape, let code = op.floatKernel { return floatZip(code, x, y) }
    // NaN-propagating maximum and minimum, like NumPy's: a NaN on either side wins.
    @inline(__always) func run<T: ArithmeticScalar>(_: T.Type) -> Tensor {
        switch op {
        case .add: zipKernel(x, y, T.self, shape: shape, to: dt, T.self) { T.add($0, $1) }
        case .subtract: zipKernel(x, y, T.self, shape: shape, to: dt, T.self) { T.subtract($0, $1) }
        case .multiply: zipKernel(x, y, T.self, shape: shape, to: dt, T.self) { T.multiply($0, $1) }
        case .maximum: zipKernel(x, y, T.self, shape: shape, to: dt, T.self) { ($0 >= $1 || $0 != $0) ? $0 : $1 }
        case .minimum: zipKernel(x, y, T.self, shape: shape, to: dt, T.self) { ($0 <= $1 || $0 != $0) ? $0 : $1 }
        case .floorDivide: zipKernel(x, y, T.self, shape: shape, to: dt, T.self) { T.floorDivide($0, $1) }
        case .mod: zipKernel(x, y, T.self, shape: shape, to: dt, T.self) { T.mod($0, $1) }
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
        case .bool: fatalError("negative: not defined for bool tensors; use logicalNot")
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
    /// raised to integer powers stay integers and wrap around on overflow as NumPy's do; a
    /// negative integer exponent gives `1 / self ** -exponent` truncated (0 unless `self` is ±1).
    /// Otherwise the result is floating point.
    ///
    /// ```swift
    /// Tensor([2, 3]).pow(Tensor([10, 2]))   // [1024 9]
    /// ```
    public func pow(_ exponent: Tensor) -> Tensor {
        let (xi, yi, integral) = promote(self, exponent)
        if integral.isInteger {
            let shape = broadcastShape(shape, exponent.shape, op: "power")
            return integral == .int32
                ? zipKernel(xi, yi, Int32.self, shape: shape, to: .int32, Int32.self) { integerPower($0, $1) }
                : zipKernel(xi, yi, Int64.self, shape: shape, to: .int64, Int64.self) { integerPower($0, $1) }
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

    /// The larger of two tensors, elementwise (`keras.ops.maximum`); gradient goes to the first on
    /// ties. A NaN on either side gives NaN, as in NumPy.
    public func maximum(_ other: Tensor) -> Tensor {
        let out = arithmeticKernel(.maximum, self, other, name: "maximum")
        let a = self
        return Tensor.record("maximum", inputs: [a, other], output: out) { g in
            let mask = a.greaterEqual(other).cast(to: g.dtype)
            return [a.isRecorded ? (g * mask).unbroadcast(to: a.shape) : nil,
                    other.isRecorded ? (g * (1 - mask)).unbroadcast(to: other.shape) : nil]
        }
    }

    /// The smaller of two tensors, elementwise (`keras.ops.minimum`); gradient goes to the first on
    /// ties. A NaN on either side gives NaN, as in NumPy.
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

    /// `floor(self / other)` elementwise with broadcasting (`keras.ops.floor_divide`, Python's
    /// `//`); integer and bool inputs give integers. Integer division by zero gives 0, as in
    /// NumPy, and `Int32.min // -1` wraps to `Int32.min`; float division by zero gives ±∞ or NaN.
    /// Its gradient is zero, so it is not recorded.
    ///
    /// ```swift
    /// Tensor([7, -7, 5]).floorDivide(Tensor([2, 2, 0]))   // [3 -4 0]
    /// ```
    public func floorDivide(_ other: Tensor) -> Tensor {
        arithmeticKernel(.floorDivide, self, other, name: "floor_divide")
    }

    /// The remainder of `floorDivide(_:)`, with the sign of `other` (`keras.ops.mod`, Python's
    /// `%`). Integer modulo by zero gives 0, as in NumPy; float modulo by zero gives NaN.
    /// Differentiable: `d/dself = 1`, `d/dother = -floor(self / other)`.
    ///
    /// ```swift
    /// Tensor([7, -7, 5]).mod(Tensor([2, 2, 0]))   // [1 1 0]
    /// ```
    public func mod(_ other: Tensor) -> Tensor {
        let out = arithmeticKernel(.mod, self, other, name: "mod")
        let a = self
        return Tensor.record("mod", inputs: [a, other], output: out) { g in
            [a.isRecorded ? g.unbroadcast(to: a.shape) : nil,
             other.isRecorded ? (-g * a.floorDivide(other)).unbroadcast(to: other.shape) : nil]
        }
    }

    /// ``floorDivide(_:)`` by a number: `x.floorDivide(2)`.
    public func floorDivide(_ other: Double) -> Tensor { floorDivide(Tensor.scalar(other, like: self)) }
    /// ``mod(_:)`` by a number: `x.mod(2)`.
    public func mod(_ other: Double) -> Tensor { mod(Tensor.scalar(other, like: self)) }

    /// Values limited to `[low, high]` (`keras.ops.clip`); gradient passes only inside the range.
    /// NaN stays NaN, as in NumPy.
    public func clip(_ low: Double, _ high: Double) -> Tensor {
        maximum(low).minimum(high)
    }
}

/// `base ** exponent` by repeated squaring, wrapping on overflow; a negative exponent gives
/// `1 / base ** -exponent` truncated toward zero (0 for `base == 0`, as integer division by zero).
@inline(__always)
private func integerPower<T: FixedWidthInteger>(_ base: T, _ exponent: T) -> T {
    if exponent < 0 { return base == 1 ? 1 : (base == -1 ? (exponent & 1 == 0 ? 1 : -1) : 0) }
    var result: T = 1, b = base, e = exponent
    while e > 0 {
        if e & 1 == 1 { result = result &* b }
        b = b &* b
        e >>= 1
    }
    return result
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
/// `keras.ops.floor_divide`.
public func floorDivide(_ x: Tensor, _ y: Tensor) -> Tensor { x.floorDivide(y) }
/// `keras.ops.mod`.
public func mod(_ x: Tensor, _ y: Tensor) -> Tensor { x.mod(y) }
/// `keras.ops.clip`.
public func clip(_ x: Tensor, _ low: Double, _ high: Double) -> Tensor { x.clip(low, high) }
