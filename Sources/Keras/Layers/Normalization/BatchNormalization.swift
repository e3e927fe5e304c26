import Synchronization

/// Normalizes its inputs to zero mean and unit variance per feature of `axis`, then scales by
/// `gamma` and shifts by `beta` (`keras.layers.BatchNormalization`).
///
/// - In training (`training: true` and the layer `trainable`) it uses the biased mean and
///   variance of the batch over every axis but `axis`, and moves its statistics towards them:
///   `moving = moving · momentum + batch · (1 − momentum)`.
/// - Otherwise — inference, or a frozen layer (`trainable = false`), as in Keras — it uses
///   `moving_mean` and `moving_variance`.
///
/// The output is `gamma · (x − mean) / √(variance + epsilon) + beta`. Weights, in Keras's order:
/// `gamma`, `beta` (trainable, when `scale` / `center`), `moving_mean`, `moving_variance`
/// (non-trainable).
///
/// ```swift
/// let bn = BatchNormalization()
/// let y = bn(Tensor.randomNormal([8, 4]), training: true)   // per-column mean 0, variance ≈ 1
/// bn.weights.map(\.name)   // ["gamma", "beta", "moving_mean", "moving_variance"]
/// ```
///
/// With `renorm` (batch renormalization, Ioffe 2017) training also corrects the batch statistics
/// towards running averages of the mean and standard deviation (`renorm_mean`,
/// `renorm_stddev`): the normalized values become `x̂·r + d` with `r = σ_batch / σ_renorm` and
/// `d = (μ_batch − μ_renorm) / σ_renorm` (not differentiated; clipped by `renormClipping`), and
/// the moving variance follows a moving standard deviation. Inference is unchanged.
///
/// With `synchronized: true`, in data-parallel training (``TrainingDistribution``) the batch
/// statistics are those of the global batch: each rank's sums are added across the ranks in the
/// forward pass (and the gradient sums in the backward pass), so two ranks train as one process
/// with the global batch (with `renorm` too). Keras's name; Keras offers it with TensorFlow's
/// strategies. Outside a distributed step it is the usual layer.
///
/// ```swift
/// let bn = BatchNormalization(synchronized: true)   // model.distribution = try MPIStrategy()
/// ```
///
/// The two moving statistics are read and replaced together under the layer's own lock, so a
/// prediction running while another thread trains sees both from before or both from after a
/// training call, never one of each.
public final class BatchNormalization: Layer, @unchecked Sendable {
    /// Its inference call writes no state, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// The `axis` this `BatchNormalization` was created with.
    public let axis: Int
    /// The `momentum` this `BatchNormalization` was created with.
    public let momentum: Double
    /// The `epsilon` this `BatchNormalization` was created with.
    public let epsilon: Double
    /// The `center` this `BatchNormalization` was created with.
    public let center: Bool
    /// The `scale` this `BatchNormalization` was created with.
    public let scale: Bool
    /// The `betaInitializer` this `BatchNormalization` was created with.
    public let betaInitializer: any Initializer
    /// The `gammaInitializer` this `BatchNormalization` was created with.
    public let gammaInitializer: any Initializer
    /// The `movingMeanInitializer` this `BatchNormalization` was created with.
    public let movingMeanInitializer: any Initializer
    /// The `movingVarianceInitializer` this `BatchNormalization` was created with.
    public let movingVarianceInitializer: any Initializer
    /// The `betaRegularizer` this `BatchNormalization` was created with.
    public let betaRegularizer: (any Regularizer)?
    /// The `gammaRegularizer` this `BatchNormalization` was created with.
    public let gammaRegularizer: (any Regularizer)?
    /// The `betaConstraint` this `BatchNormalization` was created with.
    public let betaConstraint: (any Constraint)?
    /// The `gammaConstraint` this `BatchNormalization` was created with.
    public let gammaConstraint: (any Constraint)?
    /// `(channels,)`, once built with `scale`.
    public private(set) var gamma: Variable?
    /// `(channels,)`, once built with `center`.
    public private(set) var beta: Variable?
    /// `(channels,)`, once built.
    public private(set) var movingMean: Variable!
    /// The moving variance used in inference, once built.
    public private(set) var movingVariance: Variable!
    /// Whether training uses the statistics of the global batch across data-parallel ranks.
    public let synchronized: Bool
    /// Batch renormalization: whether it is on, its optional clipping of `r` (`rmin`, `rmax`) and
    /// `d` (`dmax`), and the momentum of its running averages.
    public let renorm: Bool
    /// The `renormClipping` this `BatchNormalization` was created with.
    public let renormClipping: RenormClipping?
    /// The `renormMomentum` this `BatchNormalization` was created with.
    public let renormMomentum: Double
    /// With `renorm`, once built: the moving standard deviation and the renorm averages.
    public private(set) var movingStddev: Variable?
    /// The renormalization moving mean, once built with `renorm`.
    public private(set) var renormMean: Variable?
    /// The renormalization moving standard deviation, once built with `renorm`.
    public private(set) var renormStddev: Variable?

