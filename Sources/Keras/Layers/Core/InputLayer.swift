/// The layer behind ``Input(shape:batchSize:name:dtype:)``: it has no weights and passes its
/// input through; in a functional model it marks where data enters.
public final class InputLayer: Layer, @unchecked Sendable {
    /// The full input shape, batch first (`nil` = unknown).
    public let batchShape: [Int?]
    /// The symbolic tensor this layer produces.
    public private(set) var outputTensor: KerasTensor!

    /// Creates an input layer for samples of `shape` (batch excluded).
    public init(shape: [Int?], batchSize: Int? = nil, name: String? = nil, dtype: DType = .float32) {
        self.batchShape = [batchSize] + shape
        super.init(name: name ?? uniqueLayerName("input_layer"), dtype: dtype)
        built = true
        buildShapes = [batchShape]
        let node = Node(layer: self, inputs: [], nodeIndex: 0)
        nodeCount = 1
        registerNode(node)
        outputTensor = KerasTensor(shape: batchShape, dtype: dtype, node: node)
        node.setOutputs([outputTensor])
    }

    /// Recreates an input layer from Keras's config (`batch_shape`, `dtype`, `name`).
    public convenience init(config: Config) throws {
        guard let shape = config["batch_shape"]?.shapeValue ?? config["batch_input_shape"]?.shapeValue, !shape.isEmpty else {
            throw KerasError.invalidConfig("InputLayer config needs \"batch_shape\", received \(ConfigValue.object(config))")
        }
        self.init(shape: Array(shape.dropFirst()), batchSize: shape[0], name: config["name"]?.stringValue,
                  dtype: try dtypeFromConfig(config["dtype"]))
    }

    public override func call(_ inputs: Tensor, training: Bool) -> Tensor { inputs }
    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }

    public override func getConfig() -> Config {
        ["batch_shape": ConfigValue(shape: batchShape), "dtype": .string(dtype.rawValue), "sparse": false,
         "ragged": false, "name": .string(name), "optional": false]
    }
}

/// A symbolic input for a functional model (Keras's `keras.Input`): samples of `shape`, batch
/// size unknown unless given.
///
/// ```swift
/// let inputs = Input(shape: [784], name: "digits")
/// let outputs = Dense(10, activation: .softmax)(Dense(64, activation: .relu)(inputs))
/// let model = try Model(inputs: inputs, outputs: outputs)
/// ```
public func Input(shape: [Int?], batchSize: Int? = nil, name: String? = nil, dtype: DType = .float32) -> KerasTensor {
    InputLayer(shape: shape, batchSize: batchSize, name: name, dtype: dtype).outputTensor
}
