import KerasCore

/// What ``MultiHeadAttention`` and ``GroupedQueryAttention`` share: the weight options, the
/// `query`, `key`, `value` and `attention_output` projections (``HeadDense``), the masks, the
/// call paths and the common config keys. A subclass only says how many heads of which size each
/// projection has, and reads and writes its own config keys.
///
/// ```swift
/// let layers: [BaseHeadAttention] = [MultiHeadAttention(numHeads: 4, keyDim: 16),
///                                    GroupedQueryAttention(headDim: 16, numQueryHeads: 4, numKeyValueHeads: 2)]
/// let x = Tensor.ones([2, 10, 64])
/// for layer in layers { print(layer(query: x, value: x).output.shape) }   // [2, 10, 64]
/// ```
public class BaseHeadAttention: Layer, @unchecked Sendable {
    /// Its inference calls write no state, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// Keras calls it `layer(query, value, key)`: configs list the inputs as separate arguments.
    public override class var callArgumentNames: [String]? { ["query", "value", "key"] }
    /// Dropout on the attention probabilities (training only).
    public let dropout: Double
    /// Whether the projections add a bias.
    public let useBias: Bool
    /// The initializer of the projection kernels.
    public let kernelInitializer: any Initializer
    /// The initializer of the projection biases.
    public let biasInitializer: any Initializer
    /// The penalty on the projection kernels.
    public let kernelRegularizer: (any Regularizer)?
    /// The penalty on the projection biases.
    public let biasRegularizer: (any Regularizer)?
    /// The constraint on the projection kernels.
    public let kernelConstraint: (any Constraint)?
    /// The constraint on the projection biases.
    public let biasConstraint: (any Constraint)?
    /// The seed of the dropout masks (`nil`: the global seed).
    public let seed: Int?
    /// The output features (`nil`: the query's last dimension).
    public let outputFeatures: Int?
    /// The query projection (Keras's `_query_dense`), once built.
    public private(set) var queryDense: HeadDense!
    /// The key projection, once built.
    public private(set) var keyDense: HeadDense!
    /// The value projection, once built.
    public private(set) var valueDense: HeadDense!
    /// The output projection (Keras's `_output_dense`), once built.
    public private(set) var outputDense: HeadDense!
    /// Dropout on the attention probabilities (Keras's `_dropout_layer`).
    public let dropoutLayer: Dropout
    /// The heads of the query projection, and their size (also the key's).
    let queryHeads: Int, keySize: Int
    /// The heads of the key and value projections (each serves `queryHeads / keyValueHeads` query
    /// heads), and the value's head size.
    let keyValueHeads: Int, valueSize: Int

    /// The arguments both layers take, as their initializers and configs give them.
    struct Options {
        var dropout = 0.0
        var useBias = true
        var kernelInitializer: any Initializer = GlorotUniform()
        var biasInitializer: any Initializer = Zeros()
        var kernelRegularizer: (any Regularizer)? = nil
        var biasRegularizer: (any Regularizer)? = nil
        var activityRegularizer: (any Regularizer)? = nil
        var kernelConstraint: (any Constraint)? = nil
        var biasConstraint: (any Constraint)? = nil
        var seed: Int? = nil
        var name: String? = nil
        var trainable = true
        var dtype = DType.float32

        init(dropout: Double, useBias: Bool, kernelInitializer: any Initializer, biasInitializer: any Initializer,
             kernelRegularizer: (any Regularizer)?, biasRegularizer: (any Regularizer)?, activityRegularizer: (any Regularizer)?,
             kernelConstraint: (any Constraint)?, biasConstraint: (any Constraint)?, seed: Int?, name: String?,
             trainable: Bool, dtype: DType) {
            (self.dropout, self.useBias, self.kernelInitializer, self.biasInitializer) = (dropout, useBias, kernelInitializer, biasInitializer)
            (self.kernelRegularizer, self.biasRegularizer, self.activityRegularizer) = (kernelRegularizer, biasRegularizer, activityRegularizer)
            (self.kernelConstraint, self.biasConstraint, self.seed) = (kernelConstraint, biasConstraint, seed)
            (self.name, self.trainable, self.dtype) = (name, trainable, dtype)
        }

