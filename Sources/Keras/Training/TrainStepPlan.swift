import Foundation
import KerasCore

/// A training step recorded once and replayed: the forward pass, the loss and its gradient and
/// the backward pass of a stack of `Dense` layers, run over buffers kept between steps instead
/// of through the autodiff tape (Keras+JAX gets the same from compiling its train step).
///
/// `fit` and `trainOnBatch` use a plan when the model is a plain ``Sequential`` of
/// ``InputLayer``, ``Flatten``, ``Dropout`` (without `noiseShape`) and float32 ``Dense`` layers
/// (linear or ReLU, no LoRA, no activity regularizer), compiled with one
/// ``SparseCategoricalCrossentropy`` loss from logits (no `ignoreClass`), trained without
/// sample weights and without a ``TrainingDistribution``, on batches of fewer than 128
/// samples (``batchLimit``); every other model and batch takes the
/// tape-based step. Weight regularizers and added losses are differentiated on the tape and
/// added to the planned gradients. Set ``Model/runEagerly`` to always take the tape-based step.
///
/// What the plan saves: no tape, no per-op tensors (activations, gradients and the loss's
/// gradient live in ``ReusableBuffer``s sized for the largest batch seen, the last partial
/// batch uses their first rows), bias and ReLU applied in one pass after each forward product,
/// the ReLU gradient, the upstream gradient and the bias gradient's column sums in one pass,
/// softmax cross-entropy and its gradient in one pass, and the input
/// gradient computed as `W·gᵀ`, a product shape oneDNN runs faster than `g·Wᵀ`, whose transpose
/// is undone in cache-sized tiles before that same pass. A step of enough work runs on every
/// core: each core takes a contiguous piece of the batch's rows through the forward pass, the
/// loss and the backward pass down to every layer's gradient (rows are independent; the loss's
/// `1/N` uses the whole batch), then the kernel gradients `Xᵀ·G` and bias sums over the whole
/// batch are split by kernel rows (whole 16-row panels) and bias columns. Kernels too large for
/// a core's cache (``defaultRowSplitWeightLimit``) keep the rows in one piece and split each
/// large product by columns instead. The optimizer updates
/// every weight and slot in its own buffer (``Optimizer/applyInPlace(_:to:run:)``): each range of
/// kernel rows and bias columns right after its gradient is summed, on the core that summed it
/// (when no weight penalty is added to the gradients afterwards; else after the pass,
/// split by elements), so a steady step allocates no tensor. The weights reached match the
/// tape-based step's to float rounding, and runs are bit-identical for a seed.
///
/// ```swift
/// model.compile(optimizer: "adam", loss: SparseCategoricalCrossentropy(fromLogits: true))
/// try model.fit(x, y, batchSize: 32)   // planned on its first step
/// model.runEagerly = true              // the tape-based step from now on
/// ```
final class TrainStepPlan {
    /// One step of the layer stack, as the plan runs it.
    private enum Stage {
        case dense(Dense, DenseSlots)
        case dropout(Dropout, DropoutBuffers)
    }

    /// A Dense layer's place in the plan: its output, the gradient at its output (the ReLU
    /// gradient applied in place) and where its variables' gradients go.
    private final class DenseSlots {
        let inputs: Int, units: Int, relu: Bool
        let output = ReusableBuffer()
        let gradient: ReusableBuffer
        /// Indices of the kernel's and bias's gradients in the step's variable list (nil when
        /// not trained).
        let kernelIndex: Int?, biasIndex: Int?
        init(inputs: Int, units: Int, relu: Bool, gradient: ReusableBuffer, kernelIndex: Int?, biasIndex: Int?) {
            (self.inputs, self.units, self.relu, self.gradient) = (inputs, units, relu, gradient)
            (self.kernelIndex, self.biasIndex) = (kernelIndex, biasIndex)
        }
    }