    /// The clipping of batch renormalization's corrections (Keras's `renorm_clipping`); `nil`
    /// entries do not clip.
    ///
    /// ```swift
    /// BatchNormalization(renorm: true, renormClipping: .init(rmax: 3, rmin: 1.0 / 3, dmax: 5))
    /// ```
    public struct RenormClipping: Sendable, Equatable {
        /// The `rmax` this `RenormClipping` was created with.
        public var rmax: Double?, rmin: Double?, dmax: Double?
        /// Limits of the renormalization corrections; `nil` leaves one unclipped.
        public init(rmax: Double? = nil, rmin: Double? = nil, dmax: Double? = nil) {
            self.rmax = rmax
            self.rmin = rmin
            self.dmax = dmax
        }
    }
    /// Pairs the reads and writes of the two moving statistics (held only around them).
    private let statisticsLock = Mutex<Void>(())

    /// Creates a batch normalization layer (Keras's `BatchNormalization`, same defaults).
    ///
    /// - Parameters:
    ///   - axis: The axis to normalize (the features axis; -1 is the last).
    ///   - momentum: Momentum of the moving mean and variance.
    ///   - epsilon: Small float added to the variance to avoid dividing by zero.
    ///   - center: Whether to add the learned offset `beta`.
    ///   - scale: Whether to multiply by the learned scale `gamma`.
    ///   - betaInitializer: Initializer of `beta`.
    ///   - gammaInitializer: Initializer of `gamma`.
    ///   - movingMeanInitializer: Initializer of the moving mean.
    ///   - movingVarianceInitializer: Initializer of the moving variance.
    ///   - betaRegularizer: Penalty on `beta`, added to the loss.
    ///   - gammaRegularizer: Penalty on `gamma`, added to the loss.
    ///   - betaConstraint: Constraint applied to `beta` after each optimizer step.
    ///   - gammaConstraint: Constraint applied to `gamma` after each optimizer step.
    ///   - synchronized: In data-parallel training, whether the batch statistics are those of the global batch (summed across ranks).
    ///   - renorm: Whether to use batch renormalization (Ioffe, 2017).
    ///   - renormClipping: Limits `rmax`, `rmin` and `dmax` of the renormalization corrections.
    ///   - renormMomentum: Momentum of the renormalization moving averages.
    ///   - name: The layer's name; a unique name from the class name when `nil`.
    ///   - trainable: Whether the layer's weights are updated in training.
    ///   - dtype: The dtype of the weights and computations.
    public init(axis: Int = -1, momentum: Double = 0.99, epsilon: Double = 1e-3, center: Bool = true, scale: Bool = true,
                betaInitializer: any Initializer = Zeros(), gammaInitializer: any Initializer = Ones(),
                movingMeanInitializer: any Initializer = Zeros(), movingVarianceInitializer: any Initializer = Ones(),
                betaRegularizer: (any Regularizer)? = nil, gammaRegularizer: (any Regularizer)? = nil,
                betaConstraint: (any Constraint)? = nil, gammaConstraint: (any Constraint)? = nil,
                synchronized: Bool = false, renorm: Bool = false, renormClipping: RenormClipping? = nil, renormMomentum: Double = 0.99,
                name: String? = nil, trainable: Bool = true, dtype: DType = .float32) {
        requireValid {
            try Self.validate(momentum: momentum, epsilon: epsilon)
            try Self.validate(renormClipping: renormClipping, renormMomentum: renormMomentum)
        }
        self.synchronized = synchronized
        self.renorm = renorm
        self.renormClipping = renorm ? renormClipping ?? RenormClipping() : renormClipping
        self.renormMomentum = renormMomentum
        self.axis = axis
        self.momentum = momentum
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.betaInitializer = betaInitializer
        self.gammaInitializer = gammaInitializer
        self.movingMeanInitializer = movingMeanInitializer
        self.movingVarianceInitializer = movingVarianceInitializer
        self.betaRegularizer = betaRegularizer
        self.gammaRegularizer = gammaRegularizer
        self.betaConstraint = betaConstraint
        self.gammaConstraint = gammaConstraint
        super.init(name: name, trainable: trainable, dtype: dtype)
    }

