/// Rescales its inputs as `x · scale + offset` (`keras.layers.Rescaling`), e.g. pixel values
/// from [0, 255] to [0, 1] or [-1, 1]. `scale` and `offset` are numbers or one value per channel
/// (last axis). Integer inputs are converted to the layer's float dtype.
///
/// ```swift
/// let model = Sequential([InputLayer(shape: [28, 28, 1]), Rescaling(1.0 / 255), Flatten(), Dense(10)])
/// Rescaling(1.0 / 127.5, offset: -1)(Tensor([0.0, 255.0]))   // [-1, 1]
/// Rescaling(scale: [1 / 58.4, 1 / 57.1, 1 / 57.4], offset: [-2.1, -2.0, -1.8])(rgbImages)
/// ```
public final class Rescaling: Layer, @unchecked Sendable {
    /// Its call writes no state, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// The scale: one value, or one per channel.
    public let scale: [Double]
    /// The offset: one value, or one per channel.
    public let offset: [Double]
    /// Whether `scale` / `offset` were given as lists (the config writes them back that way).
    private let scaleIsList: Bool, offsetIsList: Bool

    /// The same scale and offset for every value.
    public convenience init(_ scale: Double, offset: Double = 0, name: String? = nil, dtype: DType = .float32) {
        self.init(scale: [scale], scaleIsList: false, offset: [offset], offsetIsList: false, name: name, dtype: dtype)
    }

    /// One scale and offset per channel (a single-element list applies to every channel).
    public convenience init(scale: [Double], offset: [Double] = [0], name: String? = nil, dtype: DType = .float32) {
        self.init(scale: scale, scaleIsList: true, offset: offset, offsetIsList: offset.count != 1, name: name, dtype: dtype)
    }

    private init(scale: [Double], scaleIsList: Bool, offset: [Double], offsetIsList: Bool, name: String?, dtype: DType) {
        requireValid { try Self.validate(scale: scale, offset: offset) }
        self.scale = scale
        self.offset = offset
        self.scaleIsList = scaleIsList
        self.offsetIsList = offsetIsList
        super.init(name: name, dtype: dtype)
    }

    /// Finite values; non-empty lists.
    static func validate(scale: [Double], offset: [Double]) throws {
        try ensure(!scale.isEmpty && !offset.isEmpty && (scale + offset).allSatisfy(\.isFinite),
                   "Rescaling: `scale` and `offset` must be finite numbers or non-empty lists of them. Received: scale=\(scale), offset=\(offset)")
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let rescale = try Rescaling(config: ["scale": 0.00392156862745098, "offset": 0])
    /// ```
    ///
    /// - Throws: `KerasError.invalidConfig` for a missing `scale`, or a `scale` / `offset` that
    ///   is not a number, a list of numbers or a serialized NumPy array of them.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: Rescaling.self, config: config)
        let base = try r.layerBase()
        func values(_ key: String, default defaultValue: Double?) throws -> ([Double], Bool) {
            guard let v = r.present(key) else {
                guard let defaultValue else { throw r.mismatch(key, "a number or a list of numbers", .null, absent: true) }
                return ([defaultValue], false)
            }
            if let d = v.doubleValue { return ([d], false) }
            // A list, or Keras's serialized NumPy array {"class_name": "__numpy__", "config": {"value": …}}.
            let list = v.arrayValue ?? v["config"]?["value"]?.arrayValue
            func flatten(_ item: ConfigValue) -> [Double?] { item.arrayValue.map { $0.flatMap(flatten) } ?? [item.doubleValue] }
            guard let numbers = list.map({ $0.flatMap(flatten) }), !numbers.contains(nil) else {
                throw r.mismatch(key, "a number or a list of numbers", v)
            }
            return (numbers.map { $0! }, true)
        }
        let (scale, scaleIsList) = try values("scale", default: nil)
        let (offset, offsetIsList) = try values("offset", default: 0)
        try r.validated { try Rescaling.validate(scale: scale, offset: offset) }
        self.init(scale: scale, scaleIsList: scaleIsList, offset: offset, offsetIsList: offsetIsList,
                  name: base.name, dtype: base.dtype)
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        let shape = inputShapes[0]
        let channels = shape.last ?? nil
        for (key, values) in [("scale", scale), ("offset", offset)] where values.count > 1 {
            if shape.isEmpty || (channels != nil && channels != values.count) {
                return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (Rescaling): `\(key)` has \(values.count) values, one per channel, but the inputs have shape \(formatShape(shape))")
            }
        }
        return nil
    }

    public override func build(inputShape: [Int?]) {
        if let error = validateSymbolic([inputShape]) { fatalError(error.description) }
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let input = x.dtype == dtype ? x : x.cast(to: dtype)
        func operand(_ values: [Double]) -> Tensor { Tensor(shape: values.count == 1 ? [] : [values.count], doubles: values, dtype: input.dtype) }
        if scale.count == 1 && offset.count == 1 { return input * scale[0] + offset[0] }
        return input * operand(scale) + operand(offset)
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["scale"] = scaleIsList ? .array(scale.map(ConfigValue.double)) : .double(scale[0])
        config["offset"] = offsetIsList ? .array(offset.map(ConfigValue.double)) : .double(offset[0])
        return config
    }
}
