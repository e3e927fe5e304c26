import KerasCore

/// Samples scaled to the layer's fan (`keras.initializers.VarianceScaling`): variance
/// `scale / n` where `n` is fan_in, fan_out or their average; truncated normal (σ divided by
/// 0.87962566103423978, Keras's correction), untruncated normal, or uniform with limit √(3·scale/n).
/// `inputAxes`/`outputAxes` (both or neither) override which dimensions count as fans.
///
/// ```swift
/// let w = VarianceScaling(scale: 2, mode: .fanIn, distribution: .uniform, seed: 1)([784, 128], dtype: .float32)
/// ```
public struct VarianceScaling: Initializer {
    /// Whose size scales the variance: the fan-in, the fan-out or their average (Keras's `mode`).
    public enum Mode: String, Sendable { case fanIn = "fan_in", fanOut = "fan_out", fanAvg = "fan_avg" }
    /// The distribution samples are drawn from (Keras's `distribution`).
    public enum Distribution: String, Sendable {
        /// `"truncated_normal"` (within 2 standard deviations), `"untruncated_normal"` or `"uniform"`.
        case truncatedNormal = "truncated_normal", untruncatedNormal = "untruncated_normal", uniform
    }

    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "VarianceScaling"
    /// The `scale` this `VarianceScaling` was created with.
    public let scale: Double
    /// The `mode` this `VarianceScaling` was created with.
    public let mode: Mode
    /// The `distribution` this `VarianceScaling` was created with.
    public let distribution: Distribution
    /// The `seed` this `VarianceScaling` was created with.
    public let seed: Int?
    /// The `inputAxes` this `VarianceScaling` was created with.
    public let inputAxes: [Int]?
    /// The `outputAxes` this `VarianceScaling` was created with.
    public let outputAxes: [Int]?

    /// Creates a `VarianceScaling` with Keras's arguments and defaults (the names in Swift case).
    public init(scale: Double = 1, mode: Mode = .fanIn, distribution: Distribution = .truncatedNormal, seed: Int? = nil,
                inputAxes: [Int]? = nil, outputAxes: [Int]? = nil) {
        requireValid { try Self.validate(scale: scale) }
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.seed = seed
        self.inputAxes = inputAxes
        self.outputAxes = outputAxes
    }

    /// Keras's argument check: `scale` must be positive.
    static func validate(scale: Double) throws {
        try ensure(scale > 0, "VarianceScaling: Argument `scale` must be positive float. Received: scale=\(scale)")
    }

    /// A new tensor of `shape` and `dtype` filled by this initializer.
    public func callAsFunction(_ shape: [Int], dtype: DType) -> Tensor {
        let (fanIn, fanOut) = computeFans(shape, inputAxes: inputAxes, outputAxes: outputAxes)
        let n: Double
        switch mode {
        case .fanIn: n = Swift.max(1, fanIn)
        case .fanOut: n = Swift.max(1, fanOut)
        case .fanAvg: n = Swift.max(1, (fanIn + fanOut) / 2)
        }
        let variance = scale / n
        switch distribution {
        case .truncatedNormal:
            return .randomTruncatedNormal(shape, stddev: variance.squareRoot() / 0.87962566103423978, dtype: dtype, seed: seed)
        case .untruncatedNormal:
            return .randomNormal(shape, stddev: variance.squareRoot(), dtype: dtype, seed: seed)
        case .uniform:
            let limit = (3 * variance).squareRoot()
            return .randomUniform(shape, minval: -limit, maxval: limit, dtype: dtype, seed: seed)
        }
    }

    /// Fan axes within the shape's rank, and a floating-point dtype.
    public func problem(forShape shape: [Int], dtype: DType) -> String? {
        fanAxesProblem(shape, inputAxes: inputAxes, outputAxes: outputAxes).map { "\(Self.className): \($0)" }
            ?? floatDTypeProblem(Self.className, dtype)
    }

