/// Grouped-query attention (`keras.layers.GroupedQueryAttention`): `numQueryHeads` query heads
/// share `numKeyValueHeads` key/value heads (each key/value head serves
/// `numQueryHeads / numKeyValueHeads` consecutive query heads), all of size `headDim`; the output
/// has the query's features. Weights as in Keras: `query (dim, numQueryHeads, headDim)`,
/// `key`/`value (dim, numKeyValueHeads, headDim)` with biases, `attention_output
/// (numQueryHeads, headDim, dim)` + bias.
///
/// ```swift
/// let gqa = GroupedQueryAttention(headDim: 16, numQueryHeads: 8, numKeyValueHeads: 2)
/// let x = Tensor.ones([2, 10, 64])
/// let y = gqa.apply([x, x])[0]   // (2, 10, 64)
/// ```
public final class GroupedQueryAttention: Layer, @unchecked Sendable {
    /// Its inference calls write no state, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// Keras calls it `layer(query, value, key)`: configs list the inputs as separate arguments.
    public override class var callArgumentNames: [String]? { ["query", "value", "key"] }
    /// The `headDim` this `GroupedQueryAttention` was created with.
    public let headDim: Int
    /// The `numQueryHeads` this `GroupedQueryAttention` was created with.
    public let numQueryHeads: Int
    /// The `numKeyValueHeads` this `GroupedQueryAttention` was created with.
    public let numKeyValueHeads: Int
    /// The `dropout` this `GroupedQueryAttention` was created with.
    public let dropout: Double
    /// The `useBias` this `GroupedQueryAttention` was created with.
    public let useBias: Bool
    /// The `kernelInitializer` this `GroupedQueryAttention` was created with.
    public let kernelInitializer: any Initializer
    /// The `biasInitializer` this `GroupedQueryAttention` was created with.
    public let biasInitializer: any Initializer
    /// The `kernelRegularizer` this `GroupedQueryAttention` was created with.
    public let kernelRegularizer: (any Regularizer)?
    /// The `biasRegularizer` this `GroupedQueryAttention` was created with.
    public let biasRegularizer: (any Regularizer)?
    /// The `kernelConstraint` this `GroupedQueryAttention` was created with.
    public let kernelConstraint: (any Constraint)?
    /// The `biasConstraint` this `GroupedQueryAttention` was created with.
    public let biasConstraint: (any Constraint)?
    /// The `seed` this `GroupedQueryAttention` was created with.
    public let seed: Int?
    /// The projections (Keras's `_query_dense`, …, `_output_dense`), created at build.
    public private(set) var queryDense: HeadDense!
    /// The key projection, once built.
    public private(set) var keyDense: HeadDense!
    /// The value projection, once built.
    public private(set) var valueDense: HeadDense!
    /// The output projection, once built.
    public private(set) var outputDense: HeadDense!
    /// The dropout applied to the attention scores.
    public let dropoutLayer: Dropout

    /// Creates a `GroupedQueryAttention` with Keras's arguments and defaults (the names in Swift case).
    public init(headDim: Int, numQueryHeads: Int, numKeyValueHeads: Int, dropout: Double = 0, useBias: Bool = true,
                kernelInitializer: any Initializer = GlorotUniform(), biasInitializer: any Initializer = Zeros(),
                kernelRegularizer: (any Regularizer)? = nil, biasRegularizer: (any Regularizer)? = nil,
                activityRegularizer: (any Regularizer)? = nil,
                kernelConstraint: (any Constraint)? = nil, biasConstraint: (any Constraint)? = nil,
                seed: Int? = nil, name: String? = nil, trainable: Bool = true, dtype: DType = .float32) {
        requireValid { try Self.validate(headDim: headDim, numQueryHeads: numQueryHeads, numKeyValueHeads: numKeyValueHeads, dropout: dropout) }
        self.headDim = headDim
        self.numQueryHeads = numQueryHeads
        self.numKeyValueHeads = numKeyValueHeads
        self.dropout = dropout
        self.useBias = useBias
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        self.kernelRegularizer = kernelRegularizer
        self.biasRegularizer = biasRegularizer
        self.kernelConstraint = kernelConstraint
        self.biasConstraint = biasConstraint
        self.seed = seed
        self.dropoutLayer = Dropout(dropout, seed: seed, dtype: dtype)
        super.init(name: name, trainable: trainable, dtype: dtype)
        self.activityRegularizer = activityRegularizer
    }

