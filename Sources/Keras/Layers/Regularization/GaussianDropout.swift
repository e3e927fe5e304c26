/// Multiplies its inputs by Gaussian noise of mean 1 and standard deviation
/// `√(rate / (1 − rate))` during training (`keras.layers.GaussianDropout`); the identity
/// otherwise.
///
/// ```swift
/// let drop = GaussianDropout(0.2, seed: 1)
/// drop(x, training: true)   // x · N(1, 0.25)
/// ```
public final class GaussianDropout: Layer, @unchecked Sendable {
    /// Its inference call writes no state, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// The `rate` this `GaussianDropout` was created with.
    public let rate: Double
    /// The `seed` this `GaussianDropout` was created with.
    public let seed: Int?
    /// Its random stream (Keras's `seed_generator`), seeded with ``seed``.
    public let seedGenerator: SeedGenerator

    /// Creates a `GaussianDropout` with Keras's arguments and defaults (the names in Swift case).
    public init(_ rate: Double, seed: Int? = nil, name: String? = nil, dtype: DType = .float32) {
        requireValid { try validateRate(rate, layer: "GaussianDropout") }
        self.rate = rate
        self.seed = seed
        self.seedGenerator = SeedGenerator(seed: seed)
        super.init(name: name, dtype: dtype)
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for a missing `rate` or one outside [0, 1].
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: GaussianDropout.self, config: config)
        let base = try r.layerBase()
        let rate = try r.double("rate")
        try r.validated { try validateRate(rate, layer: "GaussianDropout") }
        self.init(rate, seed: try r.seed(), name: base.name, dtype: base.dtype)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        guard training, rate > 0 else { return x }
        return x * Tensor.randomNormal(x.shape, mean: 1, stddev: (rate / (1 - rate)).squareRoot(), dtype: x.dtype, seed: seedGenerator)
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["rate"] = .double(rate)
        config["seed"] = ConfigValue(seed)
        return config
    }
}
