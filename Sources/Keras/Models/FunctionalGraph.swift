/// The graph of a functional model: nodes in execution order and a slot plan so an eager call
/// runs through arrays, not dictionaries (Keras's `map_graph`).
struct FunctionalGraph {
    let inputs: [KerasTensor]
    let outputs: [KerasTensor]
    /// Non-input nodes in execution order (deepest first).
    let nodes: [Node]
    /// Every node of the graph by depth (0 = outputs), input nodes included.
    let nodesByDepth: [[Node]]
    /// Layers in Keras's order (`model.layers`): by decreasing depth, then first traversal.
    let layers: [Layer]
    let inputSlots: [Int]
    let nodeInputSlots: [[Int]]
    /// Slot of each output of each node (-1 when nothing reads it).
    let nodeOutputSlots: [[Int]]
    let outputSlots: [Int]
    let slotCount: Int
    /// Whether node `i`'s only output is read by node `i + 1` alone, which reads nothing else
    /// and has one output: the pair may run fused in inference (``Layer/callFused(_:then:)``).
    let feedsNextOnly: [Bool]

    init(inputs: [KerasTensor], outputs: [KerasTensor]) throws {
        if let error = (inputs + outputs).lazy.compactMap(\.error).first { throw error }
        for (i, t) in inputs.enumerated() where !(t.node?.isInput ?? false) {
            throw KerasError.invalidArgument("All `inputs` values must be KerasTensors created by Input(shape:). Received inputs[\(i)]=\(t), produced by layer \"\(t.sourceLayer?.name ?? "nothing")\"")
        }
        self.inputs = inputs
        self.outputs = outputs

        // Depth-first search from the outputs (Keras's _build_map).
        var finished = Set<ObjectIdentifier>(), inProgress = Set<ObjectIdentifier>()
        var ordered: [Node] = []
        var layerIndex: [ObjectIdentifier: Int] = [:]
        func visit(_ tensor: KerasTensor) throws {
            guard let node = tensor.node else {
                throw KerasError.graphDisconnected("Graph disconnected: tensor \(tensor) was not produced by a layer")
            }
            let id = ObjectIdentifier(node)
            if finished.contains(id) { return }
            if inProgress.contains(id) {
                throw KerasError.graphDisconnected("Tensor \(tensor) from layer \"\(node.layer.name)\" is part of a cycle.")
            }
            if layerIndex[ObjectIdentifier(node.layer)] == nil { layerIndex[ObjectIdentifier(node.layer)] = layerIndex.count }
            inProgress.insert(id)
            if !node.isInput { for input in node.inputs { try visit(input) } }
            finished.insert(id)
            inProgress.remove(id)
            ordered.append(node)
        }
        for output in outputs { try visit(output) }

        // Depths: outputs 0, each parent deeper than its consumers.
        var nodeDepth: [ObjectIdentifier: Int] = [:]
        var layerDepth: [ObjectIdentifier: Int] = [:]
        let inGraph = Set(ordered.map(ObjectIdentifier.init))
        for node in ordered.reversed() {
            var depth = nodeDepth[ObjectIdentifier(node)] ?? 0
            depth = Swift.max(depth, layerDepth[ObjectIdentifier(node.layer)] ?? 0)
            layerDepth[ObjectIdentifier(node.layer)] = depth
            nodeDepth[ObjectIdentifier(node)] = depth
            for input in node.inputs {
                guard let parent = input.node, inGraph.contains(ObjectIdentifier(parent)) else { continue }
                nodeDepth[ObjectIdentifier(parent)] = Swift.max(depth + 1, nodeDepth[ObjectIdentifier(parent)] ?? 0)
            }
        }
        for input in inputs {
            let layer = input.node!.layer
            if layerDepth[ObjectIdentifier(layer)] == nil {
                layerDepth[ObjectIdentifier(layer)] = 0
                layerIndex[ObjectIdentifier(layer)] = -1
                nodeDepth[ObjectIdentifier(input.node!)] = 0
                ordered.append(input.node!)
            }
        }
        let maxDepth = nodeDepth.values.max() ?? 0
        var byDepth = [[Node]](repeating: [], count: maxDepth + 1)
        var seenNodes = Set<ObjectIdentifier>()
        for node in ordered where seenNodes.insert(ObjectIdentifier(node)).inserted {
            byDepth[nodeDepth[ObjectIdentifier(node)]!].append(node)
        }
        self.nodesByDepth = byDepth

        var layerByID: [ObjectIdentifier: Layer] = [:]
        for node in ordered { layerByID[ObjectIdentifier(node.layer)] = node.layer }
        self.layers = layerByID.keys.sorted { a, b in
            let (da, db) = (layerDepth[a]!, layerDepth[b]!)
            return da != db ? da > db : layerIndex[a]! < layerIndex[b]!
        }.map { layerByID[$0]! }
        let names = layers.map(\.name)
        for name in names where names.filter({ $0 == name }).count > 1 {
            throw KerasError.invalidArgument("The name \"\(name)\" is used \(names.filter { $0 == name }.count) times in the model. All layer names should be unique.")
        }

        // Execution order and connectivity check.
        var slots: [ObjectIdentifier: Int] = [:]
        func key(_ t: KerasTensor) -> ObjectIdentifier { ObjectIdentifier(t) }
        for t in inputs where slots[key(t)] == nil { slots[key(t)] = slots.count }
        self.inputSlots = inputs.map { slots[key($0)]! }
        var executed: [Node] = []
        var accessed: [String] = []
        for depthNodes in byDepth.reversed() {
            for node in depthNodes where !node.isInput {
                for t in node.inputs where slots[key(t)] == nil {
                    throw KerasError.graphDisconnected("Graph disconnected: cannot find parent for tensor \(t) at layer \"\(node.layer.name)\". The following previous layers were accessed without issue: \(accessed)")
                }
                accessed.append(node.layer.name)
                executed.append(node)
                for t in node.outputs where slots[key(t)] == nil { slots[key(t)] = slots.count }
            }
        }
        for t in outputs where slots[key(t)] == nil {
            throw KerasError.graphDisconnected("Graph disconnected: output \(t) cannot be computed from the model inputs")
        }
        self.nodes = executed
        self.nodeInputSlots = executed.map { $0.inputs.map { slots[key($0)]! } }
        self.nodeOutputSlots = executed.map { node in
            var result = [Int](repeating: -1, count: node.outputCount)
            for t in node.outputs where t.tensorIndex < result.count { result[t.tensorIndex] = slots[key(t)]! }
            return result
        }
        self.outputSlots = outputs.map { slots[key($0)]! }
        self.slotCount = slots.count
        var readers = [Int](repeating: 0, count: slots.count)
        for slot in nodeInputSlots.joined() { readers[slot] += 1 }
        for slot in outputSlots { readers[slot] += 1 }
        let (inputSlots, outputSlotsOfNodes) = (nodeInputSlots, nodeOutputSlots)
        self.feedsNextOnly = executed.indices.map { i in
            guard i + 1 < executed.count, inputSlots[i].count == 1, outputSlotsOfNodes[i].count == 1,
                  outputSlotsOfNodes[i + 1].count == 1, case let slot = outputSlotsOfNodes[i][0], slot >= 0 else { return false }
            return inputSlots[i + 1] == [slot] && readers[slot] == 1
        }
    }