    /// A Dropout layer's mask and output; its output's gradient is turned into its input's in
    /// place, in the buffer of the stage below.
    private final class DropoutBuffers {
        let features: Int
        let keep = ReusableBuffer(), output = ReusableBuffer()
        let gradient: ReusableBuffer
        init(features: Int, gradient: ReusableBuffer) { (self.features, self.gradient) = (features, gradient) }
    }

    /// The plan runs batches below this size; larger ones take the tape-based step. A small
    /// batch computes a Dense layer's input gradient as `W·gᵀ` and transposes it back while
    /// applying the activation gradient: measured here (oneDNN 2.6, one thread), a
    /// 32×512·(512×512)ᵀ product ran at ~40 GFLOP/s and the 512×512·(32×512)ᵀ one at ~53,
    /// 32×2048·(2048×2048)ᵀ at ~30 against ~52. From batch 256 the two ran alike, and in
    /// `keras-bench scaling` the tape-based step used ~10% less CPU time than the plan at
    /// batch 256 while the plan matched or beat it at batch 32, hence the limit.
    static let batchLimit = 128

    /// Forward multiply-adds of a step from which it runs on all cores (see ``pieces(rows:)``);
    /// `KERAS_PLAN_SPLIT` overrides it. Each split step hands work to the other core three
    /// times (rows, variable gradients, optimizer update). Measured here on 2 cores, the
    /// tutorial MLP at batch 32 (3.3M forward multiply-adds) trained at ~140k samples/s on one
    /// core and ~190k split since the pieces go to `WorkerPool`'s spinning workers (~95k when
    /// every hand-off woke a sleeping thread), hence 1M.
    static let defaultSplitWork = ProcessInfo.processInfo.environment["KERAS_PLAN_SPLIT"].flatMap { Int($0) } ?? (1 << 20)

    /// Kernel floats (all layers) above which a step's rows are not split across the cores, but
    /// its products are (``rowPieces(pieces:)``); `KERAS_PLAN_ROW_SPLIT_WEIGHTS` overrides it.
    /// 1 MiB of kernels, a core's second-level cache on this machine: measured here on 2 cores
    /// (`keras-bench scaling`, batch 32, alternating runs), the MLP 784 → 512 → 512 → 10 (2.7 MB
    /// of kernels) trained ~6% faster (median of 10) with its rows unsplit and 784 → 2048 → 2048
    /// → 10 (23 MB) ~13% (median of 6); a single-thread 16×2048·(2048×2048) product ran at ~55
    /// GFLOP/s and 32×2048·(2048×1024) at ~105. Width 128 (0.5 MB) keeps the row split.
    static let defaultRowSplitWeightLimit = ProcessInfo.processInfo.environment["KERAS_PLAN_ROW_SPLIT_WEIGHTS"].flatMap { Int($0) } ?? (1 << 18)

    private let stages: [Stage]
    private let inputFeatures: Int
    private let classes: Int
    private let lossScaleBySum: Bool
    /// The step's variables (``CompiledState/stepVariables``) and one gradient buffer each.
    private let variables: [Variable]
    private let gradients: [ReusableBuffer]
    private let gradientShapes: [[Int]]
    /// Forward multiply-adds per sample.
    private let workPerRow: Int
    /// Forward multiply-adds of a step from which it is split across the cores (tests set it).
    var splitWork = TrainStepPlan.defaultSplitWork
    /// Kernel floats above which the rows are not split (see ``rowPieces(pieces:)``; tests set it).
    var rowSplitWeightLimit = TrainStepPlan.defaultRowSplitWeightLimit
    /// Identity of the model and variables the plan was made for.
    let signature: Int
    /// Per piece of the batch: the transposed input gradient `W·gᵀ` of its rows.
    private var transposed: [ReusableBuffer] = []
    /// Each sample's loss, summed in order after the pieces ran (`rowLossCapacity` of them).
    private var rowLosses = UnsafeMutablePointer<Double>.allocate(capacity: 1)
    private var rowLossCapacity = 1
    /// Predictions' shape for the current batch size (kept, so lending them allocates nothing).
    private var predictionShape: [Int] = []

