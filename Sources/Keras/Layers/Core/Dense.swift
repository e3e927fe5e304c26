/// A fully connected layer: `activation(inputs · kernel + bias)` on the last axis
/// (`keras.layers.Dense`). The kernel is `(inputDim, units)`, created on the first call.
///
/// ```swift
/// let layer = Dense(3, activation: .relu)
/// let y = layer(Tensor.ones([2, 4]))   // shape (2, 3); kernel (4, 3), bias (3,)
/// ```
public final class Dense: Layer, @unchecked Sendable {
    public let units: Int
    public let activation: Activation
    public let useBias: Bool
    public let kernelInitializer: any Initializer
    public let biasInitializer: any Initializer
    public let kernelRegularizer: (any Regularizer)?
    public let biasRegularizer: (any Regularizer)?
    public let kernelConstraint: (any Constraint)?
    public let biasConstraint: (any Constraint)?
    /// `(inputDim, units)`, once built.
    public private(set) var kernel: Variable!
    /// `(units,)`, once built with `useBias`.
    public private(set) var bias: Variable?

    public init(_ units: Int, activation: Activation = .linear, useBias: Bool = true,
                kernelInitializer: any Initializer = GlorotUniform(), biasInitializer: any Initializer = Zeros(),
                kernelRegularizer: (any Regularizer)? = nil, biasRegularizer: (any Regularizer)? = nil,
                activityRegularizer: (any Regularizer)? = nil,
                kernelConstraint: (any Constraint)? = nil, biasConstraint: (any Constraint)? = nil,
                name: String? = nil, trainable: Bool = true, dtype: DType = .float32) {
        precondition(units > 0, "Dense: received an invalid value for `units`, expected a positive integer. Received: units=\(units)")
        self.units = units
        self.activation = activation
        self.useBias = useBias
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        self.kernelRegularizer = kernelRegularizer
        self.biasRegularizer = biasRegularizer
        self.kernelConstraint = kernelConstraint
        self.biasConstraint = biasConstraint
        super.init(name: name, trainable: trainable, dtype: dtype)
        self.activityRegularizer = activityRegularizer
        inputSpec = [InputSpec(minRank: 2)]
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    public convenience init(config: Config) throws {
        self.init(try configInt(config, "units", layer: "Dense"),
                  activation: try layerResolveActivation(config["activation"]),
                  useBias: config["use_bias"]?.boolValue ?? true,
                  kernelInitializer: try layerResolveInitializer(config["kernel_initializer"], default: GlorotUniform()),
                  biasInitializer: try layerResolveInitializer(config["bias_initializer"], default: Zeros()),
                  kernelRegularizer: try layerResolveRegularizer(config["kernel_regularizer"]),
                  biasRegularizer: try layerResolveRegularizer(config["bias_regularizer"]),
                  activityRegularizer: try layerResolveRegularizer(config["activity_regularizer"]),
                  kernelConstraint: try layerResolveConstraint(config["kernel_constraint"]),
                  biasConstraint: try layerResolveConstraint(config["bias_constraint"]),
                  name: config["name"]?.stringValue, trainable: config["trainable"]?.boolValue ?? true,
                  dtype: try dtypeFromConfig(config["dtype"]))
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        guard let last = inputShapes.first?.last, last != nil else {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\": the last dimension of the inputs to a Dense layer should be defined. Found None. Full input shape received: \(formatShape(inputShapes.first ?? []))")
        }
        return nil
    }

    public override func build(inputShape: [Int?]) {
        guard let inputDim = inputShape.last ?? nil else {
            preconditionFailure("Layer \"\(name)\": the last dimension of the inputs to a Dense layer should be defined. Found None. Full input shape received: \(formatShape(inputShape))")
        }
        kernel = addWeight(name: "kernel", shape: [inputDim, units], initializer: kernelInitializer,
                           regularizer: kernelRegularizer, constraint: kernelConstraint)
        if useBias {
            bias = addWeight(name: "bias", shape: [units], initializer: biasInitializer,
                             regularizer: biasRegularizer, constraint: biasConstraint)
        }
        inputSpec = [InputSpec(minRank: 2, axes: [-1: inputDim])]
    }

    public override func call(_ inputs: Tensor, training: Bool) -> Tensor {
        var y = inputs.matmul(kernel.value)
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
        return config
    }
}
