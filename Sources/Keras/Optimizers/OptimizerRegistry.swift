import KerasCore

private typealias OptimizerFactory = @Sendable (inout ObjectConfigReader) throws -> Optimizer

/// The arguments every optimizer config holds, read and checked once for all classes.
private struct BaseArguments {
    var learningRate: LearningRate
    var weightDecay: Double?
    var clipnorm: Double?
    var clipvalue: Double?
    var globalClipnorm: Double?
    var name: String

    /// Reads the base keys of `type`'s config (the EMA keys are read by ``readingEMA(_:_:)``).
    /// Options this implementation does not provide (loss scaling, gradient accumulation) must
    /// keep their off values rather than be dropped silently; Keras 2's `decay` is accepted only
    /// as 0.
    init(_ r: inout ObjectConfigReader, _ type: Optimizer.Type, learningRate defaultRate: Double, name defaultName: String,
         weightDecay defaultDecay: Double? = nil) throws {
        if let lr = r.present("learning_rate"), lr.objectValue != nil {
            learningRate = .schedule(try deserializeLearningRateSchedule(lr))
        } else {
            learningRate = .constant(try r.optionalDouble("learning_rate") ?? defaultRate)
        }
        weightDecay = try r.optionalDouble("weight_decay") ?? defaultDecay
        clipnorm = try r.optionalDouble("clipnorm")
        clipvalue = try r.optionalDouble("clipvalue")
        globalClipnorm = try r.optionalDouble("global_clipnorm")
        name = try r.optionalString("name") ?? defaultName
        for key in ["loss_scale_factor", "gradient_accumulation_steps"] {
            if let v = try r.optionalDouble(key) {
                throw KerasError.invalidConfig("\(type.className): \"\(key)\" is not supported; expected null, received \(v)")
            }
        }
        if let decay = try r.optionalDouble("decay"), decay != 0 {
            throw KerasError.invalidConfig("\(type.className): \"decay\" is no longer supported (use a learning rate schedule); expected 0 or null, received \(decay)")
        }
        try type.validate(learningRate: learningRate, weightDecay: weightDecay, clipnorm: clipnorm,
                          clipvalue: clipvalue, globalClipnorm: globalClipnorm)
    }
}

