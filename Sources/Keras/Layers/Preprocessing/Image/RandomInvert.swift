/// Inverts the colors of some images at random in training (`keras.layers.RandomInvert`): each
/// image draws an inversion probability `p` from the factor range and is inverted
/// (`high − x`, with `high` the upper end of `valueRange`) when a second uniform draw falls
/// below `p`. The identity in inference. Differentiable in the images.
///
/// ```swift
/// let augment = RandomInvert(seed: 1)                          // p ∈ [0, 1], images in [0, 255]
/// let sometimes = RandomInvert(0.3, valueRange: (0, 1), seed: 2)
/// ```
public final class RandomInvert: FactorValueRangeLayer, @unchecked Sendable {
    override class var arguments: Arguments {
        Arguments(factorBounds: (0, 1), valueRange: .tone(distinct: false, sorted: false), defaultFactor: 1)
    }

    /// Creates a `RandomInvert` with Keras's arguments and defaults (the names in Swift case):
    /// a number `f` in `[0, 1]` gives the probability range `[0, f]`.
    ///
    /// ```swift
    /// let layer = RandomInvert(0.5, seed: 1)
    /// ```
    public convenience init(_ factor: Double = 1, valueRange: (Double, Double) = (0, 255), seed: Int? = nil,
                            name: String? = nil, dtype: DType = .float32) {
        self.init(factorValue: AugmentationFactor.value(factor), valueRange: valueRange, seed: seed, name: name, dtype: dtype)
    }

    /// Creates a `RandomInvert` whose inversion probability is drawn from `factor` `(low, high)`.
    ///
    /// ```swift
    /// let layer = RandomInvert(factor: (0.2, 0.8), seed: 3)
    /// ```
    public convenience init(factor: (Double, Double), valueRange: (Double, Double) = (0, 255), seed: Int? = nil,
                            name: String? = nil, dtype: DType = .float32) {
        self.init(factorValue: AugmentationFactor.value(factor), valueRange: valueRange, seed: seed, name: name, dtype: dtype)
    }

    /// Recreates a layer from `getConfig()` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for an out-of-range `factor`, a malformed
    ///   `value_range` or seed.
    public convenience init(config: Config) throws {
        try self.init(reading: config)
    }

    /// Keras's `get_random_transformation`: per image, whether it is inverted (a uniform draw
    /// below a probability drawn from the factor range).
    func randomInversions(batch: Int) -> [Bool] {
        let probabilities = uniformDraws(batch).map { factor.lower + (factor.upper - factor.lower) * $0 }
        let thresholds = uniformDraws(batch)
        return zip(thresholds, probabilities).map { $0 < $1 }
    }

    /// Keras's `transform_images` for given draws: `valueRange.1 − x` for the images marked.
    func invert(_ images: Tensor, where inverted: [Bool]) -> Tensor {
        let mask = perImage(inverted.map { $0 ? 1 : 0 }, like: images)
        return `where`(mask, valueRange.1 - images, images)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let images = floatImages(x)
        guard training else { return images }
        return invert(images, where: randomInversions(batch: batchGeometry(images).batch))
    }
}
