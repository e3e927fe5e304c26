/// The shared base of ``ZeroPadding1D``, ``ZeroPadding2D`` and ``ZeroPadding3D``: adds rows of
/// zeros before and after each spatial axis of channels-last inputs
/// `(batch, spatial…, channels)`.
///
/// ```swift
/// let pads: [ZeroPaddingBase] = [ZeroPadding1D(2), ZeroPadding2D(1)]
/// pads[1].padding.map { [$0.0, $0.1] }   // [[1, 1], [1, 1]]
/// ```
public class ZeroPaddingBase: Layer, @unchecked Sendable {
    /// Its call writes no state, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// `(before, after)` per spatial axis.
    public let padding: [(Int, Int)]

    init(padding: [(Int, Int)], name: String?, dtype: DType) {
        requireValid { try Self.validate(padding: padding) }
        self.padding = padding
        super.init(name: name, dtype: dtype)
        inputSpec = [InputSpec(rank: padding.count + 2)]
    }

    static func validate(padding: [(Int, Int)]) throws {
        try ensure(padding.allSatisfy { $0.0 >= 0 && $0.1 >= 0 }, "\(className): `padding` must be non-negative. Received: padding=\(padding.map { [$0.0, $0.1] })")
        try ensureBoundedSizes(padding.flatMap { [$0.0, $0.1] }, layer: className, argument: "padding")
    }

    /// Reads `padding` (default 1 on every side) and the base keys.
    static func read(_ config: Config, rank: Int) throws -> (padding: [(Int, Int)], name: String?, dtype: DType) {
        var r = ObjectConfigReader(className: className, config: config)
        let base = try r.layerBase()
        let padding = try spatialPairs(&r, "padding", rank: rank) ?? Array(repeating: (1, 1), count: rank)
        try r.validated { try validate(padding: padding) }
        try r.channelsLast()
        return (padding, base.name, base.dtype)
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        let shape = inputShapes[0]
        if let error = spatialRankError(self, shape: shape, expected: padding.count + 2) { return error }
        var output: [Int?]? = shape
        for (i, (before, after)) in padding.enumerated() {
            guard let n = shape[i + 1] else { continue }
            let (partial, o1) = n.addingReportingOverflow(before), (total, o2) = partial.addingReportingOverflow(after)
            if o1 || o2 { output = nil; break }
            output?[i + 1] = total
        }
        return outputSizeError(self, input: shape, output: output)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        x.pad([(0, 0)] + padding + [(0, 0)])
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] {
        var out = inputShape
        for (i, (before, after)) in padding.enumerated() { out[i + 1] = inputShape[i + 1].map { $0 + before + after } }
        return out
    }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["padding"] = spatialPairsConfig(padding)
        config["data_format"] = "channels_last"
        return config
    }
}

/// Pads the steps axis of `(batch, steps, features)` with zeros (`keras.layers.ZeroPadding1D`).
///
/// ```swift
/// ZeroPadding1D(padding: (1, 2))(Tensor.ones([2, 3, 4])).shape   // [2, 6, 4]
/// ```
public final class ZeroPadding1D: ZeroPaddingBase, @unchecked Sendable {
    /// `padding` zeros on both sides.
    public convenience init(_ padding: Int = 1, name: String? = nil, dtype: DType = .float32) {
        self.init(padding: (padding, padding), name: name, dtype: dtype)
    }
    /// `padding.0` zeros before and `padding.1` after.
    public init(padding: (Int, Int), name: String? = nil, dtype: DType = .float32) {
        super.init(padding: [padding], name: name, dtype: dtype)
    }
    /// Recreates a layer from `getConfig()` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for a malformed or negative `padding`.
    public convenience init(config: Config) throws {
        let c = try Self.read(config, rank: 1)
        self.init(padding: c.padding[0], name: c.name, dtype: c.dtype)
    }
}

/// Pads the rows and columns of `(batch, rows, cols, channels)` images with zeros
/// (`keras.layers.ZeroPadding2D`).
///
/// ```swift
/// ZeroPadding2D(padding: ((1, 0), (2, 1)))(Tensor.ones([1, 2, 3, 1])).shape   // [1, 3, 6, 1]
/// ```
public final class ZeroPadding2D: ZeroPaddingBase, @unchecked Sendable {
    /// `padding` zeros on every side.
    public convenience init(_ padding: Int = 1, name: String? = nil, dtype: DType = .float32) {
        self.init(padding: ((padding, padding), (padding, padding)), name: name, dtype: dtype)
    }
    /// `((top, bottom), (left, right))`.
    public init(padding: ((Int, Int), (Int, Int)), name: String? = nil, dtype: DType = .float32) {
        super.init(padding: [padding.0, padding.1], name: name, dtype: dtype)
    }
    /// Recreates a layer from `getConfig()` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for a malformed or negative `padding`.
    public convenience init(config: Config) throws {
        let c = try Self.read(config, rank: 2)
        self.init(padding: (c.padding[0], c.padding[1]), name: c.name, dtype: c.dtype)
    }
}

/// Pads the three spatial axes of `(batch, d1, d2, d3, channels)` volumes with zeros
/// (`keras.layers.ZeroPadding3D`).
///
/// ```swift
/// ZeroPadding3D(1)(Tensor.ones([1, 2, 2, 2, 1])).shape   // [1, 4, 4, 4, 1]
/// ```
public final class ZeroPadding3D: ZeroPaddingBase, @unchecked Sendable {
    /// `padding` zeros on every side.
    public convenience init(_ padding: Int = 1, name: String? = nil, dtype: DType = .float32) {
        self.init(padding: ((padding, padding), (padding, padding), (padding, padding)), name: name, dtype: dtype)
    }
    /// `(before, after)` for each of the three spatial axes.
    public init(padding: ((Int, Int), (Int, Int), (Int, Int)), name: String? = nil, dtype: DType = .float32) {
        super.init(padding: [padding.0, padding.1, padding.2], name: name, dtype: dtype)
    }
    /// Recreates a layer from `getConfig()` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for a malformed or negative `padding`.
    public convenience init(config: Config) throws {
        let c = try Self.read(config, rank: 3)
        self.init(padding: (c.padding[0], c.padding[1], c.padding[2]), name: c.name, dtype: c.dtype)
    }
}
