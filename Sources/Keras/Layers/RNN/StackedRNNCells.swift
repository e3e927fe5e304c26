/// Several cells run one after another within each step, each feeding its output to the next
/// (`keras.layers.StackedRNNCells`); its states are those of every cell, in order.
///
/// ```swift
/// let layer = RNN(StackedRNNCells([LSTMCell(16), GRUCell(8)]))
/// let h = layer(Tensor.ones([2, 5, 3]))   // shape (2, 8); states: h₁, c₁, h₂
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
    public override var outputSize: Int { cells.last!.outputSize }

    public override func initialStates(batchSize: Int) -> [Tensor] { cells.flatMap { $0.initialStates(batchSize: batchSize) } }

    public override func build(inputShape: [Int?]) {
        var shape = inputShape
        for cell in cells {
            cell.buildIfNeeded([shape])
            shape = [shape.first ?? nil, cell.outputSize]
        }
    }

    public override func call(_ inputs: Tensor, states: [Tensor], training: Bool) -> (output: Tensor, states: [Tensor]) {
        var x = inputs
        var offset = 0
        var newStates: [Tensor] = []
        for cell in cells {
            let count = cell.stateSize.count
            let (output, cellStates) = cell.call(x, states: Array(states[offset..<(offset + count)]), training: training)
            x = output
            newStates += cellStates
            offset += count
        }
        return (x, newStates)
    }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["cells"] = .array(cells.map(serializeLayer))
        return config
    }
}
