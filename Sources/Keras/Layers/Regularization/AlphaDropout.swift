/// Dropout that keeps the mean and variance of SELU activations (`keras.layers.AlphaDropout`):
/// in training, dropped inputs are set to SELU's negative saturation `−α·λ`, then everything is
/// shifted and scaled by the affine map that restores zero mean and unit variance. The identity
/// outside training.
///
/// ```swift
/// let model = Sequential([Dense(64, activation: .selu), AlphaDropout(0.1, seed: 1), Dense(10)])
/// ```
public final class AlphaDropout: Layer, @unchecked Sendable {
    /// Its inference call writes no state, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// The `rate` this `AlphaDropout` was created with.
    public let rate: Double
    /// The `noiseShape` this `AlphaDropout` was created with.
    public let noiseShape: [Int?]?
    /// The `seed` this `AlphaDropout` was created with.
    public let seed: Int?
    /// Its random stream (Keras's `seed_generator`), seeded with ``seed``.
    public let seedGenerator: SeedGenerator

    /// Creates an `AlphaDropout` with Keras's arguments and defaults (the names in Swift case).
    public init(_ rate: Double, noiseShape: [Int?]? = nil, seed: Int? = nil, name: String? = nil, dtype: DType = .float32) {
        requireValid { try validateRate(rate, layer: "AlphaDropout") }
        self.rate = rate
        self.noiseShape = noiseShape
        self.seed = seed
        self.seedGenerator = SeedGenerator(seed: seed)
        super.init(name: name, dtype: dtype)
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for a missing or out-of-range `rate` or a malformed
    ///   `noise_shape`.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: AlphaDropout.self, config: config)
        let base = try r.layerBase()
        let rate = try r.double("rate")
        try r.validated { try validateRate(rate, layer: "AlphaDropout") }
        self.init(rate, noiseShape: try r.optionalShape("noise_shape"), seed: try r.seed(), name: base.name, dtype: base.dtype)
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        noiseShapeError(self, noiseShape: noiseShape, inputShape: inputShapes[0])
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        guard training, rate > 0 else { return x }
        let alpha = 1.6732632423543772848170429916717, scale = 1.0507009873554804934193349852946
        let alphaP = -alpha * scale
        let maskShape = noiseShape.map { ns in zip(ns, x.shape).map { $0 ?? $1 } } ?? x.shape
        let kept = Tensor.randomUniform(maskShape, dtype: x.dtype, seed: seedGenerator).greaterEqual(rate).cast(to: x.dtype)
        let a = 1 / ((1 - rate) * (1 + rate * alphaP * alphaP)).squareRoot()
        let b = -a * alphaP * rate
        return a * (x * kept + alphaP * (1 - kept)) + b
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["rate"] = .double(rate)
        config["seed"] = ConfigValue(seed)
        config["noise_shape"] = noiseShape.map { ConfigValue(shape: $0) } ?? .null
        return config
    }
}
