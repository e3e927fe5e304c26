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
        Self.problem(Self.className, shape: shape, dtype: dtype, inputAxes: inputAxes, outputAxes: outputAxes)
    }

    /// Fan axes out of range for `shape`, or a dtype that is not floating-point, named after `className`.
    static func problem(_ className: String, shape: [Int], dtype: DType, inputAxes: [Int]?, outputAxes: [Int]?) -> String? {
        fanAxesProblem(shape, inputAxes: inputAxes, outputAxes: outputAxes).map { "\(className): \($0)" }
            ?? floatDTypeProblem(className, dtype)
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

/// The fixed `scale`, `mode` and `distribution` of a named ``VarianceScaling`` preset, and its
/// Keras class name; ``VarianceScalingPreset`` supplies the rest.
///
/// ```swift
/// GlorotUniformPreset.scale   // 1.0
/// ```
public protocol VarianceScalingPresetKind: Sendable {
    /// The Keras class name (`"GlorotUniform"`).
    static var className: String { get }
    /// The fixed `scale`.
    static var scale: Double { get }
    /// The fixed `mode`.
    static var mode: VarianceScaling.Mode { get }
    /// The fixed `distribution`.
    static var distribution: VarianceScaling.Distribution { get }
}

/// A ``VarianceScaling`` with the scale, mode and distribution fixed by `Kind`, serialized under
/// the preset's own class name with only `seed`, `input_axes` and `output_axes` in its config, as
/// Keras's `GlorotUniform`, `HeNormal`, … are. Use it through the named aliases.
///
/// ```swift
/// let w = HeNormal(seed: 1)([3, 3, 16, 32], dtype: .float32)   // VarianceScalingPreset<HeNormalPreset>
/// ```
public struct VarianceScalingPreset<Kind: VarianceScalingPresetKind>: Initializer {
    /// The Keras class name, the `class_name` of its serialized config.
    public static var className: String { Kind.className }
    /// The `seed` this initializer was created with.
    public let seed: Int?
    /// The `inputAxes` this initializer was created with.
    public let inputAxes: [Int]?
    /// The `outputAxes` this initializer was created with.
    public let outputAxes: [Int]?

    /// Creates the preset with Keras's arguments and defaults (the names in Swift case).
    public init(seed: Int? = nil, inputAxes: [Int]? = nil, outputAxes: [Int]? = nil) {
        self.seed = seed
        self.inputAxes = inputAxes
        self.outputAxes = outputAxes
    }

    /// The equivalent general ``VarianceScaling``.
    public var varianceScaling: VarianceScaling {
        VarianceScaling(scale: Kind.scale, mode: Kind.mode, distribution: Kind.distribution, seed: seed,
                        inputAxes: inputAxes, outputAxes: outputAxes)
    }

    /// A new tensor of `shape` and `dtype` filled by this initializer.
    public func callAsFunction(_ shape: [Int], dtype: DType) -> Tensor { varianceScaling(shape, dtype: dtype) }

    /// The Keras config (Keras's `get_config()`): `seed`, `input_axes` and `output_axes`.
    public func getConfig() -> Config {
        ["seed": ConfigValue(seed), "input_axes": axesConfig(inputAxes), "output_axes": axesConfig(outputAxes)]
    }

    /// Why this initializer cannot fill a weight of `shape` and `dtype`, or `nil` when it can.
    public func problem(forShape shape: [Int], dtype: DType) -> String? {
        VarianceScaling.problem(Self.className, shape: shape, dtype: dtype, inputAxes: inputAxes, outputAxes: outputAxes)
    }
}

/// U(−limit, limit), limit = √(6 / (fan_in + fan_out)). Dense's default kernel initializer.
///
/// ```swift
/// GlorotUniform(seed: 1)([784, 128], dtype: .float32)   // |w| ≤ √(6/912) ≈ 0.0811
/// ```
public typealias GlorotUniform = VarianceScalingPreset<GlorotUniformPreset>

/// The parameters of ``GlorotUniform``.
public enum GlorotUniformPreset: VarianceScalingPresetKind {
    /// The Keras class name.
    public static let className = "GlorotUniform"
    /// The fixed `scale`, `mode` and `distribution`.
    public static let scale = 1.0, mode = VarianceScaling.Mode.fanAvg, distribution = VarianceScaling.Distribution.uniform
}

/// Truncated normal, σ = √(2 / (fan_in + fan_out)).
///
/// ```swift
/// GlorotNormal(seed: 1)([784, 128], dtype: .float32)
/// ```
public typealias GlorotNormal = VarianceScalingPreset<GlorotNormalPreset>

/// The parameters of ``GlorotNormal``.
public enum GlorotNormalPreset: VarianceScalingPresetKind {
    /// The Keras class name.
    public static let className = "GlorotNormal"
    /// The fixed `scale`, `mode` and `distribution`.
    public static let scale = 1.0, mode = VarianceScaling.Mode.fanAvg, distribution = VarianceScaling.Distribution.truncatedNormal
}

/// U(−limit, limit), limit = √(6 / fan_in).
///
/// ```swift
/// HeUniform(seed: 1)([3, 3, 16, 32], dtype: .float32)   // fan_in = 3·3·16
/// ```
public typealias HeUniform = VarianceScalingPreset<HeUniformPreset>

/// The parameters of ``HeUniform``.
public enum HeUniformPreset: VarianceScalingPresetKind {
    /// The Keras class name.
    public static let className = "HeUniform"
    /// The fixed `scale`, `mode` and `distribution`.
    public static let scale = 2.0, mode = VarianceScaling.Mode.fanIn, distribution = VarianceScaling.Distribution.uniform
}

/// Truncated normal, σ = √(2 / fan_in).
///
/// ```swift
/// HeNormal(seed: 1)([784, 128], dtype: .float32)
/// ```
public typealias HeNormal = VarianceScalingPreset<HeNormalPreset>

/// The parameters of ``HeNormal``.
public enum HeNormalPreset: VarianceScalingPresetKind {
    /// The Keras class name.
    public static let className = "HeNormal"
    /// The fixed `scale`, `mode` and `distribution`.
    public static let scale = 2.0, mode = VarianceScaling.Mode.fanIn, distribution = VarianceScaling.Distribution.truncatedNormal
}

/// U(−limit, limit), limit = √(3 / fan_in).
///
/// ```swift
/// LecunUniform(seed: 1)([784, 128], dtype: .float32)
/// ```
public typealias LecunUniform = VarianceScalingPreset<LecunUniformPreset>

/// The parameters of ``LecunUniform``.
public enum LecunUniformPreset: VarianceScalingPresetKind {
    /// The Keras class name.
    public static let className = "LecunUniform"
    /// The fixed `scale`, `mode` and `distribution`.
    public static let scale = 1.0, mode = VarianceScaling.Mode.fanIn, distribution = VarianceScaling.Distribution.uniform
}

/// Truncated normal, σ = √(1 / fan_in).
///
/// ```swift
/// LecunNormal(seed: 1)([784, 128], dtype: .float32)
/// ```
public typealias LecunNormal = VarianceScalingPreset<LecunNormalPreset>

/// The parameters of ``LecunNormal``.
public enum LecunNormalPreset: VarianceScalingPresetKind {
    /// The Keras class name.
    public static let className = "LecunNormal"
    /// The fixed `scale`, `mode` and `distribution`.
    public static let scale = 1.0, mode = VarianceScaling.Mode.fanIn, distribution = VarianceScaling.Distribution.truncatedNormal
}
