/// Rescales its inputs as `x · scale + offset` (`keras.layers.Rescaling`), e.g. pixel values
/// from [0, 255] to [0, 1] or [-1, 1]. Integer inputs are converted to the layer's float dtype.
///
/// ```swift
/// let model = Sequential([InputLayer(shape: [28, 28, 1]), Rescaling(1.0 / 255), Flatten(), Dense(10)])
/// Rescaling(1.0 / 127.5, offset: -1)(Tensor([0.0, 255.0]))   // [-1, 1]
/// ```
public final class Rescaling: Layer, @unchecked Sendable {
    /// Its call writes no state, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    public let scale: Double
    public let offset: Double

    public init(_ scale: Double, offset: Double = 0, name: String? = nil, dtype: DType = .float32) {
        requireValid { try Self.validate(scale: scale, offset: offset) }
        self.scale = scale
        self.offset = offset
        super.init(name: name, dtype: dtype)
    }

    /// `scale` and `offset` finite.
    static func validate(scale: Double, offset: Double) throws {
        try ensure(scale.isFinite && offset.isFinite, "Rescaling: `scale` and `offset` must be finite numbers. Received: scale=\(scale), offset=\(offset)")
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let rescale = try Rescaling(config: ["scale": 0.00392156862745098, "offset": 0])
    /// ```
    ///
    /// - Throws: `KerasError.invalidConfig` for a missing or non-numeric `scale` or `offset`
    ///   (per-channel lists are not taken).
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: Rescaling.self, config: config)
        let base = try r.layerBase()
        let scale = try r.double("scale"), offset = try r.double("offset", default: 0)
        try r.validated { try Rescaling.validate(scale: scale, offset: offset) }
        self.init(scale, offset: offset, name: base.name, dtype: base.dtype)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let input = x.dtype == dtype ? x : x.cast(to: dtype)
        return input * scale + offset
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["scale"] = .double(scale)
        config["offset"] = .double(offset)
        return config
    }
}
