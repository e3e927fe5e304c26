import CKernels
import KerasCore

/// The C rule an optimizer picked for one variable's update (`keras_optimizer_update`'s kind,
/// slot count and scalars), recorded by ``StepContext/runKernel(_:_:slotCount:_:)`` instead of run.
final class CapturedRule {
    var kind: keras_optimizer_kind?
    var slotCount = 0
    var scalars: [Double] = []
}

extension Optimizer {
    /// The built-in optimizers, whose `update` runs exactly one C rule through `runKernel`
    /// (a subclass that overrides `update` may do anything, so it takes ``apply(_:to:)``, as do
    /// Lamb and Adafactor, whose updates reduce over whole variables).
    private static let capturableTypes: Set<ObjectIdentifier> = [
        ObjectIdentifier(SGD.self), ObjectIdentifier(Adam.self), ObjectIdentifier(AdamW.self),
        ObjectIdentifier(RMSprop.self), ObjectIdentifier(Adagrad.self), ObjectIdentifier(Adadelta.self),
        ObjectIdentifier(Adamax.self), ObjectIdentifier(Nadam.self), ObjectIdentifier(Lion.self),
        ObjectIdentifier(Ftrl.self),
    ]

    /// The placeholder gradient of a context that only captures its rule.
    private static let capturedGradient = Tensor(Float(0))

    /// ``apply(_:to:)`` over float32 gradient buffers, updating every variable and slot in its
    /// own buffer (``Variable/withMutableValue(_:)``): no tensor is allocated once the slots
    /// exist. The elements of every variable are cut into `pieces` ranges run in parallel (one
    /// wake-up of the other cores for the whole step); the update of each element does not
    /// depend on the cut, so the weights are bit-identical to ``apply(_:to:)``'s.
    ///
    /// Returns false, changing nothing, when the step cannot run this way: an optimizer type
    /// other than the built-in ones, `clipnorm` or `globalClipnorm` (they need every gradient's
    /// norm first), a variable that is not float32 or appears twice. The caller then calls
    /// ``apply(_:to:)``.
    package func applyInPlace(_ gradients: [UnsafePointer<Float>], to variables: [Variable], pieces: Int) -> Bool {
        guard canApplyInPlace(to: variables), gradients.count == variables.count else { return false }
        runInPieces(gradients, to: variables, pieces: pieces)
        return true
    }

    /// The in-place step over `pieces` element ranges of every variable, run in parallel.
    private func runInPieces(_ gradients: [UnsafePointer<Float>], to variables: [Variable], pieces: Int) {
        runInPlace(gradients, to: variables) { update in
            if pieces <= 1 { return update.applyPiece(0, of: 1) }
            forEachConcurrently(pieces) { piece in update.applyPiece(piece, of: pieces) }
        }
    }