        /// The shared keys of a config; rejects `use_gate` and `sliding_window`, which
        /// swift-keras does not provide.
        init(reading r: inout ObjectConfigReader) throws {
            let base = try r.layerBase()
            (name, trainable, dtype) = (base.name, base.trainable, base.dtype)
            dropout = try r.double("dropout", default: 0)
            if try r.bool("use_gate", default: false) { throw r.mismatch("use_gate", "false (gated attention is not supported)", .bool(true)) }
            if let window = r.value("sliding_window"), !window.isNull { throw r.mismatch("sliding_window", "null (sliding windows are not supported)", window) }
            useBias = try r.bool("use_bias", default: true)
            kernelInitializer = try r.initializer("kernel_initializer", default: GlorotUniform())
            biasInitializer = try r.initializer("bias_initializer", default: Zeros())
            kernelRegularizer = try r.regularizer("kernel_regularizer")
            biasRegularizer = try r.regularizer("bias_regularizer")
            activityRegularizer = try r.regularizer("activity_regularizer")
            kernelConstraint = try r.constraint("kernel_constraint")
            biasConstraint = try r.constraint("bias_constraint")
            seed = try r.seed()
        }
    }

    init(queryHeads: Int, keyValueHeads: Int, keySize: Int, valueSize: Int, outputFeatures: Int?, options o: Options) {
        (self.queryHeads, self.keyValueHeads, self.keySize, self.valueSize) = (queryHeads, keyValueHeads, keySize, valueSize)
        self.outputFeatures = outputFeatures
        (dropout, useBias, kernelInitializer, biasInitializer) = (o.dropout, o.useBias, o.kernelInitializer, o.biasInitializer)
        (kernelRegularizer, biasRegularizer, kernelConstraint, biasConstraint) = (o.kernelRegularizer, o.biasRegularizer, o.kernelConstraint, o.biasConstraint)
        seed = o.seed
        dropoutLayer = Dropout(o.dropout, seed: o.seed, dtype: o.dtype)
        super.init(name: o.name, trainable: o.trainable, dtype: o.dtype)
        activityRegularizer = o.activityRegularizer
    }