    /// Buffer (re)allocations so far, over all of the plan's buffers: constant once the plan
    /// has seen its largest batch, unless a caller keeps a lent tensor alive.
    var allocations: Int {
        var total = transposed.reduce(0) { $0 + $1.allocations }
        total += gradients.reduce(0) { $0 + $1.allocations }
        for stage in stages {
            switch stage {
            case .dense(_, let slots): total += slots.output.allocations + slots.gradient.allocations
            case .dropout(_, let buffers): total += buffers.keep.allocations + buffers.output.allocations
            }
        }
        return total
    }

    private init(stages: [Stage], inputFeatures: Int, classes: Int, lossScaleBySum: Bool, variables: [Variable], signature: Int) {
        self.stages = stages
        self.inputFeatures = inputFeatures
        self.classes = classes
        self.lossScaleBySum = lossScaleBySum
        self.variables = variables
        self.gradients = variables.map { ReusableBuffer(capacity: $0.shape.reduce(1, *)) }
        self.gradientShapes = variables.map(\.shape)
        self.signature = signature
        self.workPerRow = stages.reduce(0) { total, stage in
            if case .dense(_, let slots) = stage { return total + slots.inputs * slots.units }
            return total
        }
    }

    deinit { rowLosses.deallocate() }

    /// Hash of what a plan depends on: the model's layers and the step's variables, by identity.
    static func signature(of model: Model, variables: [Variable]) -> Int {
        var hasher = Hasher()
        hasher.combine(ObjectIdentifier(model))
        for layer in model.layers { hasher.combine(ObjectIdentifier(layer)) }
        for v in variables { hasher.combine(ObjectIdentifier(v)) }
        return hasher.finalize()
    }

    /// A plan for `model`'s training step on `variables`, or nil when the model is not one the
    /// plan runs (see the type's documentation); the tape-based step then runs instead.
    static func make(for model: Model, state: CompiledState, variables: [Variable]) -> TrainStepPlan? {
        guard type(of: model) == Sequential.self, model.built, model.distribution == nil,
              state.losses.count == 1, state.lossWeights == [1],
              let loss = state.losses[0] as? SparseCategoricalCrossentropy,
              loss.fromLogits, loss.ignoreClass == nil, [.sumOverBatchSize, .mean, .sum].contains(loss.reduction),
              let firstShape = model.inputShapes.first, model.inputShapes.count == 1 else { return nil }
        guard firstShape.dropFirst().allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        let inputFeatures = firstShape.dropFirst().reduce(1) { $0 * $1! }
        var features = inputFeatures
        let index = Dictionary(variables.enumerated().map { (ObjectIdentifier($0.element), $0.offset) }, uniquingKeysWith: { a, _ in a })
        var used = Set<Int>()
        var stages: [Stage] = []
        var flat = firstShape.count == 2
        // The gradient at the output of the last stage so far (a dropout shares its input's).
        var below: ReusableBuffer? = nil
        for layer in model.layers {
            if layer.activityRegularizer != nil { return nil }
            switch layer {
            case is InputLayer:
                continue
            case is Flatten:
                flat = true
            case let dropout as Dropout:
                guard dropout.noiseShape == nil, dropout.rate < 1, flat else { return nil }
                let gradient = below ?? ReusableBuffer()
                stages.append(.dropout(dropout, DropoutBuffers(features: features, gradient: gradient)))
                below = gradient
            case let dense as Dense:
                guard flat, dense.loraKernelA == nil, let kernel = dense.kernel, kernel.dtype == .float32,
                      kernel.shape == [features, dense.units], dense.bias.map({ $0.dtype == .float32 }) ?? true else { return nil }
                let relu: Bool
                switch dense.activation {
                case .linear: relu = false
                case .relu: relu = true
                default: return nil
                }
                let kernelIndex = index[ObjectIdentifier(kernel)]
                let biasIndex = dense.bias.flatMap { index[ObjectIdentifier($0)] }
                for i in [kernelIndex, biasIndex].compactMap({ $0 }) { used.insert(i) }
                let gradient = ReusableBuffer()
                stages.append(.dense(dense, DenseSlots(inputs: features, units: dense.units, relu: relu, gradient: gradient,
                                                       kernelIndex: kernelIndex, biasIndex: biasIndex)))
                below = gradient
                features = dense.units
            default:
                return nil
            }
        }
        // Every variable trained must be one the plan computes a gradient for.
        guard used.count == variables.count, case .dense? = stages.last else { return nil }
        return TrainStepPlan(stages: stages, inputFeatures: inputFeatures, classes: features,
                             lossScaleBySum: loss.reduction == .sum, variables: variables,
                             signature: signature(of: model, variables: variables))
    }

