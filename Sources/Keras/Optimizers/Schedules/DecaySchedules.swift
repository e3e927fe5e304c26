import Foundation

/// `lr · rate^(step / steps)` (floored exponent with `staircase`).
///
/// ```swift
/// ExponentialDecay(initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5)(step: 20)   // 0.025
/// ```
public struct ExponentialDecay: LearningRateSchedule {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "ExponentialDecay"
    /// The `initialLearningRate` this `ExponentialDecay` was created with.
    public var initialLearningRate: Double, decaySteps: Int, decayRate: Double, staircase: Bool, name: String
    /// Creates an `ExponentialDecay` with Keras's arguments and defaults (the names in Swift case).
    public init(initialLearningRate: Double, decaySteps: Int, decayRate: Double, staircase: Bool = false,
                name: String = "ExponentialDecay") {
        requireValid { try Self.validate(initialLearningRate: initialLearningRate, decaySteps: decaySteps, decayRate: decayRate) }
        (self.initialLearningRate, self.decaySteps, self.decayRate, self.staircase, self.name) =
            (initialLearningRate, decaySteps, decayRate, staircase, name)
    }
    /// Keras's rule `decay_steps` > 0, and finite, non-negative rates.
    static func validate(initialLearningRate: Double, decaySteps: Int, decayRate: Double) throws {
        try validateDecay(initialLearningRate: initialLearningRate, decaySteps: decaySteps, decayRate: decayRate, of: className)
    }
    /// The learning rate at optimizer step `step` (counted from 0).
    public func callAsFunction(step: Int) -> Double {
        var p = Double(step) / Double(decaySteps)
        if staircase { p = p.rounded(.down) }
        return initialLearningRate * Foundation.pow(decayRate, p)
    }
    /// The Keras config of this `ExponentialDecay` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config {
        ["initial_learning_rate": .double(initialLearningRate), "decay_steps": .int(decaySteps),
         "decay_rate": .double(decayRate), "staircase": .bool(staircase), "name": .string(name)]
    }
}

/// `lr / (1 + rate · step / steps)` (floored ratio with `staircase`).
///
/// ```swift
/// InverseTimeDecay(initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5)(step: 20)   // 0.05
/// ```
public struct InverseTimeDecay: LearningRateSchedule {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "InverseTimeDecay"
    /// The `initialLearningRate` this `InverseTimeDecay` was created with.
    public var initialLearningRate: Double, decaySteps: Int, decayRate: Double, staircase: Bool, name: String
    /// Creates an `InverseTimeDecay` with Keras's arguments and defaults (the names in Swift case).
    public init(initialLearningRate: Double, decaySteps: Int, decayRate: Double, staircase: Bool = false,
                name: String = "InverseTimeDecay") {
        requireValid { try Self.validate(initialLearningRate: initialLearningRate, decaySteps: decaySteps, decayRate: decayRate) }
        (self.initialLearningRate, self.decaySteps, self.decayRate, self.staircase, self.name) =
            (initialLearningRate, decaySteps, decayRate, staircase, name)
    }
    /// Keras's rule `decay_steps` > 0, and finite, non-negative rates.
    static func validate(initialLearningRate: Double, decaySteps: Int, decayRate: Double) throws {
        try validateDecay(initialLearningRate: initialLearningRate, decaySteps: decaySteps, decayRate: decayRate, of: className)
    }
    /// The learning rate at optimizer step `step` (counted from 0).
    public func callAsFunction(step: Int) -> Double {
        var p = Double(step) / Double(decaySteps)
        if staircase { p = p.rounded(.down) }
        return initialLearningRate / (1 + decayRate * p)
    }
    /// The Keras config of this `InverseTimeDecay` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config {
        ["initial_learning_rate": .double(initialLearningRate), "decay_steps": .int(decaySteps),
         "decay_rate": .double(decayRate), "staircase": .bool(staircase), "name": .string(name)]
    }
}

/// `values[0]` while `step ≤ boundaries[0]`, `values[i]` for `boundaries[i-1] < step ≤ boundaries[i]`,
/// `values.last` after the last boundary.
///
/// ```swift
/// PiecewiseConstantDecay(boundaries: [100], values: [1.0, 0.5])(step: 101)   // 0.5
/// ```
public struct PiecewiseConstantDecay: LearningRateSchedule {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "PiecewiseConstantDecay"
    /// The `boundaries` this `PiecewiseConstantDecay` was created with.
    public var boundaries: [Int], values: [Double], name: String
    /// Creates a `PiecewiseConstantDecay` with Keras's arguments and defaults (the names in Swift case).
    public init(boundaries: [Int], values: [Double], name: String = "PiecewiseConstant") {
        requireValid { try Self.validate(boundaries: boundaries, values: values) }
        (self.boundaries, self.values, self.name) = (boundaries, values, name)
    }
    /// Keras's rule: one more value than boundaries; the values finite and ≥ 0.
    static func validate(boundaries: [Int], values: [Double]) throws {
        guard values.count == boundaries.count + 1 else {
            throw KerasError.invalidArgument("\(className): the length of boundaries should be 1 less than the length of values, received \(boundaries.count) boundaries and \(values.count) values")
        }
        for v in values { try ArgumentCheck.nonNegative(v, "values", of: className) }
    }
    /// The learning rate at optimizer step `step` (counted from 0).
    public func callAsFunction(step: Int) -> Double {
        for (i, b) in boundaries.enumerated() where step <= b { return values[i] }
        return values[values.count - 1]
    }
    /// The Keras config of this `PiecewiseConstantDecay` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config {
        ["boundaries": .array(boundaries.map(ConfigValue.int)), "values": .array(values.map(ConfigValue.double)), "name": .string(name)]
    }
}

