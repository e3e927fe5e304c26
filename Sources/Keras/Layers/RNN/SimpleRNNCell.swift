/// The cell of a fully connected recurrence (`keras.layers.SimpleRNNCell`):
/// `h = activation(x · kernel + bias + h₋₁ · recurrent_kernel)`.
///
/// ```swift
/// let layer = RNN(SimpleRNNCell(16))
/// let h = layer(Tensor.ones([2, 5, 3]))   // shape (2, 16)
/// ```
public final class SimpleRNNCell: DropoutRNNCell, @unchecked Sendable {
    /// Its inference calls write no state, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// Creates a `SimpleRNNCell` with Keras's arguments and defaults (the names in Swift case).
    public init(_ units: Int, activation: ActivationFunction = .tanh, useBias: Bool = true,
                kernelInitializer: any Initializer = GlorotUniform(), recurrentInitializer: any Initializer = Orthogonal(),
                biasInitializer: any Initializer = Zeros(),
                kernelRegularizer: (any Regularizer)? = nil, recurrentRegularizer: (any Regularizer)? = nil,
                biasRegularizer: (any Regularizer)? = nil,
                kernelConstraint: (any Constraint)? = nil, recurrentConstraint: (any Constraint)? = nil,
                biasConstraint: (any Constraint)? = nil,
                dropout: Double = 0, recurrentDropout: Double = 0, seed: Int? = nil,
                name: String? = nil, trainable: Bool = true, dtype: DType = .float32) {
        super.init(units: units, activation: activation, useBias: useBias, kernelInitializer: kernelInitializer,
                   recurrentInitializer: recurrentInitializer, biasInitializer: biasInitializer,
                   kernelRegularizer: kernelRegularizer, recurrentRegularizer: recurrentRegularizer,
                   biasRegularizer: biasRegularizer, kernelConstraint: kernelConstraint,
                   recurrentConstraint: recurrentConstraint, biasConstraint: biasConstraint,
                   dropout: dropout, recurrentDropout: recurrentDropout, seed: seed,
                   name: name, trainable: trainable, dtype: dtype)
    }

    /// Recreates a cell from `getConfig()` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let cell = try SimpleRNNCell(config: ["units": 4])
    /// ```
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: SimpleRNNCell.self, config: config)
        let base = try r.layerBase()
        let a = try CellArguments(&r, layer: "SimpleRNNCell")
        self.init(a.units, activation: a.activation, useBias: a.useBias, kernelInitializer: a.kernelInitializer,
                  recurrentInitializer: a.recurrentInitializer, biasInitializer: a.biasInitializer,
                  kernelRegularizer: a.kernelRegularizer, recurrentRegularizer: a.recurrentRegularizer,
                  biasRegularizer: a.biasRegularizer, kernelConstraint: a.kernelConstraint,
                  recurrentConstraint: a.recurrentConstraint, biasConstraint: a.biasConstraint,
                  dropout: a.dropout, recurrentDropout: a.recurrentDropout, seed: a.seed,
                  name: base.name, trainable: base.trainable, dtype: base.dtype)
    }

    public override func recurrentStep(_ projected: Tensor, states: [Tensor], recurrentMask: Tensor?) -> (output: Tensor, states: [Tensor]) {
        let previous = recurrentMask.map { states[0] * $0 } ?? states[0]
        let h = activation(projected + previous.matmul(recurrentKernel.value))
        return (h, [h])
    }
}