    /// Whether `batch` fits the plan (one float32 input of the planned sample shape, fewer
    /// than ``batchLimit`` samples, integer or float labels with one per sample, no sample weights).
    func accepts(_ batch: DataBatch) -> Bool {
        guard batch.inputs.count == 1, batch.targets.count == 1, batch.sampleWeight == nil else { return false }
        let x = batch.inputs[0], y = batch.targets[0]
        guard x.dtype == .float32, x.rank >= 1, x.shape[0] > 0, x.shape[0] < Self.batchLimit else { return false }
        let rows = x.shape[0]
        guard x.scalarCount == rows * inputFeatures, y.rank >= 1, y.shape[0] == rows, y.scalarCount == rows else { return false }
        return [.int32, .int64, .float32, .float64].contains(y.dtype)
    }

    /// How many pieces a step of `rows` samples is cut into: one per core when its forward
    /// products reach ``splitWork`` multiply-adds (at least 8 samples per piece), else one.
    func pieces(rows: Int) -> Int {
        rows * workPerRow >= splitWork ? max(1, min(availableCoreCount, rows / 8)) : 1
    }

    /// How many row pieces the forward and backward pass of a step in `pieces` pieces runs in:
    /// `pieces`, unless the kernels hold more than ``rowSplitWeightLimit`` floats. Then each
    /// core would stream every kernel from the shared cache for its few rows, so the pass runs
    /// on one thread and each large product is split across the cores by columns instead
    /// (``Gemm/sgemm``), each core reading half of the kernel for all rows.
    func rowPieces(pieces: Int) -> Int { workPerRow > rowSplitWeightLimit ? 1 : pieces }

    /// The step's forward and backward pass: the loss (the data loss plus every penalty in
    /// `model.losses`), the predictions (lent from the plan's buffers) and one gradient per
    /// variable (lent likewise; drop them before the next step, or the next step allocates).
    func computeGradients(_ batch: DataBatch, model: Model) -> (loss: Double, predictions: Tensor, gradients: [Tensor]) {
        let loss = run(batch, model: model)
        return (loss, predictions(rows: batch.inputs[0].shape[0]),
                gradients.indices.map { gradients[$0].tensor(shape: gradientShapes[$0]) })
    }

    /// The last step's predictions, lent from the plan's buffer.
    func predictions(rows: Int) -> Tensor {
        if predictionShape != [rows, classes] { predictionShape = [rows, classes] }
        guard case .dense(_, let slots) = stages.last! else { fatalError("TrainStepPlan: the last stage is a Dense layer") }
        return slots.output.tensor(shape: predictionShape)
    }

