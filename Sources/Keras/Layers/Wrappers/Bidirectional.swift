/// Runs a recurrent layer over the sequence forwards and a copy of it backwards, and merges the
/// two outputs (`keras.layers.Bidirectional`).
///
/// `mergeMode` `.concat` (default) joins them on the last axis; `.sum`, `.mul`, `.ave` combine
/// them elementwise; `nil` returns both. With `returnSequences` the backward outputs are put back
/// in time order before merging. The backward layer is a copy of `layer` with `goBackwards`
/// (named `backward_…`) unless `backwardLayer` is given; the forward layer is a copy named
/// `forward_…`. Weights: the forward layer's, then the backward layer's.
///
/// ```swift
/// let layer = Bidirectional(LSTM(16, returnSequences: true))
/// let y = layer(Tensor.ones([2, 5, 3]))   // shape (2, 5, 32)
/// ```
public final class Bidirectional: Layer, @unchecked Sendable {
    /// Its inference calls write no state, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// How the forward and backward outputs are combined.
    public enum MergeMode: String, Sendable, CaseIterable {
        /// How the forward and backward outputs combine, as Keras's `merge_mode`.
        case concat, sum, mul, ave
    }

    /// The layer run forwards (Keras's `forward_layer`).
    public let forwardLayer: RNN
    /// The layer run backwards (Keras's `backward_layer`).
    public let backwardLayer: RNN
    /// `nil`: both outputs are returned.
    public let mergeMode: MergeMode?

    /// Creates a `Bidirectional` with Keras's arguments and defaults (the names in Swift case).
    public init(_ layer: RNN, mergeMode: MergeMode? = .concat, backwardLayer: RNN? = nil,
                name: String? = nil, trainable: Bool = true, dtype: DType = .float32) {
        let forward = Self.copy(layer, prefix: "forward_", goBackwards: nil)
        let backward = backwardLayer ?? Self.copy(layer, prefix: "backward_", goBackwards: true)
        requireValid { try Self.validate(forward, backward) }
        forwardLayer = forward
        self.backwardLayer = backward
        self.mergeMode = mergeMode
        super.init(name: name, trainable: trainable, dtype: dtype)
        for inner in [forwardLayer, self.backwardLayer] { inner.zeroOutputForMask = inner.returnSequences }
        inputSpec = layer.inputSpec
    }

    /// A copy of `layer` through its serialized form (built if it was), renamed `prefix + name`
    /// (without a repeated prefix).
    private static func copy(_ layer: RNN, prefix: String, goBackwards: Bool?) -> RNN {
        guard case .object(var entry) = serializeLayer(layer), case .object(var config)? = entry["config"] else {
            fatalError("Bidirectional: cannot serialize \(layer.className) \"\(layer.name)\"")
        }
        let base = layer.name.hasPrefix(prefix) ? String(layer.name.dropFirst(prefix.count)) : layer.name
        config["name"] = .string(prefix + base)
        if let goBackwards { config["go_backwards"] = .bool(goBackwards) }
        entry["config"] = .object(config)
        do {
            guard let copy = try deserializeLayer(.object(entry)) as? RNN else {
                fatalError("Bidirectional: copying \(layer.className) \"\(layer.name)\" did not give an RNN")
            }
            return copy
        } catch {
            fatalError("Bidirectional: cannot copy \(layer.className) \"\(layer.name)\" from its config (register the class with registerLayer): \(error)")
        }
    }

