import Foundation
import KerasCore

/// Adafactor (`keras.optimizers.Adafactor`, Shazeer & Stern 2018): an adaptive rate with
/// factored second moments. At step `t`: `ρ = min(lr, 1/√t)`, `α = max(ε2, rms(θ))·ρ`,
/// `β2ₜ = 1 − t^beta2Decay` and `G = g² + ε1`. A variable of rank ≥ 2 keeps the means of `G`
/// over its last axis (`r`) and over its second-to-last axis (`c`), each decayed by `β2ₜ`, and
/// `v = (r/mean(r))·c` (the last two axes factored, leading axes batched); a smaller one keeps
/// `v = β2ₜ·v + (1 − β2ₜ)·G`. Then `u = g/√v`, `θ −= α·u/max(1, rms(u)/clipThreshold)`.
///
/// Slots, per variable as Keras creates them: `r` and `c` (named like the variable; int32
/// scalar placeholders, never used, for a variable of rank < 2) and `velocity`. The update reduces
/// over the whole variable, so it runs on one thread through
/// ``StepContext/runWhole(_:slotIndices:_:)``, from ``Optimizer/apply(_:to:)`` (the planned
/// training step hands its gradients to `apply` for this optimizer); means are summed in double
/// precision and rounded to the variable's dtype.
///
/// As in Keras, `relativeStep` is kept in the config but changes nothing: the step size is
/// `min(lr, 1/√t)` either way.
///
/// ```swift
/// let optimizer = Adafactor(learningRate: 0.01)
/// optimizer.apply(gradients, to: model.trainableVariables)
/// ```
public final class Adafactor: Optimizer, @unchecked Sendable {
    /// The exponent of the second-moment decay `1 − t^beta2Decay` (≤ 0).
    public var beta2Decay: Double
    /// Added to the squared gradients (≥ 0).
    public var epsilon1: Double
    /// The lower bound of the weights' RMS in the step size (≥ 0).
    public var epsilon2: Double
    /// The RMS above which an update is scaled down (> 0).
    public var clipThreshold: Double
    /// Keras's `relative_step` (kept in the config; see above).
    public var relativeStep: Bool

    /// Stops with a message unless `beta2Decay` ≤ 0, `epsilon1`, `epsilon2` ≥ 0 and
    /// `clipThreshold` > 0, all finite (and the base arguments are valid). Keras checks none of
    /// these; outside them the second moments turn negative or the updates NaN.
    public init(learningRate: any LearningRateConvertible = 0.001, beta2Decay: Double = -0.8, epsilon1: Double = 1e-30,
                epsilon2: Double = 1e-3, clipThreshold: Double = 1.0, relativeStep: Bool = true,
                weightDecay: Double? = nil, clipnorm: Double? = nil, clipvalue: Double? = nil,
                globalClipnorm: Double? = nil, name: String = "adafactor") {
        requireValid {
            try Self.validate(beta2Decay: beta2Decay, epsilon1: epsilon1, epsilon2: epsilon2, clipThreshold: clipThreshold)
        }
        (self.beta2Decay, self.epsilon1, self.epsilon2) = (beta2Decay, epsilon1, epsilon2)
        (self.clipThreshold, self.relativeStep) = (clipThreshold, relativeStep)
        super.init(learningRate: learningRate, name: name, weightDecay: weightDecay, clipnorm: clipnorm,
                   clipvalue: clipvalue, globalClipnorm: globalClipnorm)
    }

    /// `beta_2_decay` ≤ 0, `epsilon_1`, `epsilon_2` ≥ 0, `clip_threshold` > 0, all finite.
    static func validate(beta2Decay: Double, epsilon1: Double, epsilon2: Double, clipThreshold: Double) throws {
        try ArgumentCheck.nonPositive(beta2Decay, "beta_2_decay", of: className)
        try ArgumentCheck.nonNegative(epsilon1, "epsilon_1", of: className)
        try ArgumentCheck.nonNegative(epsilon2, "epsilon_2", of: className)
        try ArgumentCheck.positive(clipThreshold, "clip_threshold", of: className)
    }

    public override class var className: String { "Adafactor" }

