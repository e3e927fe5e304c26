import CKernels
/// Adadelta (`keras.optimizers.Adadelta`): `E[g²] = ρE[g²] + (1−ρ)g²`,
/// `Δ = −√(E[Δ²]+ε)·g/√(E[g²]+ε)`, `E[Δ²] = ρE[Δ²] + (1−ρ)Δ²`, `θ += lr·Δ`.
///
/// ```swift
/// let optimizer = Adadelta(learningRate: 1.0, rho: 0.95)
/// ```
public final class Adadelta: Optimizer, @unchecked Sendable {
    /// The `rho` this `Adadelta` was created with.
    public var rho: Double
    /// The `epsilon` this `Adadelta` was created with.
    public var epsilon: Double

    /// Stops with a message unless `rho` is in [0, 1] and `epsilon` ≥ 0 (and the base arguments
    /// are valid).
    public init(learningRate: any LearningRateConvertible = 0.001, rho: Double = 0.95, epsilon: Double = 1e-7,
                weightDecay: Double? = nil, clipnorm: Double? = nil, clipvalue: Double? = nil,
                globalClipnorm: Double? = nil, name: String = "adadelta") {
        requireValid { try Self.validate(rho: rho, epsilon: epsilon) }
        (self.rho, self.epsilon) = (rho, epsilon)
        super.init(learningRate: learningRate, name: name, weightDecay: weightDecay, clipnorm: clipnorm,
                   clipvalue: clipvalue, globalClipnorm: globalClipnorm)
    }

    /// `rho` in [0, 1], `epsilon` ≥ 0.
    static func validate(rho: Double, epsilon: Double) throws {
        try ArgumentCheck.within(0...1, rho, "rho", of: className, "[0, 1]")
        try ArgumentCheck.nonNegative(epsilon, "epsilon", of: className)
    }

    public override class var className: String { "Adadelta" }
    public override var slotGroups: [[String]] { [["accumulated_grad", "accumulated_delta_var"]] }
    public override func optimizerConfig() -> Config { ["rho": .double(rho), "epsilon": .double(epsilon)] }

    public override func update(_ context: inout StepContext) {
        switch context.variable.dtype {
        case .float64: kernel(Double.self, context)
        default: kernel(Float.self, context)
        }
    }

    private func kernel<T: OptimizerFloat>(_: T.Type, _ c: StepContext) {
        c.runKernel(T.self, KERAS_ADADELTA, slotCount: 2, [T(c.learningRate), T(rho), T(1 - rho), T(epsilon)])
    }
}
