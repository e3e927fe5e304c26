import Foundation
import KerasCore

/// The Keras version written to `metadata.json` of saved `.keras` files (the format they follow).
let savedKerasVersion = "3.15.1"

extension Model {
    /// Saves the model to a `.keras` file (Keras's `model.save`): a zip of `metadata.json`,
    /// `config.json` (architecture and compile configuration) and `model.weights.h5` (weights and
    /// optimizer state), readable by Python Keras's `keras.saving.load_model`. A path ending in
    /// `.h5` writes Keras's legacy HDF5 format instead.
    ///
    /// The file is written to a temporary file in the same directory and renamed into place, so
    /// a crash mid-save leaves a previous file intact.
    ///
    /// ```swift
    /// try model.save(to: "mlp.keras")
    /// let restored = try loadModel("mlp.keras")
    /// ```
    ///
    /// - Throws: `KerasError.invalidArgument` for other extensions, `KerasError.unwritableFile`
    ///   when the file cannot be written.
    public func save(to path: String) throws {
        if path.hasSuffix(".h5") && !path.hasSuffix(".weights.h5") {
            try writeAtomically(LegacyH5.save(self), to: path)
            return
        }
        guard path.hasSuffix(".keras") else {
            throw KerasError.invalidArgument("Invalid filepath extension for saving. Please add either a `.keras` extension for the native Keras format (recommended) or a `.h5` extension. Received: filepath=\(path)")
        }
        try writeAtomically(kerasArchiveBytes(), to: path)
    }

    /// The bytes of the `.keras` file ``save(to:)`` writes.
    func kerasArchiveBytes() throws -> [UInt8] {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone.current
        formatter.dateFormat = "yyyy-MM-dd@HH:mm:ss"
        let metadata: ConfigValue = ["keras_version": .string(savedKerasVersion), "date_saved": .string(formatter.string(from: Date()))]
        var zip = ZipWriter()
        zip.add("metadata.json", Array(metadata.jsonString().utf8))
        zip.add("config.json", Array(savedConfig().jsonString().utf8))
        zip.add("model.weights.h5", try weightsFileBytes())
        return zip.finish()
    }

    /// `serialize_keras_object(model)` with `build_config` and `compile_config`.
    func savedConfig() -> ConfigValue {
        guard case .object(var entry) = serializeLayer(self) else { return .null }
        if graph != nil {
            entry["build_config"] = ["input_shape": nil]
        } else if built, let shapes = buildShapes {
            entry["build_config"] = buildConfig(type(of: self), shapes: shapes)
        }
        entry["compile_config"] = compileConfig.map(ConfigValue.object) ?? .null
        return .object(entry)
    }

    /// The bytes of a `.weights.h5` file with this model's weights and optimizer state.
    func weightsFileBytes() throws -> [UInt8] {
        let variables = weights + (optimizer?.variables ?? [])
        let file = try HDF5File(capacity: variables.reduce(1 << 20) { $0 + $1.shape.reduce($1.dtype.byteSize, *) + 1024 })
        try WeightsStore.save(self, optimizer: optimizer, into: file.root)
        return try file.bytes()
    }

    /// Saves the weights (and the optimizer state, when compiled) to a `.weights.h5` file
    /// (Keras's `model.save_weights`), in Keras 3's layout, so Python Keras's `load_weights`
    /// reads it. Written atomically like ``save(to:)``.
    ///
    /// ```swift
    /// try model.saveWeights(to: "mlp.weights.h5")
    /// try sameArchitecture.loadWeights(from: "mlp.weights.h5")
    /// ```
    ///
    /// - Throws: `KerasError.invalidArgument` unless the path ends in `.weights.h5`.
    public func saveWeights(to path: String) throws {
        guard path.hasSuffix(".weights.h5") else {
            throw KerasError.invalidArgument("The filename must end in `.weights.h5`. Received: filepath=\(path)")
        }
        try writeAtomically(weightsFileBytes(), to: path)
    }

    /// Loads weights into this (built) model from a `.weights.h5` file, a `.keras` file or a
    /// legacy `.h5` file (Keras's `model.load_weights`). With a compiled model, the optimizer
    /// state in the file is restored too.
    ///
    /// ```swift
    /// try model.loadWeights(from: "mlp.weights.h5")
    /// ```
    ///
    /// - Throws: `KerasError` for unreadable or corrupt files and for variables whose count or
    ///   shape differs from the model's (naming the layer); nothing is assigned then.
    public func loadWeights(from path: String) throws {
        let bytes = try readFileBytes(path)
        if path.hasSuffix(".keras") {
            let zip = try ZipReader(bytes: bytes, name: path)
            try loadWeightsFile(zip.data("model.weights.h5"), name: path + "/model.weights.h5")
        } else if path.hasSuffix(".weights.h5") {
            try loadWeightsFile(bytes, name: path)
        } else if path.hasSuffix(".h5") {
            try LegacyH5.loadWeights(into: self, file: HDF5Reader(bytes: bytes, name: path))
        } else {
            throw KerasError.invalidArgument("File format not supported: filepath=\(path). Keras 3 only supports V3 `.keras` and `.weights.h5` files, or legacy H5 format files (`.h5` extension).")
        }
    }

