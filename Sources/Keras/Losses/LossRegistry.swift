import KerasCore

/// The loss a string names: class names (`"SparseCategoricalCrossentropy"`), function names
/// (`"sparse_categorical_crossentropy"`) and aliases (`mse`, `mae`, `mape`, `msle`, `kld`, `bce`, …),
/// with default arguments.
///
/// ```swift
/// let loss = try lossNamed("sparse_categorical_crossentropy")
/// ```
///
/// - Throws: `KerasError.invalidConfig` for an unknown name.
public func lossNamed(_ name: String) throws -> any Loss {
    guard let loss = lossTable.make(named: name) else {
        throw KerasError.invalidConfig("Could not interpret loss identifier: '\(name)'; expected a Keras loss name such as 'mse', 'binary_crossentropy' or 'sparse_categorical_crossentropy'")
    }
    return loss
}

/// Rebuilds a loss from a name or Keras's serialized form (`{"class_name": "Huber", "config": {…}}`).
///
/// ```swift
/// let loss = try deserializeLoss(["class_name": "SparseCategoricalCrossentropy", "config": ["from_logits": true]])
/// ```
///
/// - Throws: `KerasError.invalidConfig` naming an unknown class, an unexpected key or a value
///   of the wrong type or range.
public func deserializeLoss(_ value: ConfigValue) throws -> any Loss {
    try lossTable.deserialize(value)
}

/// Makes a custom loss class loadable by ``deserializeLoss(_:)`` and ``lossNamed(_:)``
/// (Keras's `register_keras_serializable`); a registered class replaces a built-in of the same name.
///
/// ```swift
/// registerLoss(className: "ScaledMSE") { config in
///     LossFunction(name: config["name"]?.stringValue ?? "scaled_mse") { 2 * meanSquaredError($0, $1) }
/// }
/// ```
public func registerLoss(className: String, _ factory: @escaping @Sendable (Config) throws -> any Loss) {
    lossTable.register(className) { reader in
        reader.acceptAllKeys()
        return try factory(reader.config)
    }
}

/// The keys every loss takes: `name` (default: the class's), `reduction`, and `dtype` (ignored:
/// losses compute in the prediction's dtype).
private struct LossBase {
    var name: String
    var reduction: Reduction
}

/// A table entry for `L`, keyed by its class name; `make` reads the class's own keys.
private func entry<L: Loss>(_ prototype: L, aliases: [String],
                            _ make: @escaping @Sendable (inout ObjectConfigReader, LossBase) throws -> L)
    -> (String, [String], ObjectFactoryTable<any Loss>.Factory) {
    let defaultName = prototype.name
    return (L.className, aliases, { reader in
        let base = LossBase(name: try reader.optionalString("name") ?? defaultName,
                            reduction: try reader.choice("reduction", default: .sumOverBatchSize, allowed: Reduction.allCases))
        _ = reader.value("dtype")
        return try make(&reader, base)
    })
}

extension ObjectConfigReader {
    /// A finite number (label smoothing, focal parameters, Huber's delta).
    mutating func finite(_ key: String, default defaultValue: Double) throws -> Double {
        let d = try double(key, default: defaultValue)
        guard d.isFinite else { throw mismatch(key, "a finite number", .double(d)) }
        return d
    }

    /// A number strictly between 0 and 1 (`CategoricalGeneralizedCrossEntropy`'s `q`).
    mutating func openUnitInterval(_ key: String, default defaultValue: Double) throws -> Double {
        let d = try double(key, default: defaultValue)
        guard d > 0 && d < 1 else { throw mismatch(key, "a float in the interval (0, 1)", .double(d)) }
        return d
    }

    /// `CategoricalFocalCrossentropy`'s `alpha`: a finite number, or a non-empty list of them
    /// (one per class).
    mutating func focalAlpha() throws -> FocalAlpha {
        guard let v = present("alpha") else { return 0.25 }
        let expected = "a finite number or a non-empty list of finite numbers"
        if let d = v.doubleValue {
            guard d.isFinite else { throw mismatch("alpha", expected, v) }
            return .scalar(d)
        }
        guard let list = v.arrayValue?.compactMap(\.doubleValue), list.count == v.arrayValue?.count, !list.isEmpty,
              list.allSatisfy(\.isFinite) else { throw mismatch("alpha", expected, v) }
        return .perClass(list)
    }

    /// The `axis` of `Dice` and `Tversky`: `null` (every axis), an int, or a list of distinct ints.
    mutating func segmentationAxis() throws -> (axis: [Int]?, isList: Bool) {
        guard let found = try axes("axis") else { return (nil, true) }
        guard Set(found.axes).count == found.axes.count else {
            throw mismatch("axis", "distinct axes", .array(found.axes.map { .int($0) }))
        }
        return (found.axes, found.isList)
    }

    /// A label-smoothing factor in [0, 1].
    mutating func labelSmoothing() throws -> Double {
        let d = try double("label_smoothing", default: 0)
        guard d >= 0 && d <= 1 else { throw mismatch("label_smoothing", "a float in [0, 1]", .double(d)) }
        return d
    }
}

