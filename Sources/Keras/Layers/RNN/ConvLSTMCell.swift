import KerasCore

/// The step of a convolutional LSTM (Keras's `ConvLSTMCell`): an ``LSTMCell`` whose products are
/// convolutions, so the input, the states and the output are feature maps of `rank` spatial axes.
///
/// Weights, gates in the order input, forget, cell, output: `kernel (kernel…, channels, 4·filters)`
/// convolves the input with the layer's `strides`, `padding` and `dilationRate`;
/// `recurrent_kernel (kernel…, filters, 4·filters)` convolves the previous output with stride 1
/// and `"same"` padding; `bias (4·filters,)` (the forget gate's at 1 with `unitForgetBias`). The
/// states `[h, c]` have the output's shape `(batch, output spatial…, filters)` (channels first:
/// `(batch, filters, output spatial…)`). With dropout in training (a rate below 1, as Keras applies)
/// each gate has its own input mask and its own state mask, drawn once per sequence, as in Keras.
/// The arguments and weights it shares with the dense cells are ``KernelRNNCell``'s.
///
/// Use it through ``ConvLSTM1D``, ``ConvLSTM2D`` or ``ConvLSTM3D``:
///
/// ```swift
/// let cell = ConvLSTMCell(rank: 2, filters: 4, kernelSize: [3, 3], padding: .same)
/// let y = RNN(cell)(Tensor.ones([2, 5, 8, 8, 3]))   // shape (2, 8, 8, 4)
/// ```
public final class ConvLSTMCell: KernelRNNCell, SequenceProjectingCell, @unchecked Sendable {
    /// Where the channels axis is (Keras's `data_format`).
    public typealias DataFormat = BaseAdaptivePooling.DataFormat

    /// Its inference calls write no state, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// The number of spatial axes (1, 2 or 3).
    public let rank: Int
    /// The number of output channels (Keras's `filters`).
    public let filters: Int
    /// The window size along each spatial axis.
    public let kernelSize: [Int]
    /// The input convolution's step along each spatial axis.
    public let strides: [Int]
    /// The input convolution's padding, `.valid` or `.same` (the recurrent one is always `.same`).
    public let padding: PaddingMode
    /// Where the channels axis of the inputs, states and outputs is.
    public let dataFormat: DataFormat
    /// The input convolution's spacing between taps along each spatial axis.
    public let dilationRate: [Int]
    /// The `recurrentActivation` this `ConvLSTMCell` was created with.
    public let recurrentActivation: ActivationFunction
    /// Whether the forget gate's bias starts at 1 (the other gates at `biasInitializer`).
    public let unitForgetBias: Bool

    /// Creates a cell with Keras's arguments and defaults (the names in Swift case); one-element
    /// `kernelSize`, `strides` and `dilationRate` lists are used on every axis.
    ///
    /// - Precondition: the arguments pass Keras's checks (see ``ConvLSTM``); the program stops
    ///   with the message otherwise.
    public convenience init(rank: Int, filters: Int, kernelSize: [Int], strides: [Int] = [1], padding: PaddingMode = .valid,
                            dataFormat: DataFormat = .channelsLast, dilationRate: [Int] = [1],
                            activation: ActivationFunction = .tanh, recurrentActivation: ActivationFunction = .sigmoid,
                            useBias: Bool = true, kernelInitializer: any Initializer = GlorotUniform(),
                            recurrentInitializer: any Initializer = Orthogonal(), biasInitializer: any Initializer = Zeros(),
                            unitForgetBias: Bool = true, kernelRegularizer: (any Regularizer)? = nil,
                            recurrentRegularizer: (any Regularizer)? = nil, biasRegularizer: (any Regularizer)? = nil,
                            kernelConstraint: (any Constraint)? = nil, recurrentConstraint: (any Constraint)? = nil,
                            biasConstraint: (any Constraint)? = nil, dropout: Double = 0, recurrentDropout: Double = 0,
                            seed: Int? = nil, name: String? = nil, trainable: Bool = true, dtype: DType = .float32) {
        let window = ConvWindow(kernelSize: kernelSize, strides: strides, padding: padding, dilationRate: dilationRate,
                                rank: rank)
        requireValid {
            try Self.validate(rank: rank, filters: filters, window: window, dropout: dropout,
                              recurrentDropout: recurrentDropout, layer: Self.className)
        }
        let arguments = KernelCellArguments(
            useBias: useBias, kernelInitializer: kernelInitializer, recurrentInitializer: recurrentInitializer,
            biasInitializer: biasInitializer, kernelRegularizer: kernelRegularizer, recurrentRegularizer: recurrentRegularizer,
            biasRegularizer: biasRegularizer, kernelConstraint: kernelConstraint, recurrentConstraint: recurrentConstraint,
            biasConstraint: biasConstraint, dropout: dropout, recurrentDropout: recurrentDropout, seed: seed)
        self.init(rank: rank, filters: filters, window: window, dataFormat: dataFormat, activation: activation,
                  recurrentActivation: recurrentActivation, unitForgetBias: unitForgetBias, arguments: arguments,
                  name: name, trainable: trainable, dtype: dtype)
    }

