import KerasCore

/// The separable convolution layers (Keras's `BaseSeparableConv`): a depthwise convolution
/// (`depthMultiplier` filters per channel) followed by a 1×1 convolution to `filters` channels.
/// Weights `depthwise_kernel (kernel…, channels, depthMultiplier)`,
/// `pointwise_kernel (1…, channels·depthMultiplier, filters)`, bias `(filters,)`.
/// Use ``SeparableConv1D`` or ``SeparableConv2D``.
///
/// ```swift
/// let layer = SeparableConv2D(16, kernelSize: [3, 3], padding: .same)
/// let y = layer(Tensor.ones([1, 8, 8, 3]))   // shape (1, 8, 8, 16)
/// ```
public class SeparableConv: BaseConv, @unchecked Sendable {
    /// The `filters` this `SeparableConv` was created with.
    public let filters: Int
    /// The `depthMultiplier` this `SeparableConv` was created with.
    public let depthMultiplier: Int
    /// The `depthwiseInitializer` this `SeparableConv` was created with.
    public let depthwiseInitializer: any Initializer
    /// The `pointwiseInitializer` this `SeparableConv` was created with.
    public let pointwiseInitializer: any Initializer
    /// The `depthwiseRegularizer` this `SeparableConv` was created with.
    public let depthwiseRegularizer: (any Regularizer)?
    /// The `pointwiseRegularizer` this `SeparableConv` was created with.
    public let pointwiseRegularizer: (any Regularizer)?
    /// The `depthwiseConstraint` this `SeparableConv` was created with.
    public let depthwiseConstraint: (any Constraint)?
    /// The `pointwiseConstraint` this `SeparableConv` was created with.
    public let pointwiseConstraint: (any Constraint)?
    /// `(kernel…, channels, depthMultiplier)`, once built.
    public private(set) var depthwiseKernel: Variable!
    /// `(1…, channels·depthMultiplier, filters)`, once built.
    public private(set) var pointwiseKernel: Variable!

    /// The number of spatial axes of the concrete class.
    class var spatialRank: Int { fatalError("\(self) must override spatialRank") }

    /// Everything a separable convolution layer is made from.
    struct Arguments {
        var filters: Int, depthMultiplier: Int, window: ConvWindow, common: ConvCommonConfig
        var depthwise: ConvKernelArguments, pointwise: ConvKernelArguments
        var name: String?, trainable: Bool, dtype: DType
    }

    required init(arguments a: Arguments) {
        requireValid { try Self.validate(a, rank: Self.spatialRank) }
        filters = a.filters
        depthMultiplier = a.depthMultiplier
        depthwiseInitializer = a.depthwise.initializer
        pointwiseInitializer = a.pointwise.initializer
        depthwiseRegularizer = a.depthwise.regularizer
        pointwiseRegularizer = a.pointwise.regularizer
        depthwiseConstraint = a.depthwise.constraint
        pointwiseConstraint = a.pointwise.constraint
        super.init(rank: Self.spatialRank, window: a.window, common: a.common, name: a.name, trainable: a.trainable, dtype: a.dtype)
    }

    /// Keras's argument checks: positive `filters`, `depth_multiplier` and window sizes,
    /// valid/same padding.
    static func validate(_ a: Arguments, rank: Int) throws {
        let layer = className
        try ensurePositive("depth_multiplier", a.depthMultiplier)
        try ensurePositive("filters", a.filters)
        try a.window.validate(layer: layer, rank: rank, allowCausal: false, allowStridedDilation: true)
    }

    /// One-element lists are expanded as Keras expands an integer; the concrete class
    /// (`…1D`, `…2D`, `…3D`) sets the number of spatial axes.
    public convenience init(_ filters: Int, kernelSize: [Int], strides: [Int] = [1], padding: PaddingMode = .valid,
                            depthMultiplier: Int = 1, dilationRate: [Int] = [1], activation: ActivationFunction = .linear,
                            useBias: Bool = true, depthwiseInitializer: any Initializer = GlorotUniform(),
                            pointwiseInitializer: any Initializer = GlorotUniform(), biasInitializer: any Initializer = Zeros(),
                            depthwiseRegularizer: (any Regularizer)? = nil, pointwiseRegularizer: (any Regularizer)? = nil,
                            biasRegularizer: (any Regularizer)? = nil, activityRegularizer: (any Regularizer)? = nil,
                            depthwiseConstraint: (any Constraint)? = nil, pointwiseConstraint: (any Constraint)? = nil,
                            biasConstraint: (any Constraint)? = nil, name: String? = nil, trainable: Bool = true,
                            dtype: DType = .float32) {
        self.init(arguments: Arguments(
            filters: filters, depthMultiplier: depthMultiplier,
            window: ConvWindow(kernelSize: kernelSize, strides: strides, padding: padding, dilationRate: dilationRate, rank: Self.spatialRank),
            common: ConvCommonConfig(activation: activation, useBias: useBias, biasInitializer: biasInitializer, biasRegularizer: biasRegularizer,
                                     biasConstraint: biasConstraint, activityRegularizer: activityRegularizer),
            depthwise: ConvKernelArguments(name: "depthwise", initializer: depthwiseInitializer, regularizer: depthwiseRegularizer,
                                           constraint: depthwiseConstraint),
            pointwise: ConvKernelArguments(name: "pointwise", initializer: pointwiseInitializer, regularizer: pointwiseRegularizer,
                                           constraint: pointwiseConstraint),
            name: name, trainable: trainable, dtype: dtype))
    }

