import KerasCore

/// An embedding that can also project hidden states back to the vocabulary
/// (`keras.layers.ReversibleEmbedding`), as language models do to share the input embedding
/// with the output layer.
///
/// Called forward it is an ``Embedding``: ids of shape `(batch, steps)` give vectors of shape
/// `(batch, steps, outputDim)`. ``reverse(_:)`` maps hidden states `(…, outputDim)` to logits
/// `(…, inputDim)` with the transposed embedding table (`tieWeights: true`, the default) or with a
/// separate trainable `reverse_embeddings` matrix of shape `(outputDim, inputDim)`.
/// With `logitSoftCap` the logits become `tanh(logits / cap) * cap`.
///
/// ```swift
/// let embedding = ReversibleEmbedding(inputDim: 100, outputDim: 32)
/// let ids = Tensor([[4, 20, 7]])                 // int32 ids
/// let hidden = embedding(ids)                    // shape (1, 3, 32)
/// let logits = embedding.reverse(hidden)         // shape (1, 3, 100)
/// ```
///
/// Ids are checked as ``Embedding`` checks them: an id outside `0..<inputDim` is never read.
/// The reverse projection runs only through ``reverse(_:)`` on concrete tensors; a symbolic call
/// (a functional model) is always the forward lookup.
public final class ReversibleEmbedding: Layer, @unchecked Sendable {
    public override class var isStatelessInInference: Bool { true }
    /// The `inputDim` this `ReversibleEmbedding` was created with: the vocabulary size.
    public let inputDim: Int
    /// The `outputDim` this `ReversibleEmbedding` was created with: the embedding size.
    public let outputDim: Int
    /// Whether the reverse projection uses the transposed embedding table (`true`) or its own
    /// `reverse_embeddings` weight.
    public let tieWeights: Bool
    /// The `embeddingsInitializer` this `ReversibleEmbedding` was created with (it also
    /// initializes `reverse_embeddings`).
    public let embeddingsInitializer: any Initializer
    /// The `embeddingsRegularizer` this `ReversibleEmbedding` was created with.
    public let embeddingsRegularizer: (any Regularizer)?
    /// The `embeddingsConstraint` this `ReversibleEmbedding` was created with.
    public let embeddingsConstraint: (any Constraint)?
    /// Whether id 0 is padding: forward calls then produce the mask `ids != 0`.
    public let maskZero: Bool
    /// The dtype the reverse projection computes in; the layer's dtype when `nil`.
    public let reverseDType: DType?
    /// The soft cap of the reverse logits (`tanh(logits / cap) * cap`); no cap when `nil`.
    public let logitSoftCap: Double?
    /// `(inputDim, outputDim)`, once built.
    public private(set) var embeddings: Variable!
    /// `(outputDim, inputDim)`, once built, when ``tieWeights`` is `false`; `nil` otherwise.
    public private(set) var reverseEmbeddings: Variable?

