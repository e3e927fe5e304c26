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
    /// The Keras config (Keras's `get_config()`), which the deserializer reads back.
    func getConfig() -> Config
}

extension LearningRateSchedule {
    /// This value as a learning rate (`LearningRateConvertible`).
    public var learningRate: LearningRate { .schedule(self) }
    /// `{"module": "keras.optimizers.schedules", "class_name": …, "config": …}`.
    public func serialize() -> ConfigValue {
        .serialized(module: "keras.optimizers.schedules", className: Self.className, config: getConfig())
    }
}

/// A fixed learning rate or a schedule.
public enum LearningRate: Sendable {
    /// A fixed learning rate.
    case constant(Double)
    /// A learning rate computed from the optimizer step.
    case schedule(any LearningRateSchedule)
}

/// Values an optimizer accepts as `learningRate:`: a number or a ``LearningRateSchedule``.
public protocol LearningRateConvertible {
    /// This value as a constant learning rate or a schedule.
    var learningRate: LearningRate { get }
}

extension Double: LearningRateConvertible {
    /// This value as a learning rate (`LearningRateConvertible`).
    public var learningRate: LearningRate { .constant(self) }
}
extension Float: LearningRateConvertible {
    /// This value as a learning rate (`LearningRateConvertible`).
    public var learningRate: LearningRate { .constant(Double(self)) }
}
extension Int: LearningRateConvertible {
    /// This value as a learning rate (`LearningRateConvertible`).
    public var learningRate: LearningRate { .constant(Double(self)) }
}
extension LearningRate: LearningRateConvertible {
    /// This value as a learning rate (`LearningRateConvertible`).
    public var learningRate: LearningRate { self }
}

private typealias ScheduleFactory = @Sendable (inout ObjectConfigReader) throws -> any LearningRateSchedule

/// The built-in schedules by class name. Each factory reads the keys its initializer takes and
/// runs the type's `validate` before calling it, so a bad file throws instead of stopping.
private let scheduleFactories: [String: ScheduleFactory] = {
    func decay<S: LearningRateSchedule>(_: S.Type,
                                        _ make: @escaping @Sendable (Double, Int, Double, Bool, String) -> S) -> ScheduleFactory {
        { r in
            let lr = try r.double("initial_learning_rate"), steps = try r.stepCount("decay_steps")
            let rate = try r.double("decay_rate")
            try validateDecay(initialLearningRate: lr, decaySteps: steps, decayRate: rate, of: S.className)
            return make(lr, steps, rate, try r.bool("staircase", default: false), try r.optionalString("name") ?? S.className)
        }
    }
    let exponential = decay(ExponentialDecay.self) {
        ExponentialDecay(initialLearningRate: $0, decaySteps: $1, decayRate: $2, staircase: $3, name: $4)
    }
    let inverseTime = decay(InverseTimeDecay.self) {
        InverseTimeDecay(initialLearningRate: $0, decaySteps: $1, decayRate: $2, staircase: $3, name: $4)
    }
    let piecewise: ScheduleFactory = { r in
        let boundaries = try r.stepCounts("boundaries"), values = try r.doubleList("values")
        try PiecewiseConstantDecay.validate(boundaries: boundaries, values: values)
        return PiecewiseConstantDecay(boundaries: boundaries, values: values, name: try r.optionalString("name") ?? "PiecewiseConstant")
    }
    let polynomial: ScheduleFactory = { r in
        let lr = try r.double("initial_learning_rate"), steps = try r.stepCount("decay_steps")
        let end = try r.double("end_learning_rate", default: 1e-4), power = try r.double("power", default: 1)
        try PolynomialDecay.validate(initialLearningRate: lr, decaySteps: steps, endLearningRate: end, power: power)
        return PolynomialDecay(initialLearningRate: lr, decaySteps: steps, endLearningRate: end, power: power,
                               cycle: try r.bool("cycle", default: false), name: try r.optionalString("name") ?? "PolynomialDecay")
    }
    let cosine: ScheduleFactory = { r in
        let lr = try r.double("initial_learning_rate"), steps = try r.stepCount("decay_steps")
        let alpha = try r.double("alpha", default: 0), target = try r.optionalDouble("warmup_target")
        let warmup = try r.stepCount("warmup_steps", default: 0)
        try CosineDecay.validate(initialLearningRate: lr, decaySteps: steps, alpha: alpha, warmupTarget: target, warmupSteps: warmup)
        return CosineDecay(initialLearningRate: lr, decaySteps: steps, alpha: alpha, warmupTarget: target,
                           warmupSteps: warmup, name: try r.optionalString("name") ?? "CosineDecay")
    }
    let restarts: ScheduleFactory = { r in
        let lr = try r.double("initial_learning_rate"), steps = try r.stepCount("first_decay_steps")
        let tMul = try r.double("t_mul", default: 2), mMul = try r.double("m_mul", default: 1)
        let alpha = try r.double("alpha", default: 0)
        try CosineDecayRestarts.validate(initialLearningRate: lr, firstDecaySteps: steps, tMul: tMul, mMul: mMul, alpha: alpha)
        return CosineDecayRestarts(initialLearningRate: lr, firstDecaySteps: steps, tMul: tMul, mMul: mMul, alpha: alpha,
                                   name: try r.optionalString("name") ?? "SGDRDecay")
    }
    return [ExponentialDecay.className: exponential, InverseTimeDecay.className: inverseTime,
            PiecewiseConstantDecay.className: piecewise, PolynomialDecay.className: polynomial,
            CosineDecay.className: cosine, CosineDecayRestarts.className: restarts]
}()

private let scheduleTable = ObjectFactoryTable<any LearningRateSchedule>(kind: "learning rate schedule", factories: scheduleFactories)

/// Rebuilds a schedule from Keras's serialized form (`{"class_name": "ExponentialDecay", "config": …}`).
///
/// ```swift
/// let schedule = try deserializeLearningRateSchedule(ExponentialDecay(initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.9).serialize())
/// ```
///
/// - Throws: `KerasError.invalidConfig` for an unknown class, a missing, unexpected or mistyped
///   key, or a value the schedule's initializer would reject (`"decay_steps": 0`, NaN, `1e300`
///   steps); it never stops the program.
public func deserializeLearningRateSchedule(_ value: ConfigValue) throws -> any LearningRateSchedule {
    try readingConfig { try scheduleTable.deserialize(value) }
}
