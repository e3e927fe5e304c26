/// Multi-head attention (`keras.layers.MultiHeadAttention`), with Keras's weights: `query`,
/// `key`, `value` projections `kernel (dim, numHeads, keyDim|valueDim)` + `bias (numHeads, …)`
/// and the `attention_output` projection `kernel (numHeads, valueDim, outputDim)` + `bias`.
///
/// Call it on `[query, value]` or `[query, value, key]` (`(batch, steps, features)` each). The
/// masks of the query and value (from an ``Embedding`` with `maskZero`) are honoured, and the
/// eager `callAsFunction(query:value:key:attentionMask:useCausalMask:returnAttentionScores:training:)`
/// also takes an explicit `(batch, T, S)` attention mask and a causal mask.
///
/// ```swift
/// let mha = MultiHeadAttention(numHeads: 4, keyDim: 16)
/// let x = Tensor.ones([2, 10, 64])
/// let y = mha.apply([x, x])[0]                                   // (2, 10, 64)
/// let (out, scores) = mha(query: x, value: x, useCausalMask: true, returnAttentionScores: true)
/// // scores: (2, 4, 10, 10)
/// ```
public final class MultiHeadAttention: BaseHeadAttention, @unchecked Sendable {
    /// The `numHeads` this `MultiHeadAttention` was created with.
    public let numHeads: Int
    /// The `keyDim` this `MultiHeadAttention` was created with.
    public let keyDim: Int
    /// The `valueDim` this `MultiHeadAttention` was created with.
    public let valueDim: Int
    /// `attention_axes` as a config gave it (only the steps axis is supported).
    private var givenAttentionAxes: [Int]?

    /// Creates a multi-head attention layer (Keras's `MultiHeadAttention`, same defaults); call it with `[query, value]` or `[query, value, key]`.
    ///
    /// - Parameters:
    ///   - numHeads: Number of attention heads.
    ///   - keyDim: Size of each head for the query and key.
    ///   - valueDim: Size of each head for the value; `keyDim` when `nil`.
    ///   - dropout: Fraction of the inputs to drop in training, in `[0, 1)`.
    ///   - useBias: Whether the layer adds a bias vector.
    ///   - outputShape: Size of the output's last dimension; the query's last dimension when `nil`.
    ///   - kernelInitializer: Initializer of the kernel weights.
    ///   - biasInitializer: Initializer of the bias.
    ///   - kernelRegularizer: Penalty on the kernel, added to the loss.
    ///   - biasRegularizer: Penalty on the bias, added to the loss.
    ///   - activityRegularizer: Penalty on the layer's output, added to the loss.
    ///   - kernelConstraint: Constraint applied to the kernel after each optimizer step.
    ///   - biasConstraint: Constraint applied to the bias after each optimizer step.
    ///   - seed: Seed of the dropout masks; `nil` draws from the global seed.
    ///   - name: The layer's name; a unique name from the class name when `nil`.
    ///   - trainable: Whether the layer's weights are updated in training.
    ///   - dtype: The dtype of the weights and computations.
    public convenience init(numHeads: Int, keyDim: Int, valueDim: Int? = nil, dropout: Double = 0, useBias: Bool = true,
                            outputShape: Int? = nil,
                            kernelInitializer: any Initializer = GlorotUniform(), biasInitializer: any Initializer = Zeros(),
                            kernelRegularizer: (any Regularizer)? = nil, biasRegularizer: (any Regularizer)? = nil,
                            activityRegularizer: (any Regularizer)? = nil,
                            kernelConstraint: (any Constraint)? = nil, biasConstraint: (any Constraint)? = nil,
                            seed: Int? = nil, name: String? = nil, trainable: Bool = true, dtype: DType = .float32) {
        self.init(numHeads: numHeads, keyDim: keyDim, valueDim: valueDim, outputShape: outputShape,
                  options: Options(dropout: dropout, useBias: useBias, kernelInitializer: kernelInitializer,
                                   biasInitializer: biasInitializer, kernelRegularizer: kernelRegularizer,
                                   biasRegularizer: biasRegularizer, activityRegularizer: activityRegularizer,
                                   kernelConstraint: kernelConstraint, biasConstraint: biasConstraint, seed: seed,
                                   name: name, trainable: trainable, dtype: dtype))
    }

