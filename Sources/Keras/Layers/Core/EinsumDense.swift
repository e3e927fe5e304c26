/// A dense layer whose product is an einsum equation (`keras.layers.EinsumDense`): the kernel's
/// shape, and the bias's, follow from the equation, `outputShape` and the input shape.
///
/// `equation` takes one of Keras's three forms: `ab,bc->ac` (every axis named), `...b,bc->...c`
/// (leading axes elided) or `ab...,bc->ac...` (trailing axes elided). `outputShape` lists the
/// output sizes after the batch axis (or, with leading axes elided, after the elided axes);
/// `nil` entries are taken from the input. `biasAxes` names the output axes a bias is added on.
///
/// ```swift
/// let layer = EinsumDense("abc,cde->abde", outputShape: [nil, 4, 16], biasAxes: "de")
/// let y = layer(Tensor.ones([2, 10, 64]))   // shape (2, 10, 4, 16); kernel (64, 4, 16), bias (4, 16)
/// ```
///
/// Projections (the input's trailing axes against the kernel's leading ones, as in the examples)
/// run as one matrix product; other equations through KerasCore's `einsum(_:_:)`.
/// With `loraRank` the kernel is frozen and a trainable low-rank update is added, as in ``Dense``.
public final class EinsumDense: Layer, @unchecked Sendable {
    /// Its call writes no state in inference, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// The `equation` this `EinsumDense` was created with.
    public let equation: String
    /// The parsed equation.
    public let parsedEquation: EinsumDenseEquation
    /// The output sizes after the batch (or elided) axes, as given (`nil`: from the input).
    public let partialOutputShape: [Int?]
    /// The activation applied to the output (`.linear`: none).
    public let activation: ActivationFunction
    /// The output axes that carry a bias (`nil`: no bias).
    public let biasAxes: String?
    /// The `kernelInitializer` this `EinsumDense` was created with.
    public let kernelInitializer: any Initializer
    /// The `biasInitializer` this `EinsumDense` was created with.
    public let biasInitializer: any Initializer
    /// The `kernelRegularizer` this `EinsumDense` was created with.
    public let kernelRegularizer: (any Regularizer)?
    /// The `biasRegularizer` this `EinsumDense` was created with.
    public let biasRegularizer: (any Regularizer)?
    /// The `kernelConstraint` this `EinsumDense` was created with.
    public let kernelConstraint: (any Constraint)?
    /// The `biasConstraint` this `EinsumDense` was created with.
    public let biasConstraint: (any Constraint)?
    /// The kernel, once built.
    public private(set) var kernel: Variable!
    /// The bias, once built with `biasAxes`.
    public private(set) var bias: Variable?
    /// The LoRA rank, once LoRA is enabled (or requested at construction).
    public private(set) var loraRank: Int?
    /// The LoRA scale numerator (`loraAlpha / loraRank` multiplies the low-rank update).
    public private(set) var loraAlpha: Double?
    /// `kernel.shape.dropLast() + [loraRank]`, once LoRA is enabled.
    public private(set) var loraKernelA: Variable?
    /// `(loraRank, kernel.shape.last)`, once LoRA is enabled.
    public private(set) var loraKernelB: Variable?

