/// Elementwise comparisons (→ bool), logical ops on bool tensors, and `where`.

enum Comparison { case equal, notEqual, less, lessEqual, greater, greaterEqual }

func compareKernel(_ op: Comparison, _ a: Tensor, _ b: Tensor, name: String) -> Tensor {
    var (x, y, dt) = promote(a, b)
    if dt == .bool { (x, y, dt) = (x.cast(to: .int32), y.cast(to: .int32), .int32) }
    let shape = broadcastShape(a.shape, b.shape, op: name)
    @inline(__always) func run<T: ArithmeticScalar>(_: T.Type) -> Tensor {
        switch op {
        case .equal: zipKernel(x, y, T.self, shape: shape, to: .bool, Bool.self) { $0 == $1 }
        case .notEqual: zipKernel(x, y, T.self, shape: shape, to: .bool, Bool.self) { $0 != $1 }
        case .less: zipKernel(x, y, T.self, shape: shape, to: .bool, Bool.self) { $0 < $1 }
        case .lessEqual: zipKernel(x, y, T.self, shape: shape, to: .bool, Bool.self) { $0 <= $1 }
        case .greater: zipKernel(x, y, T.self, shape: shape, to: .bool, Bool.self) { $0 > $1 }
        case .greaterEqual: zipKernel(x, y, T.self, shape: shape, to: .bool, Bool.self) { $0 >= $1 }
        }
    }
    switch dt {
    case .float32: return run(Float.self)
    case .float64: return run(Double.self)
    case .int32: return run(Int32.self)
    default: return run(Int64.self)
    }
}

extension Tensor {
    /// `true` where the elements are equal (`keras.ops.equal`), with broadcasting.
    public func equal(_ other: Tensor) -> Tensor { compareKernel(.equal, self, other, name: "equal") }
    /// `true` where the elements differ (`keras.ops.not_equal`).
    public func notEqual(_ other: Tensor) -> Tensor { compareKernel(.notEqual, self, other, name: "not_equal") }
    /// `true` where `self < other` (`keras.ops.less`).
    public func less(_ other: Tensor) -> Tensor { compareKernel(.less, self, other, name: "less") }
    /// `true` where `self <= other` (`keras.ops.less_equal`).
    public func lessEqual(_ other: Tensor) -> Tensor { compareKernel(.lessEqual, self, other, name: "less_equal") }
    /// `true` where `self > other` (`keras.ops.greater`).
    public func greater(_ other: Tensor) -> Tensor { compareKernel(.greater, self, other, name: "greater") }
    /// `true` where `self >= other` (`keras.ops.greater_equal`).
    public func greaterEqual(_ other: Tensor) -> Tensor { compareKernel(.greaterEqual, self, other, name: "greater_equal") }

    /// `true` where the elements are equal (`keras.ops.equal`), with broadcasting. Against a number.
    public func equal(_ other: Double) -> Tensor { equal(.scalar(other, like: self)) }
    /// `true` where the elements differ (`keras.ops.not_equal`). Against a number.
    public func notEqual(_ other: Double) -> Tensor { notEqual(.scalar(other, like: self)) }
    /// `true` where `self < other` (`keras.ops.less`). Against a number.
    public func less(_ other: Double) -> Tensor { less(.scalar(other, like: self)) }
    /// `true` where `self <= other` (`keras.ops.less_equal`). Against a number.
    public func lessEqual(_ other: Double) -> Tensor { lessEqual(.scalar(other, like: self)) }
    /// `true` where `self > other` (`keras.ops.greater`). Against a number.
    public func greater(_ other: Double) -> Tensor { greater(.scalar(other, like: self)) }
    /// `true` where `self >= other` (`keras.ops.greater_equal`). Against a number.
    public func greaterEqual(_ other: Double) -> Tensor { greaterEqual(.scalar(other, like: self)) }

    /// Elementwise `==` with broadcasting, giving a bool tensor: `x .== 0`.
    public static func .== (a: Tensor, b: Tensor) -> Tensor { a.equal(b) }
    /// Elementwise `!=` with broadcasting, giving a bool tensor: `x .!= 0`.
    public static func .!= (a: Tensor, b: Tensor) -> Tensor { a.notEqual(b) }
    /// Elementwise `<` with broadcasting, giving a bool tensor: `x .< 0`.
    public static func .< (a: Tensor, b: Tensor) -> Tensor { a.less(b) }
    /// Elementwise `<=` with broadcasting, giving a bool tensor: `x .<= 0`.
    public static func .<= (a: Tensor, b: Tensor) -> Tensor { a.lessEqual(b) }
    /// Elementwise `>` with broadcasting, giving a bool tensor: `x .> 0`.
    public static func .> (a: Tensor, b: Tensor) -> Tensor { a.greater(b) }
    /// Elementwise `>=` with broadcasting, giving a bool tensor: `x .>= 0`.
    public static func .>= (a: Tensor, b: Tensor) -> Tensor { a.greaterEqual(b) }
    /// Elementwise `==` with broadcasting, giving a bool tensor: `x .== 0`.
    public static func .== (a: Tensor, b: Double) -> Tensor { a.equal(b) }
    /// Elementwise `!=` with broadcasting, giving a bool tensor: `x .!= 0`.
    public static func .!= (a: Tensor, b: Double) -> Tensor { a.notEqual(b) }
    /// Elementwise `<` with broadcasting, giving a bool tensor: `x .< 0`.
    public static func .< (a: Tensor, b: Double) -> Tensor { a.less(b) }
    /// Elementwise `<=` with broadcasting, giving a bool tensor: `x .<= 0`.
    public static func .<= (a: Tensor, b: Double) -> Tensor { a.lessEqual(b) }
    /// Elementwise `>` with broadcasting, giving a bool tensor: `x .> 0`.
    public static func .> (a: Tensor, b: Double) -> Tensor { a.greater(b) }
    /// Elementwise `>=` with broadcasting, giving a bool tensor: `x .>= 0`.
    public static func .>= (a: Tensor, b: Double) -> Tensor { a.greaterEqual(b) }