/// Class names, Keras's lower-case names and this package's default instance names.
private let optimizerFactories: [String: OptimizerFactory] = {
    let sgd: OptimizerFactory = { r in
        let base = try BaseArguments(&r, SGD.self, learningRate: 0.01, name: "sgd")
        let momentum = try r.double("momentum", default: 0)
        try SGD.validate(momentum: momentum)
        return SGD(learningRate: base.learningRate, momentum: momentum, nesterov: try r.bool("nesterov", default: false),
                   weightDecay: base.weightDecay, clipnorm: base.clipnorm, clipvalue: base.clipvalue,
                   globalClipnorm: base.globalClipnorm, name: base.name)
    }
    func adam(_ type: Adam.Type) -> OptimizerFactory {
        { r in
            let isAdamW = type == AdamW.self
            if isAdamW && r.config["weight_decay"] == .null {   // present and null, as Keras rejects it
                throw KerasError.invalidConfig("AdamW: `weight_decay` must be a float, received null")
            }
            let base = try BaseArguments(&r, type, learningRate: 0.001, name: isAdamW ? "adam_w" : "adam",
                                         weightDecay: isAdamW ? 0.004 : nil)
            let beta1 = try r.double("beta_1", default: 0.9), beta2 = try r.double("beta_2", default: 0.999)
            let epsilon = try r.double("epsilon", default: 1e-7), amsgrad = try r.bool("amsgrad", default: false)
            try type.validate(beta1: beta1, beta2: beta2, epsilon: epsilon)
            if isAdamW, let weightDecay = base.weightDecay {
                return AdamW(learningRate: base.learningRate, weightDecay: weightDecay, beta1: beta1, beta2: beta2,
                             epsilon: epsilon, amsgrad: amsgrad, clipnorm: base.clipnorm, clipvalue: base.clipvalue,
                             globalClipnorm: base.globalClipnorm, name: base.name)
            }
            return Adam(learningRate: base.learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, amsgrad: amsgrad,
                        weightDecay: base.weightDecay, clipnorm: base.clipnorm, clipvalue: base.clipvalue,
                        globalClipnorm: base.globalClipnorm, name: base.name)
        }
    }
    let rmsprop: OptimizerFactory = { r in
        let base = try BaseArguments(&r, RMSprop.self, learningRate: 0.001, name: "rm_sprop")
        let rho = try r.double("rho", default: 0.9), momentum = try r.double("momentum", default: 0)
        let epsilon = try r.double("epsilon", default: 1e-7)
        try RMSprop.validate(rho: rho, momentum: momentum, epsilon: epsilon)
        return RMSprop(learningRate: base.learningRate, rho: rho, momentum: momentum, epsilon: epsilon,
                       centered: try r.bool("centered", default: false), weightDecay: base.weightDecay, clipnorm: base.clipnorm,
                       clipvalue: base.clipvalue, globalClipnorm: base.globalClipnorm, name: base.name)
    }
    let adagrad: OptimizerFactory = { r in
        let base = try BaseArguments(&r, Adagrad.self, learningRate: 0.001, name: "adagrad")
        let initial = try r.double("initial_accumulator_value", default: 0.1), epsilon = try r.double("epsilon", default: 1e-7)
        try Adagrad.validate(initialAccumulatorValue: initial, epsilon: epsilon)
        return Adagrad(learningRate: base.learningRate, initialAccumulatorValue: initial, epsilon: epsilon,
                       weightDecay: base.weightDecay, clipnorm: base.clipnorm, clipvalue: base.clipvalue,
                       globalClipnorm: base.globalClipnorm, name: base.name)
    }
    let adadelta: OptimizerFactory = { r in
        let base = try BaseArguments(&r, Adadelta.self, learningRate: 0.001, name: "adadelta")
        let rho = try r.double("rho", default: 0.95), epsilon = try r.double("epsilon", default: 1e-7)
        try Adadelta.validate(rho: rho, epsilon: epsilon)
        return Adadelta(learningRate: base.learningRate, rho: rho, epsilon: epsilon, weightDecay: base.weightDecay,
                        clipnorm: base.clipnorm, clipvalue: base.clipvalue, globalClipnorm: base.globalClipnorm, name: base.name)
    }
    func moments(_ type: Optimizer.Type, name: String,
                 _ make: @escaping @Sendable (BaseArguments, Double, Double, Double) -> Optimizer) -> OptimizerFactory {
        { r in
            let base = try BaseArguments(&r, type, learningRate: 0.001, name: name)
            let beta1 = try r.double("beta_1", default: 0.9), beta2 = try r.double("beta_2", default: 0.999)
            let epsilon = try r.double("epsilon", default: 1e-7)
            try ArgumentCheck.moments(beta1: beta1, beta2: beta2, epsilon: epsilon, of: type.className)
            return make(base, beta1, beta2, epsilon)
        }
    }
    let adamax = moments(Adamax.self, name: "adamax") { base, beta1, beta2, epsilon in
        Adamax(learningRate: base.learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: base.weightDecay,
               clipnorm: base.clipnorm, clipvalue: base.clipvalue, globalClipnorm: base.globalClipnorm, name: base.name)
    }
    let nadam = moments(Nadam.self, name: "nadam") { base, beta1, beta2, epsilon in
        Nadam(learningRate: base.learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: base.weightDecay,
              clipnorm: base.clipnorm, clipvalue: base.clipvalue, globalClipnorm: base.globalClipnorm, name: base.name)
    }
    let lion: OptimizerFactory = { r in
        let base = try BaseArguments(&r, Lion.self, learningRate: 0.001, name: "lion")
        let beta1 = try r.double("beta_1", default: 0.9), beta2 = try r.double("beta_2", default: 0.99)
        try Lion.validate(beta1: beta1, beta2: beta2)
        return Lion(learningRate: base.learningRate, beta1: beta1, beta2: beta2, weightDecay: base.weightDecay,
                    clipnorm: base.clipnorm, clipvalue: base.clipvalue, globalClipnorm: base.globalClipnorm, name: base.name)
    }
    let ftrl: OptimizerFactory = { r in
        let base = try BaseArguments(&r, Ftrl.self, learningRate: 0.001, name: "ftrl")
        let power = try r.double("learning_rate_power", default: -0.5)
        let initial = try r.double("initial_accumulator_value", default: 0.1)
        let l1 = try r.double("l1_regularization_strength", default: 0), l2 = try r.double("l2_regularization_strength", default: 0)
        let shrinkage = try r.double("l2_shrinkage_regularization_strength", default: 0)
        let beta = try r.double("beta", default: 0)
        try Ftrl.validate(learningRate: base.learningRate, learningRatePower: power, initialAccumulatorValue: initial,
                          l1: l1, l2: l2, l2Shrinkage: shrinkage, beta: beta)
        return Ftrl(learningRate: base.learningRate, learningRatePower: power, initialAccumulatorValue: initial,
                    l1RegularizationStrength: l1, l2RegularizationStrength: l2, l2ShrinkageRegularizationStrength: shrinkage,
                    beta: beta, weightDecay: base.weightDecay, clipnorm: base.clipnorm, clipvalue: base.clipvalue,
                    globalClipnorm: base.globalClipnorm, name: base.name)
    }
    let lamb = moments(Lamb.self, name: "lamb") { base, beta1, beta2, epsilon in
        Lamb(learningRate: base.learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: base.weightDecay,
             clipnorm: base.clipnorm, clipvalue: base.clipvalue, globalClipnorm: base.globalClipnorm, name: base.name)
    }
    let adafactor: OptimizerFactory = { r in
        let base = try BaseArguments(&r, Adafactor.self, learningRate: 0.001, name: "adafactor")
        let decay = try r.double("beta_2_decay", default: -0.8)
        let epsilon1 = try r.double("epsilon_1", default: 1e-30), epsilon2 = try r.double("epsilon_2", default: 1e-3)
        let threshold = try r.double("clip_threshold", default: 1), relative = try r.bool("relative_step", default: true)
        try Adafactor.validate(beta2Decay: decay, epsilon1: epsilon1, epsilon2: epsilon2, clipThreshold: threshold)
        return Adafactor(learningRate: base.learningRate, beta2Decay: decay, epsilon1: epsilon1, epsilon2: epsilon2,
                         clipThreshold: threshold, relativeStep: relative, weightDecay: base.weightDecay,
                         clipnorm: base.clipnorm, clipvalue: base.clipvalue, globalClipnorm: base.globalClipnorm, name: base.name)
    }
    let byClass: [(Optimizer.Type, OptimizerFactory)] = [
        (SGD.self, sgd), (Adam.self, adam(Adam.self)), (AdamW.self, adam(AdamW.self)), (RMSprop.self, rmsprop),
        (Adagrad.self, adagrad), (Adadelta.self, adadelta), (Adamax.self, adamax), (Nadam.self, nadam), (Lion.self, lion),
        (Ftrl.self, ftrl), (Lamb.self, lamb), (Adafactor.self, adafactor),
    ]
    var factories: [String: OptimizerFactory] = [
        "adam_w": readingEMA(AdamW.self, adam(AdamW.self)), "rm_sprop": readingEMA(RMSprop.self, rmsprop),
    ]
    for (type, factory) in byClass {
        factories[type.className] = readingEMA(type, factory)
        factories[type.className.lowercased()] = readingEMA(type, factory)
    }
    return factories
}()