    /// Creates an einsum dense layer (Keras's `EinsumDense`), built on its first call.
    ///
    /// - Parameters:
    ///   - equation: The einsum equation: `ab,bc->ac`, `...b,bc->...c` or `ab...,bc->ac...` forms.
    ///   - outputShape: The output sizes after the batch axis (or after the elided leading axes); `nil` for sizes taken from the input.
    ///   - activation: Activation applied to the output (`.linear` for none).
    ///   - biasAxes: The output letters a bias is added on (`nil`: no bias).
    ///   - kernelInitializer: Initializer of the kernel (a `VarianceScaling` one gets the equation's fan axes, as in Keras).
    ///   - biasInitializer: Initializer of the bias.
    ///   - kernelRegularizer: Penalty on the kernel, added to the loss.
    ///   - biasRegularizer: Penalty on the bias, added to the loss.
    ///   - activityRegularizer: Penalty on the layer's output, added to the loss.
    ///   - kernelConstraint: Constraint applied to the kernel after each optimizer step.
    ///   - biasConstraint: Constraint applied to the bias after each optimizer step.
    ///   - loraRank: With a rank, the kernel is frozen and a trainable low-rank update is added (LoRA).
    ///   - loraAlpha: The LoRA scale numerator; defaults to `loraRank`.
    ///   - name: The layer's name; a unique name from the class name when `nil`.
    ///   - trainable: Whether the layer's weights are updated in training.
    ///   - dtype: The dtype of the weights and computations.
    public convenience init(_ equation: String, outputShape: [Int?], activation: ActivationFunction = .linear,
                            biasAxes: String? = nil,
                            kernelInitializer: any Initializer = GlorotUniform(), biasInitializer: any Initializer = Zeros(),
                            kernelRegularizer: (any Regularizer)? = nil, biasRegularizer: (any Regularizer)? = nil,
                            activityRegularizer: (any Regularizer)? = nil,
                            kernelConstraint: (any Constraint)? = nil, biasConstraint: (any Constraint)? = nil,
                            loraRank: Int? = nil, loraAlpha: Double? = nil,
                            name: String? = nil, trainable: Bool = true, dtype: DType = .float32) {
        var parsed: EinsumDenseEquation?
        requireValid {
            parsed = try Self.validate(equation: equation, outputShape: outputShape, biasAxes: biasAxes,
                                       loraRank: loraRank, loraAlpha: loraAlpha, hasKernelConstraint: kernelConstraint != nil)
        }
        self.init(parsed!, outputShape: outputShape, activation: activation, biasAxes: biasAxes,
                  kernelInitializer: kernelInitializer, biasInitializer: biasInitializer,
                  kernelRegularizer: kernelRegularizer, biasRegularizer: biasRegularizer,
                  activityRegularizer: activityRegularizer, kernelConstraint: kernelConstraint, biasConstraint: biasConstraint,
                  loraRank: loraRank, loraAlpha: loraAlpha, name: name, trainable: trainable, dtype: dtype)
    }

    /// An einsum dense layer with a single output size (`output_shape=64` in Keras).
    ///
    /// ```swift
    /// let layer = EinsumDense("ab,bc->ac", outputShape: 64, biasAxes: "c")   // Dense(64)
    /// ```
    public convenience init(_ equation: String, outputShape: Int, activation: ActivationFunction = .linear,
                            biasAxes: String? = nil, kernelInitializer: any Initializer = GlorotUniform(),
                            biasInitializer: any Initializer = Zeros(), name: String? = nil, dtype: DType = .float32) {
        self.init(equation, outputShape: [outputShape], activation: activation, biasAxes: biasAxes,
                  kernelInitializer: kernelInitializer, biasInitializer: biasInitializer, name: name, dtype: dtype)
    }

    private init(_ parsed: EinsumDenseEquation, outputShape: [Int?], activation: ActivationFunction, biasAxes: String?,
                 kernelInitializer: any Initializer, biasInitializer: any Initializer,
                 kernelRegularizer: (any Regularizer)?, biasRegularizer: (any Regularizer)?,
                 activityRegularizer: (any Regularizer)?,
                 kernelConstraint: (any Constraint)?, biasConstraint: (any Constraint)?,
                 loraRank: Int?, loraAlpha: Double?, name: String?, trainable: Bool, dtype: DType) {
        self.equation = parsed.equation
        self.parsedEquation = parsed
        self.partialOutputShape = outputShape
        self.activation = activation
        self.biasAxes = biasAxes
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        self.kernelRegularizer = kernelRegularizer
        self.biasRegularizer = biasRegularizer
        self.kernelConstraint = kernelConstraint
        self.biasConstraint = biasConstraint
        self.loraRank = loraRank
        self.loraAlpha = loraRank.map { loraAlpha ?? Double($0) }
        super.init(name: name, trainable: trainable, dtype: dtype)
        self.activityRegularizer = activityRegularizer
    }

