import Glibc

/// An n-dimensional array with a runtime ``DType``, NumPy broadcasting and automatic
/// differentiation: the value every layer, loss and optimizer works on.
///
/// `Tensor` is a value type over immutable, shared storage; every op returns a new tensor.
///
/// ```swift
/// let x = Tensor([[1, 2], [3, 4]], dtype: .float32)
/// let y = (x * 2 + 1).sum(axes: [1])
/// print(y)   // Tensor([ 7. 15.], shape=(2,), dtype=float32)
/// ```
public struct Tensor: Sendable {
    /// `var` only so that an owner can check it holds the sole reference (``Variable``'s in-place
    /// update); a tensor's storage is never replaced.
    @usableFromInline var storage: TensorStorage
    /// Where this tensor's elements start inside ``storage`` (non-zero for leading-axis views).
    @usableFromInline let byteOffset: Int
    /// The size of each dimension.
    public let shape: [Int]
    /// The element type.
    public let dtype: DType
    /// The node that records how this tensor was computed, when it is being differentiated.
    @usableFromInline var node: GradNode?

    @usableFromInline
    init(storage: TensorStorage, byteOffset: Int = 0, shape: [Int], dtype: DType, node: GradNode? = nil) {
        self.storage = storage
        self.byteOffset = byteOffset
        self.shape = shape
        self.dtype = dtype
        self.node = node
    }

    /// An uninitialized tensor for a kernel to fill; stops with a message naming `op` when
    /// `shape` has a negative dimension or too many elements.
    @usableFromInline
    init(uninitializedShape shape: [Int], dtype: DType, op: String = "Tensor") {
        let count = Tensor.checkedElementCount(of: shape, dtype: dtype, op: op)
        self.init(storage: TensorStorage(byteCount: count * dtype.byteSize), shape: shape, dtype: dtype)
    }

    /// The number of elements of a tensor of `shape`, after checking that every dimension is
    /// non-negative and that the element count and byte count (for `dtype`) fit in an `Int`.
    ///
    /// Code that receives shapes from outside (file headers, configs, requests) calls it before
    /// creating a tensor: tensor initializers and ops stop the program on such shapes instead.
    ///
    /// ```swift
    /// try Tensor.elementCount(of: [2, 3])            // 6
    /// try Tensor.elementCount(of: [1 << 62, 8])      // throws KerasError.invalidArgument
    /// ```
    public static func elementCount(of shape: [Int], dtype: DType = .float32) throws -> Int {
        var count = 1
        for d in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            if _slowPath(d < 0) {
                throw KerasError.invalidArgument("shape \(formatShape(shape)) has a negative dimension (\(d))")
            }
            if _slowPath(overflow) {
                throw KerasError.invalidArgument("shape \(formatShape(shape)) has more elements than an Int can count")
            }
            count = product
        }
        if count.multipliedReportingOverflow(by: dtype.byteSize).overflow {
            throw KerasError.invalidArgument("shape \(formatShape(shape)) of \(dtype) needs more bytes than an Int can count")
        }
        return count
    }

    /// ``elementCount(of:dtype:)``, after also checking that a tensor of `shape` would fit in
    /// this machine's physical memory: a tensor larger than that can never be allocated, and
    /// asking for one stops the process. Layers check the weights they create and, when called
    /// through a checked entry point, the outputs they will produce.
    ///
    /// ```swift
    /// try Tensor.checkFitsInMemory([1 << 20, 1 << 20, 1 << 20])   // throws KerasError.invalidArgument
    /// ```
    public static func checkFitsInMemory(_ shape: [Int], dtype: DType = .float32) throws {
        let count = try elementCount(of: shape, dtype: dtype)
        let bytes = UInt64(count) * UInt64(dtype.byteSize), memory = physicalMemoryBytes
        if _slowPath(bytes > memory) {
            throw KerasError.invalidArgument("shape \(formatShape(shape)) of \(dtype) needs \(bytes) bytes, more than this machine's \(memory) bytes of memory")
        }
    }

    /// This machine's physical memory in bytes.
    static let physicalMemoryBytes = UInt64(Swift.max(0, sysconf(Int32(_SC_PHYS_PAGES)))) * UInt64(Swift.max(0, sysconf(Int32(_SC_PAGESIZE))))

    /// ``elementCount(of:dtype:)`` for shapes that code chose: stops with the message, prefixed
    /// by `op`, instead of throwing.
    static func checkedElementCount(of shape: [Int], dtype: DType, op: String) -> Int {
        do { return try elementCount(of: shape, dtype: dtype) } catch { fatalError("\(op): \(error)") }
    }

    /// Number of dimensions.
    public var rank: Int { shape.count }

    /// Number of elements (the product of ``shape``).
    public var scalarCount: Int { shape.reduce(1, *) }

    /// `true` when this tensor is being tracked for differentiation.
    public var isRecorded: Bool { node != nil }

    /// The first byte of this tensor's elements.
    @inlinable
    var rawBytes: UnsafeMutableRawPointer { storage.bytes + byteOffset }

    @inlinable
    func pointer<T>(_ type: T.Type) -> UnsafeMutablePointer<T> {
        (storage.bytes + byteOffset).assumingMemoryBound(to: T.self)
    }
}