    /// The step's forward and backward pass, leaving each variable's gradient in its buffer;
    /// returns the loss (the data loss plus every penalty in `model.losses`).
    ///
    /// The batch is cut into ``pieces(rows:)`` row ranges, each run forward and backward to
    /// every layer's gradient on its own core (rows are independent; the loss's `1/N` uses the
    /// whole batch); then, after all have finished, the kernel gradients `Xᵀ·G` and the bias
    /// sums over the whole batch are split by kernel rows and bias columns, so each element is
    /// summed over the batch exactly as on one core. With `phaseB`, that second phase runs
    /// inside it, applying the update it is handed to each range as soon as it is summed (the
    /// caller must not need the gradients unchanged afterwards).
    func run(_ batch: DataBatch, model: Model, phaseB: PhaseB? = nil) -> Double {
        let x = batch.inputs[0], labels = batch.targets[0]
        let rows = x.shape[0]
        let pieces = pieces(rows: rows), rowPieces = rowPieces(pieces: pieces)
        var weights = withoutRecording { stages.map { stage -> (Tensor, Tensor?)? in
            guard case .dense(let dense, _) = stage else { return nil }
            return (dense.kernel.value, dense.bias?.value)
        } }
        // Dropout masks for the whole batch, drawn in order before the pieces run.
        let uniforms = stages.map { stage -> Tensor? in
            guard case .dropout(let layer, let buffers) = stage, layer.rate != 0 else { return nil }
            return Tensor.randomUniform([rows, buffers.features], dtype: .float32, seed: layer.seedGenerator)
        }
        prepareBuffers(rows: rows, pieces: rowPieces)
        let context = withExtendedLifetime((x, weights, uniforms, labels)) {
            let context = Pass(plan: self, x: UnsafePointer(x.floatPointer), labels: labels, rows: rows, rowPieces: rowPieces, pieces: pieces,
                               weights: weights.map { $0.map { (UnsafePointer($0.0.floatPointer), $0.1.map { UnsafePointer($0.floatPointer) }) } },
                               uniforms: uniforms.map { $0.map { UnsafePointer($0.floatPointer) } },
                               losses: rowLosses)
            forEachConcurrently(rowPieces) { piece in context.rowPass(piece) }
            return context
        }
        // Phase B reads no weight: drop them, so an update fused into it writes the variables'
        // buffers in place instead of copying tensors still referenced here.
        weights = []
        withExtendedLifetime((x, uniforms, labels)) {
            if let phaseB {
                phaseB { apply in forEachConcurrently(pieces) { piece in context.variableGradients(piece, apply: apply) } }
            } else {
                forEachConcurrently(pieces) { piece in context.variableGradients(piece, apply: nil) }
            }
        }
        var dataLoss = 0.0
        for r in 0..<rows { dataLoss += rowLosses[r] }
        if !lossScaleBySum { dataLoss /= Double(rows) }
        var loss = Double(Float(dataLoss))
        // Regularizers and added losses: small graphs over the weights, on the tape.
        let tape = GradientTape()
        let penalties = tape.record { model.losses }
        if !penalties.isEmpty {
            let total = penalties.dropFirst().reduce(penalties[0]) { $0 + $1 }
            loss += Double(total.stopGradient().item)
            if total.isRecorded {
                for (i, g) in tape.gradient(total, wrt: variables).enumerated() {
                    DenseStepKernels.add(g, into: gradients[i].pointer, count: g.scalarCount)
                }
            }
        }
        return loss
    }

    /// Sizes every buffer for `rows` samples in `pieces` pieces (before the pieces write them).
    private func prepareBuffers(rows: Int, pieces: Int) {
        for stage in stages {
            switch stage {
            case .dense(_, let slots):
                _ = slots.output.writable(count: rows * slots.units)
                _ = slots.gradient.writable(count: rows * slots.units)
            case .dropout(_, let buffers):
                _ = buffers.output.writable(count: rows * buffers.features)
                _ = buffers.keep.writable(count: rows * buffers.features)
            }
        }
        for (i, g) in gradients.enumerated() { _ = g.writable(count: gradientShapes[i].reduce(1, *)) }
        while transposed.count < pieces { transposed.append(ReusableBuffer()) }
        let widest = stages.reduce(0) { widest, stage in
            if case .dense(_, let slots) = stage { return max(widest, slots.inputs) }
            return widest
        }
        let perPiece = (rows + pieces - 1) / pieces
        for t in transposed.prefix(pieces) { _ = t.writable(count: widest * perPiece) }
        if rowLossCapacity < rows {
            rowLosses.deallocate()
            rowLosses = .allocate(capacity: rows)
            rowLossCapacity = rows
        }
    }

