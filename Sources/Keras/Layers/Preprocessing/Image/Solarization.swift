/// Solarizes images in training (`keras.layers.Solarization`): pixels are mapped to `[0, 255]`,
/// an amount drawn per image from the `additionFactor` range is added (clipped to `[0, 255]`),
/// every value at or above a threshold drawn from the `thresholdFactor` range becomes
/// `255 − x`, and the result is mapped back to `valueRange`. The identity in inference.
///
/// As in Keras, a range `(low, high)` draws from `[low, high · 255]` (the lower end is not
/// scaled), and a number `f` is the range `(0, f)`. With both factors 0 (the defaults) every
/// pixel is inverted. Differentiable in the images.
///
/// ```swift
/// let solarize = Solarization()                                   // 255 − x
/// let augment = Solarization(additionFactor: 0.2, thresholdFactor: (0.4, 0.6), seed: 1)
/// ```
public final class Solarization: RandomImageLayer, @unchecked Sendable {
    /// The `additionFactor` range `(low, high)` this `Solarization` was created with.
    public let additionFactor: (Double, Double)
    /// The `thresholdFactor` range `(low, high)` this `Solarization` was created with.
    public let thresholdFactor: (Double, Double)
    /// The `valueRange` this `Solarization` was created with, sorted.
    public let valueRange: (Double, Double)

    /// Creates a `Solarization` with Keras's arguments and defaults (the names in Swift case).
    ///
    /// ```swift
    /// let layer = Solarization(additionFactor: 0.1, thresholdFactor: 0.5, seed: 1)
    /// ```
    public convenience init(additionFactor: Double = 0, thresholdFactor: Double = 0, valueRange: (Double, Double) = (0, 255),
                            seed: Int? = nil, name: String? = nil, dtype: DType = .float32) {
        self.init(addition: .double(additionFactor), threshold: .double(thresholdFactor), valueRange: valueRange,
                  seed: seed, name: name, dtype: dtype)
    }

    /// Creates a `Solarization` drawing from the ranges `(low, high)` (each end in `[0, 1]`).
    ///
    /// ```swift
    /// let layer = Solarization(additionFactor: (0, 0.1), thresholdFactor: (0.5, 0.5), valueRange: (0, 1), seed: 2)
    /// ```
    public convenience init(additionFactor: (Double, Double), thresholdFactor: (Double, Double) = (0, 0),
                            valueRange: (Double, Double) = (0, 255), seed: Int? = nil, name: String? = nil, dtype: DType = .float32) {
        self.init(addition: AugmentationFactor.value(additionFactor), threshold: AugmentationFactor.value(thresholdFactor),
                  valueRange: valueRange, seed: seed, name: name, dtype: dtype)
    }

    /// Creates a `Solarization` with a fixed-range threshold and an addition range.
    ///
    /// ```swift
    /// let layer = Solarization(additionFactor: 0.1, thresholdFactor: (0.5, 0.5), seed: 2)
    /// ```
    public convenience init(additionFactor: Double = 0, thresholdFactor: (Double, Double), valueRange: (Double, Double) = (0, 255),
                            seed: Int? = nil, name: String? = nil, dtype: DType = .float32) {
        self.init(addition: .double(additionFactor), threshold: AugmentationFactor.value(thresholdFactor),
                  valueRange: valueRange, seed: seed, name: name, dtype: dtype)
    }

    init(addition: ConfigValue, threshold: ConfigValue, valueRange: (Double, Double), seed: Int?, name: String?, dtype: DType) {
        var parsed: ((Double, Double), (Double, Double), (Double, Double))?
        requireValid {
            parsed = (try Solarization.parseFactor(addition, argument: "addition_factor"),
                      try Solarization.parseFactor(threshold, argument: "threshold_factor"),
                      try toneValueRange(valueRange, layer: "Solarization", distinct: true, sorted: true))
        }
        (additionFactor, thresholdFactor, self.valueRange) = parsed!
        super.init(seed: seed, name: name, dtype: dtype)
    }

    /// Keras's `Solarization._set_factor`: a number `f` in `[0, 1]` is `(0, f)`; a pair of
    /// numbers in `[0, 1]` is sorted.
    static func parseFactor(_ value: ConfigValue, argument: String) throws -> (Double, Double) {
        let message = "Solarization: The `addition_factor` and `threshold_factor` arguments should be a number (or a list of two numbers) in the range [0, 1]. Received: \(argument)=\(value)"
        func inRange(_ f: Double) -> Bool { f.isFinite && f >= 0 && f <= 1 }
        if let f = value.doubleValue {
            try ensure(inRange(f), message)
            return (0, f)
        }
        guard let list = value.arrayValue, list.count == 2, let a = list[0].doubleValue, let b = list[1].doubleValue else {
            throw KerasError.invalidArgument(message)
        }
        try ensure(inRange(a) && inRange(b), message)
        return (Swift.min(a, b), Swift.max(a, b))
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for an out-of-range factor, a malformed
    ///   `value_range` or seed.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: Solarization.self, config: config)
        let base = try r.layerBase()
        try r.channelsLast()
        let addition = r.present("addition_factor") ?? .double(0), threshold = r.present("threshold_factor") ?? .double(0)
        _ = try r.validated { try Solarization.parseFactor(addition, argument: "addition_factor") }
        _ = try r.validated { try Solarization.parseFactor(threshold, argument: "threshold_factor") }
        let range = try readToneValueRange(&r, layer: "Solarization", distinct: true, sorted: true)
        self.init(addition: addition, threshold: threshold, valueRange: range, seed: try r.seed(), name: base.name, dtype: base.dtype)
    }

    /// Keras's `get_random_transformation`: per image, the addition drawn from
    /// `[addition.low, addition.high · 255]` and the threshold from `[threshold.low, threshold.high · 255]`.
    func randomParameters(batch: Int) -> (additions: [Double], thresholds: [Double]) {
        func draw(_ range: (Double, Double)) -> [Double] {
            let (low, high) = (range.0, range.1 * 255)
            return uniformDraws(batch).map { low + (high - low) * $0 }
        }
        let additions = draw(additionFactor)
        return (additions, draw(thresholdFactor))
    }

    /// Keras's `transform_images` for given draws.
    func solarize(_ images: Tensor, additions: [Double], thresholds: [Double]) -> Tensor {
        let pixels = transformValueRange(images, from: valueRange, to: (0, 255))
        let shifted = (pixels + perImage(additions, like: pixels)).clip(0, 255)
        let solarized = `where`(shifted .< perImage(thresholds, like: pixels), shifted, 255 - shifted)
        return transformValueRange(solarized, from: (0, 255), to: valueRange)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let images = floatImages(x)
        guard training else { return images }
        let (additions, thresholds) = randomParameters(batch: batchGeometry(images).batch)
        return solarize(images, additions: additions, thresholds: thresholds)
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["value_range"] = valueRangeConfig(valueRange)
        config["addition_factor"] = [.double(additionFactor.0), .double(additionFactor.1)]
        config["threshold_factor"] = [.double(thresholdFactor.0), .double(thresholdFactor.1)]
        config["seed"] = ConfigValue(seed)
        return config
    }
}
