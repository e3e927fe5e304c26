import CKernels

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
        let lr = T(c.learningRate), rho = T(self.rho), rho1 = T(1 - self.rho), mu = T(momentum), eps = T(epsilon)
        let useMomentum = momentum > 0, isCentered = centered
        let count = 1 + (useMomentum ? 1 : 0) + (isCentered ? 1 : 0)
        // One branch-free loop per configuration, so each vectorizes.
        c.run(T.self, slotCount: count) { range, b in
            let v = b.slotIn[0], vOut = b.slotOut[0], out = b.newParam
            let a = b.slotIn[count - 1], aOut = b.slotOut[count - 1]
            switch (isCentered, useMomentum) {
            case (false, false) where T.self == Float.self && b.isPlain:
                // Keras's default optimizer: in C, compiled for the CPU's widest vectors.
                b.withFloatPointers { p, g, slotsIn, slotsOut, pOut in
                    let lo = range.lowerBound
                    keras_rmsprop_f32(range.count, p + lo, g + lo, slotsIn[0] + lo, pOut + lo, slotsOut[0] + lo,
                                      Float(lr), Float(rho), Float(rho1), Float(eps))
                }
            case (false, false):
                for i in range {
                    let g = b.grad(i)
                    let vi = rho * v[i] + rho1 * (g * g)
                    vOut[i] = vi
                    out[i] = b.param(i) - (lr * g) / (vi + eps).vectorizableSquareRoot
                }
            case (true, false):
                for i in range {
                    let g = b.grad(i)
                    let vi = rho * v[i] + rho1 * (g * g), ai = rho * a[i] + rho1 * g
                    vOut[i] = vi; aOut[i] = ai
                    out[i] = b.param(i) - (lr * g) / (vi - ai * ai + eps).vectorizableSquareRoot
                }
            case (false, true):
                let m = b.slotIn[1], mOut = b.slotOut[1]
                for i in range {
                    let g = b.grad(i)
                    let vi = rho * v[i] + rho1 * (g * g)
                    let mi = mu * m[i] + (lr * g) / (vi + eps).vectorizableSquareRoot
                    vOut[i] = vi; mOut[i] = mi
                    out[i] = b.param(i) - mi
                }
            case (true, true):
                let m = b.slotIn[1], mOut = b.slotOut[1]
                for i in range {
                    let g = b.grad(i)
                    let vi = rho * v[i] + rho1 * (g * g), ai = rho * a[i] + rho1 * g
                    let mi = mu * m[i] + (lr * g) / (vi - ai * ai + eps).vectorizableSquareRoot
                    vOut[i] = vi; aOut[i] = ai; mOut[i] = mi
                    out[i] = b.param(i) - mi
                }
            }
        }
    }
}
