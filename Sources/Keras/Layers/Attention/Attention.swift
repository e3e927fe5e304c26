import KerasCore

/// Dot-product attention (`keras.layers.Attention`, Luong style): called on `[query, value]` or
/// `[query, value, key]` of shapes `(batch, Tq, dim)`, `(batch, Tv, dim)`, it returns
/// `softmax(scores) · value` `(batch, Tq, dim)`, where `scores = query · keyᵀ` (`scoreMode`
/// `.dot`, times a learned `scale` with `useScale`) or `concat_score_weight · Σ tanh(scale·(q + k))`
/// (`.concat`). Value-masked steps get no weight; query-masked steps output zeros.
///
/// ```swift
/// let attention = Attention()
/// let q = Tensor.ones([2, 4, 3]), v = Tensor.ones([2, 5, 3])
/// let y = attention.apply([q, v])[0]   // (2, 4, 3)
/// let (out, scores) = attention(query: q, value: v, returnAttentionScores: true)   // scores (2, 4, 5)
/// ```
open class Attention: Layer, @unchecked Sendable {
    /// Its inference calls write no state, so `predict` may run batches on several threads.
    open override class var isStatelessInInference: Bool { true }
    /// How `Attention` scores a query against a key.
    public enum ScoreMode: String, Sendable, CaseIterable { case dot, concat }

    /// The `useScale` this `Attention` was created with.
    public let useScale: Bool
    /// The `scoreMode` this `Attention` was created with.
    public let scoreMode: ScoreMode
    /// Dropout on the attention distribution (training only).
    public let dropout: Double
    /// The `seed` this `Attention` was created with.
    public let seed: Int?
    /// Its random stream for the dropout masks (Keras's `seed_generator`), seeded with ``seed``.
    public let seedGenerator: SeedGenerator
    /// The learned scale, once built with `useScale`.
    public internal(set) var scale: Variable?
    /// The learned weight of `.concat` scores, once built.
    public private(set) var concatScoreWeight: Variable?