    /// `momentum` finite, `epsilon` finite and positive.
    static func validate(momentum: Double, epsilon: Double) throws {
        try ensure(momentum.isFinite, "BatchNormalization: `momentum` must be a finite number. Received: momentum=\(momentum)")
        try ensure(epsilon.isFinite && epsilon > 0, "BatchNormalization: `epsilon` must be a positive finite number. Received: epsilon=\(epsilon)")
    }

    /// Keras's `renorm_clipping` rules (`rmax ≥ rmin`, `dmax ≥ 0`); finite momentum.
    static func validate(renormClipping: RenormClipping?, renormMomentum: Double) throws {
        try ensure(renormMomentum.isFinite, "BatchNormalization: `renorm_momentum` must be a finite number. Received: renorm_momentum=\(renormMomentum)")
        guard let c = renormClipping else { return }
        if let rmax = c.rmax, let rmin = c.rmin {
            try ensure(rmax >= rmin, "BatchNormalization: rmax should be greater than rmin in the `renorm_clipping` argument. Received: rmax=\(rmax), rmin=\(rmin).")
        }
        if let dmax = c.dmax {
            try ensure(dmax >= 0, "BatchNormalization: dmax should be non-negative in the `renorm_clipping` argument. Received: dmax=\(dmax).")
        }
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let bn = try BatchNormalization(config: ["axis": 1, "momentum": 0.9])
    /// ```
    ///
    /// - Throws: `KerasError.invalidConfig` for mistyped keys, a non-finite `momentum` or
    ///   `epsilon`, a malformed `renorm_clipping`.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: BatchNormalization.self, config: config)
        let base = try r.layerBase()
        let axes = try r.axes("axis") ?? ([-1], false)
        guard axes.axes.count == 1 else {
            throw r.mismatch("axis", "an integer", config["axis"] ?? .null)
        }
        let momentum = try r.double("momentum", default: 0.99), epsilon = try r.double("epsilon", default: 1e-3)
        try r.validated { try BatchNormalization.validate(momentum: momentum, epsilon: epsilon) }
        let synchronized = try r.bool("synchronized", default: false)
        let renorm = try r.bool("renorm", default: false)
        let renormMomentum = try r.double("renorm_momentum", default: 0.99)
        var clipping: RenormClipping?
        if let value = r.present("renorm_clipping") {
            guard let object = value.objectValue, Set(object.keys).isSubset(of: ["rmax", "rmin", "dmax"]),
                  object.values.allSatisfy({ $0.isNull || $0.doubleValue != nil }) else {
                throw r.mismatch("renorm_clipping", "an object with optional numbers \"rmax\", \"rmin\", \"dmax\"", value)
            }
            clipping = RenormClipping(rmax: object["rmax"]?.doubleValue, rmin: object["rmin"]?.doubleValue, dmax: object["dmax"]?.doubleValue)
        }
        try r.validated { try BatchNormalization.validate(renormClipping: clipping, renormMomentum: renormMomentum) }
        self.init(axis: axes.axes[0], momentum: momentum, epsilon: epsilon,
                  center: try r.bool("center", default: true), scale: try r.bool("scale", default: true),
                  betaInitializer: try r.initializer("beta_initializer", default: Zeros()),
                  gammaInitializer: try r.initializer("gamma_initializer", default: Ones()),
                  movingMeanInitializer: try r.initializer("moving_mean_initializer", default: Zeros()),
                  movingVarianceInitializer: try r.initializer("moving_variance_initializer", default: Ones()),
                  betaRegularizer: try r.regularizer("beta_regularizer"), gammaRegularizer: try r.regularizer("gamma_regularizer"),
                  betaConstraint: try r.constraint("beta_constraint"), gammaConstraint: try r.constraint("gamma_constraint"),
                  synchronized: synchronized, renorm: renorm, renormClipping: clipping, renormMomentum: renormMomentum,
                  name: base.name, trainable: base.trainable, dtype: base.dtype)
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        featureAxisError(layer: self, axis: axis, shape: inputShapes[0])
    }

