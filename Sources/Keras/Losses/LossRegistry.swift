/// The loss a string names: class names (`"SparseCategoricalCrossentropy"`), function names
/// (`"sparse_categorical_crossentropy"`) and aliases (`mse`, `mae`, `mape`, `msle`, `kld`, `bce`, …).
///
/// ```swift
/// let loss = try lossNamed("sparse_categorical_crossentropy")
/// ```
public func lossNamed(_ name: String) throws -> any Loss {
    switch name {
    case "mean_squared_error", "mse", "MSE", "MeanSquaredError": return MeanSquaredError()
    case "mean_absolute_error", "mae", "MAE", "MeanAbsoluteError": return MeanAbsoluteError()
    case "mean_absolute_percentage_error", "mape", "MAPE", "MeanAbsolutePercentageError": return MeanAbsolutePercentageError()
    case "mean_squared_logarithmic_error", "msle", "MSLE", "MeanSquaredLogarithmicError": return MeanSquaredLogarithmicError()
    case "huber", "huber_loss", "Huber": return Huber()
    case "log_cosh", "logcosh", "LogCosh": return LogCosh()
    case "kl_divergence", "kld", "KLD", "kullback_leibler_divergence", "KLDivergence": return KLDivergence()
    case "poisson", "Poisson": return Poisson()
    case "cosine_similarity", "CosineSimilarity": return CosineSimilarity()
    case "hinge", "Hinge": return Hinge()
    case "squared_hinge", "SquaredHinge": return SquaredHinge()
    case "categorical_hinge", "CategoricalHinge": return CategoricalHinge()
    case "binary_crossentropy", "bce", "BCE", "BinaryCrossentropy": return BinaryCrossentropy()
    case "binary_focal_crossentropy", "BinaryFocalCrossentropy": return BinaryFocalCrossentropy()
    case "categorical_crossentropy", "CategoricalCrossentropy": return CategoricalCrossentropy()
    case "sparse_categorical_crossentropy", "SparseCategoricalCrossentropy": return SparseCategoricalCrossentropy()
    default:
        throw KerasError.invalidConfig("Could not interpret loss identifier: '\(name)'; expected a Keras loss name such as 'mse', 'binary_crossentropy' or 'sparse_categorical_crossentropy'")
    }
}

/// Rebuilds a loss from a name or Keras's serialized form (`{"class_name": "Huber", "config": {…}}`).
///
/// ```swift
/// let loss = try deserializeLoss(["class_name": "SparseCategoricalCrossentropy", "config": ["from_logits": true]])
/// ```
public func deserializeLoss(_ value: ConfigValue) throws -> any Loss {
    if let name = value.stringValue { return try lossNamed(name) }
    guard let className = value["class_name"]?.stringValue else {
        throw KerasError.invalidConfig("loss: expected a name or {\"class_name\", \"config\"}, received \(value)")
    }
    let config = value["config"]?.objectValue ?? [:]
    var reduction = Reduction.sumOverBatchSize
    if let r = config["reduction"], r != .null {
        guard let s = r.stringValue, let parsed = Reduction(rawValue: s) else {
            throw KerasError.invalidConfig("\(className) config: invalid reduction \(r); expected one of \(Reduction.allCases.map(\.rawValue))")
        }
        reduction = parsed
    }
    let base = try lossNamed(className)
    let name = config["name"]?.stringValue ?? base.name
    func number(_ key: String, _ fallback: Double) -> Double { config[key]?.doubleValue ?? fallback }
    func flag(_ key: String) -> Bool { config[key]?.boolValue ?? false }
    switch className {
    case "MeanSquaredError": return MeanSquaredError(reduction: reduction, name: name)
    case "MeanAbsoluteError": return MeanAbsoluteError(reduction: reduction, name: name)
    case "MeanAbsolutePercentageError": return MeanAbsolutePercentageError(reduction: reduction, name: name)
    case "MeanSquaredLogarithmicError": return MeanSquaredLogarithmicError(reduction: reduction, name: name)
    case "Huber": return Huber(delta: number("delta", 1), reduction: reduction, name: name)
    case "LogCosh": return LogCosh(reduction: reduction, name: name)
    case "KLDivergence": return KLDivergence(reduction: reduction, name: name)
    case "Poisson": return Poisson(reduction: reduction, name: name)
    case "CosineSimilarity": return CosineSimilarity(axis: config["axis"]?.intValue ?? -1, reduction: reduction, name: name)
    case "Hinge": return Hinge(reduction: reduction, name: name)
    case "SquaredHinge": return SquaredHinge(reduction: reduction, name: name)
    case "CategoricalHinge": return CategoricalHinge(reduction: reduction, name: name)
    case "BinaryCrossentropy":
        return BinaryCrossentropy(fromLogits: flag("from_logits"), labelSmoothing: number("label_smoothing", 0),
                                  axis: config["axis"]?.intValue ?? -1, reduction: reduction, name: name)
    case "BinaryFocalCrossentropy":
        return BinaryFocalCrossentropy(applyClassBalancing: flag("apply_class_balancing"), alpha: number("alpha", 0.25),
                                       gamma: number("gamma", 2), fromLogits: flag("from_logits"),
                                       labelSmoothing: number("label_smoothing", 0), axis: config["axis"]?.intValue ?? -1,
                                       reduction: reduction, name: name)
    case "CategoricalCrossentropy":
        return CategoricalCrossentropy(fromLogits: flag("from_logits"), labelSmoothing: number("label_smoothing", 0),
                                       axis: config["axis"]?.intValue ?? -1, reduction: reduction, name: name)
    case "SparseCategoricalCrossentropy":
        return SparseCategoricalCrossentropy(fromLogits: flag("from_logits"), ignoreClass: config["ignore_class"]?.intValue,
                                             reduction: reduction, name: name)
    default:
        throw KerasError.invalidConfig("unknown loss class '\(className)'")
    }
}
