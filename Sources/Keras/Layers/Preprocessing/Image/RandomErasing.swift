import KerasCore

/// Erases a random rectangle of images in training (`keras.layers.RandomErasing`, the Random
/// Erasing augmentation): each image is erased with a probability drawn from `factor`; the
/// rectangle's width and height are `√s` of the image's, `s` drawn from `scale` for each side, at
/// a uniform position. The rectangle takes `fillValue` — one number, one per channel of an RGB
/// image, or (`nil`) normal noise times `valueRange`'s upper end — clipped to `valueRange`. The
/// identity in inference.
///
/// ```swift
/// let augment = RandomErasing(factor: 0.5, scale: (0.02, 0.2), fillValue: 0, seed: 1)
/// augment(images, training: true)
/// ```
public final class RandomErasing: RandomImageLayer, @unchecked Sendable {
    let factor: AugmentationFactor
    let scale: AugmentationFactor
    /// The range of the per-image probability of erasing.
    public var factorRange: (lower: Double, upper: Double) { (factor.lower, factor.upper) }
    /// The range of the squared relative side of the rectangle.
    public var scaleRange: (lower: Double, upper: Double) { (scale.lower, scale.upper) }
    /// The fill: `nil` for noise, one value, or three (one per RGB channel).
    public let fillValue: [Double]?
    /// The `valueRange` this `RandomErasing` was created with.
    public let valueRange: (Double, Double)

    /// Erases each image with a probability drawn from `[0, factor]`, filling with `fillValue`
    /// (`nil`: noise), with Keras's defaults.
    ///
    /// ```swift
    /// let erase = RandomErasing(fillValue: 127, seed: 42)
    /// ```
    public convenience init(factor: Double = 1, scale: (Double, Double) = (0.02, 0.33), fillValue: Double? = nil,
                            valueRange: (Double, Double) = (0, 255), seed: Int? = nil, name: String? = nil, dtype: DType = .float32) {
        self.init(factorValue: .double(factor), scaleValue: AugmentationFactor.value(scale), fill: fillValue.map { .double($0) } ?? .null,
                  valueRange: valueRange, seed: seed, name: name, dtype: dtype)
    }

    /// Erases each image with a probability drawn from the range `factor`, filling each of the
    /// three channels with its entry of `fillValues`.
    ///
    /// ```swift
    /// let erase = RandomErasing(factor: (0.3, 0.6), fillValues: [124, 116, 104], seed: 42)
    /// ```
    public convenience init(factor: (Double, Double), scale: (Double, Double) = (0.02, 0.33), fillValues: [Double]?,
                            valueRange: (Double, Double) = (0, 255), seed: Int? = nil, name: String? = nil, dtype: DType = .float32) {
        self.init(factorValue: AugmentationFactor.value(factor), scaleValue: AugmentationFactor.value(scale),
                  fill: fillValues.map { .array($0.map { .double($0) }) } ?? .null, valueRange: valueRange, seed: seed, name: name, dtype: dtype)
    }

    init(factorValue: ConfigValue, scaleValue: ConfigValue, fill: ConfigValue, valueRange: (Double, Double), seed: Int?,
         name: String?, dtype: DType) {
        var parsed: (AugmentationFactor, AugmentationFactor, [Double]?)?
        requireValid {
            parsed = (try AugmentationFactor(factorValue, bounds: (0, 1), layer: "RandomErasing"),
                      try AugmentationFactor(scaleValue, bounds: (0, 1), layer: "RandomErasing", argument: "scale"),
                      try Self.parseFill(fill))
            try validateValueRange(valueRange, layer: "RandomErasing")
        }
        (factor, scale, fillValue) = parsed!
        self.valueRange = valueRange
        super.init(seed: seed, name: name, dtype: dtype)
    }