/// `(lr − end)·(1 − step/steps)^power + end`, holding `end` after `decaySteps` (or restarting with `cycle`).
///
/// ```swift
/// PolynomialDecay(initialLearningRate: 0.1, decaySteps: 10, endLearningRate: 0)(step: 5)   // 0.05
/// ```
public struct PolynomialDecay: LearningRateSchedule {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "PolynomialDecay"
    /// The `initialLearningRate` this `PolynomialDecay` was created with.
    public var initialLearningRate: Double, decaySteps: Int, endLearningRate: Double, power: Double, cycle: Bool, name: String
    /// Creates a `PolynomialDecay` with Keras's arguments and defaults (the names in Swift case).
    public init(initialLearningRate: Double, decaySteps: Int, endLearningRate: Double = 1e-4, power: Double = 1,
                cycle: Bool = false, name: String = "PolynomialDecay") {
        requireValid {
            try Self.validate(initialLearningRate: initialLearningRate, decaySteps: decaySteps,
                              endLearningRate: endLearningRate, power: power)
        }
        (self.initialLearningRate, self.decaySteps, self.endLearningRate, self.power, self.cycle, self.name) =
            (initialLearningRate, decaySteps, endLearningRate, power, cycle, name)
    }
    /// Keras's rule `decay_steps` > 0; rates finite and ≥ 0, `power` finite.
    static func validate(initialLearningRate: Double, decaySteps: Int, endLearningRate: Double, power: Double) throws {
        try ArgumentCheck.nonNegative(initialLearningRate, "initial_learning_rate", of: className)
        try ArgumentCheck.atLeast(1, decaySteps, "decay_steps", of: className)
        try ArgumentCheck.nonNegative(endLearningRate, "end_learning_rate", of: className)
        try ArgumentCheck.finite(power, "power", of: className)
    }
    /// The learning rate at optimizer step `step` (counted from 0).
    public func callAsFunction(step: Int) -> Double {
        var s = Double(step)
        var steps = Double(decaySteps)
        if cycle {
            steps *= step == 0 ? 1 : (s / Double(decaySteps)).rounded(.up)
        } else {
            s = Swift.min(s, steps)
        }
        return (initialLearningRate - endLearningRate) * Foundation.pow(1 - s / steps, power) + endLearningRate
    }
    /// The Keras config of this `PolynomialDecay` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config {
        ["initial_learning_rate": .double(initialLearningRate), "decay_steps": .int(decaySteps),
         "end_learning_rate": .double(endLearningRate), "power": .double(power), "cycle": .bool(cycle), "name": .string(name)]
    }
}

/// Cosine decay from `initialLearningRate` (or, after a linear warmup, from `warmupTarget`) to
/// `alpha ×` that value over `decaySteps`.
///
/// ```swift
/// CosineDecay(initialLearningRate: 0.1, decaySteps: 100)(step: 50)   // 0.05
/// ```
public struct CosineDecay: LearningRateSchedule {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "CosineDecay"
    /// The `initialLearningRate` this `CosineDecay` was created with.
    public var initialLearningRate: Double, decaySteps: Int, alpha: Double, warmupTarget: Double?, warmupSteps: Int, name: String
    /// Creates a `CosineDecay` with Keras's arguments and defaults (the names in Swift case).
    public init(initialLearningRate: Double, decaySteps: Int, alpha: Double = 0, warmupTarget: Double? = nil,
                warmupSteps: Int = 0, name: String = "CosineDecay") {
        requireValid {
            try Self.validate(initialLearningRate: initialLearningRate, decaySteps: decaySteps, alpha: alpha,
                              warmupTarget: warmupTarget, warmupSteps: warmupSteps)
        }
        (self.initialLearningRate, self.decaySteps, self.alpha, self.warmupTarget, self.warmupSteps, self.name) =
            (initialLearningRate, decaySteps, alpha, warmupTarget, warmupSteps, name)
    }
    /// Keras's rule `decay_steps` > 0; rates finite and ≥ 0, `alpha` finite, `warmup_steps` ≥ 0.
    static func validate(initialLearningRate: Double, decaySteps: Int, alpha: Double, warmupTarget: Double?,
                         warmupSteps: Int) throws {
        try ArgumentCheck.nonNegative(initialLearningRate, "initial_learning_rate", of: className)
        try ArgumentCheck.atLeast(1, decaySteps, "decay_steps", of: className)
        try ArgumentCheck.finite(alpha, "alpha", of: className)
        if let warmupTarget { try ArgumentCheck.nonNegative(warmupTarget, "warmup_target", of: className) }
        try ArgumentCheck.atLeast(0, warmupSteps, "warmup_steps", of: className)
    }
    private func decay(_ step: Double, from lr: Double) -> Double {
        let cosine = 0.5 * (1 + Foundation.cos(Double.pi * step / Double(decaySteps)))
        return lr * ((1 - alpha) * cosine + alpha)
    }
    /// The learning rate at optimizer step `step` (counted from 0).
    public func callAsFunction(step: Int) -> Double {
        guard let target = warmupTarget else {
            return decay(Swift.min(Double(step), Double(decaySteps)), from: initialLearningRate)
        }
        let s = Swift.min(Double(step), Double(decaySteps + warmupSteps))
        if s < Double(warmupSteps) {
            return (target - initialLearningRate) * (s / Double(warmupSteps)) + initialLearningRate
        }
        return decay(s - Double(warmupSteps), from: target)
    }
    /// The Keras config of this `CosineDecay` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config {
        ["initial_learning_rate": .double(initialLearningRate), "decay_steps": .int(decaySteps), "alpha": .double(alpha),
         "name": .string(name), "warmup_target": ConfigValue(warmupTarget), "warmup_steps": .int(warmupSteps)]
    }
}

