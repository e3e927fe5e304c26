/// A fully connected recurrent layer (`keras.layers.SimpleRNN`): ``RNN`` over a ``SimpleRNNCell``.
///
/// ```swift
/// let layer = SimpleRNN(16, returnSequences: true)
/// let y = layer(Tensor.ones([2, 5, 3]))   // shape (2, 5, 16)
/// ```
public final class SimpleRNN: RNN, @unchecked Sendable {
    public init(_ units: Int, activation: ActivationFunction = .tanh, useBias: Bool = true,
                kernelInitializer: any Initializer = GlorotUniform(), recurrentInitializer: any Initializer = Orthogonal(),
                biasInitializer: any Initializer = Zeros(),
                kernelRegularizer: (any Regularizer)? = nil, recurrentRegularizer: (any Regularizer)? = nil,
                biasRegularizer: (any Regularizer)? = nil, activityRegularizer: (any Regularizer)? = nil,
                kernelConstraint: (any Constraint)? = nil, recurrentConstraint: (any Constraint)? = nil,
                biasConstraint: (any Constraint)? = nil,
                dropout: Double = 0, recurrentDropout: Double = 0, seed: Int? = nil,
                returnSequences: Bool = false, returnState: Bool = false, goBackwards: Bool = false,
                stateful: Bool = false, unroll: Bool = false,
                name: String? = nil, trainable: Bool = true, dtype: DType = .float32) {
        let cell = SimpleRNNCell(units, activation: activation, useBias: useBias,
                            kernelInitializer: kernelInitializer, recurrentInitializer: recurrentInitializer,
                            biasInitializer: biasInitializer, kernelRegularizer: kernelRegularizer,
                            recurrentRegularizer: recurrentRegularizer, biasRegularizer: biasRegularizer,
                            kernelConstraint: kernelConstraint, recurrentConstraint: recurrentConstraint,
                            biasConstraint: biasConstraint, dropout: dropout, recurrentDropout: recurrentDropout,
                            seed: seed, name: "simple_rnn_cell", trainable: trainable, dtype: dtype)
        super.init(cell, returnSequences: returnSequences, returnState: returnState, goBackwards: goBackwards,
                   stateful: stateful, unroll: unroll, activityRegularizer: activityRegularizer,
                   name: name, trainable: trainable, dtype: dtype)
        inputSpec = [InputSpec(rank: 3)]
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let copy = try SimpleRNN(config: SimpleRNN(4, returnSequences: true).getConfig())
    /// ```
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: SimpleRNN.self, config: config)
        let base = try r.layerBase()
        let a = try CellArguments(&r, layer: "SimpleRNN")
        let flags = try RNNFlags(&r)
        self.init(a.units, activation: a.activation, useBias: a.useBias,
                  kernelInitializer: a.kernelInitializer, recurrentInitializer: a.recurrentInitializer,
                  biasInitializer: a.biasInitializer, kernelRegularizer: a.kernelRegularizer,
                  recurrentRegularizer: a.recurrentRegularizer, biasRegularizer: a.biasRegularizer,
                  activityRegularizer: try r.regularizer("activity_regularizer"),
                  kernelConstraint: a.kernelConstraint, recurrentConstraint: a.recurrentConstraint,
                  biasConstraint: a.biasConstraint, dropout: a.dropout, recurrentDropout: a.recurrentDropout,
                  seed: a.seed, returnSequences: flags.returnSequences, returnState: flags.returnState,
                  goBackwards: flags.goBackwards, stateful: flags.stateful, unroll: flags.unroll,
                  name: base.name, trainable: base.trainable, dtype: base.dtype)
    }

    /// The cell's arguments next to the recurrence flags, as Keras's `SimpleRNN.get_config()` lists them.
    public override func getConfig() -> Config {
        var config = super.getConfig()
        for (key, value) in cell.getConfig() where !["name", "trainable", "dtype"].contains(key) { config[key] = value }
        config = config.placing("activity_regularizer", serializeOptional(activityRegularizer), after: "bias_regularizer")
        config.removeValue(forKey: "seed")   // Keras's SimpleRNN config has no seed
        return config
    }
}
