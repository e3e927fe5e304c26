import KerasCore

/// Distorts the perspective of images at random in training (`keras.layers.RandomPerspective`):
/// each image is transformed with a probability drawn from `factor`; the transform moves each
/// corner `p` of the image to `p + p·d` with `d` drawn from `[−scale/2, scale/2]` per coordinate,
/// and points from outside the image take `fillValue`. The identity in inference.
///
/// ```swift
/// let augment = RandomPerspective(factor: 0.5, scale: 0.3, seed: 1)
/// augment(images, training: true)
/// ```
public final class RandomPerspective: RandomImageLayer, @unchecked Sendable {
    let factor: AugmentationFactor
    /// The range of the per-image probability of a transform.
    public var factorRange: (lower: Double, upper: Double) { (factor.lower, factor.upper) }
    /// The relative amount each corner may move, in `[0, 1]`.
    public let scale: Double
    /// How the transform samples between pixels (nearest or bilinear).
    public let interpolation: ImageInterpolation
    /// The value of points from outside the image.
    public let fillValue: Double

    /// Transforms each image with a probability drawn from `[0, factor]` (Keras's defaults:
    /// always, corners moved by up to half their coordinates).
    ///
    /// ```swift
    /// let perspective = RandomPerspective(scale: 0.5, fillValue: 0, seed: 42)
    /// ```
    public convenience init(factor: Double = 1, scale: Double = 1, interpolation: ImageInterpolation = .bilinear,
                            fillValue: Double = 0, seed: Int? = nil, name: String? = nil, dtype: DType = .float32) {
        self.init(factorValue: .double(factor), scale: scale, interpolation: interpolation, fillValue: fillValue, seed: seed,
                  name: name, dtype: dtype)
    }

    /// Transforms each image with a probability drawn from the range `factor`.
    ///
    /// ```swift
    /// let perspective = RandomPerspective(factor: (0.2, 0.8), scale: 0.5, seed: 42)
    /// ```
    public convenience init(factor: (Double, Double), scale: Double = 1, interpolation: ImageInterpolation = .bilinear,
                            fillValue: Double = 0, seed: Int? = nil, name: String? = nil, dtype: DType = .float32) {
        self.init(factorValue: AugmentationFactor.value(factor), scale: scale, interpolation: interpolation, fillValue: fillValue,
                  seed: seed, name: name, dtype: dtype)
    }

    init(factorValue: ConfigValue, scale: Double, interpolation: ImageInterpolation, fillValue: Double, seed: Int?,
         name: String?, dtype: DType) {
        var parsed: AugmentationFactor?
        requireValid {
            parsed = try AugmentationFactor(factorValue, bounds: (0, 1), layer: "RandomPerspective")
            try Self.validate(scale: scale, interpolation: interpolation, fillValue: fillValue)
        }
        factor = parsed!
        self.scale = scale
        self.interpolation = interpolation
        self.fillValue = fillValue
        super.init(seed: seed, name: name, dtype: dtype)
    }

    /// Keras's checks: `scale` in `[0, 1]`, nearest or bilinear sampling; a finite fill value.
    static func validate(scale: Double, interpolation: ImageInterpolation, fillValue: Double) throws {
        try ensure(scale.isFinite && scale >= 0 && scale <= 1,
                   "RandomPerspective: The `scale` argument should be a number in the range [0,1]. Received: scale=\(scale)")
        try ensure(interpolation == .nearest || interpolation == .bilinear,
                   "RandomPerspective: Unknown `interpolation` \(interpolation.rawValue). Expected of one ['nearest', 'bilinear'].")
        try ensure(fillValue.isFinite, "RandomPerspective: `fill_value` must be a finite number. Received: fill_value=\(fillValue)")
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for an out-of-range `factor` or `scale`, an
    ///   unsupported interpolation, or a malformed seed.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: RandomPerspective.self, config: config)
        let base = try r.layerBase()
        try r.channelsLast()
        let factor = try readUnitRange(&r, "factor", layer: "RandomPerspective", default: .double(1))
        let scale = try r.double("scale", default: 1)
        let interpolation = try r.choice("interpolation", default: .bilinear, allowed: [ImageInterpolation.nearest, .bilinear])
        let fillValue = try r.double("fill_value", default: 0)
        try r.validated { try Self.validate(scale: scale, interpolation: interpolation, fillValue: fillValue) }
        self.init(factorValue: factor.original, scale: scale, interpolation: interpolation, fillValue: fillValue,
                  seed: try r.seed(), name: base.name, dtype: base.dtype)
    }

    /// Keras's draws for `batch` images of `height × width`: whether each image is transformed,
    /// and its corners `(x, y)` before and after (`[x0, y0, …, x3, y3]`: top left, top right,
    /// bottom left, bottom right).
    func drawTransformation(batch: Int, height: Int, width: Int) -> (apply: [Bool], start: [[Double]], end: [[Double]]) {
        let apply = drawApplied(factor, batch: batch)
        let u = uniformDraws(8 * batch)
        let (w, h) = (Double(width - 1), Double(height - 1))
        let corners: [Double] = [0, 0, w, 0, 0, h, w, h]
        let end = (0..<batch).map { b in
            (0..<8).map { k in corners[k] + corners[k] * scale * (u[b * 8 + k] - 0.5) }
        }
        return (apply, Array(repeating: corners, count: batch), end)
    }

    /// The images warped from `start` to `end` corners where `apply` holds (Keras's
    /// `transform_images`).
    func warp(_ images: Tensor, apply: [Bool], start: [[Double]], end: [[Double]]) -> Tensor {
        let identity: [Double] = [1, 0, 0, 0, 1, 0, 0, 0]
        let transforms = Tensor.homographyMatrix(startPoints: Tensor(shape: [start.count, 4, 2], doubles: start.flatMap { $0 }, dtype: .float64),
                                                 endPoints: Tensor(shape: [end.count, 4, 2], doubles: end.flatMap { $0 }, dtype: .float64)).doubles
        let rows = apply.indices.flatMap { b in apply[b] ? Array(transforms[(b * 8)..<(b * 8 + 8)]) : identity }
        let matrix = Tensor(shape: images.rank == 4 ? [apply.count, 8] : [8], doubles: rows, dtype: .float64)
        return images.affineTransform(matrix, interpolation: interpolation, fillMode: .constant, fillValue: fillValue)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let images = floatImages(x)
        guard training else { return images }
        let (batch, height, width) = batchGeometry(images)
        let t = drawTransformation(batch: batch, height: height, width: width)
        return warp(images, apply: t.apply, start: t.start, end: t.end)
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["factor"] = factor.rangeConfig
        config["scale"] = .double(scale)
        config["interpolation"] = .string(interpolation.rawValue)
        config["fill_value"] = .double(fillValue)
        config["seed"] = ConfigValue(seed)
        return config
    }
}