    /// Keras's rule: `null`, a number or a list of three numbers (finite here).
    static func parseFill(_ value: ConfigValue) throws -> [Double]? {
        let message = "RandomErasing: The `fill_value` argument should be a number (or a list of three numbers). Received: fill_value=\(value)"
        if value.isNull { return nil }
        if let f = value.doubleValue {
            try ensure(f.isFinite, message)
            return [f]
        }
        guard let list = value.arrayValue?.compactMap(\.doubleValue), list.count == 3, value.arrayValue!.count == 3 else {
            throw KerasError.invalidArgument(message)
        }
        try ensure(list.allSatisfy(\.isFinite), message)
        return list
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for an out-of-range `factor` or `scale`, a malformed
    ///   `fill_value`, `value_range` or seed.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: RandomErasing.self, config: config)
        let base = try r.layerBase()
        try r.channelsLast()
        let factor = try readUnitRange(&r, "factor", layer: "RandomErasing", default: .double(1))
        let scale = try readUnitRange(&r, "scale", layer: "RandomErasing", default: [.double(0.02), .double(0.33)])
        let fill = r.present("fill_value") ?? .null
        _ = try r.validated { try Self.parseFill(fill) }
        let range = try readValueRange(&r, layer: "RandomErasing")
        self.init(factorValue: factor.original, scaleValue: scale.original, fill: fill, valueRange: range, seed: try r.seed(),
                  name: base.name, dtype: base.dtype)
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        if let error = super.validateSymbolic(inputShapes) { return error }
        if let fillValue, fillValue.count == 3, let channels = inputShapes[0].last ?? nil, channels != 3 {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (RandomErasing): a `fill_value` of three numbers needs images with 3 channels. Received: inputs.shape=\(formatShape(inputShapes[0]))")
        }
        return nil
    }

    /// Keras's draws for `batch` images of `height × width × channels`: each image's rectangle
    /// `[x0, x1) × [y0, y1)` (in pixels, fractional), whether it is erased, and the fill values
    /// (clipped to ``valueRange``; images' shape for noise, else broadcastable).
    func drawTransformation(_ images: Tensor) -> (boxes: [[Double]], apply: [Bool], fill: Tensor) {
        let (batch, height, width) = batchGeometry(images)
        let u = uniformDraws(4 * batch)
        let boxes = (0..<batch).map { b -> [Double] in
            let sx = (scale.lower + (scale.upper - scale.lower) * u[2 * b]).squareRoot()
            let sy = (scale.lower + (scale.upper - scale.lower) * u[2 * b + 1]).squareRoot()
            let w = sx * Double(width), h = sy * Double(height)
            let x0 = u[2 * batch + b] * (Double(width) - w), y0 = u[3 * batch + b] * (Double(height) - h)
            return [x0, x0 + w, y0, y0 + h]
        }
        let apply = drawApplied(factor, batch: batch)
        let fill: Tensor
        switch fillValue {
        case nil: fill = Tensor.randomNormal(images.shape, stddev: valueRange.1, dtype: images.dtype, seed: seedGenerator)
        case let values?: fill = Tensor(shape: [values.count], doubles: values, dtype: images.dtype)
        }
        return (boxes, apply, fill.clip(valueRange.0, valueRange.1))
    }

    /// The images with pixels `x0 ≤ x < x1`, `y0 ≤ y < y1` of each box replaced by `fill` where
    /// `apply` holds (Keras's `transform_images`).
    func erase(_ images: Tensor, boxes: [[Double]], apply: [Bool], fill: Tensor) -> Tensor {
        let (batch, height, width) = batchGeometry(images)
        var mask = [Double](repeating: 0, count: batch * height * width)
        for b in 0..<batch where apply[b] {
            let box = boxes[b]
            for y in 0..<height where Double(y) >= box[2] && Double(y) < box[3] {
                for x in 0..<width where Double(x) >= box[0] && Double(x) < box[1] {
                    mask[(b * height + y) * width + x] = 1
                }
            }
        }
        let shape = images.rank == 4 ? [batch, height, width, 1] : [height, width, 1]
        return `where`(Tensor(shape: shape, doubles: mask, dtype: .bool), fill.cast(to: images.dtype), images)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let images = floatImages(x)
        guard training else { return images }
        if let fillValue, fillValue.count == 3 {
            require(images.shape.last == 3, "Layer \"\(name)\" (RandomErasing): a `fill_value` of three numbers needs images with 3 channels. Received: inputs.shape=\(images.shape)")
        }
        let t = drawTransformation(images)
        return erase(images, boxes: t.boxes, apply: t.apply, fill: t.fill)
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["factor"] = factor.rangeConfig
        config["scale"] = scale.rangeConfig
        switch fillValue {
        case nil: config["fill_value"] = .null
        case let values? where values.count == 1: config["fill_value"] = .double(values[0])
        case let values?: config["fill_value"] = .array(values.map { .double($0) })
        }
        config["value_range"] = [.double(valueRange.0), .double(valueRange.1)]
        config["seed"] = ConfigValue(seed)
        return config
    }
}
