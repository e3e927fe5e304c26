import KerasCore

/// The largest window a dilated kernel may span (2^24 positions), far beyond any input, so that
/// the padding and offsets oneDNN computes from it stay within 32 bits.
let maxDilatedKernelExtent = 1 << 24

/// The window arguments every convolution layer takes, as Keras spells them in configs.
struct ConvWindow: Sendable {
    var kernelSize: [Int]
    var strides: [Int]
    var padding: PaddingMode
    var dilationRate: [Int]

    /// Keras's argument checks for a layer of `rank` spatial axes named `layer`.
    /// Depthwise and separable layers allow strides and dilation together (`allowStridedDilation`).
    func validate(layer: String, rank: Int, allowCausal: Bool, allowStridedDilation: Bool = false) throws {
        for (key, values) in [("kernel_size", kernelSize), ("strides", strides), ("dilation_rate", dilationRate)] {
            try ensure(values.count == rank,
                       "\(layer): The `\(key)` argument must be a tuple of \(rank) integers. Received \(key)=\(formatShape(values))")
            try ensure(values.allSatisfy { $0 > 0 },
                       "\(layer): The `\(key)` argument must be a tuple of \(rank) positive integers. Received \(key)=\(formatShape(values))")
            try ensureBoundedSizes(values, layer: layer, argument: key)
        }
        // The dilated window's extent, (k − 1)·d + 1, becomes oneDNN's 32-bit padding and offsets.
        for (k, d) in zip(kernelSize, dilationRate) {
            let (span, overflow) = (k - 1).multipliedReportingOverflow(by: d)
            try ensure(!overflow && span < maxDilatedKernelExtent,
                       "\(layer): the dilated kernel, (kernel_size - 1) * dilation_rate + 1, must span at most \(maxDilatedKernelExtent) positions. Received kernel_size=\(formatShape(kernelSize)) and dilation_rate=\(formatShape(dilationRate))")
        }
        try ensure(allowCausal || padding != .causal,
                   "\(layer): The `padding` argument must be one of \"valid\", \"same\". Received: padding=causal")
        try ensure(allowStridedDilation || strides.max()! == 1 || dilationRate.max()! == 1,
                   "\(layer): `strides > 1` not supported in conjunction with `dilation_rate > 1`. Received: strides=\(formatShape(strides)) and dilation_rate=\(formatShape(dilationRate))")
    }

    /// Reads `kernel_size`, `strides`, `padding` and `dilation_rate` (each an int or a list) and
    /// checks that `data_format` is channels_last.
    static func read(_ r: inout ObjectConfigReader, rank: Int, kernelKey: String = "kernel_size", defaultStrides: [Int]? = nil) throws -> ConvWindow {
        let kernelSize = try r.tuple(kernelKey, rank: rank)
        let strides = try r.optionalTuple("strides", rank: rank) ?? defaultStrides ?? [Int](repeating: 1, count: rank)
        let padding = try r.choice("padding", default: PaddingMode.valid, allowed: PaddingMode.allCases)
        let dilation = try r.optionalTuple("dilation_rate", rank: rank) ?? [Int](repeating: 1, count: rank)
        try r.channelsLast()
        return ConvWindow(kernelSize: kernelSize, strides: strides, padding: padding, dilationRate: dilation)
    }
}

extension ConvWindow {
    /// A window from a Swift initializer's arguments, one-element lists expanded to `rank`
    /// entries as Keras expands an integer argument.
    init(kernelSize: [Int], strides: [Int], padding: PaddingMode, dilationRate: [Int], rank: Int) {
        func expand(_ values: [Int]) -> [Int] { values.count == 1 ? [Int](repeating: values[0], count: rank) : values }
        self.init(kernelSize: expand(kernelSize), strides: expand(strides), padding: padding, dilationRate: expand(dilationRate))
    }
}

