/// RMSprop (`keras.optimizers.RMSprop`): `v = ρv + (1−ρ)g²`, `θ −= lr·g/√(v + ε)`; `centered`
/// subtracts the squared mean gradient inside the root, `momentum` accumulates the increments.
///
/// ```swift
/// let optimizer = RMSprop(learningRate: 1e-3, momentum: 0.9, centered: true)
/// ```
public final class RMSprop: Optimizer, @unchecked Sendable {
    public var rho: Double
    public var momentum: Double
    public var epsilon: Double
    public var centered: Bool

    public init(learningRate: any LearningRateConvertible = 0.001, rho: Double = 0.9, momentum: Double = 0,
                epsilon: Double = 1e-7, centered: Bool = false, weightDecay: Double? = nil, clipnorm: Double? = nil,
                clipvalue: Double? = nil, globalClipnorm: Double? = nil, name: String = "rm_sprop") {
        (self.rho, self.momentum, self.epsilon, self.centered) = (rho, momentum, epsilon, centered)
        super.init(learningRate: learningRate, name: name, weightDecay: weightDecay, clipnorm: clipnorm,
                   clipvalue: clipvalue, globalClipnorm: globalClipnorm)
    }

    public override var className: String { "RMSprop" }
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
        let lr = T(c.learningRate), r = T(rho), r1 = T(1 - rho), mu = T(momentum), eps = T(epsilon)
        let useMomentum = momentum > 0, isCentered = centered
        let count = 1 + (useMomentum ? 1 : 0) + (isCentered ? 1 : 0)
        c.run(T.self, slotCount: count) { n, b in
            let v = b.slotIn[0], vOut = b.slotOut[0], out = b.newParam
            let mIndex = useMomentum ? 1 : 0, aIndex = count - 1
            let m = b.slotIn[mIndex], mOut = b.slotOut[mIndex], a = b.slotIn[aIndex], aOut = b.slotOut[aIndex]
            for i in 0..<n {
                let g = b.grad(i)
                let vi = r * v[i] + r1 * (g * g)
                vOut[i] = vi
                var denominator = vi + eps
                if isCentered {
                    let ai = r * a[i] + r1 * g
                    aOut[i] = ai
                    denominator = vi - ai * ai + eps
                }
                let increment = (lr * g) / denominator.squareRoot()
                if useMomentum {
                    let mi = mu * m[i] + increment
                    mOut[i] = mi
                    out[i] = b.param(i) - mi
                } else {
                    out[i] = b.param(i) - increment
                }
            }
        }
    }
}
