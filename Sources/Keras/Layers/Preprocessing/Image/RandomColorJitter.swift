/// Applies random brightness, contrast, saturation and hue changes, in that order, to each RGB
/// image in training (`keras.layers.RandomColorJitter`). Each factor that is given turns on one
/// step, which behaves as the matching layer built with the same `valueRange`:
/// ``RandomBrightness`` (`brightnessFactor`, bounds [−1, 1]), ``RandomContrast``
/// (`contrastFactor`, bounds [0, 1]), ``RandomSaturation`` (`saturationFactor`, bounds [−1, 1])
/// and ``RandomHue`` (`hueFactor`, bounds [0, 1]). Without factors the layer returns its input.
/// The draws of all steps come from this layer's one seeded stream. In inference the layer
/// returns its input (cast to float).
///
/// This is a preprocessing layer: the saturation and hue steps run outside the gradient tape,
/// so no gradient flows back through them.
///
/// ```swift
/// let jitter = RandomColorJitter(brightnessFactor: 0.2, contrastFactor: 0.2,
///                                saturationFactor: .range(0.4, 0.6), hueFactor: 0.1, seed: 1)
/// let unit = RandomColorJitter(valueRange: (0, 1), hueFactor: .range(0, 0.2))
/// ```
public final class RandomColorJitter: RandomImageLayer, @unchecked Sendable {
    /// One factor argument of ``RandomColorJitter``: a number (`0.2`, Keras's `0.2`) or a range
    /// (`.range(0.1, 0.4)`, Keras's `(0.1, 0.4)`), read as the matching layer reads its `factor`.
    ///
    /// ```swift
    /// let small: RandomColorJitter.Factor = 0.1
    /// let fixed = RandomColorJitter.Factor.range(0.5, 0.5)
    /// ```
    public enum Factor: Sendable, Equatable, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
        /// A single number `f`, as Keras's `factor=f`.
        case value(Double)
        /// Two numbers, as Keras's `factor=(lower, upper)`.
        case range(Double, Double)

        /// Creates a ``value(_:)`` factor from a literal such as `0.2`.
        public init(floatLiteral value: Double) { self = .value(value) }
        /// Creates a ``value(_:)`` factor from a literal such as `1`.
        public init(integerLiteral value: Int) { self = .value(Double(value)) }