    static func validate(headDim: Int, numQueryHeads: Int, numKeyValueHeads: Int, dropout: Double) throws {
        try ensure(headDim > 0 && numQueryHeads > 0 && numKeyValueHeads > 0,
                   "GroupedQueryAttention: `head_dim`, `num_query_heads` and `num_key_value_heads` must be positive, received \(headDim), \(numQueryHeads), \(numKeyValueHeads)")
        try ensure(numQueryHeads % numKeyValueHeads == 0, "GroupedQueryAttention: `num_query_heads` must be divisible by `num_key_value_heads`. Received: \(numQueryHeads) and \(numKeyValueHeads)")
        try ensure(dropout >= 0 && dropout <= 1, "GroupedQueryAttention: `dropout` must be between 0 and 1, received dropout=\(dropout)")
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let gqa = try GroupedQueryAttention(config: ["head_dim": 8, "num_query_heads": 4, "num_key_value_heads": 2])
    /// ```
    ///
    /// - Throws: `KerasError.invalidConfig` for bad values, and for `use_gate` or `sliding_window`,
    ///   which swift-keras does not provide.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: GroupedQueryAttention.self, config: config)
        let base = try r.layerBase()
        let headDim = try r.int("head_dim"), q = try r.int("num_query_heads"), kv = try r.int("num_key_value_heads")
        let dropout = try r.double("dropout", default: 0)
        if try r.bool("use_gate", default: false) { throw r.mismatch("use_gate", "false (gated attention is not supported)", .bool(true)) }
        if let window = r.value("sliding_window"), !window.isNull { throw r.mismatch("sliding_window", "null (sliding windows are not supported)", window) }
        try r.validated { try GroupedQueryAttention.validate(headDim: headDim, numQueryHeads: q, numKeyValueHeads: kv, dropout: dropout) }
        self.init(headDim: headDim, numQueryHeads: q, numKeyValueHeads: kv, dropout: dropout,
                  useBias: try r.bool("use_bias", default: true),
                  kernelInitializer: try r.initializer("kernel_initializer", default: GlorotUniform()),
                  biasInitializer: try r.initializer("bias_initializer", default: Zeros()),
                  kernelRegularizer: try r.regularizer("kernel_regularizer"),
                  biasRegularizer: try r.regularizer("bias_regularizer"),
                  activityRegularizer: try r.regularizer("activity_regularizer"),
                  kernelConstraint: try r.constraint("kernel_constraint"),
                  biasConstraint: try r.constraint("bias_constraint"),
                  seed: try r.seed(), name: base.name, trainable: base.trainable, dtype: base.dtype)
    }

