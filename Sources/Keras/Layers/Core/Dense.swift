/// A fully connected layer: `activation(inputs · kernel + bias)` on the last axis
/// (`keras.layers.Dense`). The kernel is `(inputDim, units)`, created on the first call.
///
/// ```swift
/// let layer = Dense(3, activation: .relu)
/// let y = layer(Tensor.ones([2, 4]))   // shape (2, 3); kernel (4, 3), bias (3,)
/// ```
///
/// With `loraRank` (or ``enableLora(rank:loraAlpha:aInitializer:bInitializer:)`` on a built
/// layer) the kernel is frozen and two small trainable factors are added, Keras's LoRA:
/// the effective kernel is `kernel + (loraAlpha / loraRank) · loraKernelA · loraKernelB`.
public final class Dense: Layer, @unchecked Sendable {
    /// Its call writes no state in inference, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// Passes the input's mask on (Keras's `supports_masking = True`).
    public override var supportsMasking: Bool { true }
    /// The `units` this `Dense` was created with.
    public let units: Int
    /// The `activation` this `Dense` was created with.
    public let activation: ActivationFunction
    /// The `useBias` this `Dense` was created with.
    public let useBias: Bool
    /// The `kernelInitializer` this `Dense` was created with.
    public let kernelInitializer: any Initializer
    /// The `biasInitializer` this `Dense` was created with.
    public let biasInitializer: any Initializer
    /// The `kernelRegularizer` this `Dense` was created with.
    public let kernelRegularizer: (any Regularizer)?
    /// The `biasRegularizer` this `Dense` was created with.
    public let biasRegularizer: (any Regularizer)?
    /// The `kernelConstraint` this `Dense` was created with.
    public let kernelConstraint: (any Constraint)?
    /// The `biasConstraint` this `Dense` was created with.
    public let biasConstraint: (any Constraint)?
    /// `(inputDim, units)`, once built.
    public private(set) var kernel: Variable!
    /// `(units,)`, once built with `useBias`.
    public private(set) var bias: Variable?
    /// The LoRA rank, once LoRA is enabled (or requested at construction).
    public private(set) var loraRank: Int?
    /// The LoRA scale numerator (`loraAlpha / loraRank` multiplies the low-rank update).
    public private(set) var loraAlpha: Double?
    /// `(inputDim, loraRank)` and `(loraRank, units)`, once LoRA is enabled.
    public private(set) var loraKernelA: Variable?
    /// The second LoRA factor `(loraRank, units)`, once LoRA is enabled.
    public private(set) var loraKernelB: Variable?

    /// Creates a fully connected layer of `units` outputs (Keras's `Dense`), built on its first call.
    ///
    /// - Parameters:
    ///   - units: Dimensionality of the output space (positive).
    ///   - activation: Activation applied to the output (Keras's `activation`; `.linear` for none).
    ///   - useBias: Whether the layer adds a bias vector.
    ///   - kernelInitializer: Initializer of the kernel weights.
    ///   - biasInitializer: Initializer of the bias.
    ///   - kernelRegularizer: Penalty on the kernel, added to the loss.
    ///   - biasRegularizer: Penalty on the bias, added to the loss.
    ///   - activityRegularizer: Penalty on the layer's output, added to the loss.
    ///   - kernelConstraint: Constraint applied to the kernel after each optimizer step.
    ///   - biasConstraint: Constraint applied to the bias after each optimizer step.
    ///   - loraRank: With a rank, the kernel is frozen and a trainable low-rank update of that rank is added (LoRA).
    ///   - loraAlpha: The LoRA scale numerator (`loraAlpha / loraRank` multiplies the update); defaults to `loraRank`.
    ///   - name: The layer's name; a unique name from the class name when `nil`.
    ///   - trainable: Whether the layer's weights are updated in training.
    ///   - dtype: The dtype of the weights and computations.
    public init(_ units: Int, activation: ActivationFunction = .linear, useBias: Bool = true,
                kernelInitializer: any Initializer = GlorotUniform(), biasInitializer: any Initializer = Zeros(),
                kernelRegularizer: (any Regularizer)? = nil, biasRegularizer: (any Regularizer)? = nil,
                activityRegularizer: (any Regularizer)? = nil,
                kernelConstraint: (any Constraint)? = nil, biasConstraint: (any Constraint)? = nil,
                loraRank: Int? = nil, loraAlpha: Double? = nil,
                name: String? = nil, trainable: Bool = true, dtype: DType = .float32) {
        requireValid { try Self.validate(units: units, loraRank: loraRank, loraAlpha: loraAlpha) }
        self.units = units
        self.activation = activation
        self.useBias = useBias
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        self.kernelRegularizer = kernelRegularizer
        self.biasRegularizer = biasRegularizer
        self.kernelConstraint = kernelConstraint
        self.biasConstraint = biasConstraint
        self.loraRank = loraRank
        self.loraAlpha = loraRank.map { Double(loraAlpha ?? Double($0)) }
        super.init(name: name, trainable: trainable, dtype: dtype)
        self.activityRegularizer = activityRegularizer
        inputSpec = [InputSpec(minRank: 2)]
    }

