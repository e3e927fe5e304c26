/// Shifts images by a random fraction of their size in training
/// (`keras.layers.RandomTranslation`): `heightFactor` 0.2 moves each image up or down by up to
/// 20 % of its height, `widthFactor` likewise left or right.
///
/// ```swift
/// let augment = RandomTranslation(0.1, 0.1, fillMode: .nearest, seed: 1)
/// ```
public final class RandomTranslation: RandomAffineLayer, @unchecked Sendable {
    let heightFactor: AugmentationFactor
    let widthFactor: AugmentationFactor

    /// Shifts of up to `heightFactor` of the height and `widthFactor` of the width.
    public convenience init(_ heightFactor: Double, _ widthFactor: Double, fillMode: ImageFillMode = .reflect,
                            interpolation: ImageInterpolation = .bilinear, seed: Int? = nil, fillValue: Double = 0,
                            name: String? = nil, dtype: DType = .float32) {
        self.init(heightValue: AugmentationFactor.value(heightFactor), widthValue: AugmentationFactor.value(widthFactor),
                  fillMode: fillMode, interpolation: interpolation, seed: seed, fillValue: fillValue, name: name, dtype: dtype)
    }

    /// Shifts drawn from the given ranges (fractions of the height and width).
    public convenience init(heightFactor: (Double, Double), widthFactor: (Double, Double), fillMode: ImageFillMode = .reflect,
                            interpolation: ImageInterpolation = .bilinear, seed: Int? = nil, fillValue: Double = 0,
                            name: String? = nil, dtype: DType = .float32) {
        self.init(heightValue: AugmentationFactor.value(heightFactor), widthValue: AugmentationFactor.value(widthFactor),
                  fillMode: fillMode, interpolation: interpolation, seed: seed, fillValue: fillValue, name: name, dtype: dtype)
    }

    init(heightValue: ConfigValue, widthValue: ConfigValue, fillMode: ImageFillMode, interpolation: ImageInterpolation,
         seed: Int?, fillValue: Double, name: String?, dtype: DType) {
        var h: AugmentationFactor?, w: AugmentationFactor?
        requireValid {
            h = try AugmentationFactor(spatial: heightValue, layer: "RandomTranslation", argument: "height_factor", lowerOpen: false)
            w = try AugmentationFactor(spatial: widthValue, layer: "RandomTranslation", argument: "width_factor", lowerOpen: false)
        }
        heightFactor = h!
        widthFactor = w!
        super.init(fillMode: fillMode, interpolation: interpolation, fillValue: fillValue, seed: seed, name: name, dtype: dtype)
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for a missing or out-of-range factor, an unsupported
    ///   fill mode or interpolation, or a malformed seed.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: RandomTranslation.self, config: config)
        let base = try r.layerBase()
        try r.channelsLast()
        let height = try readFactor(&r, "height_factor") {
            try AugmentationFactor(spatial: $0, layer: "RandomTranslation", argument: "height_factor", lowerOpen: false)
        }
        let width = try readFactor(&r, "width_factor") {
            try AugmentationFactor(spatial: $0, layer: "RandomTranslation", argument: "width_factor", lowerOpen: false)
        }
        let (fillMode, interpolation, fillValue) = try Self.readSampling(&r)
        self.init(heightValue: height.original, widthValue: width.original, fillMode: fillMode, interpolation: interpolation,
                  seed: try r.seed(), fillValue: fillValue, name: base.name, dtype: base.dtype)
    }

    override func transforms(batch: Int, height: Int, width: Int) -> [[Double]] {
        let dy = uniformDraws(batch).map { (heightFactor.lower + (heightFactor.upper - heightFactor.lower) * $0) * Double(height) }
        let dx = uniformDraws(batch).map { (widthFactor.lower + (widthFactor.upper - widthFactor.lower) * $0) * Double(width) }
        return zip(dx, dy).map { tx, ty in [1, 0, -tx, 0, 1, -ty, 0, 0] }
    }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["height_factor"] = heightFactor.original
        config["width_factor"] = widthFactor.original
        config["fill_mode"] = .string(fillMode.rawValue)
        config["interpolation"] = .string(interpolation.rawValue)
        config["seed"] = ConfigValue(seed)
        config["fill_value"] = .double(fillValue)
        return config
    }
}
