/// Converts each image to grayscale with probability `factor` in training
/// (`keras.layers.RandomGrayscale`): a converted image gets the luminance
/// `0.2989·R + 0.5870·G + 0.1140·B` in every channel, keeping its channel count; the other
/// images pass unchanged. Inputs have 3 (RGB) or 1 channel (left as is). In inference the layer
/// returns its input (cast to float).
///
/// ```swift
/// let augment = RandomGrayscale(0.2, seed: 1)     // about one image in five turns gray
/// let gray = RandomGrayscale(1)(images, training: true)   // every image
/// ```
public final class RandomGrayscale: RandomImageLayer, @unchecked Sendable {
    /// The probability that an image is converted (`0`: never, `1`: always).
    public let factor: Double

    /// Creates a `RandomGrayscale` with Keras's arguments and defaults (the names in Swift case).
    ///
    /// `factor` must be a number in [0, 1]; anything else stops the program with Keras's message
    /// (use ``init(config:)`` for arguments from outside the program).
    public init(_ factor: Double = 0.5, seed: Int? = nil, name: String? = nil, dtype: DType = .float32) {
        requireValid { try RandomGrayscale.validate(factor: factor) }
        self.factor = factor
        super.init(seed: seed, name: name, dtype: dtype)
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary; a `seed`
    /// key, which Keras does not write, is read when present).
    ///
    /// - Throws: `KerasError.invalidConfig` for a `factor` that is not a number in [0, 1], or a
    ///   malformed seed.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: RandomGrayscale.self, config: config)
        let base = try r.layerBase()
        try r.channelsLast()
        let factor = try r.double("factor", default: 0.5)
        try r.validated { try RandomGrayscale.validate(factor: factor) }
        self.init(factor, seed: try r.seed(), name: base.name, dtype: base.dtype)
    }

    static func validate(factor: Double) throws {
        try ensure(factor.isFinite && factor >= 0 && factor <= 1,
                   "RandomGrayscale: `factor` should be between 0 and 1. Received: factor=\(factor)")
    }

    /// Draws Keras's transformation for `batch` images: image `i` is converted when a U[0, 1)
    /// sample is below ``factor``.
    func randomTransformation(batch: Int) -> [Bool] {
        uniformDraws(batch).map { $0 < factor }
    }

    /// Keras's `transform_images` with a given transformation: the images flagged in `apply`
    /// become grayscale (one flag per image; one for a rank-3 image).
    func transform(_ images: Tensor, apply: [Bool]) -> Tensor {
        guard apply.contains(true) else { return images }
        let gray = ColorAugmentationMath.grayscale(images)
        let mask = perImage(apply.map { $0 ? 1 : 0 }, like: images)
        // 0/1 weights select exactly: g·1 + x·0 = g and g·0 + x·1 = x for finite pixels.
        return gray * mask + images * (1 - mask)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let images = floatImages(x)
        guard training else { return images }
        return transform(images, apply: randomTransformation(batch: batchGeometry(images).batch))
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        super.validateSymbolic(inputShapes) ?? colorChannelsError(self, inputShapes[0], allowed: [3, 1])
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["factor"] = .double(factor)
        return config
    }
}
