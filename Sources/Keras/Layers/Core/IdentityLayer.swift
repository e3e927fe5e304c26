/// Returns its input unchanged (`keras.layers.Identity`).
public final class Identity: Layer, @unchecked Sendable {
    public init(name: String? = nil, dtype: DType = .float32) { super.init(name: name, dtype: dtype) }

    public convenience init(config: Config) throws {
        self.init(name: config["name"]?.stringValue, dtype: try dtypeFromConfig(config["dtype"]))
    }

    public override func call(_ inputs: Tensor, training: Bool) -> Tensor { inputs }
    public override func call(_ inputs: [Tensor], training: Bool) -> [Tensor] { inputs }
    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }
    public override func computeOutputShapes(_ inputShapes: [[Int?]]) -> [[Int?]] { inputShapes }
}