    /// How the caller runs phase B (the variable gradients, after every piece's rows are done):
    /// it calls the closure it is given once, passing an update to apply to each range of a
    /// variable's elements as soon as its gradient is complete (``InPlaceUpdate/apply(_:elements:)``:
    /// the optimizer fused into the gradients' last touch), under whatever lock it needs.
    typealias PhaseB = (_ run: (_ apply: InPlaceUpdate) -> Void) -> Void

    /// The variables' gradient buffers, for the optimizer to read.
    var gradientPointers: [UnsafePointer<Float>] { gradients.map { UnsafePointer($0.pointer) } }

    /// The lent gradients, for an optimizer step that cannot run in place.
    var gradientTensors: [Tensor] { gradients.indices.map { gradients[$0].tensor(shape: gradientShapes[$0]) } }

    /// One step's pointers, shared read-only by the pieces (each writes only its own rows,
    /// then its own kernel rows and bias columns).
    private struct Pass: @unchecked Sendable {
        let plan: TrainStepPlan
        let x: UnsafePointer<Float>
        let labels: Tensor
        /// The row pieces of the forward and backward pass, then the pieces of the variable gradients.
        let rows: Int, rowPieces: Int, pieces: Int
        let weights: [(UnsafePointer<Float>, UnsafePointer<Float>?)?]
        let uniforms: [UnsafePointer<Float>?]
        let losses: UnsafeMutablePointer<Double>

        /// `piece`'s share of `count` cut in `pieces` (contiguous, in order), its bounds multiples of `align`.
        func share(_ count: Int, _ piece: Int, of pieces: Int, align: Int = 1) -> Range<Int> {
            func bound(_ p: Int) -> Int { p == pieces ? count : min(count, (count * p / pieces + align / 2) / align * align) }
            return bound(piece) ..< bound(piece + 1)
        }

        /// The input of stage `s` (the batch, or the stage below's output).
        func input(of s: Int) -> UnsafePointer<Float> {
            if s == 0 { return x }
            switch plan.stages[s - 1] {
            case .dense(_, let slots): return UnsafePointer(slots.output.pointer)
            case .dropout(_, let buffers): return UnsafePointer(buffers.output.pointer)
            }
        }

        /// Forward, loss and backward to every layer's output gradient for `piece`'s rows.
        func rowPass(_ piece: Int) {
            let range = share(rows, piece, of: rowPieces)
            let lo = range.lowerBound, n = range.count
            if n == 0 { return }
            let stages = plan.stages
            var features = plan.inputFeatures
            for (s, stage) in stages.enumerated() {
                let input = input(of: s) + lo * features
                switch stage {
                case .dense(_, let slots):
                    let (kernel, bias) = weights[s]!
                    let out = slots.output.pointer + lo * slots.units
                    DenseStepKernels.gemm(transA: false, transB: false, m: n, n: slots.units, k: features,
                                          a: input, lda: features, b: kernel, ldb: slots.units, c: out, ldc: slots.units)
                    DenseStepKernels.biasActivation(out, bias: bias, rows: n, cols: slots.units, relu: slots.relu)
                    features = slots.units
                case .dropout(let layer, let buffers):
                    let out = buffers.output.pointer + lo * features
                    if let uniform = uniforms[s] {
                        DenseStepKernels.dropout(input, uniform: uniform + lo * features, rate: layer.rate, count: n * features,
                                                 keep: buffers.keep.pointer + lo * features, into: out)
                    } else {
                        out.update(from: input, count: n * features)
                    }
                }
            }
            guard case .dense(_, let top) = stages.last! else { return }
            let scale: Float = plan.lossScaleBySum ? 1 : 1 / Float(rows)
            DenseStepKernels.sparseSoftmaxCrossEntropy(logits: top.output.pointer + lo * plan.classes, labels: labels, firstRow: lo,
                                                       rows: n, classes: plan.classes, scale: scale,
                                                       gradient: top.gradient.pointer + lo * plan.classes, losses: losses + lo)
            backward(rows: lo, count: n, piece: piece)
        }

