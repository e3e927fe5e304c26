import CKernels
import Foundation

/// Adamax (`keras.optimizers.Adamax`): Adam with the infinity norm:
/// `m += (g−m)(1−β1)`, `u = max(β2·u, |g|)`, `θ −= lr·m / ((1−β1ᵗ)(u + ε))`.
///
/// ```swift
/// let optimizer = Adamax(learningRate: 0.002)
/// ```
public final class Adamax: Optimizer, @unchecked Sendable {
    /// The `beta1` this `Adamax` was created with.
    public var beta1: Double
    /// The `beta2` this `Adamax` was created with.
    public var beta2: Double
    /// The `epsilon` this `Adamax` was created with.
    public var epsilon: Double

    /// Stops with a message unless `beta1`, `beta2` are in [0, 1) and `epsilon` ≥ 0 (and the base
    /// arguments are valid).
    public init(learningRate: any LearningRateConvertible = 0.001, beta1: Double = 0.9, beta2: Double = 0.999,
                epsilon: Double = 1e-7, weightDecay: Double? = nil, clipnorm: Double? = nil, clipvalue: Double? = nil,
                globalClipnorm: Double? = nil, name: String = "adamax") {
        requireValid { try ArgumentCheck.moments(beta1: beta1, beta2: beta2, epsilon: epsilon, of: Self.className) }
        (self.beta1, self.beta2, self.epsilon) = (beta1, beta2, epsilon)
        super.init(learningRate: learningRate, name: name, weightDecay: weightDecay, clipnorm: clipnorm,
                   clipvalue: clipvalue, globalClipnorm: globalClipnorm)
    }

    public override class var className: String { "Adamax" }
    public override var slotGroups: [[String]] { [["momentum", "norm"]] }
    public override func optimizerConfig() -> Config {
        ["beta_1": .double(beta1), "beta_2": .double(beta2), "epsilon": .double(epsilon)]
    }

    public override func update(_ context: inout StepContext) {
        switch context.variable.dtype {
        case .float64: kernel(Double.self, context)
        default: kernel(Float.self, context)
        }
    }

    private func kernel<T: OptimizerFloat>(_: T.Type, _ c: StepContext) {
        let correction = T(1 - Foundation.pow(Double(T(beta1)), Double(c.step)))
        c.runKernel(T.self, KERAS_ADAMAX, slotCount: 2, [T(c.learningRate), T(1 - beta1), T(beta2), T(epsilon), correction])
    }
}
