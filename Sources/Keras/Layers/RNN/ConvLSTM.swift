import KerasCore

/// The shared base of the convolutional LSTM layers (Keras's `ConvLSTM`): an ``RNN`` over a
/// ``ConvLSTMCell``, whose input and recurrent transformations are convolutions. Use
/// ``ConvLSTM1D``, ``ConvLSTM2D`` or ``ConvLSTM3D``.
///
/// Inputs are `(batch, steps, spatial…, channels)` (channels first: `(batch, steps, channels,
/// spatial…)`); the output is the last step's `h`, `(batch, output spatial…, filters)`, or every
/// step's with `returnSequences`; with `returnState`, `h` and `c` follow. The output's spatial
/// sizes are the input convolution's (its `strides`, `padding` and `dilationRate`); the
/// recurrent convolution keeps them (stride 1, `"same"` padding). Initial states may be passed
/// after the sequences (`layer.apply([x, h0, c0])`), in the states' shape.
///
/// The input convolution of all steps runs as one convolution before the loop; each step then
/// runs one recurrent convolution. With a `(batch, steps)` mask, masked steps keep the states and
/// repeat the previous output, as in the other RNNs (Keras's JAX backend cannot mask a ConvLSTM).
///
/// ```swift
/// let layer = ConvLSTM2D(filters: 8, kernelSize: [3, 3], padding: .same, returnSequences: true)
/// let y = layer(Tensor.ones([2, 5, 16, 16, 3]))   // shape (2, 5, 16, 16, 8)
/// ```
public class ConvLSTM: RNN, @unchecked Sendable {
    /// Where the channels axis is (Keras's `data_format`).
    public typealias DataFormat = ConvLSTMCell.DataFormat

    /// The number of spatial axes of the concrete class.
    class var spatialRank: Int { fatalError("\(self) must override spatialRank") }

    /// The layer's cell (Keras's `layer.cell`), which holds its arguments and weights.
    public var convLSTMCell: ConvLSTMCell { cell as! ConvLSTMCell }
    /// The number of output channels (Keras's `filters`).
    public var filters: Int { convLSTMCell.filters }
    /// The window size along each spatial axis.
    public var kernelSize: [Int] { convLSTMCell.kernelSize }
    /// The input convolution's step along each spatial axis.
    public var strides: [Int] { convLSTMCell.strides }
    /// The input convolution's padding, `.valid` or `.same`.
    public var padding: PaddingMode { convLSTMCell.padding }
    /// Where the channels axis of the inputs, states and outputs is.
    public var dataFormat: DataFormat { convLSTMCell.dataFormat }
    /// The input convolution's spacing between taps along each spatial axis.
    public var dilationRate: [Int] { convLSTMCell.dilationRate }

    required init(cell: ConvLSTMCell, returnSequences: Bool, returnState: Bool, goBackwards: Bool, stateful: Bool,
                  unroll: Bool, zeroOutputForMask: Bool, activityRegularizer: (any Regularizer)?,
                  name: String?, trainable: Bool, dtype: DType) {
        super.init(cell, returnSequences: returnSequences, returnState: returnState, goBackwards: goBackwards,
                   stateful: stateful, unroll: unroll, zeroOutputForMask: zeroOutputForMask,
                   activityRegularizer: activityRegularizer, name: name, trainable: trainable, dtype: dtype)
        inputSpec = [InputSpec(rank: Self.spatialRank + 3)]
    }

