/// The cell of a gated recurrent unit layer (`keras.layers.GRUCell`), with Keras's layout:
/// `kernel (inputDim, 3·units)` and `recurrent_kernel (units, 3·units)` hold the update (z),
/// reset (r) and candidate (h) blocks in that order.
///
/// `resetAfter` (the default, cuDNN's convention) applies the reset gate after the recurrent
/// product and keeps separate input and recurrent biases (`bias (2, 3·units)`); otherwise
/// `r·h₋₁` enters the product and `bias` is `(3·units,)`. `h = z·h₋₁ + (1 − z)·ĥ`.
///
/// ```swift
/// let layer = RNN(GRUCell(8, resetAfter: false))
/// let h = layer(Tensor.ones([2, 5, 3]))   // shape (2, 8)
/// ```
public final class GRUCell: DropoutRNNCell, @unchecked Sendable {
    /// Its inference calls write no state, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// The `recurrentActivation` this `GRUCell` was created with.
    public let recurrentActivation: ActivationFunction
    /// The `resetAfter` this `GRUCell` was created with.
    public let resetAfter: Bool

    /// Creates a `GRUCell` with Keras's arguments and defaults (the names in Swift case).
    public init(_ units: Int, activation: ActivationFunction = .tanh, recurrentActivation: ActivationFunction = .sigmoid,
                useBias: Bool = true,
                kernelInitializer: any Initializer = GlorotUniform(), recurrentInitializer: any Initializer = Orthogonal(),
                biasInitializer: any Initializer = Zeros(),
                kernelRegularizer: (any Regularizer)? = nil, recurrentRegularizer: (any Regularizer)? = nil,
                biasRegularizer: (any Regularizer)? = nil,
                kernelConstraint: (any Constraint)? = nil, recurrentConstraint: (any Constraint)? = nil,
                biasConstraint: (any Constraint)? = nil,
                dropout: Double = 0, recurrentDropout: Double = 0, resetAfter: Bool = true, seed: Int? = nil,
                name: String? = nil, trainable: Bool = true, dtype: DType = .float32) {
        self.recurrentActivation = recurrentActivation
        self.resetAfter = resetAfter
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
    /// let cell = try GRUCell(config: ["units": 4, "reset_after": false])
    /// ```
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: GRUCell.self, config: config)
        let base = try r.layerBase()
        let a = try CellArguments(&r, layer: "GRUCell")
        self.init(a.units, activation: a.activation, recurrentActivation: a.recurrentActivation, useBias: a.useBias,
                  kernelInitializer: a.kernelInitializer, recurrentInitializer: a.recurrentInitializer,
                  biasInitializer: a.biasInitializer,
                  kernelRegularizer: a.kernelRegularizer, recurrentRegularizer: a.recurrentRegularizer,
                  biasRegularizer: a.biasRegularizer, kernelConstraint: a.kernelConstraint,
                  recurrentConstraint: a.recurrentConstraint, biasConstraint: a.biasConstraint,
                  dropout: a.dropout, recurrentDropout: a.recurrentDropout,
                  resetAfter: try r.bool("reset_after", default: true), seed: a.seed,
                  name: base.name, trainable: base.trainable, dtype: base.dtype)
    }

    public override var gateCount: Int { 3 }

    public override func makeBias() -> Variable {
        addWeight(name: "bias", shape: resetAfter ? [2, 3 * units] : [3 * units], initializer: biasInitializer,
                  regularizer: biasRegularizer, constraint: biasConstraint)
    }

    /// `inputs · kernel` plus the input bias (the first row of the bias with `resetAfter`).
    public override func projectInputs(_ inputs: Tensor) -> Tensor {
        let z = inputs.matmul(kernel.value)
        guard let bias else { return z }
        return z + (resetAfter ? bias.value.slice(axis: 0, start: 0, end: 1).reshaped(to: [3 * units]) : bias.value)
    }

    public override func recurrentStep(_ projected: Tensor, states: [Tensor], recurrentMask: Tensor?) -> (output: Tensor, states: [Tensor]) {
        let h0 = states[0]
        let previous = recurrentMask.map { h0 * $0 } ?? h0
        let x = projected.split(count: 3, axis: -1)
        let u = units
        let candidate: Tensor, z: Tensor
        if resetAfter {
            var inner = previous.matmul(recurrentKernel.value)
            if let bias { inner = inner + bias.value.slice(axis: 0, start: 1, end: 2).reshaped(to: [3 * u]) }
            let rec = inner.split(count: 3, axis: -1)
            z = recurrentActivation(x[0] + rec[0])
            let r = recurrentActivation(x[1] + rec[1])
            candidate = activation(x[2] + r * rec[2])
        } else {
            let kernel = recurrentKernel.value
            let inner = previous.matmul(kernel.slice(axis: 1, start: 0, end: 2 * u))
            let rec = inner.split(count: 2, axis: -1)
            z = recurrentActivation(x[0] + rec[0])
            let r = recurrentActivation(x[1] + rec[1])
            candidate = activation(x[2] + (r * previous).matmul(kernel.slice(axis: 1, start: 2 * u, end: 3 * u)))
        }
        let h = z * h0 + (1 - z) * candidate
        return (h, [h])
    }

    /// Whether ``RNN`` may run this cell with the fused recurrence: `resetAfter`, Keras's standard
    /// activations, and no recurrent dropout in this call.
    func isFusable(training: Bool) -> Bool {
        guard resetAfter, case .tanh = activation, case .sigmoid = recurrentActivation else { return false }
        return !training || recurrentDropout == 0
    }

    public override func getConfig() -> Config {
        super.getConfig()
            .placing("recurrent_activation", .string(recurrentActivation.name), after: "activation")
            .placing("reset_after", .bool(resetAfter), after: "recurrent_dropout")
    }
}
