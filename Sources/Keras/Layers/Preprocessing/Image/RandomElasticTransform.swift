import KerasCore

/// Distorts images elastically at random in training (`keras.layers.RandomElasticTransform`):
/// each image is transformed with a probability drawn from `factor`; a distortion `d` drawn from
/// `scale` (shared by the batch) gives the displacement `α = 0.1·d·max(h, w)` and smoothing
/// `σ = 0.05·d·min(h, w)` of `Tensor/elasticTransform(alpha:sigma:interpolation:fillMode:fillValue:seed:)`;
/// the results are clipped to `valueRange`. The identity in inference.
///
/// ```swift
/// let augment = RandomElasticTransform(factor: 0.5, scale: 0.5, seed: 1)
/// augment(images, training: true)
/// ```
public final class RandomElasticTransform: RandomImageLayer, @unchecked Sendable {
    let factor: AugmentationFactor
    let scale: AugmentationFactor
    /// The range of the per-image probability of a transform.
    public var factorRange: (lower: Double, upper: Double) { (factor.lower, factor.upper) }
    /// The range the distortion is drawn from.
    public var scaleRange: (lower: Double, upper: Double) { (scale.lower, scale.upper) }
    /// How the transform samples between pixels (nearest or bilinear).
    public let interpolation: ImageInterpolation
    /// How points from outside the image are filled.
    public let fillMode: ImageFillMode
    /// The value of points from outside the image under the constant fill mode.
    public let fillValue: Double
    /// The `valueRange` this `RandomElasticTransform` was created with.
    public let valueRange: (Double, Double)

    /// Transforms each image with a probability drawn from `[0, factor]`, distortions from
    /// `[0, scale]` (Keras's defaults otherwise).
    ///
    /// ```swift
    /// let elastic = RandomElasticTransform(scale: 0.5, fillMode: .constant, seed: 42)
    /// ```
    public convenience init(factor: Double = 1, scale: Double = 1, interpolation: ImageInterpolation = .bilinear,
                            fillMode: ImageFillMode = .reflect, fillValue: Double = 0, valueRange: (Double, Double) = (0, 255),
                            seed: Int? = nil, name: String? = nil, dtype: DType = .float32) {
        self.init(factorValue: .double(factor), scaleValue: .double(scale), interpolation: interpolation, fillMode: fillMode,
                  fillValue: fillValue, valueRange: valueRange, seed: seed, name: name, dtype: dtype)
    }

    /// Transforms each image with a probability drawn from the range `factor`, distortions from
    /// the range `scale`.
    ///
    /// ```swift
    /// let elastic = RandomElasticTransform(factor: (0.5, 1), scale: (0.2, 0.6), seed: 42)
    /// ```
    public convenience init(factor: (Double, Double), scale: (Double, Double), interpolation: ImageInterpolation = .bilinear,
                            fillMode: ImageFillMode = .reflect, fillValue: Double = 0, valueRange: (Double, Double) = (0, 255),
                            seed: Int? = nil, name: String? = nil, dtype: DType = .float32) {
        self.init(factorValue: AugmentationFactor.value(factor), scaleValue: AugmentationFactor.value(scale), interpolation: interpolation,
                  fillMode: fillMode, fillValue: fillValue, valueRange: valueRange, seed: seed, name: name, dtype: dtype)
    }

    init(factorValue: ConfigValue, scaleValue: ConfigValue, interpolation: ImageInterpolation, fillMode: ImageFillMode, fillValue: Double,
         valueRange: (Double, Double), seed: Int?, name: String?, dtype: DType) {
        var parsed: (AugmentationFactor, AugmentationFactor)?
        requireValid {
            parsed = (try AugmentationFactor(factorValue, bounds: (0, 1), layer: "RandomElasticTransform"),
                      try AugmentationFactor(unitRange: scaleValue, layer: "RandomElasticTransform", argument: "scale"))
            try Self.validate(interpolation: interpolation, fillValue: fillValue)
            try validateValueRange(valueRange, layer: "RandomElasticTransform")
        }
        (factor, scale) = parsed!
        self.interpolation = interpolation
        self.fillMode = fillMode
        self.fillValue = fillValue
        self.valueRange = valueRange
        super.init(seed: seed, name: name, dtype: dtype)
    }

