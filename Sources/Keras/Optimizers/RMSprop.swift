import CKernels

/// RMSprop (`keras.optimizers.RMSprop`): `v = ρv + (1−ρ)g²`, `θ −= lr·g/√(v + ε)`; `centered`
/// subtracts the squared mean gradient inside the root, `momentum` accumulates the increments.
///
/// ```swift
/// let optimizer = RMSprop(learningRate: 1e-3, momentum: 0.9, centered: true)
/// ```
public final class RMSprop: Optimizer, @unchecked Sendable {
    /// The `rho` this `RMSprop` was created with.
    public var rho: Double
    /// The `momentum` this `RMSprop` was created with.
    public var momentum: Double
    /// The `epsilon` this `RMSprop` was created with.
    public var epsilon: Double
    /// The `centered` this `RMSprop` was created with.
    public var centered: Bool

    /// Stops with a message unless `rho` and `momentum` are in [0, 1] and `epsilon` ≥ 0 (and the
    /// base arguments are valid).
    public init(learningRate: any LearningRateConvertible = 0.001, rho: Double = 0.9, momentum: Double = 0,
                epsilon: Double = 1e-7, centered: Bool = false, weightDecay: Double? = nil, clipnorm: Double? = nil,
                clipvalue: Double? = nil, globalClipnorm: Double? = nil, name: String = "rm_sprop") {
        requireValid { try Self.validate(rho: rho, momentum: momentum, epsilon: epsilon) }
        (self.rho, self.momentum, self.epsilon, self.centered) = (rho, momentum, epsilon, centered)
        super.init(learningRate: learningRate, name: name, weightDecay: weightDecay, clipnorm: clipnorm,
                   clipvalue: clipvalue, globalClipnorm: globalClipnorm)
    }

    /// `rho` and `momentum` in [0, 1], `epsilon` ≥ 0.
    static func validate(rho: Double, momentum: Double, epsilon: Double) throws {
        try ArgumentCheck.within(0...1, rho, "rho", of: className, "[0, 1]")
        try ArgumentCheck.within(0...1, momentum, "momentum", of: className, "[0, 1]")
        try ArgumentCheck.nonNegative(epsilon, "epsilon", of: className)
    }

    public override class var className: String { "RMSprop" }
    public override var slotGroups: [[String]] {
        [["velocity"]] + (momentum > 0 ? [["momentum"]] : []) + (centered ? [["average_gradient"]] : [])
    }
    public override func optimizerConfig() -> Config {
        ["rho": .double(rho), "momentum": .double(momentum), "epsilon": .double(epsilon), "centered": .bool(centered)]
    }

    public override func update(_ context: inout StepContext) {
        switch context.variable.dtype {
        case .float64: kernel(Double.self, context)
        default: kernel(Float.self, context)
        }
    }

    private func kernel<T: OptimizerFloat>(_: T.Type, _ c: StepContext) {
        let lr = T(c.learningRate), rho = T(self.rho), rho1 = T(1 - self.rho), mu = T(momentum), eps = T(epsilon)
        let useMomentum = momentum > 0
        let kind = switch (useMomentum, centered) {
        case (false, false): KERAS_RMSPROP
        case (true, false): KERAS_RMSPROP_MOMENTUM
        case (false, true): KERAS_RMSPROP_CENTERED
        case (true, true): KERAS_RMSPROP_MOMENTUM_CENTERED
        }
        c.runKernel(T.self, kind, slotCount: 1 + (useMomentum ? 1 : 0) + (centered ? 1 : 0), [lr, rho, rho1, mu, eps])
    }
}
