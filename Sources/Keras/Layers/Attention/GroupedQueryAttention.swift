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
public final class GroupedQueryAttention: BaseHeadAttention, @unchecked Sendable {
    /// The `headDim` this `GroupedQueryAttention` was created with.
    public let headDim: Int
    /// The `numQueryHeads` this `GroupedQueryAttention` was created with.
    public let numQueryHeads: Int
    /// The `numKeyValueHeads` this `GroupedQueryAttention` was created with.
    public let numKeyValueHeads: Int

    /// Creates a `GroupedQueryAttention` with Keras's arguments and defaults (the names in Swift case).
    public convenience init(headDim: Int, numQueryHeads: Int, numKeyValueHeads: Int, dropout: Double = 0, useBias: Bool = true,
                            kernelInitializer: any Initializer = GlorotUniform(), biasInitializer: any Initializer = Zeros(),
                            kernelRegularizer: (any Regularizer)? = nil, biasRegularizer: (any Regularizer)? = nil,
                            activityRegularizer: (any Regularizer)? = nil,
                            kernelConstraint: (any Constraint)? = nil, biasConstraint: (any Constraint)? = nil,
                            seed: Int? = nil, name: String? = nil, trainable: Bool = true, dtype: DType = .float32) {
        self.init(headDim: headDim, numQueryHeads: numQueryHeads, numKeyValueHeads: numKeyValueHeads,
                  options: Options(dropout: dropout, useBias: useBias, kernelInitializer: kernelInitializer,
                                   biasInitializer: biasInitializer, kernelRegularizer: kernelRegularizer,
                                   biasRegularizer: biasRegularizer, activityRegularizer: activityRegularizer,
                                   kernelConstraint: kernelConstraint, biasConstraint: biasConstraint, seed: seed,
                                   name: name, trainable: trainable, dtype: dtype))
    }

    private init(headDim: Int, numQueryHeads: Int, numKeyValueHeads: Int, options: Options) {
        requireValid { try Self.validate(headDim: headDim, numQueryHeads: numQueryHeads, numKeyValueHeads: numKeyValueHeads, dropout: options.dropout) }
        self.headDim = headDim
        self.numQueryHeads = numQueryHeads
        self.numKeyValueHeads = numKeyValueHeads
        super.init(queryHeads: numQueryHeads, keyValueHeads: numKeyValueHeads, keySize: headDim, valueSize: headDim,
                   outputFeatures: nil, options: options)
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
        let options = try Options(reading: &r)
        let headDim = try r.int("head_dim"), q = try r.int("num_query_heads"), kv = try r.int("num_key_value_heads")
        try r.validated { try GroupedQueryAttention.validate(headDim: headDim, numQueryHeads: q, numKeyValueHeads: kv, dropout: options.dropout) }
        self.init(headDim: headDim, numQueryHeads: q, numKeyValueHeads: kv, options: options)
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
        writeWeightConfig(into: &config)
        return config
    }
}
