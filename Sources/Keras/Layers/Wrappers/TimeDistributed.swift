/// Applies a layer to every time step of `(batch, steps, …)` inputs (`keras.layers.TimeDistributed`):
/// the steps are folded into the batch, so the wrapped layer sees `(batch·steps, …)` and its
/// weights are shared by all steps.
///
/// ```swift
/// let layer = TimeDistributed(Dense(8))
/// let y = layer(Tensor.ones([2, 10, 16]))   // shape (2, 10, 8); kernel (16, 8)
/// ```
public final class TimeDistributed: Layer, @unchecked Sendable {
    /// Its inference calls write no state, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// The wrapped layer (Keras's `layer`).
    public let layer: Layer

    /// Creates a `TimeDistributed` with Keras's arguments and defaults (the names in Swift case).
    public init(_ layer: Layer, name: String? = nil, trainable: Bool = true, dtype: DType = .float32) {
        self.layer = layer
        super.init(name: name, trainable: trainable, dtype: dtype)
        inputSpec = [InputSpec(minRank: 3)]
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let copy = try TimeDistributed(config: TimeDistributed(Dense(2)).getConfig())
    /// ```
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: TimeDistributed.self, config: config)
        let base = try r.layerBase()
        let inner = try r.nested("layer") { value -> Layer in
            guard let value, !value.isNull else { throw KerasError.invalidConfig("expected a serialized layer, received nothing") }
            return try deserializeLayer(value)
        }
        self.init(inner, name: base.name, trainable: base.trainable, dtype: base.dtype)
    }

    public override var supportsMasking: Bool { true }

    private func childShape(_ inputShape: [Int?]) -> [Int?] { [inputShape[0]] + inputShape.dropFirst(2) }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        guard let shape = inputShapes.first, shape.count >= 3 else { return nil }
        return layer.checkInputs([childShape(shape)]) ?? layer.validateSymbolic([childShape(shape)])
    }

    public override func build(inputShape: [Int?]) { layer.buildIfNeeded([childShape(inputShape)]) }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] {
        let child = layer.computeOutputShape(childShape(inputShape))
        return [child.first ?? nil, inputShape[1]] + child.dropFirst()
    }

    public override func call(_ inputs: Tensor, training: Bool) -> Tensor {
        let (batch, steps) = (inputs.shape[0], inputs.shape[1])
        let folded = inputs.reshaped(to: [batch * steps] + inputs.shape.dropFirst(2))
        let y = layer(folded, training: training)
        return y.reshaped(to: [batch, steps] + y.shape.dropFirst())
    }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["layer"] = serializeLayer(layer)
        return config
    }
}
