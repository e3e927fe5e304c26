extension Model {
    /// Recreates a functional model from Keras's `Functional` config (`layers` with
    /// `inbound_nodes`, `input_layers`, `output_layers`).
    ///
    /// ```swift
    /// let copy = try Model(functionalConfig: model.getConfig())
    /// ```
    ///
    /// - Throws: `KerasError.invalidConfig` for malformed layer entries, duplicate layer names,
    ///   inbound nodes or endpoints that are malformed or name tensors no layer produces, and
    ///   calls a layer rejects.
    public convenience init(functionalConfig config: Config) throws {
        var r = ObjectConfigReader(className: "Functional", config: config)
        let name = try r.optionalString("name")
        guard let entries = r.value("layers")?.arrayValue else {
            throw r.mismatch("layers", "a list of serialized layers", config["layers"] ?? .null, absent: config["layers"] == nil)
        }
        var layersByName: [String: Layer] = [:]
        var pending: [(layer: Layer, nodes: [[ConfigValue]])] = []
        for entry in entries {
            let layer = try deserializeLayer(entry)
            guard layersByName[layer.name] == nil else {
                throw KerasError.invalidConfig("Functional config: the layer name \"\(layer.name)\" is used more than once")
            }
            layersByName[layer.name] = layer
            pending.append((layer, try Self.inboundNodes(of: layer, entry["inbound_nodes"])))
        }
        // Output tensors of each (layer, node index) as they are recreated.
        var produced: [String: [KerasTensor]] = [:]
        for (name, layer) in layersByName { if let input = layer as? InputLayer { produced["\(name)/0"] = [input.outputTensor] } }
        func tensor(_ history: ConfigValue) -> KerasTensor? {
            guard let parts = history.arrayValue, parts.count == 3, let name = parts[0].stringValue,
                  let node = parts[1].intValue, let index = parts[2].intValue,
                  let outputs = produced["\(name)/\(node)"], outputs.indices.contains(index) else { return nil }
            return outputs[index]
        }
        var progress = true
        var nextNode = [String: Int]()
        while progress {
            progress = false
            for (layer, nodes) in pending {
                let index = nextNode[layer.name] ?? 0
                guard index < nodes.count else { continue }
                let histories = nodes[index]
                let inputs = histories.compactMap(tensor)
                guard inputs.count == histories.count else { continue }
                if inputs.count != 1 && !takesSeveralInputs(layer) {
                    throw KerasError.invalidConfig("Functional config: layer \"\(layer.name)\" (\(layer.className)) takes one input, but inbound node \(index) passes \(inputs.count)")
                }
                let outputs = layer.applySymbolic(inputs)
                if let error = outputs.first?.error {
                    throw KerasError.invalidConfig("Functional config: calling layer \"\(layer.name)\" failed: \(error)")
                }
                produced["\(layer.name)/\(layer.nodeCount - 1)"] = outputs
                nextNode[layer.name] = index + 1
                progress = true
            }
        }
        for (layer, nodes) in pending where (nextNode[layer.name] ?? 0) < nodes.count {
            let index = nextNode[layer.name] ?? 0
            throw KerasError.invalidConfig("Functional config: inbound node \(index) of layer \"\(layer.name)\" reads tensors no layer produces: \(ConfigValue.array(nodes[index]))")
        }
        func endpoints(_ key: String) throws -> [KerasTensor] {
            guard let list = r.value(key)?.arrayValue, !list.isEmpty else {
                throw r.mismatch(key, "a non-empty list of [layer name, node index, tensor index] entries", config[key] ?? .null, absent: config[key] == nil)
            }
            let histories = list.first?.arrayValue != nil ? list : [.array(list)]
            return try histories.map { h in
                guard let t = tensor(h) else { throw KerasError.invalidConfig("Functional config: cannot resolve \(key) entry \(h)") }
                return t
            }
        }
        let inputs = try endpoints("input_layers"), outputs = try endpoints("output_layers")
        do { _ = try FunctionalGraph(inputs: inputs, outputs: outputs) } catch {
            throw KerasError.invalidConfig("Functional config: \(error)")
        }
        try self.init(inputs: inputs, outputs: outputs, name: name)
        singleInput = config["input_layers"]?.arrayValue?.first?.arrayValue == nil
        singleOutput = config["output_layers"]?.arrayValue?.first?.arrayValue == nil
    }

    /// The tensor histories (`[layer name, node index, tensor index]`) each inbound node of a
    /// layer entry reads, from Keras 3's `{"args": [...], "kwargs": {...}}` nodes.
    private static func inboundNodes(of layer: Layer, _ value: ConfigValue?) throws -> [[ConfigValue]] {
        guard let value, !value.isNull else { return [] }
        let malformed = KerasError.invalidConfig("Functional config: layer \"\(layer.name)\": expected \"inbound_nodes\" to be a list of {\"args\": [...], \"kwargs\": {...}} objects, received \(value)")
        guard let nodes = value.arrayValue else { throw malformed }
        func histories(_ arg: ConfigValue) -> [ConfigValue] {
            if let list = arg.arrayValue { return list.flatMap(histories) }
            if let h = arg["config"]?["keras_history"] { return [h] }
            return []
        }
        let argumentNames = type(of: layer).callArgumentNames ?? []
        return try nodes.map { node in
            guard let args = node["args"]?.arrayValue else { throw malformed }
            // Inputs passed by name (`mha(query=q, value=v)`) follow the positional ones.
            let named = argumentNames.compactMap { node["kwargs"]?[$0] }
            let found = (args + named).flatMap(histories)
            guard !found.isEmpty else { throw malformed }
            return found
        }
    }
}
