import KerasCore

/// The plain convolution layers (Keras's `BaseConv`): `filters` kernels of `kernelSize` over the
/// input, optionally in `groups` independent channel groups. Kernel `(kernel…, channels/groups,
/// filters)`, bias `(filters,)`. Use ``Conv1D``, ``Conv2D`` or ``Conv3D``.
///
/// ```swift
/// let layer = Conv1D(4, kernelSize: [3], padding: .causal, dilationRate: [2])
/// let y = layer(Tensor.ones([2, 10, 3]))   // shape (2, 10, 4)
/// ```
public class Conv: BaseConv, @unchecked Sendable {
    /// The `filters` this `Conv` was created with.
    public let filters: Int
    /// The `groups` this `Conv` was created with.
    public let groups: Int
    /// The `kernelInitializer` this `Conv` was created with.
    public let kernelInitializer: any Initializer
    /// The `kernelRegularizer` this `Conv` was created with.
    public let kernelRegularizer: (any Regularizer)?
    /// The `kernelConstraint` this `Conv` was created with.
    public let kernelConstraint: (any Constraint)?
    /// `(kernel…, channels / groups, filters)`, once built.
    public private(set) var kernel: Variable!

    /// The number of spatial axes of the concrete class.
    class var spatialRank: Int { fatalError("\(self) must override spatialRank") }

    /// Everything a plain convolution layer is made from.
    struct Arguments {
        var filters: Int, groups: Int, window: ConvWindow, common: ConvCommonConfig, kernel: ConvKernelArguments
        var name: String?, trainable: Bool, dtype: DType
    }

    required init(arguments a: Arguments) {
        requireValid { try Self.validate(a, rank: Self.spatialRank) }
        filters = a.filters
        groups = a.groups
        kernelInitializer = a.kernel.initializer
        kernelRegularizer = a.kernel.regularizer
        kernelConstraint = a.kernel.constraint
        super.init(rank: Self.spatialRank, window: a.window, common: a.common, name: a.name, trainable: a.trainable, dtype: a.dtype)
    }

    /// Keras's argument checks: positive `filters` and `groups`, `filters` divisible by `groups`,
    /// positive window sizes, no strides > 1 with dilation > 1, causal padding only in 1-D.
    static func validate(_ a: Arguments, rank: Int) throws {
        let layer = className
        try ensurePositive("filters", a.filters)
        try ensure(a.groups > 0, "\(layer): The number of groups must be a positive integer. Received: groups=\(a.groups).")
        try ensure(a.filters % a.groups == 0, "\(layer): The number of filters must be evenly divisible by the number of groups. Received: groups=\(a.groups), filters=\(a.filters).")
        try a.window.validate(layer: layer, rank: rank, allowCausal: rank == 1)
    }

    /// One-element lists are expanded as Keras expands an integer; the concrete class
    /// (`…1D`, `…2D`, `…3D`) sets the number of spatial axes.
    ///
    /// - Parameters:
    ///   - filters: Number of output channels (positive).
    ///   - kernelSize: Size of the convolution window, one value per spatial axis (one value is used for every axis).
    ///   - strides: Step of the window along each spatial axis (one value is used for every axis).
    ///   - padding: `.valid` (no padding), `.same` (the output keeps the input's size at stride 1) or `.causal` (1-D only).
    ///   - dilationRate: Spacing between the window's taps along each spatial axis.
    ///   - groups: Number of groups the input channels are split into, each convolved with its own filters; must divide `filters` and the input channels.
    ///   - activation: Activation applied to the output (Keras's `activation`; `.linear` for none).
    ///   - useBias: Whether the layer adds a bias vector.
    ///   - kernelInitializer: Initializer of the kernel weights.
    ///   - biasInitializer: Initializer of the bias.
    ///   - kernelRegularizer: Penalty on the kernel, added to the loss.
    ///   - biasRegularizer: Penalty on the bias, added to the loss.
    ///   - activityRegularizer: Penalty on the layer's output, added to the loss.
    ///   - kernelConstraint: Constraint applied to the kernel after each optimizer step.
    ///   - biasConstraint: Constraint applied to the bias after each optimizer step.
    ///   - name: The layer's name; a unique name from the class name when `nil`.
    ///   - trainable: Whether the layer's weights are updated in training.
    ///   - dtype: The dtype of the weights and computations.
    public convenience init(_ filters: Int, kernelSize: [Int], strides: [Int] = [1], padding: PaddingMode = .valid,
                            dilationRate: [Int] = [1], groups: Int = 1, activation: ActivationFunction = .linear,
                            useBias: Bool = true, kernelInitializer: any Initializer = GlorotUniform(),
                            biasInitializer: any Initializer = Zeros(), kernelRegularizer: (any Regularizer)? = nil,
                            biasRegularizer: (any Regularizer)? = nil, activityRegularizer: (any Regularizer)? = nil,
                            kernelConstraint: (any Constraint)? = nil, biasConstraint: (any Constraint)? = nil,
                            name: String? = nil, trainable: Bool = true, dtype: DType = .float32) {
        self.init(arguments: Arguments(
            filters: filters, groups: groups,
            window: ConvWindow(kernelSize: kernelSize, strides: strides, padding: padding, dilationRate: dilationRate, rank: Self.spatialRank),
            common: ConvCommonConfig(activation: activation, useBias: useBias, biasInitializer: biasInitializer, biasRegularizer: biasRegularizer,
                                     biasConstraint: biasConstraint, activityRegularizer: activityRegularizer),
            kernel: ConvKernelArguments(name: "kernel", initializer: kernelInitializer, regularizer: kernelRegularizer, constraint: kernelConstraint),
            name: name, trainable: trainable, dtype: dtype))
    }

