import KerasCore

/// The shared base of the global pooling layers (Keras's `BaseGlobalPooling`): the maximum or
/// mean over every spatial axis of `(batch, spatial…, channels)`, giving `(batch, channels)`, or
/// `(batch, 1…, channels)` with `keepdims`. Use ``GlobalMaxPooling1D``/``GlobalMaxPooling2D``/
/// ``GlobalMaxPooling3D`` or ``GlobalAveragePooling1D``/``GlobalAveragePooling2D``/
/// ``GlobalAveragePooling3D``.
///
/// ```swift
/// let y = GlobalAveragePooling2D(keepdims: true)(Tensor.ones([2, 7, 7, 16]))   // shape (2, 1, 1, 16)
/// ```
public class BaseGlobalPooling: Layer, @unchecked Sendable {
    /// Its call writes no state in inference, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// The number of spatial axes of the concrete class.
    class var spatialRank: Int { fatalError("\(self) must override spatialRank") }
    /// `true` for max pooling, `false` for average pooling.
    class var takesMaximum: Bool { fatalError("\(self) must override takesMaximum") }

    /// Whether the pooled spatial axes stay, with size 1.
    public let keepdims: Bool

    required init(keepdims: Bool, name: String?, trainable: Bool, dtype: DType) {
        self.keepdims = keepdims
        super.init(name: name, trainable: trainable, dtype: dtype)
        inputSpec = [InputSpec(rank: Self.spatialRank + 2)]
    }

    /// `keepdims` keeps the pooled axes with size 1.
    public convenience init(keepdims: Bool = false, name: String? = nil, dtype: DType = .float32) {
        self.init(keepdims: keepdims, name: name, trainable: true, dtype: dtype)
    }


    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let pool = try GlobalMaxPooling2D(config: ["keepdims": true])
    /// ```
    ///
    /// - Throws: `KerasError.invalidConfig` for mistyped values, `KerasError.unsupported` for
    ///   `data_format: "channels_first"`.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(className: Self.className, config: config)
        let base = try r.layerBase()
        let keepdims = try r.bool("keepdims", default: false)
        try r.channelsLast()
        self.init(keepdims: keepdims, name: base.name, trainable: base.trainable, dtype: base.dtype)
    }

    private var spatialAxes: [Int] { Array(1...Self.spatialRank) }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        let shape = inputShapes[0], rank = Self.spatialRank
        guard shape.count == rank + 2 else {
            return .incompatibleInput(layer: name, message: "Input 0 of layer \"\(name)\" (\(className)) is incompatible with the layer: expected ndim=\(rank + 2) (batch, \(rank) spatial axes, channels), found ndim=\(shape.count). Full shape received: \(formatShape(shape))")
        }
        if Self.takesMaximum, shape.dropFirst().dropLast().contains(0) {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (\(className)): cannot take the maximum over an empty spatial axis. Received input shape \(formatShape(shape))")
        }
        return nil
    }

    public override func call(_ inputs: Tensor, training: Bool) -> Tensor {
        Self.takesMaximum ? inputs.max(axes: spatialAxes, keepDims: keepdims) : inputs.mean(axes: spatialAxes, keepDims: keepdims)
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] {
        guard inputShape.count == Self.spatialRank + 2 else { return inputShape }
        let pooled: [Int?] = keepdims ? [Int?](repeating: 1, count: Self.spatialRank) : []
        return [inputShape[0]] + pooled + [inputShape[Self.spatialRank + 1]]
    }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["data_format"] = "channels_last"
        config["keepdims"] = .bool(keepdims)
        return config
    }
}