/// Cosine decay with warm restarts (SGDR): periods grow by `tMul`, peaks shrink by `mMul`.
///
/// ```swift
/// CosineDecayRestarts(initialLearningRate: 0.1, firstDecaySteps: 10)(step: 10)   // 0.1 (restart)
/// ```
public struct CosineDecayRestarts: LearningRateSchedule {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "CosineDecayRestarts"
    /// The `initialLearningRate` this `CosineDecayRestarts` was created with.
    public var initialLearningRate: Double, firstDecaySteps: Int, tMul: Double, mMul: Double, alpha: Double, name: String
    /// Creates a `CosineDecayRestarts` with Keras's arguments and defaults (the names in Swift case).
    public init(initialLearningRate: Double, firstDecaySteps: Int, tMul: Double = 2, mMul: Double = 1, alpha: Double = 0,
                name: String = "SGDRDecay") {
        requireValid {
            try Self.validate(initialLearningRate: initialLearningRate, firstDecaySteps: firstDecaySteps,
                              tMul: tMul, mMul: mMul, alpha: alpha)
        }
        (self.initialLearningRate, self.firstDecaySteps, self.tMul, self.mMul, self.alpha, self.name) =
            (initialLearningRate, firstDecaySteps, tMul, mMul, alpha, name)
    }
    /// Keras's rule `first_decay_steps` > 0; `t_mul` > 0 (its logarithm is taken), `m_mul` ≥ 0,
    /// the rate and `alpha` finite.
    static func validate(initialLearningRate: Double, firstDecaySteps: Int, tMul: Double, mMul: Double, alpha: Double) throws {
        try ArgumentCheck.nonNegative(initialLearningRate, "initial_learning_rate", of: className)
        try ArgumentCheck.atLeast(1, firstDecaySteps, "first_decay_steps", of: className)
        try ArgumentCheck.positive(tMul, "t_mul", of: className)
        try ArgumentCheck.nonNegative(mMul, "m_mul", of: className)
        try ArgumentCheck.finite(alpha, "alpha", of: className)
    }
    /// The learning rate at optimizer step `step` (counted from 0).
    public func callAsFunction(step: Int) -> Double {
        var fraction = Double(step) / Double(firstDecaySteps)
        let restart: Double
        if tMul == 1 {
            restart = fraction.rounded(.down)
            fraction -= restart
        } else {
            // Computed in float32 like Keras, so restarts land on the same step at exact boundaries.
            let f = Float(fraction), t = Float(tMul)
            let r = (Foundation.log(1 - f * (1 - t)) / Foundation.log(t)).rounded(.down)
            let sum = (1 - Foundation.pow(t, r)) / (1 - t)
            restart = Double(r)
            fraction = Double((f - sum) / Foundation.pow(t, r))
        }
        let cosine = 0.5 * Foundation.pow(mMul, restart) * (1 + Foundation.cos(Double.pi * fraction))
        return initialLearningRate * ((1 - alpha) * cosine + alpha)
    }
    /// The Keras config of this `CosineDecayRestarts` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config {
        ["initial_learning_rate": .double(initialLearningRate), "first_decay_steps": .int(firstDecaySteps),
         "t_mul": .double(tMul), "m_mul": .double(mMul), "alpha": .double(alpha), "name": .string(name)]
    }
}

/// The checks ``ExponentialDecay`` and ``InverseTimeDecay`` share: Keras's `decay_steps` > 0, and
/// finite, non-negative rates.
func validateDecay(initialLearningRate: Double, decaySteps: Int, decayRate: Double, of owner: String) throws {
    try ArgumentCheck.nonNegative(initialLearningRate, "initial_learning_rate", of: owner)
    try ArgumentCheck.atLeast(1, decaySteps, "decay_steps", of: owner)
    try ArgumentCheck.nonNegative(decayRate, "decay_rate", of: owner)
}
