import KerasCore

/// The window of a pooling layer: `pool_size`, `strides` (defaulting to `pool_size`) and
/// `padding`.
struct PoolWindow: Sendable {
    var poolSize: [Int]
    var strides: [Int]
    var padding: PaddingMode

    /// A window of `rank` axes; one-element lists expanded as Keras expands an integer.
    init(rank: Int, poolSize: [Int], strides: [Int]?, padding: PaddingMode) {
        func expand(_ values: [Int]) -> [Int] { values.count == 1 ? [Int](repeating: values[0], count: rank) : values }
        self.poolSize = expand(poolSize)
        self.strides = expand(strides ?? poolSize)
        self.padding = padding
    }

    /// Keras's argument checks: `rank` positive pool sizes and strides, valid/same padding.
    func validate(layer: String, rank: Int) throws {
        for (key, values) in [("pool_size", poolSize), ("strides", strides)] {
            try ensure(values.count == rank && values.allSatisfy { $0 > 0 },
                       "\(layer): The `\(key)` argument must be a tuple of \(rank) positive integers. Received \(key)=\(formatShape(values))")
            try ensureBoundedSizes(values, layer: layer, argument: key)
        }
        try ensure(padding != .causal, "\(layer): The `padding` argument must be one of \"valid\", \"same\". Received: padding=causal")
    }
}

/// The shared base of the pooling layers (Keras's `BasePooling`): the maximum or mean of each
/// window of `poolSize` moved by `strides` over `(batch, spatial…, channels)`. With `.same`
/// padding the output has `⌈n/stride⌉` positions and average pooling ignores the padding.
/// Use ``MaxPooling1D``/``MaxPooling2D``/``MaxPooling3D`` or
/// ``AveragePooling1D``/``AveragePooling2D``/``AveragePooling3D``.
///
/// ```swift
/// let y = MaxPooling2D()(Tensor.ones([1, 28, 28, 8]))   // shape (1, 14, 14, 8)
/// ```
public class BasePooling: Layer, @unchecked Sendable {
    /// Its call writes no state in inference, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// The number of spatial axes of the concrete class.
    class var spatialRank: Int { fatalError("\(self) must override spatialRank") }
    /// `true` for max pooling, `false` for average pooling.
    class var takesMaximum: Bool { fatalError("\(self) must override takesMaximum") }
    /// The pool size Keras uses when the config has none (`nil`: required).
    class var defaultPoolSize: Int? { nil }

    /// The `poolSize` this `BasePooling` was created with.
    public let poolSize: [Int]
    /// The `strides` this `BasePooling` was created with.
    public let strides: [Int]
    /// The `padding` this `BasePooling` was created with.
    public let padding: PaddingMode
    var rank: Int { poolSize.count }

    required init(window: PoolWindow, name: String?, trainable: Bool, dtype: DType) {
        requireValid { try window.validate(layer: Self.className, rank: Self.spatialRank) }
        poolSize = window.poolSize
        strides = window.strides
        padding = window.padding
        super.init(name: name, trainable: trainable, dtype: dtype)
        inputSpec = [InputSpec(rank: Self.spatialRank + 2)]
    }

    /// One-element lists are expanded as Keras expands an integer (`poolSize: [2]` is 2 on every
    /// spatial axis); the concrete class (`…1D`, `…2D`, `…3D`) sets the number of axes.
    public convenience init(poolSize: [Int] = [2], strides: [Int]? = nil, padding: PaddingMode = .valid,
                            name: String? = nil, trainable: Bool = true, dtype: DType = .float32) {
        self.init(window: PoolWindow(rank: Self.spatialRank, poolSize: poolSize, strides: strides, padding: padding),
                  name: name, trainable: trainable, dtype: dtype)
    }


    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let pool = try MaxPooling2D(config: ["pool_size": [2, 2], "padding": "same"])
    /// ```
    ///
    /// - Throws: `KerasError.invalidConfig` naming the key for a missing, mistyped or out-of-range
    ///   value, `KerasError.unsupported` for `data_format: "channels_first"`.
    public convenience init(config: Config) throws {
        let rank = Self.spatialRank
        var r = ObjectConfigReader(className: Self.className, config: config)
        let base = try r.layerBase()
        let poolSize: [Int]
        if let fallback = Self.defaultPoolSize, r.present("pool_size") == nil {
            poolSize = [Int](repeating: fallback, count: rank)
        } else {
            poolSize = try r.tuple("pool_size", rank: rank)
        }
        let strides = try r.optionalTuple("strides", rank: rank)
        let padding = try r.choice("padding", default: PaddingMode.valid, allowed: [.valid, .same])
        try r.channelsLast()
        let window = PoolWindow(rank: rank, poolSize: poolSize, strides: strides, padding: padding)
        try r.validated { try window.validate(layer: Self.className, rank: rank) }
        self.init(window: window, name: base.name, trainable: base.trainable, dtype: base.dtype)
    }

    private func outputLength(_ n: Int, axis: Int) -> Int {
        let pads = padding.pads(inputSize: n, kernelSize: poolSize[axis], stride: strides[axis])
        return convOutputLength(inputSize: n, kernelSize: poolSize[axis], stride: strides[axis], pads: pads)
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        let shape = inputShapes[0]
        guard shape.count == rank + 2 else {
            return .incompatibleInput(layer: name, message: "Input 0 of layer \"\(name)\" (\(className)) is incompatible with the layer: expected ndim=\(rank + 2) (batch, \(rank) spatial axes, channels), found ndim=\(shape.count). Full shape received: \(formatShape(shape))")
        }
        for axis in 0..<rank {
            guard let n = shape[axis + 1] else { continue }
            if outputLength(n, axis: axis) <= 0 {
                return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (\(className)): the pool size \(formatShape(poolSize)) is larger than the input with padding \"\(padding.rawValue)\"; the computed output size would be zero or negative. Received input shape \(formatShape(shape))")
            }
        }
        return nil
    }

    public override func call(_ inputs: Tensor, training: Bool) -> Tensor {
        Self.takesMaximum ? inputs.maxPool(poolSize: poolSize, strides: strides, padding: padding)
                          : inputs.averagePool(poolSize: poolSize, strides: strides, padding: padding)
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] {
        guard inputShape.count == rank + 2 else { return inputShape }
        let spatial = (0..<rank).map { axis in inputShape[axis + 1].map { outputLength($0, axis: axis) } }
        return [inputShape[0]] + spatial + [inputShape[rank + 1]]
    }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["pool_size"] = .array(poolSize.map { .int($0) })
        config["padding"] = .string(padding.rawValue)
        config["strides"] = .array(strides.map { .int($0) })
        config["data_format"] = "channels_last"
        return config
    }
}