    /// Creates a reversible embedding of `inputDim` ids into `outputDim`-dimensional vectors
    /// (Keras's `ReversibleEmbedding`).
    ///
    /// ```swift
    /// let head = ReversibleEmbedding(inputDim: 1000, outputDim: 64, tieWeights: false, logitSoftCap: 30)
    /// ```
    ///
    /// - Parameters:
    ///   - inputDim: Size of the vocabulary: the largest id plus one.
    ///   - outputDim: Dimension of each embedding vector.
    ///   - tieWeights: Whether the reverse projection shares the embedding table.
    ///   - embeddingsInitializer: Initializer of the embedding matrices.
    ///   - embeddingsRegularizer: Penalty on the embedding matrix, added to the loss.
    ///   - activityRegularizer: Penalty on the layer's output, added to the loss.
    ///   - embeddingsConstraint: Constraint applied to the embedding matrix after each optimizer step.
    ///   - maskZero: Whether id 0 is padding: forward calls then output a mask.
    ///   - reverseDType: The dtype of the reverse projection; the layer's dtype when `nil`.
    ///   - logitSoftCap: A positive cap for the reverse logits, or `nil` for none.
    ///   - name: The layer's name; a unique name from the class name when `nil`.
    ///   - trainable: Whether the layer's weights are updated in training.
    ///   - dtype: The dtype of the weights and computations.
    public init(inputDim: Int, outputDim: Int, tieWeights: Bool = true,
                embeddingsInitializer: any Initializer = RandomUniform(minval: -0.05, maxval: 0.05),
                embeddingsRegularizer: (any Regularizer)? = nil, activityRegularizer: (any Regularizer)? = nil,
                embeddingsConstraint: (any Constraint)? = nil, maskZero: Bool = false,
                reverseDType: DType? = nil, logitSoftCap: Double? = nil,
                name: String? = nil, trainable: Bool = true, dtype: DType = .float32) {
        requireValid { try Self.validate(inputDim: inputDim, outputDim: outputDim, reverseDType: reverseDType, logitSoftCap: logitSoftCap) }
        self.inputDim = inputDim
        self.outputDim = outputDim
        self.tieWeights = tieWeights
        self.embeddingsInitializer = embeddingsInitializer
        self.embeddingsRegularizer = embeddingsRegularizer
        self.embeddingsConstraint = embeddingsConstraint
        self.maskZero = maskZero
        self.reverseDType = reverseDType
        self.logitSoftCap = logitSoftCap
        super.init(name: name, trainable: trainable, dtype: dtype)
        self.activityRegularizer = activityRegularizer
    }