        var configValue: ConfigValue {
            switch self {
            case .value(let f): .double(f)
            case .range(let a, let b): [.double(a), .double(b)]
            }
        }
    }

    /// The `valueRange` this `RandomColorJitter` was created with.
    public let valueRange: (Double, Double)
    let brightness: AugmentationFactor?
    let contrast: AugmentationFactor?
    let saturation: AugmentationFactor?
    let hue: AugmentationFactor?

    /// Creates a `RandomColorJitter` with Keras's arguments and defaults (the names in Swift case).
    public convenience init(valueRange: (Double, Double) = (0, 255), brightnessFactor: Factor? = nil, contrastFactor: Factor? = nil,
                            saturationFactor: Factor? = nil, hueFactor: Factor? = nil, seed: Int? = nil,
                            name: String? = nil, dtype: DType = .float32) {
        var factors: [AugmentationFactor?] = []
        var range = valueRange
        requireValid {
            factors = try RandomColorJitter.parse([brightnessFactor?.configValue, contrastFactor?.configValue,
                                                   saturationFactor?.configValue, hueFactor?.configValue])
            range = try colorValueRange(valueRange, sorted: false, layer: "RandomColorJitter")
        }
        self.init(valueRange: range, factors: factors, seed: seed, name: name, dtype: dtype)
    }

    init(valueRange: (Double, Double), factors: [AugmentationFactor?], seed: Int?, name: String?, dtype: DType) {
        self.valueRange = valueRange
        (brightness, contrast, saturation, hue) = (factors[0], factors[1], factors[2], factors[3])
        super.init(seed: seed, name: name, dtype: dtype)
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for an out-of-range or malformed factor, a malformed
    ///   `value_range` or seed.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: RandomColorJitter.self, config: config)
        let base = try r.layerBase()
        try r.channelsLast()
        let values = Self.keys.map { r.present($0) }
        let factors = try r.validated { try RandomColorJitter.parse(values) }
        let range = try readColorValueRange(&r, sorted: false, layer: "RandomColorJitter")
        self.init(valueRange: range, factors: factors, seed: try r.seed(), name: base.name, dtype: base.dtype)
    }

    static let keys = ["brightness_factor", "contrast_factor", "saturation_factor", "hue_factor"]

    /// The four factors (`nil`: step off), each checked as its layer checks it.
    static func parse(_ values: [ConfigValue?]) throws -> [AugmentationFactor?] {
        let bounds: [(Double, Double)] = [(-1, 1), (0, 1), (-1, 1), (0, 1)]
        return try zip(values, zip(bounds, keys)).map { value, rule in
            try value.map { try AugmentationFactor($0, bounds: rule.0, layer: "RandomColorJitter", argument: rule.1) }
        }
    }

    /// The per-image parameters of each step that is on (Keras's transformations): brightness
    /// deltas (already scaled by the value range's width), contrast factors, saturation
    /// multipliers and hue shifts.
    struct Parameters {
        var brightness: [Double]?
        var contrast: [Double]?
        var saturation: [Double]?
        var hue: [Double]?
    }

    /// Draws the parameters for `batch` images from ``seedGenerator``, step after step, with the
    /// distributions of RandomBrightness, RandomContrast, RandomSaturation and RandomHue.
    func randomTransformation(batch: Int) -> Parameters {
        var p = Parameters()
        let span = Swift.max(valueRange.0, valueRange.1) - Swift.min(valueRange.0, valueRange.1)
        if let f = brightness { p.brightness = uniformDraws(batch).map { (f.lower + (f.upper - f.lower) * $0) * span } }
        if let f = contrast { p.contrast = uniformDraws(batch).map { 1 - f.lower + (f.lower + f.upper) * $0 } }
        if let f = saturation { p.saturation = RandomSaturation.randomMultipliers(f, batch: batch, draw: uniformDraws) }
        if let f = hue { p.hue = RandomHue.randomShifts(f, batch: batch, draw: uniformDraws) }
        return p
    }

    /// Keras's pipeline with given parameters: each step that has parameters, in order.
    func transform(_ images: Tensor, _ p: Parameters) -> Tensor {
        let (low, high) = valueRange
        var y = images
        if let delta = p.brightness {
            y = (y + perImage(delta, like: y)).clip(low, high)
        }
        if let factors = p.contrast {
            let (hAxis, wAxis) = imageAxes(rank: y.rank)
            let mean = y.mean(axes: [hAxis, wAxis], keepDims: true)
            y = ((y - mean) * perImage(factors, like: y) + mean).clip(low, high)
        }
        if let multipliers = p.saturation { y = ColorAugmentationMath.scaleSaturation(y, factor: multipliers, clip: (low, high)) }
        if let shifts = p.hue { y = ColorAugmentationMath.shiftHue(y, delta: shifts, valueRange: valueRange) }
        return y
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let images = floatImages(x)
        guard training else { return images }
        return transform(images, randomTransformation(batch: batchGeometry(images).batch))
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        if let error = super.validateSymbolic(inputShapes) { return error }
        return saturation != nil || hue != nil ? colorChannelsError(self, inputShapes[0], allowed: [3]) : nil
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["value_range"] = [.double(valueRange.0), .double(valueRange.1)]
        for (key, factor) in zip(Self.keys, [brightness, contrast, saturation, hue]) {
            config[key] = factor?.original ?? .null
        }
        config["seed"] = ConfigValue(seed)
        return config
    }
}
