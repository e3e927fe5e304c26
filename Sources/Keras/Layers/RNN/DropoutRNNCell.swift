import KerasCore

/// The shared base of Keras's built-in cells (``SimpleRNNCell``, ``LSTMCell``, ``GRUCell``): a
/// `kernel (inputDim, gates·units)` for the input, a `recurrent_kernel (units, gates·units)`
/// for the state, a bias, and dropout on the input and on the state (Keras's `DropoutRNNCell`).
///
/// It splits a step into the input projection, which ``RNN`` computes for all time steps with
/// one matrix product, and ``recurrentStep(_:states:recurrentMask:)``, the part that needs the
/// previous state. Dropout masks are drawn once per sequence and reused at every step, as in Keras.
///
/// ```swift
/// let cell = LSTMCell(8)
/// let (h, states) = cell(Tensor.ones([2, 3]), states: cell.initialStates(batchSize: 2))   // h: (2, 8)
/// ```
open class DropoutRNNCell: RNNCell, @unchecked Sendable {
    /// The `units` this `DropoutRNNCell` was created with.
    public let units: Int
    /// The `activation` this `DropoutRNNCell` was created with.
    public let activation: ActivationFunction
    /// The `useBias` this `DropoutRNNCell` was created with.
    public let useBias: Bool
    /// The `kernelInitializer` this `DropoutRNNCell` was created with.
    public let kernelInitializer: any Initializer
    /// The `recurrentInitializer` this `DropoutRNNCell` was created with.
    public let recurrentInitializer: any Initializer
    /// The `biasInitializer` this `DropoutRNNCell` was created with.
    public let biasInitializer: any Initializer
    /// The `kernelRegularizer` this `DropoutRNNCell` was created with.
    public let kernelRegularizer: (any Regularizer)?
    /// The `recurrentRegularizer` this `DropoutRNNCell` was created with.
    public let recurrentRegularizer: (any Regularizer)?
    /// The `biasRegularizer` this `DropoutRNNCell` was created with.
    public let biasRegularizer: (any Regularizer)?
    /// The `kernelConstraint` this `DropoutRNNCell` was created with.
    public let kernelConstraint: (any Constraint)?
    /// The `recurrentConstraint` this `DropoutRNNCell` was created with.
    public let recurrentConstraint: (any Constraint)?
    /// The `biasConstraint` this `DropoutRNNCell` was created with.
    public let biasConstraint: (any Constraint)?
    /// Fraction of the input units dropped in training (clamped to [0, 1] as Keras does).
    public let dropout: Double
    /// Fraction of the state units dropped in training (clamped to [0, 1]).
    public let recurrentDropout: Double
    /// The `seed` this `DropoutRNNCell` was created with.
    public let seed: Int?
    /// Its random stream for the dropout masks (Keras's `seed_generator`), seeded with ``seed``.
    public let seedGenerator: SeedGenerator

    /// `(inputDim, gates·units)`, once built.
    public internal(set) var kernel: Variable!
    /// `(units, gates·units)`, once built.
    public internal(set) var recurrentKernel: Variable!
    /// `(gates·units,)` (GRU with `resetAfter`: `(2, 3·units)`), once built with `useBias`.
    public internal(set) var bias: Variable?

    /// The arguments every built-in cell takes; subclasses pass theirs through.
    public init(units: Int, activation: ActivationFunction, useBias: Bool,
                kernelInitializer: any Initializer, recurrentInitializer: any Initializer,
                biasInitializer: any Initializer,
                kernelRegularizer: (any Regularizer)?, recurrentRegularizer: (any Regularizer)?,
                biasRegularizer: (any Regularizer)?,
                kernelConstraint: (any Constraint)?, recurrentConstraint: (any Constraint)?,
                biasConstraint: (any Constraint)?,
                dropout: Double, recurrentDropout: Double, seed: Int?,
                name: String?, trainable: Bool, dtype: DType) {
        requireValid { try Self.validate(units: units, dropout: dropout, recurrentDropout: recurrentDropout, layer: Self.className) }
        self.units = units
        self.activation = activation
        self.useBias = useBias
        self.kernelInitializer = kernelInitializer
        self.recurrentInitializer = recurrentInitializer
        self.biasInitializer = biasInitializer
        self.kernelRegularizer = kernelRegularizer
        self.recurrentRegularizer = recurrentRegularizer
        self.biasRegularizer = biasRegularizer
        self.kernelConstraint = kernelConstraint
        self.recurrentConstraint = recurrentConstraint
        self.biasConstraint = biasConstraint
        self.dropout = Swift.min(1, Swift.max(0, dropout))
        self.recurrentDropout = Swift.min(1, Swift.max(0, recurrentDropout))
        self.seed = seed
        self.seedGenerator = SeedGenerator(seed: seed)
        super.init(name: name, trainable: trainable, dtype: dtype)
    }