extension ObjectConfigReader {
    /// An integer or a list of integers, expanded to `rank` entries (Keras's `standardize_tuple`).
    mutating func tuple(_ key: String, rank: Int) throws -> [Int] {
        guard let values = try optionalTuple(key, rank: rank) else {
            throw mismatch(key, "an integer or a list of \(rank) integers", config[key] ?? .null, absent: config[key] == nil)
        }
        return values
    }

    /// ``tuple(_:rank:)``, or `nil` when absent or `null`.
    mutating func optionalTuple(_ key: String, rank: Int) throws -> [Int]? {
        guard let v = present(key) else { return nil }
        if let i = v.intValue { return [Int](repeating: i, count: rank) }
        guard let ints = v.arrayValue?.map(\.intValue), !ints.contains(nil), ints.count == rank else {
            throw mismatch(key, "an integer or a list of \(rank) integers", v)
        }
        return ints.map { $0! }
    }
}

/// The shared base of the convolution layers (`keras.layers.Conv*`, `*Transpose`,
/// `DepthwiseConv*`, `SeparableConv*`): the window arguments, the bias, the activation and the
/// layer contract (input checks, build, call, output shape, config). A family supplies its
/// kernels (`buildKernels(inputChannels:)`), its convolution (`convolve(_:)`) and its
/// channel count.
///
/// Inputs are channels-last: `(batch, spatial…, channels)` with ``rank`` spatial axes.
///
/// ```swift
/// let layer = Conv2D(8, kernelSize: [3, 3], strides: [2, 2], padding: .same, activation: .relu)
/// let y = layer(Tensor.ones([4, 28, 28, 1]))   // shape (4, 14, 14, 8)
/// ```
public class BaseConv: Layer, @unchecked Sendable {
    /// Its call writes no state in inference, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// The number of spatial axes (1, 2 or 3).
    public let rank: Int
    /// The window size along each spatial axis.
    public let kernelSize: [Int]
    /// The window's step along each spatial axis.
    public let strides: [Int]
    /// `.valid`, `.same` or `.causal`.
    public let padding: PaddingMode
    /// The spacing between the window's taps along each spatial axis.
    public let dilationRate: [Int]
    /// The `activation` this `BaseConv` was created with.
    public let activation: ActivationFunction
    /// The `useBias` this `BaseConv` was created with.
    public let useBias: Bool
    /// The `biasInitializer` this `BaseConv` was created with.
    public let biasInitializer: any Initializer
    /// The `biasRegularizer` this `BaseConv` was created with.
    public let biasRegularizer: (any Regularizer)?
    /// The `biasConstraint` this `BaseConv` was created with.
    public let biasConstraint: (any Constraint)?
    /// `(outputChannels,)`, once built with ``useBias``.
    public private(set) var bias: Variable?

    init(rank: Int, window: ConvWindow, common: ConvCommonConfig, name: String?, trainable: Bool, dtype: DType) {
        self.rank = rank
        kernelSize = window.kernelSize
        strides = window.strides
        padding = window.padding
        dilationRate = window.dilationRate
        activation = common.activation
        useBias = common.useBias
        biasInitializer = common.biasInitializer
        biasRegularizer = common.biasRegularizer
        biasConstraint = common.biasConstraint
        super.init(name: name, trainable: trainable, dtype: dtype)
        activityRegularizer = common.activityRegularizer
        inputSpec = [InputSpec(rank: rank + 2)]
    }

    /// Keras's check of a count argument (`filters`, `depth_multiplier`): strictly positive.
    static func ensurePositive(_ key: String, _ value: Int) throws {
        try ensure(value > 0, "\(className): Invalid value for argument `\(key)`. Expected a strictly positive value. Received \(key)=\(value).")
    }

    // MARK: Family hooks

    /// The output channels for `inputChannels` input channels.
    func outputChannels(inputChannels: Int) -> Int { fatalError("\(className) must override outputChannels(inputChannels:)") }

    /// Why `inputChannels` channels cannot be taken (groups not dividing them), or `nil`.
    func channelError(inputChannels: Int) -> String? { nil }