    /// The argument checks: a parsable equation, an `output_shape` of the right length with
    /// positive sizes, bias axes among the output letters, a positive `lora_rank`, a finite `lora_alpha`.
    static func validate(equation: String, outputShape: [Int?], biasAxes: String?, loraRank: Int?,
                         loraAlpha: Double?, hasKernelConstraint: Bool) throws -> EinsumDenseEquation {
        let parsed = try EinsumDenseEquation(equation)
        if let problem = parsed.partialOutputProblem(outputShape) ?? parsed.biasAxesProblem(biasAxes) {
            throw KerasError.invalidArgument("EinsumDense: \(problem) (equation '\(equation)')")
        }
        try ensureBoundedSizes(outputShape.compactMap { $0 }, layer: "EinsumDense", argument: "output_shape")
        if let loraRank {
            try ensure(loraRank > 0, "EinsumDense: Received an invalid value for `lora_rank`, expected a positive integer. Received: lora_rank=\(loraRank)")
            try ensure(!hasKernelConstraint, "EinsumDense: Lora is incompatible with kernel constraints. In order to enable lora on this layer, remove the `kernel_constraint` argument. Received: lora_rank=\(loraRank)")
        }
        if let loraAlpha {
            try ensure(loraAlpha.isFinite, "EinsumDense: Received an invalid value for `lora_alpha`, expected a finite number. Received: lora_alpha=\(loraAlpha)")
        }
        return parsed
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let layer = try EinsumDense(config: ["equation": "ab,bc->ac", "output_shape": [8], "bias_axes": "c"])
    /// ```
    ///
    /// - Throws: `KerasError.invalidConfig` naming the key for a missing, mistyped or invalid
    ///   value (an equation Keras cannot read, an `output_shape` that does not fit it), and for
    ///   quantized layers.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: EinsumDense.self, config: config)
        let base = try r.layerBase()
        if let quantization = r.value("quantization_config"), !quantization.isNull {
            throw KerasError.invalidConfig("EinsumDense \"\(base.name ?? "?")\": quantized layers are not supported (quantization_config=\(quantization)); save the model from Keras before quantizing it")
        }
        if let gptq = r.value("gptq_unpacked_column_size"), !gptq.isNull {
            throw KerasError.invalidConfig("EinsumDense \"\(base.name ?? "?")\": GPTQ-quantized layers are not supported (gptq_unpacked_column_size=\(gptq))")
        }
        guard let equation = try r.optionalString("equation") else {
            throw r.mismatch("equation", "an einsum equation string", config["equation"] ?? .null, absent: config["equation"] == nil)
        }
        let outputShape: [Int?]
        if let single = r.value("output_shape")?.intValue {
            outputShape = [single]
        } else {
            guard let shape = try r.optionalShape("output_shape") else {
                throw r.mismatch("output_shape", "an integer or a list of integers and nulls", config["output_shape"] ?? .null,
                                 absent: config["output_shape"] == nil)
            }
            outputShape = shape
        }
        let biasAxes = try r.optionalString("bias_axes")
        let loraRank = try r.optionalInt("lora_rank"), loraAlpha = try r.optionalDouble("lora_alpha")
        let kernelConstraint = try r.constraint("kernel_constraint")
        let parsed = try r.validated {
            try EinsumDense.validate(equation: equation, outputShape: outputShape, biasAxes: biasAxes,
                                     loraRank: loraRank, loraAlpha: loraAlpha, hasKernelConstraint: kernelConstraint != nil)
        }
        self.init(parsed, outputShape: outputShape, activation: try r.activation(), biasAxes: biasAxes,
                  kernelInitializer: try r.initializer("kernel_initializer", default: GlorotUniform()),
                  biasInitializer: try r.initializer("bias_initializer", default: Zeros()),
                  kernelRegularizer: try r.regularizer("kernel_regularizer"),
                  biasRegularizer: try r.regularizer("bias_regularizer"),
                  activityRegularizer: try r.regularizer("activity_regularizer"),
                  kernelConstraint: kernelConstraint,
                  biasConstraint: try r.constraint("bias_constraint"),
                  loraRank: loraRank, loraAlpha: loraAlpha,
                  name: base.name, trainable: base.trainable, dtype: base.dtype)
    }