    /// Keras's argument checks: `units` and `lora_rank` positive, `lora_alpha` finite.
    static func validate(units: Int, loraRank: Int?, loraAlpha: Double?) throws {
        try ensure(units > 0, "Dense: Received an invalid value for `units`, expected a positive integer. Received: units=\(units)")
        if let loraRank {
            try ensure(loraRank > 0, "Dense: Received an invalid value for `lora_rank`, expected a positive integer. Received: lora_rank=\(loraRank)")
        }
        if let loraAlpha {
            try ensure(loraAlpha.isFinite, "Dense: Received an invalid value for `lora_alpha`, expected a finite number. Received: lora_alpha=\(loraAlpha)")
        }
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let dense = try Dense(config: ["units": 3, "activation": "relu"])
    /// ```
    ///
    /// - Throws: `KerasError.invalidConfig` naming the key for a missing, mistyped or
    ///   out-of-range value (`units: -3`), and for quantized layers.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: Dense.self, config: config)
        let base = try r.layerBase()
        if let quantization = r.value("quantization_config"), !quantization.isNull {
            throw KerasError.invalidConfig("Dense \"\(base.name ?? "?")\": quantized layers are not supported (quantization_config=\(quantization)); save the model from Keras before quantizing it")
        }
        let units = try r.int("units")
        let loraRank = try r.optionalInt("lora_rank"), loraAlpha = try r.optionalDouble("lora_alpha")
        try r.validated { try Dense.validate(units: units, loraRank: loraRank, loraAlpha: loraAlpha) }
        self.init(units, activation: try r.activation(), useBias: try r.bool("use_bias", default: true),
                  kernelInitializer: try r.initializer("kernel_initializer", default: GlorotUniform()),
                  biasInitializer: try r.initializer("bias_initializer", default: Zeros()),
                  kernelRegularizer: try r.regularizer("kernel_regularizer"),
                  biasRegularizer: try r.regularizer("bias_regularizer"),
                  activityRegularizer: try r.regularizer("activity_regularizer"),
                  kernelConstraint: try r.constraint("kernel_constraint"),
                  biasConstraint: try r.constraint("bias_constraint"),
                  loraRank: loraRank, loraAlpha: loraAlpha,
                  name: base.name, trainable: base.trainable, dtype: base.dtype)
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        guard let last = inputShapes.first?.last, last != nil else {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\": the last dimension of the inputs to a Dense layer should be defined. Found None. Full input shape received: \(formatShape(inputShapes.first ?? []))")
        }
        if let inputDim = last, boundedElementCount([inputDim, units]) == nil {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\": a kernel of shape \(formatShape([inputDim, units])) would hold more than \(maxWeightElements) elements")
        }
        return nil
    }

    public override func build(inputShape: [Int?]) {
        guard let inputDim = inputShape.last ?? nil else {
            fatalError("Layer \"\(name)\": the last dimension of the inputs to a Dense layer should be defined. Found None. Full input shape received: \(formatShape(inputShape))")
        }
        kernel = addWeight(name: "kernel", shape: [inputDim, units], initializer: kernelInitializer,
                           regularizer: kernelRegularizer, constraint: kernelConstraint)
        if useBias {
            bias = addWeight(name: "bias", shape: [units], initializer: biasInitializer,
                             regularizer: biasRegularizer, constraint: biasConstraint)
        }
        inputSpec = [InputSpec(minRank: 2, axes: [-1: inputDim])]
        // As in Keras, a rank given at construction is enabled here with alpha = rank.
        if let rank = loraRank { loraRank = nil; enableLora(rank: rank) }
    }

    /// Freezes the kernel and adds trainable low-rank factors `A (inputDim, rank)` (He uniform)
    /// and `B (rank, units)` (zeros), so fine-tuning trains `rank·(inputDim + units)` weights
    /// instead of the kernel (`Dense.enable_lora`). `loraAlpha` defaults to `rank`.
    ///
    /// ```swift
    /// let layer = Dense(64)
    /// _ = layer(Tensor.ones([1, 512]))
    /// layer.enableLora(rank: 4)   // trainable: bias, lora_kernel_a, lora_kernel_b
    /// ```
    public func enableLora(rank: Int, loraAlpha: Double? = nil, aInitializer: any Initializer = HeUniform(),
                           bInitializer: any Initializer = Zeros()) {
        require(kernelConstraint == nil,
                "Dense \"\(name)\": Lora is incompatible with kernel constraints. In order to enable lora on this layer, remove the `kernel_constraint` argument.")
        require(kernel != nil, "Dense \"\(name)\": Cannot enable lora on a layer that isn't yet built.")
        require(loraKernelA == nil, "Dense \"\(name)\": lora is already enabled. This can only be done once per layer.")
        require(rank > 0, "Dense \"\(name)\": lora rank must be a positive integer. Received: rank=\(rank)")
        loraKernelA = addWeight(name: "lora_kernel_a", shape: [kernel.shape[0], rank], initializer: aInitializer,
                                regularizer: kernelRegularizer)
        loraKernelB = addWeight(name: "lora_kernel_b", shape: [rank, units], initializer: bInitializer,
                                regularizer: kernelRegularizer)
        kernel.trainable = false
        loraRank = rank
        self.loraAlpha = loraAlpha ?? Double(rank)
    }

    /// The kernel the layer applies: ``kernel``, plus the scaled LoRA update when enabled.
    public var effectiveKernel: Tensor {
        guard let a = loraKernelA, let b = loraKernelB, let rank = loraRank, let alpha = loraAlpha else { return kernel.value }
        return kernel.value + (alpha / Double(rank)) * a.value.matmul(b.value)
    }

    public override func call(_ inputs: Tensor, training: Bool) -> Tensor {
        let kernel = loraKernelA == nil ? self.kernel.value : effectiveKernel
        // One fused product with the bias (and relu / gelu) over all leading axes at once.
        if inputs.dtype == kernel.dtype && (inputs.dtype == .float32 || inputs.dtype == .float64) {
            let fused: LinearActivation? = switch activation {
            case .linear: LinearActivation.none
            case .relu: .relu
            case .gelu: .gelu
            default: nil
            }
            let y = inputs.linear(kernel: kernel, bias: bias?.value, activation: fused ?? .none)
            return fused == nil ? activation(y) : y
        }
        var y = inputs.matmul(kernel)
        if let bias { y = y + bias.value }
        if case .linear = activation { return y }
        return activation(y)
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] {
        Array(inputShape.dropLast()) + [units]
    }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["units"] = .int(units)
        config["activation"] = .string(activation.name)
        config["use_bias"] = .bool(useBias)
        config["kernel_initializer"] = kernelInitializer.serialize()
        config["bias_initializer"] = biasInitializer.serialize()
        config["kernel_regularizer"] = serializeOptional(kernelRegularizer)
        config["bias_regularizer"] = serializeOptional(biasRegularizer)
        config["kernel_constraint"] = serializeOptional(kernelConstraint)
        config["bias_constraint"] = serializeOptional(biasConstraint)
        config["quantization_config"] = .null
        if let loraRank, let loraAlpha {
            config["lora_rank"] = .int(loraRank)
            config["lora_alpha"] = loraAlpha == loraAlpha.rounded() ? .int(Int(loraAlpha)) : .double(loraAlpha)
        }
        return config
    }
}