    /// The shapes of the kernels ``buildKernels(inputChannels:)`` creates, for size checks.
    func kernelShapes(inputChannels: Int) -> [[Int]] { fatalError("\(className) must override kernelShapes(inputChannels:)") }

    /// Adds the family's kernels (before the bias, as Keras orders the weights).
    func buildKernels(inputChannels: Int) { fatalError("\(className) must override buildKernels(inputChannels:)") }

    /// The convolution of `x` with the family's kernels, before bias and activation.
    func convolve(_ x: Tensor) -> Tensor { fatalError("\(className) must override convolve(_:)") }

    /// `convolve(x) + bias`, then relu when `relu` is set. ``Conv`` fuses the three into one
    /// oneDNN primitive for inference.
    func convolve(_ x: Tensor, bias: Tensor, relu: Bool) -> Tensor {
        let y = convolve(x) + bias
        return relu ? y.relu() : y
    }

    /// The output length of spatial axis `axis` for an input length `n`.
    func outputLength(_ n: Int, axis: Int) -> Int {
        let pads = padding.pads(inputSize: n, kernelSize: kernelSize[axis], stride: strides[axis], dilation: dilationRate[axis])
        return convOutputLength(inputSize: n, kernelSize: kernelSize[axis], stride: strides[axis],
                                dilation: dilationRate[axis], pads: pads)
    }

    // MARK: Layer contract

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        let shape = inputShapes[0]
        guard shape.count == rank + 2 else {
            return .incompatibleInput(layer: name, message: "Input 0 of layer \"\(name)\" (\(className)) is incompatible with the layer: expected ndim=\(rank + 2) (batch, \(rank) spatial axes, channels), found ndim=\(shape.count). Full shape received: \(formatShape(shape))")
        }
        guard let channels = shape[rank + 1] else {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (\(className)): the channel dimension of the inputs should be defined. Found None. Full input shape received: \(formatShape(shape))")
        }
        guard channels > 0 else {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (\(className)): expected at least one input channel, received input with shape \(formatShape(shape))")
        }
        if let message = channelError(inputChannels: channels) {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (\(className)): \(message) (full input shape is \(formatShape(shape)))")
        }
        for kernel in kernelShapes(inputChannels: channels) where boundedElementCount(kernel) == nil {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (\(className)): a kernel of shape \(formatShape(kernel)) would hold more than \(maxWeightElements) elements")
        }
        for axis in 0..<rank {
            guard let n = shape[axis + 1] else { continue }
            if n == 0 {
                return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (\(className)): expected non-empty spatial axes, received input shape \(formatShape(shape))")
            }
            if outputLength(n, axis: axis) <= 0 {
                return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (\(className)): the kernel of size \(formatShape(kernelSize)) (dilation_rate \(formatShape(dilationRate)), padding \"\(padding.rawValue)\") is larger than the input; the computed output size would be zero or negative. Received input shape \(formatShape(shape))")
            }
        }
        return nil
    }

    public override func build(inputShape: [Int?]) {
        guard inputShape.count == rank + 2, let channels = inputShape[rank + 1] else {
            fatalError("Layer \"\(name)\" (\(className)): expected inputs (batch, \(rank) spatial axes, channels) with known channels, received \(formatShape(inputShape))")
        }
        if let message = channelError(inputChannels: channels) { fatalError("Layer \"\(name)\" (\(className)): \(message)") }
        buildKernels(inputChannels: channels)
        if useBias {
            bias = addWeight(name: "bias", shape: [outputChannels(inputChannels: channels)], initializer: biasInitializer,
                             regularizer: biasRegularizer, constraint: biasConstraint)
        }
        inputSpec = [InputSpec(rank: rank + 2, axes: [-1: channels])]
    }

    public override func call(_ inputs: Tensor, training: Bool) -> Tensor {
        let relu = if case .relu = activation { true } else { false }
        var y: Tensor
        if let bias {
            y = convolve(inputs, bias: bias.value, relu: relu)
            if relu { return y }
        } else {
            y = convolve(inputs)
        }
        if case .linear = activation { return y }
        return activation(y)
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] {
        guard inputShape.count == rank + 2 else { return inputShape }
        let spatial = (0..<rank).map { axis in inputShape[axis + 1].map { outputLength($0, axis: axis) } }
        return [inputShape[0]] + spatial + [inputShape[rank + 1].map { outputChannels(inputChannels: $0) }]
    }

    /// The keys a family adds to the shared config, placed where Keras writes them.
    func familyConfig() -> ConvFamilyConfig { fatalError("\(className) must override familyConfig()") }

    public override func getConfig() -> Config {
        let family = familyConfig()
        var config = super.getConfig()
        config.merge(family.leading) { $1 }
        config["kernel_size"] = .array(kernelSize.map { .int($0) })
        config["strides"] = .array(strides.map { .int($0) })
        config["padding"] = .string(padding.rawValue)
        config.merge(family.afterPadding) { $1 }
        config["data_format"] = "channels_last"
        config["dilation_rate"] = .array(dilationRate.map { .int($0) })
        config.merge(family.afterDilation) { $1 }
        config["activation"] = .string(activation.name)
        config["use_bias"] = .bool(useBias)
        for kernel in family.kernels { config[kernel.name + "_initializer"] = kernel.initializer.serialize() }
        config["bias_initializer"] = biasInitializer.serialize()
        for kernel in family.kernels { config[kernel.name + "_regularizer"] = serializeOptional(kernel.regularizer) }
        config["bias_regularizer"] = serializeOptional(biasRegularizer)
        config["activity_regularizer"] = serializeOptional(activityRegularizer)
        for kernel in family.kernels { config[kernel.name + "_constraint"] = serializeOptional(kernel.constraint) }
        config["bias_constraint"] = serializeOptional(biasConstraint)
        return config
    }
}

