/// The shared base of ``UpSampling1D``, ``UpSampling2D`` and ``UpSampling3D``: repeats each entry
/// of the spatial axes of channels-last inputs `size[i]` times.
///
/// ```swift
/// let up: UpSamplingBase = UpSampling3D(size: (2, 2, 1))
/// up.size   // [2, 2, 1]
/// ```
public class UpSamplingBase: Layer, @unchecked Sendable {
    /// Its call writes no state, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// The repeat factor per spatial axis.
    public let size: [Int]

    init(size: [Int], name: String?, dtype: DType) {
        requireValid { try Self.validate(size: size) }
        self.size = size
        super.init(name: name, dtype: dtype)
        inputSpec = [InputSpec(rank: size.count + 2)]
    }

    static func validate(size: [Int]) throws {
        try ensure(size.allSatisfy { $0 > 0 }, "\(className): `size` must be positive integers. Received: size=\(size)")
        try ensureBoundedSizes(size, layer: className, argument: "size")
    }

    /// Reads `size` (an int or one int per axis; default 2) and the base keys.
    static func read(_ r: inout ObjectConfigReader, rank: Int) throws -> [Int] {
        guard let value = r.present("size") else { return Array(repeating: 2, count: rank) }
        if let k = value.intValue { return Array(repeating: k, count: rank) }
        guard let list = value.arrayValue, list.count == rank, list.allSatisfy({ $0.intValue != nil }) else {
            throw r.mismatch("size", rank == 1 ? "an integer" : "an integer or a list of \(rank) integers", value)
        }
        return list.map { $0.intValue! }
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        let shape = inputShapes[0]
        if let error = spatialRankError(self, shape: shape, expected: size.count + 2) { return error }
        var output: [Int?]? = shape
        for (i, k) in size.enumerated() {
            guard let n = shape[i + 1] else { continue }
            let (product, overflow) = n.multipliedReportingOverflow(by: k)
            if overflow { output = nil; break }
            output?[i + 1] = product
        }
        return outputSizeError(self, input: shape, output: output)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        var y = x
        for (i, k) in size.enumerated() where k > 1 { y = repeated(y, axis: i + 1, times: k) }
        return y
    }

    /// Each entry along `axis` repeated `times` times in place (`ops.repeat`).
    func repeated(_ x: Tensor, axis: Int, times: Int) -> Tensor {
        let n = x.shape[axis]
        let indices = Tensor(shape: [n * times], doubles: (0..<(n * times)).map { Double($0 / times) }, dtype: .int32)
        return x.take(indices, axis: axis)
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] {
        var out = inputShape
        for (i, k) in size.enumerated() { out[i + 1] = inputShape[i + 1].map { $0 * k } }
        return out
    }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["size"] = size.count == 1 ? .int(size[0]) : .array(size.map(ConfigValue.int))
        if size.count > 1 { config["data_format"] = "channels_last" }
        return config
    }
}

/// Repeats each step of `(batch, steps, features)` `size` times (`keras.layers.UpSampling1D`).
///
/// ```swift
/// UpSampling1D(size: 3)(Tensor.ones([2, 4, 5])).shape   // [2, 12, 5]
/// ```
public final class UpSampling1D: UpSamplingBase, @unchecked Sendable {
    /// Creates an `UpSampling1D` with Keras's arguments and defaults (the names in Swift case).
    public init(size: Int = 2, name: String? = nil, dtype: DType = .float32) {
        super.init(size: [size], name: name, dtype: dtype)
    }
    /// Recreates a layer from `getConfig()` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for a malformed or non-positive `size`.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: UpSampling1D.self, config: config)
        let base = try r.layerBase()
        let size = try Self.read(&r, rank: 1)
        try r.validated { try UpSampling1D.validate(size: size) }
        self.init(size: size[0], name: base.name, dtype: base.dtype)
    }
}

/// Upsamples the rows and columns of `(batch, rows, cols, channels)` images by `size`
/// (`keras.layers.UpSampling2D`): `.nearest` repeats pixels, the other methods interpolate
/// (`Tensor/resizeImages(height:width:interpolation:antialias:cropToAspectRatio:padToAspectRatio:fillValue:)`).
///
/// ```swift
/// UpSampling2D(size: (2, 3))(Tensor.ones([1, 4, 4, 8])).shape   // [1, 8, 12, 8]
/// UpSampling2D(interpolation: .bilinear)(features)               // smooth 2× upsampling
/// ```
public final class UpSampling2D: UpSamplingBase, @unchecked Sendable {
    /// The `interpolation` this `UpSampling2D` was created with.
    public let interpolation: ImageInterpolation

    /// Creates an `UpSampling2D` with Keras's arguments and defaults (the names in Swift case).
    public init(size: (Int, Int) = (2, 2), interpolation: ImageInterpolation = .nearest, name: String? = nil,
                dtype: DType = .float32) {
        self.interpolation = interpolation
        super.init(size: [size.0, size.1], name: name, dtype: dtype)
    }
    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for a malformed or non-positive `size`, or an
    ///   unknown interpolation.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: UpSampling2D.self, config: config)
        let base = try r.layerBase()
        let size = try Self.read(&r, rank: 2)
        try r.validated { try UpSampling2D.validate(size: size) }
        try r.channelsLast()
        self.init(size: (size[0], size[1]), interpolation: try r.choice("interpolation", default: .nearest, allowed: ImageInterpolation.allCases),
                  name: base.name, dtype: base.dtype)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        // Nearest neighbours repeat each pixel; so does any interpolation of an empty image.
        guard interpolation != .nearest && x.scalarCount > 0 else { return super.call(x, training: training) }
        return x.resizeImages(height: x.shape[1] * size[0], width: x.shape[2] * size[1], interpolation: interpolation)
    }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["interpolation"] = .string(interpolation.rawValue)
        return config
    }
}

/// Repeats the entries of the three spatial axes of `(batch, d1, d2, d3, channels)` volumes
/// (`keras.layers.UpSampling3D`).
///
/// ```swift
/// UpSampling3D(size: (2, 1, 2))(Tensor.ones([1, 2, 2, 2, 1])).shape   // [1, 4, 2, 4, 1]
/// ```
public final class UpSampling3D: UpSamplingBase, @unchecked Sendable {
    /// Creates an `UpSampling3D` with Keras's arguments and defaults (the names in Swift case).
    public init(size: (Int, Int, Int) = (2, 2, 2), name: String? = nil, dtype: DType = .float32) {
        super.init(size: [size.0, size.1, size.2], name: name, dtype: dtype)
    }
    /// Recreates a layer from `getConfig()` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for a malformed or non-positive `size`.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: UpSampling3D.self, config: config)
        let base = try r.layerBase()
        let size = try Self.read(&r, rank: 3)
        try r.validated { try UpSampling3D.validate(size: size) }
        try r.channelsLast()
        self.init(size: (size[0], size[1], size[2]), name: base.name, dtype: base.dtype)
    }
}