    /// Runs the graph on real tensors.
    func run(_ values: [Tensor], training: Bool) -> [Tensor] {
        var slots = [Tensor?](repeating: nil, count: slotCount)
        // The mask each tensor carries (Keras's `_keras_mask`), allocated at the first mask.
        var masks: [Tensor?] = []
        for (slot, value) in zip(inputSlots, values) { slots[slot] = value }
        var fusedNext = false
        for (i, node) in nodes.enumerated() {
            if fusedNext {
                fusedNext = false
                continue
            }
            let inSlots = nodeInputSlots[i]
            let outSlots = nodeOutputSlots[i]
            let mode = node.training ?? training
            let layer = node.layer
            let inMasks = masks.isEmpty ? [] : inSlots.map { masks[$0] }
            // A pair with a fused inference form (a convolution followed by max pooling).
            if feedsNextOnly[i], !mode, !(nodes[i + 1].training ?? training), inMasks.allSatisfy({ $0 == nil }),
               case let next = nodes[i + 1].layer, !(next is Merge), let y = layer.callFused(slots[inSlots[0]]!, then: next) {
                if case let slot = nodeOutputSlots[i + 1][0], slot >= 0 { slots[slot] = y }
                fusedNext = true
                continue
            }
            if inMasks.contains(where: { $0 != nil }) {
                let result = layer.applyMasked(inSlots.map { slots[$0]! }, masks: inMasks, training: mode)
                for (k, slot) in outSlots.enumerated() where slot >= 0 && k < result.outputs.count {
                    slots[slot] = result.outputs[k]
                    masks[slot] = result.masks[k]
                }
                continue
            }
            let ys: [Tensor]
            if inSlots.count == 1 && outSlots.count == 1 && !(layer is Merge) {
                ys = [layer(slots[inSlots[0]]!, training: mode)]
            } else {
                ys = layer.apply(inSlots.map { slots[$0]! }, training: mode)
            }
            for (slot, y) in zip(outSlots, ys) where slot >= 0 { slots[slot] = y }
            if layer.supportsMasking, outSlots.count >= 1 {
                let made = inSlots.count == 1 && outSlots.count == 1
                    ? [layer.computeMask(slots[inSlots[0]]!, mask: nil)]
                    : layer.computeMasks(inSlots.map { slots[$0]! }, masks: inSlots.map { _ in nil })
                for (k, slot) in outSlots.enumerated() where slot >= 0 && k < made.count {
                    if let m = made[k] {
                        if masks.isEmpty { masks = [Tensor?](repeating: nil, count: slotCount) }
                        masks[slot] = m
                    }
                }
            }
        }
        return outputSlots.map { slots[$0]! }
    }

    /// Output shapes for inputs of `shapes` (for calling the model on symbolic tensors).
    func outputShapes(_ shapes: [[Int?]]) -> [[Int?]] {
        var slots = [[Int?]?](repeating: nil, count: slotCount)
        for (slot, shape) in zip(inputSlots, shapes) { slots[slot] = shape }
        for (i, node) in nodes.enumerated() {
            let outs = node.layer.computeOutputShapes(nodeInputSlots[i].map { slots[$0]! })
            for (slot, shape) in zip(nodeOutputSlots[i], outs) where slot >= 0 { slots[slot] = shape }
        }
        return outputSlots.map { slots[$0]! }
    }

    /// Whether the summary uses the plain three-column table (Keras's `sequential_like`).
    var isSequentialLike: Bool {
        for depthNodes in nodesByDepth {
            if depthNodes.count > 1 || (depthNodes.count == 1 && depthNodes[0].inputs.count > 1) { return false }
        }
        let graphNodes = Set(nodesByDepth.joined().map(ObjectIdentifier.init))
        for layer in layers where layer.inboundNodes.filter({ graphNodes.contains(ObjectIdentifier($0)) }).count > 1 {
            return false
        }
        return true
    }
}
