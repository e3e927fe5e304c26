/// The cell of a long short-term memory layer (`keras.layers.LSTMCell`), with Keras's layout:
/// `kernel (inputDim, 4·units)` and `recurrent_kernel (units, 4·units)` hold the gates in the
/// order input, forget, cell, output; with `unitForgetBias` the forget gate's bias starts at 1.
///
/// `i, f, o = σ(…)`, `c = f·c₋₁ + i·tanh(…)`, `h = o·tanh(c)`; the states are `[h, c]`.
///
/// ```swift
/// let layer = RNN(LSTMCell(32))
/// let h = layer(Tensor.ones([2, 5, 3]))   // shape (2, 32)
/// ```
public final class LSTMCell: DropoutRNNCell, @unchecked Sendable {
    /// Its inference calls write no state, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// The `recurrentActivation` this `LSTMCell` was created with.
    public let recurrentActivation: ActivationFunction
    /// Whether the forget gate's bias starts at 1 (the other gates at `biasInitializer`).
    public let unitForgetBias: Bool

    /// Creates a `LSTMCell` with Keras's arguments and defaults (the names in Swift case).
    public init(_ units: Int, activation: ActivationFunction = .tanh, recurrentActivation: ActivationFunction = .sigmoid,
                useBias: Bool = true,
                kernelInitializer: any Initializer = GlorotUniform(), recurrentInitializer: any Initializer = Orthogonal(),
                biasInitializer: any Initializer = Zeros(), unitForgetBias: Bool = true,
                kernelRegularizer: (any Regularizer)? = nil, recurrentRegularizer: (any Regularizer)? = nil,
                biasRegularizer: (any Regularizer)? = nil,
                kernelConstraint: (any Constraint)? = nil, recurrentConstraint: (any Constraint)? = nil,
                biasConstraint: (any Constraint)? = nil,
                dropout: Double = 0, recurrentDropout: Double = 0, seed: Int? = nil,
                name: String? = nil, trainable: Bool = true, dtype: DType = .float32) {
        self.recurrentActivation = recurrentActivation
        self.unitForgetBias = unitForgetBias
        super.init(units: units, activation: activation, useBias: useBias, kernelInitializer: kernelInitializer,
                   recurrentInitializer: recurrentInitializer, biasInitializer: biasInitializer,
                   kernelRegularizer: kernelRegularizer, recurrentRegularizer: recurrentRegularizer,
                   biasRegularizer: biasRegularizer, kernelConstraint: kernelConstraint,
                   recurrentConstraint: recurrentConstraint, biasConstraint: biasConstraint,
                   dropout: dropout, recurrentDropout: recurrentDropout, seed: seed,
                   name: name, trainable: trainable, dtype: dtype)
    }

    /// Recreates a cell from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let cell = try LSTMCell(config: ["units": 4, "unit_forget_bias": false])
    /// ```
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: LSTMCell.self, config: config)
        let base = try r.layerBase()
        let a = try CellArguments(&r, layer: "LSTMCell")
        self.init(a.units, activation: a.activation, recurrentActivation: a.recurrentActivation, useBias: a.useBias,
                  kernelInitializer: a.kernelInitializer, recurrentInitializer: a.recurrentInitializer,
                  biasInitializer: a.biasInitializer, unitForgetBias: try r.bool("unit_forget_bias", default: true),
                  kernelRegularizer: a.kernelRegularizer, recurrentRegularizer: a.recurrentRegularizer,
                  biasRegularizer: a.biasRegularizer, kernelConstraint: a.kernelConstraint,
                  recurrentConstraint: a.recurrentConstraint, biasConstraint: a.biasConstraint,
                  dropout: a.dropout, recurrentDropout: a.recurrentDropout, seed: a.seed,
                  name: base.name, trainable: base.trainable, dtype: base.dtype)
    }

    public override var gateCount: Int { 4 }
    public override var stateSize: [Int] { [units, units] }

    public override func makeBias() -> Variable {
        let initializer: any Initializer = unitForgetBias ? UnitForgetBias(base: biasInitializer, units: units) : biasInitializer
        return addWeight(name: "bias", shape: [4 * units], initializer: initializer,
                         regularizer: biasRegularizer, constraint: biasConstraint)
    }

    public override func recurrentStep(_ projected: Tensor, states: [Tensor], recurrentMask: Tensor?) -> (output: Tensor, states: [Tensor]) {
        let previous = recurrentMask.map { states[0] * $0 } ?? states[0]
        let z = projected + previous.matmul(recurrentKernel.value)
        let gates = z.split(count: 4, axis: -1)
        let i = recurrentActivation(gates[0]), f = recurrentActivation(gates[1])
        let o = recurrentActivation(gates[3])
        let c = f * states[1] + i * activation(gates[2])
        let h = o * activation(c)
        return (h, [h, c])
    }

    /// Whether ``RNN`` may run this cell with the fused recurrence: Keras's standard activations,
    /// and no recurrent dropout in this call.
    func isFusable(training: Bool) -> Bool {
        guard case .tanh = activation, case .sigmoid = recurrentActivation else { return false }
        return !training || recurrentDropout == 0
    }

    public override func getConfig() -> Config {
        super.getConfig()
            .placing("recurrent_activation", .string(recurrentActivation.name), after: "activation")
            .placing("unit_forget_bias", .bool(unitForgetBias), after: "use_bias")
    }
}

/// The LSTM bias at creation with `unit_forget_bias`: `base` for the input gate, ones for the
/// forget gate, `base` for the cell and output gates.
struct UnitForgetBias: Initializer {
    static let className = "UnitForgetBias"
    let base: any Initializer
    let units: Int
    func callAsFunction(_ shape: [Int], dtype: DType) -> Tensor {
        concatenate([base([units], dtype: dtype), Tensor.ones([units], dtype: dtype), base([2 * units], dtype: dtype)])
    }
    func getConfig() -> Config { base.getConfig() }
}
