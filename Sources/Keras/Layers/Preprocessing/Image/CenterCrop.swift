/// Crops the central `height × width` window of images (`keras.layers.CenterCrop`); an image
/// smaller than that is instead cropped to the target aspect ratio and resized (bilinear), as
/// Keras's `smart_resize` does.
///
/// ```swift
/// CenterCrop(24, 24)(Tensor.ones([8, 28, 28, 1])).shape   // [8, 24, 24, 1]
/// ```
public final class CenterCrop: BaseImagePreprocessingLayer, @unchecked Sendable {
    /// The `height` this `CenterCrop` was created with.
    public let height: Int
    /// The `width` this `CenterCrop` was created with.
    public let width: Int

    /// Creates a `CenterCrop` with Keras's arguments and defaults (the names in Swift case).
    public init(_ height: Int, _ width: Int, name: String? = nil, dtype: DType = .float32) {
        requireValid { try Self.validate(height: height, width: width) }
        self.height = height
        self.width = width
        super.init(name: name, dtype: dtype)
    }

    static func validate(height: Int, width: Int, layer: String = "CenterCrop") throws {
        try ensure(height > 0 && width > 0, "\(layer): `height` and `width` must be positive integers. Received: height=\(height), width=\(width)")
        try ensureBoundedSizes([height, width], layer: layer, argument: "height/width")
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for missing or non-positive sizes.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: CenterCrop.self, config: config)
        let base = try r.layerBase()
        try r.channelsLast()
        let height = try r.int("height"), width = try r.int("width")
        try r.validated { try CenterCrop.validate(height: height, width: width) }
        self.init(height, width, name: base.name, dtype: base.dtype)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        centerCrop(floatImages(x), height: height, width: width)
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
        return config
    }
}

/// The central `height × width` window of channels-last images, or — when the images are
/// smaller — the largest centered window of that aspect ratio resized (bilinear) to it.
func centerCrop(_ images: Tensor, height: Int, width: Int) -> Tensor {
    let (hAxis, wAxis) = images.rank == 4 ? (1, 2) : (0, 1)
    let h = images.shape[hAxis], w = images.shape[wAxis]
    guard h >= height, w >= width else {
        return images.resizeImages(height: height, width: width, cropToAspectRatio: true)
    }
    let top = (h - height) / 2, left = (w - width) / 2
    return images.slice(axis: hAxis, start: top, end: top + height).slice(axis: wAxis, start: left, end: left + width)
}
