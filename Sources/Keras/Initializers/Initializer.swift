import KerasCore

/// Creates a layer's starting weights (`keras.initializers`).
///
/// ```swift
/// let w = GlorotUniform(seed: 1)([784, 128], dtype: .float32)
/// ```
public protocol Initializer: Sendable {
    /// Keras's class name (`"GlorotUniform"`), used in configs and `.keras` files.
    static var className: String { get }
    /// A fresh tensor of `shape`.
    func callAsFunction(_ shape: [Int], dtype: DType) -> Tensor
    /// Keras's config dictionary.
    func getConfig() -> Config
    /// Why this initializer cannot fill a tensor of `shape` and `dtype` (Identity on a 3-D
    /// kernel, fan axes out of range), or `nil` when it can. ``Layer/addWeight(name:shape:initializer:regularizer:constraint:trainable:dtype:)``
    /// asks before creating a weight, so a layer built from a config throws instead of stopping.
    /// The default accepts every shape.
    ///
    /// ```swift
    /// IdentityInitializer().problem(forShape: [3, 3, 8], dtype: .float32)   // "Identity matrix initializer can only be used for 2D matrices…"
    /// ```
    func problem(forShape shape: [Int], dtype: DType) -> String?
}

extension Initializer {
    /// Why this initializer cannot fill a weight of `shape` and `dtype`, or `nil` when it can.
    public func problem(forShape shape: [Int], dtype: DType) -> String? { nil }
}

extension Initializer {
    /// `{"module": "keras.initializers", "class_name": …, "config": …, "registered_name": null}`.
    public func serialize() -> ConfigValue {
        .serialized(module: "keras.initializers", className: Self.className, config: getConfig())
    }
}

/// `(fan_in, fan_out)` as Keras computes them: dense kernels (in, out); convolution kernels
/// (…spatial, in, out) multiply both by the receptive field size. When both `inputAxes` and
/// `outputAxes` are given (negative axes count from the end), the fans are the products of those
/// dimensions instead.
///
/// ```swift
/// computeFans([3, 3, 16, 32])                                  // (144, 288)
/// computeFans([8, 4, 16], inputAxes: [0], outputAxes: [1, 2])   // (8, 64)
/// ```
public func computeFans(_ shape: [Int], inputAxes: [Int]? = nil, outputAxes: [Int]? = nil) -> (fanIn: Double, fanOut: Double) {
    if let problem = fanAxesProblem(shape, inputAxes: inputAxes, outputAxes: outputAxes) { fatalError("computeFans: \(problem)") }
    if let inputAxes, let outputAxes {
        func product(_ axes: [Int]) -> Double {
            axes.reduce(1.0) { acc, axis in
                acc * Double(shape[axis < 0 ? axis + shape.count : axis])
            }
        }
        return (product(inputAxes), product(outputAxes))
    }
    switch shape.count {
    case 0: return (1, 1)
    case 1: return (Double(shape[0]), Double(shape[0]))
    case 2: return (Double(shape[0]), Double(shape[1]))
    default:
        let receptive = Double(shape.dropLast(2).reduce(1, *))
        return (Double(shape[shape.count - 2]) * receptive, Double(shape[shape.count - 1]) * receptive)
    }
}

/// Why `inputAxes`/`outputAxes` cannot select fans of `shape` (an axis out of range), or `nil`.
func fanAxesProblem(_ shape: [Int], inputAxes: [Int]?, outputAxes: [Int]?) -> String? {
    guard let inputAxes, let outputAxes else { return nil }
    for (label, axes) in [("input_axes", inputAxes), ("output_axes", outputAxes)] {
        if let bad = axes.first(where: { $0 < -shape.count || $0 >= shape.count }) {
            return "\(label) \(axes) names axis \(bad), out of range for a weight of rank \(shape.count) (shape \(formatShape(shape)))"
        }
    }
    return nil
}

/// Why a random initializer cannot fill a tensor of `dtype` (it draws floating-point samples).
func floatDTypeProblem(_ className: String, _ dtype: DType) -> String? {
    dtype.isFloatingPoint ? nil : "\(className) draws floating-point samples; it cannot initialize a weight of dtype \(dtype.rawValue)"
}

/// All zeros (`keras.initializers.Zeros`), Dense's default bias initializer.
///
/// ```swift
/// Zeros()([3], dtype: .float32)   // [0, 0, 0]
/// ```
public struct Zeros: Initializer {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "Zeros"
    /// Creates a `Zeros` with Keras's arguments and defaults (the names in Swift case).
    public init() {}
    /// A new tensor of `shape` and `dtype` filled by this initializer.
    public func callAsFunction(_ shape: [Int], dtype: DType) -> Tensor { .zeros(shape, dtype: dtype) }
    /// The Keras config of this `Zeros` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config { [:] }
}

/// All ones (`keras.initializers.Ones`).
///
/// ```swift
/// Ones()([2, 2], dtype: .float32)
/// ```
public struct Ones: Initializer {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "Ones"
    /// Creates an `Ones` with Keras's arguments and defaults (the names in Swift case).
    public init() {}
    /// A new tensor of `shape` and `dtype` filled by this initializer.
    public func callAsFunction(_ shape: [Int], dtype: DType) -> Tensor { .ones(shape, dtype: dtype) }
    /// The Keras config of this `Ones` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config { [:] }
}

/// Every element `value` (`keras.initializers.Constant`).
///
/// ```swift
/// Constant(0.1)([4], dtype: .float32)   // [0.1, 0.1, 0.1, 0.1]
/// ```
public struct Constant: Initializer {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "Constant"
    /// The `value` this `Constant` was created with.
    public let value: Double
    /// Creates a `Constant` with Keras's arguments and defaults (the names in Swift case).
    public init(_ value: Double = 0) { self.value = value }
    /// A new tensor of `shape` and `dtype` filled by this initializer.
    public func callAsFunction(_ shape: [Int], dtype: DType) -> Tensor { .full(shape, value, dtype: dtype) }
    /// The Keras config of this `Constant` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config { ["value": .double(value)] }
}
