/// Resizes images to `height × width` (`keras.layers.Resizing`) with nearest, bilinear, bicubic or
/// Lanczos sampling, optionally antialiased
/// (`Tensor/resizeImages(height:width:interpolation:antialias:cropToAspectRatio:padToAspectRatio:fillValue:)`).
/// `cropToAspectRatio` first crops the largest centered window with the target aspect ratio, so
/// the image is not distorted; `padToAspectRatio` pads with `fillValue` instead.
///
/// ```swift
/// let model = Sequential([InputLayer(shape: [64, 48, 3]), Resizing(32, 32, cropToAspectRatio: true)])
/// ```
public final class Resizing: BaseImagePreprocessingLayer, @unchecked Sendable {
    /// The `height` this `Resizing` was created with.
    public let height: Int
    /// The `width` this `Resizing` was created with.
    public let width: Int
    /// The `interpolation` this `Resizing` was created with.
    public let interpolation: ImageInterpolation
    /// The `antialias` this `Resizing` was created with.
    public let antialias: Bool
    /// The `cropToAspectRatio` this `Resizing` was created with.
    public let cropToAspectRatio: Bool
    /// The `padToAspectRatio` this `Resizing` was created with.
    public let padToAspectRatio: Bool
    /// The `fillValue` this `Resizing` was created with.
    public let fillValue: Double

    /// Creates a `Resizing` with Keras's arguments and defaults (the names in Swift case).
    public init(_ height: Int, _ width: Int, interpolation: ImageInterpolation = .bilinear, antialias: Bool = false,
                cropToAspectRatio: Bool = false, padToAspectRatio: Bool = false, fillValue: Double = 0,
                name: String? = nil, dtype: DType = .float32) {
        requireValid { try Self.validate(height: height, width: width, crop: cropToAspectRatio, pad: padToAspectRatio) }
        self.height = height
        self.width = width
        self.interpolation = interpolation
        self.antialias = antialias
        self.cropToAspectRatio = cropToAspectRatio
        self.padToAspectRatio = padToAspectRatio
        self.fillValue = fillValue
        super.init(name: name, dtype: dtype)
    }

    /// Positive sizes; at most one of the aspect-ratio options.
    static func validate(height: Int, width: Int, crop: Bool, pad: Bool) throws {
        try ensure(height > 0 && width > 0, "Resizing: `height` and `width` must be positive integers. Received: height=\(height), width=\(width)")
        try ensureBoundedSizes([height, width], layer: "Resizing", argument: "height/width")
        try ensure(!(crop && pad), "Resizing: Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be `True`.")
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let resize = try Resizing(config: ["height": 32, "width": 32, "interpolation": "nearest"])
    /// ```
    ///
    /// - Throws: `KerasError.invalidConfig` for missing or non-positive sizes, an unknown
    ///   interpolation, or a fill mode other than `"constant"`.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: Resizing.self, config: config)
        let base = try r.layerBase()
        try r.channelsLast()
        let height = try r.int("height"), width = try r.int("width")
        let crop = try r.bool("crop_to_aspect_ratio", default: false), pad = try r.bool("pad_to_aspect_ratio", default: false)
        try r.validated { try Resizing.validate(height: height, width: width, crop: crop, pad: pad) }
        _ = try r.string("fill_mode", default: "constant", allowed: ["constant"])
        self.init(height, width, interpolation: try r.choice("interpolation", default: .bilinear, allowed: ImageInterpolation.allCases),
                  antialias: try r.bool("antialias", default: false), cropToAspectRatio: crop, padToAspectRatio: pad, fillValue: try r.double("fill_value", default: 0),
                  name: base.name, dtype: base.dtype)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        floatImages(x).resizeImages(height: height, width: width, interpolation: interpolation, antialias: antialias,
                                    cropToAspectRatio: cropToAspectRatio, padToAspectRatio: padToAspectRatio,
                                    fillValue: fillValue)
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] {
        var out = inputShape
        let (h, w) = imageAxes(rank: inputShape.count)
        out[h] = height
        out[w] = width
        return out
    }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["height"] = .int(height)
        config["width"] = .int(width)
        config["interpolation"] = .string(interpolation.rawValue)
        config["crop_to_aspect_ratio"] = .bool(cropToAspectRatio)
        config["pad_to_aspect_ratio"] = .bool(padToAspectRatio)
        config["fill_mode"] = "constant"
        config["fill_value"] = .double(fillValue)
        config["antialias"] = .bool(antialias)
        return config
    }
}
