/// Adds zero-mean Gaussian noise of standard deviation `stddev` during training
/// (`keras.layers.GaussianNoise`); the identity otherwise.
///
/// ```swift
/// let noisy = GaussianNoise(0.1, seed: 1)
/// noisy(x, training: true)   // x + N(0, 0.01)
/// noisy(x)                   // x
/// ```
public final class GaussianNoise: Layer, @unchecked Sendable {
    /// Its inference call writes no state, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// The `stddev` this `GaussianNoise` was created with.
    public let stddev: Double
    /// The `seed` this `GaussianNoise` was created with.
    public let seed: Int?
    /// Its random stream (Keras's `seed_generator`), seeded with ``seed``.
    public let seedGenerator: SeedGenerator

    /// Creates a `GaussianNoise` with Keras's arguments and defaults (the names in Swift case).
    public init(_ stddev: Double, seed: Int? = nil, name: String? = nil, dtype: DType = .float32) {
        requireValid { try validateRate(stddev, layer: "GaussianNoise", argument: "stddev") }
        self.stddev = stddev
        self.seed = seed
        self.seedGenerator = SeedGenerator(seed: seed)
        super.init(name: name, dtype: dtype)
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for a missing `stddev` or one outside [0, 1].
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: GaussianNoise.self, config: config)
        let base = try r.layerBase()
        let stddev = try r.double("stddev")
        try r.validated { try validateRate(stddev, layer: "GaussianNoise", argument: "stddev") }
        self.init(stddev, seed: try r.seed(), name: base.name, dtype: base.dtype)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        guard training, stddev > 0 else { return x }
        return x + Tensor.randomNormal(x.shape, stddev: stddev, dtype: x.dtype, seed: seedGenerator)
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["stddev"] = .double(stddev)
        config["seed"] = ConfigValue(seed)
        return config
    }
}
