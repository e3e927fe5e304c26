import Foundation

/// A learning rate that changes with the step (`keras.optimizers.schedules.LearningRateSchedule`).
///
/// ```swift
/// let schedule = ExponentialDecay(initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.9)
/// schedule(step: 10)   // 0.09
/// let optimizer = SGD(learningRate: schedule)
/// ```
public protocol LearningRateSchedule: LearningRateConvertible, Sendable {
    /// Keras's class name (`"ExponentialDecay"`).
    static var className: String { get }
    /// The learning rate at `step` (0-based: the optimizer's `iterations` before the update).
    func callAsFunction(step: Int) -> Double
    func getConfig() -> Config
}

extension LearningRateSchedule {
    public var learningRate: LearningRate { .schedule(self) }
    /// `{"module": "keras.optimizers.schedules", "class_name": …, "config": …}`.
    public func serialize() -> ConfigValue {
        .serialized(module: "keras.optimizers.schedules", className: Self.className, config: getConfig())
    }
}

/// A fixed learning rate or a schedule.
public enum LearningRate: Sendable {
    case constant(Double)
    case schedule(any LearningRateSchedule)
}

/// Values an optimizer accepts as `learningRate:`: a number or a ``LearningRateSchedule``.
public protocol LearningRateConvertible {
    var learningRate: LearningRate { get }
}

extension Double: LearningRateConvertible {
    public var learningRate: LearningRate { .constant(self) }
}
extension Float: LearningRateConvertible {
    public var learningRate: LearningRate { .constant(Double(self)) }
}
extension Int: LearningRateConvertible {
    public var learningRate: LearningRate { .constant(Double(self)) }
}
extension LearningRate: LearningRateConvertible {
    public var learningRate: LearningRate { self }
}

/// Rebuilds a schedule from Keras's serialized form (`{"class_name": "ExponentialDecay", "config": …}`).
public func deserializeLearningRateSchedule(_ value: ConfigValue) throws -> any LearningRateSchedule {
    guard let className = value["class_name"]?.stringValue, let config = value["config"]?.objectValue else {
        throw KerasError.invalidConfig("learning rate schedule: expected {\"class_name\", \"config\"}, received \(value)")
    }
    func number(_ key: String, _ fallback: Double? = nil) throws -> Double {
        if let d = config[key]?.doubleValue { return d }
        if let fallback, config[key] == nil || config[key] == .null { return fallback }
        throw KerasError.invalidConfig("\(className) config: expected a number for '\(key)', received \(config[key].map { "\($0)" } ?? "nothing")")
    }
    func flag(_ key: String) -> Bool { config[key]?.boolValue ?? false }
    let name = config["name"]?.stringValue
    switch className {
    case "ExponentialDecay":
        return ExponentialDecay(initialLearningRate: try number("initial_learning_rate"), decaySteps: Int(try number("decay_steps")),
                                decayRate: try number("decay_rate"), staircase: flag("staircase"), name: name ?? className)
    case "InverseTimeDecay":
        return InverseTimeDecay(initialLearningRate: try number("initial_learning_rate"), decaySteps: Int(try number("decay_steps")),
                                decayRate: try number("decay_rate"), staircase: flag("staircase"), name: name ?? className)
    case "PiecewiseConstantDecay":
        guard let b = config["boundaries"]?.arrayValue?.compactMap(\.intValue), let v = config["values"]?.arrayValue?.compactMap(\.doubleValue) else {
            throw KerasError.invalidConfig("PiecewiseConstantDecay config: expected 'boundaries' and 'values' lists, received \(value)")
        }
        return PiecewiseConstantDecay(boundaries: b, values: v, name: name ?? className)
    case "PolynomialDecay":
        return PolynomialDecay(initialLearningRate: try number("initial_learning_rate"), decaySteps: Int(try number("decay_steps")),
                               endLearningRate: try number("end_learning_rate", 1e-4), power: try number("power", 1),
                               cycle: flag("cycle"), name: name ?? className)
    case "CosineDecay":
        return CosineDecay(initialLearningRate: try number("initial_learning_rate"), decaySteps: Int(try number("decay_steps")),
                           alpha: try number("alpha", 0), warmupTarget: config["warmup_target"]?.doubleValue,
                           warmupSteps: Int(try number("warmup_steps", 0)), name: name ?? className)
    case "CosineDecayRestarts":
        return CosineDecayRestarts(initialLearningRate: try number("initial_learning_rate"), firstDecaySteps: Int(try number("first_decay_steps")),
                                   tMul: try number("t_mul", 2), mMul: try number("m_mul", 1), alpha: try number("alpha", 0),
                                   name: name ?? className)
    default:
        throw KerasError.invalidConfig("unknown learning rate schedule '\(className)'; expected ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay, InverseTimeDecay, CosineDecay or CosineDecayRestarts")
    }
}
