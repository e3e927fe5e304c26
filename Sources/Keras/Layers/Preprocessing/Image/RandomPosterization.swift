/// Reduces the bits of each color channel at random in training
/// (`keras.layers.RandomPosterization`): each image keeps `k` bits per channel, with `k` an
/// integer drawn from `[lower, upper)` of the factor range (the single value when both ends are
/// equal, as in Keras); pixels are mapped to `[0, 255]`, converted to 8-bit integers, their low
/// `8 − k` bits cleared, and mapped back to `valueRange`. The identity in inference.
///
/// Like Keras's, this is a preprocessing transform: its output passes no gradient to the images.
///
/// ```swift
/// let augment = RandomPosterization(4, seed: 1)                  // keep 1…3 bits per channel
/// let fixed = RandomPosterization(factor: (4, 4), valueRange: (0, 1))
/// ```
public final class RandomPosterization: FactorValueRangeLayer, @unchecked Sendable {
    override class var arguments: Arguments { Arguments(factorBounds: (1, 8), valueRange: .tone(distinct: true, sorted: true)) }

    /// Creates a `RandomPosterization` with Keras's arguments and defaults (the names in Swift
    /// case): a number `f` in `[1, 8]` gives the bit range `[1, f]`.
    ///
    /// ```swift
    /// let layer = RandomPosterization(3, seed: 1)
    /// ```
    public convenience init(_ factor: Double, valueRange: (Double, Double) = (0, 255), seed: Int? = nil,
                            name: String? = nil, dtype: DType = .float32) {
        self.init(factorValue: AugmentationFactor.value(factor), valueRange: valueRange, seed: seed, name: name, dtype: dtype)
    }

    /// Creates a `RandomPosterization` whose kept bits are drawn from `factor` `(low, high)`.
    ///
    /// ```swift
    /// let layer = RandomPosterization(factor: (2, 6), seed: 3)
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

    /// Keras's `get_random_transformation`: per image, the bits to clear (`8 − k`, with `k`
    /// drawn uniformly from the integers in `[lower, upper)`, or `lower` when the ends are equal).
    func randomShifts(batch: Int) -> [Int] {
        let low = Int(factor.lower), high = Int(factor.upper)
        guard factor.lower != factor.upper, high > low else { return Array(repeating: 8 - low, count: batch) }
        return uniformDraws(batch).map { 8 - Swift.min(low + Int(Double(high - low) * $0), high - 1) }
    }

    /// Keras's `transform_images` for given draws: each image's low `shifts[i]` bits cleared.
    func posterize(_ images: Tensor, shifts: [Int]) -> Tensor {
        let pixels = transformValueRange(images, from: valueRange, to: (0, 255))
        return transformValueRange(posterizePixels(pixels, shifts: shifts), from: (0, 255), to: valueRange)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let images = floatImages(x)
        guard training else { return images }
        return posterize(images, shifts: randomShifts(batch: batchGeometry(images).batch))
    }
}
