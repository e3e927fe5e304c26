import CKernels
import Foundation

/// Adam (`keras.optimizers.Adam`): `m += (g−m)(1−β1)`, `v += (g²−v)(1−β2)`,
/// `θ −= lr·√(1−β2ᵗ)/(1−β1ᵗ) · m/(√v + ε)`; with `amsgrad` the running maximum of `v` is used.
///
/// ```swift
/// let optimizer = Adam(learningRate: 1e-3)
/// optimizer.apply(gradients, to: model.trainableVariables)
/// ```
open class Adam: Optimizer, @unchecked Sendable {
    /// The `beta1` this `Adam` was created with.
    public var beta1: Double
    /// The `beta2` this `Adam` was created with.
    public var beta2: Double
    /// The `epsilon` this `Adam` was created with.
    public var epsilon: Double
    /// The `amsgrad` this `Adam` was created with.
    public var amsgrad: Bool

    /// Stops with a message unless `beta1`, `beta2` are in [0, 1) and `epsilon` ≥ 0 (and the base
    /// arguments are valid).
    public init(learningRate: any LearningRateConvertible = 0.001, beta1: Double = 0.9, beta2: Double = 0.999,
                epsilon: Double = 1e-7, amsgrad: Bool = false, weightDecay: Double? = nil, clipnorm: Double? = nil,
                clipvalue: Double? = nil, globalClipnorm: Double? = nil, name: String = "adam") {
        requireValid { try Self.validate(beta1: beta1, beta2: beta2, epsilon: epsilon) }
        (self.beta1, self.beta2, self.epsilon, self.amsgrad) = (beta1, beta2, epsilon, amsgrad)
        super.init(learningRate: learningRate, name: name, weightDecay: weightDecay, clipnorm: clipnorm,
                   clipvalue: clipvalue, globalClipnorm: globalClipnorm)
    }

    /// `beta_1`, `beta_2` in [0, 1) and `epsilon` ≥ 0 (``ArgumentCheck/moments(beta1:beta2:epsilon:of:)``).
    static func validate(beta1: Double, beta2: Double, epsilon: Double) throws {
        try ArgumentCheck.moments(beta1: beta1, beta2: beta2, epsilon: epsilon, of: className)
    }

    open override class var className: String { "Adam" }
    open override var slotGroups: [[String]] { amsgrad ? [["momentum", "velocity"], ["velocity_hat"]] : [["momentum", "velocity"]] }
    open override func optimizerConfig() -> Config {
        ["beta_1": .double(beta1), "beta_2": .double(beta2), "epsilon": .double(epsilon), "amsgrad": .bool(amsgrad)]
    }

    open override func update(_ context: inout StepContext) {
        switch context.variable.dtype {
        case .float64: kernel(Double.self, context)
        default: kernel(Float.self, context)
        }
    }

    private func kernel<T: OptimizerFloat>(_: T.Type, _ c: StepContext) {
        // Like Keras, the betas are cast to the variable's dtype before taking powers.
        let t = Double(c.step), b1 = Double(T(beta1)), b2 = Double(T(beta2))
        let alpha = T(c.learningRate * (1 - Foundation.pow(b2, t)).squareRoot() / (1 - Foundation.pow(b1, t)))
        let a1 = T(1 - beta1), a2 = T(1 - beta2), eps = T(epsilon)
        c.runKernel(T.self, amsgrad ? KERAS_ADAM_AMSGRAD : KERAS_ADAM, slotCount: amsgrad ? 3 : 2, [alpha, a1, a2, eps])
    }
}

/// AdamW (`keras.optimizers.AdamW`): Adam with decoupled weight decay, 0.004 by default.
///
/// ```swift
/// let optimizer = AdamW(learningRate: 1e-3, weightDecay: 0.01)
/// ```
public final class AdamW: Adam, @unchecked Sendable {
    /// Stops with a message on invalid arguments, as ``Adam/init(learningRate:beta1:beta2:epsilon:amsgrad:weightDecay:clipnorm:clipvalue:globalClipnorm:name:)`` does.
    public init(learningRate: any LearningRateConvertible = 0.001, weightDecay: Double = 0.004, beta1: Double = 0.9,
                beta2: Double = 0.999, epsilon: Double = 1e-7, amsgrad: Bool = false, clipnorm: Double? = nil,
                clipvalue: Double? = nil, globalClipnorm: Double? = nil, name: String = "adam_w") {
        super.init(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, amsgrad: amsgrad,
                   weightDecay: weightDecay, clipnorm: clipnorm, clipvalue: clipvalue, globalClipnorm: globalClipnorm, name: name)
    }
    public override class var className: String { "AdamW" }
}
