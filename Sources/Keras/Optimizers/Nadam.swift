import CKernels
import Foundation
import KerasCore

/// Nadam (`keras.optimizers.Nadam`): Adam with Nesterov momentum and the momentum schedule
/// `μₜ = β1(1 − ½·0.96ᵗ)`.
///
/// ```swift
/// let optimizer = Nadam(learningRate: 2e-3)
/// ```
public final class Nadam: Optimizer, @unchecked Sendable {
    /// The `beta1` this `Nadam` was created with.
    public var beta1: Double
    /// The `beta2` this `Nadam` was created with.
    public var beta2: Double
    /// The `epsilon` this `Nadam` was created with.
    public var epsilon: Double
    /// The running product of the momentum schedule (Keras's `u_product`, float32).
    public let uProduct = Variable(Tensor(Float(1)), name: "u_product", trainable: false)

    /// Stops with a message unless `beta1`, `beta2` are in [0, 1) and `epsilon` ≥ 0 (and the base
    /// arguments are valid).
    public init(learningRate: any LearningRateConvertible = 0.001, beta1: Double = 0.9, beta2: Double = 0.999,
                epsilon: Double = 1e-7, weightDecay: Double? = nil, clipnorm: Double? = nil, clipvalue: Double? = nil,
                globalClipnorm: Double? = nil, name: String = "nadam") {
        requireValid { try ArgumentCheck.moments(beta1: beta1, beta2: beta2, epsilon: epsilon, of: Self.className) }
        (self.beta1, self.beta2, self.epsilon) = (beta1, beta2, epsilon)
        super.init(learningRate: learningRate, name: name, weightDecay: weightDecay, clipnorm: clipnorm,
                   clipvalue: clipvalue, globalClipnorm: globalClipnorm)
    }

    public override class var className: String { "Nadam" }
    public override var slotGroups: [[String]] { [["momentum", "velocity"]] }
    public override var extraVariables: [Variable] { [uProduct] }
    public override func optimizerConfig() -> Config {
        ["beta_1": .double(beta1), "beta_2": .double(beta2), "epsilon": .double(epsilon)]
    }

    /// `μₜ = β1(1 − ½·0.96ᵗ)` with the constants rounded to `T`, as Keras casts them.
    private func schedule<T: OptimizerFloat>(_ t: Double, _: T.Type) -> Double {
        Double(T(beta1)) * (1 - 0.5 * Foundation.pow(Double(T(0.96)), t))
    }

    public override func prepareStep(step: Int) {
        let product = Double(uProduct.value.item(as: Float.self)) * schedule(Double(step), Float.self)
        uProduct.assign(Tensor(Float(product)))
    }

    public override func update(_ context: inout StepContext) {
        switch context.variable.dtype {
        case .float64: kernel(Double.self, context)
        default: kernel(Float.self, context)
        }
    }

    private func kernel<T: OptimizerFloat>(_: T.Type, _ c: StepContext) {
        let t = Double(c.step)
        let ut = schedule(t, T.self), ut1 = schedule(t + 1, T.self)
        let productT = Double(uProduct.value.item(as: Float.self))
        let productT1 = productT * ut1
        let lr = T(c.learningRate), a1 = 1 - T(beta1), a2 = 1 - T(beta2), eps = T(epsilon)  // Keras: 1 − cast(β)
        let cM = T(ut1 / (1 - productT1)), cG = T((1 - ut) / (1 - productT))
        let vScale = T(1 / (1 - Foundation.pow(Double(T(beta2)), t)))
        c.runKernel(T.self, KERAS_NADAM, slotCount: 2, [lr, a1, a2, eps, cM, cG, vScale])
    }
}
