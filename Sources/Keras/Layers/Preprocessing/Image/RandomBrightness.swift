/// Brightens or darkens each image by a random amount in training
/// (`keras.layers.RandomBrightness`): adds `f · (high − low)` with `f` drawn from the factor
/// range (`0.2` → [−0.2, 0.2]) to every pixel, then clips to `valueRange` `(low, high)`.
///
/// ```swift
/// let augment = RandomBrightness(0.2, seed: 1)                          // images in [0, 255]
/// let unit = RandomBrightness(0.1, valueRange: (0, 1), seed: 2)         // images in [0, 1]
/// ```
public final class RandomBrightness: RandomImageLayer, @unchecked Sendable {
    let factor: AugmentationFactor
    /// The `valueRange` this `RandomBrightness` was created with.
    public let valueRange: (Double, Double)

    /// Creates a `RandomBrightness` with Keras's arguments and defaults (the names in Swift case).
    public convenience init(_ factor: Double, valueRange: (Double, Double) = (0, 255), seed: Int? = nil,
                            name: String? = nil, dtype: DType = .float32) {
        self.init(factorValue: AugmentationFactor.value(factor), valueRange: valueRange, seed: seed, name: name, dtype: dtype)
    }

    /// Creates a `RandomBrightness` with Keras's arguments and defaults (the names in Swift case).
    public convenience init(factor: (Double, Double), valueRange: (Double, Double) = (0, 255), seed: Int? = nil,
                            name: String? = nil, dtype: DType = .float32) {
        self.init(factorValue: AugmentationFactor.value(factor), valueRange: valueRange, seed: seed, name: name, dtype: dtype)
    }

    init(factorValue: ConfigValue, valueRange: (Double, Double), seed: Int?, name: String?, dtype: DType) {
        var parsed: AugmentationFactor?
        requireValid {
            parsed = try AugmentationFactor(factorValue, bounds: (-1, 1), layer: "RandomBrightness")
            try validateValueRange(valueRange, layer: "RandomBrightness")
        }
        factor = parsed!
        self.valueRange = (Swift.min(valueRange.0, valueRange.1), Swift.max(valueRange.0, valueRange.1))
        super.init(seed: seed, name: name, dtype: dtype)
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for a missing or out-of-range `factor`, a malformed
    ///   `value_range` or seed.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: RandomBrightness.self, config: config)
        let base = try r.layerBase()
        try r.channelsLast()
        let factor = try readFactor(&r, "factor") { try AugmentationFactor($0, bounds: (-1, 1), layer: "RandomBrightness") }
        let range = try readValueRange(&r, layer: "RandomBrightness")
        self.init(factorValue: factor.original, valueRange: range, seed: try r.seed(), name: base.name, dtype: base.dtype)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let images = floatImages(x)
        guard training else { return images }
        let span = valueRange.1 - valueRange.0
        let delta = perImage(uniformDraws(batchGeometry(images).batch).map { (factor.lower + (factor.upper - factor.lower) * $0) * span },
                             like: images)
        return (images + delta).clip(valueRange.0, valueRange.1)
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
