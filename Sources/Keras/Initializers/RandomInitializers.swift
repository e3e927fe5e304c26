import KerasCore

/// Normal samples with `mean` and `stddev` (`keras.initializers.RandomNormal`).
///
/// ```swift
/// let w = RandomNormal(stddev: 0.02, seed: 1)([64, 32], dtype: .float32)
/// ```
///
/// A `seed` makes every call return the same tensor; without one each call draws from the
/// global source that `setRandomSeed(_:)` resets.
public struct RandomNormal: Initializer {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "RandomNormal"
    /// The `mean` this `RandomNormal` was created with.
    public let mean: Double
    /// The `stddev` this `RandomNormal` was created with.
    public let stddev: Double
    /// The `seed` this `RandomNormal` was created with.
    public let seed: Int?

    /// Creates a `RandomNormal` with Keras's arguments and defaults (the names in Swift case).
    public init(mean: Double = 0, stddev: Double = 0.05, seed: Int? = nil) {
        self.mean = mean
        self.stddev = stddev
        self.seed = seed
    }

    /// A new tensor of `shape` and `dtype` filled by this initializer.
    public func callAsFunction(_ shape: [Int], dtype: DType) -> Tensor {
        .randomNormal(shape, mean: mean, stddev: stddev, dtype: dtype, seed: seed)
    }

    /// The Keras config of this `RandomNormal` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config { ["seed": ConfigValue(seed), "mean": .double(mean), "stddev": .double(stddev)] }
    /// Why this initializer cannot fill a weight of `shape` and `dtype`, or `nil` when it can.
    public func problem(forShape shape: [Int], dtype: DType) -> String? { floatDTypeProblem(Self.className, dtype) }
}

/// Uniform samples in `[minval, maxval)` (`keras.initializers.RandomUniform`).
///
/// ```swift
/// let w = RandomUniform(minval: -0.1, maxval: 0.1, seed: 1)([10, 10], dtype: .float32)
/// ```
public struct RandomUniform: Initializer {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "RandomUniform"
    /// The `minval` this `RandomUniform` was created with.
    public let minval: Double
    /// The `maxval` this `RandomUniform` was created with.
    public let maxval: Double
    /// The `seed` this `RandomUniform` was created with.
    public let seed: Int?

    /// Creates a `RandomUniform` with Keras's arguments and defaults (the names in Swift case).
    public init(minval: Double = -0.05, maxval: Double = 0.05, seed: Int? = nil) {
        self.minval = minval
        self.maxval = maxval
        self.seed = seed
    }

    /// A new tensor of `shape` and `dtype` filled by this initializer.
    public func callAsFunction(_ shape: [Int], dtype: DType) -> Tensor {
        .randomUniform(shape, minval: minval, maxval: maxval, dtype: dtype, seed: seed)
    }

    /// The Keras config of this `RandomUniform` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config { ["seed": ConfigValue(seed), "minval": .double(minval), "maxval": .double(maxval)] }
    /// Why this initializer cannot fill a weight of `shape` and `dtype`, or `nil` when it can.
    public func problem(forShape shape: [Int], dtype: DType) -> String? { floatDTypeProblem(Self.className, dtype) }
}

/// Normal samples redrawn until within two standard deviations of `mean`
/// (`keras.initializers.TruncatedNormal`). The samples' standard deviation is therefore about
/// `0.88·stddev`.
///
/// ```swift
/// let w = TruncatedNormal(stddev: 0.02, seed: 1)([64, 32], dtype: .float32)
/// ```
public struct TruncatedNormal: Initializer {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "TruncatedNormal"
    /// The `mean` this `TruncatedNormal` was created with.
    public let mean: Double
    /// The `stddev` this `TruncatedNormal` was created with.
    public let stddev: Double
    /// The `seed` this `TruncatedNormal` was created with.
    public let seed: Int?

    /// Creates a `TruncatedNormal` with Keras's arguments and defaults (the names in Swift case).
    public init(mean: Double = 0, stddev: Double = 0.05, seed: Int? = nil) {
        self.mean = mean
        self.stddev = stddev
        self.seed = seed
    }

    /// A new tensor of `shape` and `dtype` filled by this initializer.
    public func callAsFunction(_ shape: [Int], dtype: DType) -> Tensor {
        .randomTruncatedNormal(shape, mean: mean, stddev: stddev, dtype: dtype, seed: seed)
    }

    /// The Keras config of this `TruncatedNormal` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config { ["seed": ConfigValue(seed), "mean": .double(mean), "stddev": .double(stddev)] }
    /// Why this initializer cannot fill a weight of `shape` and `dtype`, or `nil` when it can.
    public func problem(forShape shape: [Int], dtype: DType) -> String? { floatDTypeProblem(Self.className, dtype) }
}
