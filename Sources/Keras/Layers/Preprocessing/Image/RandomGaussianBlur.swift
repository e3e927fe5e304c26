import KerasCore

/// Blurs images at random in training (`keras.layers.RandomGaussianBlur`): each image is blurred
/// with a probability drawn from `factor`, by a Gaussian kernel of `kernelSize` whose standard
/// deviations (one along the width, one along the height, shared by the batch) are drawn from
/// `sigma` (in `[0, 1]`); the results are clipped to `valueRange`. The identity in inference.
///
/// ```swift
/// let augment = RandomGaussianBlur(factor: 0.5, kernelSize: 5, sigma: 0.8, seed: 1)
/// augment(images, training: true)
/// ```
public final class RandomGaussianBlur: RandomImageLayer, @unchecked Sendable {
    let factor: AugmentationFactor
    let sigma: AugmentationFactor
    /// The range of the per-image probability of a blur.
    public var factorRange: (lower: Double, upper: Double) { (factor.lower, factor.upper) }
    /// The range the standard deviations are drawn from.
    public var sigmaRange: (lower: Double, upper: Double) { (sigma.lower, sigma.upper) }
    /// The kernel's size along the width, then along the height (odd numbers), as Keras stores it.
    public let kernelSize: (Int, Int)
    /// The `valueRange` this `RandomGaussianBlur` was created with.
    public let valueRange: (Double, Double)

    /// Blurs each image with a probability drawn from `[0, factor]`, standard deviations from
    /// `[0, sigma]` (Keras's defaults).
    ///
    /// ```swift
    /// let blur = RandomGaussianBlur(kernelSize: 5, valueRange: (0, 1), seed: 42)
    /// ```
    public convenience init(factor: Double = 1, kernelSize: Int = 3, sigma: Double = 1, valueRange: (Double, Double) = (0, 255),
                            seed: Int? = nil, name: String? = nil, dtype: DType = .float32) {
        self.init(factorValue: .double(factor), kernelSize: (kernelSize, kernelSize), sigmaValue: .double(sigma),
                  valueRange: valueRange, seed: seed, name: name, dtype: dtype)
    }

    /// Blurs each image with a probability drawn from the range `factor`, a kernel of
    /// `(width, height)` taps and standard deviations drawn from the range `sigma`.
    ///
    /// ```swift
    /// let blur = RandomGaussianBlur(factor: (0.2, 0.6), kernelSize: (3, 5), sigma: (0.2, 0.9), seed: 42)
    /// ```
    public convenience init(factor: (Double, Double), kernelSize: (Int, Int), sigma: (Double, Double),
                            valueRange: (Double, Double) = (0, 255), seed: Int? = nil, name: String? = nil, dtype: DType = .float32) {
        self.init(factorValue: AugmentationFactor.value(factor), kernelSize: kernelSize, sigmaValue: AugmentationFactor.value(sigma),
                  valueRange: valueRange, seed: seed, name: name, dtype: dtype)
    }

    init(factorValue: ConfigValue, kernelSize: (Int, Int), sigmaValue: ConfigValue, valueRange: (Double, Double), seed: Int?,
         name: String?, dtype: DType) {
        var parsed: (AugmentationFactor, AugmentationFactor)?
        requireValid {
            parsed = (try AugmentationFactor(factorValue, bounds: (0, 1), layer: "RandomGaussianBlur"),
                      try AugmentationFactor(unitRange: sigmaValue, layer: "RandomGaussianBlur", argument: "sigma"))
            try Self.validate(kernelSize: kernelSize)
            try validateValueRange(valueRange, layer: "RandomGaussianBlur")
        }
        (factor, sigma) = parsed!
        self.kernelSize = kernelSize
        self.valueRange = valueRange
        super.init(seed: seed, name: name, dtype: dtype)
    }

    /// Keras's rule, made strict: positive odd sizes (at most 4,095).
    static func validate(kernelSize: (Int, Int)) throws {
        for k in [kernelSize.0, kernelSize.1] {
            try ensure(k > 0 && k % 2 == 1 && k < 4096,
                       "RandomGaussianBlur: kernel_size must be a positive odd number. Received: kernel_size=(\(kernelSize.0), \(kernelSize.1))")
        }
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for an out-of-range `factor` or `sigma`, an even,
    ///   non-positive or malformed `kernel_size`, a malformed `value_range` or seed.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: RandomGaussianBlur.self, config: config)
        let base = try r.layerBase()
        try r.channelsLast()
        let factor = try readUnitRange(&r, "factor", layer: "RandomGaussianBlur", default: .double(1))
        let sigma = try readUnitRange(&r, "sigma", layer: "RandomGaussianBlur", default: .double(1))
        var kernelSize = (3, 3)
        if let value = r.present("kernel_size") {
            if let k = value.intValue {
                kernelSize = (k, k)
            } else if let list = value.arrayValue, list.count == 2, let a = list[0].intValue, let b = list[1].intValue {
                kernelSize = (a, b)
            } else {
                throw r.mismatch("kernel_size", "an odd integer or a list of two odd integers", value)
            }
        }
        try r.validated { try Self.validate(kernelSize: kernelSize) }
        let range = try readValueRange(&r, layer: "RandomGaussianBlur")
        self.init(factorValue: factor.original, kernelSize: kernelSize, sigmaValue: sigma.original, valueRange: range,
                  seed: try r.seed(), name: base.name, dtype: base.dtype)
    }

    /// Keras's draws for `batch` images: whether each is blurred, and the standard deviations
    /// (along the width, along the height) the batch shares.
    func drawTransformation(batch: Int) -> (apply: [Bool], sigma: (Double, Double)) {
        let apply = drawApplied(factor, batch: batch)
        let u = uniformDraws(2)
        let s = u.map { sigma.lower + (sigma.upper - sigma.lower) * $0 + 1e-6 }
        return (apply, (s[0], s[1]))
    }

    /// The images blurred where `apply` holds, all clipped to ``valueRange`` (Keras's
    /// `transform_images`).
    func blur(_ images: Tensor, apply: [Bool], sigma: (Double, Double)) -> Tensor {
        let blurred = apply.contains(true) ? images.gaussianBlur(kernelSize: kernelSize, sigma: sigma) : images
        return select(apply, blurred, images).clip(valueRange.0, valueRange.1)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let images = floatImages(x)
        guard training else { return images }
        let t = drawTransformation(batch: batchGeometry(images).batch)
        return blur(images, apply: t.apply, sigma: t.sigma)
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["factor"] = factor.rangeConfig
        config["kernel_size"] = [.int(kernelSize.0), .int(kernelSize.1)]
        config["sigma"] = sigma.rangeConfig
        config["value_range"] = [.double(valueRange.0), .double(valueRange.1)]
        config["seed"] = ConfigValue(seed)
        return config
    }
}
