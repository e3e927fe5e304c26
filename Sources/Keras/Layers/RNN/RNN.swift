import Synchronization

/// Runs a cell over the time axis of `(batch, steps, features)` sequences (`keras.layers.RNN`),
/// the base of ``SimpleRNN``, ``LSTM`` and ``GRU``.
///
/// It returns the last output `(batch, outputSize)`, or every output `(batch, steps, outputSize)`
/// with `returnSequences`; with `returnState` the final states follow the output (call it with
/// ``Layer/apply(_:training:)`` to get them). Initial states may be passed after the sequences
/// (`layer.apply([x, h0, c0])`, or as extra inputs in a functional model). With a mask
/// (`(batch, steps)` booleans from an ``Embedding`` with `maskZero` or a ``Masking``), masked steps
/// leave the states unchanged and repeat the previous output.
///
/// ```swift
/// let layer = RNN(LSTMCell(16), returnSequences: true, returnState: true)
/// let outputs = layer.apply([Tensor.ones([2, 5, 3])])   // [(2, 5, 16), h (2, 16), c (2, 16)]
/// let stacked = RNN([SimpleRNNCell(8), GRUCell(4)])     // a StackedRNNCells
/// ```
///
/// With `stateful`, the final states of a batch are the initial states of the next batch (the
/// batch size must then be fixed) until ``resetStates(_:)``. Steps are computed one after
/// another whatever `unroll` says (it is kept for the config). For the built-in cells the input
/// projection of all steps is one matrix product.
open class RNN: Layer, @unchecked Sendable {
    /// Inference writes no state unless `stateful` (then batches must run in order); the cell
    /// decides for itself, as a sublayer.
    open override class var isStatelessInInference: Bool { true }
    /// The step computation (Keras's `layer.cell`).
    public let cell: RNNCell
    /// The `returnSequences` this `RNN` was created with.
    public let returnSequences: Bool
    /// The `returnState` this `RNN` was created with.
    public let returnState: Bool
    /// Whether the sequence is processed from its last step to its first (the outputs with
    /// `returnSequences` are then in that reversed order, as in Keras).
    public let goBackwards: Bool
    /// The `stateful` this `RNN` was created with.
    public let stateful: Bool
    /// The `unroll` this `RNN` was created with.
    public let unroll: Bool
    /// Whether masked steps output zeros instead of repeating the previous output.
    public internal(set) var zeroOutputForMask: Bool
    private let storedStates = Mutex<[Tensor]?>(nil)

    /// Creates a `RNN` with Keras's arguments and defaults (the names in Swift case).
    public init(_ cell: RNNCell, returnSequences: Bool = false, returnState: Bool = false, goBackwards: Bool = false,
                stateful: Bool = false, unroll: Bool = false, zeroOutputForMask: Bool = false,
                activityRegularizer: (any Regularizer)? = nil,
                name: String? = nil, trainable: Bool = true, dtype: DType = .float32) {
        self.cell = cell
        self.returnSequences = returnSequences
        self.returnState = returnState
        self.goBackwards = goBackwards
        self.stateful = stateful
        self.unroll = unroll
        self.zeroOutputForMask = zeroOutputForMask
        super.init(name: name, trainable: trainable, dtype: dtype)
        self.activityRegularizer = activityRegularizer
        inputSpec = [InputSpec(minRank: 3)]
    }

