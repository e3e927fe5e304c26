import Foundation
import Keras
import KerasTestSupport
import Testing

/// The C update kernels (`Sources/CKernels/optimizers.c`) against the Swift formulas the
/// optimizers ran before, element by element, over several steps: every optimizer and variant,
/// float32 and float64, with and without clipping and weight decay, and on a variable large
/// enough to be split across cores. (The Keras fixtures are in ``OptimizerTests``.)
@Suite struct OptimizerKernelTests {
    /// One element's update: reads the (clipped) gradient `g`, the (decayed) weight `p` and the
    /// element's slots, writes the slots, returns the new weight.
    typealias Rule<T> = (_ g: T, _ p: T, _ slots: inout [T]) -> T

    static func cases<T: OptimizerFloat>(_: T.Type) -> [(String, () -> Optimizer, Double, Int, (Int) -> Rule<T>)] {
        let lr = 0.01
        let rt = T(Double(Float(lr)))   // the optimizer reads its rate from a float32 variable
        func root(_ x: T) -> T { Swift.max(x, 0).squareRoot() }
        var out: [(String, () -> Optimizer, Double, Int, (Int) -> Rule<T>)] = []
        out.append(("SGD", { SGD(learningRate: lr) }, 0, 0, { _ in { g, p, _ in p - g * rt } }))
        for nesterov in [false, true] {
            let mu = T(0.9)
            out.append(("SGD momentum nesterov=\(nesterov)", { SGD(learningRate: lr, momentum: 0.9, nesterov: nesterov) }, 0, 1, { _ in
                { g, p, s in
                    let mi = s[0] * mu - g * rt
                    s[0] = mi
                    return p + (nesterov ? mi * mu - g * rt : mi)
                }
            }))
        }
        for amsgrad in [false, true] {
            out.append(("Adam amsgrad=\(amsgrad)", { Adam(learningRate: lr, amsgrad: amsgrad) }, 0, amsgrad ? 3 : 2, { step in
                let t = Double(step), b1 = Double(T(0.9)), b2 = Double(T(0.999))
                let alpha = T(Double(Float(lr)) * (1 - Foundation.pow(b2, t)).squareRoot() / (1 - Foundation.pow(b1, t)))
                let a1 = T(1 - 0.9), a2 = T(1 - 0.999), eps = T(1e-7)
                return { g, p, s in
                    let mi = s[0] + (g - s[0]) * a1
                    var vi = s[1] + (g * g - s[1]) * a2
                    s[0] = mi; s[1] = vi
                    if amsgrad { vi = Swift.max(s[2], vi); s[2] = vi }
                    return p - (mi * alpha) / (root(vi) + eps)
                }
            }))
        }
        for (momentum, centered) in [(0.0, false), (0.5, false), (0.0, true), (0.5, true)] {
            let label = "RMSprop momentum=\(momentum) centered=\(centered)"
            let count = 1 + (momentum > 0 ? 1 : 0) + (centered ? 1 : 0)
            out.append((label, { RMSprop(learningRate: lr, rho: 0.8, momentum: momentum, centered: centered) }, 0, count, { _ in
                let rho = T(0.8), rho1 = T(1 - 0.8), mu = T(momentum), eps = T(1e-7)
                return { g, p, s in
                    let vi = rho * s[0] + rho1 * (g * g)
                    s[0] = vi
                    var denominator = vi
                    if centered {
                        let ai = rho * s[count - 1] + rho1 * g
                        s[count - 1] = ai
                        denominator = vi - ai * ai
                    }
                    let increment = (rt * g) / root(denominator + eps)
                    if momentum > 0 {
                        let mi = mu * s[1] + increment
                        s[1] = mi
                        return p - mi
                    }
                    return p - increment
                }
            }))
        }
        out.append(("Adagrad", { Adagrad(learningRate: lr, initialAccumulatorValue: 0.2) }, 0.2, 1, { _ in
            let eps = T(1e-7)
            return { g, p, s in
                let ai = s[0] + g * g
                s[0] = ai
                return p - (rt * g) / root(ai + eps)
            }
        }))
        out.append(("Adadelta", { Adadelta(learningRate: 1, rho: 0.9) }, 0, 2, { _ in
            let r = T(0.9), r1 = T(1 - 0.9), eps = T(1e-7), one = T(1)
            return { g, p, s in
                let agi = r * s[0] + r1 * (g * g)
                let delta = -(root(s[1] + eps) * g) / root(agi + eps)
                s[0] = agi
                s[1] = r * s[1] + r1 * (delta * delta)
                return p + one * delta
            }
        }))
        out.append(("Adamax", { Adamax(learningRate: lr) }, 0, 2, { step in
            let a1 = T(1 - 0.9), b2 = T(0.999), eps = T(1e-7)
            let correction = T(1 - Foundation.pow(Double(T(0.9)), Double(step)))
            return { g, p, s in
                let mi = s[0] + (g - s[0]) * a1
                let ui = Swift.max(b2 * s[1], Swift.abs(g))
                s[0] = mi; s[1] = ui
                return p - (rt * mi) / (correction * (ui + eps))
            }
        }))
        out.append(("Nadam", { Nadam(learningRate: lr) }, 0, 2, { step in
            func schedule(_ t: Double) -> Double { Double(T(0.9)) * (1 - 0.5 * Foundation.pow(Double(T(0.96)), t)) }
            // Keras's running product, float32 whatever the variable's dtype.
            var product: Float = 1
            for s in 1...step { product = Float(Double(product) * (Double(Float(0.9)) * (1 - 0.5 * Foundation.pow(Double(Float(0.96)), Double(s))))) }
            let t = Double(step), ut = schedule(t), ut1 = schedule(t + 1)
            let productT = Double(product), productT1 = productT * ut1
            let a1 = 1 - T(0.9), a2 = 1 - T(0.999), eps = T(1e-7)
            let cM = T(ut1 / (1 - productT1)), cG = T((1 - ut) / (1 - productT))
            let vScale = T(1 / (1 - Foundation.pow(Double(T(0.999)), t)))
            return { g, p, s in
                let mi = s[0] + (g - s[0]) * a1
                let vi = s[1] + (g * g - s[1]) * a2
                s[0] = mi; s[1] = vi
                let mHat = cM * mi + cG * g
                return p - (mHat * rt) / (root(vi * vScale) + eps)
            }
        }))
        out.append(("Lion", { Lion(learningRate: lr, beta1: 0.8) }, 0, 1, { _ in
            let b1 = T(0.8), a1 = 1 - b1, b2 = T(0.99), a2 = 1 - b2
            return { g, p, s in
                let c = s[0] * b1 + g * a1
                let sign: T = c > 0 ? 1 : (c < 0 ? -1 : 0)
                s[0] = s[0] * b2 + g * a2
                return p - rt * sign
            }
        }))
        return out
    }

