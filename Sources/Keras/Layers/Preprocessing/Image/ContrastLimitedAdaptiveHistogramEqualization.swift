/// Contrast-limited adaptive histogram equalization, CLAHE
/// (`keras.layers.ContrastLimitedAdaptiveHistogramEqualization`): the image is split into a
/// `tileGridSize` grid of tiles (padded symmetrically at the bottom and right to a whole number
/// of tiles); each tile and channel gets a 256-bin histogram clipped at
/// `clipLimit · tile area / 256` (the excess spread evenly; no clipping when `clipLimit ≤ 0`),
/// whose normalized cumulative sum maps pixel values; each pixel is mapped by bilinear
/// interpolation between the four nearest tiles. Computed in float32 in `[0, 255]` terms, as in
/// Keras. Not random: it transforms in training and in inference, as in Keras. A preprocessing
/// transform: its output passes no gradient.
///
/// ```swift
/// let clahe = ContrastLimitedAdaptiveHistogramEqualization()
/// let local = ContrastLimitedAdaptiveHistogramEqualization(valueRange: (0, 1), clipLimit: 2, tileGridSize: (4, 4))
/// ```
public final class ContrastLimitedAdaptiveHistogramEqualization: BaseImagePreprocessingLayer, @unchecked Sendable {
    /// The `valueRange` this layer was created with (kept in its given order, as Keras keeps it).
    public let valueRange: (Double, Double)
    /// The histogram clip limit, relative to a uniform histogram.
    public let clipLimit: Double
    /// The number of tiles `(rows, columns)`.
    public let tileGridSize: (Int, Int)

    /// Creates the layer with Keras's arguments and defaults (the names in Swift case).
    ///
    /// ```swift
    /// let layer = ContrastLimitedAdaptiveHistogramEqualization(clipLimit: 2, tileGridSize: (4, 4))
    /// ```
    public init(valueRange: (Double, Double) = (0, 255), clipLimit: Double = 4, tileGridSize: (Int, Int) = (8, 8),
                name: String? = nil, dtype: DType = .float32) {
        var range = valueRange
        requireValid {
            range = try toneValueRange(valueRange, layer: "ContrastLimitedAdaptiveHistogramEqualization", distinct: true, sorted: false)
            try ContrastLimitedAdaptiveHistogramEqualization.validate(clipLimit: clipLimit, tileGridSize: tileGridSize)
        }
        self.valueRange = range
        self.clipLimit = clipLimit
        self.tileGridSize = tileGridSize
        super.init(name: name, dtype: dtype)
    }

    /// `clipLimit` is finite; `tileGridSize` holds two positive integers of at most 1024.
    static func validate(clipLimit: Double, tileGridSize: (Int, Int)) throws {
        try ensure(clipLimit.isFinite, "ContrastLimitedAdaptiveHistogramEqualization: The `clip_limit` argument should be a finite number. Received: clip_limit=\(clipLimit)")
        try ensure((1...1024).contains(tileGridSize.0) && (1...1024).contains(tileGridSize.1),
                   "ContrastLimitedAdaptiveHistogramEqualization: The `tile_grid_size` argument should be two positive integers of at most 1024. Received: tile_grid_size=[\(tileGridSize.0), \(tileGridSize.1)]")
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for a malformed `value_range`, `clip_limit` or
    ///   `tile_grid_size`.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: ContrastLimitedAdaptiveHistogramEqualization.self, config: config)
        let base = try r.layerBase()
        try r.channelsLast()
        let range = try readToneValueRange(&r, layer: "ContrastLimitedAdaptiveHistogramEqualization", distinct: true, sorted: false)
        let clipLimit = try r.double("clip_limit", default: 4)
        var grid = (8, 8)
        if r.present("tile_grid_size") != nil {
            let sizes = try r.intList("tile_grid_size")
            guard sizes.count == 2 else { throw r.mismatch("tile_grid_size", "a list of two integers", .array(sizes.map { .int($0) })) }
            grid = (sizes[0], sizes[1])
        }
        try r.validated { try ContrastLimitedAdaptiveHistogramEqualization.validate(clipLimit: clipLimit, tileGridSize: grid) }
        self.init(valueRange: range, clipLimit: clipLimit, tileGridSize: grid, name: base.name, dtype: base.dtype)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let images = floatImages(x).cast(to: .float32)
        let pixels = transformValueRange(images, from: valueRange, to: (0, 255))
        let mapped = claheImages(pixels, clipLimit: clipLimit, grid: tileGridSize)
        return transformValueRange(mapped, from: (0, 255), to: valueRange).cast(to: dtype)
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["value_range"] = valueRangeConfig(valueRange)
        config["clip_limit"] = .double(clipLimit)
        config["tile_grid_size"] = [.int(tileGridSize.0), .int(tileGridSize.1)]
        return config
    }
}
