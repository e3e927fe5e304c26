/// The element type of a ``Tensor``, chosen at run time as in Keras.
///
/// ```swift
/// let labels = Tensor([1, 0, 2], dtype: .int32)
/// labels.dtype            // .int32
/// labels.cast(to: .float32)
/// ```
public enum DType: String, Sendable, CaseIterable, CustomStringConvertible {
    /// 32-bit floating point (the default).
    case float32
    /// 64-bit floating point.
    case float64
    /// 32-bit signed integer.
    case int32
    /// 64-bit signed integer.
    case int64
    /// Boolean, stored as 0 and 1.
    case bool

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float32, .int32: 4
        case .float64, .int64: 8
        case .bool: 1
        }
    }

    /// `true` for float32 and float64: the dtypes gradients flow through.
    public var isFloatingPoint: Bool { self == .float32 || self == .float64 }

    /// `true` for int32 and int64.
    public var isInteger: Bool { self == .int32 || self == .int64 }

    /// A readable description, as `print` shows it.
    public var description: String { rawValue }

    /// The dtype named by a Keras config string (`"float32"`, `"int64"`, …).
    public init?(name: String) { self.init(rawValue: name) }
}

/// Scalars a ``Tensor`` can hold; maps a Swift type to its ``DType``.
public protocol TensorScalar: Sendable, Equatable {
    /// The dtype of tensors holding this scalar type.
    static var dtype: DType { get }
}

extension Float: TensorScalar { public static var dtype: DType { .float32 } }
extension Double: TensorScalar { public static var dtype: DType { .float64 } }
extension Int32: TensorScalar { public static var dtype: DType { .int32 } }
extension Int64: TensorScalar { public static var dtype: DType { .int64 } }
extension Bool: TensorScalar { public static var dtype: DType { .bool } }
