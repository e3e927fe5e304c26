/// Stretches each channel of each image over the whole `valueRange`
/// (`keras.layers.AutoContrast`): per image and channel, `(x − min) · 255 / (max − min)` in
/// `[0, 255]` terms, clipped and mapped back to `valueRange`. A constant channel (whose
/// stretch is NaN) keeps its values. Not random: it transforms in training and in inference,
/// as in Keras. Differentiable in the images.
///
/// ```swift
/// let stretch = AutoContrast()                         // images in [0, 255]
/// let unit = AutoContrast(valueRange: (0, 1))
/// ```
public final class AutoContrast: BaseImagePreprocessingLayer, @unchecked Sendable {
    /// The `valueRange` this `AutoContrast` was created with, sorted.
    public let valueRange: (Double, Double)

    /// Creates an `AutoContrast` with Keras's arguments and defaults (the names in Swift case).
    ///
    /// ```swift
    /// let layer = AutoContrast(valueRange: (0, 1))
    /// ```
    public init(valueRange: (Double, Double) = (0, 255), name: String? = nil, dtype: DType = .float32) {
        var range = valueRange
        requireValid { range = try toneValueRange(valueRange, layer: "AutoContrast", distinct: true, sorted: true) }
        self.valueRange = range
        super.init(name: name, dtype: dtype)
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for a malformed `value_range`.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: AutoContrast.self, config: config)
        let base = try r.layerBase()
        try r.channelsLast()
        let range = try readToneValueRange(&r, layer: "AutoContrast", distinct: true, sorted: true)
        self.init(valueRange: range, name: base.name, dtype: base.dtype)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let images = floatImages(x)
        let (hAxis, wAxis) = imageAxes(rank: images.rank)
        let pixels = transformValueRange(images, from: valueRange, to: (0, 255))
        let low = pixels.min(axes: [hAxis, wAxis], keepDims: true), high = pixels.max(axes: [hAxis, wAxis], keepDims: true)
        let scale = 255 / (high - low)
        let stretched = pixels * scale + (-low * scale)
        let result = transformValueRange(stretched.clip(0, 255), from: (0, 255), to: valueRange)
        return `where`(result.isNaN() .|| stretched.isNaN(), images, result)
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["value_range"] = valueRangeConfig(valueRange)
        return config
    }
}
