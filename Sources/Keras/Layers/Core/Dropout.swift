import Synchronization

/// Randomly zeroes a fraction `rate` of the inputs during training and scales the rest by
/// `1 / (1 − rate)` so the expected sum is unchanged (`keras.layers.Dropout`). Outside training
/// it returns its input.
///
/// ```swift
/// let drop = Dropout(0.5, seed: 1)
/// drop(x, training: true)    // about half zeros, the rest doubled
/// drop(x)                    // x
/// ```
public final class Dropout: Layer, @unchecked Sendable {
    /// Its call writes no state in inference, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// Passes the input's mask on (Keras's `supports_masking = True`).
    public override var supportsMasking: Bool { true }
    public let rate: Double
    public let noiseShape: [Int?]?
    public let seed: Int?
    private let generator: Mutex<RandomGenerator>

    public init(_ rate: Double, noiseShape: [Int?]? = nil, seed: Int? = nil, name: String? = nil, dtype: DType = .float32) {
        requireValid { try Self.validate(rate: rate, noiseShape: noiseShape) }
        self.rate = rate
        self.noiseShape = noiseShape
        self.seed = seed
        self.generator = Mutex(makeRandomGenerator(seed: seed))
        super.init(name: name, dtype: dtype)
    }

    /// Keras's argument checks: `rate` in [0, 1]; `noise_shape` sizes non-negative.
    static func validate(rate: Double, noiseShape: [Int?]?) throws {
        try ensure(rate >= 0 && rate <= 1, "Dropout: Invalid value received for argument `rate`. Expected a float value between 0 and 1. Received: rate=\(rate)")
        if let noiseShape {
            try ensure(noiseShape.allSatisfy { ($0 ?? 0) >= 0 }, "Dropout: Invalid value received for argument `noise_shape`. Expected non-negative sizes or None. Received: noise_shape=\(formatShape(noiseShape))")
        }
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let drop = try Dropout(config: ["rate": 0.5, "seed": 1])
    /// ```
    ///
    /// - Throws: `KerasError.invalidConfig` for a missing or out-of-range `rate`, a malformed
    ///   `noise_shape` or `seed`.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: Dropout.self, config: config)
        let base = try r.layerBase()
        guard let rate = try r.optionalDouble("rate") else { throw r.mismatch("rate", "a number", .null, absent: true) }
        let noiseShape = try r.optionalShape("noise_shape")
        try r.validated { try Dropout.validate(rate: rate, noiseShape: noiseShape) }
        self.init(rate, noiseShape: noiseShape, seed: try r.seed(), name: base.name, dtype: base.dtype)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        guard training, rate > 0 else { return x }
        if rate == 1 { return x * 0 }
        let maskShape = noiseShape.map { ns in zip(ns, x.shape).map { $0 ?? $1 } } ?? x.shape
        let keep = 1 - rate
        let scale = 1 / keep
        let count = maskShape.reduce(1, *)
        let values: [Double] = generator.withLock { g in
            (0..<count).map { _ in g.nextUnit() < keep ? scale : 0 }
        }
        return x * Tensor(shape: maskShape, doubles: values, dtype: x.dtype)
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