/// A convolution family's own config keys, in Keras's `get_config()` order: `leading` before
/// `kernel_size` (`filters`, `depth_multiplier`), `afterPadding` (`output_padding`),
/// `afterDilation` (`groups`), and each kernel's initializer, regularizer and constraint, listed
/// before the bias's.
struct ConvFamilyConfig {
    var leading: Config = [:]
    var afterPadding: Config = [:]
    var afterDilation: Config = [:]
    var kernels: [ConvKernelArguments]
}

/// A kernel's initializer, regularizer and constraint, read from and written to the config keys
/// `<name>_initializer`, `<name>_regularizer` and `<name>_constraint`.
struct ConvKernelArguments {
    /// The key prefix: `kernel`, `depthwise` or `pointwise`.
    var name: String
    var initializer: any Initializer
    var regularizer: (any Regularizer)?
    var constraint: (any Constraint)?

    /// Reads the three keys of kernel `name` (Glorot-uniform initializer by default).
    static func read(_ r: inout ObjectConfigReader, name: String) throws -> ConvKernelArguments {
        ConvKernelArguments(name: name, initializer: try r.initializer(name + "_initializer", default: GlorotUniform()),
                            regularizer: try r.regularizer(name + "_regularizer"), constraint: try r.constraint(name + "_constraint"))
    }
}

/// The bias, activation and regularizer arguments of a convolution config.
struct ConvCommonConfig {
    var activation: ActivationFunction
    var useBias: Bool
    var biasInitializer: any Initializer
    var biasRegularizer: (any Regularizer)?
    var biasConstraint: (any Constraint)?
    var activityRegularizer: (any Regularizer)?

    static func read(_ r: inout ObjectConfigReader) throws -> ConvCommonConfig {
        ConvCommonConfig(activation: try r.activation(), useBias: try r.bool("use_bias", default: true),
                         biasInitializer: try r.initializer("bias_initializer", default: Zeros()),
                         biasRegularizer: try r.regularizer("bias_regularizer"),
                         biasConstraint: try r.constraint("bias_constraint"),
                         activityRegularizer: try r.regularizer("activity_regularizer"))
    }
}
