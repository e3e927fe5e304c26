/// Passes its inputs through unchanged and adds `l1·Σ|x| + l2·Σx²` (divided by the batch size)
/// to the model's losses (`keras.layers.ActivityRegularization`).
///
/// ```swift
/// let model = Sequential([Dense(32), ActivityRegularization(l1: 1e-4), Dense(1)])
/// ```
public final class ActivityRegularization: Layer, @unchecked Sendable {
    /// Its call writes only ``Layer``'s locked loss state, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// The `l1` this `ActivityRegularization` was created with.
    public let l1: Double
    /// The `l2` this `ActivityRegularization` was created with.
    public let l2: Double

    /// Creates an `ActivityRegularization` with Keras's arguments and defaults (the names in Swift case).
    public init(l1: Double = 0, l2: Double = 0, name: String? = nil, dtype: DType = .float32) {
        requireValid { try Self.validate(l1: l1, l2: l2) }
        self.l1 = l1
        self.l2 = l2
        super.init(name: name, dtype: dtype)
        activityRegularizer = L1L2(l1: l1, l2: l2)
    }

    /// `l1` and `l2` non-negative and finite.
    static func validate(l1: Double, l2: Double) throws {
        try ensure(l1.isFinite && l1 >= 0 && l2.isFinite && l2 >= 0, "ActivityRegularization: `l1` and `l2` must be non-negative finite numbers. Received: l1=\(l1), l2=\(l2)")
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for a negative or non-numeric `l1` / `l2`.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: ActivityRegularization.self, config: config)
        let base = try r.layerBase()
        let l1 = try r.double("l1", default: 0), l2 = try r.double("l2", default: 0)
        try r.validated { try ActivityRegularization.validate(l1: l1, l2: l2) }
        self.init(l1: l1, l2: l2, name: base.name, dtype: base.dtype)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor { x }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["activity_regularizer"] = nil
        config["l1"] = .double(l1)
        config["l2"] = .double(l2)
        return config
    }
}