    /// The Keras config of this `VarianceScaling` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config {
        ["seed": ConfigValue(seed), "scale": .double(scale), "mode": .string(mode.rawValue), "distribution": .string(distribution.rawValue),
         "input_axes": axesConfig(inputAxes), "output_axes": axesConfig(outputAxes)]
    }
}

/// `null` or a list of ints.
func axesConfig(_ axes: [Int]?) -> ConfigValue {
    axes.map { .array($0.map(ConfigValue.int)) } ?? .null
}

/// Declares a named fixed-parameter `VarianceScaling` initializer.
private protocol VarianceScalingPreset: Initializer {
    var seed: Int? { get }
    var inputAxes: [Int]? { get }
    var outputAxes: [Int]? { get }
    static var scale: Double { get }
    static var mode: VarianceScaling.Mode { get }
    static var distribution: VarianceScaling.Distribution { get }
}

extension VarianceScalingPreset {
    /// A new tensor of `shape` and `dtype` filled by this initializer.
    public func callAsFunction(_ shape: [Int], dtype: DType) -> Tensor {
        VarianceScaling(scale: Self.scale, mode: Self.mode, distribution: Self.distribution, seed: seed,
                        inputAxes: inputAxes, outputAxes: outputAxes)(shape, dtype: dtype)
    }
    /// The Keras config of this `VarianceScalingPreset` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config {
        ["seed": ConfigValue(seed), "input_axes": axesConfig(inputAxes), "output_axes": axesConfig(outputAxes)]
    }
    /// Why this initializer cannot fill a weight of `shape` and `dtype`, or `nil` when it can.
    public func problem(forShape shape: [Int], dtype: DType) -> String? {
        fanAxesProblem(shape, inputAxes: inputAxes, outputAxes: outputAxes).map { "\(Self.className): \($0)" }
            ?? floatDTypeProblem(Self.className, dtype)
    }
}

/// U(−limit, limit), limit = √(6 / (fan_in + fan_out)). Dense's default kernel initializer.
///
/// ```swift
/// GlorotUniform(seed: 1)([784, 128], dtype: .float32)   // |w| ≤ √(6/912) ≈ 0.0811
/// ```
public struct GlorotUniform: VarianceScalingPreset {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "GlorotUniform"
    static let scale = 1.0, mode = VarianceScaling.Mode.fanAvg, distribution = VarianceScaling.Distribution.uniform
    /// The `seed` this `GlorotUniform` was created with.
    public let seed: Int?
    /// The `inputAxes` this `GlorotUniform` was created with.
    public let inputAxes: [Int]?
    /// The `outputAxes` this `GlorotUniform` was created with.
    public let outputAxes: [Int]?
    /// Creates a `GlorotUniform` with Keras's arguments and defaults (the names in Swift case).
    public init(seed: Int? = nil, inputAxes: [Int]? = nil, outputAxes: [Int]? = nil) {
        self.seed = seed
        self.inputAxes = inputAxes
        self.outputAxes = outputAxes
    }
}

/// Truncated normal, σ = √(2 / (fan_in + fan_out)).
///
/// ```swift
/// GlorotNormal(seed: 1)([784, 128], dtype: .float32)
/// ```
public struct GlorotNormal: VarianceScalingPreset {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "GlorotNormal"
    static let scale = 1.0, mode = VarianceScaling.Mode.fanAvg, distribution = VarianceScaling.Distribution.truncatedNormal
    /// The `seed` this `GlorotNormal` was created with.
    public let seed: Int?
    /// The `inputAxes` this `GlorotNormal` was created with.
    public let inputAxes: [Int]?
    /// The `outputAxes` this `GlorotNormal` was created with.
    public let outputAxes: [Int]?
    /// Creates a `GlorotNormal` with Keras's arguments and defaults (the names in Swift case).
    public init(seed: Int? = nil, inputAxes: [Int]? = nil, outputAxes: [Int]? = nil) {
        self.seed = seed
        self.inputAxes = inputAxes
        self.outputAxes = outputAxes
    }
}

