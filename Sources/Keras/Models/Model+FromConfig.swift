extension Model {
    /// Recreates a functional model from Keras's `Functional` config (`layers` with
    /// `inbound_nodes`, `input_layers`, `output_layers`).
    public convenience init(functionalConfig config: Config) throws {
        guard let entries = config["layers"]?.arrayValue else {
            throw KerasError.invalidConfig("A functional model config needs \"layers\", received keys \(config.keys.sorted())")
        }
        var layersByName: [String: Layer] = [:]
        var pending: [(layer: Layer, nodes: [ConfigValue])] = []
        for entry in entries {
            let layer = try deserializeLayer(entry)
            layersByName[layer.name] = layer
            pending.append((layer, entry["inbound_nodes"]?.arrayValue ?? []))
        }
        // Output tensors of each (layer, node index) as they are recreated.
        var produced: [String: [KerasTensor]] = [:]
        for (name, layer) in layersByName { if let input = layer as? InputLayer { produced["\(name)/0"] = [input.outputTensor] } }
        func tensor(_ history: ConfigValue) -> KerasTensor? {
            guard let parts = history.arrayValue, parts.count == 3, let name = parts[0].stringValue,
                  let node = parts[1].intValue, let index = parts[2].intValue else { return nil }
            return produced["\(name)/\(node)"].flatMap { index < $0.count ? $0[index] : nil }
        }
        func historyOf(_ arg: ConfigValue) -> [ConfigValue] {
            if let list = arg.arrayValue { return list.flatMap(historyOf) }
            if let h = arg["config"]?["keras_history"] { return [h] }
            return []
        }
        var progress = true
        var nextNode = [String: Int]()
        while progress {
            progress = false
            for (layer, nodes) in pending {
                let index = nextNode[layer.name] ?? 0
                guard index < nodes.count else { continue }
                let histories = (nodes[index]["args"]?.arrayValue ?? []).flatMap(historyOf)
                let inputs = histories.compactMap(tensor)
                guard inputs.count == histories.count, !inputs.isEmpty else { continue }
                let outputs = layer.applySymbolic(inputs)
                if let error = outputs.first?.error { throw error }
                produced["\(layer.name)/\(layer.nodeCount - 1)"] = outputs
                nextNode[layer.name] = index + 1
                progress = true
            }
        }
        func endpoints(_ key: String) throws -> [KerasTensor] {
            let list = config[key]?.arrayValue ?? []
            let histories = list.first?.arrayValue != nil ? list : [.array(list)]
            return try histories.map { h in
                guard let t = tensor(h) else { throw KerasError.invalidConfig("Functional config: cannot resolve \(key) entry \(h)") }
                return t
            }
        }
        try self.init(inputs: try endpoints("input_layers"), outputs: try endpoints("output_layers"),
                      name: config["name"]?.stringValue)
    }
}