    func loadWeightsFile(_ bytes: [UInt8], name: String) throws {
        let file = try HDF5Reader(bytes: bytes, name: name)
        try WeightsStore.load(self, optimizer: optimizer, from: file.root)
    }

    /// The model's architecture as Keras JSON (`model.to_json()`), for ``modelFromJSON(_:customObjects:safeMode:)``
    /// and Python's `keras.models.model_from_json`.
    ///
    /// ```swift
    /// let json = model.toJSON()
    /// let copy = try modelFromJSON(json)   // same architecture, fresh weights
    /// ```
    public func toJSON() -> String { serializeLayer(self).jsonString() }

    /// Configures training from a Keras `compile_config` (what `.keras` files store): optimizer,
    /// loss(es), loss weights and metrics.
    ///
    /// ```swift
    /// try copy.compile(config: model.compileConfig!)
    /// ```
    ///
    /// - Throws: `KerasError.invalidConfig` for entries that are malformed or name unknown classes.
    public func compile(config: Config) throws {
        let optimizer = try deserializeOptimizer(config["optimizer"] ?? "rmsprop")
        let names = outputNames.isEmpty ? [name] : outputNames
        func loss(_ value: ConfigValue) throws -> (any LossConvertible)? {
            switch value {
            case .null: return nil
            case .string(let s): return s
            case .array(let list): return try list.map { try loss($0) ?? NoLoss() } as [any LossConvertible]
            case .object(let o) where o["class_name"] == nil:
                return try o.mapValues { try loss($0) ?? NoLoss() } as [String: any LossConvertible]
            default: return try deserializeLoss(value)
            }
        }
        func metric(_ value: ConfigValue) throws -> any MetricConvertible {
            if let s = value.stringValue { return s }
            return try deserializeMetric(value)
        }
        var flat: [any MetricConvertible] = [], perOutput: [String: [any MetricConvertible]] = [:]
        switch config["metrics"] ?? .null {
        case .null: break
        case .array(let list) where list.contains(where: { $0.arrayValue != nil }):
            guard list.count == names.count else {
                throw KerasError.invalidConfig("compile_config: \"metrics\" lists \(list.count) per-output lists for \(names.count) outputs")
            }
            for (i, entry) in list.enumerated() { perOutput[names[i]] = try (entry.arrayValue ?? [entry]).filter { !$0.isNull }.map(metric) }
        case .array(let list): flat = try list.filter { !$0.isNull }.map(metric)
        case .object(let o) where o["class_name"] == nil:
            for (key, entry) in o { perOutput[key] = try (entry.arrayValue ?? [entry]).filter { !$0.isNull }.map(metric) }
        case let single: flat = [try metric(single)]
        }
        let weighted = try (config["weighted_metrics"]?.arrayValue ?? []).filter { !$0.isNull }.map(metric)
        var lossWeights: (any LossWeightsConvertible)?
        switch config["loss_weights"] ?? .null {
        case .array(let list): lossWeights = try list.map { v -> Double in
            guard let d = v.doubleValue else { throw KerasError.invalidConfig("compile_config: \"loss_weights\" entries must be numbers, received \(v)") }
            return d
        }
        case .object(let o): lossWeights = try o.mapValues { v -> Double in
            guard let d = v.doubleValue else { throw KerasError.invalidConfig("compile_config: \"loss_weights\" entries must be numbers, received \(v)") }
            return d
        }
        case .null: break
        case let other: throw KerasError.invalidConfig("compile_config: \"loss_weights\" must be a list, a dictionary or null, received \(other)")
        }
        try compile(optimizer: optimizer, loss: loss(config["loss"] ?? .null), metrics: flat, outputMetrics: perOutput,
                    weightedMetrics: weighted, lossWeights: lossWeights)
    }
}

/// A per-output loss entry of `null` in a saved compile config (that output has no loss).
private struct NoLoss: LossConvertible {
    func makeLosses(outputNames: [String]) throws -> [(any Loss)?] { outputNames.map { _ in nil } }
}

