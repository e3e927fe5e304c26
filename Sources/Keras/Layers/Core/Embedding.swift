/// Turns integer ids into dense vectors of a fixed size (`keras.layers.Embedding`): row `id` of
/// an `(inputDim, outputDim)` table, so ids of shape `(batch, steps)` give `(batch, steps, outputDim)`.
///
/// ```swift
/// let embedding = Embedding(inputDim: 1000, outputDim: 64, maskZero: true)
/// let ids = Tensor([[4, 20, 0, 0]])          // int32 ids; 0 is padding
/// let vectors = embedding(ids)               // shape (1, 4, 64)
/// let mask = embedding.computeMask(ids, mask: nil)   // [[true, true, false, false]]
/// ```
///
/// Ids of any integer dtype are accepted (floats are truncated to integers, as Keras casts
/// them). An id outside `0..<inputDim` is never read out of bounds: in data a model takes from
/// `fit`/`evaluate`/`predict` it throws `KerasError.invalidData` before the model runs
/// (``validateInputData(_:)``); in a direct call it stops with a message naming the layer. With `maskZero` the layer makes the mask that recurrent, attention
/// and pooling layers after it in a model use to skip padding.
public final class Embedding: Layer, @unchecked Sendable {
    public override class var isStatelessInInference: Bool { true }
    /// The `inputDim` this `Embedding` was created with.
    public let inputDim: Int
    /// The `outputDim` this `Embedding` was created with.
    public let outputDim: Int
    /// The `embeddingsInitializer` this `Embedding` was created with.
    public let embeddingsInitializer: any Initializer
    /// The `embeddingsRegularizer` this `Embedding` was created with.
    public let embeddingsRegularizer: (any Regularizer)?
    /// The `embeddingsConstraint` this `Embedding` was created with.
    public let embeddingsConstraint: (any Constraint)?
    /// Whether id 0 is padding: the layer then supports masking and its mask is `ids != 0`.
    public let maskZero: Bool
    /// `(inputDim, outputDim)`, once built.
    public private(set) var embeddings: Variable!

    /// Creates an embedding of `inputDim` indices into `outputDim`-dimensional vectors (Keras's `Embedding`).
    ///
    /// - Parameters:
    ///   - inputDim: Size of the vocabulary: the largest index plus one.
    ///   - outputDim: Dimension of each embedding vector.
    ///   - embeddingsInitializer: Initializer of the embedding matrix.
    ///   - embeddingsRegularizer: Penalty on the embedding matrix, added to the loss.
    ///   - activityRegularizer: Penalty on the layer's output, added to the loss.
    ///   - embeddingsConstraint: Constraint applied to the embedding matrix after each optimizer step.
    ///   - maskZero: Whether index 0 is padding: the layer then outputs a mask, and `inputDim` must count it.
    ///   - name: The layer's name; a unique name from the class name when `nil`.
    ///   - trainable: Whether the layer's weights are updated in training.
    ///   - dtype: The dtype of the weights and computations.
    public init(inputDim: Int, outputDim: Int,
                embeddingsInitializer: any Initializer = RandomUniform(minval: -0.05, maxval: 0.05),
                embeddingsRegularizer: (any Regularizer)? = nil, activityRegularizer: (any Regularizer)? = nil,
                embeddingsConstraint: (any Constraint)? = nil, maskZero: Bool = false,
                name: String? = nil, trainable: Bool = true, dtype: DType = .float32) {
        requireValid { try Self.validate(inputDim: inputDim, outputDim: outputDim) }
        self.inputDim = inputDim
        self.outputDim = outputDim
        self.embeddingsInitializer = embeddingsInitializer
        self.embeddingsRegularizer = embeddingsRegularizer
        self.embeddingsConstraint = embeddingsConstraint
        self.maskZero = maskZero
        super.init(name: name, trainable: trainable, dtype: dtype)
        self.activityRegularizer = activityRegularizer
    }