    public override var supportsMasking: Bool { true }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        guard inputShapes.count == 2 || inputShapes.count == 3 else {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\" takes [query, value] or [query, value, key], received \(inputShapes.count) inputs")
        }
        for (role, shape) in zip(["query", "value", "key"], inputShapes) where shape.count != 3 || shape[2] == nil {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\": the \(role) must have shape (batch, steps, features) with known features, received \(formatShape(shape))")
        }
        return nil
    }

    public override func build(inputShapes: [[Int?]]) {
        func dense(_ heads: Int, _ name: String) -> HeadDense {
            HeadDense(splitInto: [heads, headDim], useBias: useBias, kernelInitializer: kernelInitializer,
                      biasInitializer: biasInitializer, kernelRegularizer: kernelRegularizer, biasRegularizer: biasRegularizer,
                      kernelConstraint: kernelConstraint, biasConstraint: biasConstraint, name: name, dtype: dtype)
        }
        let q = inputShapes[0], v = inputShapes[1]
        let k = inputShapes.count > 2 ? inputShapes[2] : v
        queryDense = dense(numQueryHeads, "query")
        queryDense.buildIfNeeded([q])
        keyDense = dense(numKeyValueHeads, "key")
        keyDense.buildIfNeeded([k])
        valueDense = dense(numKeyValueHeads, "value")
        valueDense.buildIfNeeded([v])
        outputDense = HeadDense(mergingTo: q[2]!, useBias: useBias, kernelInitializer: kernelInitializer,
                                biasInitializer: biasInitializer, kernelRegularizer: kernelRegularizer,
                                biasRegularizer: biasRegularizer, kernelConstraint: kernelConstraint,
                                biasConstraint: biasConstraint, name: "attention_output", dtype: dtype)
        outputDense.buildIfNeeded([[nil, nil, numQueryHeads, headDim]])
    }

    public override var sublayers: [Layer] {
        built ? [queryDense, keyDense, valueDense, outputDense, dropoutLayer] : [dropoutLayer]
    }

    public override func computeOutputShapes(_ inputShapes: [[Int?]]) -> [[Int?]] { [inputShapes[0]] }

    public override func computeMasks(_ inputs: [Tensor], masks: [Tensor?]) -> [Tensor?] { [masks.first ?? nil] }

    public override func call(_ inputs: [Tensor], training: Bool) -> [Tensor] { call(inputs, masks: [], training: training) }

    public override func call(_ inputs: [Tensor], masks: [Tensor?], training: Bool) -> [Tensor] {
        require(inputs.count == 2 || inputs.count == 3, "Layer \"\(name)\" takes [query, value] or [query, value, key], received \(inputs.count) inputs")
        func mask(_ i: Int) -> Tensor? { i < masks.count ? masks[i] : nil }
        let combined = MultiHeadAttention.attentionMask(queryMask: mask(0), valueMask: mask(1), keyMask: mask(2), attentionMask: nil,
                                                        causal: false, queryLength: inputs[0].shape[1], valueLength: inputs[1].shape[1])
        return [attend(inputs[0], inputs[1], inputs.count > 2 ? inputs[2] : inputs[1], mask: combined, scores: false, training: training).output]
    }

    /// Attention with Keras's call options (see ``MultiHeadAttention``); the scores are `(B, numQueryHeads, T, S)`.
    public func callAsFunction(query: Tensor, value: Tensor, key: Tensor? = nil, queryMask: Tensor? = nil,
                               valueMask: Tensor? = nil, keyMask: Tensor? = nil, attentionMask: Tensor? = nil,
                               useCausalMask: Bool = false, returnAttentionScores: Bool = false,
                               training: Bool = false) -> (output: Tensor, scores: Tensor?) {
        let inputs = [query, value] + (key.map { [$0] } ?? [])
        let shapes = inputs.map { $0.shape.map { Optional($0) } }
        if let error = validateSymbolic(shapes) { fatalError(error.description) }
        buildIfNeeded(shapes)
        let combined = MultiHeadAttention.attentionMask(queryMask: queryMask, valueMask: valueMask, keyMask: keyMask,
                                                        attentionMask: attentionMask, causal: useCausalMask,
                                                        queryLength: query.shape[1], valueLength: value.shape[1])
        let result = attend(query, value, key ?? value, mask: combined, scores: returnAttentionScores, training: training)
        return (result.output, returnAttentionScores ? result.scores : nil)
    }

    private func attend(_ query: Tensor, _ value: Tensor, _ key: Tensor, mask: Tensor?, scores: Bool,
                        training: Bool) -> (output: Tensor, scores: Tensor) {
        let repeats = numQueryHeads / numKeyValueHeads
        let index = Tensor(shape: [numQueryHeads], scalars: (0..<numQueryHeads).map { Int32($0 / repeats) })
        func expand(_ t: Tensor) -> Tensor { repeats == 1 ? t : t.take(index, axis: 2) }
        let (combined, probabilities) = headAttention(query: queryDense(query), key: expand(keyDense(key)),
                                                      value: expand(valueDense(value)), mask: mask,
                                                      dropout: dropout > 0 ? dropoutLayer : nil, differentiableScores: scores,
                                                      training: training)
        return (outputDense(combined), probabilities)
    }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["head_dim"] = .int(headDim)
        config["num_query_heads"] = .int(numQueryHeads)
        config["num_key_value_heads"] = .int(numKeyValueHeads)
        config["use_bias"] = .bool(useBias)
        config["use_gate"] = .bool(false)
        config["sliding_window"] = .null
        config["dropout"] = .double(dropout)
        config["kernel_initializer"] = kernelInitializer.serialize()
        config["bias_initializer"] = biasInitializer.serialize()
        config["kernel_regularizer"] = serializeOptional(kernelRegularizer)
        config["bias_regularizer"] = serializeOptional(biasRegularizer)
        config["activity_regularizer"] = serializeOptional(activityRegularizer)
        config["kernel_constraint"] = serializeOptional(kernelConstraint)
        config["bias_constraint"] = serializeOptional(biasConstraint)
        config["seed"] = ConfigValue(seed)
        return config
    }
}
