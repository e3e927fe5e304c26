/// Rotates the hue of each RGB image by a random amount in training (`keras.layers.RandomHue`):
/// the image is mapped from `valueRange` to [0, 1], converted to HSV, its hue shifted by
/// `±f / 2` (the sign drawn with even odds, `f` from the factor range) and wrapped into [0, 1],
/// converted back, clipped to [0, 1] and mapped back to `valueRange`.
///
/// A single number `f` gives the range `[0, f]` (Keras's bounds are [0, 1]): `0` leaves the
/// colors as they are, `1` can turn a hue to its opposite. Inputs need 3 channels. In inference
/// the layer returns its input (cast to float).
///
/// This is a preprocessing layer: the HSV round trip runs outside the gradient tape, so no
/// gradient flows back through it.
///
/// ```swift
/// let augment = RandomHue(0.2, seed: 1)                               // images in [0, 255]
/// let unit = RandomHue(factor: (0.1, 0.3), valueRange: (0, 1), seed: 2)
/// ```
public final class RandomHue: FactorValueRangeLayer, @unchecked Sendable {
    override class var arguments: Arguments { Arguments(factorBounds: (0, 1), valueRange: .color(sorted: false)) }

    /// Creates a `RandomHue` with Keras's arguments and defaults (the names in Swift case).
    public convenience init(_ factor: Double, valueRange: (Double, Double) = (0, 255), seed: Int? = nil,
                            name: String? = nil, dtype: DType = .float32) {
        self.init(factorValue: AugmentationFactor.value(factor), valueRange: valueRange, seed: seed, name: name, dtype: dtype)
    }

    /// Creates a `RandomHue` with Keras's arguments and defaults (the names in Swift case).
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

    /// The hue shift of each image as Keras draws it: `±u / 2`, `u` uniform in the factor range,
    /// minus with probability ½ (Keras's `transformation["factor"]`).
    static func randomShifts(_ factor: AugmentationFactor, batch: Int, draw: (Int) -> [Double]) -> [Double] {
        let signs = draw(batch).map { $0 > 0.5 ? -1.0 : 1.0 }
        let amounts = draw(batch).map { factor.lower + (factor.upper - factor.lower) * $0 }
        return zip(signs, amounts).map { $0 * $1 * 0.5 }
    }

    /// Draws Keras's transformation for `batch` images: the hue shift of each.
    func randomTransformation(batch: Int) -> [Double] {
        RandomHue.randomShifts(factor, batch: batch, draw: uniformDraws)
    }

    /// Keras's `transform_images` with a given transformation: shifts image `i`'s hue by
    /// `shifts[i]` (in turns of the color wheel).
    func transform(_ images: Tensor, shifts: [Double]) -> Tensor {
        ColorAugmentationMath.shiftHue(images, delta: shifts, valueRange: valueRange)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let images = floatImages(x)
        guard training else { return images }
        return transform(images, shifts: randomTransformation(batch: batchGeometry(images).batch))
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        super.validateSymbolic(inputShapes) ?? colorChannelsError(self, inputShapes[0], allowed: [3])
    }
}
