import CKernels
/// Adagrad (`keras.optimizers.Adagrad`): `acc += g²`, `θ −= lr·g/√(acc + ε)`.
///
/// ```swift
/// let optimizer = Adagrad(learningRate: 0.01, initialAccumulatorValue: 0.1)
/// ```
public final class Adagrad: Optimizer, @unchecked Sendable {
    /// The `initialAccumulatorValue` this `Adagrad` was created with.
    public var initialAccumulatorValue: Double
    /// The `epsilon` this `Adagrad` was created with.
    public var epsilon: Double

    /// Stops with a message unless `initialAccumulatorValue` and `epsilon` are ≥ 0 (and the base
    /// arguments are valid).
    public init(learningRate: any LearningRateConvertible = 0.001, initialAccumulatorValue: Double = 0.1,
                epsilon: Double = 1e-7, weightDecay: Double? = nil, clipnorm: Double? = nil, clipvalue: Double? = nil,
                globalClipnorm: Double? = nil, name: String = "adagrad") {
        requireValid { try Self.validate(initialAccumulatorValue: initialAccumulatorValue, epsilon: epsilon) }
        (self.initialAccumulatorValue, self.epsilon) = (initialAccumulatorValue, epsilon)
        super.init(learningRate: learningRate, name: name, weightDecay: weightDecay, clipnorm: clipnorm,
                   clipvalue: clipvalue, globalClipnorm: globalClipnorm)
    }

    /// `initial_accumulator_value` ≥ 0 (its square root is taken) and `epsilon` ≥ 0.
    static func validate(initialAccumulatorValue: Double, epsilon: Double) throws {
        try ArgumentCheck.nonNegative(initialAccumulatorValue, "initial_accumulator_value", of: className)
        try ArgumentCheck.nonNegative(epsilon, "epsilon", of: className)
    }

    public override class var className: String { "Adagrad" }
    public override var slotGroups: [[String]] { [["accumulator"]] }
    public override func initialValue(ofSlot slot: String) -> Double { initialAccumulatorValue }
    public override func optimizerConfig() -> Config {
        ["initial_accumulator_value": .double(initialAccumulatorValue), "epsilon": .double(epsilon)]
    }

    public override func update(_ context: inout StepContext) {
        switch context.variable.dtype {
        case .float64: kernel(Double.self, context)
        default: kernel(Float.self, context)
        }
    }

    private func kernel<T: OptimizerFloat>(_: T.Type, _ c: StepContext) {
        c.runKernel(T.self, KERAS_ADAGRAD, slotCount: 1, [T(c.learningRate), T(epsilon)])
    }
}
