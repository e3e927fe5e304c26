extension Optimizer {
    /// The optimizer a string names, with Keras defaults (`"adam"`, `"sgd"`, `"rmsprop"`, `"adamw"`,
    /// `"adagrad"`, `"adadelta"`, `"adamax"`, `"nadam"`, `"lion"`; case-insensitive).
    ///
    /// ```swift
    /// let optimizer = try Optimizer.named("adam")
    /// ```
    public static func named(_ name: String) throws -> Optimizer {
        switch name.lowercased() {
        case "sgd": return SGD()
        case "adam": return Adam()
        case "adamw", "adam_w": return AdamW()
        case "rmsprop", "rm_sprop": return RMSprop()
        case "adagrad": return Adagrad()
        case "adadelta": return Adadelta()
        case "adamax": return Adamax()
        case "nadam": return Nadam()
        case "lion": return Lion()
        default:
            throw KerasError.invalidConfig("Could not interpret optimizer identifier: '\(name)'; expected one of sgd, adam, adamw, rmsprop, adagrad, adadelta, adamax, nadam, lion")
        }
    }
}

/// Rebuilds an optimizer from a name or Keras's serialized form
/// (`{"class_name": "Adam", "config": {"learning_rate": 0.001, …}}`).
///
/// ```swift
/// let optimizer = try deserializeOptimizer(["class_name": "SGD", "config": ["learning_rate": 0.1, "momentum": 0.9]])
/// ```
public func deserializeOptimizer(_ value: ConfigValue) throws -> Optimizer {
    if let name = value.stringValue { return try Optimizer.named(name) }
    guard let className = value["class_name"]?.stringValue else {
        throw KerasError.invalidConfig("optimizer: expected a name or {\"class_name\", \"config\"}, received \(value)")
    }
    let config = value["config"]?.objectValue ?? [:]
    // Options this implementation does not provide must not be dropped silently.
    if config["use_ema"]?.boolValue == true {
        throw KerasError.invalidConfig("\(className) config: use_ema=true is not supported; expected use_ema=false")
    }
    for key in ["loss_scale_factor", "gradient_accumulation_steps"] {
        if let v = config[key], v != .null {
            throw KerasError.invalidConfig("\(className) config: '\(key)' is not supported; expected null, received \(v)")
        }
    }
    func number(_ key: String, _ fallback: Double) throws -> Double {
        guard let v = config[key], v != .null else { return fallback }
        guard let d = v.doubleValue else { throw KerasError.invalidConfig("\(className) config: expected a number for '\(key)', received \(v)") }
        return d
    }
    func optional(_ key: String) throws -> Double? {
        guard let v = config[key], v != .null else { return nil }
        guard let d = v.doubleValue else { throw KerasError.invalidConfig("\(className) config: expected a number or null for '\(key)', received \(v)") }
        return d
    }
    func flag(_ key: String) -> Bool { config[key]?.boolValue ?? false }
    func learningRate(_ fallback: Double) throws -> any LearningRateConvertible {
        guard let v = config["learning_rate"], v != .null else { return fallback }
        if let d = v.doubleValue { return d }
        return try deserializeLearningRateSchedule(v)
    }
    let wd = try optional("weight_decay"), cn = try optional("clipnorm"), cv = try optional("clipvalue"), gcn = try optional("global_clipnorm")
    let optimizer: Optimizer
    switch className {
    case "SGD":
        optimizer = SGD(learningRate: try learningRate(0.01), momentum: try number("momentum", 0), nesterov: flag("nesterov"),
                        weightDecay: wd, clipnorm: cn, clipvalue: cv, globalClipnorm: gcn)
    case "Adam":
        optimizer = Adam(learningRate: try learningRate(0.001), beta1: try number("beta_1", 0.9), beta2: try number("beta_2", 0.999),
                         epsilon: try number("epsilon", 1e-7), amsgrad: flag("amsgrad"),
                         weightDecay: wd, clipnorm: cn, clipvalue: cv, globalClipnorm: gcn)
    case "AdamW":
        optimizer = AdamW(learningRate: try learningRate(0.001), weightDecay: wd ?? 0.004, beta1: try number("beta_1", 0.9),
                          beta2: try number("beta_2", 0.999), epsilon: try number("epsilon", 1e-7), amsgrad: flag("amsgrad"),
                          clipnorm: cn, clipvalue: cv, globalClipnorm: gcn)
    case "RMSprop":
        optimizer = RMSprop(learningRate: try learningRate(0.001), rho: try number("rho", 0.9), momentum: try number("momentum", 0),
                            epsilon: try number("epsilon", 1e-7), centered: flag("centered"),
                            weightDecay: wd, clipnorm: cn, clipvalue: cv, globalClipnorm: gcn)
    case "Adagrad":
        optimizer = Adagrad(learningRate: try learningRate(0.001), initialAccumulatorValue: try number("initial_accumulator_value", 0.1),
                            epsilon: try number("epsilon", 1e-7), weightDecay: wd, clipnorm: cn, clipvalue: cv, globalClipnorm: gcn)
    case "Adadelta":
        optimizer = Adadelta(learningRate: try learningRate(0.001), rho: try number("rho", 0.95), epsilon: try number("epsilon", 1e-7),
                             weightDecay: wd, clipnorm: cn, clipvalue: cv, globalClipnorm: gcn)
    case "Adamax":
        optimizer = Adamax(learningRate: try learningRate(0.001), beta1: try number("beta_1", 0.9), beta2: try number("beta_2", 0.999),
                           epsilon: try number("epsilon", 1e-7), weightDecay: wd, clipnorm: cn, clipvalue: cv, globalClipnorm: gcn)
    case "Nadam":
        optimizer = Nadam(learningRate: try learningRate(0.001), beta1: try number("beta_1", 0.9), beta2: try number("beta_2", 0.999),
                          epsilon: try number("epsilon", 1e-7), weightDecay: wd, clipnorm: cn, clipvalue: cv, globalClipnorm: gcn)
    case "Lion":
        optimizer = Lion(learningRate: try learningRate(0.001), beta1: try number("beta_1", 0.9), beta2: try number("beta_2", 0.99),
                         weightDecay: wd, clipnorm: cn, clipvalue: cv, globalClipnorm: gcn)
    default:
        throw KerasError.invalidConfig("unknown optimizer class '\(className)'; expected SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Adamax, Nadam or Lion")
    }
    if let name = config["name"]?.stringValue { optimizer.name = name }
    return optimizer
}
