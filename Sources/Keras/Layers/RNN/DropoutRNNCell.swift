import KerasCore

/// The shared base of Keras's built-in cells (``SimpleRNNCell``, ``LSTMCell``, ``GRUCell``): a
/// `kernel (inputDim, gates·units)` for the input, a `recurrent_kernel (units, gates·units)`
/// for the state, a bias, and dropout on the input and on the state (Keras's `DropoutRNNCell`).
///
/// It splits a step into the input projection, which ``RNN`` computes for all time steps with
/// one matrix product, and ``recurrentStep(_:states:recurrentMask:)``, the part that needs the
/// previous state. Dropout masks are drawn once per sequence and reused at every step, as in Keras.
/// The arguments and weights it shares with ``ConvLSTMCell`` are ``KernelRNNCell``'s.
///
/// ```swift
/// let cell = LSTMCell(8)
/// let (h, states) = cell(Tensor.ones([2, 3]), states: cell.initialStates(batchSize: 2))   // h: (2, 8)
/// ```
open class DropoutRNNCell: KernelRNNCell, @unchecked Sendable {
    /// The `units` this `DropoutRNNCell` was created with.
    public let units: Int

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
        let arguments = KernelCellArguments(
            useBias: useBias, kernelInitializer: kernelInitializer, recurrentInitializer: recurrentInitializer,
            biasInitializer: biasInitializer, kernelRegularizer: kernelRegularizer, recurrentRegularizer: recurrentRegularizer,
            biasRegularizer: biasRegularizer, kernelConstraint: kernelConstraint, recurrentConstraint: recurrentConstraint,
            biasConstraint: biasConstraint, dropout: dropout, recurrentDropout: recurrentDropout, seed: seed)
        super.init(activation: activation, arguments: arguments, name: name, trainable: trainable, dtype: dtype)
    }

    /// Keras's checks: `units` positive; the dropout rates numbers (Keras clamps them to [0, 1]).
    static func validate(units: Int, dropout: Double, recurrentDropout: Double, layer: String) throws {
        try ensure(units > 0, "\(layer): Received an invalid value for argument `units`, expected a positive integer, got \(units).")
        try validateDropout(dropout, recurrentDropout, layer: layer)
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
        addKernels(kernelShape: [inputDim, gateCount * units], recurrentKernelShape: [units, gateCount * units])
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
        let input = dropout > 0 ? dropoutMask(inputShape, rate: dropout) : nil
        let recurrent = recurrentDropout > 0 ? dropoutMask([batch, units], rate: recurrentDropout) : nil
        return (input, recurrent)
    }

    open override func getConfig() -> Config {
        var config = super.getConfig()
        config["units"] = .int(units)
        writeArguments(into: &config)
        return config
    }
}

/// The arguments of a built-in cell read from a config (shared by the cells and the layers):
/// `units` and the activations, then the ``KernelCellArguments`` (`a.useBias` … `a.seed`).
@dynamicMemberLookup
struct CellArguments {
    var units: Int
    var activation: ActivationFunction
    var recurrentActivation: ActivationFunction
    var shared: KernelCellArguments

    subscript<T>(dynamicMember keyPath: KeyPath<KernelCellArguments, T>) -> T { shared[keyPath: keyPath] }

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
        shared = try KernelCellArguments(&r)
        let (units, dropout, recurrentDropout) = (units, shared.dropout, shared.recurrentDropout)
        try r.validated { try DropoutRNNCell.validate(units: units, dropout: dropout, recurrentDropout: recurrentDropout, layer: layer) }
    }
}
