import KerasCore

/// Keras's legacy HDF5 model format (`model.save("m.h5")` in Keras 2, and Keras 3's legacy
/// writer): root attributes `model_config` (JSON) and `training_config`; `/model_weights` with a
/// `layer_names` attribute and, per layer with weights, a group whose `weight_names` attribute
/// lists the datasets holding its trainable then non-trainable weights.
enum LegacyH5 {
    /// The bytes of a legacy `.h5` file for `model` (architecture, training config, weights).
    static func save(_ model: Model) throws -> [UInt8] {
        let file = try HDF5File()
        let root = try file.root
        try root.setAttribute("backend", "jax")
        try root.setAttribute("keras_version", savedKerasVersion)
        try root.setAttribute("model_config", serializeLayer(model).jsonString())
        if let compileConfig = model.compileConfig {
            try root.setAttribute("training_config", ConfigValue.object(legacyTrainingConfig(compileConfig)).jsonString())
        }
        let weights = try root.createGroup("model_weights")
        try weights.setAttribute("backend", "jax")
        try weights.setAttribute("keras_version", savedKerasVersion)
        try weights.setAttribute("layer_names", strings: model.layers.map(\.name))
        try withoutRecording {
            for layer in model.layers {
                let group = try weights.createGroup(layer.name)
                let variables = layer.trainableWeights + layer.nonTrainableWeights
                var names: [String] = []
                for (i, v) in variables.enumerated() {
                    let name = "\(layer.name)/\(v.name)_\(i)"
                    names.append(name)
                    let parts = name.split(separator: "/")
                    let holder = try group.createGroup(parts.dropLast().joined(separator: "/"))
                    try holder.write(v.value, as: String(parts.last!))
                }
                try group.setAttribute("weight_names", strings: names)
            }
        }
        return try file.bytes()
    }

    /// A model from a legacy `.h5` file: its `model_config` (Keras 2 configs are translated),
    /// compiled from `training_config` when asked, with its weights.
    static func loadModel(_ file: HDF5Reader, compile: Bool, safeMode: Bool) throws -> Model {
        let root = try file.root
        guard let text = try root.stringAttribute("model_config") else {
            throw KerasError.corruptFile(file: file.name, expected: "a root attribute model_config (a legacy Keras model file)", got: "none; use loadWeights(from:) for weights-only files")
        }
        let config = translateKeras2(try ConfigValue.parse(json: text))
        let largest = try root.largestDatasetElements()
        let model = try WeightLimit.$current.withValue(max(largest, 1 << 20)) {
            try WeightLimit.$skipsInitializers.withValue(true) { try modelFromConfig(config, safeMode: safeMode) }
        }
        if compile, let training = try root.stringAttribute("training_config"),
           let trainingConfig = try ConfigValue.parse(json: training).objectValue {
            // As Keras: a training config this library cannot apply leaves the model uncompiled.
            do { try model.compile(config: compileConfig(fromLegacy: trainingConfig)) } catch {
                emitWarning("Error in loading the saved optimizer state or training configuration of \(file.name); the model is not compiled: \(error)")
            }
        }
        try loadWeights(into: model, file: file)
        return model
    }

    /// Keras's legacy `training_config`: the compile config with the optimizer as
    /// `optimizer_config: {class_name, config}` instead of a serialized `optimizer`.
    static func legacyTrainingConfig(_ compileConfig: Config) -> Config {
        var training = compileConfig
        if let optimizer = training.removeValue(forKey: "optimizer"), let className = optimizer["class_name"] {
            training["optimizer_config"] = ["class_name": className, "config": optimizer["config"] ?? [:]]
        }
        return training
    }

    /// The compile config of a legacy `training_config` (Keras 2 and Keras 3's legacy writer keep
    /// the optimizer under `optimizer_config`).
    static func compileConfig(fromLegacy training: Config) -> Config {
        var config = training
        if config["optimizer"] == nil, let optimizer = config.removeValue(forKey: "optimizer_config") {
            config["optimizer"] = optimizer
        }
        return config
    }

