import Foundation

/// LAMB (`keras.optimizers.Lamb`, You et al. 2019): Adam's moments with a per-variable trust
/// ratio. Per variable: `m += (g − m)(1 − β1)`, `v += (g² − v)(1 − β2)`,
/// `u = (m/(1 − β1ᵗ)) / (√(v/(1 − β2ᵗ)) + ε)`, then `θ −= r·lr·u` with the trust ratio
/// `r = ‖θ‖/‖u‖` (1 when either norm is 0). Slots: `momentum`, `velocity`.
///
/// The ratio needs both norms of the whole variable, so each variable is updated on one thread
/// through ``StepContext/runWhole(_:slotIndices:_:)``, by ``Optimizer/apply(_:to:)`` (the planned
/// training step hands its gradients to `apply` for this optimizer). The norms are summed in
/// double precision and rounded to the variable's dtype.
///
/// ```swift
/// let optimizer = Lamb(learningRate: 0.01, weightDecay: 0.01)
/// optimizer.apply(gradients, to: model.trainableVariables)
/// ```
public final class Lamb: Optimizer, @unchecked Sendable {
    /// The decay of the first moment (`beta_1`), in [0, 1).
    public var beta1: Double
    /// The decay of the second moment (`beta_2`), in [0, 1).
    public var beta2: Double
    /// The `epsilon` added to the root of the second moment (≥ 0).
    public var epsilon: Double

    /// Stops with a message unless `beta1`, `beta2` are in [0, 1) and `epsilon` ≥ 0 (and the base
    /// arguments are valid).
    public init(learningRate: any LearningRateConvertible = 0.001, beta1: Double = 0.9, beta2: Double = 0.999,
                epsilon: Double = 1e-7, weightDecay: Double? = nil, clipnorm: Double? = nil, clipvalue: Double? = nil,
                globalClipnorm: Double? = nil, name: String = "lamb") {
        requireValid { try ArgumentCheck.moments(beta1: beta1, beta2: beta2, epsilon: epsilon, of: Self.className) }
        (self.beta1, self.beta2, self.epsilon) = (beta1, beta2, epsilon)
        super.init(learningRate: learningRate, name: name, weightDecay: weightDecay, clipnorm: clipnorm,
                   clipvalue: clipvalue, globalClipnorm: globalClipnorm)
    }

    public override class var className: String { "Lamb" }
    public override var slotGroups: [[String]] { [["momentum", "velocity"]] }
    public override func optimizerConfig() -> Config {
        ["beta_1": .double(beta1), "beta_2": .double(beta2), "epsilon": .double(epsilon)]
    }

    public override func update(_ context: inout StepContext) {
        switch context.variable.dtype {
        case .float64: step(Double.self, context)
        default: step(Float.self, context)
        }
    }

    private func step<T: OptimizerFloat>(_: T.Type, _ c: StepContext) {
        if c.variable.shape.contains(0) { return }   // nothing to update
        // As Keras: the betas' powers in the variable's dtype, `1 − β` from the Python floats.
        let t = Double(T(c.step))
        let c1 = 1 - T(Foundation.pow(Double(T(beta1)), t)), c2 = 1 - T(Foundation.pow(Double(T(beta2)), t))
        let a1 = T(1 - beta1), a2 = T(1 - beta2), eps = T(epsilon), lr = T(c.learningRate)
        c.runWhole(T.self, slotIndices: [0, 1]) { n, b in
            var weightSquares = 0.0, updateSquares = 0.0
            for i in 0..<n {
                let g = b.grad(i), p = b.param(i)
                let m = b.slotIn[0][i] + (g - b.slotIn[0][i]) * a1
                let v = b.slotIn[1][i] + (g * g - b.slotIn[1][i]) * a2
                b.slotOut[0][i] = m
                b.slotOut[1][i] = v
                let u = (m / c1) / ((v / c2).squareRoot() + eps)
                b.newParam[i] = u   // the update, until the ratio is known
                weightSquares += Double(p * p)
                updateSquares += Double(u * u)
            }
            let weightNorm = T(weightSquares).squareRoot(), updateNorm = T(updateSquares).squareRoot()
            let ratio: T = weightNorm > 0 ? (updateNorm > 0 ? weightNorm / updateNorm : 1) : 1
            let scale = ratio * lr
            for i in 0..<n { b.newParam[i] = b.param(i) - scale * b.newParam[i] }
        }
    }
}