    private func shapes(_ inputShape: [Int?]) throws -> EinsumDenseEquation.Shapes {
        try parsedEquation.shapes(input: inputShape, partialOutput: partialOutputShape, biasAxes: biasAxes, layer: name)
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        guard let shape = inputShapes.first else { return nil }
        let s: EinsumDenseEquation.Shapes
        do { s = try shapes(shape) } catch let error as KerasError { return error } catch { return .incompatibleInput(layer: name, message: "\(error)") }
        // Once built, the input's sizes must give the kernel the layer has.
        if built, let kernel, s.kernel != kernel.shape {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (EinsumDense): input shape \(formatShape(shape)) asks for a kernel of shape \(formatShape(s.kernel)) under equation '\(equation)', but the layer was built with a kernel of shape \(formatShape(kernel.shape))")
        }
        return nil
    }

    public override func build(inputShape: [Int?]) {
        let s: EinsumDenseEquation.Shapes
        do { s = try shapes(inputShape) } catch {
            BuildIssues.report(error as? KerasError ?? .incompatibleInput(layer: name, message: "\(error)"))
            return
        }
        kernel = addWeight(name: "kernel", shape: s.kernel,
                           initializer: withFanAxes(kernelInitializer, input: s.inputAxes, output: s.outputAxes),
                           regularizer: kernelRegularizer, constraint: kernelConstraint)
        if let biasShape = s.bias {
            bias = addWeight(name: "bias", shape: biasShape, initializer: biasInitializer,
                             regularizer: biasRegularizer, constraint: biasConstraint)
        }
        // Fixed rank (Keras's InputSpec(ndim=…)); the sizes are checked against the equation.
        inputSpec = [InputSpec(rank: inputShape.count)]
        if let rank = loraRank { loraRank = nil; enableLora(rank: rank, loraAlpha: loraAlpha) }
    }

    /// Freezes the kernel and adds trainable low-rank factors `A (kernel.shape.dropLast() + [rank])`
    /// (He uniform) and `B (rank, kernel.shape.last)` (zeros), Keras's `EinsumDense.enable_lora`;
    /// the kernel applied is `kernel + (loraAlpha / rank) · A·B`.
    ///
    /// ```swift
    /// let layer = EinsumDense("ab,bc->ac", outputShape: 64)
    /// _ = layer(Tensor.ones([1, 512]))
    /// layer.enableLora(rank: 4)
    /// ```
    public func enableLora(rank: Int, loraAlpha: Double? = nil, aInitializer: any Initializer = HeUniform(),
                           bInitializer: any Initializer = Zeros()) {
        require(kernelConstraint == nil,
                "EinsumDense \"\(name)\": Lora is incompatible with kernel constraints. In order to enable lora on this layer, remove the `kernel_constraint` argument.")
        require(kernel != nil, "EinsumDense \"\(name)\": Cannot enable lora on a layer that isn't yet built.")
        require(loraKernelA == nil, "EinsumDense \"\(name)\": lora is already enabled. This can only be done once per layer.")
        require(rank > 0, "EinsumDense \"\(name)\": lora rank must be a positive integer. Received: rank=\(rank)")
        let shape = kernel.shape
        loraKernelA = addWeight(name: "lora_kernel_a", shape: shape.dropLast() + [rank], initializer: aInitializer,
                                regularizer: kernelRegularizer)
        loraKernelB = addWeight(name: "lora_kernel_b", shape: [rank, shape.last ?? 1], initializer: bInitializer,
                                regularizer: kernelRegularizer)
        kernel.trainable = false
        loraRank = rank
        self.loraAlpha = loraAlpha ?? Double(rank)
    }

