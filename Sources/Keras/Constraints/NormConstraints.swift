import KerasCore

/// Keras's `backend.epsilon()`, added to norms before dividing.
private let normEpsilon = 1e-7

/// `sqrt(Σ w²)` over `axes`, kept as size-1 dimensions.
private func norms(_ w: Tensor, axes: [Int]) -> Tensor {
    w.square().sum(axes: axes, keepDims: true).sqrt()
}

/// Why norms over `axes` cannot be taken for a weight of `shape`: an axis outside
/// `-rank..<rank`, or one named twice.
private func normAxesProblem(_ className: String, _ axes: [Int], _ shape: [Int]) -> String? {
    let rank = shape.count
    if let bad = axes.first(where: { $0 < -rank || $0 >= rank }) {
        return "\(className): axis \(bad) is out of range for a weight of rank \(rank) (shape \(formatShape(shape))); expected an axis in \(-rank)...\(rank - 1)"
    }
    let normalized = axes.map { $0 < 0 ? $0 + rank : $0 }
    if Set(normalized).count != normalized.count {
        return "\(className): axis \(axes) names the same axis twice for a weight of rank \(rank)"
    }
    return nil
}

/// The `axis` config entry: an int, or a list when the constraint was made with several axes.
private func axisConfig(_ axes: [Int], isList: Bool) -> ConfigValue {
    isList ? .array(axes.map(ConfigValue.int)) : .int(axes[0])
}

/// Rescales each slice along `axes` to norm at most `maxValue` (`keras.constraints.MaxNorm`):
/// `w · clip(n, 0, maxValue) / (1e-7 + n)` with `n = ‖w‖` over `axes`.
///
/// ```swift
/// let dense = Dense(64, kernelConstraint: MaxNorm(maxValue: 3))        // each unit's incoming weights
/// let conv = MaxNorm(maxValue: 2, axes: [0, 1, 2])                      // each Conv2D filter
/// ```
public struct MaxNorm: Constraint {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "MaxNorm"
    /// The `maxValue` this `MaxNorm` was created with.
    public let maxValue: Double
    /// The `axes` this `MaxNorm` was created with.
    public let axes: [Int]
    private let axisIsList: Bool

    /// Creates a `MaxNorm` with Keras's arguments and defaults (the names in Swift case).
    public init(maxValue: Double = 2, axis: Int = 0) {
        self.maxValue = maxValue
        self.axes = [axis]
        self.axisIsList = false
    }

    /// Creates a `MaxNorm` with Keras's arguments and defaults (the names in Swift case).
    public init(maxValue: Double = 2, axes: [Int]) {
        self.maxValue = maxValue
        self.axes = axes
        self.axisIsList = true
    }

    /// `weight` projected back onto the constraint, applied after each optimizer step.
    public func callAsFunction(_ weight: Tensor) -> Tensor {
        let n = norms(weight, axes: axes)
        return weight * (n.clip(0, maxValue) / (n + normEpsilon))
    }

    /// The Keras config of this `MaxNorm` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config { ["max_value": .double(maxValue), "axis": axisConfig(axes, isList: axisIsList)] }

    /// Why this constraint cannot apply to a weight of `shape`, or `nil` when it can.
    public func problem(forWeightShape shape: [Int]) -> String? { normAxesProblem(Self.className, axes, shape) }
}

/// Moves each slice's norm into `[minValue, maxValue]` at `rate` (`keras.constraints.MinMaxNorm`):
/// `w · (rate·clip(n, min, max) + (1 − rate)·n) / (1e-7 + n)`.
///
/// ```swift
/// let c = MinMaxNorm(minValue: 0.5, maxValue: 1, rate: 0.5)
/// ```
public struct MinMaxNorm: Constraint {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "MinMaxNorm"
    /// The `minValue` this `MinMaxNorm` was created with.
    public let minValue: Double
    /// The `maxValue` this `MinMaxNorm` was created with.
    public let maxValue: Double
    /// The `rate` this `MinMaxNorm` was created with.
    public let rate: Double
    /// The `axes` this `MinMaxNorm` was created with.
    public let axes: [Int]
    private let axisIsList: Bool

    /// Creates a `MinMaxNorm` with Keras's arguments and defaults (the names in Swift case).
    public init(minValue: Double = 0, maxValue: Double = 1, rate: Double = 1, axis: Int = 0) {
        self.minValue = minValue
        self.maxValue = maxValue
        self.rate = rate
        self.axes = [axis]
        self.axisIsList = false
    }

    /// Creates a `MinMaxNorm` with Keras's arguments and defaults (the names in Swift case).
    public init(minValue: Double = 0, maxValue: Double = 1, rate: Double = 1, axes: [Int]) {
        self.minValue = minValue
        self.maxValue = maxValue
        self.rate = rate
        self.axes = axes
        self.axisIsList = true
    }

    /// `weight` projected back onto the constraint, applied after each optimizer step.
    public func callAsFunction(_ weight: Tensor) -> Tensor {
        let n = norms(weight, axes: axes)
        let desired = n.clip(minValue, maxValue) * rate + n * (1 - rate)
        return weight * (desired / (n + normEpsilon))
    }

    /// The Keras config of this `MinMaxNorm` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config {
        ["min_value": .double(minValue), "max_value": .double(maxValue), "rate": .double(rate),
         "axis": axisConfig(axes, isList: axisIsList)]
    }

    /// Why this constraint cannot apply to a weight of `shape`, or `nil` when it can.
    public func problem(forWeightShape shape: [Int]) -> String? { normAxesProblem(Self.className, axes, shape) }
}

/// Divides each slice along `axes` by its norm (`keras.constraints.UnitNorm`): `w / (1e-7 + n)`.
///
/// ```swift
/// UnitNorm()(Tensor([[3.0], [4.0]]))   // [[0.6], [0.8]] (to within 1e-7)
/// ```
public struct UnitNorm: Constraint {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "UnitNorm"
    /// The `axes` this `UnitNorm` was created with.
    public let axes: [Int]
    private let axisIsList: Bool

    /// Creates an `UnitNorm` with Keras's arguments and defaults (the names in Swift case).
    public init(axis: Int = 0) {
        self.axes = [axis]
        self.axisIsList = false
    }

    /// Creates an `UnitNorm` with Keras's arguments and defaults (the names in Swift case).
    public init(axes: [Int]) {
        self.axes = axes
        self.axisIsList = true
    }

    /// `weight` projected back onto the constraint, applied after each optimizer step.
    public func callAsFunction(_ weight: Tensor) -> Tensor { weight / (norms(weight, axes: axes) + normEpsilon) }

    /// The Keras config of this `UnitNorm` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config { ["axis": axisConfig(axes, isList: axisIsList)] }

    /// Why this constraint cannot apply to a weight of `shape`, or `nil` when it can.
    public func problem(forWeightShape shape: [Int]) -> String? { normAxesProblem(Self.className, axes, shape) }
}

/// Clamps negative weights to 0 (`keras.constraints.NonNeg`).
///
/// ```swift
/// NonNeg()(Tensor([-1.0, 2.0]))   // [0, 2]
/// ```
public struct NonNeg: Constraint {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "NonNeg"
    /// Creates a `NonNeg` with Keras's arguments and defaults (the names in Swift case).
    public init() {}
    /// `weight` projected back onto the constraint, applied after each optimizer step.
    public func callAsFunction(_ weight: Tensor) -> Tensor { weight.maximum(0) }
    /// The Keras config of this `NonNeg` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config { [:] }
}