    /// Keras's checks: `units` positive; the dropout rates numbers (Keras clamps them to [0, 1]).
    static func validate(units: Int, dropout: Double, recurrentDropout: Double, layer: String) throws {
        try ensure(units > 0, "\(layer): Received an invalid value for argument `units`, expected a positive integer, got \(units).")
        try ensure(!dropout.isNaN && !recurrentDropout.isNaN,
                   "\(layer): `dropout` and `recurrent_dropout` must be numbers, received dropout=\(dropout), recurrent_dropout=\(recurrentDropout)")
    }

    /// The number of gate blocks in the kernels (1 SimpleRNN, 4 LSTM, 3 GRU).
    open var gateCount: Int { 1 }

    open override var stateSize: [Int] { [units] }

    /// The bias shape (`(gates·units,)` unless a cell differs) and its initial value.
    open func makeBias() -> Variable {
        addWeight(name: "bias", shape: [gateCount * units], initializer: biasInitializer,
                  regularizer: biasRegularizer, constraint: biasConstraint)
    }

    open override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        guard let shape = inputShapes.first, (shape.last ?? nil) == nil else { return nil }
        return .incompatibleInput(layer: name, message: "\(className) \"\(name)\": the last dimension of the inputs should be defined. Full input shape received: \(formatShape(shape))")
    }

    open override func build(inputShape: [Int?]) {
        guard let inputDim = inputShape.last ?? nil else {
            fatalError("\(className) \"\(name)\": the last dimension of the inputs should be defined. Full input shape received: \(formatShape(inputShape))")
        }
        kernel = addWeight(name: "kernel", shape: [inputDim, gateCount * units], initializer: kernelInitializer,
                           regularizer: kernelRegularizer, constraint: kernelConstraint)
        recurrentKernel = addWeight(name: "recurrent_kernel", shape: [units, gateCount * units],
                                    initializer: recurrentInitializer, regularizer: recurrentRegularizer,
                                    constraint: recurrentConstraint)
        if useBias { bias = makeBias() }
    }

    /// The input's share of every gate, `inputs · kernel + inputBias`, for one step
    /// `(batch, features)` or all steps `(batch, steps, features)` at once.
    open func projectInputs(_ inputs: Tensor) -> Tensor {
        let z = inputs.matmul(kernel.value)
        guard let bias else { return z }
        return z + bias.value
    }

    /// One step from the projected input `projected` `(batch, gates·units)` and the previous
    /// states; `recurrentMask` (training only) scales the previous output.
    open func recurrentStep(_ projected: Tensor, states: [Tensor], recurrentMask: Tensor?) -> (output: Tensor, states: [Tensor]) {
        fatalError("\(className) must override recurrentStep(_:states:recurrentMask:)")
    }

    open override func call(_ inputs: Tensor, states: [Tensor], training: Bool) -> (output: Tensor, states: [Tensor]) {
        let masks = dropoutMasks(inputShape: inputs.shape, batch: inputs.shape[0], training: training)
        let x = masks.input.map { inputs * $0 } ?? inputs
        return recurrentStep(projectInputs(x), states: states, recurrentMask: masks.recurrent)
    }

    /// The input and state dropout masks for one sequence (`nil` outside training or at rate 0):
    /// kept units scaled by `1 / (1 − rate)`. `inputShape` is `(batch, features)`, or
    /// `(batch, 1, features)` to broadcast over the steps.
    public func dropoutMasks(inputShape: [Int], batch: Int, training: Bool) -> (input: Tensor?, recurrent: Tensor?) {
        guard training else { return (nil, nil) }
        var inputShape = inputShape
        if inputShape.count == 3 { inputShape[1] = 1 }
        let input = dropout > 0 ? mask(shape: inputShape, rate: dropout) : nil
        let recurrent = recurrentDropout > 0 ? mask(shape: [batch, units], rate: recurrentDropout) : nil
        return (input, recurrent)
    }

    private func mask(shape: [Int], rate: Double) -> Tensor {
        KerasCore.dropout(Tensor.ones(shape, dtype: dtype), rate: rate, seed: seedGenerator)
    }

    open override func getConfig() -> Config {
        var config = super.getConfig()
        config["units"] = .int(units)
        config["activation"] = .string(activation.name)
        config["use_bias"] = .bool(useBias)
        config["kernel_initializer"] = kernelInitializer.serialize()
        config["recurrent_initializer"] = recurrentInitializer.serialize()
        config["bias_initializer"] = biasInitializer.serialize()
        config["kernel_regularizer"] = serializeOptional(kernelRegularizer)
        config["recurrent_regularizer"] = serializeOptional(recurrentRegularizer)
        config["bias_regularizer"] = serializeOptional(biasRegularizer)
        config["kernel_constraint"] = serializeOptional(kernelConstraint)
        config["recurrent_constraint"] = serializeOptional(recurrentConstraint)
        config["bias_constraint"] = serializeOptional(biasConstraint)
        config["dropout"] = .double(dropout)
        config["recurrent_dropout"] = .double(recurrentDropout)
        config["seed"] = ConfigValue(seed)
        return config
    }
}

