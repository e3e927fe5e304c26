import KerasCore

/// The transposed convolution layers (Keras's `BaseConvTranspose`, sometimes called
/// deconvolution): the gradient of a convolution, used to upsample. Kernel `(kernel…, filters,
/// channels)`, bias `(filters,)`. Without `outputPadding` the output has `n·stride` positions for
/// `.same` and `(n−1)·stride + max(kernel, stride)` for `.valid`. Use ``Conv1DTranspose``,
/// ``Conv2DTranspose`` or ``Conv3DTranspose``.
///
/// ```swift
/// let layer = Conv2DTranspose(4, kernelSize: [3, 3], strides: [2, 2], padding: .same)
/// let y = layer(Tensor.ones([1, 7, 7, 8]))   // shape (1, 14, 14, 4)
/// ```
public class ConvTranspose: BaseConv, @unchecked Sendable {
    /// The `filters` this `ConvTranspose` was created with.
    public let filters: Int
    /// Extra positions added at the end of each spatial axis (each less than its stride).
    public let outputPadding: [Int]?
    /// The `kernelInitializer` this `ConvTranspose` was created with.
    public let kernelInitializer: any Initializer
    /// The `kernelRegularizer` this `ConvTranspose` was created with.
    public let kernelRegularizer: (any Regularizer)?
    /// The `kernelConstraint` this `ConvTranspose` was created with.
    public let kernelConstraint: (any Constraint)?
    /// `(kernel…, filters, channels)`, once built.
    public private(set) var kernel: Variable!

    /// The number of spatial axes of the concrete class.
    class var spatialRank: Int { fatalError("\(self) must override spatialRank") }

    /// Everything a transposed convolution layer is made from.
    struct Arguments {
        var filters: Int, outputPadding: [Int]?, window: ConvWindow, common: ConvCommonConfig, kernel: ConvKernelArguments
        var name: String?, trainable: Bool, dtype: DType
    }

    required init(arguments a: Arguments) {
        requireValid { try Self.validate(a, rank: Self.spatialRank) }
        filters = a.filters
        outputPadding = a.outputPadding
        kernelInitializer = a.kernel.initializer
        kernelRegularizer = a.kernel.regularizer
        kernelConstraint = a.kernel.constraint
        super.init(rank: Self.spatialRank, window: a.window, common: a.common, name: a.name, trainable: a.trainable, dtype: a.dtype)
    }

    /// Keras's argument checks: positive `filters` and window sizes, each `output_padding`
    /// entry non-negative and less than its stride, no strides > 1 with dilation > 1.
    static func validate(_ a: Arguments, rank: Int) throws {
        let layer = className
        try ensurePositive("filters", a.filters)
        try a.window.validate(layer: layer, rank: rank, allowCausal: false)
        if let op = a.outputPadding {
            try ensure(op.count == rank, "\(layer): The `output_padding` argument must be a tuple of \(rank) integers. Received output_padding=\(formatShape(op))")
            for (i, (p, s)) in zip(op, a.window.strides).enumerated() {
                try ensure(p >= 0 && p < s, "\(layer): `output_padding` must be non-negative and strictly less than `strides` for all dimensions. At dimension \(i), `output_padding` is \(p) but `strides` is \(s). Received: output_padding=\(formatShape(op)), strides=\(formatShape(a.window.strides))")
            }
        }
    }

    /// One-element lists are expanded as Keras expands an integer; the concrete class
    /// (`…1D`, `…2D`, `…3D`) sets the number of spatial axes.
    public convenience init(_ filters: Int, kernelSize: [Int], strides: [Int] = [1], padding: PaddingMode = .valid,
                            outputPadding: [Int]? = nil, dilationRate: [Int] = [1], activation: ActivationFunction = .linear,
                            useBias: Bool = true, kernelInitializer: any Initializer = GlorotUniform(),
                            biasInitializer: any Initializer = Zeros(), kernelRegularizer: (any Regularizer)? = nil,
                            biasRegularizer: (any Regularizer)? = nil, activityRegularizer: (any Regularizer)? = nil,
                            kernelConstraint: (any Constraint)? = nil, biasConstraint: (any Constraint)? = nil,
                            name: String? = nil, trainable: Bool = true, dtype: DType = .float32) {
        let rank = Self.spatialRank
        self.init(arguments: Arguments(
            filters: filters, outputPadding: outputPadding.map { $0.count == 1 ? [Int](repeating: $0[0], count: rank) : $0 },
            window: ConvWindow(kernelSize: kernelSize, strides: strides, padding: padding, dilationRate: dilationRate, rank: rank),
            common: ConvCommonConfig(activation: activation, useBias: useBias, biasInitializer: biasInitializer, biasRegularizer: biasRegularizer,
                                     biasConstraint: biasConstraint, activityRegularizer: activityRegularizer),
            kernel: ConvKernelArguments(name: "kernel", initializer: kernelInitializer, regularizer: kernelRegularizer, constraint: kernelConstraint),
            name: name, trainable: trainable, dtype: dtype))
    }