    public override func build(inputShape: [Int?]) {
        if let error = featureAxisError(layer: self, axis: axis, shape: inputShape) { fatalError(error.description) }
        let ax = axis < 0 ? axis + inputShape.count : axis
        let channels = inputShape[ax]!
        if scale {
            gamma = addWeight(name: "gamma", shape: [channels], initializer: gammaInitializer,
                              regularizer: gammaRegularizer, constraint: gammaConstraint)
        }
        if center {
            beta = addWeight(name: "beta", shape: [channels], initializer: betaInitializer,
                             regularizer: betaRegularizer, constraint: betaConstraint)
        }
        movingMean = addWeight(name: "moving_mean", shape: [channels], initializer: movingMeanInitializer, trainable: false)
        movingVariance = addWeight(name: "moving_variance", shape: [channels], initializer: movingVarianceInitializer, trainable: false)
        if renorm {
            let stddev = SquareRootOf(movingVarianceInitializer)
            movingStddev = addWeight(name: "moving_stddev", shape: [channels], initializer: stddev, trainable: false)
            renormMean = addWeight(name: "renorm_mean", shape: [channels], initializer: movingMeanInitializer, trainable: false)
            renormStddev = addWeight(name: "renorm_stddev", shape: [channels], initializer: stddev, trainable: false)
        }
        inputSpec = [InputSpec(rank: inputShape.count, axes: [axis: channels])]
    }

    public override func call(_ inputs: Tensor, training: Bool) -> Tensor {
        // Integer inputs are normalized as floats (Keras promotes them against the statistics).
        let x = inputs.dtype.isFloatingPoint ? inputs : inputs.cast(to: dtype)
        let ax = axis < 0 ? axis + x.rank : axis
        var statShape = [Int](repeating: 1, count: x.rank)
        statShape[ax] = x.shape[ax]
        let mean: Tensor, variance: Tensor
        let crossReplicaSum = synchronized ? BatchShard.current?.crossReplicaSum : nil
        if training && trainable && renorm {
            return renormalized(x, axis: ax, statShape: statShape, crossReplicaSum: crossReplicaSum)
        }
        if training && trainable && (ax == x.rank - 1 || crossReplicaSum != nil) {
            // The fused kernel (statistics, output and gradients in two passes) on channels last;
            // synchronized, its sums add up over the data-parallel ranks.
            let (y, batchMean, batchVariance) = fused(x, axis: ax, scale: gamma?.value, offset: beta?.value, crossReplicaSum: crossReplicaSum)
            updateMovingStatistics(mean: batchMean, variance: batchVariance)
            return y
        }
        if training && trainable {
            let reduction = (0..<x.rank).filter { $0 != ax }
            mean = x.mean(axes: reduction, keepDims: true)
            variance = (x - mean).square().mean(axes: reduction, keepDims: true)
            updateMovingStatistics(mean: mean, variance: variance)
        } else {
            let (movingMeanValue, movingVarianceValue) = statisticsLock.withLock { _ in (movingMean.value, movingVariance.value) }
            mean = movingMeanValue.reshaped(to: statShape)
            variance = movingVarianceValue.reshaped(to: statShape)
        }
        var inv = (variance + epsilon).rsqrt()
        if let gamma { inv = inv * gamma.value.reshaped(to: statShape) }
        var shift = -mean * inv
        if let beta { shift = shift + beta.value.reshaped(to: statShape) }
        return x * inv + shift
    }