    /// Applies the sum of `parts` (gradient lists in the variables' order: a concurrent step's
    /// shards, in shard order, or one list) with the in-place update, in one pass split across
    /// the cores from 32K elements: each piece sums its range of every variable's gradient into
    /// `scratch` and updates that range right away, while it is in cache. Each element's sum is
    /// the left fold `g₀ + g₁ + …` that adding the tensors gives, so the weights are
    /// bit-identical to summing them and calling ``apply(_:to:)``, which allocates new weights
    /// and slots for every variable, one variable after another.
    ///
    /// Returns false, changing nothing, when the in-place update cannot run (see
    /// ``applyInPlace(_:to:pieces:)``) or a gradient is not a float32 tensor of its variable's
    /// shape; the caller then sums and calls ``apply(_:to:)``.
    package func applySumInPlace(_ parts: [[Tensor]], to variables: [Variable], scratch: ReusableBuffer) -> Bool {
        guard !parts.isEmpty, canApplyInPlace(to: variables), parts.allSatisfy({ gradients in
            gradients.count == variables.count && zip(gradients, variables).allSatisfy { $0.dtype == .float32 && $0.shape == $1.shape }
        }) else { return false }
        let counts = variables.map { $0.shape.reduce(1, *) }
        let total = counts.reduce(0, +)
        let pieces = total >= parallelThreshold ? availableCoreCount : 1
        withExtendedLifetime(parts) {
            let sources = parts.map { $0.map { UnsafePointer($0.floatPointer) } }
            if sources.count == 1 { return runInPieces(sources[0], to: variables, pieces: pieces) }
            let base = scratch.writable(count: total)
            var offsets: [Int] = []
            offsets.reserveCapacity(counts.count)
            var offset = 0
            for count in counts { offsets.append(offset); offset += count }
            runInPlace(offsets.map { UnsafePointer(base + $0) }, to: variables) { update in
                forEachConcurrently(pieces) { piece in
                    for i in counts.indices {
                        let lo = counts[i] * piece / pieces, hi = counts[i] * (piece + 1) / pieces
                        if lo == hi { continue }
                        let sum = base + offsets[i] + lo
                        keras_binary_f32(KERAS_BINARY_ADD, hi - lo, sources[0][i] + lo, sources[1][i] + lo, sum)
                        for source in sources.dropFirst(2) { keras_binary_f32(KERAS_BINARY_ADD, hi - lo, sum, source[i] + lo, sum) }
                        update.apply(i, elements: lo..<hi)
                    }
                }
            }
        }
        return true
    }

    /// Whether ``applyInPlace(_:to:pieces:)`` can update `variables` (see there).
    package func canApplyInPlace(to variables: [Variable]) -> Bool {
        Self.capturableTypes.contains(ObjectIdentifier(type(of: self))) && (clipnorm ?? 0) <= 0 && (globalClipnorm ?? 0) <= 0
            && variables.allSatisfy({ $0.dtype == .float32 }) && Set(variables.map(ObjectIdentifier.init)).count == variables.count
    }

    /// The in-place step with the updates run by `run`, which must apply every element of
    /// every variable exactly once (``InPlaceUpdate/apply(_:elements:)`` on disjoint ranges, from
    /// any threads), for instance each range as soon as the code that computes the gradients has
    /// written it, while it is still in cache. The step's scalars (learning rate, step count) are
    /// fixed before `run`; the moving averages (``Optimizer/useEMA``), constraints and the
    /// iteration count are applied after it. Call only
    /// when ``canApplyInPlace(to:)`` holds, with one gradient buffer per variable.
    package func applyInPlace(_ gradients: [UnsafePointer<Float>], to variables: [Variable], run: (InPlaceUpdate) -> Void) {
        require(gradients.count == variables.count && canApplyInPlace(to: variables),
                "\(className): applyInPlace(_:to:run:) called for an update it cannot run in place")
        runInPlace(gradients, to: variables, run: run)
    }

