/// Zooms images in or out at random in training (`keras.layers.RandomZoom`): a factor `f` in
/// `heightFactor`'s range scales the sampling grid by `1 + f` about the center — positive values
/// zoom out, negative values zoom in. Without `widthFactor` both axes use the same factor,
/// keeping the aspect ratio.
///
/// ```swift
/// let augment = RandomZoom(0.2, seed: 1)          // zoom in or out by up to 20 %
/// let zoomIn = RandomZoom(factor: (-0.3, -0.1))     // zoom in by 10–30 %
/// ```
public final class RandomZoom: RandomAffineLayer, @unchecked Sendable {
    let heightFactor: AugmentationFactor
    let widthFactor: AugmentationFactor?

    /// Zoom in or out by up to `heightFactor` (and `widthFactor` for the width, if given).
    public convenience init(_ heightFactor: Double, widthFactor: Double? = nil, fillMode: ImageFillMode = .reflect,
                            interpolation: ImageInterpolation = .bilinear, seed: Int? = nil, fillValue: Double = 0,
                            name: String? = nil, dtype: DType = .float32) {
        self.init(heightValue: AugmentationFactor.value(heightFactor), widthValue: widthFactor.map(AugmentationFactor.value),
                  fillMode: fillMode, interpolation: interpolation, seed: seed, fillValue: fillValue, name: name, dtype: dtype)
    }

    /// Zoom factors drawn from `factor` (and `widthFactor` for the width, if given).
    public convenience init(factor: (Double, Double), widthFactor: (Double, Double)? = nil, fillMode: ImageFillMode = .reflect,
                            interpolation: ImageInterpolation = .bilinear, seed: Int? = nil, fillValue: Double = 0,
                            name: String? = nil, dtype: DType = .float32) {
        self.init(heightValue: AugmentationFactor.value(factor), widthValue: widthFactor.map(AugmentationFactor.value),
                  fillMode: fillMode, interpolation: interpolation, seed: seed, fillValue: fillValue, name: name, dtype: dtype)
    }

    init(heightValue: ConfigValue, widthValue: ConfigValue?, fillMode: ImageFillMode, interpolation: ImageInterpolation,
         seed: Int?, fillValue: Double, name: String?, dtype: DType) {
        var h: AugmentationFactor?, w: AugmentationFactor?
        requireValid {
            h = try AugmentationFactor(spatial: heightValue, layer: "RandomZoom", argument: "height_factor", lowerOpen: true)
            w = try widthValue.map { try AugmentationFactor(spatial: $0, layer: "RandomZoom", argument: "width_factor", lowerOpen: true) }
        }
        heightFactor = h!
        widthFactor = w
        super.init(fillMode: fillMode, interpolation: interpolation, fillValue: fillValue, seed: seed, name: name, dtype: dtype)
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for a missing or out-of-range factor, an unsupported
    ///   fill mode or interpolation, or a malformed seed.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: RandomZoom.self, config: config)
        let base = try r.layerBase()
        try r.channelsLast()
        let height = try readFactor(&r, "height_factor") {
            try AugmentationFactor(spatial: $0, layer: "RandomZoom", argument: "height_factor", lowerOpen: true)
        }
        let width = try r.present("width_factor").map { value in
            try r.validated { try AugmentationFactor(spatial: value, layer: "RandomZoom", argument: "width_factor", lowerOpen: true) }
        }
        let (fillMode, interpolation, fillValue) = try Self.readSampling(&r)
        self.init(heightValue: height.original, widthValue: width?.original, fillMode: fillMode, interpolation: interpolation,
                  seed: try r.seed(), fillValue: fillValue, name: base.name, dtype: base.dtype)
    }

    override func transforms(batch: Int, height: Int, width: Int) -> [[Double]] {
        let heights = uniformDraws(batch).map { 1 + heightFactor.lower + (heightFactor.upper - heightFactor.lower) * $0 }
        let widths = widthFactor.map { f in uniformDraws(batch).map { 1 + f.lower + (f.upper - f.lower) * $0 } } ?? heights
        return zip(heights, widths).map { zh, zw in
            [zw, 0, Double(width - 1) / 2 * (1 - zw), 0, zh, Double(height - 1) / 2 * (1 - zh), 0, 0]
        }
    }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["height_factor"] = heightFactor.original
        config["width_factor"] = widthFactor?.original ?? .null
        config["fill_mode"] = .string(fillMode.rawValue)
        config["interpolation"] = .string(interpolation.rawValue)
        config["seed"] = ConfigValue(seed)
        config["fill_value"] = .double(fillValue)
        return config
    }
}