/// The arguments of a built-in cell read from a config (shared by the cells and the layers).
struct CellArguments {
    var units: Int
    var activation: ActivationFunction
    var recurrentActivation: ActivationFunction
    var useBias: Bool
    var kernelInitializer: any Initializer
    var recurrentInitializer: any Initializer
    var biasInitializer: any Initializer
    var kernelRegularizer: (any Regularizer)?
    var recurrentRegularizer: (any Regularizer)?
    var biasRegularizer: (any Regularizer)?
    var kernelConstraint: (any Constraint)?
    var recurrentConstraint: (any Constraint)?
    var biasConstraint: (any Constraint)?
    var dropout: Double
    var recurrentDropout: Double
    var seed: Int?

    init(_ r: inout ObjectConfigReader, layer: String) throws {
        units = try r.int("units")
        activation = try r.nested("activation") { value in
            guard let value, !value.isNull else { return .tanh }
            return try ActivationFunction.deserialize(value)
        }
        recurrentActivation = try r.nested("recurrent_activation") { value in
            guard let value, !value.isNull else { return .sigmoid }
            return try ActivationFunction.deserialize(value)
        }
        useBias = try r.bool("use_bias", default: true)
        kernelInitializer = try r.initializer("kernel_initializer", default: GlorotUniform())
        recurrentInitializer = try r.initializer("recurrent_initializer", default: Orthogonal())
        biasInitializer = try r.initializer("bias_initializer", default: Zeros())
        kernelRegularizer = try r.regularizer("kernel_regularizer")
        recurrentRegularizer = try r.regularizer("recurrent_regularizer")
        biasRegularizer = try r.regularizer("bias_regularizer")
        kernelConstraint = try r.constraint("kernel_constraint")
        recurrentConstraint = try r.constraint("recurrent_constraint")
        biasConstraint = try r.constraint("bias_constraint")
        dropout = try r.double("dropout", default: 0)
        recurrentDropout = try r.double("recurrent_dropout", default: 0)
        seed = try r.seed()
        let (units, dropout, recurrentDropout) = (units, dropout, recurrentDropout)
        try r.validated { try DropoutRNNCell.validate(units: units, dropout: dropout, recurrentDropout: recurrentDropout, layer: layer) }
    }
}