    /// Keras's checks: both sizes positive, and a table Swift can allocate.
    static func validate(inputDim: Int, outputDim: Int) throws {
        try ensure(inputDim > 0, "Embedding: `input_dim` must be a positive integer. Received: input_dim=\(inputDim)")
        try ensure(outputDim > 0, "Embedding: `output_dim` must be a positive integer. Received: output_dim=\(outputDim)")
        try ensure(boundedElementCount([inputDim, outputDim]) != nil,
                   "Embedding: a table of shape \(formatShape([inputDim, outputDim])) would hold more than \(maxWeightElements) elements")
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let embedding = try Embedding(config: ["input_dim": 100, "output_dim": 8, "mask_zero": true])
    /// ```
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: Embedding.self, config: config)
        let base = try r.layerBase()
        let inputDim = try r.int("input_dim"), outputDim = try r.int("output_dim")
        try r.validated { try Embedding.validate(inputDim: inputDim, outputDim: outputDim) }
        self.init(inputDim: inputDim, outputDim: outputDim,
                  embeddingsInitializer: try r.initializer("embeddings_initializer", default: RandomUniform(minval: -0.05, maxval: 0.05)),
                  embeddingsRegularizer: try r.regularizer("embeddings_regularizer"),
                  activityRegularizer: try r.regularizer("activity_regularizer"),
                  embeddingsConstraint: try r.constraint("embeddings_constraint"),
                  maskZero: try r.bool("mask_zero", default: false),
                  name: base.name, trainable: base.trainable, dtype: base.dtype)
    }

    public override var supportsMasking: Bool { maskZero }

    public override func build(inputShape: [Int?]) {
        embeddings = addWeight(name: "embeddings", shape: [inputDim, outputDim], initializer: embeddingsInitializer,
                               regularizer: embeddingsRegularizer, constraint: embeddingsConstraint)
    }

    public override func call(_ inputs: Tensor, training: Bool) -> Tensor {
        let ids = inputs.dtype.isInteger ? inputs : inputs.cast(to: .int32)
        if let bad = Self.firstOutOfRange(ids, count: inputDim) {
            fatalError("Embedding \"\(name)\": ids must be in [0, \(inputDim)), received id \(bad) in inputs of shape \(formatShape(inputs.shape))")
        }
        return embeddings.value.take(ids, axis: 0)
    }

    /// Outside ids must index the table: a `KerasError.invalidData` naming the layer, the bad id
    /// and the table size otherwise (the call itself would stop).
    public override func validateInputData(_ data: Tensor) -> KerasError? {
        let ids = data.dtype.isInteger ? data : data.cast(to: .int32)
        guard let bad = Self.firstOutOfRange(ids, count: inputDim) else { return nil }
        return .invalidData("Embedding \"\(name)\": ids must be in [0, \(inputDim)), received id \(bad) in inputs of shape \(formatShape(data.shape))")
    }

    /// The first id outside `0..<count`, if any.
    static func firstOutOfRange(_ ids: Tensor, count: Int) -> Int? {
        switch ids.dtype {
        case .int64:
            return ids.withUnsafeBufferPointer(of: Int64.self) { buffer in
                buffer.first { $0 < 0 || $0 >= Int64(count) }.map(Int.init)
            }
        default:
            return ids.withUnsafeBufferPointer(of: Int32.self) { buffer in
                buffer.first { $0 < 0 || Int($0) >= count }.map(Int.init)
            }
        }
    }

    /// `ids != 0` when ``maskZero``, else `nil`.
    public override func computeMask(_ inputs: Tensor, mask: Tensor?) -> Tensor? {
        maskZero ? inputs.notEqual(Tensor.zeros([], dtype: inputs.dtype)) : nil
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape + [outputDim] }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["input_dim"] = .int(inputDim)
        config["output_dim"] = .int(outputDim)
        config["embeddings_initializer"] = embeddingsInitializer.serialize()
        config["embeddings_regularizer"] = serializeOptional(embeddingsRegularizer)
        config["activity_regularizer"] = serializeOptional(activityRegularizer)
        config["embeddings_constraint"] = serializeOptional(embeddingsConstraint)
        config["mask_zero"] = .bool(maskZero)
        config["quantization_config"] = .null
        return config
    }
}
