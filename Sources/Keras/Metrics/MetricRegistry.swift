/// The metric a string names, as `compile(metrics:)` resolves it.
///
/// `"accuracy"`/`"acc"` (and `"crossentropy"`/`"ce"`) pick the binary form when the prediction's
/// last dimension is 1, the sparse form when `yTrue` has lower rank than `yPred` or a last
/// dimension of 1 (with `yPred`'s above 1), else the categorical form; without shapes, the form
/// of the loss `lossName` names (sparse or binary cross-entropy). The metric keeps the name it
/// was asked by. Other names: class names (`"AUC"`), snake case (`"mean_absolute_error"`,
/// `"true_positives"`, `"binary_io_u"`, `"pearson_correlation"`) and the aliases `mse`, `mae`,
/// `mape`, `msle`, `bce`. (`"io_u"`, `"mean_io_u"` and the one-hot IoU names need `num_classes`,
/// so, as in Keras, they cannot be asked for by name.)
///
/// ```swift
/// let m = try metricNamed("accuracy", yTrueShape: [32], yPredShape: [32, 10])   // SparseCategoricalAccuracy
/// ```
///
/// - Throws: `KerasError.invalidConfig` for an unknown name.
public func metricNamed(_ name: String, yTrueShape: [Int]? = nil, yPredShape: [Int]? = nil, lossName: String? = nil) throws -> Metric {
    let lowered = name.lowercased()
    if ["accuracy", "acc", "crossentropy", "ce"].contains(lowered) {
        var isBinary = false, isSparse = false
        if let t = yTrueShape, let p = yPredShape, let pLast = p.last {
            isBinary = pLast == 1
            isSparse = t.count < p.count || (t.last == 1 && pLast > 1)
        } else if let loss = lossName.flatMap({ try? lossNamed($0) }) {
            isSparse = loss is SparseCategoricalCrossentropy
            isBinary = loss is BinaryCrossentropy || loss is BinaryFocalCrossentropy
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
    guard let metric = metricTable.make(named: name) else {
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
///
/// - Throws: `KerasError.invalidConfig` naming an unknown class, an unexpected key, a value of
///   the wrong type or range, or an option swift-keras does not implement.
public func deserializeMetric(_ value: ConfigValue) throws -> Metric {
    if let name = value.stringValue { return try metricNamed(name) }
    return try metricTable.deserialize(value)
}

/// Makes a custom metric class loadable by ``deserializeMetric(_:)`` and ``metricNamed(_:yTrueShape:yPredShape:lossName:)``
/// (Keras's `register_keras_serializable`); a registered class replaces a built-in of the same name.
///
/// ```swift
/// registerMetric(className: "MaxError") { config in MaxError(name: config["name"]?.stringValue ?? "max_error") }
/// ```
public func registerMetric(className: String, _ factory: @escaping @Sendable (Config) throws -> Metric) {
    metricTable.register(className) { reader in
        reader.acceptAllKeys()
        return try factory(reader.config)
    }
}

/// AUC keeps four arrays of `num_thresholds` counts; a config may not ask for more.
private let maxAUCThresholds = 1 << 20

/// A table entry keyed by the class name `type` serializes under; `make` reads the class's own
/// keys, and every metric takes `name` and `dtype` (metrics accumulate in float32).
private func entry(_ type: Metric.Type, aliases: [String] = [], _ make: @escaping @Sendable (inout ObjectConfigReader) throws -> Metric)
    -> (String, [String], ObjectFactoryTable<Metric>.Factory) {
    (type.className, aliases, { reader in
        let name = try reader.optionalString("name")
        _ = reader.value("dtype")
        let metric = try make(&reader)
        if let name { metric.name = name }
        return metric
    })
}

extension ObjectConfigReader {
    /// A number in [0, 1] (a decision threshold), or `nil` when absent or `null`.
    mutating func unitInterval(_ key: String) throws -> Double? {
        guard let d = try optionalDouble(key) else { return nil }
        guard d >= 0 && d <= 1 else { throw mismatch(key, "a float in [0, 1]", .double(d)) }
        return d
    }

    /// Throws unless `key` is absent or `null`: an option swift-keras does not implement.
    mutating func unsupported(_ key: String, allowing allowed: ConfigValue = .null) throws {
        guard let v = value(key), !v.isNull, v != allowed else { return }
        throw KerasError.invalidConfig("\(className): \"\(key)\" is not supported; expected \(allowed == .null ? "null" : allowed.description), received \(v)")
    }

    /// A positive integer `k` (top-k metrics).
    mutating func positiveInt(_ key: String, default defaultValue: Int) throws -> Int {
        let k = try int(key, default: defaultValue)
        guard k > 0 else { throw mismatch(key, "a positive integer", .int(k)) }
        return k
    }

    /// The confusion-matrix dtype of the IoU metrics: `int32` (Keras's default, also for
    /// `null`), `int64`, `float32` or `float64`.
    mutating func iouDType() throws -> DType {
        guard let v = present("dtype") else { return .int32 }
        guard let s = v.stringValue, let dtype = DType(rawValue: s), dtype != .bool else {
            throw mismatch("dtype", "one of \"int32\", \"int64\", \"float32\", \"float64\"", v)
        }
        return dtype
    }

    /// IoU `target_class_ids`: a non-empty list of class ids in `0..<numClasses`.
    mutating func targetClassIds(numClasses: Int, default defaultValue: [Int]? = nil) throws -> [Int] {
        let ids = try defaultValue != nil && present("target_class_ids") == nil ? defaultValue! : intList("target_class_ids")
        guard !ids.isEmpty, ids.allSatisfy({ $0 >= 0 && $0 < numClasses }) else {
            throw mismatch("target_class_ids", "a non-empty list of class ids in [0, \(numClasses))", .array(ids.map(ConfigValue.int)))
        }
        return ids
    }

    /// IoU `num_classes`: an integer in 1…`IoU.maxClasses`.
    mutating func numClasses() throws -> Int {
        let n = try int("num_classes")
        guard n > 0 && n <= IoU.maxClasses else { throw mismatch("num_classes", "an integer in 1…\(IoU.maxClasses)", .int(n)) }
        return n
    }

    /// Confusion-metric `thresholds`: one float or a non-empty list, each in [0, 1].
    mutating func thresholds() throws -> (single: Double?, list: [Double]?) {
        guard let v = present("thresholds") else { return (nil, nil) }
        let (single, list): (Double?, [Double]?)
        if let d = v.doubleValue {
            (single, list) = (d, nil)
        } else if let values = v.arrayValue?.map(\.doubleValue), !values.isEmpty, !values.contains(nil) {
            (single, list) = (nil, values.map { $0! })
        } else {
            throw mismatch("thresholds", "a float in [0, 1] or a non-empty list of them", v)
        }
        try validated { try ConfusionMetric.validate(thresholds: list ?? [single!], owner: className) }
        return (single, list)
    }
}

/// Class names, snake-case names and Keras's aliases (the shape-dependent `accuracy`/`crossentropy`
/// are resolved by ``metricNamed(_:yTrueShape:yPredShape:lossName:)``).
private let metricTable = ObjectFactoryTable<Metric>(kind: "metric", entries: [
    entry(Mean.self, aliases: ["mean"]) { _ in Mean() },
    entry(Sum.self, aliases: ["sum"]) { _ in Sum() },
    entry(Accuracy.self) { _ in Accuracy() },
    entry(BinaryAccuracy.self, aliases: ["binary_accuracy"]) { r in BinaryAccuracy(threshold: try r.unitInterval("threshold") ?? 0.5) },
    entry(CategoricalAccuracy.self, aliases: ["categorical_accuracy"]) { _ in CategoricalAccuracy() },
    entry(SparseCategoricalAccuracy.self, aliases: ["sparse_categorical_accuracy"]) { _ in SparseCategoricalAccuracy() },
    entry(TopKCategoricalAccuracy.self, aliases: ["top_k_categorical_accuracy"]) { r in TopKCategoricalAccuracy(k: try r.positiveInt("k", default: 5)) },
    entry(SparseTopKCategoricalAccuracy.self, aliases: ["sparse_top_k_categorical_accuracy"]) { r in
        SparseTopKCategoricalAccuracy(k: try r.positiveInt("k", default: 5))
    },
    entry(Precision.self, aliases: ["precision"]) { r in
        try r.unsupported("top_k")
        try r.unsupported("class_id")
        let (single, list) = try r.thresholds()
        return list.map { Precision(thresholds: $0) } ?? Precision(thresholds: single)
    },
    entry(Recall.self, aliases: ["recall"]) { r in
        try r.unsupported("top_k")
        try r.unsupported("class_id")
        let (single, list) = try r.thresholds()
        return list.map { Recall(thresholds: $0) } ?? Recall(thresholds: single)
    },
    entry(TruePositives.self, aliases: ["true_positives"]) { r in
        let (single, list) = try r.thresholds()
        return list.map { TruePositives(thresholds: $0) } ?? TruePositives(thresholds: single)
    },
    entry(FalsePositives.self, aliases: ["false_positives"]) { r in
        let (single, list) = try r.thresholds()
        return list.map { FalsePositives(thresholds: $0) } ?? FalsePositives(thresholds: single)
    },
    entry(TrueNegatives.self, aliases: ["true_negatives"]) { r in
        let (single, list) = try r.thresholds()
        return list.map { TrueNegatives(thresholds: $0) } ?? TrueNegatives(thresholds: single)
    },
    entry(FalseNegatives.self, aliases: ["false_negatives"]) { r in
        let (single, list) = try r.thresholds()
        return list.map { FalseNegatives(thresholds: $0) } ?? FalseNegatives(thresholds: single)
    },
    entry(IoU.self, aliases: ["io_u"]) { r in
        let numClasses = try r.numClasses()
        return IoU(numClasses: numClasses, targetClassIds: try r.targetClassIds(numClasses: numClasses),
                   ignoreClass: try r.optionalInt("ignore_class"), sparseYTrue: try r.bool("sparse_y_true", default: true),
                   sparseYPred: try r.bool("sparse_y_pred", default: true), axis: try r.int("axis", default: -1), dtype: try r.iouDType())
    },
    entry(BinaryIoU.self, aliases: ["binary_io_u"]) { r in
        let ids = try r.targetClassIds(numClasses: 2, default: [0, 1])
        let threshold = try r.double("threshold", default: 0.5)
        try r.validated { try BinaryIoU.validate(targetClassIds: ids, threshold: threshold) }
        return BinaryIoU(targetClassIds: ids, threshold: threshold, dtype: try r.iouDType())
    },
    entry(MeanIoU.self, aliases: ["mean_io_u"]) { r in
        MeanIoU(numClasses: try r.numClasses(), ignoreClass: try r.optionalInt("ignore_class"),
                sparseYTrue: try r.bool("sparse_y_true", default: true), sparseYPred: try r.bool("sparse_y_pred", default: true),
                axis: try r.int("axis", default: -1), dtype: try r.iouDType())
    },
    entry(OneHotIoU.self, aliases: ["one_hot_io_u"]) { r in
        let numClasses = try r.numClasses()
        return OneHotIoU(numClasses: numClasses, targetClassIds: try r.targetClassIds(numClasses: numClasses),
                         ignoreClass: try r.optionalInt("ignore_class"), sparseYPred: try r.bool("sparse_y_pred", default: false),
                         axis: try r.int("axis", default: -1), dtype: try r.iouDType())
    },
    entry(OneHotMeanIoU.self, aliases: ["one_hot_mean_io_u"]) { r in
        OneHotMeanIoU(numClasses: try r.numClasses(), ignoreClass: try r.optionalInt("ignore_class"),
                      sparseYPred: try r.bool("sparse_y_pred", default: false), axis: try r.int("axis", default: -1), dtype: try r.iouDType())
    },
    entry(PearsonCorrelation.self, aliases: ["pearson_correlation"]) { r in
        let (axes, isList) = try r.axes("axis") ?? ([-1], false)
        try r.validated { try CorrelationMetric.validate(axes: axes, owner: "PearsonCorrelation") }
        return isList ? PearsonCorrelation(axes: axes) : PearsonCorrelation(axis: axes[0])
    },
    entry(ConcordanceCorrelation.self, aliases: ["concordance_correlation"]) { r in
        let (axes, isList) = try r.axes("axis") ?? ([-1], false)
        try r.validated { try CorrelationMetric.validate(axes: axes, owner: "ConcordanceCorrelation") }
        return isList ? ConcordanceCorrelation(axes: axes) : ConcordanceCorrelation(axis: axes[0])
    },
    entry(AUC.self, aliases: ["auc"]) { r in
        try r.unsupported("multi_label", allowing: false)
        try r.unsupported("summation_method", allowing: "interpolation")
        try r.unsupported("num_labels")
        try r.unsupported("label_weights")
        let numThresholds = try r.int("num_thresholds", default: 200)
        try r.validated { try AUC.validate(numThresholds: numThresholds) }
        guard numThresholds <= maxAUCThresholds else {
            throw r.mismatch("num_thresholds", "an integer in 2…\(maxAUCThresholds)", .int(numThresholds))
        }
        return AUC(numThresholds: numThresholds, curve: try r.choice("curve", default: .roc, allowed: [.roc, .pr]),
                   fromLogits: try r.bool("from_logits", default: false))
    },
    entry(F1Score.self, aliases: ["f1_score"]) { r in
        F1Score(average: try r.optionalChoice("average", allowed: [.micro, .macro, .weighted]),
                threshold: try r.unitInterval("threshold"))
    },
    entry(FBetaScore.self, aliases: ["f_beta_score", "fbeta_score"]) { r in
        let average: FBetaScore.Average? = try r.optionalChoice("average", allowed: [.micro, .macro, .weighted])
        let beta = try r.double("beta", default: 1)
        try r.validated { try FBetaScore.validate(beta: beta) }
        return FBetaScore(average: average, beta: beta, threshold: try r.unitInterval("threshold"))
    },
    entry(Metrics.MeanSquaredError.self, aliases: ["mean_squared_error", "mse", "MSE"]) { _ in Metrics.MeanSquaredError() },
    entry(Metrics.MeanAbsoluteError.self, aliases: ["mean_absolute_error", "mae", "MAE"]) { _ in Metrics.MeanAbsoluteError() },
    entry(Metrics.MeanAbsolutePercentageError.self, aliases: ["mean_absolute_percentage_error", "mape", "MAPE"]) { _ in Metrics.MeanAbsolutePercentageError() },
    entry(Metrics.MeanSquaredLogarithmicError.self, aliases: ["mean_squared_logarithmic_error", "msle", "MSLE"]) { _ in Metrics.MeanSquaredLogarithmicError() },
    entry(RootMeanSquaredError.self, aliases: ["root_mean_squared_error"]) { _ in RootMeanSquaredError() },
    entry(R2Score.self, aliases: ["r2_score"]) { r in
        // Keras writes `"class_aggregation": null` for no aggregation; absent means the default.
        let aggregation: R2Score.ClassAggregation? = r.config["class_aggregation"] == .null ? nil
            : try r.choice("class_aggregation", default: .uniformAverage, allowed: [.uniformAverage, .varianceWeightedAverage])
        _ = r.value("class_aggregation")
        let numRegressors = try r.int("num_regressors", default: 0)
        try r.validated { try R2Score.validate(numRegressors: numRegressors) }
        return R2Score(classAggregation: aggregation, numRegressors: numRegressors)
    },
    entry(Metrics.CosineSimilarity.self, aliases: ["cosine_similarity"]) { r in
        try r.unsupported("axis", allowing: -1)
        return Metrics.CosineSimilarity()
    },
    entry(LogCoshError.self, aliases: ["log_cosh_error", "logcosh"]) { _ in LogCoshError() },
    entry(Metrics.BinaryCrossentropy.self, aliases: ["binary_crossentropy", "bce", "BCE"]) { r in
        Metrics.BinaryCrossentropy(fromLogits: try r.bool("from_logits", default: false), labelSmoothing: try r.labelSmoothing())
    },
    entry(Metrics.CategoricalCrossentropy.self, aliases: ["categorical_crossentropy"]) { r in
        Metrics.CategoricalCrossentropy(fromLogits: try r.bool("from_logits", default: false), labelSmoothing: try r.labelSmoothing(),
                                        axis: try r.int("axis", default: -1))
    },
    entry(Metrics.SparseCategoricalCrossentropy.self, aliases: ["sparse_categorical_crossentropy"]) { r in
        try r.unsupported("axis", allowing: -1)
        return Metrics.SparseCategoricalCrossentropy(fromLogits: try r.bool("from_logits", default: false),
                                                     ignoreClass: try r.optionalInt("ignore_class"))
    },
    entry(Metrics.KLDivergence.self, aliases: ["kl_divergence", "kld", "KLD"]) { _ in Metrics.KLDivergence() },
    entry(Metrics.Poisson.self, aliases: ["poisson"]) { _ in Metrics.Poisson() },
    entry(Metrics.Hinge.self, aliases: ["hinge"]) { _ in Metrics.Hinge() },
    entry(Metrics.SquaredHinge.self, aliases: ["squared_hinge"]) { _ in Metrics.SquaredHinge() },
    entry(Metrics.CategoricalHinge.self, aliases: ["categorical_hinge"]) { _ in Metrics.CategoricalHinge() },
])
