/// A fully connected recurrent layer (`keras.layers.SimpleRNN`): ``RNN`` over a ``SimpleRNNCell``.
///
/// ```swift
/// let layer = SimpleRNN(16, returnSequences: true)
/// let y = layer(Tensor.ones([2, 5, 3]))   // shape (2, 5, 16)
/// ```
public final class SimpleRNN: RNN, @unchecked Sendable {
    /// Creates a fully connected recurrent layer of `units` (Keras's `SimpleRNN`, same defaults).
    ///
    /// - Parameters:
    ///   - units: Dimensionality of the output space (positive).
    ///   - activation: Activation applied to the output (Keras's `activation`; `.linear` for none).
    ///   - useBias: Whether the layer adds a bias vector.
    ///   - kernelInitializer: Initializer of the kernel weights.
    ///   - recurrentInitializer: Initializer of the recurrent kernel.
    ///   - biasInitializer: Initializer of the bias.
    ///   - kernelRegularizer: Penalty on the kernel, added to the loss.
    ///   - recurrentRegularizer: Penalty on the recurrent kernel, added to the loss.
    ///   - biasRegularizer: Penalty on the bias, added to the loss.
    ///   - activityRegularizer: Penalty on the layer's output, added to the loss.
    ///   - kernelConstraint: Constraint applied to the kernel after each optimizer step.
    ///   - recurrentConstraint: Constraint applied to the recurrent kernel after each optimizer step.
    ///   - biasConstraint: Constraint applied to the bias after each optimizer step.
    ///   - dropout: Fraction of the inputs to drop in training, in `[0, 1)`.
    ///   - recurrentDropout: Fraction of the recurrent state to drop in training, in `[0, 1)`.
    ///   - seed: Seed of the dropout masks; `nil` draws from the global seed.
    ///   - returnSequences: Whether to return the output of every timestep instead of the last one.
    ///   - returnState: Whether to return the final states after the output.
    ///   - goBackwards: Whether to process the sequence backwards and return it reversed.
    ///   - stateful: Whether the last state of each sample is the initial state of the same sample in the next batch.
    ///   - unroll: Accepted for Keras compatibility; the loop is never unrolled.
    ///   - name: The layer's name; a unique name from the class name when `nil`.
    ///   - trainable: Whether the layer's weights are updated in training.
    ///   - dtype: The dtype of the weights and computations.
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
        var config = cellLayerConfig(super.getConfig())
        config.removeValue(forKey: "seed")   // Keras's SimpleRNN config has no seed
        return config
    }
}