/// Class names, function names and Keras's aliases.
private let lossTable = ObjectFactoryTable<any Loss>(kind: "loss", entries: [
    entry(MeanSquaredError(), aliases: ["mean_squared_error", "mse", "MSE"]) { _, b in
        MeanSquaredError(reduction: b.reduction, name: b.name)
    },
    entry(MeanAbsoluteError(), aliases: ["mean_absolute_error", "mae", "MAE"]) { _, b in
        MeanAbsoluteError(reduction: b.reduction, name: b.name)
    },
    entry(MeanAbsolutePercentageError(), aliases: ["mean_absolute_percentage_error", "mape", "MAPE"]) { _, b in
        MeanAbsolutePercentageError(reduction: b.reduction, name: b.name)
    },
    entry(MeanSquaredLogarithmicError(), aliases: ["mean_squared_logarithmic_error", "msle", "MSLE"]) { _, b in
        MeanSquaredLogarithmicError(reduction: b.reduction, name: b.name)
    },
    entry(Huber(), aliases: ["huber", "huber_loss"]) { r, b in
        Huber(delta: try r.finite("delta", default: 1), reduction: b.reduction, name: b.name)
    },
    entry(LogCosh(), aliases: ["log_cosh", "logcosh"]) { _, b in LogCosh(reduction: b.reduction, name: b.name) },
    entry(KLDivergence(), aliases: ["kl_divergence", "kld", "KLD", "kullback_leibler_divergence"]) { _, b in
        KLDivergence(reduction: b.reduction, name: b.name)
    },
    entry(Poisson(), aliases: ["poisson"]) { _, b in Poisson(reduction: b.reduction, name: b.name) },
    entry(CosineSimilarity(), aliases: ["cosine_similarity"]) { r, b in
        CosineSimilarity(axis: try r.int("axis", default: -1), reduction: b.reduction, name: b.name)
    },
    entry(Hinge(), aliases: ["hinge"]) { _, b in Hinge(reduction: b.reduction, name: b.name) },
    entry(SquaredHinge(), aliases: ["squared_hinge"]) { _, b in SquaredHinge(reduction: b.reduction, name: b.name) },
    entry(CategoricalHinge(), aliases: ["categorical_hinge"]) { _, b in CategoricalHinge(reduction: b.reduction, name: b.name) },
    entry(BinaryCrossentropy(), aliases: ["binary_crossentropy", "bce", "BCE"]) { r, b in
        BinaryCrossentropy(fromLogits: try r.bool("from_logits", default: false), labelSmoothing: try r.labelSmoothing(),
                           axis: try r.int("axis", default: -1), reduction: b.reduction, name: b.name)
    },
    entry(BinaryFocalCrossentropy(), aliases: ["binary_focal_crossentropy"]) { r, b in
        BinaryFocalCrossentropy(applyClassBalancing: try r.bool("apply_class_balancing", default: false),
                                alpha: try r.finite("alpha", default: 0.25), gamma: try r.finite("gamma", default: 2),
                                fromLogits: try r.bool("from_logits", default: false), labelSmoothing: try r.labelSmoothing(),
                                axis: try r.int("axis", default: -1), reduction: b.reduction, name: b.name)
    },
    entry(CategoricalCrossentropy(), aliases: ["categorical_crossentropy"]) { r, b in
        CategoricalCrossentropy(fromLogits: try r.bool("from_logits", default: false), labelSmoothing: try r.labelSmoothing(),
                                axis: try r.int("axis", default: -1), reduction: b.reduction, name: b.name)
    },
    entry(SparseCategoricalCrossentropy(), aliases: ["sparse_categorical_crossentropy"]) { r, b in
        SparseCategoricalCrossentropy(fromLogits: try r.bool("from_logits", default: false),
                                      ignoreClass: try r.optionalInt("ignore_class"), reduction: b.reduction, name: b.name)
    },
    entry(CategoricalFocalCrossentropy(), aliases: ["categorical_focal_crossentropy"]) { r, b in
        CategoricalFocalCrossentropy(alpha: try r.focalAlpha(), gamma: try r.finite("gamma", default: 2),
                                     fromLogits: try r.bool("from_logits", default: false), labelSmoothing: try r.labelSmoothing(),
                                     axis: try r.int("axis", default: -1), reduction: b.reduction, name: b.name)
    },
    // Keras registers no string name for it; its serialized form still loads.
    entry(CategoricalGeneralizedCrossEntropy(), aliases: []) { r, b in
        CategoricalGeneralizedCrossEntropy(q: try r.openUnitInterval("q", default: 0.5), reduction: b.reduction, name: b.name)
    },
    entry(Dice(), aliases: ["dice"]) { r, b in
        var loss = Dice(axis: nil, reduction: b.reduction, name: b.name)
        (loss.axis, loss.axisIsList) = try r.segmentationAxis()
        return loss
    },
    entry(Tversky(), aliases: ["tversky"]) { r, b in
        var loss = Tversky(alpha: try r.finite("alpha", default: 0.5), beta: try r.finite("beta", default: 0.5),
                           axis: nil, reduction: b.reduction, name: b.name)
        (loss.axis, loss.axisIsList) = try r.segmentationAxis()
        return loss
    },
    entry(Circle(), aliases: ["circle"]) { r, b in
        Circle(gamma: try r.finite("gamma", default: 80), margin: try r.finite("margin", default: 0.4),
               removeDiagonal: try r.bool("remove_diagonal", default: true), reduction: b.reduction, name: b.name)
    },
    entry(CTC(), aliases: ["ctc"]) { _, b in CTC(reduction: b.reduction, name: b.name) },
])
