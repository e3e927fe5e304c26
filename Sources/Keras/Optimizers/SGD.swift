import CKernels
/// Stochastic gradient descent (`keras.optimizers.SGD`): `θ −= lr·g`; with momentum
/// `m = μm − lr·g`, `θ += m` (Nesterov: `θ += μm − lr·g`).
///
/// ```swift
/// let optimizer = SGD(learningRate: 0.1, momentum: 0.9, nesterov: true)
/// ```
public final class SGD: Optimizer, @unchecked Sendable {
    /// The `momentum` this `SGD` was created with.
    public var momentum: Double
    /// The `nesterov` this `SGD` was created with.
    public var nesterov: Bool

    /// Stops with a message unless `momentum` is in [0, 1] (and the base arguments are valid).
    public init(learningRate: any LearningRateConvertible = 0.01, momentum: Double = 0, nesterov: Bool = false,
                weightDecay: Double? = nil, clipnorm: Double? = nil, clipvalue: Double? = nil,
                globalClipnorm: Double? = nil, name: String = "sgd") {
        requireValid { try Self.validate(momentum: momentum) }
        (self.momentum, self.nesterov) = (momentum, nesterov)
        super.init(learningRate: learningRate, name: name, weightDecay: weightDecay, clipnorm: clipnorm,
                   clipvalue: clipvalue, globalClipnorm: globalClipnorm)
    }

    /// Keras's rule: `momentum` in [0, 1].
    static func validate(momentum: Double) throws {
        try ArgumentCheck.within(0...1, momentum, "momentum", of: className, "[0, 1]")
    }

    public override class var className: String { "SGD" }
    public override var slotGroups: [[String]] { momentum != 0 ? [["momentum"]] : [] }
    public override func optimizerConfig() -> Config { ["momentum": .double(momentum), "nesterov": .bool(nesterov)] }

    public override func update(_ context: inout StepContext) {
        switch context.variable.dtype {
        case .float64: kernel(Double.self, context)
        default: kernel(Float.self, context)
        }
    }

    private func kernel<T: OptimizerFloat>(_: T.Type, _ c: StepContext) {
        let lr = T(c.learningRate), mu = T(momentum)
        if momentum == 0 {
            c.runKernel(T.self, KERAS_SGD, slotCount: 0, [lr])
        } else {
            c.runKernel(T.self, nesterov ? KERAS_SGD_NESTEROV : KERAS_SGD_MOMENTUM, slotCount: 1, [lr, mu])
        }
    }
}