        /// Sends the loss's gradient down the stack for rows `lo ..< lo + n`.
        private func backward(rows lo: Int, count n: Int, piece: Int) {
            let stages = plan.stages
            let transposed = plan.transposed[piece].pointer
            // Whether the gradient at the current stage's output waits in `transposed`.
            var pending = false
            for s in stages.indices.reversed() {
                switch stages[s] {
                case .dense(_, let slots):
                    let g = slots.gradient.pointer + lo * slots.units
                    let out = UnsafePointer(slots.output.pointer + lo * slots.units)
                    if pending {
                        DenseStepKernels.transposedActivationGradient(transposed, into: g, output: out, rows: n, cols: slots.units,
                                                                      relu: slots.relu, biasGradient: nil)
                        pending = false
                    } else if slots.relu {
                        DenseStepKernels.activationGradient(g, output: out, rows: n, cols: slots.units, relu: true, biasGradient: nil)
                    }
                    guard plan.trainedBelow(s) else { return }
                    let kernel = weights[s]!.0
                    if case .dense = stages[s - 1] {
                        // (g·Wᵀ)ᵀ = W·gᵀ, `inputs × n`.
                        DenseStepKernels.gemm(transA: false, transB: true, m: slots.inputs, n: n, k: slots.units,
                                              a: kernel, lda: slots.units, b: g, ldb: slots.units, c: transposed, ldc: n)
                        pending = true
                    } else {
                        guard case .dropout(_, let below) = stages[s - 1] else { return }
                        DenseStepKernels.gemm(transA: false, transB: true, m: n, n: slots.inputs, k: slots.units,
                                              a: g, lda: slots.units, b: kernel, ldb: slots.units,
                                              c: below.gradient.pointer + lo * slots.inputs, ldc: slots.inputs)
                    }
                case .dropout(let layer, let buffers):
                    guard plan.trainedBelow(s) else { return }
                    if layer.rate != 0 {
                        DenseStepKernels.dropoutGradient(buffers.gradient.pointer + lo * buffers.features,
                                                         keep: buffers.keep.pointer + lo * buffers.features,
                                                         rate: layer.rate, count: n * buffers.features)
                    }
                }
            }
        }

        /// `piece`'s rows of every kernel gradient `Xᵀ·G` and columns of every bias gradient,
        /// each summed over the whole batch, each range then updated by `apply` when given.
        func variableGradients(_ piece: Int, apply: InPlaceUpdate?) {
            for (s, stage) in plan.stages.enumerated() {
                guard case .dense(_, let slots) = stage else { continue }
                let g = UnsafePointer(slots.gradient.pointer)
                if let k = slots.kernelIndex {
                    // Blocks of whole 16-row panels: oneDNN then runs the kernel it runs on the
                    // whole product, and each element comes out bit-identical.
                    let r = share(slots.inputs, piece, of: pieces, align: 16)
                    if !r.isEmpty {
                        DenseStepKernels.gemm(transA: true, transB: false, m: r.count, n: slots.units, k: rows,
                                              a: input(of: s) + r.lowerBound, lda: slots.inputs, b: g, ldb: slots.units,
                                              c: plan.gradients[k].pointer + r.lowerBound * slots.units, ldc: slots.units)
                        apply?.apply(k, elements: r.lowerBound * slots.units ..< r.upperBound * slots.units)
                    }
                }
                if let b = slots.biasIndex {
                    let c = share(slots.units, piece, of: pieces)
                    DenseStepKernels.columnSums(g, rows: rows, cols: slots.units, columns: c,
                                                into: plan.gradients[b].pointer + c.lowerBound)
                    apply?.apply(b, elements: c)
                }
            }
        }
    }