    /// How the base class prepares each step (one variable, so the global norm is its norm).
    enum Preparation: CaseIterable { case plain, clipnorm, clipvalue, globalClipnorm, weightDecay }

    func configure(_ o: Optimizer, _ preparation: Preparation) -> Optimizer {
        switch preparation {
        case .plain: break
        case .clipnorm: o.clipnorm = 0.5
        case .clipvalue: o.clipvalue = 0.3
        case .globalClipnorm: o.globalClipnorm = 0.5
        case .weightDecay: o.weightDecay = 0.1
        }
        return o
    }

    func check<T: OptimizerFloat>(_: T.Type, count: Int, preparations: [Preparation], only: Set<String>? = nil) {
        let dtype = T.dtype
        let weights = Tensor.randomNormal([count], seed: 3).cast(to: dtype)
        let gradients = (0..<3).map { Tensor.randomNormal([count], seed: 10 + $0).cast(to: dtype) }
        // Clipping by norm rounds the norm differently here (a sum in float64), so those steps
        // are compared to float rounding; the others must agree to the bit.
        let rounding = T.self == Double.self ? 1e-13 : 2e-6
        for (label, make, initialSlot, slotCount, rule) in Self.cases(T.self) where only?.contains(label) ?? true {
            for preparation in preparations {
                let exact = preparation == .clipnorm || preparation == .globalClipnorm ? rounding : 0
                let optimizer = configure(make(), preparation)
                let variable = Variable(weights, name: "w")
                var p = weights.withUnsafeBufferPointer(of: T.self) { Array($0) }
                var slots = [[T]](repeating: [T](repeating: T(initialSlot), count: count), count: slotCount)
                for (step, gradient) in gradients.enumerated() {
                    optimizer.apply([gradient], to: [variable])
                    let g = gradient.withUnsafeBufferPointer(of: T.self) { Array($0) }
                    let norm = g.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
                    let scale: Double = switch preparation {
                    case .clipnorm, .globalClipnorm: 0.5 / Swift.max(norm, 0.5)
                    default: 1
                    }
                    let clip = T(preparation == .clipvalue ? 0.3 : .infinity)
                    let decay = T(preparation == .weightDecay ? 0.1 * optimizer.learningRate : 0)
                    let update = rule(step + 1)
                    var elementSlots = [T](repeating: 0, count: slotCount)
                    for i in 0..<count {
                        let gi = Swift.min(Swift.max(g[i] * T(scale), -clip), clip)
                        for k in 0..<slotCount { elementSlots[k] = slots[k][i] }
                        p[i] = update(gi, p[i] - p[i] * decay, &elementSlots)
                        for k in 0..<slotCount { slots[k][i] = elementSlots[k] }
                    }
                    let context = "\(label) \(dtype) \(preparation) n=\(count) step \(step + 1)"
                    assertClose(variable.value.doubles, p.map(Double.init), rtol: exact, atol: exact, context)
                    for (k, slot) in optimizer.slots(for: variable).prefix(slotCount).enumerated() {
                        assertClose(slot.value.doubles, slots[k].map(Double.init), rtol: exact, atol: exact, "\(context) slot \(k)")
                    }
                }
            }
        }
    }

