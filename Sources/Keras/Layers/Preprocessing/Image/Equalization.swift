/// Histogram equalization of each color channel (`keras.layers.Equalization`): for each
/// channel, a `bins`-bin histogram of the pixels (in `[0, 255]` terms, over every image of the
/// batch, as Keras computes it), and each pixel replaced by its bin's normalized cumulative
/// count, mapped back to `valueRange`. A channel with at most one non-empty bin is unchanged.
///
/// As in Keras's code, it transforms in training only (`training: true`) and returns its input
/// (cast to float) in inference. A preprocessing transform: its output passes no gradient.
///
/// ```swift
/// let equalize = Equalization()
/// let coarse = Equalization(valueRange: (0, 1), bins: 128)
/// let out = equalize(images, training: true)
/// ```
public final class Equalization: BaseImagePreprocessingLayer, @unchecked Sendable {
    /// The `valueRange` this `Equalization` was created with, sorted.
    public let valueRange: (Double, Double)
    /// The number of histogram bins.
    public let bins: Int

    /// Creates an `Equalization` with Keras's arguments and defaults (the names in Swift case).
    ///
    /// ```swift
    /// let layer = Equalization(bins: 64)
    /// ```
    public init(valueRange: (Double, Double) = (0, 255), bins: Int = 256, name: String? = nil, dtype: DType = .float32) {
        var range = valueRange
        requireValid {
            range = try toneValueRange(valueRange, layer: "Equalization", distinct: true, sorted: true)
            try Equalization.validate(bins: bins)
        }
        self.valueRange = range
        self.bins = bins
        super.init(name: name, dtype: dtype)
    }

    /// `bins` is a positive integer (at most 65536).
    static func validate(bins: Int) throws {
        try ensure(bins >= 1 && bins <= 1 << 16, "Equalization: The `bins` argument should be a positive integer of at most \(1 << 16). Received: bins=\(bins)")
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for a malformed `value_range` or `bins`.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: Equalization.self, config: config)
        let base = try r.layerBase()
        try r.channelsLast()
        let range = try readToneValueRange(&r, layer: "Equalization", distinct: true, sorted: true)
        let bins = try r.int("bins", default: 256)
        try r.validated { try Equalization.validate(bins: bins) }
        self.init(valueRange: range, bins: bins, name: base.name, dtype: base.dtype)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let images = floatImages(x)
        guard training else { return images }
        return equalizeImages(images, valueRange: valueRange, bins: bins)
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["bins"] = .int(bins)
        config["value_range"] = valueRangeConfig(valueRange)
        return config
    }
}