    /// A cell from arguments already checked (``ConvLSTM/init(config:)`` reads and checks them).
    init(rank: Int, filters: Int, window: ConvWindow, dataFormat: DataFormat, activation: ActivationFunction,
         recurrentActivation: ActivationFunction, unitForgetBias: Bool, arguments: KernelCellArguments,
         name: String?, trainable: Bool, dtype: DType) {
        self.rank = rank
        self.filters = filters
        self.kernelSize = window.kernelSize
        self.strides = window.strides
        self.padding = window.padding
        self.dataFormat = dataFormat
        self.dilationRate = window.dilationRate
        self.recurrentActivation = recurrentActivation
        self.unitForgetBias = unitForgetBias
        super.init(activation: activation, arguments: arguments, name: name, trainable: trainable, dtype: dtype)
        inputSpec = [InputSpec(rank: rank + 2)]
    }

    /// Keras's checks, named after `layer`: rank 1 to 3, positive `filters`, `rank` positive
    /// window sizes, padding `valid` or `same`, no strides > 1 with dilation > 1, numeric dropout rates.
    static func validate(rank: Int, filters: Int, window: ConvWindow, dropout: Double, recurrentDropout: Double,
                         layer: String) throws {
        try ensure((1...3).contains(rank), "\(layer): Rank \(rank) convolutions are not currently implemented. Received: rank=\(rank)")
        try ensure(filters > 0, "\(layer): Invalid value for argument `filters`. Expected a strictly positive value. Received filters=\(filters).")
        try ensure(filters <= maxWeightElements / 4, "\(layer): `filters` must be at most \(maxWeightElements / 4). Received filters=\(filters).")
        try window.validate(layer: layer, rank: rank, allowCausal: false)
        try validateDropout(dropout, recurrentDropout, layer: layer)
    }

    /// `[filters, filters]`: the channels of `h` and `c` (their full shapes: ``stateShapes(stepShape:)``).
    public override var stateSize: [Int] { [filters, filters] }

    /// The spatial sizes of a step input `(batch, spatial…, channels)` (channels first:
    /// `(batch, channels, spatial…)`); `nil` entries when the rank does not fit.
    func spatialSizes(_ stepShape: [Int?]) -> [Int?] {
        guard stepShape.count == rank + 2 else { return [Int?](repeating: nil, count: rank) }
        return dataFormat == .channelsLast ? Array(stepShape[1...rank]) : Array(stepShape[2...(rank + 1)])
    }

    /// The channels of a step input.
    func channels(_ stepShape: [Int?]) -> Int? {
        guard stepShape.count == rank + 2 else { return nil }
        return dataFormat == .channelsLast ? stepShape[rank + 1] : stepShape[1]
    }

    /// The input convolution's zero padding along spatial axis `axis` of length `n`.
    func pads(_ n: Int, axis: Int) -> (before: Int, after: Int) {
        padding.pads(inputSize: n, kernelSize: kernelSize[axis], stride: strides[axis], dilation: dilationRate[axis])
    }

    /// The input convolution's output length along spatial axis `axis` of length `n`.
    func outputLength(_ n: Int, axis: Int) -> Int {
        convOutputLength(inputSize: n, kernelSize: kernelSize[axis], stride: strides[axis], dilation: dilationRate[axis],
                         pads: pads(n, axis: axis))
    }

    /// `h` and `c`: the input convolution's output shape, `(output spatial…, filters)` or
    /// `(filters, output spatial…)`.
    public override func stateShapes(stepShape: [Int?]) -> [[Int?]] {
        let shape = outputShape(stepShape: stepShape)
        return [shape, shape]
    }

    public override func outputShape(stepShape: [Int?]) -> [Int?] {
        let spatial = spatialSizes(stepShape).enumerated().map { axis, n in n.map { outputLength($0, axis: axis) } }
        return dataFormat == .channelsLast ? spatial + [filters] : [filters] + spatial
    }

