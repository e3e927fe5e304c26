/// The shared base of ``SpatialDropout1D``, ``SpatialDropout2D`` and ``SpatialDropout3D``:
/// dropout that zeroes whole feature maps (every spatial position of a channel of a sample)
/// during training and scales the rest by `1 / (1 − rate)`; the identity otherwise.
///
/// ```swift
/// let drop: SpatialDropoutBase = SpatialDropout2D(0.3, seed: 7)
/// drop(features, training: true)   // whole (sample, channel) maps zeroed or scaled by 1/0.7
/// ```
public class SpatialDropoutBase: Layer, @unchecked Sendable {
    /// Its inference call writes no state, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// The `rate` this `SpatialDropoutBase` was created with.
    public let rate: Double
    /// The `seed` this `SpatialDropoutBase` was created with.
    public let seed: Int?
    let spatialRank: Int
    /// Its random stream (Keras's `seed_generator`), seeded with ``seed``.
    public let seedGenerator: SeedGenerator

    init(rate: Double, seed: Int?, spatialRank: Int, name: String?, dtype: DType) {
        requireValid { try validateRate(rate, layer: Self.className) }
        self.rate = rate
        self.seed = seed
        self.spatialRank = spatialRank
        self.seedGenerator = SeedGenerator(seed: seed)
        super.init(name: name, dtype: dtype)
        inputSpec = [InputSpec(rank: spatialRank + 2)]
    }

    /// Reads `rate`, `seed` and the base keys (and `data_format` for 2D and 3D).
    static func read(_ config: Config, spatialRank: Int) throws -> (rate: Double, seed: Int?, name: String?, dtype: DType) {
        var r = ObjectConfigReader(className: className, config: config)
        let base = try r.layerBase()
        let rate = try r.double("rate")
        try r.validated { try validateRate(rate, layer: className) }
        if spatialRank > 1 { try r.channelsLast() }
        return (rate, try r.seed(), base.name, base.dtype)
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        spatialRankError(self, shape: inputShapes[0], expected: spatialRank + 2)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        guard training else { return x }
        return dropout(x, rate: rate, noiseShape: [nil] + Array(repeating: 1, count: spatialRank) + [nil], seed: seedGenerator)
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }

    /// Keras's own short config: `rate`, `seed`, `name`, `dtype` as a plain name (no `trainable`).
    public override func getConfig() -> Config {
        var config: Config = ["rate": .double(rate), "seed": ConfigValue(seed), "name": .string(name),
                              "dtype": .string(dtype.rawValue)]
        if spatialRank > 1 { config["data_format"] = "channels_last" }
        return config
    }
}

/// Drops whole feature channels of `(batch, steps, channels)` sequences in training
/// (`keras.layers.SpatialDropout1D`).
///
/// ```swift
/// let drop = SpatialDropout1D(0.5, seed: 1)
/// drop(x, training: true)   // each (sample, channel) all zeros or all doubled
/// ```
public final class SpatialDropout1D: SpatialDropoutBase, @unchecked Sendable {
    /// Creates a `SpatialDropout1D` with Keras's arguments and defaults (the names in Swift case).
    public init(_ rate: Double, seed: Int? = nil, name: String? = nil, dtype: DType = .float32) {
        super.init(rate: rate, seed: seed, spatialRank: 1, name: name, dtype: dtype)
    }
    /// Recreates a layer from `getConfig()` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for a missing or out-of-range `rate`.
    public convenience init(config: Config) throws {
        let c = try Self.read(config, spatialRank: 1)
        self.init(c.rate, seed: c.seed, name: c.name, dtype: c.dtype)
    }
}

/// Drops whole feature maps of `(batch, rows, cols, channels)` images in training
/// (`keras.layers.SpatialDropout2D`).
///
/// ```swift
/// let drop = SpatialDropout2D(0.2, seed: 1)
/// drop(features, training: true)
/// ```
public final class SpatialDropout2D: SpatialDropoutBase, @unchecked Sendable {
    /// Creates a `SpatialDropout2D` with Keras's arguments and defaults (the names in Swift case).
    public init(_ rate: Double, seed: Int? = nil, name: String? = nil, dtype: DType = .float32) {
        super.init(rate: rate, seed: seed, spatialRank: 2, name: name, dtype: dtype)
    }
    /// Recreates a layer from `getConfig()` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for a missing or out-of-range `rate`.
    public convenience init(config: Config) throws {
        let c = try Self.read(config, spatialRank: 2)
        self.init(c.rate, seed: c.seed, name: c.name, dtype: c.dtype)
    }
}

/// Drops whole feature volumes of `(batch, d1, d2, d3, channels)` inputs in training
/// (`keras.layers.SpatialDropout3D`).
///
/// ```swift
/// let drop = SpatialDropout3D(0.2, seed: 1)
/// drop(volumes, training: true)
/// ```
public final class SpatialDropout3D: SpatialDropoutBase, @unchecked Sendable {
    /// Creates a `SpatialDropout3D` with Keras's arguments and defaults (the names in Swift case).
    public init(_ rate: Double, seed: Int? = nil, name: String? = nil, dtype: DType = .float32) {
        super.init(rate: rate, seed: seed, spatialRank: 3, name: name, dtype: dtype)
    }
    /// Recreates a layer from `getConfig()` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for a missing or out-of-range `rate`.
    public convenience init(config: Config) throws {
        let c = try Self.read(config, spatialRank: 3)
        self.init(c.rate, seed: c.seed, name: c.name, dtype: c.dtype)
    }
}
