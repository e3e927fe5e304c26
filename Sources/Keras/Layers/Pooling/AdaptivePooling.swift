import KerasCore

/// The shared base of the adaptive pooling layers (Keras's `BaseAdaptivePooling`): the maximum
/// or mean of each of `outputSize` windows per spatial axis, whatever the input size. Along an
/// axis of `n` inputs and `m` outputs, window `i` covers positions `⌊i·n/m⌋ ..< ⌈(i+1)·n/m⌉`
/// (`adaptivePoolingBins(inputSize:outputSize:)`), as in Keras and PyTorch.
/// Use ``AdaptiveAveragePooling1D``/``AdaptiveAveragePooling2D``/``AdaptiveAveragePooling3D`` or
/// ``AdaptiveMaxPooling1D``/``AdaptiveMaxPooling2D``/``AdaptiveMaxPooling3D``.
///
/// ```swift
/// let y = AdaptiveAveragePooling2D(outputSize: [7])(Tensor.ones([1, 30, 25, 8]))   // shape (1, 7, 7, 8)
/// ```
public class BaseAdaptivePooling: Layer, @unchecked Sendable {
    /// Where the channels axis is (Keras's `data_format`).
    public enum DataFormat: String, Sendable, CaseIterable {
        /// `(batch, spatial…, channels)`, Keras's default.
        case channelsLast = "channels_last"
        /// `(batch, channels, spatial…)`.
        case channelsFirst = "channels_first"
    }

    /// Its call writes no state in inference, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// The number of spatial axes of the concrete class.
    class var spatialRank: Int { fatalError("\(self) must override spatialRank") }
    /// `true` for max pooling, `false` for average pooling.
    class var takesMaximum: Bool { fatalError("\(self) must override takesMaximum") }

    /// The output size of each spatial axis (Keras's `output_size`).
    public let outputSize: [Int]
    /// The layout of the inputs and outputs.
    public let dataFormat: DataFormat
    var rank: Int { outputSize.count }

    required init(pooling outputSize: [Int], dataFormat: DataFormat, name: String?, trainable: Bool, dtype: DType) {
        let expanded = outputSize.count == 1 ? [Int](repeating: outputSize[0], count: Self.spatialRank) : outputSize
        requireValid { try Self.validate(outputSize: expanded) }
        self.outputSize = expanded
        self.dataFormat = dataFormat
        super.init(name: name, trainable: trainable, dtype: dtype)
        inputSpec = [InputSpec(rank: Self.spatialRank + 2)]
    }

    /// Creates an adaptive pooling layer. A one-element `outputSize` is used on every spatial
    /// axis, as Keras expands an integer; the concrete class (`…1D`, `…2D`, `…3D`) sets the
    /// number of axes.
    ///
    /// - Precondition: `outputSize` holds one or `spatialRank` positive sizes (the program stops
    ///   with the message otherwise; ``init(config:)`` throws instead).
    public convenience init(outputSize: [Int], dataFormat: DataFormat = .channelsLast,
                            name: String? = nil, trainable: Bool = true, dtype: DType = .float32) {
        self.init(pooling: outputSize, dataFormat: dataFormat, name: name, trainable: trainable, dtype: dtype)
    }

    /// Keras's checks, plus a bound on the sizes: `spatialRank` positive sizes, each at most
    /// the largest weight a config may create, and their product too.
    static func validate(outputSize: [Int]) throws {
        let layer = className, rank = spatialRank
        try ensure(outputSize.count == rank && outputSize.allSatisfy { $0 > 0 },
                   "\(layer): `output_size` must be an integer or a tuple of \(rank) positive integers. Received: output_size=\(formatShape(outputSize))")
        try ensureBoundedSizes(outputSize, layer: layer, argument: "output_size")
        try ensure(boundedElementCount(outputSize) != nil,
                   "\(layer): the product of `output_size` must be at most \(maxWeightElements). Received: output_size=\(formatShape(outputSize))")
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let pool = try AdaptiveMaxPooling2D(config: ["output_size": [4, 4], "data_format": "channels_last"])
    /// ```
    ///
    /// - Throws: `KerasError.invalidConfig` naming the key for a missing, mistyped or
    ///   out-of-range `output_size` or `data_format`.
    public convenience init(config: Config) throws {
        let rank = Self.spatialRank
        var r = ObjectConfigReader(className: Self.className, config: config)
        let base = try r.layerBase()
        let outputSize = try r.tuple("output_size", rank: rank)
        let dataFormat = try r.choice("data_format", default: DataFormat.channelsLast, allowed: DataFormat.allCases)
        try r.validated { try Self.validate(outputSize: outputSize) }
        self.init(pooling: outputSize, dataFormat: dataFormat, name: base.name, trainable: base.trainable, dtype: base.dtype)
    }

    /// The spatial axes of an input shape (after the batch, before or after the channels).
    private func spatialAxes(_ count: Int) -> Range<Int> { dataFormat == .channelsLast ? 1..<(count - 1) : 2..<count }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        let shape = inputShapes[0]
        let layout = dataFormat == .channelsLast ? "(batch, \(rank) spatial axes, channels)" : "(batch, channels, \(rank) spatial axes)"
        guard shape.count == rank + 2 else {
            return .incompatibleInput(layer: name, message: "Input 0 of layer \"\(name)\" (\(className)) is incompatible with the layer: expected ndim=\(rank + 2) \(layout), found ndim=\(shape.count). Full shape received: \(formatShape(shape))")
        }
        if spatialAxes(shape.count).contains(where: { shape[$0] == 0 }) {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (\(className)): adaptive pooling needs non-empty spatial axes \(layout). Received input shape \(formatShape(shape))")
        }
        return nil
    }

    public override func call(_ inputs: Tensor, training: Bool) -> Tensor {
        let rank = inputs.rank
        // channels_first runs channels-last between two transposes (differentiable).
        let x = dataFormat == .channelsLast ? inputs : inputs.transposed([0] + Array(2..<rank) + [1])
        let y = Self.takesMaximum ? x.adaptiveMaxPool(outputSize: outputSize) : x.adaptiveAveragePool(outputSize: outputSize)
        return dataFormat == .channelsLast ? y : y.transposed([0, rank - 1] + Array(1..<(rank - 1)))
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] {
        guard inputShape.count == rank + 2 else { return inputShape }
        let sizes = outputSize.map { Optional($0) }
        return dataFormat == .channelsLast ? [inputShape[0]] + sizes + [inputShape[rank + 1]]
                                           : [inputShape[0], inputShape[1]] + sizes
    }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["output_size"] = .array(outputSize.map { .int($0) })
        config["data_format"] = .string(dataFormat.rawValue)
        return config
    }
}
