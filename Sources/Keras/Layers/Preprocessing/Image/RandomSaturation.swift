/// Changes the saturation of each RGB image by a random factor in training
/// (`keras.layers.RandomSaturation`): with `f` drawn from the factor range, the HSV saturation is
/// multiplied by `f / (1 − f + 1e-7)` and clipped to `valueRange`, then the image is converted
/// back to RGB. `f = 0.5` keeps the colors, `0` makes the image gray, `1` saturates it fully.
///
/// As in Keras's code, the factor bounds are [−1, 1] and a single number `f` gives the range
/// `[−f, f]` (negative draws also give gray images); pass a pair such as `(0.5, 0.5)` for a fixed
/// factor. Inputs need 3 channels. In inference the layer returns its input (cast to float).
///
/// This is a preprocessing layer: the HSV round trip runs outside the gradient tape, so no
/// gradient flows back through it.
///
/// ```swift
/// let augment = RandomSaturation(factor: (0.3, 0.7), seed: 1)        // images in [0, 255]
/// let gray = RandomSaturation(factor: (0, 0), valueRange: (0, 1))
/// ```
public final class RandomSaturation: FactorValueRangeLayer, @unchecked Sendable {
    override class var arguments: Arguments { Arguments(factorBounds: (-1, 1), valueRange: .color(sorted: true)) }

    /// Creates a `RandomSaturation` with Keras's arguments and defaults (the names in Swift case).
    public convenience init(_ factor: Double, valueRange: (Double, Double) = (0, 255), seed: Int? = nil,
                            name: String? = nil, dtype: DType = .float32) {
        self.init(factorValue: AugmentationFactor.value(factor), valueRange: valueRange, seed: seed, name: name, dtype: dtype)
    }

    /// Creates a `RandomSaturation` with Keras's arguments and defaults (the names in Swift case).
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

    /// The saturation multipliers as Keras draws them: `f / (1 − f + 1e-7)`, `f` uniform in the
    /// factor range (Keras's `transformation["factor"]`).
    static func randomMultipliers(_ factor: AugmentationFactor, batch: Int, draw: (Int) -> [Double]) -> [Double] {
        draw(batch).map {
            let f = factor.lower + (factor.upper - factor.lower) * $0
            return f / (1 - f + 1e-7)
        }
    }

    /// Draws Keras's transformation for `batch` images: the saturation multiplier of each.
    func randomTransformation(batch: Int) -> [Double] {
        RandomSaturation.randomMultipliers(factor, batch: batch, draw: uniformDraws)
    }

    /// Keras's `transform_images` with a given transformation: multiplies image `i`'s saturation
    /// by `multipliers[i]`, clipped to ``valueRange``.
    func transform(_ images: Tensor, multipliers: [Double]) -> Tensor {
        ColorAugmentationMath.scaleSaturation(images, factor: multipliers, clip: valueRange)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let images = floatImages(x)
        guard training else { return images }
        return transform(images, multipliers: randomTransformation(batch: batchGeometry(images).batch))
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        super.validateSymbolic(inputShapes) ?? colorChannelsError(self, inputShapes[0], allowed: [3])
    }
}