    /// Whether any stage below `s` has a trained variable (else the gradient stops at `s`).
    private func trainedBelow(_ s: Int) -> Bool {
        stages.prefix(s).contains { stage in
            if case .dense(_, let slots) = stage { return slots.kernelIndex != nil || slots.biasIndex != nil }
            return false
        }
    }
}

extension Model {
    /// Keras's `run_eagerly`: when true, every training step runs through the autodiff tape
    /// (layer by layer, as a custom ``trainStep(_:)`` does) instead of the planned step
    /// ``fit(_:_:batchSize:epochs:verbose:callbacks:validationSplit:validationData:shuffle:classWeight:sampleWeight:initialEpoch:)``
    /// records for plain Dense stacks. Both reach the same weights to float rounding; the tape
    /// is the reference, the plan the fast path. `compile` resets it to false, as in Keras.
    ///
    /// ```swift
    /// model.compile(optimizer: "adam", loss: SparseCategoricalCrossentropy(fromLogits: true))
    /// model.runEagerly = true
    /// ```
    public var runEagerly: Bool {
        get { compiledState?.runEagerly ?? false }
        set { compiledState?.runEagerly = newValue }
    }

    /// The planned step for `batch`, or nil when the model, its compile options or the batch
    /// need the tape-based step. Plans are made on the first step and kept in the compiled
    /// state; a change of layers or variables makes a new one.
    func plannedTrainStep(_ batch: DataBatch, state: CompiledState, variables: [Variable]) throws -> [String: Double]? {
        guard !state.runEagerly else { return nil }
        let signature = TrainStepPlan.signature(of: self, variables: variables)
        switch state.stepPlan {
        case .planned(let plan) where plan.signature == signature: break
        case .unsupported(let known) where known == signature: return nil
        default:
            state.stepPlan = TrainStepPlan.make(for: self, state: state, variables: variables).map { .planned($0) }
                ?? .unsupported(signature)
        }
        guard case .planned(let plan) = state.stepPlan, plan.accepts(batch) else { return nil }
        let loss: Double
        if state.optimizer.canApplyInPlace(to: variables) && withoutRecording({ losses.isEmpty }) {
            // The optimizer fused into phase B: each range of a weight is updated right after its
            // gradient is summed (no penalty is added to the gradients afterwards).
            loss = plan.run(batch, model: self) { phaseB in
                weightUpdateLock.write {
                    state.optimizer.applyInPlace(plan.gradientPointers, to: variables) { update in phaseB(update) }
                }
            }
        } else {
            loss = plan.run(batch, model: self)
            weightUpdateLock.write {
                let pieces = plan.pieces(rows: batch.sampleCount)
                if !state.optimizer.applyInPlace(plan.gradientPointers, to: variables, pieces: pieces) {
                    // The lent tensors die with this call, so the next step writes the same buffers.
                    state.optimizer.apply(plan.gradientTensors, to: variables)
                }
            }
        }
        let predictions = plan.predictions(rows: batch.sampleCount)
        state.lossTracker.add(loss, weight: Double(batch.sampleCount))
        let outputs = [predictions]
        try state.buildMetrics(targets: batch.targets, predictions: outputs)
        state.updateMetrics(targets: batch.targets, predictions: outputs, sampleWeight: nil)
        return state.logs()
    }
}

/// What the compiled state remembers about planning the training step.
enum StepPlanState {
    case none
    case planned(TrainStepPlan)
    /// The model with this signature cannot be planned.
    case unsupported(Int)
}