    public override var supportsMasking: Bool { true }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        guard inputShapes.count == 2 || inputShapes.count == 3 else {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\" takes [query, value] or [query, value, key], received \(inputShapes.count) inputs")
        }
        for (role, shape) in zip(["query", "value", "key"], inputShapes) where shape.count != 3 || (shape[2] ?? 0) <= 0 {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\": the \(role) must have shape (batch, steps, features) with a known, positive number of features, received \(formatShape(shape))")
        }
        // Once built, the projections fix each input's features (the key's default to the value's).
        if let built = buildShapes {
            let key = { (shapes: [[Int?]]) in shapes.count > 2 ? shapes[2] : shapes[1] }
            for (role, shape, expected) in [("query", inputShapes[0], built[0]), ("value", inputShapes[1], built[1]),
                                            ("key", key(inputShapes), key(built))] where shape[2] != expected.last ?? nil {
                return .incompatibleInput(layer: name, message: "Layer \"\(name)\": the \(role) must have \(expected.last.flatMap { $0 }.map(String.init) ?? "?") features, as the layer was built for, received shape \(formatShape(shape))")
            }
        }
        return nil
    }

    public override func build(inputShapes: [[Int?]]) {
        func projection(_ name: String, _ heads: Int, _ size: Int, _ input: [Int?]) -> HeadDense {
            let dense = HeadDense(splitInto: [heads, size], useBias: useBias, kernelInitializer: kernelInitializer,
                                  biasInitializer: biasInitializer, kernelRegularizer: kernelRegularizer,
                                  biasRegularizer: biasRegularizer, kernelConstraint: kernelConstraint,
                                  biasConstraint: biasConstraint, name: name, dtype: dtype)
            dense.buildIfNeeded([input])
            return dense
        }
        let q = inputShapes[0], v = inputShapes[1]
        queryDense = projection("query", queryHeads, keySize, q)
        keyDense = projection("key", keyValueHeads, keySize, inputShapes.count > 2 ? inputShapes[2] : v)
        valueDense = projection("value", keyValueHeads, valueSize, v)
        outputDense = HeadDense(mergingTo: outputFeatures ?? q[2]!, useBias: useBias, kernelInitializer: kernelInitializer,
                                biasInitializer: biasInitializer, kernelRegularizer: kernelRegularizer,
                                biasRegularizer: biasRegularizer, kernelConstraint: kernelConstraint,
                                biasConstraint: biasConstraint, name: "attention_output", dtype: dtype)
        outputDense.buildIfNeeded([[q[0], q[1], queryHeads, valueSize]])
    }

    /// The projections in Keras's order (they are created at build), then the dropout.
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
    /// `(batch, steps)`, and the attention probabilities `(batch, query heads, T, S)` on request.
    ///
    /// ```swift
    /// let mha = MultiHeadAttention(numHeads: 2, keyDim: 8)
    /// let x = Tensor.ones([1, 5, 16])
    /// let (out, scores) = mha(query: x, value: x, useCausalMask: true, returnAttentionScores: true)
    /// // out: (1, 5, 16); scores: (1, 2, 5, 5)
    /// ```
    public func callAsFunction(query: Tensor, value: Tensor, key: Tensor? = nil, queryMask: Tensor? = nil,
                               valueMask: Tensor? = nil, keyMask: Tensor? = nil, attentionMask: Tensor? = nil,
                               useCausalMask: Bool = false, returnAttentionScores: Bool = false,
                               training: Bool = false) -> (output: Tensor, scores: Tensor?) {
        let inputs = [query, value] + (key.map { [$0] } ?? [])
        let shapes = inputs.map { $0.shape.map { Optional($0) } }
        if let error = validateSymbolic(shapes) { fatalError(error.description) }
        buildIfNeeded(shapes)
        let combined = Self.attentionMask(queryMask: queryMask, valueMask: valueMask, keyMask: keyMask,
                                          attentionMask: attentionMask, causal: useCausalMask,
                                          queryLength: query.shape[1], valueLength: value.shape[1])
        let result = attend(query.cast(to: dtype), value.cast(to: dtype), (key ?? value).cast(to: dtype), mask: combined,
                            scores: returnAttentionScores, training: training)
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

    /// The projections, attention over heads (each key/value head repeated for the query heads it
    /// serves), and the output projection.
    private func attend(_ query: Tensor, _ value: Tensor, _ key: Tensor, mask: Tensor?, scores: Bool,
                        training: Bool) -> (output: Tensor, scores: Tensor?) {
        let repeats = queryHeads / keyValueHeads
        func expand(_ t: Tensor) -> Tensor {
            if repeats == 1 { return t }
            let index = Tensor(shape: [queryHeads], scalars: (0..<queryHeads).map { Int32($0 / repeats) })
            return t.take(index, axis: 2)
        }
        let (combined, probabilities) = headAttention(query: queryDense(query), key: expand(keyDense(key)),
                                                      value: expand(valueDense(value)), mask: mask,
                                                      dropout: dropout > 0 ? dropoutLayer : nil,
                                                      differentiableScores: scores, training: training)
        return (outputDense(combined), probabilities)
    }

    /// Writes the shared weight keys, in Keras's order, after a subclass's own keys.
    func writeWeightConfig(into config: inout Config) {
        config["kernel_initializer"] = kernelInitializer.serialize()
        config["bias_initializer"] = biasInitializer.serialize()
        config["kernel_regularizer"] = serializeOptional(kernelRegularizer)
        config["bias_regularizer"] = serializeOptional(biasRegularizer)
        config["activity_regularizer"] = serializeOptional(activityRegularizer)
        config["kernel_constraint"] = serializeOptional(kernelConstraint)
        config["bias_constraint"] = serializeOptional(biasConstraint)
        config["seed"] = ConfigValue(seed)
    }
}