    /// ``applyInPlace(_:to:run:)`` once its preconditions are checked.
    private func runInPlace(_ gradients: [UnsafePointer<Float>], to variables: [Variable], run: (InPlaceUpdate) -> Void) {
        if variables.isEmpty { return run(InPlaceUpdate(updates: [])) }
        withoutRecording {
            // The counter is int32 (reading it as Int64, as `iterations` does, converts a copy).
            let step = Int(iterationVariable.value.item(as: Int32.self)) + 1
            let lr = learningRate
            let clip = clipvalue.map { $0 > 0 ? $0 : .infinity } ?? .infinity
            prepareStep(step: step)
            var rules: [(kind: keras_optimizer_kind, slotCount: Int, scalars: [Double], decay: Double)] = []
            var owners: [Variable] = []
            rules.reserveCapacity(variables.count)
            for v in variables {
                let decay = (weightDecay.map { $0 * lr } ?? 0) * (weightDecay != nil && usesWeightDecay(v) ? 1 : 0)
                let capture = CapturedRule()
                let slots = slots(for: v)
                var context = StepContext(variable: v, gradient: Self.capturedGradient, slots: slots, learningRate: lr,
                                          step: step, gradientScale: 1, clipValue: clip, decay: decay, capture: capture)
                update(&context)
                guard let kind = capture.kind else {
                    fatalError("\(className).update(_:) ran no optimizer kernel")
                }
                rules.append((kind, capture.slotCount, capture.scalars, decay))
                owners.append(v)
                owners += slots.prefix(capture.slotCount)
            }
            let counts = variables.map { $0.shape.reduce(1, *) }
            withMutableValues(owners) { buffers in
                var args: [(keras_optimizer_kind, keras_optimizer_args)] = []
                args.reserveCapacity(rules.count)
                var next = 0
                for (i, rule) in rules.enumerated() {
                    let p = buffers[next]
                    let s = (0..<3).map { $0 < rule.slotCount ? UnsafeRawPointer(buffers[next + 1 + $0]) : nil }
                    let o = (0..<3).map { $0 < rule.slotCount ? buffers[next + 1 + $0] : nil }
                    next += 1 + rule.slotCount
                    let k = rule.scalars
                    args.append((rule.kind, keras_optimizer_args(
                        n: counts[i], f64: 0, p: UnsafeRawPointer(p), g: UnsafeRawPointer(gradients[i]),
                        slot: (s[0], s[1], s[2]), p_out: p, slot_out: (o[0], o[1], o[2]),
                        scale: 1, clip: clip, decay: rule.decay, k: (k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7]))))
                }
                run(InPlaceUpdate(updates: args))
            }
            updateMovingAverages(step: step)
            for v in variables {
                if let constraint = v.constraint { v.assign(constraint(v.value)) }
            }
            iterationVariable.withMutableValue { $0.assumingMemoryBound(to: Int32.self).pointee = Int32(truncatingIfNeeded: step) }
        }
    }

    /// Runs `body` with the buffers of `variables` held for writing (each variable's lock held).
    private func withMutableValues(_ variables: [Variable], _ body: ([UnsafeMutableRawPointer]) -> Void) {
        var buffers: [UnsafeMutableRawPointer] = []
        buffers.reserveCapacity(variables.count)
        func hold(_ i: Int) {
            if i == variables.count { return body(buffers) }
            variables[i].withMutableValue { p in
                buffers.append(p)
                hold(i + 1)
            }
        }
        hold(0)
    }
}

/// One optimizer step's updates, ready to run over element ranges (see
/// ``Optimizer/applyInPlace(_:to:run:)``); each element's update does not depend on the ranges,
/// so any cut gives bit-identical weights.
package struct InPlaceUpdate: @unchecked Sendable {
    /// Per variable, in the step's order: the C rule and its arguments over the whole buffer.
    fileprivate let updates: [(keras_optimizer_kind, keras_optimizer_args)]

    /// Updates elements `elements` of variable `variable` (and its slots).
    package func apply(_ variable: Int, elements: Range<Int>) {
        if elements.isEmpty { return }
        let (kind, whole) = updates[variable]
        var a = whole
        let bytes = elements.lowerBound * 4
        func shifted(_ p: UnsafeRawPointer?) -> UnsafeRawPointer? { p.map { $0 + bytes } }
        func shifted(_ p: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? { p.map { $0 + bytes } }
        a.n = elements.count
        a.p = shifted(whole.p)
        a.g = shifted(whole.g)
        a.slot = (shifted(whole.slot.0), shifted(whole.slot.1), shifted(whole.slot.2))
        a.p_out = shifted(whole.p_out)
        a.slot_out = (shifted(whole.slot_out.0), shifted(whole.slot_out.1), shifted(whole.slot_out.2))
        keras_optimizer_update(kind, &a)
    }

    /// Piece `piece` of `pieces` of every update: each variable's elements
    /// `n·piece/pieces ..< n·(piece+1)/pieces`.
    package func applyPiece(_ piece: Int, of pieces: Int) {
        for (i, (_, whole)) in updates.enumerated() {
            apply(i, elements: whole.n * piece / pieces ..< whole.n * (piece + 1) / pieces)
        }
    }
}