    /// A layer over a stack of cells (``StackedRNNCells``), as Keras's `RNN([cell1, cell2])`.
    public convenience init(_ cells: [RNNCell], returnSequences: Bool = false, returnState: Bool = false,
                            goBackwards: Bool = false, stateful: Bool = false, unroll: Bool = false,
                            name: String? = nil) {
        self.init(StackedRNNCells(cells), returnSequences: returnSequences, returnState: returnState,
                  goBackwards: goBackwards, stateful: stateful, unroll: unroll, name: name)
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary), its `cell`
    /// from the serialized cell (built-in or registered with ``registerLayer(className:_:)``).
    ///
    /// ```swift
    /// let copy = try RNN(config: RNN(LSTMCell(4)).getConfig())
    /// ```
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: RNN.self, config: config)
        let base = try r.layerBase()
        let cell = try r.nested("cell") { value -> RNNCell in
            guard let value, !value.isNull else { throw KerasError.invalidConfig("expected a serialized RNN cell, received nothing") }
            let layer = try deserializeLayer(value)
            guard let cell = layer as? RNNCell else {
                throw KerasError.invalidConfig("expected an RNN cell, received a \(layer.className)")
            }
            return cell
        }
        let flags = try RNNFlags(&r)
        self.init(cell, returnSequences: flags.returnSequences, returnState: flags.returnState,
                  goBackwards: flags.goBackwards, stateful: flags.stateful, unroll: flags.unroll,
                  zeroOutputForMask: flags.zeroOutputForMask,
                  activityRegularizer: try r.regularizer("activity_regularizer"),
                  name: base.name, trainable: base.trainable, dtype: base.dtype)
    }

    open override var supportsMasking: Bool { true }

    /// The final states of the last batch of a stateful layer (`nil` before its first call).
    public var states: [Tensor]? { storedStates.withLock { $0 } }

    /// Sets the states a stateful layer starts its next batch from: zeros (the default) or
    /// `values`, one `(batch, size)` tensor per state (`(batch, spatial…, filters)` feature maps
    /// for a ``ConvLSTM``; Keras's `reset_states`).
    ///
    /// - Throws: `KerasError` when the layer is not stateful or a value has the wrong shape.
    public func resetStates(_ values: [Tensor]? = nil) throws {
        guard stateful else {
            throw KerasError.invalidArgument("Layer \"\(name)\": reset_states only applies to a stateful RNN (stateful=True)")
        }
        guard let values else {
            storedStates.withLock { $0 = $0?.map { Tensor.zeros(like: $0) } }
            return
        }
        let batch = values.first?.shape.first ?? 0
        let expected = cell.stateShapes(stepShape: cell.buildShapes?.first ?? []).map { [Optional(batch)] + $0 }
        guard values.count == expected.count, zip(values, expected).allSatisfy({ shapeFits($0.shape, $1) }) else {
            throw KerasError.invalidArgument("Layer \"\(name)\": expected states of shapes \(expected.map { formatShape($0) }), received \(values.map { formatShape($0.shape) })")
        }
        storedStates.withLock { $0 = values.map { $0.cast(to: dtype).stopGradient() } }
    }

    open override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        guard let sequences = inputShapes.first else { return nil }
        if stateful && (sequences.first ?? nil) == nil {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\": when using `stateful=True` in a RNN, the batch size must be static. Found dynamic batch size: sequence.shape=\(formatShape(sequences))")
        }
        if unroll && sequences.count > 1 && sequences[1] == nil {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\": cannot unroll a RNN if the time dimension is undefined. Pass an Input with a known number of steps. Received shape \(formatShape(sequences))")
        }
        if sequences.count > 1 && sequences[1] == 0 {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\": cannot run over sequences with 0 steps (shape \(formatShape(sequences)))")
        }
        // A built cell takes steps of the shape it was built for; an unbuilt one checks them.
        if !cell.built, sequences.count >= 3 {
            let step = [sequences[0]] + Array(sequences.dropFirst(2))
            if let error = cell.checkInputs([step]) ?? cell.validateSymbolic([step]) { return error }
        }
        if let stepShape = cell.buildShapes?.first {
            let features = Array(sequences.dropFirst(2)), built = Array(stepShape.dropFirst())
            if features.count != built.count {
                return .incompatibleInput(layer: name, message: "Input 0 of layer \"\(name)\" is incompatible with the layer: expected ndim=\(built.count + 2), found ndim=\(sequences.count). Full shape received: \(formatShape(sequences))")
            }
            for (i, (got, want)) in zip(features, built).enumerated() {
                if let got, let want, got != want {
                    return .axisMismatch(layer: name, inputIndex: 0, axis: i + 2 - sequences.count, expected: want, received: sequences)
                }
            }
        }
        let states = inputShapes.dropFirst()
        if !states.isEmpty {
            guard states.count == cell.stateSize.count else {
                return .incompatibleInput(layer: name, message: "Layer \"\(name)\": the cell has \(cell.stateSize.count) state(s), but \(states.count) initial state tensor(s) were passed")
            }
            let step = [sequences.first ?? nil] + Array(sequences.dropFirst(2))
            for (shape, expected) in zip(states, cell.stateShapes(stepShape: step)) {
                let ok = shape.count == expected.count + 1
                    && zip(shape.dropFirst(), expected).allSatisfy { $0 == nil || $1 == nil || $0 == $1 }
                    && (shape[0] == nil || sequences[0] == nil || shape[0] == sequences[0])
                if !ok {
                    return .incompatibleInput(layer: name, message: "Layer \"\(name)\": an initial state must have shape \(formatShape([sequences[0]] + expected)), received \(formatShape(shape))")
                }
            }
        }
        return nil
    }

    open override func build(inputShapes: [[Int?]]) {
        let sequences = inputShapes[0]
        cell.buildIfNeeded([[sequences[0]] + Array(sequences.dropFirst(2))])
    }

    open override func computeOutputShapes(_ inputShapes: [[Int?]]) -> [[Int?]] {
        let sequences = inputShapes[0]
        let batch = sequences.first ?? nil
        let step = [batch] + Array(sequences.dropFirst(2))
        let stepOutput = cell.outputShape(stepShape: step)
        let output: [Int?] = returnSequences ? [batch, sequences[1]] + stepOutput : [batch] + stepOutput
        return [output] + (returnState ? cell.stateShapes(stepShape: step).map { [batch] + $0 } : [])
    }

    open override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { computeOutputShapes([inputShape])[0] }

    /// The output keeps the input's mask with `returnSequences`; states have none.
    open override func computeMasks(_ inputs: [Tensor], masks: [Tensor?]) -> [Tensor?] {
        let mask = masks.first ?? nil
        return [returnSequences ? mask : nil] + (returnState ? cell.stateSize.map { _ in nil } : [])
    }

    open override func call(_ inputs: Tensor, training: Bool) -> Tensor {
        call([inputs], masks: [nil], training: training)[0]
    }

    open override func call(_ inputs: Tensor, mask: Tensor?, training: Bool) -> Tensor {
        call([inputs], masks: [mask], training: training)[0]
    }

    open override func call(_ inputs: [Tensor], training: Bool) -> [Tensor] {
        call(inputs, masks: [], training: training)
    }

    open override func call(_ inputs: [Tensor], masks: [Tensor?], training: Bool) -> [Tensor] {
        // Integer sequences run as floats of the layer's dtype.
        let sequences = inputs[0].dtype.isFloatingPoint ? inputs[0] : inputs[0].cast(to: dtype)
        require(sequences.rank >= 3, "Layer \"\(name)\" expects sequences of rank 3 or more (batch, steps, features), received shape \(formatShape(sequences.shape))")
        let batch = sequences.shape[0]
        var initial = Array(inputs.dropFirst())
        if initial.isEmpty {
            if stateful, let stored = states {
                require(stored.first?.shape.first == batch,
                        "Layer \"\(name)\": if an RNN is stateful, the batch size of the input sequences must be the same as the batch size of the initial state. Expected batch size: \(stored.first?.shape.first ?? 0). Received batch size: \(batch)")
                initial = stored
            } else {
                initial = cell.initialStates(batchSize: batch)
            }
        } else {
            let expected = cell.stateShapes(stepShape: [batch] + sequences.shape.dropFirst(2)).map { [Optional(batch)] + $0 }
            require(initial.count == expected.count && zip(initial, expected).allSatisfy { shapeFits($0.shape, $1) },
                    "Layer \"\(name)\": expected initial states of shapes \(expected.map { formatShape($0) }), received \(initial.map { formatShape($0.shape) })")
            initial = initial.map { $0.dtype == dtype ? $0 : $0.cast(to: dtype) }
        }
        var mask = masks.first ?? nil
        if let m = mask {
            require(m.shape == Array(sequences.shape.prefix(2)),
                    "Layer \"\(name)\": the mask must have shape \(formatShape(Array(sequences.shape.prefix(2)))) (batch, steps), received \(formatShape(m.shape))")
            mask = m.cast(to: .bool)
        }
        let (last, outputs, final) = runSteps(sequences, initial: initial, mask: mask, training: training)
        if stateful { storedStates.withLock { $0 = final.map { $0.stopGradient() } } }
        let output = returnSequences ? outputs! : last
        return returnState ? [output] + final : [output]
    }

    /// The loop over time: the last output, all outputs (with `returnSequences`) and the final states.
    func runSteps(_ sequences: Tensor, initial: [Tensor], mask: Tensor?, training: Bool)
        -> (last: Tensor, outputs: Tensor?, states: [Tensor]) {
        let steps = sequences.shape[1], batch = sequences.shape[0]
        require(steps > 0, "Layer \"\(name)\": cannot run over sequences with 0 steps (shape \(formatShape(sequences.shape)))")
        if mask == nil, let lstm = cell as? LSTMCell, lstm.isFusable(training: training) {
            return runFusedLSTM(lstm, sequences, initial: initial, training: training)
        }
        if mask == nil, let gru = cell as? GRUCell, gru.isFusable(training: training) {
            return runFusedGRU(gru, sequences, initial: initial, training: training)
        }
        let stepInputs: Tensor
        let step: (Tensor, [Tensor]) -> (output: Tensor, states: [Tensor])
        if let projecting = cell as? SequenceProjectingCell {
            // The cell's own input share of every step at once (one convolution for ConvLSTMCell).
            let projected = projecting.projectSequence(sequences, training: training)
            stepInputs = projected.inputs
            step = projected.step
        } else if let gated = cell as? DropoutRNNCell {
            // The input projection of every step at once, then only the recurrent part per step.
            let dropout = gated.dropoutMasks(inputShape: sequences.shape, batch: batch, training: training)
            let x = dropout.input.map { sequences * $0 } ?? sequences
            stepInputs = gated.projectInputs(x).transposed([1, 0, 2])
            step = { z, states in gated.recurrentStep(z, states: states, recurrentMask: dropout.recurrent) }
        } else {
            var perm = Array(0..<sequences.rank)
            perm.swapAt(0, 1)
            stepInputs = sequences.transposed(perm)
            step = { x, states in self.cell.call(x, states: states, training: training) }
        }
        let stepShape = Array(stepInputs.shape.dropFirst())
        let stepMasks = mask.map { $0.transposed([1, 0]) }
        var states = initial
        var previous: Tensor?
        var outputs: [Tensor] = []
        outputs.reserveCapacity(returnSequences ? steps : 0)
        for k in 0..<steps {
            let t = goBackwards ? steps - 1 - k : k
            let input = stepInputs.slice(axis: 0, start: t, end: t + 1).reshaped(to: stepShape)
            var (output, newStates) = step(input, states)
            if let stepMasks {
                let keep = stepMasks.slice(axis: 0, start: t, end: t + 1)
                    .reshaped(to: [batch] + [Int](repeating: 1, count: Swift.max(output.rank - 1, 1)))
                let fallback = zeroOutputForMask || previous == nil ? Tensor.zeros([], dtype: output.dtype) : previous!
                output = `where`(keep, output, fallback)
                newStates = zip(newStates, states).map { `where`(keep, $0, $1) }
            }
            states = newStates
            previous = output
            if returnSequences { outputs.append(output) }
        }
        return (previous!, returnSequences ? stack(outputs, axis: 1) : nil, states)
    }

    /// The inputs of a fused recurrence, time-major `(steps, batch, features)`: with the cell's
    /// input dropout applied, reversed with `goBackwards`.
    private func timeMajorInputs(_ cell: DropoutRNNCell, _ sequences: Tensor, training: Bool) -> Tensor {
        let (batch, steps) = (sequences.shape[0], sequences.shape[1])
        let dropout = cell.dropoutMasks(inputShape: sequences.shape, batch: batch, training: training)
        let x = (dropout.input.map { sequences * $0 } ?? sequences).transposed([1, 0, 2])
        return goBackwards ? x.take(Tensor(shape: [steps], scalars: (0..<steps).reversed().map { Int32($0) }), axis: 0) : x
    }

    /// An LSTM with Keras's standard activations and no mask:
    /// `Tensor/lstmRecurrence(inputs:kernel:bias:recurrentKernel:initialH:initialC:)`, each step's
    /// input projection computed into its gates.
    private func runFusedLSTM(_ lstm: LSTMCell, _ sequences: Tensor, initial: [Tensor], training: Bool)
        -> (last: Tensor, outputs: Tensor?, states: [Tensor]) {
        let (batch, steps) = (sequences.shape[0], sequences.shape[1])
        let x = timeMajorInputs(lstm, sequences, training: training)
        // Each step's input projection is computed inside the recurrence, into its gates.
        let (hs, c) = Tensor.lstmRecurrence(inputs: x, kernel: lstm.kernel.value, bias: lstm.bias?.value,
                                            recurrentKernel: lstm.recurrentKernel.value,
                                            initialH: initial[0], initialC: initial[1])
        let last = hs.slice(axis: 0, start: steps - 1, end: steps).reshaped(to: [batch, lstm.units])
        return (last, returnSequences ? hs.transposed([1, 0, 2]) : nil, [last, c])
    }

    /// A GRU with Keras's defaults (`resetAfter`, standard activations) and no mask: the input
    /// projection of all steps in one product, then `Tensor/gruRecurrence(projected:recurrentBias:recurrentKernel:initialH:)`.
    private func runFusedGRU(_ gru: GRUCell, _ sequences: Tensor, initial: [Tensor], training: Bool)
        -> (last: Tensor, outputs: Tensor?, states: [Tensor]) {
        let (batch, steps) = (sequences.shape[0], sequences.shape[1])
        let x = timeMajorInputs(gru, sequences, training: training)
        let recurrentBias = gru.bias.map { $0.value.slice(axis: 0, start: 1, end: 2).reshaped(to: [3 * gru.units]) }
        let hs = Tensor.gruRecurrence(projected: gru.projectInputs(x), recurrentBias: recurrentBias,
                                      recurrentKernel: gru.recurrentKernel.value, initialH: initial[0])
        let last = hs.slice(axis: 0, start: steps - 1, end: steps).reshaped(to: [batch, gru.units])
        return (last, returnSequences ? hs.transposed([1, 0, 2]) : nil, [last])
    }

    open override func getConfig() -> Config {
        var config = super.getConfig()
        config["return_sequences"] = .bool(returnSequences)
        config["return_state"] = .bool(returnState)
        config["go_backwards"] = .bool(goBackwards)
        config["stateful"] = .bool(stateful)
        config["unroll"] = .bool(unroll)
        config["zero_output_for_mask"] = .bool(zeroOutputForMask)
        if type(of: self) == RNN.self { config["cell"] = serializeLayer(cell) }
        return config
    }
}

