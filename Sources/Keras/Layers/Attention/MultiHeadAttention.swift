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
public final class MultiHeadAttention: Layer, @unchecked Sendable {
    /// Its inference calls write no state, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// Keras calls it `layer(query, value, key)`: configs list the inputs as separate arguments.
    public override class var callArgumentNames: [String]? { ["query", "value", "key"] }
    /// The `numHeads` this `MultiHeadAttention` was created with.
    public let numHeads: Int
    /// The `keyDim` this `MultiHeadAttention` was created with.
    public let keyDim: Int
    /// The `valueDim` this `MultiHeadAttention` was created with.
    public let valueDim: Int
    /// Dropout on the attention probabilities (training only).
    public let dropout: Double
    /// The `useBias` this `MultiHeadAttention` was created with.
    public let useBias: Bool
    /// The output features, Keras's `output_shape` (`nil`: the query's last dimension).
    public let outputFeatures: Int?
    /// The `kernelInitializer` this `MultiHeadAttention` was created with.
    public let kernelInitializer: any Initializer
    /// The `biasInitializer` this `MultiHeadAttention` was created with.
    public let biasInitializer: any Initializer
    /// The `kernelRegularizer` this `MultiHeadAttention` was created with.
    public let kernelRegularizer: (any Regularizer)?
    /// The `biasRegularizer` this `MultiHeadAttention` was created with.
    public let biasRegularizer: (any Regularizer)?
    /// The `kernelConstraint` this `MultiHeadAttention` was created with.
    public let kernelConstraint: (any Constraint)?
    /// The `biasConstraint` this `MultiHeadAttention` was created with.
    public let biasConstraint: (any Constraint)?
    /// The `seed` this `MultiHeadAttention` was created with.
    public let seed: Int?
    /// The projections (Keras's `_query_dense`, …, `_output_dense`), created at build.
    public private(set) var queryDense: HeadDense!
    /// The key projection `(keyDim, numHeads, keyDim)`, once built.
    public private(set) var keyDense: HeadDense!
    /// The value projection, once built.
    public private(set) var valueDense: HeadDense!
    /// The output projection, once built.
    public private(set) var outputDense: HeadDense!
    /// Dropout on the attention probabilities (Keras's `_dropout_layer`).
    public let dropoutLayer: Dropout
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
    public init(numHeads: Int, keyDim: Int, valueDim: Int? = nil, dropout: Double = 0, useBias: Bool = true,
                outputShape: Int? = nil,
                kernelInitializer: any Initializer = GlorotUniform(), biasInitializer: any Initializer = Zeros(),
                kernelRegularizer: (any Regularizer)? = nil, biasRegularizer: (any Regularizer)? = nil,
                activityRegularizer: (any Regularizer)? = nil,
                kernelConstraint: (any Constraint)? = nil, biasConstraint: (any Constraint)? = nil,
                seed: Int? = nil, name: String? = nil, trainable: Bool = true, dtype: DType = .float32) {
        requireValid { try Self.validate(numHeads: numHeads, keyDim: keyDim, valueDim: valueDim, dropout: dropout, outputShape: outputShape) }
        self.numHeads = numHeads
        self.keyDim = keyDim
        self.valueDim = valueDim ?? keyDim
        self.dropout = dropout
        self.useBias = useBias
        self.outputFeatures = outputShape
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
        let base = try r.layerBase()
        let numHeads = try r.int("num_heads"), keyDim = try r.int("key_dim")
        let valueDim = try r.optionalInt("value_dim"), dropout = try r.double("dropout", default: 0)
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
        if try r.bool("use_gate", default: false) { throw r.mismatch("use_gate", "false (gated attention is not supported)", .bool(true)) }
        if let window = r.value("sliding_window"), !window.isNull { throw r.mismatch("sliding_window", "null (sliding windows are not supported)", window) }
        try r.validated { try MultiHeadAttention.validate(numHeads: numHeads, keyDim: keyDim, valueDim: valueDim, dropout: dropout, outputShape: outputShape) }
        self.init(numHeads: numHeads, keyDim: keyDim, valueDim: valueDim, dropout: dropout,
                  useBias: try r.bool("use_bias", default: true), outputShape: outputShape,
                  kernelInitializer: try r.initializer("kernel_initializer", default: GlorotUniform()),
                  biasInitializer: try r.initializer("bias_initializer", default: Zeros()),
                  kernelRegularizer: try r.regularizer("kernel_regularizer"),
                  biasRegularizer: try r.regularizer("bias_regularizer"),
                  activityRegularizer: try r.regularizer("activity_regularizer"),
                  kernelConstraint: try r.constraint("kernel_constraint"),
                  biasConstraint: try r.constraint("bias_constraint"),
                  seed: try r.seed(), name: base.name, trainable: base.trainable, dtype: base.dtype)
        givenAttentionAxes = axes?.axes
    }

