/// The layer behind ``Input(shape:batchSize:name:dtype:)``: it has no weights and passes its
/// input through; in a functional model it marks where data enters.
public final class InputLayer: Layer, @unchecked Sendable {
    /// Its call writes no state in inference, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// The full input shape, batch first (`nil` = unknown).
    public let batchShape: [Int?]
    /// The symbolic tensor this layer produces.
    public private(set) var outputTensor: KerasTensor!

    /// Creates an input layer for samples of `shape` (batch excluded).
    public init(shape: [Int?], batchSize: Int? = nil, name: String? = nil, dtype: DType = .float32) {
        requireValid { try Self.validate(batchShape: [batchSize] + shape) }
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

    /// Keras's `standardize_shape`: sizes are non-negative (or unknown); and a batch of one
    /// sample (unknown sizes counted as 1) must fit in memory.
    static func validate(batchShape: [Int?]) throws {
        try ensure(batchShape.allSatisfy { ($0 ?? 0) >= 0 }, "InputLayer: Cannot convert '\(formatShape(Array(batchShape.dropFirst())))' to a shape. Negative dimensions are not allowed (batch_shape=\(formatShape(batchShape))).")
        do { try Tensor.checkFitsInMemory([1] + batchShape.dropFirst().map { $0 ?? 1 }) } catch {
            throw KerasError.invalidArgument("InputLayer: a sample of shape \(formatShape(Array(batchShape.dropFirst()))) cannot be held: \(error)")
        }
    }

    /// Recreates an input layer from Keras's config (`batch_shape`, `dtype`, `name`).
    ///
    /// ```swift
    /// let input = try InputLayer(config: ["batch_shape": [nil, 784], "name": "digits"])
    /// ```
    ///
    /// - Throws: `KerasError.invalidConfig` for a missing or malformed `batch_shape`.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: InputLayer.self, config: config)
        let base = try r.layerBase()
        let shape = try r.optionalShape("batch_shape") ?? r.optionalShape("batch_input_shape")
        guard let shape, !shape.isEmpty else {
            throw KerasError.invalidConfig("InputLayer: expected \"batch_shape\" to be a shape with a batch dimension (a non-empty list of non-negative integers or nulls), received \(config["batch_shape"] ?? config["batch_input_shape"] ?? .null)")
        }
        try r.validated { try InputLayer.validate(batchShape: shape) }
        self.init(shape: Array(shape.dropFirst()), batchSize: shape[0], name: base.name, dtype: base.dtype)
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
