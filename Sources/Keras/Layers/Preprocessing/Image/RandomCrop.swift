/// Crops a random `height × width` window of the images in training
/// (`keras.layers.RandomCrop`; one window position for the whole batch, as in Keras). Images not
/// larger than the window on both axes are cropped to its aspect ratio and resized instead. In
/// inference the images pass unchanged, as in Keras 3.
///
/// ```swift
/// let augment = RandomCrop(24, 24, seed: 1)
/// augment(images, training: true).shape   // [batch, 24, 24, channels]
/// ```
public final class RandomCrop: RandomImageLayer, @unchecked Sendable {
    /// The `height` this `RandomCrop` was created with.
    public let height: Int
    /// The `width` this `RandomCrop` was created with.
    public let width: Int

    /// - Parameter height: the height of the crop.
    /// - Parameter width: the width of the crop.
    /// - Parameter seed: like Keras, an unseeded layer draws a seed now and reports it in its config.
    /// - Parameter name: the layer's name; a unique name from the class name when `nil`.
    /// - Parameter dtype: the dtype of the computations.
    public init(_ height: Int, _ width: Int, seed: Int? = nil, name: String? = nil, dtype: DType = .float32) {
        requireValid { try CenterCrop.validate(height: height, width: width, layer: "RandomCrop") }
        self.height = height
        self.width = width
        var g = makeRandomGenerator(seed: nil)
        super.init(seed: seed ?? Int(g.next() % 1_000_000_000), name: name, dtype: dtype)
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for missing or non-positive sizes or a malformed seed.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: RandomCrop.self, config: config)
        let base = try r.layerBase()
        try r.channelsLast()
        let height = try r.int("height"), width = try r.int("width")
        try r.validated { try CenterCrop.validate(height: height, width: width, layer: "RandomCrop") }
        self.init(height, width, seed: try r.seed(), name: base.name, dtype: base.dtype)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let images = floatImages(x)
        guard training else { return images }
        let (hAxis, wAxis) = imageAxes(rank: images.rank)
        let h = images.shape[hAxis], w = images.shape[wAxis]
        guard h > height, w > width else {
            return images.resizeImages(height: height, width: width, cropToAspectRatio: true)
        }
        // One crop for the whole batch: an Int-seeded draw, which a data-parallel shard leaves whole.
        let u = Tensor.randomUniform([2], dtype: .float64, seed: seedGenerator.nextSeed()).doubles
        let top = Swift.min(Int(u[0] * Double(h - height + 1)), h - height)
        let left = Swift.min(Int(u[1] * Double(w - width + 1)), w - width)
        return images.slice(axis: hAxis, start: top, end: top + height).slice(axis: wAxis, start: left, end: left + width)
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
        config["seed"] = ConfigValue(seed)
        return config
    }
}