// MARK: - Creation from Swift values

extension Tensor {
    /// A tensor holding `scalars` in row-major order with the given `shape`.
    ///
    /// ```swift
    /// let t = Tensor(shape: [2, 3], scalars: [Float](repeating: 1, count: 6))
    /// ```
    public init<T: TensorScalar>(shape: [Int], scalars: [T]) {
        let count = Tensor.checkedElementCount(of: shape, dtype: T.dtype, op: "Tensor")
        require(count == scalars.count,
                "Tensor: shape \(shape) needs \(count) scalars, got \(scalars.count)")
        self.init(uninitializedShape: shape, dtype: T.dtype)
        let p = pointer(T.self)
        scalars.withUnsafeBufferPointer { src in
            for i in 0..<count { p[i] = src[i] }
        }
    }

    /// A rank-0 tensor. Disfavored so that `Tensor(2.5)` takes the literal initializer below
    /// (float32, like a Python float in Keras) rather than becoming float64.
    @_disfavoredOverload
    public init<T: TensorScalar>(_ scalar: T) {
        self.init(shape: [], scalars: [scalar])
    }

    /// A tensor from a Swift number or (nested) array, like `keras.ops.convert_to_tensor`.
    ///
    /// Integer literals give int32 and floating-point literals give float32 (Keras's `floatx`),
    /// unless `dtype` says otherwise. Nested arrays must be rectangular. Values outside an integer
    /// dtype's range saturate, as in ``cast(to:)``.
    ///
    /// ```swift
    /// Tensor([[1, 2], [3, 4]])                    // int32, shape (2, 2)
    /// Tensor([0.5, 1.5])                          // float32, shape (2,)
    /// Tensor([[1, 2]], dtype: .float64)
    /// ```
    public init<A: TensorLiteralConvertible>(_ value: A, dtype: DType? = nil) {
        var values: [Double] = []
        value._appendScalars(to: &values)
        self.init(shape: value._literalShape, doubles: values, dtype: dtype ?? A._defaultDType)
    }

    /// A tensor from doubles converted to `dtype`; conversion to an integer dtype saturates as
    /// ``cast(to:)`` does (`3e9` becomes `Int32.max`, NaN becomes 0).
    ///
    /// ```swift
    /// Tensor(shape: [2], doubles: [1.5, 3e9], dtype: .int32)   // [1 2147483647]
    /// ```
    public init(shape: [Int], doubles: [Double], dtype: DType) {
        let count = Tensor.checkedElementCount(of: shape, dtype: dtype, op: "Tensor")
        require(count == doubles.count,
                "Tensor: shape \(shape) needs \(count) scalars, got \(doubles.count)")
        self.init(uninitializedShape: shape, dtype: dtype)
        doubles.withUnsafeBufferPointer { src in
            switch dtype {
            case .float32: let p = pointer(Float.self); for i in 0..<count { p[i] = Float(src[i]) }
            case .float64: let p = pointer(Double.self); for i in 0..<count { p[i] = src[i] }
            case .int32: let p = pointer(Int32.self); for i in 0..<count { p[i] = Int32(saturating: src[i]) }
            case .int64: let p = pointer(Int64.self); for i in 0..<count { p[i] = Int64(saturating: src[i]) }
            case .bool: let p = pointer(Bool.self); for i in 0..<count { p[i] = src[i] != 0 }
            }
        }
    }
}

// MARK: - Reading values out

extension Tensor {
    /// All elements in row-major order, converted to `Float`.
    public var scalars: [Float] { toArray(of: Float.self) }

    /// All elements in row-major order, converted to `T` (bool converts to 0/1 and back).
    ///
    /// ```swift
    /// Tensor([1.5, 2.5]).toArray(of: Double.self)   // [1.5, 2.5]
    /// ```
    public func toArray<T: TensorScalar>(of type: T.Type) -> [T] {
        let t = dtype == T.dtype ? self : cast(to: T.dtype)
        return withExtendedLifetime(t) {
            Array(UnsafeBufferPointer(start: t.pointer(T.self), count: t.scalarCount))
        }
    }

    /// All elements converted to `Double`; the widest view, used by tests and printing.
    public var doubles: [Double] { toArray(of: Double.self) }

    /// The single element of a one-element tensor, as `Float`.
    public var item: Float {
        require(scalarCount == 1, "item: tensor has \(scalarCount) elements, shape \(shape); expected exactly 1")
        return scalars[0]
    }

