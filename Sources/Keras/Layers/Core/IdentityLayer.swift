/// Returns its input unchanged (`keras.layers.Identity`).
public final class Identity: Layer, @unchecked Sendable {
    /// Its call writes no state in inference, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// Passes the input's mask on (Keras's `supports_masking = True`).
    public override var supportsMasking: Bool { true }
    /// Creates an `Identity` with Keras's arguments and defaults (the names in Swift case).
    public init(name: String? = nil, dtype: DType = .float32) { super.init(name: name, dtype: dtype) }

    /// Recreates a layer from `getConfig()` (`name`, `dtype`).
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: Identity.self, config: config)
        let base = try r.layerBase()
        self.init(name: base.name, dtype: base.dtype)
    }

    public override func call(_ inputs: Tensor, training: Bool) -> Tensor { inputs }
    public override func call(_ inputs: [Tensor], training: Bool) -> [Tensor] { inputs }
    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }
    public override func computeOutputShapes(_ inputShapes: [[Int?]]) -> [[Int?]] { inputShapes }
}
