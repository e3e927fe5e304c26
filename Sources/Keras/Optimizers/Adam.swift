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
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double
    public var amsgrad: Bool

    public init(learningRate: any LearningRateConvertible = 0.001, beta1: Double = 0.9, beta2: Double = 0.999,
                epsilon: Double = 1e-7, amsgrad: Bool = false, weightDecay: Double? = nil, clipnorm: Double? = nil,
                clipvalue: Double? = nil, globalClipnorm: Double? = nil, name: String = "adam") {
        (self.beta1, self.beta2, self.epsilon, self.amsgrad) = (beta1, beta2, epsilon, amsgrad)
        super.init(learningRate: learningRate, name: name, weightDecay: weightDecay, clipnorm: clipnorm,
                   clipvalue: clipvalue, globalClipnorm: globalClipnorm)
    }

    open override var className: String { "Adam" }
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
        let ams = amsgrad
        c.run(T.self, slotCount: ams ? 3 : 2) { range, b in
            let m = b.slotIn[0], v = b.slotIn[1], mOut = b.slotOut[0], vOut = b.slotOut[1], out = b.newParam
            if ams {
                let vh = b.slotIn[2], vhOut = b.slotOut[2]
                for i in range {
                    let g = b.grad(i)
                    let mi = m[i] + (g - m[i]) * a1
                    let vi = v[i] + (g * g - v[i]) * a2
                    let vhi = Swift.max(vh[i], vi)
                    mOut[i] = mi; vOut[i] = vi; vhOut[i] = vhi
                    out[i] = b.param(i) - (mi * alpha) / (vhi.vectorizableSquareRoot + eps)
                }
            } else if T.self == Float.self && b.isPlain {
                // The common case, in C compiled for the CPU's widest vectors (AVX-512 here).
                b.withFloatPointers { p, g, slotsIn, slotsOut, pOut in
                    keras_adam_f32(range.count, p + range.lowerBound, g + range.lowerBound,
                                   slotsIn[0] + range.lowerBound, slotsIn[1] + range.lowerBound,
                                   pOut + range.lowerBound, slotsOut[0] + range.lowerBound, slotsOut[1] + range.lowerBound,
                                   Float(alpha), Float(a1), Float(a2), Float(eps))
                }
            } else {
                for i in range {
                    let g = b.grad(i)
                    let mi = m[i] + (g - m[i]) * a1
                    let vi = v[i] + (g * g - v[i]) * a2
                    mOut[i] = mi; vOut[i] = vi
                    out[i] = b.param(i) - (mi * alpha) / (vi.vectorizableSquareRoot + eps)
                }
            }
        }
    }
}

/// AdamW (`keras.optimizers.AdamW`): Adam with decoupled weight decay, 0.004 by default.
///
/// ```swift
/// let optimizer = AdamW(learningRate: 1e-3, weightDecay: 0.01)
/// ```
public final class AdamW: Adam, @unchecked Sendable {
    public init(learningRate: any LearningRateConvertible = 0.001, weightDecay: Double = 0.004, beta1: Double = 0.9,
                beta2: Double = 0.999, epsilon: Double = 1e-7, amsgrad: Bool = false, clipnorm: Double? = nil,
                clipvalue: Double? = nil, globalClipnorm: Double? = nil, name: String = "adam_w") {
        super.init(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, amsgrad: amsgrad,
                   weightDecay: weightDecay, clipnorm: clipnorm, clipvalue: clipvalue, globalClipnorm: globalClipnorm, name: name)
    }
    public override var className: String { "AdamW" }
}