    /// The kernel the layer applies: ``kernel``, plus the scaled LoRA update when enabled.
    public var effectiveKernel: Tensor {
        guard let a = loraKernelA, let b = loraKernelB, let rank = loraRank, let alpha = loraAlpha else { return kernel.value }
        let shape = kernel.shape
        let rows = shape.dropLast().reduce(1, *)
        let update = a.value.reshaped(to: [rows, rank]).matmul(b.value).reshaped(to: shape)
        return kernel.value + (alpha / Double(rank)) * update
    }

    public override func call(_ inputs: Tensor, training: Bool) -> Tensor {
        // Integer inputs are multiplied as floats of the layer's dtype (Keras's einsum promotes them).
        let x = inputs.dtype == dtype || !dtype.isFloatingPoint ? inputs : inputs.cast(to: dtype)
        let kernel = loraKernelA == nil ? self.kernel.value : effectiveKernel
        var y: Tensor
        if let contracted = parsedEquation.projectionContractedRank(inputRank: x.rank) {
            y = projectTrailingAxes(x, kernel: kernel, contractedRank: contracted, bias: bias?.value)
        } else {
            let (i, k, o) = parsedEquation.explicit(inputRank: x.rank)
            y = einsum(String(i) + "," + String(k) + "->" + String(o), x, kernel)
            if let bias { y = y + bias.value }
        }
        if case .linear = activation { return y }
        return activation(y)
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] {
        (try? shapes(inputShape).output) ?? traceOutputShapes([inputShape])[0]
    }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["output_shape"] = .array(partialOutputShape.map { $0.map(ConfigValue.int) ?? .null })
        config["equation"] = .string(equation)
        config["activation"] = .string(activation.name)
        config["bias_axes"] = biasAxes.map(ConfigValue.string) ?? .null
        config["kernel_initializer"] = kernelInitializer.serialize()
        config["bias_initializer"] = biasInitializer.serialize()
        config["kernel_regularizer"] = serializeOptional(kernelRegularizer)
        config["bias_regularizer"] = serializeOptional(biasRegularizer)
        config["activity_regularizer"] = serializeOptional(activityRegularizer)
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

/// `initializer` with the kernel's fan axes filled in when it is a `VarianceScaling` kind
/// whose `input_axes`/`output_axes` are unset, as Keras's `EinsumDense` does, so that the
/// fans are the products of the input and output sizes whatever the kernel's rank.
func withFanAxes(_ initializer: any Initializer, input: [Int], output: [Int]) -> any Initializer {
    (initializer as? any FanAxesInitializer)?.withFanAxes(input: input, output: output) ?? initializer
}

/// A `VarianceScaling` initializer whose fan axes a layer can set.
protocol FanAxesInitializer: Initializer {
    /// A copy with `input`/`output` fan axes unless both are set.
    func withFanAxes(input: [Int], output: [Int]) -> any Initializer
}

extension VarianceScaling: FanAxesInitializer {
    func withFanAxes(input: [Int], output: [Int]) -> any Initializer {
        guard inputAxes == nil || outputAxes == nil else { return self }
        return VarianceScaling(scale: scale, mode: mode, distribution: distribution, seed: seed, inputAxes: input, outputAxes: output)
    }
}

extension VarianceScalingPreset: FanAxesInitializer {
    func withFanAxes(input: [Int], output: [Int]) -> any Initializer {
        guard inputAxes == nil || outputAxes == nil else { return self }
        return Self(seed: seed, inputAxes: input, outputAxes: output)
    }
}
