import KerasCore

/// The depthwise convolution layers (Keras's `BaseDepthwiseConv`): each input channel is
/// convolved with its own `depthMultiplier` filters, output channel `c·depthMultiplier + m`.
/// Kernel `(kernel…, channels, depthMultiplier)` (named `kernel`), bias
/// `(channels·depthMultiplier,)`. Use ``DepthwiseConv1D`` or ``DepthwiseConv2D``.
///
/// ```swift
/// let layer = DepthwiseConv2D(kernelSize: [3, 3], depthMultiplier: 2, padding: .same)
/// let y = layer(Tensor.ones([1, 8, 8, 3]))   // shape (1, 8, 8, 6)
/// ```
public class DepthwiseConv: BaseConv, @unchecked Sendable {
    /// The `depthMultiplier` this `DepthwiseConv` was created with.
    public let depthMultiplier: Int
    /// The `depthwiseInitializer` this `DepthwiseConv` was created with.
    public let depthwiseInitializer: any Initializer
    /// The `depthwiseRegularizer` this `DepthwiseConv` was created with.
    public let depthwiseRegularizer: (any Regularizer)?
    /// The `depthwiseConstraint` this `DepthwiseConv` was created with.
    public let depthwiseConstraint: (any Constraint)?
    /// `(kernel…, channels, depthMultiplier)`, once built.
    public private(set) var kernel: Variable!

    /// The number of spatial axes of the concrete class.
    class var spatialRank: Int { fatalError("\(self) must override spatialRank") }

    /// Everything a depthwise convolution layer is made from.
    struct Arguments {
        var depthMultiplier: Int, window: ConvWindow, common: ConvCommonConfig, depthwise: ConvKernelArguments
        var name: String?, trainable: Bool, dtype: DType
    }

    required init(arguments a: Arguments) {
        requireValid { try Self.validate(a, rank: Self.spatialRank) }
        depthMultiplier = a.depthMultiplier
        depthwiseInitializer = a.depthwise.initializer
        depthwiseRegularizer = a.depthwise.regularizer
        depthwiseConstraint = a.depthwise.constraint
        super.init(rank: Self.spatialRank, window: a.window, common: a.common, name: a.name, trainable: a.trainable, dtype: a.dtype)
    }

    /// Keras's argument checks: positive `depth_multiplier` and window sizes, valid/same padding.
    static func validate(_ a: Arguments, rank: Int) throws {
        let layer = className
        try ensurePositive("depth_multiplier", a.depthMultiplier)
        try a.window.validate(layer: layer, rank: rank, allowCausal: false, allowStridedDilation: true)
    }

    /// One-element lists are expanded as Keras expands an integer; the concrete class
    /// (`…1D`, `…2D`, `…3D`) sets the number of spatial axes.
    public convenience init(kernelSize: [Int], strides: [Int] = [1], padding: PaddingMode = .valid, depthMultiplier: Int = 1,
                            dilationRate: [Int] = [1], activation: ActivationFunction = .linear, useBias: Bool = true,
                            depthwiseInitializer: any Initializer = GlorotUniform(), biasInitializer: any Initializer = Zeros(),
                            depthwiseRegularizer: (any Regularizer)? = nil, biasRegularizer: (any Regularizer)? = nil,
                            activityRegularizer: (any Regularizer)? = nil, depthwiseConstraint: (any Constraint)? = nil,
                            biasConstraint: (any Constraint)? = nil, name: String? = nil, trainable: Bool = true,
                            dtype: DType = .float32) {
        self.init(arguments: Arguments(
            depthMultiplier: depthMultiplier,
            window: ConvWindow(kernelSize: kernelSize, strides: strides, padding: padding, dilationRate: dilationRate, rank: Self.spatialRank),
            common: ConvCommonConfig(activation: activation, useBias: useBias, biasInitializer: biasInitializer, biasRegularizer: biasRegularizer,
                                     biasConstraint: biasConstraint, activityRegularizer: activityRegularizer),
            depthwise: ConvKernelArguments(name: "depthwise", initializer: depthwiseInitializer, regularizer: depthwiseRegularizer,
                                           constraint: depthwiseConstraint),
            name: name, trainable: trainable, dtype: dtype))
    }

    /// Recreates a layer from `getConfig()` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let layer = try DepthwiseConv2D(config: ["kernel_size": [3, 3], "depth_multiplier": 2])
    /// ```
    ///
    /// - Throws: `KerasError.invalidConfig` naming the key for a missing, mistyped or out-of-range
    ///   value, `KerasError.unsupported` for `data_format: "channels_first"`.
    public convenience init(config: Config) throws {
        let rank = Self.spatialRank
        var r = ObjectConfigReader(className: Self.className, config: config)
        let base = try r.layerBase()
        let arguments = Arguments(
            depthMultiplier: try r.int("depth_multiplier", default: 1),
            window: try ConvWindow.read(&r, rank: rank), common: try ConvCommonConfig.read(&r),
            depthwise: try ConvKernelArguments.read(&r, name: "depthwise"),
            name: base.name, trainable: base.trainable, dtype: base.dtype)
        try r.validated { try Self.validate(arguments, rank: rank) }
        self.init(arguments: arguments)
    }

    override func outputChannels(inputChannels: Int) -> Int { inputChannels * depthMultiplier }

    override func kernelShapes(inputChannels: Int) -> [[Int]] { [kernelSize + [inputChannels, depthMultiplier]] }

    override func buildKernels(inputChannels: Int) {
        kernel = addWeight(name: "kernel", shape: kernelSize + [inputChannels, depthMultiplier], initializer: depthwiseInitializer,
                           regularizer: depthwiseRegularizer, constraint: depthwiseConstraint)
    }

    override func convolve(_ x: Tensor) -> Tensor {
        x.depthwiseConv(kernel.value, strides: strides, padding: padding, dilationRate: dilationRate)
    }

    override func familyConfig() -> ConvFamilyConfig {
        ConvFamilyConfig(leading: ["depth_multiplier": .int(depthMultiplier)],
                         kernels: [.init(name: "depthwise", initializer: depthwiseInitializer, regularizer: depthwiseRegularizer, constraint: depthwiseConstraint)])
    }
}

/// 1-D depthwise convolution over `(batch, steps, channels)` (`keras.layers.DepthwiseConv1D`).
///
/// ```swift
/// let y = DepthwiseConv1D(kernelSize: [3], depthMultiplier: 2)(Tensor.ones([2, 10, 4]))   // (2, 8, 8)
/// ```
public final class DepthwiseConv1D: DepthwiseConv, @unchecked Sendable {
    override class var spatialRank: Int { 1 }
    required init(arguments: Arguments) { super.init(arguments: arguments) }
}

/// 2-D depthwise convolution over `(batch, height, width, channels)`
/// (`keras.layers.DepthwiseConv2D`).
///
/// ```swift
/// let y = DepthwiseConv2D(kernelSize: [3, 3])(Tensor.ones([1, 8, 8, 3]))   // (1, 6, 6, 3)
/// ```
public final class DepthwiseConv2D: DepthwiseConv, @unchecked Sendable {
    override class var spatialRank: Int { 2 }
    required init(arguments: Arguments) { super.init(arguments: arguments) }
}