    /// Both sizes positive with a table Swift can allocate, a floating reverse dtype, and a
    /// positive finite soft cap.
    static func validate(inputDim: Int, outputDim: Int, reverseDType: DType?, logitSoftCap: Double?) throws {
        try ensure(inputDim > 0, "ReversibleEmbedding: `input_dim` must be a positive integer. Received: input_dim=\(inputDim)")
        try ensure(outputDim > 0, "ReversibleEmbedding: `output_dim` must be a positive integer. Received: output_dim=\(outputDim)")
        try ensure(boundedElementCount([inputDim, outputDim]) != nil,
                   "ReversibleEmbedding: a table of shape \(formatShape([inputDim, outputDim])) would hold more than \(maxWeightElements) elements")
        if let reverseDType {
            try ensure(reverseDType.isFloatingPoint,
                       "ReversibleEmbedding: `reverse_dtype` must be a floating dtype. Received: reverse_dtype=\(reverseDType.rawValue)")
        }
        if let logitSoftCap {
            try ensure(logitSoftCap.isFinite && logitSoftCap > 0,
                       "ReversibleEmbedding: `logit_soft_cap` must be a positive finite number or None. Received: logit_soft_cap=\(logitSoftCap)")
        }
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let head = try ReversibleEmbedding(config: ["input_dim": 100, "output_dim": 8, "tie_weights": false])
    /// ```
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: ReversibleEmbedding.self, config: config)
        let base = try r.layerBase()
        let inputDim = try r.int("input_dim"), outputDim = try r.int("output_dim")
        let reverseDType: DType?
        if let name = try r.optionalString("reverse_dtype") {
            guard let parsed = DType(rawValue: name) else {
                throw r.mismatch("reverse_dtype", "a dtype name or null", .string(name))
            }
            reverseDType = parsed
        } else {
            reverseDType = nil
        }
        let logitSoftCap = try r.optionalDouble("logit_soft_cap")
        try r.validated {
            try ReversibleEmbedding.validate(inputDim: inputDim, outputDim: outputDim, reverseDType: reverseDType, logitSoftCap: logitSoftCap)
        }
        self.init(inputDim: inputDim, outputDim: outputDim,
                  tieWeights: try r.bool("tie_weights", default: true),
                  embeddingsInitializer: try r.initializer("embeddings_initializer", default: RandomUniform(minval: -0.05, maxval: 0.05)),
                  embeddingsRegularizer: try r.regularizer("embeddings_regularizer"),
                  activityRegularizer: try r.regularizer("activity_regularizer"),
                  embeddingsConstraint: try r.constraint("embeddings_constraint"),
                  maskZero: try r.bool("mask_zero", default: false),
                  reverseDType: reverseDType, logitSoftCap: logitSoftCap,
                  name: base.name, trainable: base.trainable, dtype: base.dtype)
    }

    public override var supportsMasking: Bool { maskZero }

    public override func build(inputShape: [Int?]) {
        embeddings = addWeight(name: "embeddings", shape: [inputDim, outputDim], initializer: embeddingsInitializer,
                               regularizer: embeddingsRegularizer, constraint: embeddingsConstraint)
        if !tieWeights {
            reverseEmbeddings = addWeight(name: "reverse_embeddings", shape: [outputDim, inputDim],
                                          initializer: embeddingsInitializer)
        }
    }

    /// The forward lookup: row `id` of the embedding table for each id.
    public override func call(_ inputs: Tensor, training: Bool) -> Tensor {
        if let error = validateInputData(inputs) { fatalError("\(error)") }
        return embeddings.value.take(inputs.dtype.isInteger ? inputs : inputs.cast(to: .int32), axis: 0)
    }

    /// Projects hidden states of shape `(…, outputDim)` to logits of shape `(…, inputDim)`
    /// (Keras's `call(inputs, reverse=True)`), soft-capped when ``logitSoftCap`` is set.
    ///
    /// ```swift
    /// let head = ReversibleEmbedding(inputDim: 10, outputDim: 4)
    /// let logits = head.reverse(Tensor.ones([2, 4]))   // shape (2, 10)
    /// ```
    ///
    /// Builds the layer on first use; gradients reach the embedding table (or
    /// `reverse_embeddings` when the weights are not tied).
    public func reverse(_ x: Tensor) -> Tensor {
        require(x.rank >= 1 && x.shape[x.rank - 1] == outputDim,
                "ReversibleEmbedding \"\(name)\": reverse expects inputs whose last axis is output_dim=\(outputDim), received shape \(formatShape(x.shape))")
        buildIfNeeded([Array(x.shape.dropLast()).map(Optional.some)])
        var kernel = tieWeights ? embeddings.value.transposed() : reverseEmbeddings!.value
        var inputs = x
        if let reverseDType {
            inputs = inputs.cast(to: reverseDType)
            kernel = kernel.cast(to: reverseDType)
        } else if inputs.dtype != kernel.dtype {
            inputs = inputs.cast(to: kernel.dtype)
        }
        var logits = projectTrailingAxes(inputs, kernel: kernel, contractedRank: 1, bias: nil)
        if let logitSoftCap {
            logits = (logits / logitSoftCap).tanh() * logitSoftCap
        }
        return logits
    }

    /// Outside ids must index the table: a `KerasError.invalidData` naming the layer otherwise.
    public override func validateInputData(_ data: Tensor) -> KerasError? {
        let ids = data.dtype.isInteger ? data : data.cast(to: .int32)
        guard let bad = Embedding.firstOutOfRange(ids, count: inputDim) else { return nil }
        return .invalidData("ReversibleEmbedding \"\(name)\": ids must be in [0, \(inputDim)), received id \(bad) in inputs of shape \(formatShape(data.shape))")
    }

    /// `ids != 0` when ``maskZero``, else `nil` (Keras attaches this mask to the forward output).
    public override func computeMask(_ inputs: Tensor, mask: Tensor?) -> Tensor? {
        maskZero ? inputs.notEqual(Tensor.zeros([], dtype: inputs.dtype)) : nil
    }

    /// The forward shape: `inputShape + [outputDim]`.
    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape + [outputDim] }

    /// The shape ``reverse(_:)`` returns for inputs of `inputShape`: the last axis becomes `inputDim`.
    ///
    /// ```swift
    /// ReversibleEmbedding(inputDim: 10, outputDim: 4).computeReverseOutputShape([nil, 3, 4])   // [nil, 3, 10]
    /// ```
    public func computeReverseOutputShape(_ inputShape: [Int?]) -> [Int?] {
        guard !inputShape.isEmpty else { return [inputDim] }
        return inputShape.dropLast() + [inputDim]
    }

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
        config["tie_weights"] = .bool(tieWeights)
        config["reverse_dtype"] = reverseDType.map { .string($0.rawValue) } ?? .null
        config["logit_soft_cap"] = logitSoftCap.map { .double($0) } ?? .null
        return config
    }
}