    public override func computeOutputShapes(_ inputShapes: [[Int?]]) -> [[Int?]] {
        let step = inputShapes.first ?? []
        let shape = [step.first ?? nil] + outputShape(stepShape: step)
        return [shape] + (inputShapes.count > 1 ? [shape, shape] : [])
    }

    /// Why a step input of `stepShape` cannot be taken (a message naming `layer`), or `nil`:
    /// the rank, static spatial sizes, known positive channels, and an input convolution with
    /// a positive output size.
    func stepShapeError(_ stepShape: [Int?], layer: String, fullShape: [Int?]) -> KerasError? {
        let format = dataFormat == .channelsLast ? "(batch, steps, \(rank) spatial axes, channels)" : "(batch, steps, channels, \(rank) spatial axes)"
        guard stepShape.count == rank + 2 else {
            return .incompatibleInput(layer: layer, message: "Input 0 of layer \"\(layer)\" is incompatible with the layer: expected ndim=\(rank + 3) \(format), found ndim=\(fullShape.count). Full shape received: \(formatShape(fullShape))")
        }
        let spatial = spatialSizes(stepShape)
        guard !spatial.contains(nil) else {
            return .incompatibleInput(layer: layer, message: "Layer \"\(layer)\": ConvLSTM layers only support static input shapes for the spatial dimension. Received invalid input shape: \(formatShape(fullShape))")
        }
        guard let channels = channels(stepShape), channels > 0 else {
            return .incompatibleInput(layer: layer, message: "Layer \"\(layer)\": the channel dimension of the inputs should be defined and positive. Full input shape received: \(formatShape(fullShape)) (\(format))")
        }
        for kernel in [kernelSize + [channels, 4 * filters], kernelSize + [filters, 4 * filters]] where boundedElementCount(kernel) == nil {
            return .incompatibleInput(layer: layer, message: "Layer \"\(layer)\": a kernel of shape \(formatShape(kernel)) would hold more than \(maxWeightElements) elements")
        }
        for (axis, size) in spatial.enumerated() {
            let n = size!
            if n <= 0 || outputLength(n, axis: axis) <= 0 {
                return .incompatibleInput(layer: layer, message: "Layer \"\(layer)\": the kernel of size \(formatShape(kernelSize)) (dilation_rate \(formatShape(dilationRate)), strides \(formatShape(strides)), padding \"\(padding.rawValue)\") does not fit the input; the computed output size would be zero or negative. Received input shape \(formatShape(fullShape))")
            }
        }
        return nil
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        guard let step = inputShapes.first else { return nil }
        return stepShapeError(step, layer: name, fullShape: step)
    }

    public override func build(inputShape: [Int?]) {
        if let error = stepShapeError(inputShape, layer: name, fullShape: inputShape) { fatalError("\(error)") }
        let channels = channels(inputShape)!
        addKernels(kernelShape: kernelSize + [channels, 4 * filters], recurrentKernelShape: kernelSize + [filters, 4 * filters])
        if useBias {
            let initializer: any Initializer = unitForgetBias ? UnitForgetBias(base: biasInitializer, units: filters) : biasInitializer
            bias = addWeight(name: "bias", shape: [4 * filters], initializer: initializer, regularizer: biasRegularizer,
                             constraint: biasConstraint)
        }
    }

    /// Zeros of the state shapes for the step shape the cell was built for.
    public override func initialStates(batchSize: Int) -> [Tensor] {
        guard let step = buildShapes?.first else {
            fatalError("ConvLSTMCell \"\(name)\": the initial states depend on the input's spatial sizes; build the cell (call it once) first")
        }
        return stateShapes(stepShape: step).map { Tensor.zeros([batchSize] + $0.map { $0! }, dtype: dtype) }
    }

    // MARK: Computation (channels last inside)

    /// `x` `(batch, spatial…, channels)` between channels-first and channels-last layouts.
    func toChannelsLast(_ x: Tensor) -> Tensor {
        dataFormat == .channelsLast ? x : x.transposed([0] + Array(2..<(rank + 2)) + [1])
    }

    func toDataFormat(_ x: Tensor) -> Tensor {
        dataFormat == .channelsLast ? x : x.transposed([0, rank + 1] + Array(1...rank))
    }

