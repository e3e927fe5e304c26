/// Flattens every axis after the batch into one (`keras.layers.Flatten`).
///
/// ```swift
/// Flatten()(Tensor.ones([32, 28, 28])).shape   // [32, 784]
/// ```
public final class Flatten: Layer, @unchecked Sendable {
    public init(name: String? = nil, dtype: DType = .float32) { super.init(name: name, dtype: dtype) }

    public convenience init(config: Config) throws {
        self.init(name: config["name"]?.stringValue, dtype: try dtypeFromConfig(config["dtype"]))
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        x.reshaped(to: [x.rank == 0 ? 1 : x.shape[0], -1])
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] {
        let rest = inputShape.dropFirst()
        let size: Int? = rest.contains(where: { $0 == nil }) ? nil : rest.reduce(1) { $0 * $1! }
        return [inputShape.first ?? nil, size]
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
    public let targetShape: [Int]

    public init(_ targetShape: [Int], name: String? = nil, dtype: DType = .float32) {
        self.targetShape = targetShape
        super.init(name: name, dtype: dtype)
    }

    public convenience init(config: Config) throws {
        guard let shape = config["target_shape"]?.arrayValue?.compactMap(\.intValue) else {
            throw KerasError.invalidConfig("Reshape config needs \"target_shape\", received \(ConfigValue.object(config))")
        }
        self.init(shape, name: config["name"]?.stringValue, dtype: try dtypeFromConfig(config["dtype"]))
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        let sample = inputShapes[0].dropFirst()
        guard !sample.contains(where: { $0 == nil }) else { return nil }
        let count = sample.reduce(1) { $0 * $1! }
        let known = targetShape.filter { $0 != -1 }.reduce(1, *)
        let ok = targetShape.contains(-1) ? known > 0 && count % known == 0 : known == count
        return ok ? nil : .incompatibleInput(layer: name, message: "Layer \"\(name)\": the total size of the target shape \(formatShape(targetShape)) does not match the input shape \(formatShape(inputShapes[0])) (\(count) elements per sample)")
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor { x.reshaped(to: [x.shape[0]] + targetShape) }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] {
        let sample = inputShape.dropFirst()
        var out = targetShape.map { Optional($0) }
        if let i = targetShape.firstIndex(of: -1) {
            if sample.contains(where: { $0 == nil }) { out[i] = nil } else {
                let count = sample.reduce(1) { $0 * $1! }
                out[i] = count / Swift.max(1, targetShape.filter { $0 != -1 }.reduce(1, *))
            }
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
    public let dims: [Int]

    public init(_ dims: [Int], name: String? = nil, dtype: DType = .float32) {
        precondition(dims.sorted() == Array(1...dims.count),
                     "Permute: invalid permutation argument `dims`. `dims` should be a permutation of 1…\(dims.count). Received: dims=\(dims)")
        self.dims = dims
        super.init(name: name, dtype: dtype)
        inputSpec = [InputSpec(rank: dims.count + 1)]
    }

    public convenience init(config: Config) throws {
        guard let dims = config["dims"]?.arrayValue?.compactMap(\.intValue) else {
            throw KerasError.invalidConfig("Permute config needs \"dims\", received \(ConfigValue.object(config))")
        }
        self.init(dims, name: config["name"]?.stringValue, dtype: try dtypeFromConfig(config["dtype"]))
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
    public let n: Int

    public init(_ n: Int, name: String? = nil, dtype: DType = .float32) {
        self.n = n
        super.init(name: name, dtype: dtype)
        inputSpec = [InputSpec(rank: 2)]
    }

    public convenience init(config: Config) throws {
        self.init(try configInt(config, "n", layer: "RepeatVector"), name: config["name"]?.stringValue,
                  dtype: try dtypeFromConfig(config["dtype"]))
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
