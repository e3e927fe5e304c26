/// The metric a string names, as `compile(metrics:)` resolves it.
///
/// `"accuracy"`/`"acc"` (and `"crossentropy"`/`"ce"`) pick the binary form when the prediction's
/// last dimension is 1, the sparse form when `yTrue` has lower rank than `yPred` or a last
/// dimension of 1 (with `yPred`'s above 1), else the categorical form; the metric keeps the name
/// it was asked by. Other names: class names (`"AUC"`), snake case (`"mean_absolute_error"`) and
/// the aliases `mse`, `mae`, `mape`, `msle`, `bce`.
///
/// ```swift
/// let m = try metricNamed("accuracy", yTrueShape: [32], yPredShape: [32, 10])   // SparseCategoricalAccuracy
/// ```
public func metricNamed(_ name: String, yTrueShape: [Int]? = nil, yPredShape: [Int]? = nil, lossName: String? = nil) throws -> Metric {
    let lowered = name.lowercased()
    if ["accuracy", "acc", "crossentropy", "ce"].contains(lowered) {
        var isBinary = false, isSparse = false
        if let t = yTrueShape, let p = yPredShape, let pLast = p.last {
            isBinary = pLast == 1
            isSparse = t.count < p.count || (t.last == 1 && pLast > 1)
        } else if let lossName {
            // Without shapes, infer from the loss (sparse/binary/categorical cross-entropy).
            isSparse = lossName.contains("sparse")
            isBinary = !isSparse && (lossName.contains("binary") || lossName == "bce")
        }
        if lowered == "accuracy" || lowered == "acc" {
            if isBinary { return BinaryAccuracy(name: name) }
            if isSparse { return SparseCategoricalAccuracy(name: name) }
            return CategoricalAccuracy(name: name)
        }
        if isBinary { return Metrics.BinaryCrossentropy(name: name) }
        if isSparse { return Metrics.SparseCategoricalCrossentropy(name: name) }
        return Metrics.CategoricalCrossentropy(name: name)
    }
    let metric: Metric
    switch name {
    case "Mean", "mean": metric = Mean()
    case "Sum", "sum": metric = Sum()
    case "Accuracy": metric = Accuracy()
    case "BinaryAccuracy", "binary_accuracy": metric = BinaryAccuracy()
    case "CategoricalAccuracy", "categorical_accuracy": metric = CategoricalAccuracy()
    case "SparseCategoricalAccuracy", "sparse_categorical_accuracy": metric = SparseCategoricalAccuracy()
    case "TopKCategoricalAccuracy", "top_k_categorical_accuracy": metric = TopKCategoricalAccuracy()
    case "SparseTopKCategoricalAccuracy", "sparse_top_k_categorical_accuracy": metric = SparseTopKCategoricalAccuracy()
    case "Precision", "precision": metric = Precision()
    case "Recall", "recall": metric = Recall()
    case "AUC", "auc": metric = AUC()
    case "F1Score", "f1_score": metric = F1Score()
    case "FBetaScore", "f_beta_score", "fbeta_score": metric = FBetaScore()
    case "MeanSquaredError", "mean_squared_error", "mse", "MSE": metric = Metrics.MeanSquaredError()
    case "MeanAbsoluteError", "mean_absolute_error", "mae", "MAE": metric = Metrics.MeanAbsoluteError()
    case "MeanAbsolutePercentageError", "mean_absolute_percentage_error", "mape", "MAPE": metric = Metrics.MeanAbsolutePercentageError()
    case "MeanSquaredLogarithmicError", "mean_squared_logarithmic_error", "msle", "MSLE": metric = Metrics.MeanSquaredLogarithmicError()
    case "RootMeanSquaredError", "root_mean_squared_error": metric = RootMeanSquaredError()
    case "R2Score", "r2_score": metric = R2Score()
    case "CosineSimilarity", "cosine_similarity": metric = Metrics.CosineSimilarity()
    case "LogCoshError", "log_cosh_error", "logcosh": metric = LogCoshError()
    case "BinaryCrossentropy", "binary_crossentropy", "bce", "BCE": metric = Metrics.BinaryCrossentropy()
    case "CategoricalCrossentropy", "categorical_crossentropy": metric = Metrics.CategoricalCrossentropy()
    case "SparseCategoricalCrossentropy", "sparse_categorical_crossentropy": metric = Metrics.SparseCategoricalCrossentropy()
    case "KLDivergence", "kl_divergence", "kld", "KLD": metric = Metrics.KLDivergence()
    case "Poisson", "poisson": metric = Metrics.Poisson()
    case "Hinge", "hinge": metric = Metrics.Hinge()
    case "SquaredHinge", "squared_hinge": metric = Metrics.SquaredHinge()
    case "CategoricalHinge", "categorical_hinge": metric = Metrics.CategoricalHinge()
    default:
        throw KerasError.invalidConfig("Could not interpret metric identifier: '\(name)'; expected a Keras metric name such as 'accuracy', 'mae' or 'AUC'")
    }
    // compile() names a string-resolved metric by the string it was given.
    if name.first?.isLowercase == true { metric.name = name }
    return metric
}