    /// The input convolution `conv(x, kernel) + bias` on channels-last `x`.
    private func inputConvolution(_ x: Tensor, kernel: Tensor, bias: Tensor?) -> Tensor {
        let pads = (0..<rank).map { self.pads(x.shape[$0 + 1], axis: $0) }
        if let bias {
            return x.conv(kernel, bias: bias, relu: false, strides: strides, padding: pads, dilationRate: dilationRate)
        }
        return x.conv(kernel, strides: strides, padding: pads, dilationRate: dilationRate)
    }

    /// Sequences `(batch, steps, spatial…, channels)` (channels last, whatever ``dataFormat``) to
    /// the input's share of the four gates for every step, time-major `(steps, batch, output…, 4·filters)`,
    /// with one convolution over all steps (four with input dropout, one per gate's mask), and the
    /// step on channels-last states.
    func projectSequence(_ sequences: Tensor, training: Bool)
        -> (inputs: Tensor, step: (Tensor, [Tensor]) -> (output: Tensor, states: [Tensor])) {
        let (batch, steps) = (sequences.shape[0], sequences.shape[1])
        let featureShape = Array(sequences.shape.dropFirst(2))
        let flat = [batch * steps] + featureShape
        var z: Tensor
        if training && dropout > 0 && dropout < 1 {
            // One mask per gate, shared by every step, as Keras's four `dp_mask`s.
            let kernels = kernel.value.split(count: 4, axis: -1)
            let biases = bias.map { $0.value.split(count: 4, axis: 0) }
            z = concatenate((0..<4).map { g in
                let masked = sequences * dropoutMask([batch, 1] + featureShape, rate: dropout)
                return inputConvolution(masked.reshaped(to: flat), kernel: kernels[g], bias: biases?[g])
            }, axis: -1)
        } else {
            z = inputConvolution(sequences.reshaped(to: flat), kernel: kernel.value, bias: bias?.value)
        }
        let outputShape = Array(z.shape.dropFirst())
        z = z.reshaped(to: [batch, steps] + outputShape).transposed([1, 0] + Array(2..<(rank + 3)))
        let stateShape = [batch] + outputShape.dropLast() + [filters]
        let recurrentMasks = training && recurrentDropout > 0 && recurrentDropout < 1
            ? (0..<4).map { _ in dropoutMask(stateShape, rate: recurrentDropout) } : nil
        return (z, { projected, states in self.recurrentStep(projected, states: states, recurrentMasks: recurrentMasks) })
    }

    /// One step on channels-last tensors: `projected` `(batch, output…, 4·filters)` (the input
    /// convolution with bias) plus the recurrent convolution of `h`, then the LSTM update.
    private func recurrentStep(_ projected: Tensor, states: [Tensor], recurrentMasks: [Tensor]?) -> (output: Tensor, states: [Tensor]) {
        let h = states[0]
        let recurrent: Tensor
        if let recurrentMasks {
            let kernels = recurrentKernel.value.split(count: 4, axis: -1)
            recurrent = concatenate((0..<4).map { (h * recurrentMasks[$0]).conv(kernels[$0], padding: .same) }, axis: -1)
        } else {
            recurrent = h.conv(recurrentKernel.value, padding: .same)
        }
        let gates = (projected + recurrent).split(count: 4, axis: -1)
        let i = recurrentActivation(gates[0]), f = recurrentActivation(gates[1]), o = recurrentActivation(gates[3])
        let c = f * states[1] + i * activation(gates[2])
        let output = o * activation(c)
        return (output, [output, c])
    }

    /// One step on `inputs` `(batch, spatial…, channels)` (channels first: `(batch, channels,
    /// spatial…)`) and the states `[h, c]` in the same layout.
    public override func call(_ inputs: Tensor, states: [Tensor], training: Bool) -> (output: Tensor, states: [Tensor]) {
        let x = toChannelsLast(inputs)
        let (projected, step) = projectSequence(x.expandingDims(at: 1), training: training)
        let result = step(projected.squeezing(axes: [0]), states.map(toChannelsLast))
        return (toDataFormat(result.output), result.states.map(toDataFormat))
    }

    /// Keras's `ConvLSTMCell.get_config()` keys, in its order.
    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["filters"] = .int(filters)
        config["kernel_size"] = .array(kernelSize.map { .int($0) })
        config["strides"] = .array(strides.map { .int($0) })
        config["padding"] = .string(padding.rawValue)
        config["data_format"] = .string(dataFormat.rawValue)
        config["dilation_rate"] = .array(dilationRate.map { .int($0) })
        writeArguments(into: &config)
        return config.placing("recurrent_activation", .string(recurrentActivation.name), after: "activation")
            .placing("unit_forget_bias", .bool(unitForgetBias), after: "bias_initializer")
    }
}
