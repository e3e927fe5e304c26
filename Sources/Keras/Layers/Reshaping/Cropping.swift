/// The shared base of ``Cropping1D``, ``Cropping2D`` and ``Cropping3D``: removes entries from the
/// start and end of each spatial axis of channels-last inputs `(batch, spatial…, channels)`.
///
/// ```swift
/// let crop: CroppingBase = Cropping2D(cropping: ((1, 1), (2, 0)))
/// crop.computeOutputShape([nil, 8, 8, 3])   // [nil, 6, 6, 3]
/// ```
public class CroppingBase: Layer, @unchecked Sendable {
    /// Its call writes no state, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// `(start, end)` entries removed per spatial axis.
    public let cropping: [(Int, Int)]

    init(cropping: [(Int, Int)], name: String?, dtype: DType) {
        requireValid { try Self.validate(cropping: cropping) }
        self.cropping = cropping
        super.init(name: name, dtype: dtype)
        inputSpec = [InputSpec(rank: cropping.count + 2)]
    }

    static func validate(cropping: [(Int, Int)]) throws {
        try ensure(cropping.allSatisfy { $0.0 >= 0 && $0.1 >= 0 }, "\(className): `cropping` cannot be negative. Received: cropping=\(cropping.map { [$0.0, $0.1] })")
        try ensureBoundedSizes(cropping.flatMap { [$0.0, $0.1] }, layer: className, argument: "cropping")
    }

    /// Reads `cropping` (default `defaultWidth` on every side) and the base keys.
    static func read(_ config: Config, rank: Int, defaultWidth: Int) throws -> (cropping: [(Int, Int)], name: String?, dtype: DType) {
        var r = ObjectConfigReader(className: className, config: config)
        let base = try r.layerBase()
        let cropping = try spatialPairs(&r, "cropping", rank: rank) ?? Array(repeating: (defaultWidth, defaultWidth), count: rank)
        try r.validated { try validate(cropping: cropping) }
        if rank > 1 { try r.channelsLast() }
        return (cropping, base.name, base.dtype)
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        let shape = inputShapes[0]
        if let error = spatialRankError(self, shape: shape, expected: cropping.count + 2) { return error }
        for (i, (start, end)) in cropping.enumerated() {
            if let n = shape[i + 1], start + end >= n {
                return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (\(className)): Values in `cropping` argument should be smaller than the corresponding spatial dimension of the input. Received: input_shape=\(formatShape(shape)), cropping=\(cropping.map { [$0.0, $0.1] })")
            }
        }
        return nil
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        var y = x
        for (i, (start, end)) in cropping.enumerated() where start > 0 || end > 0 {
            let n = x.shape[i + 1]
            require(start + end < n, "Layer \"\(name)\" (\(className)): Values in `cropping` argument should be smaller than the corresponding spatial dimension of the input. Received: inputs.shape=\(x.shape), cropping=\(cropping.map { [$0.0, $0.1] })")
            y = y.slice(axis: i + 1, start: start, end: n - end)
        }
        return y
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] {
        var out = inputShape
        for (i, (start, end)) in cropping.enumerated() { out[i + 1] = inputShape[i + 1].map { $0 - start - end } }
        return out
    }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["cropping"] = spatialPairsConfig(cropping)
        if cropping.count > 1 { config["data_format"] = "channels_last" }
        return config
    }
}

/// Crops the steps axis of `(batch, steps, features)` (`keras.layers.Cropping1D`).
///
/// ```swift
/// Cropping1D(cropping: (1, 2))(Tensor.ones([2, 5, 3])).shape   // [2, 2, 3]
/// ```
public final class Cropping1D: CroppingBase, @unchecked Sendable {
    /// `cropping` steps removed at both ends.
    public convenience init(_ cropping: Int = 1, name: String? = nil, dtype: DType = .float32) {
        self.init(cropping: (cropping, cropping), name: name, dtype: dtype)
    }
    /// `cropping.0` steps removed at the start and `cropping.1` at the end.
    public init(cropping: (Int, Int), name: String? = nil, dtype: DType = .float32) {
        super.init(cropping: [cropping], name: name, dtype: dtype)
    }
    /// Recreates a layer from `getConfig()` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for a malformed or negative `cropping`.
    public convenience init(config: Config) throws {
        let c = try Self.read(config, rank: 1, defaultWidth: 1)
        self.init(cropping: c.cropping[0], name: c.name, dtype: c.dtype)
    }
}

/// Crops the rows and columns of `(batch, rows, cols, channels)` images
/// (`keras.layers.Cropping2D`).
///
/// ```swift
/// Cropping2D(cropping: ((1, 0), (0, 2)))(Tensor.ones([1, 3, 4, 2])).shape   // [1, 2, 2, 2]
/// ```
public final class Cropping2D: CroppingBase, @unchecked Sendable {
    /// `cropping` removed on every side.
    public convenience init(_ cropping: Int = 0, name: String? = nil, dtype: DType = .float32) {
        self.init(cropping: ((cropping, cropping), (cropping, cropping)), name: name, dtype: dtype)
    }
    /// `((top, bottom), (left, right))`.
    public init(cropping: ((Int, Int), (Int, Int)), name: String? = nil, dtype: DType = .float32) {
        super.init(cropping: [cropping.0, cropping.1], name: name, dtype: dtype)
    }
    /// Recreates a layer from `getConfig()` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for a malformed or negative `cropping`.
    public convenience init(config: Config) throws {
        let c = try Self.read(config, rank: 2, defaultWidth: 0)
        self.init(cropping: (c.cropping[0], c.cropping[1]), name: c.name, dtype: c.dtype)
    }
}

/// Crops the three spatial axes of `(batch, d1, d2, d3, channels)` volumes
/// (`keras.layers.Cropping3D`).
///
/// ```swift
/// Cropping3D(1)(Tensor.ones([1, 4, 4, 4, 1])).shape   // [1, 2, 2, 2, 1]
/// ```
public final class Cropping3D: CroppingBase, @unchecked Sendable {
    /// `cropping` removed on every side.
    public convenience init(_ cropping: Int = 1, name: String? = nil, dtype: DType = .float32) {
        self.init(cropping: ((cropping, cropping), (cropping, cropping), (cropping, cropping)), name: name, dtype: dtype)
    }
    /// `(start, end)` for each of the three spatial axes.
    public init(cropping: ((Int, Int), (Int, Int), (Int, Int)), name: String? = nil, dtype: DType = .float32) {
        super.init(cropping: [cropping.0, cropping.1, cropping.2], name: name, dtype: dtype)
    }
    /// Recreates a layer from `getConfig()` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for a malformed or negative `cropping`.
    public convenience init(config: Config) throws {
        let c = try Self.read(config, rank: 3, defaultWidth: 1)
        self.init(cropping: (c.cropping[0], c.cropping[1], c.cropping[2]), name: c.name, dtype: c.dtype)
    }
}