    /// `[r, c, velocity]` per variable, in Keras's order and shapes.
    public override func slotLayout(for variable: Variable) -> [[OptimizerSlot]] {
        let shape = variable.shape, name = variable.name
        let velocity = OptimizerSlot(name: "\(name)_velocity", shape: shape, dtype: variable.dtype)
        guard shape.count >= 2 else {
            let placeholder = OptimizerSlot(name: name, shape: [], dtype: .int32)
            return [[placeholder, placeholder, velocity]]
        }
        return [[OptimizerSlot(name: name, shape: Array(shape.dropLast()), dtype: variable.dtype),
                 OptimizerSlot(name: name, shape: Array(shape.dropLast(2)) + [shape.last!], dtype: variable.dtype),
                 velocity]]
    }

    public override func optimizerConfig() -> Config {
        ["beta_2_decay": .double(beta2Decay), "epsilon_1": .double(epsilon1), "epsilon_2": .double(epsilon2),
         "clip_threshold": .double(clipThreshold), "relative_step": .bool(relativeStep)]
    }

    public override func update(_ context: inout StepContext) {
        switch context.variable.dtype {
        case .float64: step(Double.self, context)
        default: step(Float.self, context)
        }
    }

    private func step<T: OptimizerFloat>(_: T.Type, _ c: StepContext) {
        let shape = c.variable.shape
        if shape.contains(0) { return }   // nothing to update (Keras's means would be NaN)
        // As Keras computes them, in the variable's dtype.
        let t = T(c.step)
        let rho = nanMin(T(c.learningRate), 1 / t.squareRoot())
        let decayPower = T(Foundation.pow(Double(t), Double(T(beta2Decay))))
        let beta = 1 - decayPower, rest = 1 - beta
        let eps1 = T(epsilon1), eps2 = T(epsilon2), threshold = T(clipThreshold)
        let factored = shape.count >= 2
        c.runWhole(T.self, slotIndices: factored ? [0, 1, 2] : [2]) { n, b in
            var squares = 0.0
            for i in 0..<n { let p = b.param(i); squares += Double(p * p) }
            let alpha = nanMax(eps2, (T(squares) / T(n)).squareRoot()) * rho
            let v = b.slotOut[factored ? 2 : 0]
            if factored {
                let columns = shape[shape.count - 1], rows = shape[shape.count - 2], batches = n / (rows * columns)
                let r = b.slotOut[0], cOut = b.slotOut[1], rIn = b.slotIn[0], cIn = b.slotIn[1]
                for batch in 0..<batches {
                    let base = batch * rows * columns
                    var rowTotal = 0.0
                    for i in 0..<rows {
                        var sum = 0.0
                        for j in 0..<columns { let g = b.grad(base + i * columns + j); sum += Double(g * g + eps1) }
                        let k = batch * rows + i
                        r[k] = beta * rIn[k] + rest * (T(sum) / T(columns))
                        rowTotal += Double(r[k])
                    }
                    for j in 0..<columns {
                        var sum = 0.0
                        for i in 0..<rows { let g = b.grad(base + i * columns + j); sum += Double(g * g + eps1) }
                        let k = batch * columns + j
                        cOut[k] = beta * cIn[k] + rest * (T(sum) / T(rows))
                    }
                    let rowMean = T(rowTotal) / T(rows)
                    for i in 0..<rows {
                        let scaled = r[batch * rows + i] / rowMean
                        for j in 0..<columns { v[base + i * columns + j] = scaled * cOut[batch * columns + j] }
                    }
                }
            } else {
                let vIn = b.slotIn[0]
                for i in 0..<n { let g = b.grad(i); v[i] = beta * vIn[i] + rest * (g * g + eps1) }
            }
            var updateSquares = 0.0
            for i in 0..<n {
                let u = b.grad(i) / v[i].squareRoot()
                b.newParam[i] = u   // the update, until its RMS is known
                updateSquares += Double(u * u)
            }
            let divisor = nanMax(1, (T(updateSquares) / T(n)).squareRoot() / threshold)
            for i in 0..<n { b.newParam[i] = b.param(i) - alpha * (b.newParam[i] / divisor) }
        }
    }
}

/// `minimum` / `maximum` as `keras.ops` computes them: NaN if either is NaN.
private func nanMin<T: OptimizerFloat>(_ x: T, _ y: T) -> T { x.isNaN || y.isNaN ? .nan : Swift.min(x, y) }
private func nanMax<T: OptimizerFloat>(_ x: T, _ y: T) -> T { x.isNaN || y.isNaN ? .nan : Swift.max(x, y) }