    /// Creates an `Attention` with Keras's arguments and defaults (the names in Swift case).
    public init(useScale: Bool = false, scoreMode: ScoreMode = .dot, dropout: Double = 0, seed: Int? = nil,
                name: String? = nil, trainable: Bool = true, dtype: DType = .float32) {
        requireValid { try ensure(dropout >= 0 && dropout <= 1, "\(Self.className): `dropout` must be between 0 and 1, received dropout=\(dropout)") }
        self.useScale = useScale
        self.scoreMode = scoreMode
        self.dropout = dropout
        self.seed = seed
        self.seedGenerator = SeedGenerator(seed: seed)
        super.init(name: name, trainable: trainable, dtype: dtype)
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let attention = try Attention(config: ["use_scale": true, "score_mode": "concat"])
    /// ```
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: Attention.self, config: config)
        let base = try r.layerBase()
        let dropout = try r.double("dropout", default: 0)
        try r.validated { try ensure(dropout >= 0 && dropout <= 1, "`dropout` must be between 0 and 1, received dropout=\(dropout)") }
        self.init(useScale: try r.bool("use_scale", default: false),
                  scoreMode: try r.choice("score_mode", default: ScoreMode.dot, allowed: ScoreMode.allCases),
                  dropout: dropout, seed: try r.seed(), name: base.name, trainable: base.trainable, dtype: base.dtype)
    }

    open override var supportsMasking: Bool { true }

    open override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        guard inputShapes.count == 2 || inputShapes.count == 3 else {
            return .incompatibleInput(layer: name, message: "\(className) layer accepts inputs list of length 2 or 3, namely [query, value] or [query, value, key]. Received length: \(inputShapes.count).")
        }
        for shape in inputShapes where shape.count != 3 {
            return .incompatibleInput(layer: name, message: "\(className) layer \"\(name)\": inputs must be (batch, steps, dim), received \(formatShape(shape))")
        }
        // Scores compare each query with each key; the value holds one row per key.
        let (query, value) = (inputShapes[0], inputShapes[1]), key = inputShapes.count > 2 ? inputShapes[2] : value
        func differ(_ a: Int?, _ b: Int?) -> Bool { a != nil && b != nil && a != b }
        if differ(query[2], key[2]) || differ(key[1], value[1]) || differ(query[0], key[0]) || differ(key[0], value[0]) {
            return .incompatibleInput(layer: name, message: "\(className) layer \"\(name)\": the query \(formatShape(query)) and key \(formatShape(key)) need the same batch and dim, and the key and value \(formatShape(value)) the same batch and steps")
        }
        return nil
    }

    open override func build(inputShapes: [[Int?]]) {
        if useScale { scale = addWeight(name: "scale", shape: [], initializer: Ones()) }
        if scoreMode == .concat { concatScoreWeight = addWeight(name: "concat_score_weight", shape: [], initializer: Ones()) }
    }

    /// The scores `(batch, Tq, Tv)` of `query` `(batch, Tq, dim)` against `key` `(batch, Tv, dim)`.
    open func scores(query: Tensor, key: Tensor) -> Tensor {
        switch scoreMode {
        case .dot:
            let s = query.matmul(key.transposed([0, 2, 1]))
            return scale.map { s * $0.value } ?? s
        case .concat:
            var sum = query.expandingDims(at: -2) + key.expandingDims(at: -3)
            if let scale { sum = sum * scale.value }
            return concatScoreWeight!.value * sum.tanh().sum(axes: [-1])
        }
    }

    open override func computeOutputShapes(_ inputShapes: [[Int?]]) -> [[Int?]] {
        [Array(inputShapes[0].dropLast()) + [inputShapes[1].last ?? nil]]
    }

    /// The output keeps the query's mask.
    open override func computeMasks(_ inputs: [Tensor], masks: [Tensor?]) -> [Tensor?] { [masks.first ?? nil] }

    open override func call(_ inputs: [Tensor], training: Bool) -> [Tensor] { call(inputs, masks: [], training: training) }

    open override func call(_ inputs: [Tensor], masks: [Tensor?], training: Bool) -> [Tensor] {
        require(inputs.count == 2 || inputs.count == 3, "\(className) layer accepts inputs list of length 2 or 3, namely [query, value] or [query, value, key]. Received length: \(inputs.count).")
        let queryMask = masks.count > 0 ? masks[0] : nil, valueMask = masks.count > 1 ? masks[1] : nil
        return [attend(inputs[0], inputs[1], inputs.count > 2 ? inputs[2] : inputs[1], queryMask: queryMask,
                       valueMask: valueMask, causal: false, training: training).output]
    }

    /// Attention with Keras's call options: masks of the query and value `(batch, steps)`, a causal
    /// mask, and the attention distribution `(batch, Tq, Tv)` on request.
    public func callAsFunction(query: Tensor, value: Tensor, key: Tensor? = nil, queryMask: Tensor? = nil,
                               valueMask: Tensor? = nil, useCausalMask: Bool = false,
                               returnAttentionScores: Bool = false, training: Bool = false) -> (output: Tensor, scores: Tensor?) {
        let inputs = [query, value] + (key.map { [$0] } ?? [])
        let shapes = inputs.map { $0.shape.map { Optional($0) } }
        if let error = validateSymbolic(shapes) { fatalError(error.description) }
        buildIfNeeded(shapes)
        let result = attend(query, value, key ?? value, queryMask: queryMask, valueMask: valueMask,
                            causal: useCausalMask, training: training)
        return (result.output, returnAttentionScores ? result.scores : nil)
    }

    private func attend(_ query: Tensor, _ value: Tensor, _ key: Tensor, queryMask: Tensor?, valueMask: Tensor?,
                        causal: Bool, training: Bool) -> (output: Tensor, scores: Tensor) {
        var s = scores(query: query, key: key)
        var keep = valueMask.map { $0.cast(to: .bool).expandingDims(at: -2) }
        if causal {
            let c = MultiHeadAttention.causalMask(queryLength: s.shape[s.rank - 2], valueLength: s.shape[s.rank - 1])
            keep = keep.map { $0.logicalAnd(c) } ?? c
        }
        if let keep { s = `where`(keep, s, s - 1e9) }
        var weights = s.softmax(axis: -1)
        if training && dropout > 0 { weights = KerasCore.dropout(weights, rate: dropout, seed: seedGenerator) }
        var output = weights.matmul(value)
        if let queryMask { output = `where`(queryMask.cast(to: .bool).expandingDims(at: -1), output, Tensor.zeros([], dtype: output.dtype)) }
        return (output, weights)
    }

    open override func getConfig() -> Config {
        var config = super.getConfig()
        config["use_scale"] = .bool(useScale)
        config["score_mode"] = .string(scoreMode.rawValue)
        config["dropout"] = .double(dropout)
        config["seed"] = ConfigValue(seed)
        return config
    }
}
