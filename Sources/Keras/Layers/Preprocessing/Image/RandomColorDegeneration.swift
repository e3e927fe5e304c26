/// Blends each RGB image with its grayscale version by a random amount in training
/// (`keras.layers.RandomColorDegeneration`): `x + f · (gray(x) − x)`, clipped to `valueRange`,
/// with `f` drawn per image from the factor range. `f = 0` keeps the image, `1` makes it gray;
/// negative draws push the colors away from gray.
///
/// As in Keras's code, the factor bounds are [−1, 1] and a single number `f` gives the range
/// `[−f, f]`; pass a pair such as `(0.5, 0.5)` for a fixed factor. Inputs need 3 channels. In
/// inference the layer returns its input (cast to float). The transform is written with tensor
/// ops, so gradients flow through it.
///
/// ```swift
/// let augment = RandomColorDegeneration(factor: (0, 0.6), seed: 1)   // images in [0, 255]
/// let dull = RandomColorDegeneration(factor: (0.5, 0.5), valueRange: (0, 1))
/// ```
public final class RandomColorDegeneration: FactorValueRangeLayer, @unchecked Sendable {
    override class var arguments: Arguments { Arguments(factorBounds: (-1, 1), valueRange: .color(sorted: true)) }

    /// Creates a `RandomColorDegeneration` with Keras's arguments and defaults (the names in
    /// Swift case).
    public convenience init(_ factor: Double, valueRange: (Double, Double) = (0, 255), seed: Int? = nil,
                            name: String? = nil, dtype: DType = .float32) {
        self.init(factorValue: AugmentationFactor.value(factor), valueRange: valueRange, seed: seed, name: name, dtype: dtype)
    }

    /// Creates a `RandomColorDegeneration` with Keras's arguments and defaults (the names in
    /// Swift case).
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

    /// Draws Keras's transformation for `batch` images: the blend factor of each, uniform in the
    /// factor range.
    func randomTransformation(batch: Int) -> [Double] {
        uniformDraws(batch).map { factor.lower + (factor.upper - factor.lower) * $0 }
    }

    /// Keras's `transform_images` with a given transformation: blends image `i` towards its
    /// grayscale version by `factors[i]` and clips to ``valueRange``.
    func transform(_ images: Tensor, factors: [Double]) -> Tensor {
        let f = perImage(factors, like: images)
        return (images + f * (ColorAugmentationMath.grayscale(images) - images)).clip(valueRange.0, valueRange.1)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let images = floatImages(x)
        guard training else { return images }
        return transform(images, factors: randomTransformation(batch: batchGeometry(images).batch))
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        super.validateSymbolic(inputShapes) ?? colorChannelsError(self, inputShapes[0], allowed: [3])
    }
}
