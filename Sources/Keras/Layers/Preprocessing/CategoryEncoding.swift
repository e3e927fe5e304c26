/// Encodes integer categories as vectors of `numTokens` (`keras.layers.CategoryEncoding`):
/// `.oneHot` gives one vector per id (a trailing axis of size 1 is replaced), `.multiHot` (the
/// default) marks every id present in a sample, `.count` counts them (optionally weighted). For
/// `multiHot` and `count` the ids of a sample lie on axis 1 (or axis 0 for a single rank-1
/// sample), as with Keras's JAX backend.
///
/// ```swift
/// let layer = CategoryEncoding(numTokens: 4, outputMode: .count)
/// layer(Tensor([[0, 1, 1], [3, 3, 2]]).cast(to: .int32))   // [[1, 2, 0, 0], [0, 0, 1, 2]]
/// ```
///
/// Ids outside `0..<numTokens` stop the call with a message naming the layer.
public final class CategoryEncoding: Layer, @unchecked Sendable {
    public override class var isStatelessInInference: Bool { true }

    /// How ids are encoded (Keras's `output_mode`; `"binary"` in a config means `.multiHot`).
    public enum OutputMode: String, Sendable, CaseIterable {
        /// `"one_hot"`, `"multi_hot"` or `"count"`, as Keras's `output_mode`.
        case oneHot = "one_hot", multiHot = "multi_hot", count
    }

    /// The `numTokens` this `CategoryEncoding` was created with.
    public let numTokens: Int
    /// The `outputMode` this `CategoryEncoding` was created with.
    public let outputMode: OutputMode

    /// Creates a `CategoryEncoding` with Keras's arguments and defaults (the names in Swift case).
    public init(numTokens: Int, outputMode: OutputMode = .multiHot, name: String? = nil, dtype: DType = .float32) {
        requireValid { try Self.validate(numTokens: numTokens) }
        self.numTokens = numTokens
        self.outputMode = outputMode
        super.init(name: name, dtype: dtype)
    }

    static func validate(numTokens: Int) throws {
        try ensure(numTokens >= 1, "CategoryEncoding: `num_tokens` must be >= 1. Received: num_tokens=\(numTokens).")
        try ensure(numTokens <= maxWeightElements, "CategoryEncoding: `num_tokens` must be at most \(maxWeightElements). Received: num_tokens=\(numTokens).")
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let layer = try CategoryEncoding(config: ["num_tokens": 10, "output_mode": "one_hot"])
    /// ```
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: CategoryEncoding.self, config: config)
        let base = try r.layerBase()
        guard let numTokens = try r.optionalInt("num_tokens") else {
            throw KerasError.invalidConfig("CategoryEncoding: num_tokens must be set to use this layer. If the number of tokens is not known beforehand, use the IntegerLookup layer instead.")
        }
        try r.validated { try CategoryEncoding.validate(numTokens: numTokens) }
        let mode: OutputMode = try r.nested("output_mode") { value in
            guard let value, !value.isNull else { return .multiHot }
            if value.stringValue == "binary" { return .multiHot }
            guard let name = value.stringValue, let mode = OutputMode(rawValue: name) else {
                throw KerasError.invalidConfig("Unknown arg for output_mode: \(value). Expected one of \"one_hot\", \"multi_hot\", \"count\"")
            }
            return mode
        }
        if try r.bool("sparse", default: false) {
            throw r.mismatch("sparse", "false (sparse outputs are not supported)", .bool(true))
        }
        self.init(numTokens: numTokens, outputMode: mode, name: base.name, dtype: base.dtype)
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        guard let shape = inputShapes.first else { return nil }
        if outputMode != .oneHot && shape.count > 2 {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\": \(outputMode.rawValue) encoding takes inputs of rank 1 or 2, received shape \(formatShape(shape))")
        }
        return nil
    }

    public override func call(_ inputs: Tensor, training: Bool) -> Tensor { encode(inputs, countWeights: nil) }

    /// Outside values must be token ids below `numTokens`: a `KerasError.invalidData` naming the
    /// layer and the first bad value otherwise (the call itself would stop).
    public override func validateInputData(_ data: Tensor) -> KerasError? {
        let ids = data.dtype.isInteger ? data : data.cast(to: .int32)
        guard let bad = Embedding.firstOutOfRange(ids, count: numTokens) else { return nil }
        return .invalidData("CategoryEncoding \"\(name)\": Input values must be in the range 0 <= values < num_tokens with num_tokens=\(numTokens); received \(bad)")
    }

    /// The encoding with `countWeights` (same shape as the ids) added up instead of counts
    /// (`.count` only).
    public func callAsFunction(_ inputs: Tensor, countWeights: Tensor) -> Tensor {
        require(outputMode == .count, "CategoryEncoding \"\(name)\": `count_weights` is not used when `output_mode` is not 'count'.")
        require(countWeights.shape == inputs.shape, "CategoryEncoding \"\(name)\": count_weights of shape \(countWeights.shape) must match the inputs' shape \(inputs.shape)")
        return encode(inputs, countWeights: countWeights)
    }

    private func encode(_ inputs: Tensor, countWeights: Tensor?) -> Tensor {
        if let problem = validateInputData(inputs) { fatalError(problem.description) }
        var ids = inputs.dtype.isInteger ? inputs : inputs.cast(to: .int32)
        if ids.rank == 0 { ids = ids.reshaped(to: [1]) }
        if outputMode == .oneHot {
            if ids.rank > 1 && ids.shape[ids.rank - 1] == 1 { ids = ids.reshaped(to: Array(ids.shape.dropLast())) }
            return ids.oneHot(depth: numTokens, dtype: dtype)
        }
        require(ids.rank <= 2, "CategoryEncoding \"\(name)\": \(outputMode.rawValue) encoding takes inputs of rank 1 or 2, received shape \(ids.shape)")
        var encoded = ids.oneHot(depth: numTokens, dtype: dtype)
        let axis = ids.rank > 1 ? 1 : 0
        // Whether each token occurs: min(count, 1), which an empty axis leaves all zero.
        if outputMode == .multiHot { return encoded.sum(axes: [axis]).minimum(1) }
        if let countWeights { encoded = encoded * countWeights.cast(to: dtype).reshaped(to: ids.shape + [1]) }
        return encoded.sum(axes: [axis])
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] {
        if inputShape.isEmpty { return [numTokens] }
        if outputMode == .oneHot && (inputShape.count == 1 || inputShape.last! != 1) { return inputShape + [numTokens] }
        return Array(inputShape.dropLast()) + [numTokens]
    }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["num_tokens"] = .int(numTokens)
        config["output_mode"] = .string(outputMode.rawValue)
        return config
    }
}
