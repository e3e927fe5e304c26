import KerasCore

/// `l1 · Σ|x|` (`keras.regularizers.L1`).
///
/// ```swift
/// let dense = Dense(64, kernelRegularizer: L1(l1: 1e-4))
/// L1(l1: 0.5)(Tensor([1.0, -2.0]))   // 1.5
/// ```
///
/// Keras keeps `l1` as a float32 tensor, so its config holds the float32-rounded factor
/// (`L1()` → `{"l1": 0.009999999776482582}`); this type stores the same rounded value.
public struct L1: Regularizer {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "L1"
    /// The `l1` this `L1` was created with.
    public let l1: Double

    /// Creates an `L1` with Keras's arguments and defaults (the names in Swift case).
    public init(l1: Double = 0.01) {
        requireValid { try validateFactor(l1, "l1", of: "L1") }
        self.l1 = Double(Float(l1))
    }

    /// `weight` projected back onto the constraint, applied after each optimizer step.
    public func callAsFunction(_ weight: Tensor) -> Tensor { weight.abs().sum() * l1 }
    /// The Keras config of this `L1` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config { ["l1": .double(l1)] }
}

/// `l2 · Σx²` (`keras.regularizers.L2`); no factor ½.
///
/// ```swift
/// let dense = Dense(64, kernelRegularizer: L2(l2: 1e-4))
/// L2(l2: 0.5)(Tensor([1.0, -2.0]))   // 2.5
/// ```
public struct L2: Regularizer {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "L2"
    /// The `l2` this `L2` was created with.
    public let l2: Double

    /// Creates an `L2` with Keras's arguments and defaults (the names in Swift case).
    public init(l2: Double = 0.01) {
        requireValid { try validateFactor(l2, "l2", of: "L2") }
        self.l2 = l2
    }

    /// `weight` projected back onto the constraint, applied after each optimizer step.
    public func callAsFunction(_ weight: Tensor) -> Tensor { weight.square().sum() * l2 }
    /// The Keras config of this `L2` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config { ["l2": .double(l2)] }
}

/// `l1 · Σ|x| + l2 · Σx²` (`keras.regularizers.L1L2`); both factors default to 0, and a zero
/// factor's term is left out, as in Keras.
///
/// ```swift
/// L1L2(l1: 0.01, l2: 0.01)(weights)
/// ```
public struct L1L2: Regularizer {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "L1L2"
    /// The `l1` this `L1L2` was created with.
    public let l1: Double
    /// The `l2` this `L1L2` was created with.
    public let l2: Double

    /// Creates an `L1L2` with Keras's arguments and defaults (the names in Swift case).
    public init(l1: Double = 0, l2: Double = 0) {
        requireValid {
            try validateFactor(l1, "l1", of: "L1L2")
            try validateFactor(l2, "l2", of: "L1L2")
        }
        self.l1 = l1
        self.l2 = l2
    }

    /// `weight` projected back onto the constraint, applied after each optimizer step.
    public func callAsFunction(_ weight: Tensor) -> Tensor {
        var penalty = Tensor.zeros([], dtype: weight.dtype)
        if l1 != 0 { penalty = penalty + weight.abs().sum() * l1 }
        if l2 != 0 { penalty = penalty + weight.square().sum() * l2 }
        return penalty
    }

    /// The Keras config of this `L1L2` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config { ["l1": .double(l1), "l2": .double(l2)] }
}

/// Keras's `validate_float_arg`: a regularization factor is a finite, non-negative float.
func validateFactor(_ value: Double, _ key: String, of className: String) throws {
    try ensure(value.isFinite && value >= 0, "\(className): Invalid value for argument \(key): expected a non-negative float. Received: \(key)=\(value)")
}