/// A cell that computes its input's share of every step before the loop (``ConvLSTMCell``: one
/// convolution over all steps); ``RNN`` then runs only `step` at each time step.
protocol SequenceProjectingCell: RNNCell {
    /// For `sequences` `(batch, steps, features…)`: the per-step inputs of `step`, time-major
    /// `(steps, batch, …)`, and the step from such an input and the previous states.
    func projectSequence(_ sequences: Tensor, training: Bool)
        -> (inputs: Tensor, step: (Tensor, [Tensor]) -> (output: Tensor, states: [Tensor]))
}

/// Whether `shape` has `expected`'s rank and its sizes where they are known (`nil` matches any).
func shapeFits(_ shape: [Int], _ expected: [Int?]) -> Bool {
    shape.count == expected.count && zip(shape, expected).allSatisfy { $1 == nil || $0 == $1 }
}

/// The flags every recurrent layer's config carries.
struct RNNFlags {
    var returnSequences, returnState, goBackwards, stateful, unroll, zeroOutputForMask: Bool

    init(_ r: inout ObjectConfigReader) throws {
        returnSequences = try r.bool("return_sequences", default: false)
        returnState = try r.bool("return_state", default: false)
        goBackwards = try r.bool("go_backwards", default: false)
        stateful = try r.bool("stateful", default: false)
        unroll = try r.bool("unroll", default: false)
        zeroOutputForMask = try r.bool("zero_output_for_mask", default: false)
    }
}