    /// Keras's checks: nearest or bilinear sampling (every fill mode is accepted); a finite fill.
    static func validate(interpolation: ImageInterpolation, fillValue: Double) throws {
        try ensure(interpolation == .nearest || interpolation == .bilinear,
                   "RandomElasticTransform: Unknown `interpolation` \(interpolation.rawValue). Expected of one ['nearest', 'bilinear'].")
        try ensure(fillValue.isFinite, "RandomElasticTransform: `fill_value` must be a finite number. Received: fill_value=\(fillValue)")
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for an out-of-range `factor` or `scale`, an
    ///   unsupported interpolation or fill mode, a malformed `value_range` or seed.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: RandomElasticTransform.self, config: config)
        let base = try r.layerBase()
        try r.channelsLast()
        let factor = try readUnitRange(&r, "factor", layer: "RandomElasticTransform", default: .double(1))
        let scale = try readUnitRange(&r, "scale", layer: "RandomElasticTransform", default: .double(1))
        let interpolation = try r.choice("interpolation", default: .bilinear, allowed: [ImageInterpolation.nearest, .bilinear])
        let fillMode = try r.choice("fill_mode", default: .reflect, allowed: ImageFillMode.allCases)
        let fillValue = try r.double("fill_value", default: 0)
        try r.validated { try Self.validate(interpolation: interpolation, fillValue: fillValue) }
        let range = try readValueRange(&r, layer: "RandomElasticTransform")
        self.init(factorValue: factor.original, scaleValue: scale.original, interpolation: interpolation, fillMode: fillMode,
                  fillValue: fillValue, valueRange: range, seed: try r.seed(), name: base.name, dtype: base.dtype)
    }

    /// Keras's draws for `batch` images of `height × width`: whether each is transformed, the
    /// distortion, and the standard-normal noise field `(batch, height, width)`.
    func drawTransformation(batch: Int, height: Int, width: Int) -> (apply: [Bool], distortion: Double, noise: Tensor) {
        let apply = drawApplied(factor, batch: batch)
        let distortion = scale.lower + (scale.upper - scale.lower) * uniformDraws(1)[0]
        let noise = Tensor.randomNormal([batch, height, width], dtype: .float64, seed: seedGenerator)
        return (apply, distortion, noise)
    }

    /// The images distorted with `noise` (the same field for rows and columns, as Keras draws
    /// it) where `apply` holds, all clipped to ``valueRange`` (Keras's `transform_images`).
    func distort(_ images: Tensor, apply: [Bool], distortion: Double, noise: Tensor) -> Tensor {
        let (_, height, width) = batchGeometry(images)
        let alpha = Double(Swift.max(height, width)) * 0.1 * distortion
        let sigma = Double(Swift.min(height, width)) * 0.05 * distortion
        let warped = apply.contains(true)
            ? images.elasticTransform(noiseX: noise, noiseY: nil, alpha: alpha, sigma: sigma, interpolation: interpolation,
                                      fillMode: fillMode, fillValue: fillValue)
            : images
        return select(apply, warped, images).clip(valueRange.0, valueRange.1)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let images = floatImages(x)
        // As in Keras, a zero range of probabilities or distortions leaves the images alone (unclipped).
        guard training, scale.upper != 0, factor.upper != 0 else { return images }
        let (batch, height, width) = batchGeometry(images)
        let t = drawTransformation(batch: batch, height: height, width: width)
        return distort(images, apply: t.apply, distortion: t.distortion, noise: t.noise)
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["factor"] = factor.rangeConfig
        config["scale"] = scale.rangeConfig
        config["interpolation"] = .string(interpolation.rawValue)
        config["fill_mode"] = .string(fillMode.rawValue)
        config["fill_value"] = .double(fillValue)
        config["value_range"] = [.double(valueRange.0), .double(valueRange.1)]
        config["seed"] = ConfigValue(seed)
        return config
    }
}
