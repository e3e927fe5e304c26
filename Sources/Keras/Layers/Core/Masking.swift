/// Masks the time steps whose features all equal `maskValue` (`keras.layers.Masking`): those
/// steps are zeroed and the mask `any(x != maskValue, axis: -1)` goes to the layers after it,
/// so recurrent layers skip them.
///
/// ```swift
/// let model = Sequential([InputLayer(shape: [5, 3]), Masking(maskValue: 0), LSTM(8)])
/// let masking = Masking()
/// let x = Tensor([[[1.0, 2.0], [0.0, 0.0]]])
/// masking.computeMask(x, mask: nil)   // [[true, false]]
/// ```
public final class Masking: Layer, @unchecked Sendable {
    public override class var isStatelessInInference: Bool { true }
    /// The value marking a padded step.
    public let maskValue: Double

    /// Creates a `Masking` with Keras's arguments and defaults (the names in Swift case).
    public init(maskValue: Double = 0, name: String? = nil, dtype: DType = .float32) {
        requireValid { try ensure(!maskValue.isNaN, "Masking: `mask_value` must be a number, received mask_value=nan") }
        self.maskValue = maskValue
        super.init(name: name, dtype: dtype)
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let masking = try Masking(config: ["mask_value": -1.0])
    /// ```
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: Masking.self, config: config)
        let base = try r.layerBase()
        let value = try r.double("mask_value", default: 0)
        try r.validated { try ensure(!value.isNaN, "Masking: `mask_value` must be a number, received mask_value=nan") }
        self.init(maskValue: value, name: base.name, dtype: base.dtype)
    }

    public override var supportsMasking: Bool { true }

    public override func call(_ inputs: Tensor, training: Bool) -> Tensor {
        let keep = inputs.notEqual(maskValue).any(axes: [-1], keepDims: true)
        return `where`(keep, inputs, Tensor.zeros([], dtype: inputs.dtype))
    }

    /// `any(inputs != maskValue, axis: -1)`.
    public override func computeMask(_ inputs: Tensor, mask: Tensor?) -> Tensor? {
        inputs.notEqual(maskValue).any(axes: [-1])
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["mask_value"] = .double(maskValue)
        return config
    }
}