    /// Creates a convolutional LSTM layer with Keras's arguments and defaults (the names in Swift
    /// case). One-element `kernelSize`, `strides` and `dilationRate` lists are used on every
    /// axis, as Keras expands an integer; the concrete class (`…1D`, `…2D`, `…3D`) sets the
    /// number of spatial axes.
    ///
    /// ```swift
    /// let layer = ConvLSTM1D(filters: 4, kernelSize: [3], strides: [2], returnState: true)
    /// let outputs = layer.apply([Tensor.ones([2, 5, 9, 3])])   // [h (2, 4, 4), h, c]
    /// ```
    ///
    /// - Parameters:
    ///   - filters: Number of output channels (positive).
    ///   - kernelSize: Size of the convolution window, one value per spatial axis (one value is used for every axis).
    ///   - strides: Step of the input convolution along each spatial axis; the recurrent one uses 1.
    ///   - padding: `.valid` (no padding) or `.same` (the output keeps the input's size at stride 1); the recurrent convolution is always `.same`.
    ///   - dataFormat: `.channelsLast` `(batch, steps, spatial…, channels)` or `.channelsFirst` `(batch, steps, channels, spatial…)`.
    ///   - dilationRate: Spacing between the window's taps in the input convolution; not with strides > 1.
    ///   - activation: Activation of the cell input and of the output (Keras's `activation`).
    ///   - recurrentActivation: Activation of the input, forget and output gates.
    ///   - useBias: Whether the layer adds a bias vector.
    ///   - kernelInitializer: Initializer of the input kernel.
    ///   - recurrentInitializer: Initializer of the recurrent kernel.
    ///   - biasInitializer: Initializer of the bias.
    ///   - unitForgetBias: Whether the forget gate's bias starts at 1 (Jozefowicz et al.).
    ///   - kernelRegularizer: Penalty on the input kernel, added to the loss.
    ///   - recurrentRegularizer: Penalty on the recurrent kernel, added to the loss.
    ///   - biasRegularizer: Penalty on the bias, added to the loss.
    ///   - activityRegularizer: Penalty on the layer's output, added to the loss.
    ///   - kernelConstraint: Constraint applied to the input kernel after each optimizer step.
    ///   - recurrentConstraint: Constraint applied to the recurrent kernel after each optimizer step.
    ///   - biasConstraint: Constraint applied to the bias after each optimizer step.
    ///   - dropout: Fraction of the inputs dropped in training (one mask per gate), in `[0, 1)`.
    ///   - recurrentDropout: Fraction of the previous output dropped in training (one mask per gate), in `[0, 1)`.
    ///   - seed: Seed of the dropout masks; `nil` draws from the global seed.
    ///   - returnSequences: Whether to return the output of every step instead of the last one.
    ///   - returnState: Whether to return the final states `h`, `c` after the output.
    ///   - goBackwards: Whether to process the sequence backwards and return it reversed.
    ///   - stateful: Whether the last states of each sample are the initial states of the same sample in the next batch.
    ///   - name: The layer's name; a unique name from the class name when `nil`.
    ///   - trainable: Whether the layer's weights are updated in training.
    ///   - dtype: The dtype of the weights and computations.
    ///
    /// - Precondition: the arguments pass Keras's checks (positive `filters` and window sizes,
    ///   `padding` valid or same, no strides > 1 with dilation > 1); the program stops with the
    ///   message otherwise (``init(config:)`` throws instead).
    public convenience init(filters: Int, kernelSize: [Int], strides: [Int] = [1], padding: PaddingMode = .valid,
                            dataFormat: DataFormat = .channelsLast, dilationRate: [Int] = [1],
                            activation: ActivationFunction = .tanh, recurrentActivation: ActivationFunction = .sigmoid,
                            useBias: Bool = true, kernelInitializer: any Initializer = GlorotUniform(),
                            recurrentInitializer: any Initializer = Orthogonal(), biasInitializer: any Initializer = Zeros(),
                            unitForgetBias: Bool = true, kernelRegularizer: (any Regularizer)? = nil,
                            recurrentRegularizer: (any Regularizer)? = nil, biasRegularizer: (any Regularizer)? = nil,
                            activityRegularizer: (any Regularizer)? = nil, kernelConstraint: (any Constraint)? = nil,
                            recurrentConstraint: (any Constraint)? = nil, biasConstraint: (any Constraint)? = nil,
                            dropout: Double = 0, recurrentDropout: Double = 0, seed: Int? = nil,
                            returnSequences: Bool = false, returnState: Bool = false, goBackwards: Bool = false,
                            stateful: Bool = false, name: String? = nil, trainable: Bool = true, dtype: DType = .float32) {
        let rank = Self.spatialRank
        let window = ConvWindow(kernelSize: kernelSize, strides: strides, padding: padding, dilationRate: dilationRate, rank: rank)
        requireValid {
            try ConvLSTMCell.validate(rank: rank, filters: filters, window: window, dropout: dropout,
                                      recurrentDropout: recurrentDropout, layer: Self.className)
        }
        let cell = ConvLSTMCell(rank: rank, filters: filters, kernelSize: kernelSize, strides: strides, padding: padding,
                                dataFormat: dataFormat, dilationRate: dilationRate, activation: activation,
                                recurrentActivation: recurrentActivation, useBias: useBias,
                                kernelInitializer: kernelInitializer, recurrentInitializer: recurrentInitializer,
                                biasInitializer: biasInitializer, unitForgetBias: unitForgetBias,
                                kernelRegularizer: kernelRegularizer, recurrentRegularizer: recurrentRegularizer,
                                biasRegularizer: biasRegularizer, kernelConstraint: kernelConstraint,
                                recurrentConstraint: recurrentConstraint, biasConstraint: biasConstraint,
                                dropout: dropout, recurrentDropout: recurrentDropout, seed: seed,
                                name: "conv_lstm_cell", trainable: trainable, dtype: dtype)
        self.init(cell: cell, returnSequences: returnSequences, returnState: returnState, goBackwards: goBackwards,
                  stateful: stateful, unroll: false, zeroOutputForMask: false, activityRegularizer: activityRegularizer,
                  name: name, trainable: trainable, dtype: dtype)
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let layer = try ConvLSTM2D(config: ["filters": 4, "kernel_size": [3, 3], "data_format": "channels_first"])
    /// ```
    ///
    /// - Throws: `KerasError.invalidConfig` naming the key for a missing, mistyped or
    ///   out-of-range value, or an argument combination Keras rejects.
    public convenience init(config: Config) throws {
        let rank = Self.spatialRank
        var r = ObjectConfigReader(className: Self.className, config: config)
        let base = try r.layerBase()
        let filters = try r.int("filters")
        let window = ConvWindow(kernelSize: try r.tuple("kernel_size", rank: rank),
                                strides: try r.optionalTuple("strides", rank: rank) ?? [Int](repeating: 1, count: rank),
                                padding: try r.choice("padding", default: PaddingMode.valid, allowed: [.valid, .same]),
                                dilationRate: try r.optionalTuple("dilation_rate", rank: rank) ?? [Int](repeating: 1, count: rank))
        let dataFormat = try r.choice("data_format", default: DataFormat.channelsLast, allowed: DataFormat.allCases)
        func activation(_ key: String, default value: ActivationFunction) throws -> ActivationFunction {
            try r.nested(key) { v in
                guard let v else { return value }
                return v.isNull ? .linear : try ActivationFunction.deserialize(v)
            }
        }
        let activationFunction = try activation("activation", default: .tanh)
        let recurrentActivation = try activation("recurrent_activation", default: .sigmoid)
        let arguments = try KernelCellArguments(&r)
        let unitForgetBias = try r.bool("unit_forget_bias", default: true)
        let activityRegularizer = try r.regularizer("activity_regularizer")
        let flags = try RNNFlags(&r)
        try r.validated {
            try ConvLSTMCell.validate(rank: rank, filters: filters, window: window, dropout: arguments.dropout,
                                      recurrentDropout: arguments.recurrentDropout, layer: Self.className)
        }
        let cell = ConvLSTMCell(rank: rank, filters: filters, window: window, dataFormat: dataFormat,
                                activation: activationFunction, recurrentActivation: recurrentActivation,
                                unitForgetBias: unitForgetBias, arguments: arguments,
                                name: "conv_lstm_cell", trainable: base.trainable, dtype: base.dtype)
        self.init(cell: cell, returnSequences: flags.returnSequences, returnState: flags.returnState,
                  goBackwards: flags.goBackwards, stateful: flags.stateful, unroll: flags.unroll,
                  zeroOutputForMask: flags.zeroOutputForMask, activityRegularizer: activityRegularizer,
                  name: base.name, trainable: base.trainable, dtype: base.dtype)
    }

    /// Checks the sequences' rank, spatial sizes and channels against the cell's convolution
    /// (errors name this layer), then the recurrence's checks (stateful batch, initial states).
    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        guard let sequences = inputShapes.first else { return nil }
        let step = [sequences.first ?? nil] + Array(sequences.dropFirst(2))
        if let error = convLSTMCell.stepShapeError(step, layer: name, fullShape: sequences) { return error }
        return super.validateSymbolic(inputShapes)
    }

    /// Channels-first sequences and states run channels-last inside (the convolutions' layout)
    /// and come back in the layer's layout.
    override func runSteps(_ sequences: Tensor, initial: [Tensor], mask: Tensor?, training: Bool)
        -> (last: Tensor, outputs: Tensor?, states: [Tensor]) {
        let cell = convLSTMCell
        guard cell.dataFormat == .channelsFirst else {
            return super.runSteps(sequences, initial: initial, mask: mask, training: training)
        }
        let rank = cell.rank
        let x = sequences.transposed([0, 1] + Array(3..<(rank + 3)) + [2])
        let result = super.runSteps(x, initial: initial.map(cell.toChannelsLast), mask: mask, training: training)
        let outputs = result.outputs.map { $0.transposed([0, 1, rank + 2] + Array(2..<(rank + 2))) }
        return (cell.toDataFormat(result.last), outputs, result.states.map(cell.toDataFormat))
    }

    /// Keras's `ConvLSTM.get_config()`: the recurrence flags, then the cell's arguments with
    /// `activity_regularizer` after `bias_regularizer` (no nested `cell`).
    public override func getConfig() -> Config {
        cellLayerConfig(super.getConfig())
    }
}