    private func logical(_ other: Tensor, name: String, _ f: (Bool, Bool) -> Bool) -> Tensor {
        let shape = broadcastShape(shape, other.shape, op: name)
        return zipKernel(cast(to: .bool), other.cast(to: .bool), Bool.self, shape: shape, to: .bool, Bool.self, f)
    }

    /// Elementwise AND (inputs are read as `x != 0`).
    public func logicalAnd(_ other: Tensor) -> Tensor { logical(other, name: "logical_and") { $0 && $1 } }
    /// Elementwise OR.
    public func logicalOr(_ other: Tensor) -> Tensor { logical(other, name: "logical_or") { $0 || $1 } }
    /// Elementwise XOR.
    public func logicalXor(_ other: Tensor) -> Tensor { logical(other, name: "logical_xor") { $0 != $1 } }
    /// Elementwise NOT.
    public func logicalNot() -> Tensor { mapKernel(cast(to: .bool), Bool.self, to: .bool, Bool.self) { !$0 } }

    /// `true` where an element is NaN.
    public func isNaN() -> Tensor {
        switch dtype {
        case .float32: mapKernel(self, Float.self, to: .bool, Bool.self) { $0.isNaN }
        case .float64: mapKernel(self, Double.self, to: .bool, Bool.self) { $0.isNaN }
        default: Tensor.zeros(shape, dtype: .bool)
        }
    }

    /// `true` where an element is finite.
    public func isFinite() -> Tensor {
        switch dtype {
        case .float32: mapKernel(self, Float.self, to: .bool, Bool.self) { $0.isFinite }
        case .float64: mapKernel(self, Double.self, to: .bool, Bool.self) { $0.isFinite }
        default: Tensor.ones(shape, dtype: .bool)
        }
    }
}

infix operator .&& : LogicalConjunctionPrecedence
infix operator .|| : LogicalDisjunctionPrecedence

extension Tensor {
    /// Elementwise logical AND of two bool tensors (`logicalAnd`): `(x .> 0) .&& (x .< 1)`.
    public static func .&& (a: Tensor, b: Tensor) -> Tensor { a.logicalAnd(b) }
    /// Elementwise logical OR of two bool tensors (`logicalOr`).
    public static func .|| (a: Tensor, b: Tensor) -> Tensor { a.logicalOr(b) }
}

/// Picks from `x` where `condition` is true and from `y` elsewhere, broadcasting all three
/// (`keras.ops.where`). Differentiable in `x` and `y`. `where` is a Swift keyword, so the call
/// is written with backticks.
///
/// ```swift
/// let r = `where`(x .> 0, x, Tensor.zeros(like: x))   // relu
/// ```
public func `where`(_ condition: Tensor, _ x: Tensor, _ y: Tensor) -> Tensor {
    let (a, b, dt) = promote(x, y)
    let shape = broadcastShape(broadcastShape(condition.shape, x.shape, op: "where"), y.shape, op: "where")
    let mask = condition.cast(to: .bool).broadcast(to: shape)
    let xa = a.broadcast(to: shape), yb = b.broadcast(to: shape)
    let out = Tensor(uninitializedShape: shape, dtype: dt)
    let n = out.scalarCount
    func run<T>(_: T.Type) {
        let pm = mask.pointer(Bool.self), px = xa.pointer(T.self), py = yb.pointer(T.self), po = out.pointer(T.self)
        withExtendedLifetime((mask, xa, yb)) {
            for i in 0..<n { po[i] = pm[i] ? px[i] : py[i] }
        }
    }
    switch dt {
    case .float32: run(Float.self)
    case .float64: run(Double.self)
    case .int32: run(Int32.self)
    case .int64: run(Int64.self)
    case .bool: run(Bool.self)
    }
    return Tensor.record("where", inputs: [x, y], output: out) { g in
        let zero = Tensor.zeros([], dtype: g.dtype)
        return [x.isRecorded ? `where`(mask, g, zero).unbroadcast(to: x.shape) : nil,
                y.isRecorded ? `where`(mask, zero, g).unbroadcast(to: y.shape) : nil]
    }
}