    /// Recreates a layer from `getConfig()` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let conv = try Conv2D(config: ["filters": 8, "kernel_size": [3, 3], "padding": "same"])
    /// ```
    ///
    /// - Throws: `KerasError.invalidConfig` naming the key for a missing, mistyped or out-of-range
    ///   value, `KerasError.unsupported` for `data_format: "channels_first"`.
    public convenience init(config: Config) throws {
        let rank = Self.spatialRank
        var r = ObjectConfigReader(className: Self.className, config: config)
        let base = try r.layerBase()
        let arguments = Arguments(
            filters: try r.int("filters"), groups: try r.int("groups", default: 1),
            window: try ConvWindow.read(&r, rank: rank), common: try ConvCommonConfig.read(&r),
            kernel: try ConvKernelArguments.read(&r, name: "kernel"), name: base.name, trainable: base.trainable, dtype: base.dtype)
        if let lora = r.value("lora_rank"), !lora.isNull {
            throw KerasError.unsupported(component: Self.className, reason: "LoRA on convolution layers is not supported (lora_rank=\(lora))")
        }
        try r.validated { try Self.validate(arguments, rank: rank) }
        self.init(arguments: arguments)
    }

    override func outputChannels(inputChannels: Int) -> Int { filters }

    override func channelError(inputChannels: Int) -> String? {
        inputChannels % groups == 0 ? nil
            : "The number of input channels must be evenly divisible by the number of groups. Received groups=\(groups), but the input has \(inputChannels) channels"
    }

    override func kernelShapes(inputChannels: Int) -> [[Int]] { [kernelSize + [inputChannels / groups, filters]] }

    override func buildKernels(inputChannels: Int) {
        kernel = addWeight(name: "kernel", shape: kernelSize + [inputChannels / groups, filters], initializer: kernelInitializer,
                           regularizer: kernelRegularizer, constraint: kernelConstraint)
    }

    override func convolve(_ x: Tensor) -> Tensor {
        x.conv(kernel.value, strides: strides, padding: pads(x), dilationRate: dilationRate, groups: groups)
    }

    override func convolve(_ x: Tensor, bias: Tensor, relu: Bool) -> Tensor {
        x.conv(kernel.value, bias: bias, relu: relu, strides: strides, padding: pads(x), dilationRate: dilationRate, groups: groups)
    }

    /// A convolution with relu or no activation followed by max pooling of the same rank runs
    /// as one op in inference (``Tensor/convMaxPool(_:bias:relu:strides:padding:dilationRate:groups:poolSize:poolStrides:poolPadding:)``):
    /// the convolution's output is pooled while it is in cache. `keras-bench cnn` predict:
    /// see PerformanceNotes.
    override func fusedInference(_ x: Tensor, then next: Layer) -> Tensor? {
        guard let pool = next as? BasePooling, type(of: pool).takesMaximum, type(of: pool).spatialRank == rank,
              x.rank == rank + 2 else { return nil }
        let relu: Bool
        switch activation {
        case .relu: relu = true
        case .linear: relu = false
        default: return nil
        }
        return x.convMaxPool(kernel.value, bias: bias?.value, relu: relu, strides: strides, padding: pads(x), dilationRate: dilationRate,
                             groups: groups, poolSize: pool.poolSize, poolStrides: pool.strides, poolPadding: pool.padding)
    }

    /// The zero padding of each spatial axis of `x` for Keras's `padding`.
    private func pads(_ x: Tensor) -> [(before: Int, after: Int)] {
        (0..<rank).map { padding.pads(inputSize: x.shape[$0 + 1], kernelSize: kernelSize[$0], stride: strides[$0], dilation: dilationRate[$0]) }
    }

    override func familyConfig() -> ConvFamilyConfig {
        ConvFamilyConfig(leading: ["filters": .int(filters)], afterDilation: ["groups": .int(groups)],
                         kernels: [.init(name: "kernel", initializer: kernelInitializer, regularizer: kernelRegularizer, constraint: kernelConstraint)])
    }
}

/// 1-D convolution over `(batch, steps, channels)` (`keras.layers.Conv1D`); `.causal` padding
/// keeps output step `t` from seeing inputs after `t`.
///
/// ```swift
/// let y = Conv1D(8, kernelSize: [3], padding: .causal)(Tensor.ones([2, 20, 4]))   // (2, 20, 8)
/// ```
public final class Conv1D: Conv, @unchecked Sendable {
    override class var spatialRank: Int { 1 }
    required init(arguments: Arguments) { super.init(arguments: arguments) }
}

/// 2-D convolution over `(batch, height, width, channels)` (`keras.layers.Conv2D`).
///
/// ```swift
/// let y = Conv2D(32, kernelSize: [3, 3], activation: .relu)(Tensor.ones([1, 28, 28, 1]))   // (1, 26, 26, 32)
/// ```
public final class Conv2D: Conv, @unchecked Sendable {
    override class var spatialRank: Int { 2 }
    required init(arguments: Arguments) { super.init(arguments: arguments) }
}

/// 3-D convolution over `(batch, depth, height, width, channels)` (`keras.layers.Conv3D`).
///
/// ```swift
/// let y = Conv3D(4, kernelSize: [3])(Tensor.ones([1, 8, 8, 8, 2]))   // (1, 6, 6, 6, 4)
/// ```
public final class Conv3D: Conv, @unchecked Sendable {
    override class var spatialRank: Int { 3 }
    required init(arguments: Arguments) { super.init(arguments: arguments) }
}