/// `factory` with the moving-average keys every optimizer config holds (`use_ema`,
/// `ema_momentum`, `ema_overwrite_frequency`) read, checked and set on what it makes.
private func readingEMA(_ type: Optimizer.Type, _ factory: @escaping OptimizerFactory) -> OptimizerFactory {
    { r in
        let useEMA = try r.bool("use_ema", default: false)
        let momentum = try r.double("ema_momentum", default: 0.99)
        let frequency = try r.optionalInt("ema_overwrite_frequency")
        try type.validate(emaMomentum: momentum, emaOverwriteFrequency: frequency)
        let optimizer = try factory(&r)
        (optimizer.emaMomentum, optimizer.emaOverwriteFrequency, optimizer.useEMA) = (momentum, frequency, useEMA)
        return optimizer
    }
}

private let optimizerTable = ObjectFactoryTable<Optimizer>(kind: "optimizer", factories: optimizerFactories)

extension Optimizer {
    /// The optimizer a string names, with Keras defaults (`"adam"`, `"sgd"`, `"rmsprop"`, `"adamw"`,
    /// `"adagrad"`, `"adadelta"`, `"adamax"`, `"nadam"`, `"lion"`, `"ftrl"`, `"lamb"`,
    /// `"adafactor"`; case-insensitive).
    ///
    /// ```swift
    /// let optimizer = try Optimizer.named("adam")
    /// ```
    ///
    /// - Throws: `KerasError.invalidConfig` for an unknown name.
    public static func named(_ name: String) throws -> Optimizer {
        try optimizerTable.deserialize(.string(name.lowercased()))
    }
}

/// Rebuilds an optimizer from a name or Keras's serialized form
/// (`{"class_name": "Adam", "config": {"learning_rate": 0.001, …}}`).
///
/// ```swift
/// let optimizer = try deserializeOptimizer(["class_name": "SGD", "config": ["learning_rate": 0.1, "momentum": 0.9]])
/// ```
///
/// - Throws: `KerasError.invalidConfig` for an unknown class, an unexpected key, a value of the
///   wrong type, or an argument the optimizer's initializer would reject (`"momentum": 5`, a
///   NaN or negative learning rate, two clipping options); it never stops the program.
public func deserializeOptimizer(_ value: ConfigValue) throws -> Optimizer {
    if let name = value.stringValue { return try Optimizer.named(name) }
    return try readingConfig { try optimizerTable.deserialize(value) }
}