/// Rebuilds a metric from a name or Keras's serialized form (`{"class_name": "AUC", "config": {…}}`).
///
/// ```swift
/// let m = try deserializeMetric(["class_name": "BinaryAccuracy", "config": ["threshold": 0.7]])
/// ```
public func deserializeMetric(_ value: ConfigValue) throws -> Metric {
    if let name = value.stringValue { return try metricNamed(name) }
    guard let className = value["class_name"]?.stringValue else {
        throw KerasError.invalidConfig("metric: expected a name or {\"class_name\", \"config\"}, received \(value)")
    }
    let config = value["config"]?.objectValue ?? [:]
    func number(_ key: String) -> Double? { config[key]?.doubleValue }
    func flag(_ key: String) -> Bool { config[key]?.boolValue ?? false }
    let metric: Metric
    switch className {
    case "Accuracy": metric = Accuracy()
    case "BinaryAccuracy": metric = BinaryAccuracy(threshold: number("threshold") ?? 0.5)
    case "TopKCategoricalAccuracy": metric = TopKCategoricalAccuracy(k: config["k"]?.intValue ?? 5)
    case "SparseTopKCategoricalAccuracy": metric = SparseTopKCategoricalAccuracy(k: config["k"]?.intValue ?? 5)
    case "Precision", "Recall":
        for key in ["top_k", "class_id"] where config[key] != nil && config[key] != .null {
            throw KerasError.invalidConfig("\(className) config: '\(key)' is not supported; expected null, received \(config[key]!)")
        }
        let thresholds = config["thresholds"] ?? .null
        if let list = thresholds.arrayValue {
            let values = list.compactMap(\.doubleValue)
            metric = className == "Precision" ? Precision(thresholds: values) : Recall(thresholds: values)
        } else {
            metric = className == "Precision" ? Precision(thresholds: thresholds.doubleValue) : Recall(thresholds: thresholds.doubleValue)
        }
    case "AUC":
        if config["multi_label"]?.boolValue == true || (config["summation_method"]?.stringValue ?? "interpolation") != "interpolation" {
            throw KerasError.invalidConfig("AUC config: only multi_label=false with summation_method='interpolation' is supported, received \(value)")
        }
        let curve = AUC.Curve(rawValue: config["curve"]?.stringValue ?? "ROC")
        guard let curve else { throw KerasError.invalidConfig("AUC config: invalid curve \(config["curve"]!); expected 'ROC' or 'PR'") }
        metric = AUC(numThresholds: config["num_thresholds"]?.intValue ?? 200, curve: curve, fromLogits: flag("from_logits"))
    case "F1Score", "FBetaScore":
        let average = config["average"]?.stringValue.flatMap(FBetaScore.Average.init(rawValue:))
        metric = className == "F1Score" ? F1Score(average: average, threshold: number("threshold"))
            : FBetaScore(average: average, beta: number("beta") ?? 1, threshold: number("threshold"))
    case "R2Score":
        let aggregation = config["class_aggregation"].flatMap { $0.stringValue }.flatMap(R2Score.ClassAggregation.init(rawValue:))
        metric = R2Score(classAggregation: config["class_aggregation"] == .null ? nil : aggregation ?? .uniformAverage,
                         numRegressors: config["num_regressors"]?.intValue ?? 0)
    case "BinaryCrossentropy":
        metric = Metrics.BinaryCrossentropy(fromLogits: flag("from_logits"), labelSmoothing: number("label_smoothing") ?? 0)
    case "CategoricalCrossentropy":
        metric = Metrics.CategoricalCrossentropy(fromLogits: flag("from_logits"), labelSmoothing: number("label_smoothing") ?? 0,
                                                 axis: config["axis"]?.intValue ?? -1)
    case "SparseCategoricalCrossentropy":
        metric = Metrics.SparseCategoricalCrossentropy(fromLogits: flag("from_logits"), ignoreClass: config["ignore_class"]?.intValue)
    default:
        metric = try metricNamed(className)
    }
    if let name = config["name"]?.stringValue { metric.name = name }
    return metric
}