    @Test func everyOptimizerMatchesItsSwiftFormulaInFloat32() {
        check(Float.self, count: 257, preparations: Preparation.allCases)
    }

    @Test func everyOptimizerMatchesItsSwiftFormulaInFloat64() {
        check(Double.self, count: 131, preparations: Preparation.allCases)
    }

    /// Subnormal values count as zero inside an update, as TensorFlow and XLA compute on CPU:
    /// a momentum decaying below the smallest normal float becomes 0, and a subnormal weight
    /// reads as 0. The calling thread's own arithmetic keeps subnormals afterwards.
    @Test func updatesFlushSubnormalsToZero() {
        let smallest = Float.leastNormalMagnitude
        let optimizer = SGD(learningRate: 0.5, momentum: 0.25)
        let weights = Variable(Tensor([Float(1), smallest / 4, 3]), name: "w")
        // Step 1: momentum = −g·lr = [2·smallest, 0, 0]; step 2 with a zero gradient: the
        // momentum ·0.25 is smallest/2, subnormal, so 0.
        optimizer.apply([Tensor([-4 * smallest, 0, 0])], to: [weights])
        let afterFirst = weights.value.scalars as [Float]
        #expect(afterFirst[1] == 0, "a subnormal weight reads as 0: \(afterFirst[1])")
        #expect((optimizer.slots(for: weights)[0].value.scalars as [Float])[0] == 2 * smallest)
        optimizer.apply([Tensor([Float(0), 0, 0])], to: [weights])
        #expect((optimizer.slots(for: weights)[0].value.scalars as [Float])[0] == 0)
        #expect(weights.value.scalars == afterFirst)
        let half = [smallest, 0.5].reduce(1, *)   // not folded at compile time
        #expect(half == smallest / 2 && half != 0)
    }

    /// A variable large enough to be split across cores (512K elements and up) gets the same
    /// values, to the bit, as its slices updated one by one on one thread (the pieces' seams
    /// included), for every optimizer, with weight decay.
    @Test func largeVariablesSplitAcrossCoresMatchTheirSlices() {
        let count = (1 << 19) + 37, sliceCount = 9
        let weights = Tensor.randomNormal([count], seed: 5)
        let gradients = (0..<2).map { Tensor.randomNormal([count], seed: 20 + $0) }
        let bounds = (0...sliceCount).map { $0 * count / sliceCount }
        func slices(_ t: Tensor) -> [Tensor] { (0..<sliceCount).map { t.slice(axis: 0, start: bounds[$0], end: bounds[$0 + 1]) } }
        for (label, make, _, _, _) in Self.cases(Float.self) {
            let whole = configure(make(), .weightDecay), pieces = configure(make(), .weightDecay)
            let variable = Variable(weights, name: "w")
            let parts = slices(weights).map { Variable($0, name: "w") }
            for g in gradients {
                whole.apply([g], to: [variable])
                pieces.apply(slices(g), to: parts)
            }
            #expect(variable.value.scalars == parts.flatMap { $0.value.scalars }, "\(label)")
        }
    }
}
