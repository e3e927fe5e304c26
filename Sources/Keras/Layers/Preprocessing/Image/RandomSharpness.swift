/// Changes the sharpness of each image by a random amount in training
/// (`keras.layers.RandomSharpness`): each image is blurred with Keras's 3×3 smoothing kernel
/// (`1/13` around, `5/13` in the center, zero padding) and blended as
/// `x + (1 − 2f) · (blurred − x)`, with `f` drawn from the factor range, then clipped to
/// `valueRange`. `f = 0` blurs fully, `0.5` keeps the image, `1` sharpens. The identity in
/// inference. Differentiable in the images.
///
/// ```swift
/// let augment = RandomSharpness(0.8, seed: 1)                       // f ∈ [0, 0.8]
/// let sharpen = RandomSharpness(factor: (1, 1), valueRange: (0, 1))
/// ```
public final class RandomSharpness: FactorValueRangeLayer, @unchecked Sendable {
    override class var arguments: Arguments { Arguments(factorBounds: (0, 1), valueRange: .tone(distinct: false, sorted: true)) }

    /// Creates a `RandomSharpness` with Keras's arguments and defaults (the names in Swift case):
    /// a number `f` in `[0, 1]` gives the range `[0, f]`.
    ///
    /// ```swift
    /// let layer = RandomSharpness(0.7, seed: 1)
    /// ```
    public convenience init(_ factor: Double, valueRange: (Double, Double) = (0, 255), seed: Int? = nil,
                            name: String? = nil, dtype: DType = .float32) {
        self.init(factorValue: AugmentationFactor.value(factor), valueRange: valueRange, seed: seed, name: name, dtype: dtype)
    }

    /// Creates a `RandomSharpness` drawing `f` from `factor` `(low, high)`.
    ///
    /// ```swift
    /// let layer = RandomSharpness(factor: (0.3, 0.7), seed: 3)
    /// ```
    public convenience init(factor: (Double, Double), valueRange: (Double, Double) = (0, 255), seed: Int? = nil,
                            name: String? = nil, dtype: DType = .float32) {
        self.init(factorValue: AugmentationFactor.value(factor), valueRange: valueRange, seed: seed, name: name, dtype: dtype)
    }

    /// Recreates a layer from `getConfig()` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for a missing or out-of-range `factor`, a malformed
    ///   `value_range` or seed.
    public convenience init(config: Config) throws {
        try self.init(reading: config)
    }

    /// Keras's `get_random_transformation`: `f` per image, uniform in the factor range.
    func randomFactors(batch: Int) -> [Double] {
        uniformDraws(batch).map { factor.lower + (factor.upper - factor.lower) * $0 }
    }

    /// Keras's `transform_images` for given factors `f` (one per image).
    func sharpen(_ images: Tensor, factors: [Double]) -> Tensor {
        let channels = images.shape[images.rank - 1]
        let batched = images.rank == 4 ? images : images.reshaped(to: [1] + images.shape)
        let (a, b) = (1.0 / 13.0, 5.0 / 13.0)
        let taps = (0..<9).flatMap { tap in [Double](repeating: tap == 4 ? b : a, count: channels) }
        let kernel = Tensor(shape: [3, 3, channels, 1], doubles: taps, dtype: images.dtype)
        let smoothed = batched.depthwiseConv(kernel, padding: .same).reshaped(to: images.shape)
        let strength = perImage(factors.map { Double(Float($0)) * 2 }, like: images)
        return (images + (1 - strength) * (smoothed - images)).clip(valueRange.0, valueRange.1)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let images = floatImages(x)
        guard training else { return images }
        return sharpen(images, factors: randomFactors(batch: batchGeometry(images).batch))
    }
}
