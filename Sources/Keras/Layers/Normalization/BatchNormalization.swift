import Synchronization

/// Normalizes its inputs to zero mean and unit variance per feature of `axis`, then scales by
/// `gamma` and shifts by `beta` (`keras.layers.BatchNormalization`).
///
/// - In training (`training: true` and the layer ``trainable``) it uses the biased mean and
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
/// The two moving statistics are read and replaced together under the layer's own lock, so a
/// prediction running while another thread trains sees both from before or both from after a
/// training call, never one of each.
public final class BatchNormalization: Layer, @unchecked Sendable {
    /// Its inference call writes no state, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    public let axis: Int
    public let momentum: Double
    public let epsilon: Double
    public let center: Bool
    public let scale: Bool
    public let betaInitializer: any Initializer
    public let gammaInitializer: any Initializer
    public let movingMeanInitializer: any Initializer
    public let movingVarianceInitializer: any Initializer
    public let betaRegularizer: (any Regularizer)?
    public let gammaRegularizer: (any Regularizer)?
    public let betaConstraint: (any Constraint)?
    public let gammaConstraint: (any Constraint)?
    /// `(channels,)`, once built with `scale`.
    public private(set) var gamma: Variable?
    /// `(channels,)`, once built with `center`.
    public private(set) var beta: Variable?
    /// `(channels,)`, once built.
    public private(set) var movingMean: Variable!
    public private(set) var movingVariance: Variable!
    /// Pairs the reads and writes of the two moving statistics (held only around them).
    private let statisticsLock = Mutex<Void>(())

    public init(axis: Int = -1, momentum: Double = 0.99, epsilon: Double = 1e-3, center: Bool = true, scale: Bool = true,
                betaInitializer: any Initializer = Zeros(), gammaInitializer: any Initializer = Ones(),
                movingMeanInitializer: any Initializer = Zeros(), movingVarianceInitializer: any Initializer = Ones(),
                betaRegularizer: (any Regularizer)? = nil, gammaRegularizer: (any Regularizer)? = nil,
                betaConstraint: (any Constraint)? = nil, gammaConstraint: (any Constraint)? = nil,
                name: String? = nil, trainable: Bool = true, dtype: DType = .float32) {
        requireValid { try Self.validate(momentum: momentum, epsilon: epsilon) }
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

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let bn = try BatchNormalization(config: ["axis": 1, "momentum": 0.9])
    /// ```
    ///
    /// - Throws: `KerasError.invalidConfig` for mistyped keys, a non-finite `momentum` or
    ///   `epsilon`, and for `renorm` or `synchronized`, which this backend does not offer.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: BatchNormalization.self, config: config)
        let base = try r.layerBase()
        let axes = try r.axes("axis") ?? ([-1], false)
        guard axes.axes.count == 1 else {
            throw r.mismatch("axis", "an integer", config["axis"] ?? .null)
        }
        let momentum = try r.double("momentum", default: 0.99), epsilon = try r.double("epsilon", default: 1e-3)
        try r.validated { try BatchNormalization.validate(momentum: momentum, epsilon: epsilon) }
        if try r.bool("renorm", default: false) {
            throw KerasError.invalidConfig("BatchNormalization \"\(base.name ?? "?")\": batch renormalization (renorm=True) is not supported; save the model with renorm=False")
        }
        if try r.bool("synchronized", default: false) {
            throw KerasError.invalidConfig("BatchNormalization \"\(base.name ?? "?")\": Argument synchronized=True is only supported with the TensorFlow backend.")
        }
        _ = r.value("renorm_clipping"); _ = r.value("renorm_momentum")
        self.init(axis: axes.axes[0], momentum: momentum, epsilon: epsilon,
                  center: try r.bool("center", default: true), scale: try r.bool("scale", default: true),
                  betaInitializer: try r.initializer("beta_initializer", default: Zeros()),
                  gammaInitializer: try r.initializer("gamma_initializer", default: Ones()),
                  movingMeanInitializer: try r.initializer("moving_mean_initializer", default: Zeros()),
                  movingVarianceInitializer: try r.initializer("moving_variance_initializer", default: Ones()),
                  betaRegularizer: try r.regularizer("beta_regularizer"), gammaRegularizer: try r.regularizer("gamma_regularizer"),
                  betaConstraint: try r.constraint("beta_constraint"), gammaConstraint: try r.constraint("gamma_constraint"),
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
        inputSpec = [InputSpec(rank: inputShape.count, axes: [axis: channels])]
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let ax = axis < 0 ? axis + x.rank : axis
        var statShape = [Int](repeating: 1, count: x.rank)
        statShape[ax] = x.shape[ax]
        let mean: Tensor, variance: Tensor
        if training && trainable && ax == x.rank - 1 {
            // Channels last: the fused kernel (statistics, output and gradients in two passes).
            let (y, batchMean, batchVariance) = x.batchNormalizationTraining(scale: gamma?.value, offset: beta?.value, epsilon: epsilon)
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
        config["synchronized"] = false
        config["renorm"] = false
        config["renorm_clipping"] = .null
        config["renorm_momentum"] = 0.99
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
    guard shape[ax] != nil else {
        return .incompatibleInput(layer: layer.name, message: "Layer \"\(layer.name)\" (\(layer.className)): Axis \(axis) of input tensor should have a defined dimension but the layer received an input with shape \(formatShape(shape)).")
    }
    return nil
}
