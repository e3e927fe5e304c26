/// Long short-term memory (`keras.layers.LSTM`): ``RNN`` over an ``LSTMCell``, with Keras's
/// weights `kernel (inputDim, 4·units)`, `recurrent_kernel (units, 4·units)`, `bias (4·units,)`,
/// gates in the order input, forget, cell, output.
///
/// ```swift
/// let model = Sequential([InputLayer(shape: [28, 28]), LSTM(128), Dense(10)])
/// let lstm = LSTM(8, returnState: true)
/// let outputs = lstm.apply([Tensor.ones([2, 5, 3])])   // [h (2, 8), h (2, 8), c (2, 8)]
/// ```
public final class LSTM: RNN, @unchecked Sendable {
    /// Creates an LSTM layer of `units` (Keras's `LSTM`, same defaults).
    ///
    /// - Parameters:
    ///   - units: Dimensionality of the output space (positive).
    ///   - activation: Activation applied to the output (Keras's `activation`; `.linear` for none).
    ///   - recurrentActivation: Activation of the recurrent step's gates.
    ///   - useBias: Whether the layer adds a bias vector.
    ///   - kernelInitializer: Initializer of the kernel weights.
    ///   - recurrentInitializer: Initializer of the recurrent kernel.
    ///   - biasInitializer: Initializer of the bias.
    ///   - unitForgetBias: Whether to add 1 to the forget gate's bias at initialization (Jozefowicz et al.).
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
    public init(_ units: Int, activation: ActivationFunction = .tanh, recurrentActivation: ActivationFunction = .sigmoid, useBias: Bool = true,
                kernelInitializer: any Initializer = GlorotUniform(), recurrentInitializer: any Initializer = Orthogonal(),
                biasInitializer: any Initializer = Zeros(),
                unitForgetBias: Bool = true,
                kernelRegularizer: (any Regularizer)? = nil, recurrentRegularizer: (any Regularizer)? = nil,
                biasRegularizer: (any Regularizer)? = nil, activityRegularizer: (any Regularizer)? = nil,
                kernelConstraint: (any Constraint)? = nil, recurrentConstraint: (any Constraint)? = nil,
                biasConstraint: (any Constraint)? = nil,
                dropout: Double = 0, recurrentDropout: Double = 0, seed: Int? = nil,
                returnSequences: Bool = false, returnState: Bool = false, goBackwards: Bool = false,
                stateful: Bool = false, unroll: Bool = false,
                name: String? = nil, trainable: Bool = true, dtype: DType = .float32) {
        let cell = LSTMCell(units, activation: activation, recurrentActivation: recurrentActivation, useBias: useBias,
                            kernelInitializer: kernelInitializer, recurrentInitializer: recurrentInitializer,
                            biasInitializer: biasInitializer, unitForgetBias: unitForgetBias, kernelRegularizer: kernelRegularizer,
                            recurrentRegularizer: recurrentRegularizer, biasRegularizer: biasRegularizer,
                            kernelConstraint: kernelConstraint, recurrentConstraint: recurrentConstraint,
                            biasConstraint: biasConstraint, dropout: dropout, recurrentDropout: recurrentDropout,
                            seed: seed, name: "lstm_cell", trainable: trainable, dtype: dtype)
        super.init(cell, returnSequences: returnSequences, returnState: returnState, goBackwards: goBackwards,
                   stateful: stateful, unroll: unroll, activityRegularizer: activityRegularizer,
                   name: name, trainable: trainable, dtype: dtype)
        inputSpec = [InputSpec(rank: 3)]
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let copy = try LSTM(config: LSTM(4, returnSequences: true).getConfig())
    /// ```
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: LSTM.self, config: config)
        let base = try r.layerBase()
        let a = try CellArguments(&r, layer: "LSTM")
        let flags = try RNNFlags(&r)
        self.init(a.units, activation: a.activation, recurrentActivation: a.recurrentActivation, useBias: a.useBias,
                  kernelInitializer: a.kernelInitializer, recurrentInitializer: a.recurrentInitializer,
                  biasInitializer: a.biasInitializer, unitForgetBias: try r.bool("unit_forget_bias", default: true), kernelRegularizer: a.kernelRegularizer,
                  recurrentRegularizer: a.recurrentRegularizer, biasRegularizer: a.biasRegularizer,
                  activityRegularizer: try r.regularizer("activity_regularizer"),
                  kernelConstraint: a.kernelConstraint, recurrentConstraint: a.recurrentConstraint,
                  biasConstraint: a.biasConstraint, dropout: a.dropout, recurrentDropout: a.recurrentDropout,
                  seed: a.seed, returnSequences: flags.returnSequences, returnState: flags.returnState,
                  goBackwards: flags.goBackwards, stateful: flags.stateful, unroll: flags.unroll,
                  name: base.name, trainable: base.trainable, dtype: base.dtype)
    }

    /// The cell's arguments next to the recurrence flags, as Keras's `LSTM.get_config()` lists them.
    public override func getConfig() -> Config {
        var config = cellLayerConfig(super.getConfig())
        if let forgetBias = config["unit_forget_bias"] { config = config.placing("unit_forget_bias", forgetBias, after: "bias_initializer") }
        return config
    }
}