    public override var supportsMasking: Bool { true }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        guard inputShapes.count == 2 || inputShapes.count == 3 else {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\" takes [query, value] or [query, value, key], received \(inputShapes.count) inputs")
        }
        for (role, shape) in zip(["query", "value", "key"], inputShapes) where shape.count != 3 || shape[2] == nil {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\": the \(role) must have shape (batch, steps, features) with known features, received \(formatShape(shape))")
        }
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

    public override func build(inputShapes: [[Int?]]) {
        let common = (useBias, kernelInitializer, biasInitializer, kernelRegularizer, biasRegularizer, kernelConstraint, biasConstraint)
        func split(_ size: Int, _ name: String) -> HeadDense {
            HeadDense(splitInto: [numHeads, size], useBias: common.0, kernelInitializer: common.1, biasInitializer: common.2,
                      kernelRegularizer: common.3, biasRegularizer: common.4, kernelConstraint: common.5,
                      biasConstraint: common.6, name: name, dtype: dtype)
        }
        let q = inputShapes[0], v = inputShapes[1]
        let k = inputShapes.count > 2 ? inputShapes[2] : v
        queryDense = split(keyDim, "query")
        queryDense.buildIfNeeded([q])
        keyDense = split(keyDim, "key")
        keyDense.buildIfNeeded([k])
        valueDense = split(valueDim, "value")
        valueDense.buildIfNeeded([v])
        outputDense = HeadDense(mergingTo: outputFeatures ?? q[2]!, useBias: useBias, kernelInitializer: kernelInitializer,
                                biasInitializer: biasInitializer, kernelRegularizer: kernelRegularizer,
                                biasRegularizer: biasRegularizer, kernelConstraint: kernelConstraint,
                                biasConstraint: biasConstraint, name: "attention_output", dtype: dtype)
        outputDense.buildIfNeeded([[q[0], q[1], numHeads, valueDim]])
    }

    /// `[query, value, key]` sublayers in Keras's order (they are created at build).
    public override var sublayers: [Layer] {
        built ? [queryDense, keyDense, valueDense, outputDense, dropoutLayer] : [dropoutLayer]
    }

    public override func computeOutputShapes(_ inputShapes: [[Int?]]) -> [[Int?]] {
        let q = inputShapes[0]
        return [[q[0], q[1], outputFeatures ?? q[2]]]
    }

    /// The output keeps the query's mask.
    public override func computeMasks(_ inputs: [Tensor], masks: [Tensor?]) -> [Tensor?] { [masks.first ?? nil] }

    public override func call(_ inputs: [Tensor], training: Bool) -> [Tensor] { call(inputs, masks: [], training: training) }

    public override func call(_ inputs: [Tensor], masks: [Tensor?], training: Bool) -> [Tensor] {
        require(inputs.count == 2 || inputs.count == 3, "Layer \"\(name)\" takes [query, value] or [query, value, key], received \(inputs.count) inputs")
        func mask(_ i: Int) -> Tensor? { i < masks.count ? masks[i] : nil }
        let combined = Self.attentionMask(queryMask: mask(0), valueMask: mask(1), keyMask: mask(2),
                                          attentionMask: nil, causal: false, queryLength: inputs[0].shape[1],
                                          valueLength: inputs[1].shape[1])
        return [attend(inputs[0], inputs[1], inputs.count > 2 ? inputs[2] : inputs[1], mask: combined, scores: false, training: training).output]
    }

    /// Attention with every Keras call option: an explicit `attentionMask` `(batch, T, S)` (true =
    /// attend), `useCausalMask` (step t attends to steps ≤ t), masks of the query, value and key
    /// `(batch, steps)`, and the attention probabilities `(batch, heads, T, S)` on request.
    public func callAsFunction(query: Tensor, value: Tensor, key: Tensor? = nil, queryMask: Tensor? = nil,
                               valueMask: Tensor? = nil, keyMask: Tensor? = nil, attentionMask: Tensor? = nil,
                               useCausalMask: Bool = false, returnAttentionScores: Bool = false,
                               training: Bool = false) -> (output: Tensor, scores: Tensor?) {
        let inputs = [query, value] + (key.map { [$0] } ?? [])
        buildIfNeeded(inputs.map { $0.shape.map { Optional($0) } })
        if let error = validateSymbolic(inputs.map { $0.shape.map { Optional($0) } }) { fatalError(error.description) }
        let combined = Self.attentionMask(queryMask: queryMask, valueMask: valueMask, keyMask: keyMask,
                                          attentionMask: attentionMask, causal: useCausalMask,
                                          queryLength: query.shape[1], valueLength: value.shape[1])
        let result = attend(query.cast(to: dtype), value.cast(to: dtype), (key ?? value).cast(to: dtype), mask: combined, scores: returnAttentionScores, training: training)
        return (result.output, returnAttentionScores ? result.scores : nil)
    }

    /// Keras's `_compute_attention_mask`: the AND of `queryMask[:, :, None]`, `valueMask[:, None, :]`,
    /// `keyMask[:, None, :]`, the causal mask and `attentionMask`, or `nil` when there is none.
    static func attentionMask(queryMask: Tensor?, valueMask: Tensor?, keyMask: Tensor?, attentionMask: Tensor?,
                              causal: Bool, queryLength: Int, valueLength: Int) -> Tensor? {
        var masks: [Tensor] = []
        if let queryMask { masks.append(queryMask.cast(to: .bool).expandingDims(at: -1)) }
        if let valueMask { masks.append(valueMask.cast(to: .bool).expandingDims(at: -2)) }
        if let keyMask { masks.append(keyMask.cast(to: .bool).expandingDims(at: -2)) }
        if causal { masks.append(causalMask(queryLength: queryLength, valueLength: valueLength)) }
        if let attentionMask { masks.append(attentionMask.cast(to: .bool)) }
        guard var combined = masks.first else { return nil }
        for m in masks.dropFirst() { combined = combined.logicalAnd(m) }
        return combined
    }

    /// `(1, T, S)`: query step `i` may attend to value step `j` when `j ≤ i` (Keras's lower triangle).
    static func causalMask(queryLength: Int, valueLength: Int) -> Tensor {
        let rows = Tensor.arange(0, Double(queryLength), dtype: .int32).reshaped(to: [queryLength, 1])
        let cols = Tensor.arange(0, Double(valueLength), dtype: .int32).reshaped(to: [1, valueLength])
        return rows.greaterEqual(cols).expandingDims(at: 0)
    }

    private func attend(_ query: Tensor, _ value: Tensor, _ key: Tensor, mask: Tensor?, scores: Bool,
                        training: Bool) -> (output: Tensor, scores: Tensor) {
        let (combined, probabilities) = headAttention(query: queryDense(query), key: keyDense(key), value: valueDense(value),
                                                      mask: mask, dropout: dropout > 0 ? dropoutLayer : nil,
                                                      differentiableScores: scores, training: training)
        return (outputDense(combined), probabilities)
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