    /// The fused training kernel over `axis` (moved last and back when it is not last).
    private func fused(_ x: Tensor, axis ax: Int, scale: Tensor?, offset: Tensor?,
                       crossReplicaSum: (@Sendable (inout [Double]) -> Void)?) -> (output: Tensor, mean: Tensor, variance: Tensor) {
        guard ax != x.rank - 1 else {
            return x.batchNormalizationTraining(scale: scale, offset: offset, epsilon: epsilon, crossReplicaSum: crossReplicaSum)
        }
        var order = Array(0..<x.rank)
        order.swapAt(ax, x.rank - 1)
        let result = x.transposed(order).batchNormalizationTraining(scale: scale, offset: offset, epsilon: epsilon,
                                                                    crossReplicaSum: crossReplicaSum)
        return (result.output.transposed(order), result.mean, result.variance)
    }

    /// Batch renormalization in training: the batch statistics corrected by `r` and `d` (held
    /// constant for differentiation), the renorm averages and moving statistics updated.
    /// Synchronized across ranks, the statistics are the global batch's (a first pass of the fused
    /// kernel) and the output the fused kernel's with scale `γ·r` and offset `γ·d + β`.
    private func renormalized(_ x: Tensor, axis ax: Int, statShape: [Int],
                              crossReplicaSum: (@Sendable (inout [Double]) -> Void)?) -> Tensor {
        let reduction = (0..<x.rank).filter { $0 != ax }
        let mean: Tensor, variance: Tensor
        if let crossReplicaSum {
            let stats = withoutRecording { fused(x, axis: ax, scale: nil, offset: nil, crossReplicaSum: crossReplicaSum) }
            (mean, variance) = (stats.mean.reshaped(to: statShape), stats.variance.reshaped(to: statShape))
        } else {
            mean = x.mean(axes: reduction, keepDims: true)
            variance = (x - mean).square().mean(axes: reduction, keepDims: true)
        }
        let channels = movingMean.shape
        let (r, d) = withoutRecording { () -> (Tensor, Tensor) in
            let stddev = (variance + epsilon).sqrt().reshaped(to: channels)
            let (averageMean, averageStddev) = statisticsLock.withLock { _ in (renormMean!.value, renormStddev!.value) }
            let floor = averageStddev.maximum(epsilon.squareRoot())
            var r = stddev / floor
            var d = (mean.reshaped(to: channels) - averageMean) / floor
            if let rmin = renormClipping?.rmin { r = r.maximum(rmin) }
            if let rmax = renormClipping?.rmax { r = r.minimum(rmax) }
            if let dmax = renormClipping?.dmax { d = d.clip(-dmax, dmax) }
            let batchMean = mean.reshaped(to: channels)
            statisticsLock.withLock { _ in
                renormMean!.assign(averageMean * renormMomentum + batchMean * (1 - renormMomentum))
                renormStddev!.assign(averageStddev * renormMomentum + stddev * (1 - renormMomentum))
                movingMean.assign(movingMean.value * momentum + batchMean * (1 - momentum))
                let newStddev = movingStddev!.value * momentum + stddev * (1 - momentum)
                movingStddev!.assign(newStddev)
                movingVariance.assign((newStddev * newStddev - epsilon).relu())
            }
            return (r.reshaped(to: statShape), d.reshaped(to: statShape))
        }
        if let crossReplicaSum {
            var scale = r.reshaped(to: channels), shift = d.reshaped(to: channels)
            if let gamma { (scale, shift) = (scale * gamma.value, shift * gamma.value) }
            if let beta { shift = shift + beta.value }
            return fused(x, axis: ax, scale: scale, offset: shift, crossReplicaSum: crossReplicaSum).output
        }
        var scale = r, shift = d
        if let gamma {
            let g = gamma.value.reshaped(to: statShape)
            scale = r * g
            shift = d * g
        }
        if let beta { shift = shift + beta.value.reshaped(to: statShape) }
        let inv = (variance + epsilon).rsqrt() * scale
        return x * inv + (shift - mean * inv)
    }