    /// Recreates a layer from `getConfig()` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let layer = try SeparableConv2D(config: ["filters": 8, "kernel_size": [3, 3]])
    /// ```
    ///
    /// - Throws: `KerasError.invalidConfig` naming the key for a missing, mistyped or out-of-range
    ///   value, `KerasError.unsupported` for `data_format: "channels_first"`.
    public convenience init(config: Config) throws {
        let rank = Self.spatialRank
        var r = ObjectConfigReader(className: Self.className, config: config)
        let base = try r.layerBase()
        let arguments = Arguments(
            filters: try r.int("filters"), depthMultiplier: try r.int("depth_multiplier", default: 1),
            window: try ConvWindow.read(&r, rank: rank), common: try ConvCommonConfig.read(&r),
            depthwise: try ConvKernelArguments.read(&r, name: "depthwise"),
            pointwise: try ConvKernelArguments.read(&r, name: "pointwise"),
            name: base.name, trainable: base.trainable, dtype: base.dtype)
        try r.validated { try Self.validate(arguments, rank: rank) }
        self.init(arguments: arguments)
    }

    override func outputChannels(inputChannels: Int) -> Int { filters }

    override func kernelShapes(inputChannels: Int) -> [[Int]] {
        [kernelSize + [inputChannels, depthMultiplier], [Int](repeating: 1, count: rank) + [inputChannels * depthMultiplier, filters]]
    }

    override func buildKernels(inputChannels: Int) {
        let shapes = kernelShapes(inputChannels: inputChannels)
        depthwiseKernel = addWeight(name: "depthwise_kernel", shape: shapes[0], initializer: depthwiseInitializer,
                                    regularizer: depthwiseRegularizer, constraint: depthwiseConstraint)
        pointwiseKernel = addWeight(name: "pointwise_kernel", shape: shapes[1], initializer: pointwiseInitializer,
                                    regularizer: pointwiseRegularizer, constraint: pointwiseConstraint)
    }

    override func convolve(_ x: Tensor) -> Tensor {
        x.separableConv(depthwiseKernel.value, pointwiseKernel.value, strides: strides, padding: padding, dilationRate: dilationRate)
    }

    override func familyConfig() -> ConvFamilyConfig {
        ConvFamilyConfig(leading: ["depth_multiplier": .int(depthMultiplier), "filters": .int(filters)],
                         kernels: [.init(name: "depthwise", initializer: depthwiseInitializer, regularizer: depthwiseRegularizer, constraint: depthwiseConstraint),
                                   .init(name: "pointwise", initializer: pointwiseInitializer, regularizer: pointwiseRegularizer, constraint: pointwiseConstraint)])
    }
}

/// 1-D separable convolution over `(batch, steps, channels)` (`keras.layers.SeparableConv1D`).
///
/// ```swift
/// let y = SeparableConv1D(8, kernelSize: [3])(Tensor.ones([2, 10, 4]))   // (2, 8, 8)
/// ```
public final class SeparableConv1D: SeparableConv, @unchecked Sendable {
    override class var spatialRank: Int { 1 }
    required init(arguments: Arguments) { super.init(arguments: arguments) }
}

/// 2-D separable convolution over `(batch, height, width, channels)`
/// (`keras.layers.SeparableConv2D`).
///
/// ```swift
/// let y = SeparableConv2D(8, kernelSize: [3, 3], depthMultiplier: 2)(Tensor.ones([1, 8, 8, 3]))   // (1, 6, 6, 8)
/// ```
public final class SeparableConv2D: SeparableConv, @unchecked Sendable {
    override class var spatialRank: Int { 2 }
    required init(arguments: Arguments) { super.init(arguments: arguments) }
}