    /// The single element of a one-element tensor, converted to `T` (float → integer saturates,
    /// as in ``cast(to:)``).
    ///
    /// ```swift
    /// Tensor([[7]]).item(as: Int32.self)       // 7
    /// Tensor(3e9).item(as: Int32.self)         // 2147483647
    /// ```
    public func item<T: TensorScalar>(as type: T.Type) -> T {
        require(scalarCount == 1, "item: tensor has \(scalarCount) elements, shape \(shape); expected exactly 1")
        return toArray(of: T.self)[0]
    }

    /// Element `i` (row-major flat index) as Double. Internal helper for small reads.
    func doubleAt(_ i: Int) -> Double {
        withExtendedLifetime(self) {
            switch dtype {
            case .float32: Double(pointer(Float.self)[i])
            case .float64: pointer(Double.self)[i]
            case .int32: Double(pointer(Int32.self)[i])
            case .int64: Double(pointer(Int64.self)[i])
            case .bool: pointer(Bool.self)[i] ? 1 : 0
            }
        }
    }
}

// MARK: - Nested Swift literals

/// Swift values that convert to a tensor: numbers, `Bool`, and rectangular nested arrays of them.
public protocol TensorLiteralConvertible {
    /// The dtype used when the caller does not name one.
    static var _defaultDType: DType { get }
    /// The shape of the value (`[]` for a number).
    var _literalShape: [Int] { get }
    /// Appends the scalars in row-major order.
    func _appendScalars(to values: inout [Double])
}

extension Float: TensorLiteralConvertible {
    /// The dtype a literal of this type makes (`TensorLiteralConvertible`).
    public static var _defaultDType: DType { .float32 }
    /// The shape of this literal (`TensorLiteralConvertible`).
    public var _literalShape: [Int] { [] }
    /// Appends this literal's values in row-major order (`TensorLiteralConvertible`).
    public func _appendScalars(to values: inout [Double]) { values.append(Double(self)) }
}

extension Double: TensorLiteralConvertible {
    /// The dtype a literal of this type makes (`TensorLiteralConvertible`).
    public static var _defaultDType: DType { .float32 }
    /// The shape of this literal (`TensorLiteralConvertible`).
    public var _literalShape: [Int] { [] }
    /// Appends this literal's values in row-major order (`TensorLiteralConvertible`).
    public func _appendScalars(to values: inout [Double]) { values.append(self) }
}

extension Int: TensorLiteralConvertible {
    /// The dtype a literal of this type makes (`TensorLiteralConvertible`).
    public static var _defaultDType: DType { .int32 }
    /// The shape of this literal (`TensorLiteralConvertible`).
    public var _literalShape: [Int] { [] }
    /// Appends this literal's values in row-major order (`TensorLiteralConvertible`).
    public func _appendScalars(to values: inout [Double]) { values.append(Double(self)) }
}

extension Int32: TensorLiteralConvertible {
    /// The dtype a literal of this type makes (`TensorLiteralConvertible`).
    public static var _defaultDType: DType { .int32 }
    /// The shape of this literal (`TensorLiteralConvertible`).
    public var _literalShape: [Int] { [] }
    /// Appends this literal's values in row-major order (`TensorLiteralConvertible`).
    public func _appendScalars(to values: inout [Double]) { values.append(Double(self)) }
}

extension Int64: TensorLiteralConvertible {
    /// The dtype a literal of this type makes (`TensorLiteralConvertible`).
    public static var _defaultDType: DType { .int64 }
    /// The shape of this literal (`TensorLiteralConvertible`).
    public var _literalShape: [Int] { [] }
    /// Appends this literal's values in row-major order (`TensorLiteralConvertible`).
    public func _appendScalars(to values: inout [Double]) { values.append(Double(self)) }
}

extension Bool: TensorLiteralConvertible {
    /// The dtype a literal of this type makes (`TensorLiteralConvertible`).
    public static var _defaultDType: DType { .bool }
    /// The shape of this literal (`TensorLiteralConvertible`).
    public var _literalShape: [Int] { [] }
    /// Appends this literal's values in row-major order (`TensorLiteralConvertible`).
    public func _appendScalars(to values: inout [Double]) { values.append(self ? 1 : 0) }
}

extension Array: TensorLiteralConvertible where Element: TensorLiteralConvertible {
    /// The dtype a literal of this type makes (`TensorLiteralConvertible`).
    public static var _defaultDType: DType { Element._defaultDType }
    /// The shape of this literal (`TensorLiteralConvertible`).
    public var _literalShape: [Int] {
        guard let first else { return [0] }
        let inner = first._literalShape
        for (i, e) in enumerated() where e._literalShape != inner {
            fatalError("Tensor: ragged nested array: element \(i) has shape \(e._literalShape), element 0 has \(inner)")
        }
        return [count] + inner
    }
    /// Appends this literal's values in row-major order (`TensorLiteralConvertible`).
    public func _appendScalars(to values: inout [Double]) {
        for e in self { e._appendScalars(to: &values) }
    }
}