    /// `moving = moving · momentum + batch · (1 − momentum)` for both statistics, together.
    private func updateMovingStatistics(mean: Tensor, variance: Tensor) {
        withoutRecording {
            let channels = movingMean.shape
            let batchMean = mean.reshaped(to: channels), batchVariance = variance.reshaped(to: channels)
            statisticsLock.withLock { _ in
                movingMean.assign(movingMean.value * momentum + batchMean * (1 - momentum))
                movingVariance.assign(movingVariance.value * momentum + batchVariance * (1 - momentum))
            }
        }
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["axis"] = .int(axis)
        config["momentum"] = .double(momentum)
        config["epsilon"] = .double(epsilon)
        config["center"] = .bool(center)
        config["scale"] = .bool(scale)
        config["beta_initializer"] = betaInitializer.serialize()
        config["gamma_initializer"] = gammaInitializer.serialize()
        config["moving_mean_initializer"] = movingMeanInitializer.serialize()
        config["moving_variance_initializer"] = movingVarianceInitializer.serialize()
        config["beta_regularizer"] = serializeOptional(betaRegularizer)
        config["gamma_regularizer"] = serializeOptional(gammaRegularizer)
        config["beta_constraint"] = serializeOptional(betaConstraint)
        config["gamma_constraint"] = serializeOptional(gammaConstraint)
        config["synchronized"] = .bool(synchronized)
        config["renorm"] = .bool(renorm)
        if let c = renormClipping {
            var clipping: Config = [:]
            if let rmax = c.rmax { clipping["rmax"] = .double(rmax) }
            if let rmin = c.rmin { clipping["rmin"] = .double(rmin) }
            if let dmax = c.dmax { clipping["dmax"] = .double(dmax) }
            config["renorm_clipping"] = .object(clipping)
        } else {
            config["renorm_clipping"] = .null
        }
        config["renorm_momentum"] = .double(renormMomentum)
        return config
    }
}

/// The error for a normalization layer whose feature `axis` is outside `shape` or of unknown
/// size, else `nil`.
func featureAxisError(layer: Layer, axis: Int, shape: [Int?]) -> KerasError? {
    let ax = axis < 0 ? axis + shape.count : axis
    guard ax >= 0, ax < shape.count else {
        return .incompatibleInput(layer: layer.name, message: "Layer \"\(layer.name)\" (\(layer.className)): Axis \(axis) is out of bounds for input shape \(formatShape(shape)). Received: axis=\(axis)")
    }
    guard let channels = shape[ax] else {
        return .incompatibleInput(layer: layer.name, message: "Layer \"\(layer.name)\" (\(layer.className)): Axis \(axis) of input tensor should have a defined dimension but the layer received an input with shape \(formatShape(shape)).")
    }
    guard channels <= maxWeightElements else {
        return .incompatibleInput(layer: layer.name, message: "Layer \"\(layer.name)\" (\(layer.className)): \(channels) features on axis \(axis) would make weights of more than \(maxWeightElements) elements")
    }
    return nil
}

/// `√initializer(shape)`: the moving standard deviation starts at the root of the moving
/// variance's initial value, as in Keras.
private struct SquareRootOf: Initializer {
    let base: any Initializer
    init(_ base: any Initializer) { self.base = base }
    func callAsFunction(_ shape: [Int], dtype: DType) -> Tensor { base(shape, dtype: dtype).sqrt() }
    func getConfig() -> Config { base.getConfig() }
    static var className: String { "SquareRootOf" }
}