/// Loads a model saved by ``Model/save(to:)`` or by Python Keras (Keras's
/// `keras.saving.load_model`): a `.keras` file, or a legacy `.h5` file (Keras 2 or Keras 3's
/// legacy writer). With `compile` (the default) a saved compile configuration is applied and the
/// optimizer state restored, so `fit` continues where it stopped.
///
/// Custom classes and functions load from `customObjects` (Keras's `custom_objects`, in effect
/// for this load only) or, failing that, from the global registrations of
/// ``registerLayer(className:_:)``, ``registerLoss(className:_:)`` and ``registerMetric(className:_:)``. With
/// `safeMode` (the default), configs holding `Lambda` layers are refused, as in Keras: their
/// code cannot be checked.
///
/// ```swift
/// let model = try loadModel("mlp.keras")
/// let y = try model.predict(x)
/// ```
///
/// - Throws: `KerasError` for missing, truncated, corrupt or hostile files (bad zip entries,
///   absurd shapes, weights that do not fit the architecture), unknown layer classes (naming the
///   class), and `Lambda` layers in safe mode. It never stops the program.
public func loadModel(_ path: String, customObjects: CustomObjects = CustomObjects(), compile: Bool = true,
                      safeMode: Bool = true) throws -> Model {
    try customObjects.scoped { try loadModelFile(path, compile: compile, safeMode: safeMode) }
}

private func loadModelFile(_ path: String, compile: Bool, safeMode: Bool) throws -> Model {
    let bytes = try readFileBytes(path)
    if path.hasSuffix(".h5") {
        return try LegacyH5.loadModel(HDF5Reader(bytes: bytes, name: path), compile: compile, safeMode: safeMode)
    }
    guard path.hasSuffix(".keras") else {
        throw KerasError.invalidArgument("File format not supported: filepath=\(path). Keras 3 only supports V3 `.keras` files and legacy H5 format files (`.h5` extension).")
    }
    return try loadKerasArchive(bytes: bytes, name: path, compile: compile, safeMode: safeMode)
}

/// Loads a `.keras` archive held in memory (see ``loadModel(_:customObjects:compile:safeMode:)``).
func loadKerasArchive(bytes: [UInt8], name: String, compile: Bool, safeMode: Bool) throws -> Model {
    let zip = try ZipReader(bytes: bytes, name: name)
    let configBytes = try zip.data("config.json")
    guard let text = String(validating: configBytes, as: UTF8.self) else {
        throw KerasError.corruptFile(file: name, expected: "UTF-8 text in config.json", got: "other bytes")
    }
    let config = try ConfigValue.parse(json: text)
    let weights = try zip.contains("model.weights.h5")
        ? HDF5Reader(bytes: zip.data("model.weights.h5"), name: name + "/model.weights.h5") : nil
    // No weight the config builds may be larger than the largest one the file stores.
    let largest = try weights?.root.largestDatasetElements() ?? 0
    // The weights file then sets every weight (a missing one throws), so initializers do not run.
    let model = try WeightLimit.$current.withValue(max(largest, 1 << 20)) {
        try WeightLimit.$skipsInitializers.withValue(weights != nil) { try modelFromConfig(config, safeMode: safeMode) }
    }
    if compile, let compileConfig = config["compile_config"]?.objectValue {
        try model.compile(config: compileConfig)
    }
    try loadVocabularyAssets(model, from: zip, weights: weights?.root)
    if let weights { try WeightsStore.load(model, optimizer: model.optimizer, from: weights.root) }
    return model
}

/// Recreates a model from Keras JSON (`keras.models.model_from_json`): the architecture, with
/// fresh weights. Custom classes come from `customObjects`, then from the global registrations.
///
/// ```swift
/// let copy = try modelFromJSON(model.toJSON())
/// ```
///
/// - Throws: `KerasError.invalidConfig` for malformed JSON, unknown classes and `Lambda` layers
///   in safe mode.
public func modelFromJSON(_ json: String, customObjects: CustomObjects = CustomObjects(), safeMode: Bool = true) throws -> Model {
    try customObjects.scoped { try modelFromConfig(ConfigValue.parse(json: json), safeMode: safeMode) }
}

/// A model from its serialized form, after the safe-mode check.
func modelFromConfig(_ config: ConfigValue, safeMode: Bool) throws -> Model {
    if safeMode, let lambda = firstLambda(in: config) {
        throw KerasError.invalidConfig("Requested the deserialization of a Lambda layer (\"\(lambda)\") whose code cannot be checked. Lambda layers are refused in safe mode; pass safeMode: false only for files you trust.")
    }
    let layer = try deserializeLayer(config)
    guard let model = layer as? Model else {
        throw KerasError.invalidConfig("Expected a serialized model (Sequential, Functional or a registered Model subclass), received a \(layer.className) layer")
    }
    return model
}

/// The name of the first `Lambda` layer in a serialized config, searching nested objects.
private func firstLambda(in value: ConfigValue, depth: Int = 0) -> String? {
    guard depth < 64 else { return nil }
    switch value {
    case .object(let o):
        if o["class_name"]?.stringValue == "Lambda" { return o["config"]?["name"]?.stringValue ?? "lambda" }
        for v in o.values { if let found = firstLambda(in: v, depth: depth + 1) { return found } }
    case .array(let a):
        for v in a { if let found = firstLambda(in: v, depth: depth + 1) { return found } }
    default: break
    }
    return nil
}