    /// Loads `/model_weights` (or the root, for `save_weights("x.h5")` files) into `model`, layer
    /// by layer in order, over the layers that have weights.
    static func loadWeights(into model: Model, file: HDF5Reader) throws {
        let root = try file.root
        let group = try root.group("model_weights") ?? root
        guard let layerNames = try strings(group, "layer_names") else {
            throw KerasError.corruptFile(file: file.name, expected: "a layer_names attribute (legacy Keras weights)", got: "none")
        }
        let layers = model.layers.filter { !($0.trainableWeights + $0.nonTrainableWeights).isEmpty }
        var saved: [(name: String, weights: [String], group: HDF5Reader.Group)] = []
        for name in layerNames {
            guard let layerGroup = try group.group(name) else {
                throw KerasError.corruptFile(file: file.name, expected: "a group for layer \(name)", got: "none")
            }
            let weightNames = try strings(layerGroup, "weight_names") ?? []
            if !weightNames.isEmpty { saved.append((name, weightNames, layerGroup)) }
        }
        guard saved.count == layers.count else {
            throw KerasError.weightsMismatch(layer: model.name, message: "Layer count mismatch when loading weights from file. Model expected \(layers.count) layers, found \(saved.count) saved layers.")
        }
        var assignments: [(Variable, Tensor)] = []
        for (k, (layer, entry)) in zip(layers, saved).enumerated() {
            let variables = layer.trainableWeights + layer.nonTrainableWeights
            guard variables.count == entry.weights.count else {
                throw KerasError.weightsMismatch(layer: layer.name, message: "Weight count mismatch for layer #\(k) (named \(layer.name) in the current model, \(entry.name) in the save file). Layer expects \(variables.count) weight(s). Received \(entry.weights.count) saved weight(s)")
            }
            for (v, weightName) in zip(variables, entry.weights) {
                let parts = weightName.split(separator: "/").map(String.init)
                guard let last = parts.last, let holder = try entry.group.group(parts.dropLast().joined(separator: "/")),
                      let shape = try holder.datasetShape(last) else {
                    throw KerasError.corruptFile(file: file.name, expected: "a dataset \(entry.name)/\(weightName)", got: "none")
                }
                guard shape == v.shape else {
                    throw KerasError.weightsMismatch(layer: layer.name, message: "Shape mismatch in layer #\(k) (named \(layer.name)) for weight \(v.name). Weight expects shape \(formatShape(v.shape)). Received saved weight with shape \(formatShape(shape))")
                }
                assignments.append((v, try holder.read(last, as: v.dtype == .bool ? nil : v.dtype)))
            }
        }
        withoutRecording { for (v, t) in assignments { v.assign(t) } }
    }

    /// A list-of-strings attribute as Keras's legacy writer stores it: whole as `name`, or, when
    /// too large for one attribute, split into `name0`, `name1`, ...
    static func strings(_ group: HDF5Reader.Group, _ name: String) throws -> [String]? {
        if let list = try group.stringsAttribute(name) { return list }
        var list: [String] = [], chunk = 0
        while let part = try group.stringsAttribute("\(name)\(chunk)") {
            list += part
            chunk += 1
        }
        return chunk == 0 ? nil : list
    }

    /// Rewrites a Keras 2 model config into Keras 3's form: `batch_input_shape` becomes
    /// `batch_shape`, class `Model` becomes `Functional`, and inbound nodes written as
    /// `[[["name", node, tensor, {}], ...]]` become `{"args": [...], "kwargs": {}}`.
    static func translateKeras2(_ value: ConfigValue, depth: Int = 0) -> ConfigValue {
        guard depth < 64 else { return value }
        switch value {
        case .array(let a): return .array(a.map { translateKeras2($0, depth: depth + 1) })
        case .object(var o):
            if o["class_name"]?.stringValue == "Model" { o["class_name"] = "Functional" }
            if var config = o["config"]?.objectValue {
                if let shape = config.removeValue(forKey: "batch_input_shape"), config["batch_shape"] == nil { config["batch_shape"] = shape }
                if let dtype = config["dtype"]?.stringValue, o["class_name"]?.stringValue != "InputLayer" {
                    config["dtype"] = dtypePolicyConfig(DType(name: dtype) ?? .float32)
                }
                o["config"] = .object(config)
            }
            if let nodes = o["inbound_nodes"]?.arrayValue, nodes.allSatisfy({ $0.arrayValue != nil }) {
                o["inbound_nodes"] = .array(nodes.map { node in
                    let args: [ConfigValue] = (node.arrayValue ?? []).compactMap { entry in
                        guard let parts = entry.arrayValue, parts.count >= 3 else { return nil }
                        return ["class_name": "__keras_tensor__", "config": ["keras_history": .array(Array(parts.prefix(3)))]]
                    }
                    return ["args": args.count == 1 ? [args[0]] : [.array(args)], "kwargs": [:]]
                })
            }
            return .object(o.mapValues { translateKeras2($0, depth: depth + 1) })
        default: return value
        }
    }
}
