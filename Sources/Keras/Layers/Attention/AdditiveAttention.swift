/// Additive attention (`keras.layers.AdditiveAttention`, Bahdanau style): ``Attention`` with
/// `scores = Σ scale · tanh(query + key)` over the features, `scale` a learned `(dim,)` vector
/// (glorot-uniform) with `useScale` (the default).
///
/// ```swift
/// let attention = AdditiveAttention()
/// let y = attention.apply([Tensor.ones([2, 4, 3]), Tensor.ones([2, 5, 3])])[0]   // (2, 4, 3)
/// ```
public final class AdditiveAttention: Attention, @unchecked Sendable {
    /// Creates an `AdditiveAttention` with Keras's arguments and defaults (the names in Swift case).
    public init(useScale: Bool = true, dropout: Double = 0, seed: Int? = nil,
                name: String? = nil, trainable: Bool = true, dtype: DType = .float32) {
        super.init(useScale: useScale, scoreMode: .dot, dropout: dropout, seed: seed, name: name, trainable: trainable, dtype: dtype)
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let attention = try AdditiveAttention(config: ["use_scale": false])
    /// ```
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: AdditiveAttention.self, config: config)
        let base = try r.layerBase()
        let dropout = try r.double("dropout", default: 0)
        try r.validated { try ensure(dropout >= 0 && dropout <= 1, "`dropout` must be between 0 and 1, received dropout=\(dropout)") }
        self.init(useScale: try r.bool("use_scale", default: true), dropout: dropout, seed: try r.seed(),
                  name: base.name, trainable: base.trainable, dtype: base.dtype)
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        if let error = super.validateSymbolic(inputShapes) { return error }
        if (inputShapes[0][2] ?? 0) <= 0 {
            return .incompatibleInput(layer: name, message: "AdditiveAttention layer \"\(name)\": the query's last dimension must be known and positive, received \(formatShape(inputShapes[0]))")
        }
        // Once built, `scale` fixes the dim.
        if let dim = scale?.shape.first, let received = inputShapes[0][2], received != dim {
            return .incompatibleInput(layer: name, message: "AdditiveAttention layer \"\(name)\": it was built for a dim of \(dim), received a query of shape \(formatShape(inputShapes[0]))")
        }
        return nil
    }

    public override func build(inputShapes: [[Int?]]) {
        guard let dim = inputShapes[0].last ?? nil else {
            fatalError("AdditiveAttention \"\(name)\": the query's last dimension must be known, received \(formatShape(inputShapes[0]))")
        }
        if useScale { scale = addWeight(name: "scale", shape: [dim], initializer: GlorotUniform()) }
    }

    public override func scores(query: Tensor, key: Tensor) -> Tensor {
        let t = (query.expandingDims(at: -2) + key.expandingDims(at: -3)).tanh()
        return (scale.map { t * $0.value } ?? t).sum(axes: [-1])
    }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config.removeValue(forKey: "score_mode")
        return config
    }
}