/// U(−limit, limit), limit = √(6 / fan_in).
///
/// ```swift
/// HeUniform(seed: 1)([3, 3, 16, 32], dtype: .float32)   // fan_in = 3·3·16
/// ```
public struct HeUniform: VarianceScalingPreset {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "HeUniform"
    static let scale = 2.0, mode = VarianceScaling.Mode.fanIn, distribution = VarianceScaling.Distribution.uniform
    /// The `seed` this `HeUniform` was created with.
    public let seed: Int?
    /// The `inputAxes` this `HeUniform` was created with.
    public let inputAxes: [Int]?
    /// The `outputAxes` this `HeUniform` was created with.
    public let outputAxes: [Int]?
    /// Creates a `HeUniform` with Keras's arguments and defaults (the names in Swift case).
    public init(seed: Int? = nil, inputAxes: [Int]? = nil, outputAxes: [Int]? = nil) {
        self.seed = seed
        self.inputAxes = inputAxes
        self.outputAxes = outputAxes
    }
}

/// Truncated normal, σ = √(2 / fan_in).
///
/// ```swift
/// HeNormal(seed: 1)([784, 128], dtype: .float32)
/// ```
public struct HeNormal: VarianceScalingPreset {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "HeNormal"
    static let scale = 2.0, mode = VarianceScaling.Mode.fanIn, distribution = VarianceScaling.Distribution.truncatedNormal
    /// The `seed` this `HeNormal` was created with.
    public let seed: Int?
    /// The `inputAxes` this `HeNormal` was created with.
    public let inputAxes: [Int]?
    /// The `outputAxes` this `HeNormal` was created with.
    public let outputAxes: [Int]?
    /// Creates a `HeNormal` with Keras's arguments and defaults (the names in Swift case).
    public init(seed: Int? = nil, inputAxes: [Int]? = nil, outputAxes: [Int]? = nil) {
        self.seed = seed
        self.inputAxes = inputAxes
        self.outputAxes = outputAxes
    }
}

/// U(−limit, limit), limit = √(3 / fan_in).
///
/// ```swift
/// LecunUniform(seed: 1)([784, 128], dtype: .float32)
/// ```
public struct LecunUniform: VarianceScalingPreset {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "LecunUniform"
    static let scale = 1.0, mode = VarianceScaling.Mode.fanIn, distribution = VarianceScaling.Distribution.uniform
    /// The `seed` this `LecunUniform` was created with.
    public let seed: Int?
    /// The `inputAxes` this `LecunUniform` was created with.
    public let inputAxes: [Int]?
    /// The `outputAxes` this `LecunUniform` was created with.
    public let outputAxes: [Int]?
    /// Creates a `LecunUniform` with Keras's arguments and defaults (the names in Swift case).
    public init(seed: Int? = nil, inputAxes: [Int]? = nil, outputAxes: [Int]? = nil) {
        self.seed = seed
        self.inputAxes = inputAxes
        self.outputAxes = outputAxes
    }
}

/// Truncated normal, σ = √(1 / fan_in).
///
/// ```swift
/// LecunNormal(seed: 1)([784, 128], dtype: .float32)
/// ```
public struct LecunNormal: VarianceScalingPreset {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "LecunNormal"
    static let scale = 1.0, mode = VarianceScaling.Mode.fanIn, distribution = VarianceScaling.Distribution.truncatedNormal
    /// The `seed` this `LecunNormal` was created with.
    public let seed: Int?
    /// The `inputAxes` this `LecunNormal` was created with.
    public let inputAxes: [Int]?
    /// The `outputAxes` this `LecunNormal` was created with.
    public let outputAxes: [Int]?
    /// Creates a `LecunNormal` with Keras's arguments and defaults (the names in Swift case).
    public init(seed: Int? = nil, inputAxes: [Int]? = nil, outputAxes: [Int]? = nil) {
        self.seed = seed
        self.inputAxes = inputAxes
        self.outputAxes = outputAxes
    }
}
