/// Several cells run one after another within each step, each feeding its output to the next
/// (`keras.layers.StackedRNNCells`). As an ``RNNCell`` its states are those of every cell,
/// flattened in order; Keras nests them, one list per cell (``cellStateSizes``,
/// ``nestedStates(_:)``, ``call(_:cellStates:training:)``).
///
/// ```swift
/// let stack = StackedRNNCells([LSTMCell(16), GRUCell(8)])
/// let layer = RNN(stack, returnState: true)
/// let outputs = layer.apply([Tensor.ones([2, 5, 3])])      // output, h₁, c₁, h₂
/// let perCell = try stack.nestedStates(Array(outputs.dropFirst()))   // [[h₁, c₁], [h₂]], as Keras returns them
/// ```
public final class StackedRNNCells: RNNCell, @unchecked Sendable {
    /// Its inference calls write no state, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// The cells, first to last (Keras's `cells`).
    public let cells: [RNNCell]

    /// Creates a `StackedRNNCells` with Keras's arguments and defaults (the names in Swift case).
    public init(_ cells: [RNNCell], name: String? = nil, trainable: Bool = true, dtype: DType = .float32) {
        require(!cells.isEmpty, "StackedRNNCells needs at least one cell")
        self.cells = cells
        super.init(name: name, trainable: trainable, dtype: dtype)
    }

    /// Recreates the stack from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let copy = try StackedRNNCells(config: StackedRNNCells([LSTMCell(2)]).getConfig())
    /// ```
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: StackedRNNCells.self, config: config)
        let base = try r.layerBase()
        let cells = try r.nested("cells") { value -> [RNNCell] in
            guard let list = value?.arrayValue, !list.isEmpty else {
                throw KerasError.invalidConfig("expected a non-empty list of serialized cells, received \(value ?? .null)")
            }
            return try list.map { entry in
                let layer = try deserializeLayer(entry)
                guard let cell = layer as? RNNCell else {
                    throw KerasError.invalidConfig("expected an RNN cell, received a \(layer.className)")
                }
                return cell
            }
        }
        self.init(cells, name: base.name, trainable: base.trainable, dtype: base.dtype)
    }

    public override var stateSize: [Int] { cells.flatMap(\.stateSize) }

    /// Each cell's state sizes, one list per cell (Keras's nested `state_size`).
    ///
    /// ```swift
    /// StackedRNNCells([LSTMCell(3), GRUCell(2)]).cellStateSizes   // [[3, 3], [2]]
    /// ```
    public var cellStateSizes: [[Int]] { cells.map(\.stateSize) }

    /// Groups flat states (as ``stateSize`` orders them, and as an ``RNN`` with `returnState`
    /// returns them) into one list per cell, the structure Keras uses.
    ///
    /// ```swift
    /// let perCell = try stack.nestedStates(flatStates)   // [[h₁, c₁], [h₂]]
    /// ```
    ///
    /// - Throws: `KerasError.invalidArgument` when the count or a shape does not match the cells' states.
    public func nestedStates(_ flat: [Tensor]) throws -> [[Tensor]] {
        try ensure(flat.count == stateSize.count, "StackedRNNCells \"\(name)\": expected \(stateSize.count) states (per cell: \(cellStateSizes)), received \(flat.count)")
        for (i, (state, size)) in zip(flat, stateSize).enumerated() {
            try ensure(state.rank == 2 && state.shape[1] == size, "StackedRNNCells \"\(name)\": state \(i) must have shape (batch, \(size)), received \(formatShape(state.shape))")
        }
        return group(flat)
    }

    /// Flat states cut into one list per cell.
    private func group(_ flat: [Tensor]) -> [[Tensor]] {
        var offset = 0
        return cells.map { cell in
            defer { offset += cell.stateSize.count }
            return Array(flat[offset..<(offset + cell.stateSize.count)])
        }
    }

    /// Zero states, one list per cell (Keras's `get_initial_state`).
    ///
    /// ```swift
    /// let zeros = stack.initialCellStates(batchSize: 4)   // [[h₁, c₁], [h₂]]
    /// ```
    public func initialCellStates(batchSize: Int) -> [[Tensor]] { cells.map { $0.initialStates(batchSize: batchSize) } }

    /// One step with the states nested per cell: the last cell's output and each cell's new states.
    ///
    /// ```swift
    /// let (h, states) = stack.call(x, cellStates: stack.initialCellStates(batchSize: 2), training: false)
    /// ```
    public func call(_ inputs: Tensor, cellStates: [[Tensor]], training: Bool) -> (output: Tensor, cellStates: [[Tensor]]) {
        require(cellStates.count == cells.count, "StackedRNNCells \"\(name)\": expected one state list per cell (\(cells.count)), received \(cellStates.count)")
        var x = inputs
        var newStates: [[Tensor]] = []
        for (cell, states) in zip(cells, cellStates) {
            require(states.count == cell.stateSize.count, "StackedRNNCells \"\(name)\": cell \(cell.name) has \(cell.stateSize.count) state(s), received \(states.count)")
            let (output, cellNew) = cell.call(x, states: states, training: training)
            x = output
            newStates.append(cellNew)
        }
        return (x, newStates)
    }

    public override var outputSize: Int { cells.last!.outputSize }

    public override func initialStates(batchSize: Int) -> [Tensor] { cells.flatMap { $0.initialStates(batchSize: batchSize) } }

    /// Each cell checks the steps it will receive (the first the inputs, the others the output
    /// of the cell before): a built cell takes the features it was built for.
    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        guard var shape = inputShapes.first else { return nil }
        for cell in cells {
            if let built = cell.buildShapes?.first {
                let (features, expected) = (Array(shape.dropFirst()), Array(built.dropFirst()))
                if features.count != expected.count || zip(features, expected).contains(where: { $0 != nil && $1 != nil && $0 != $1 }) {
                    return .incompatibleInput(layer: name, message: "StackedRNNCells \"\(name)\": cell \"\(cell.name)\" was built for steps of shape \(formatShape(built)), but receives steps of shape \(formatShape(shape))")
                }
            } else if let error = cell.checkInputs([shape]) ?? cell.validateSymbolic([shape]) {
                return error
            }
            shape = [shape.first ?? nil, cell.outputSize]
        }
        return nil
    }

    public override func build(inputShape: [Int?]) {
        var shape = inputShape
        for cell in cells {
            cell.buildIfNeeded([shape])
            shape = [shape.first ?? nil, cell.outputSize]
        }
    }

    public override func call(_ inputs: Tensor, states: [Tensor], training: Bool) -> (output: Tensor, states: [Tensor]) {
        let (output, newStates) = call(inputs, cellStates: group(states), training: training)
        return (output, newStates.flatMap { $0 })
    }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["cells"] = .array(cells.map(serializeLayer))
        return config
    }
}
