/// Changes the contrast of each image by a random factor in training
/// (`keras.layers.RandomContrast`): `(x − mean) · c + mean` per channel, with the mean over the
/// image's pixels and `c` drawn from `[1 − lower, 1 + upper]`, then clipped to `valueRange`. As
/// in Keras 3, a single number `f` gives the range `[0, f]`, so `c ∈ [1, 1 + f]`.
///
/// ```swift
/// let augment = RandomContrast(0.2, seed: 1)   // images in [0, 255]
/// ```
public final class RandomContrast: RandomImageLayer, @unchecked Sendable {
    let factor: AugmentationFactor
    /// The `valueRange` this `RandomContrast` was created with.
    public let valueRange: (Double, Double)

    /// Creates a `RandomContrast` with Keras's arguments and defaults (the names in Swift case).
    public convenience init(_ factor: Double, valueRange: (Double, Double) = (0, 255), seed: Int? = nil,
                            name: String? = nil, dtype: DType = .float32) {
        self.init(factorValue: AugmentationFactor.value(factor), valueRange: valueRange, seed: seed, name: name, dtype: dtype)
    }

    /// Creates a `RandomContrast` with Keras's arguments and defaults (the names in Swift case).
    public convenience init(factor: (Double, Double), valueRange: (Double, Double) = (0, 255), seed: Int? = nil,
                            name: String? = nil, dtype: DType = .float32) {
        self.init(factorValue: AugmentationFactor.value(factor), valueRange: valueRange, seed: seed, name: name, dtype: dtype)
    }

    init(factorValue: ConfigValue, valueRange: (Double, Double), seed: Int?, name: String?, dtype: DType) {
        var parsed: AugmentationFactor?
        requireValid {
            parsed = try AugmentationFactor(factorValue, bounds: (0, 1), layer: "RandomContrast")
            try validateValueRange(valueRange, layer: "RandomContrast")
        }
        factor = parsed!
        self.valueRange = valueRange
        super.init(seed: seed, name: name, dtype: dtype)
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for a missing or out-of-range `factor`, a malformed
    ///   `value_range` or seed.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: RandomContrast.self, config: config)
        let base = try r.layerBase()
        try r.channelsLast()
        let factor = try readFactor(&r, "factor") { try AugmentationFactor($0, bounds: (0, 1), layer: "RandomContrast") }
        let range = try readValueRange(&r, layer: "RandomContrast")
        self.init(factorValue: factor.original, valueRange: range, seed: try r.seed(), name: base.name, dtype: base.dtype)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let images = floatImages(x)
        guard training else { return images }
        let (hAxis, wAxis) = imageAxes(rank: images.rank)
        let c = perImage(uniformDraws(batchGeometry(images).batch).map { 1 - factor.lower + (factor.lower + factor.upper) * $0 }, like: images)
        let mean = images.mean(axes: [hAxis, wAxis], keepDims: true)
        return ((images - mean) * c + mean).clip(valueRange.0, valueRange.1)
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["factor"] = factor.rangeConfig
        config["value_range"] = [.double(valueRange.0), .double(valueRange.1)]
        config["seed"] = ConfigValue(seed)
        return config
    }
}

/// Keras's `value_range` rule: two finite numbers, the first below the second.
func validateValueRange(_ range: (Double, Double), layer: String) throws {
    try ensure(range.0.isFinite && range.1.isFinite && range.0 < range.1, "\(layer): The `value_range` argument should be a list of two numbers (low, high) with low < high. Received: value_range=[\(range.0), \(range.1)]")
}

/// Reads `value_range` (default `[0, 255]`), sorted as Keras sorts it.
func readValueRange(_ r: inout ObjectConfigReader, layer: String) throws -> (Double, Double) {
    guard let value = r.present("value_range") else { return (0, 255) }
    guard let pair = value.arrayValue?.compactMap(\.doubleValue), pair.count == 2, value.arrayValue!.count == 2 else {
        throw r.mismatch("value_range", "a list of two numbers", value)
    }
    let range = (pair.min()!, pair.max()!)
    try r.validated { try validateValueRange(range, layer: layer) }
    return range
}