    /// Recreates a layer from `getConfig()` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let up = try Conv2DTranspose(config: ["filters": 4, "kernel_size": 3, "strides": 2, "output_padding": [1, 1]])
    /// ```
    ///
    /// - Throws: `KerasError.invalidConfig` naming the key for a missing, mistyped or out-of-range
    ///   value, `KerasError.unsupported` for `data_format: "channels_first"`.
    public convenience init(config: Config) throws {
        let rank = Self.spatialRank
        var r = ObjectConfigReader(className: Self.className, config: config)
        let base = try r.layerBase()
        let arguments = Arguments(
            filters: try r.int("filters"), outputPadding: try r.optionalTuple("output_padding", rank: rank),
            window: try ConvWindow.read(&r, rank: rank), common: try ConvCommonConfig.read(&r),
            kernel: try ConvKernelArguments.read(&r, name: "kernel"), name: base.name, trainable: base.trainable, dtype: base.dtype)
        try r.validated { try Self.validate(arguments, rank: rank) }
        self.init(arguments: arguments)
    }

    override func outputChannels(inputChannels: Int) -> Int { filters }

    override func kernelShapes(inputChannels: Int) -> [[Int]] { [kernelSize + [filters, inputChannels]] }

    override func buildKernels(inputChannels: Int) {
        kernel = addWeight(name: "kernel", shape: kernelSize + [filters, inputChannels], initializer: kernelInitializer,
                           regularizer: kernelRegularizer, constraint: kernelConstraint)
    }

    override func outputLength(_ n: Int, axis: Int) -> Int {
        convTransposeGeometry(inputSize: n, kernelSize: kernelSize[axis], stride: strides[axis], dilation: dilationRate[axis],
                              padding: padding, outputPadding: outputPadding?[axis]).outputSize
    }

    override func convolve(_ x: Tensor) -> Tensor {
        x.convTranspose(kernel.value, strides: strides, padding: padding, outputPadding: outputPadding, dilationRate: dilationRate)
    }

    override func familyConfig() -> ConvFamilyConfig {
        ConvFamilyConfig(leading: ["filters": .int(filters)],
                         afterPadding: ["output_padding": outputPadding.map { .array($0.map { .int($0) }) } ?? .null],
                         kernels: [.init(name: "kernel", initializer: kernelInitializer, regularizer: kernelRegularizer, constraint: kernelConstraint)])
    }
}

/// 1-D transposed convolution over `(batch, steps, channels)` (`keras.layers.Conv1DTranspose`).
///
/// ```swift
/// let y = Conv1DTranspose(4, kernelSize: [3], strides: [2])(Tensor.ones([2, 5, 3]))   // (2, 11, 4)
/// ```
public final class Conv1DTranspose: ConvTranspose, @unchecked Sendable {
    override class var spatialRank: Int { 1 }
    required init(arguments: Arguments) { super.init(arguments: arguments) }
}

/// 2-D transposed convolution over `(batch, height, width, channels)`
/// (`keras.layers.Conv2DTranspose`).
///
/// ```swift
/// let y = Conv2DTranspose(8, kernelSize: [2, 2], strides: [2, 2])(Tensor.ones([1, 7, 7, 16]))   // (1, 14, 14, 8)
/// ```
public final class Conv2DTranspose: ConvTranspose, @unchecked Sendable {
    override class var spatialRank: Int { 2 }
    required init(arguments: Arguments) { super.init(arguments: arguments) }
}

/// 3-D transposed convolution over `(batch, depth, height, width, channels)`
/// (`keras.layers.Conv3DTranspose`).
///
/// ```swift
/// let y = Conv3DTranspose(2, kernelSize: [2], strides: [2])(Tensor.ones([1, 3, 3, 3, 4]))   // (1, 6, 6, 6, 2)
/// ```
public final class Conv3DTranspose: ConvTranspose, @unchecked Sendable {
    override class var spatialRank: Int { 3 }
    required init(arguments: Arguments) { super.init(arguments: arguments) }
}