    private init(numHeads: Int, keyDim: Int, valueDim: Int?, outputShape: Int?, options: Options) {
        requireValid { try Self.validate(numHeads: numHeads, keyDim: keyDim, valueDim: valueDim, dropout: options.dropout, outputShape: outputShape) }
        self.numHeads = numHeads
        self.keyDim = keyDim
        self.valueDim = valueDim ?? keyDim
        super.init(queryHeads: numHeads, keyValueHeads: numHeads, keySize: keyDim, valueSize: valueDim ?? keyDim,
                   outputFeatures: outputShape, options: options)
    }

    static func validate(numHeads: Int, keyDim: Int, valueDim: Int?, dropout: Double, outputShape: Int?) throws {
        try ensure(numHeads > 0, "MultiHeadAttention: Received an invalid value for argument `num_heads`, expected a positive integer. Received: num_heads=\(numHeads)")
        try ensure(keyDim > 0, "MultiHeadAttention: Received an invalid value for argument `key_dim`, expected a positive integer. Received: key_dim=\(keyDim)")
        if let valueDim {
            try ensure(valueDim > 0, "MultiHeadAttention: Received an invalid value for argument `value_dim`, expected a positive integer or `None`. Received: value_dim=\(valueDim)")
        }
        try ensure(dropout >= 0 && dropout <= 1, "MultiHeadAttention: `dropout` must be between 0 and 1, received dropout=\(dropout)")
        if let outputShape { try ensure(outputShape > 0, "MultiHeadAttention: Invalid `output_shape`: \(outputShape)") }
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let mha = try MultiHeadAttention(config: ["num_heads": 2, "key_dim": 8])
    /// ```
    ///
    /// - Throws: `KerasError.invalidConfig` for bad values, and for the options swift-keras does
    ///   not provide (`use_gate`, `sliding_window`, `attention_axes` other than the steps axis,
    ///   a multi-axis `output_shape`).
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: MultiHeadAttention.self, config: config)
        let options = try Options(reading: &r)
        let numHeads = try r.int("num_heads"), keyDim = try r.int("key_dim")
        let valueDim = try r.optionalInt("value_dim")
        let outputShape: Int? = try r.nested("output_shape") { value in
            guard let value, !value.isNull else { return nil }
            if let n = value.intValue { return n }
            if let list = value.arrayValue, list.count == 1, let n = list[0].intValue { return n }
            throw KerasError.invalidConfig("expected an integer or a one-element list, received \(value) (multi-axis outputs are not supported)")
        }
        let axes = try r.axes("attention_axes")
        if let axes, axes.axes != [1] && axes.axes != [-2] {
            throw r.mismatch("attention_axes", "null or [1] (attention over the steps axis)", ConfigValue.array(axes.axes.map { .int($0) }))
        }
        try r.validated { try MultiHeadAttention.validate(numHeads: numHeads, keyDim: keyDim, valueDim: valueDim, dropout: options.dropout, outputShape: outputShape) }
        self.init(numHeads: numHeads, keyDim: keyDim, valueDim: valueDim, outputShape: outputShape, options: options)
        givenAttentionAxes = axes?.axes
    }

    /// Also checks that the key and value have the same steps and the query and value the same batch.
    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        if let error = super.validateSymbolic(inputShapes) { return error }
        let (q, v) = (inputShapes[0], inputShapes[1])
        let k = inputShapes.count == 3 ? inputShapes[2] : v
        if let a = v[1], let b = k[1], a != b {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\": the key and value must have the same number of steps, received value \(formatShape(v)) and key \(formatShape(k))")
        }
        if let a = q[0], let b = v[0], a != b {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\": query and value batch sizes differ: \(formatShape(q)) and \(formatShape(v))")
        }
        return nil
    }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["num_heads"] = .int(numHeads)
        config["key_dim"] = .int(keyDim)
        config["value_dim"] = .int(valueDim)
        config["dropout"] = .double(dropout)
        config["use_bias"] = .bool(useBias)
        config["use_gate"] = .bool(false)
        config["output_shape"] = outputFeatures.map { .array([.int($0)]) } ?? .null
        // Keras fills in the steps axis at build.
        config["attention_axes"] = (givenAttentionAxes ?? (built ? [1] : nil)).map { .array($0.map { .int($0) }) } ?? .null
        config["sliding_window"] = .null
        writeWeightConfig(into: &config)
        return config
    }
}
