import CKernels
import Foundation

/// FTRL-Proximal (`keras.optimizers.Ftrl`, "Follow The Regularized Leader", McMahan et al. 2013),
/// for shallow models with large sparse feature spaces. With `c = −learningRatePower`, per element:
/// `n' = n + g²`, `z' = z + (g + 2·s·θ) − ((n'^c − n^c)/lr)·θ`,
/// `θ' = (clip(z', −l1, l1) − z') / (n'^c/lr + 2·(l2 + β/(2·lr)))`, where `s` is
/// `l2ShrinkageRegularizationStrength`; the slots are `accumulator` (`n`, starting at
/// `initialAccumulatorValue`) and `linear` (`z`).
///
/// ```swift
/// let optimizer = Ftrl(learningRate: 0.1, l1RegularizationStrength: 0.01)
/// optimizer.apply(gradients, to: model.trainableVariables)
/// ```
public final class Ftrl: Optimizer, @unchecked Sendable {
    /// The `learning_rate_power` (≤ 0; 0 keeps the rate fixed).
    public var learningRatePower: Double
    /// The starting value of the accumulators (≥ 0).
    public var initialAccumulatorValue: Double
    /// The L1 regularization strength (≥ 0).
    public var l1RegularizationStrength: Double
    /// The stabilizing L2 regularization strength (≥ 0).
    public var l2RegularizationStrength: Double
    /// The L2 shrinkage strength (≥ 0): a magnitude penalty added to the gradient.
    public var l2ShrinkageRegularizationStrength: Double
    /// The paper's `beta` (≥ 0), added to the L2 strength as `β/(2·lr)`.
    public var beta: Double

    /// Stops with a message unless `learningRatePower` ≤ 0, the other arguments are finite and
    /// ≥ 0, and the learning rate (when constant) is > 0 (the update divides by it); the base
    /// arguments are checked as for every optimizer.
    public init(learningRate: any LearningRateConvertible = 0.001, learningRatePower: Double = -0.5,
                initialAccumulatorValue: Double = 0.1, l1RegularizationStrength: Double = 0,
                l2RegularizationStrength: Double = 0, l2ShrinkageRegularizationStrength: Double = 0, beta: Double = 0,
                weightDecay: Double? = nil, clipnorm: Double? = nil, clipvalue: Double? = nil,
                globalClipnorm: Double? = nil, name: String = "ftrl") {
        let rate = learningRate.learningRate
        requireValid {
            try Self.validate(learningRate: rate, learningRatePower: learningRatePower,
                              initialAccumulatorValue: initialAccumulatorValue, l1: l1RegularizationStrength,
                              l2: l2RegularizationStrength, l2Shrinkage: l2ShrinkageRegularizationStrength, beta: beta)
        }
        self.learningRatePower = learningRatePower
        self.initialAccumulatorValue = initialAccumulatorValue
        self.l1RegularizationStrength = l1RegularizationStrength
        self.l2RegularizationStrength = l2RegularizationStrength
        self.l2ShrinkageRegularizationStrength = l2ShrinkageRegularizationStrength
        self.beta = beta
        super.init(learningRate: rate, name: name, weightDecay: weightDecay, clipnorm: clipnorm,
                   clipvalue: clipvalue, globalClipnorm: globalClipnorm)
    }

    /// Keras's rules (`learning_rate_power` ≤ 0; the accumulator value and the three strengths
    /// ≥ 0), plus finite values, `beta` ≥ 0 and a constant learning rate > 0.
    static func validate(learningRate: LearningRate, learningRatePower: Double, initialAccumulatorValue: Double,
                         l1: Double, l2: Double, l2Shrinkage: Double, beta: Double) throws {
        if case .constant(let lr) = learningRate { try ArgumentCheck.positive(lr, "learning_rate", of: className) }
        try ArgumentCheck.nonPositive(learningRatePower, "learning_rate_power", of: className)
        try ArgumentCheck.nonNegative(initialAccumulatorValue, "initial_accumulator_value", of: className)
        try ArgumentCheck.nonNegative(l1, "l1_regularization_strength", of: className)
        try ArgumentCheck.nonNegative(l2, "l2_regularization_strength", of: className)
        try ArgumentCheck.nonNegative(l2Shrinkage, "l2_shrinkage_regularization_strength", of: className)
        try ArgumentCheck.nonNegative(beta, "beta", of: className)
    }

    public override class var className: String { "Ftrl" }
    public override var slotGroups: [[String]] { [["accumulator", "linear"]] }
    public override func initialValue(ofSlot slot: String) -> Double { slot == "accumulator" ? initialAccumulatorValue : 0 }
    public override func optimizerConfig() -> Config {
        ["learning_rate_power": .double(learningRatePower), "initial_accumulator_value": .double(initialAccumulatorValue),
         "l1_regularization_strength": .double(l1RegularizationStrength),
         "l2_regularization_strength": .double(l2RegularizationStrength),
         "l2_shrinkage_regularization_strength": .double(l2ShrinkageRegularizationStrength), "beta": .double(beta)]
    }

    public override func update(_ context: inout StepContext) {
        switch context.variable.dtype {
        case .float64: kernel(Double.self, context)
        default: kernel(Float.self, context)
        }
    }

    private func kernel<T: OptimizerFloat>(_: T.Type, _ c: StepContext) {
        // Keras casts the learning rate to the variable's dtype; the Python floats combine with it there.
        let lr = T(c.learningRate)
        let l2 = T(l2RegularizationStrength) + T(beta) / (2 * lr)
        let power = T(-learningRatePower)
        c.runKernel(T.self, power == 0.5 ? KERAS_FTRL_SQRT : KERAS_FTRL, slotCount: 2,
                    [lr, power, T(2 * l2ShrinkageRegularizationStrength), T(l1RegularizationStrength), 2 * l2])
    }
}
