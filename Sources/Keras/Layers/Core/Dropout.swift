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
    /// The `rate` this `Dropout` was created with.
    public let rate: Double
    /// The `noiseShape` this `Dropout` was created with.
    public let noiseShape: [Int?]?
    /// The `seed` this `Dropout` was created with.
    public let seed: Int?
    /// Its random stream (Keras's `seed_generator`), seeded with ``seed``.
    public let seedGenerator: SeedGenerator

    /// Creates a `Dropout` with Keras's arguments and defaults (the names in Swift case).
    public init(_ rate: Double, noiseShape: [Int?]? = nil, seed: Int? = nil, name: String? = nil, dtype: DType = .float32) {
        requireValid { try Self.validate(rate: rate, noiseShape: noiseShape) }
        self.rate = rate
        self.noiseShape = noiseShape
        self.seed = seed
        self.seedGenerator = SeedGenerator(seed: seed)
        super.init(name: name, dtype: dtype)
    }

    /// Keras's argument checks: `rate` in [0, 1]; `noise_shape` sizes non-negative.
    static func validate(rate: Double, noiseShape: [Int?]?) throws {
        try validateRate(rate, layer: "Dropout")
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

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        noiseShapeError(self, noiseShape: noiseShape, inputShape: inputShapes[0])
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        guard training else { return x }
        return dropout(x, rate: rate, noiseShape: noiseShape, seed: seedGenerator)
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

/// Why `noiseShape` cannot shape the dropout mask of an input of `inputShape` (a different
/// rank, or a size that is neither 1 nor the input's), or `nil`.
func noiseShapeError(_ layer: Layer, noiseShape: [Int?]?, inputShape: [Int?]) -> KerasError? {
    guard let noiseShape else { return nil }
    if noiseShape.count != inputShape.count {
        return .incompatibleInput(layer: layer.name, message: "Layer \"\(layer.name)\" (\(layer.className)): noise_shape \(formatShape(noiseShape)) must have the rank of the input shape \(formatShape(inputShape))")
    }
    // The mask broadcasts over the input: each size must be 1 or the input's.
    for (noise, input) in zip(noiseShape, inputShape) {
        if let noise, let input, noise != 1 && noise != input {
            return .incompatibleInput(layer: layer.name, message: "Layer \"\(layer.name)\" (\(layer.className)): noise_shape \(formatShape(noiseShape)) does not broadcast to the input shape \(formatShape(inputShape)): each size must be 1 or the input's")
        }
    }
    return nil
}

/// Keras's check for a `rate` argument: a number in [0, 1].
func validateRate(_ rate: Double, layer: String, argument: String = "rate") throws {
    try ensure(rate >= 0 && rate <= 1, "\(layer): Invalid value received for argument `\(argument)`. Expected a float value between 0 and 1. Received: \(argument)=\(rate)")
}