    /// Keras's checks: opposite directions, and the same `stateful`, `return_sequences`, `return_state`.
    static func validate(_ forward: RNN, _ backward: RNN) throws {
        try ensure(forward.goBackwards != backward.goBackwards,
                   "Bidirectional: Forward layer and backward layer should have different `go_backwards` value. Received: forward_layer.go_backwards \(forward.goBackwards), backward_layer.go_backwards=\(backward.goBackwards)")
        for (attribute, f, b) in [("stateful", forward.stateful, backward.stateful),
                                  ("return_sequences", forward.returnSequences, backward.returnSequences),
                                  ("return_state", forward.returnState, backward.returnState)] {
            try ensure(f == b, "Bidirectional: Forward layer and backward layer are expected to have the same value for attribute \"\(attribute)\", got \"\(f)\" for forward layer and \"\(b)\" for backward layer")
        }
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let copy = try Bidirectional(config: Bidirectional(GRU(4)).getConfig())
    /// ```
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: Bidirectional.self, config: config)
        let base = try r.layerBase()
        func recurrent(_ key: String) throws -> RNN? {
            try r.nested(key) { value -> RNN? in
                guard let value, !value.isNull else { return nil }
                let layer = try deserializeLayer(value)
                guard let rnn = layer as? RNN else { throw KerasError.invalidConfig("expected a recurrent layer, received a \(layer.className)") }
                return rnn
            }
        }
        guard let layer = try recurrent("layer") else { throw r.mismatch("layer", "a serialized recurrent layer", .null, absent: true) }
        let backward = try recurrent("backward_layer")
        let mode: MergeMode? = try r.nested("merge_mode") { value in
            guard let value else { return .concat }   // Keras's default when the key is absent
            if value.isNull { return nil }
            guard let name = value.stringValue, let mode = MergeMode(rawValue: name) else {
                throw KerasError.invalidConfig("Invalid merge mode. Received: \(value). Merge mode should be one of {\"sum\", \"mul\", \"ave\", \"concat\", None}")
            }
            return mode
        }
        if let backward { try r.validated { try Bidirectional.validate(layer, backward) } }
        self.init(layer, mergeMode: mode, backwardLayer: backward, name: base.name, trainable: base.trainable, dtype: base.dtype)
    }

    /// Whether the wrapped layers return every timestep.
    public var returnSequences: Bool { forwardLayer.returnSequences }
    /// Whether the wrapped layers also return their final states.
    public var returnState: Bool { forwardLayer.returnState }
    /// Whether the wrapped layers keep their states across batches.
    public var stateful: Bool { forwardLayer.stateful }
    public override var supportsMasking: Bool { true }

    /// Resets both layers' states (stateful layers only).
    public func resetStates() throws {
        try forwardLayer.resetStates()
        try backwardLayer.resetStates()
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        let states = inputShapes.count - 1
        if states > 0 && states % 2 != 0 {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\": initial states come in pairs (forward then backward); received \(states)")
        }
        let half = Array(inputShapes.dropFirst().prefix(states / 2)), rest = Array(inputShapes.dropFirst(1 + states / 2))
        return forwardLayer.validateSymbolic([inputShapes[0]] + half) ?? backwardLayer.validateSymbolic([inputShapes[0]] + rest)
    }

    public override func build(inputShapes: [[Int?]]) {
        forwardLayer.buildIfNeeded([inputShapes[0]])
        backwardLayer.buildIfNeeded([inputShapes[0]])
    }

    public override func computeOutputShapes(_ inputShapes: [[Int?]]) -> [[Int?]] {
        let forward = forwardLayer.computeOutputShapes([inputShapes[0]])
        let backward = backwardLayer.computeOutputShapes([inputShapes[0]])
        var output = forward[0]
        let states = Array(forward.dropFirst()) + Array(backward.dropFirst())
        switch mergeMode {
        case .concat:
            let backwardSize = backward[0].last ?? nil
            output[output.count - 1] = output.last!.flatMap { a in backwardSize.map { a + $0 } }
            return [output] + states
        case nil: return [output, backward[0]] + states
        default: return [output] + states
        }
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { computeOutputShapes([inputShape])[0] }

    public override func computeMasks(_ inputs: [Tensor], masks: [Tensor?]) -> [Tensor?] {
        let mask = returnSequences ? (masks.first ?? nil) : nil
        let outputs: [Tensor?] = mergeMode == nil ? [mask, mask] : [mask]
        let stateCount = returnState ? forwardLayer.cell.stateSize.count * 2 : 0
        return outputs + [Tensor?](repeating: nil, count: stateCount)
    }

    public override func call(_ inputs: Tensor, training: Bool) -> Tensor { call([inputs], masks: [nil], training: training)[0] }
    public override func call(_ inputs: Tensor, mask: Tensor?, training: Bool) -> Tensor {
        call([inputs], masks: [mask], training: training)[0]
    }
    public override func call(_ inputs: [Tensor], training: Bool) -> [Tensor] { call(inputs, masks: [], training: training) }

    public override func call(_ inputs: [Tensor], masks: [Tensor?], training: Bool) -> [Tensor] {
        let sequences = inputs[0]
        let states = Array(inputs.dropFirst())
        require(states.count % 2 == 0, "Layer \"\(name)\": initial states come in pairs (forward then backward); received \(states.count)")
        let mask = masks.first ?? nil
        let half = states.count / 2
        func run(_ layer: RNN, _ initial: [Tensor]) -> [Tensor] {
            layer.applyMasked([sequences] + initial, masks: [mask] + initial.map { _ in nil }, training: training).outputs
        }
        let forward = run(forwardLayer, Array(states.prefix(half)))
        let backward = run(backwardLayer, Array(states.suffix(half)))
        let y = forward[0]
        var yReversed = backward[0]
        if returnSequences {
            let steps = yReversed.shape[1]
            yReversed = yReversed.take(Tensor(shape: [steps], scalars: (0..<steps).reversed().map { Int32($0) }), axis: 1)
        }
        let outputs: [Tensor]
        switch mergeMode {
        case .concat: outputs = [concatenate([y, yReversed], axis: -1)]
        case .sum: outputs = [y + yReversed]
        case .mul: outputs = [y * yReversed]
        case .ave: outputs = [(y + yReversed) / 2]
        case nil: outputs = [y, yReversed]
        }
        return outputs + (returnState ? Array(forward.dropFirst()) + Array(backward.dropFirst()) : [])
    }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["merge_mode"] = mergeMode.map { .string($0.rawValue) } ?? .null
        config["layer"] = serializeLayer(forwardLayer)
        config["backward_layer"] = serializeLayer(backwardLayer)
        return config
    }
}
