/// Flattens every axis after the batch into one (`keras.layers.Flatten`).
///
/// ```swift
/// Flatten()(Tensor.ones([32, 28, 28])).shape   // [32, 784]
/// ```
public final class Flatten: Layer, @unchecked Sendable {
    /// Its call writes no state in inference, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// Creates a `Flatten` with Keras's arguments and defaults (the names in Swift case).
    public init(name: String? = nil, dtype: DType = .float32) { super.init(name: name, dtype: dtype) }

    /// Recreates a layer from ``getConfig()`` (`name`, `dtype`).
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: Flatten.self, config: config)
        let base = try r.layerBase()
        self.init(name: base.name, dtype: base.dtype)
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        let rest = inputShapes[0].dropFirst()
        guard !rest.contains(where: { $0 == nil }), knownProduct(rest) == nil else { return nil }
        return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (Flatten): the sample size of input shape \(formatShape(inputShapes[0])) overflows an Int")
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        // The sample size spelled out: `-1` cannot be resolved for an empty batch.
        x.rank == 0 ? x.reshaped(to: [1, 1]) : x.reshaped(to: [x.shape[0], x.shape.dropFirst().reduce(1, *)])
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] {
        [inputShape.first ?? nil, knownProduct(inputShape.dropFirst())]
    }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["data_format"] = "channels_last"
        return config
    }
}

/// Reshapes each sample to `targetShape` (batch excluded; one entry may be -1)
/// (`keras.layers.Reshape`).
public final class Reshape: Layer, @unchecked Sendable {
    /// Its call writes no state in inference, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// The `targetShape` this `Reshape` was created with.
    public let targetShape: [Int]

    /// Creates a `Reshape` with Keras's arguments and defaults (the names in Swift case).
    public init(_ targetShape: [Int], name: String? = nil, dtype: DType = .float32) {
        requireValid { try Self.validate(targetShape: targetShape) }
        self.targetShape = targetShape
        super.init(name: name, dtype: dtype)
    }

    /// Sizes are positive, except at most one `-1` (inferred from the input).
    static func validate(targetShape: [Int]) throws {
        let valid = targetShape.filter { $0 == -1 }.count <= 1 && targetShape.allSatisfy { $0 > 0 || $0 == -1 }
            && knownProduct(targetShape.filter { $0 != -1 }) != nil
        try ensure(valid, "Reshape: Invalid `target_shape`: expected positive sizes with at most one -1 (an unknown size). Received: target_shape=\(formatShape(targetShape))")
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let reshape = try Reshape(config: ["target_shape": [4, -1]])
    /// ```
    ///
    /// - Throws: `KerasError.invalidConfig` for a missing or invalid `target_shape`.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: Reshape.self, config: config)
        let base = try r.layerBase()
        let shape = try r.intList("target_shape")
        try r.validated { try Reshape.validate(targetShape: shape) }
        self.init(shape, name: base.name, dtype: base.dtype)
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        let sample = inputShapes[0].dropFirst()
        guard !sample.contains(where: { $0 == nil }) else { return nil }
        let known = knownProduct(targetShape.filter { $0 != -1 }) ?? 0
        let ok: Bool
        if let count = knownProduct(sample) {
            ok = targetShape.contains(-1) ? count % known == 0 : known == count
        } else {
            ok = false
        }
        return ok ? nil : .incompatibleInput(layer: name, message: "Layer \"\(name)\": the total size of the target shape \(formatShape(targetShape)) does not match the input shape \(formatShape(inputShapes[0]))")
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor { x.reshaped(to: [x.shape[0]] + targetShape) }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] {
        let sample = inputShape.dropFirst()
        var out = targetShape.map { Optional($0) }
        if let i = targetShape.firstIndex(of: -1) {
            out[i] = knownProduct(sample).map { $0 / Swift.max(1, knownProduct(targetShape.filter { $0 != -1 }) ?? 1) }
        }
        return [inputShape.first ?? nil] + out
    }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["target_shape"] = .array(targetShape.map(ConfigValue.int))
        return config
    }
}

/// Permutes the non-batch axes (`keras.layers.Permute`); `dims` are 1-based, e.g. `[2, 1]`
/// swaps the two axes of each sample.
public final class Permute: Layer, @unchecked Sendable {
    /// Its call writes no state in inference, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// The `dims` this `Permute` was created with.
    public let dims: [Int]

    /// Creates a `Permute` with Keras's arguments and defaults (the names in Swift case).
    public init(_ dims: [Int], name: String? = nil, dtype: DType = .float32) {
        requireValid { try Self.validate(dims: dims) }
        self.dims = dims
        super.init(name: name, dtype: dtype)
        inputSpec = [InputSpec(rank: dims.count + 1)]
    }

    /// `dims` is a permutation of `1…dims.count`.
    static func validate(dims: [Int]) throws {
        try ensure(dims.sorted() == Array(1..<(dims.count + 1)), "Permute: Invalid permutation argument `dims` for Permute Layer. The set of indices in `dims` must be consecutive and start from 1. Received: dims=\(dims)")
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let permute = try Permute(config: ["dims": [2, 1]])
    /// ```
    ///
    /// - Throws: `KerasError.invalidConfig` for missing `dims` or dims that are not a permutation.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: Permute.self, config: config)
        let base = try r.layerBase()
        let dims = try r.intList("dims")
        try r.validated { try Permute.validate(dims: dims) }
        self.init(dims, name: base.name, dtype: base.dtype)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor { x.transposed([0] + dims) }
    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { ([0] + dims).map { inputShape[$0] } }
    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["dims"] = .array(dims.map(ConfigValue.int))
        return config
    }
}

/// Repeats each sample vector `n` times: `(batch, features)` → `(batch, n, features)`
/// (`keras.layers.RepeatVector`).
public final class RepeatVector: Layer, @unchecked Sendable {
    /// Its call writes no state in inference, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// The `n` this `RepeatVector` was created with.
    public let n: Int

    /// Creates a `RepeatVector` with Keras's arguments and defaults (the names in Swift case).
    public init(_ n: Int, name: String? = nil, dtype: DType = .float32) {
        requireValid { try Self.validate(n: n) }
        self.n = n
        super.init(name: name, dtype: dtype)
        inputSpec = [InputSpec(rank: 2)]
    }

    /// `n` is a non-negative repeat count.
    static func validate(n: Int) throws {
        try ensure(n >= 0, "RepeatVector: Expected `n` to be a non-negative integer. Received: n=\(n)")
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let repeat = try RepeatVector(config: ["n": 3])
    /// ```
    ///
    /// - Throws: `KerasError.invalidConfig` for a missing or negative `n`.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: RepeatVector.self, config: config)
        let base = try r.layerBase()
        let n = try r.int("n")
        try r.validated { try RepeatVector.validate(n: n) }
        self.init(n, name: base.name, dtype: base.dtype)
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        guard let features = inputShapes[0].last ?? nil, boundedElementCount([n, features]) == nil else { return nil }
        return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (RepeatVector): \(n) repeats of \(features) features would hold more than \(maxWeightElements) elements per sample")
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        x.expandingDims(at: 1).broadcast(to: [x.shape[0], n, x.shape[1]])
    }
    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { [inputShape[0], n, inputShape[1]] }
    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["n"] = .int(n)
        return config
    }
}
