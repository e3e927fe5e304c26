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
/// is undone in cache-sized tiles before that same pass. The weights reached match the tape-based step's to float
/// rounding.
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

    /// A Dense layer's place in the plan: its output buffer and where its gradients go.
    private final class DenseSlots {
        let inputs: Int, units: Int, relu: Bool
        let output = ReusableBuffer()
        /// Indices of the kernel's and bias's gradients in the step's variable list (nil when
        /// not trained).
        let kernelIndex: Int?, biasIndex: Int?
        init(inputs: Int, units: Int, relu: Bool, kernelIndex: Int?, biasIndex: Int?) {
            (self.inputs, self.units, self.relu, self.kernelIndex, self.biasIndex) = (inputs, units, relu, kernelIndex, biasIndex)
        }
    }

    private final class DropoutBuffers {
        let features: Int
        let keep = ReusableBuffer(), output = ReusableBuffer()
        init(features: Int) { self.features = features }
    }

    /// The plan runs batches below this size; larger ones take the tape-based step. A small
    /// batch computes a Dense layer's input gradient as `W·gᵀ` and transposes it back while
    /// applying the activation gradient: measured here (oneDNN 2.6, one thread), a
    /// 32×512·(512×512)ᵀ product ran at ~40 GFLOP/s and the 512×512·(32×512)ᵀ one at ~53,
    /// 32×2048·(2048×2048)ᵀ at ~30 against ~52. From batch 256 the two ran alike, and in
    /// `keras-bench scaling` the tape-based step used ~10% less CPU time than the plan at
    /// batch 256 while the plan matched or beat it at batch 32, hence the limit.
    static let batchLimit = 128

    private let stages: [Stage]
    private let inputFeatures: Int
    private let classes: Int
    private let lossScaleBySum: Bool
    /// The step's variables (``CompiledState/stepVariables``) and one gradient buffer each.
    private let variables: [Variable]
    private let gradients: [ReusableBuffer]
    private let gradientShapes: [[Int]]
    /// Identity of the model and variables the plan was made for.
    let signature: Int
    /// Scratch: two buffers for the gradient flowing down, one for a transposed input gradient.
    private let downward = [ReusableBuffer(), ReusableBuffer()]
    private let transposed = ReusableBuffer()
    private let logitsGradient = ReusableBuffer()
    /// Predictions' shape for the current batch size (kept, so lending them allocates nothing).
    private var predictionShape: [Int] = []

    /// Buffer (re)allocations so far, over all of the plan's buffers: constant once the plan
    /// has seen its largest batch, unless a caller keeps a lent tensor alive.
    var allocations: Int {
        var total = downward.reduce(0) { $0 + $1.allocations } + transposed.allocations + logitsGradient.allocations
        total += gradients.reduce(0) { $0 + $1.allocations }
        for stage in stages {
            switch stage {
            case .dense(_, let slots): total += slots.output.allocations
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
    }

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
        for layer in model.layers {
            if layer.activityRegularizer != nil { return nil }
            switch layer {
            case is InputLayer:
                continue
            case is Flatten:
                flat = true
            case let dropout as Dropout:
                guard dropout.noiseShape == nil, dropout.rate < 1, flat else { return nil }
                stages.append(.dropout(dropout, DropoutBuffers(features: features)))
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
                stages.append(.dense(dense, DenseSlots(inputs: features, units: dense.units, relu: relu,
                                                       kernelIndex: kernelIndex, biasIndex: biasIndex)))
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

    /// The step's forward and backward pass: the loss (the data loss plus every penalty in
    /// `model.losses`), the predictions (lent from the plan's buffers) and one gradient per
    /// variable (lent likewise; drop them before the next step, or the next step allocates).
    func computeGradients(_ batch: DataBatch, model: Model) -> (loss: Double, predictions: Tensor, gradients: [Tensor]) {
        let x = batch.inputs[0], labels = batch.targets[0]
        let rows = x.shape[0]
        let weights = withoutRecording { stages.map { stage -> (Tensor, Tensor?)? in
            guard case .dense(let dense, _) = stage else { return nil }
            return (dense.kernel.value, dense.bias?.value)
        } }
        var dataLoss = 0.0
        withExtendedLifetime((x, weights)) {
            // Forward.
            var input = UnsafePointer(x.floatPointer)
            var features = inputFeatures
            for (s, stage) in stages.enumerated() {
                switch stage {
                case .dense(_, let slots):
                    let (kernel, bias) = weights[s]!
                    let out = slots.output.writable(count: rows * slots.units)
                    DenseStepKernels.gemm(transA: false, transB: false, m: rows, n: slots.units, k: features,
                                          a: input, lda: features, b: kernel.floatPointer, ldb: slots.units,
                                          c: out, ldc: slots.units)
                    DenseStepKernels.biasActivation(out, bias: bias.map { UnsafePointer($0.floatPointer) },
                                                    rows: rows, cols: slots.units, relu: slots.relu)
                    input = UnsafePointer(out)
                    features = slots.units
                case .dropout(let layer, let buffers):
                    let out = buffers.output.writable(count: rows * features)
                    if layer.rate == 0 {
                        out.update(from: input, count: rows * features)
                    } else {
                        let uniform = Tensor.randomUniform([rows, features], dtype: .float32, seed: layer.seedGenerator)
                        DenseStepKernels.dropout(input, uniform: uniform, rate: layer.rate, count: rows * features,
                                                 keep: buffers.keep.writable(count: rows * features), into: out)
                    }
                    input = UnsafePointer(out)
                }
            }
            // Loss and its gradient.
            let scale: Float = lossScaleBySum ? 1 : 1 / Float(rows)
            let g = logitsGradient.writable(count: rows * classes)
            dataLoss = DenseStepKernels.sparseSoftmaxCrossEntropy(logits: input, labels: labels, rows: rows, classes: classes,
                                                                  scale: scale, gradient: g)
            if !lossScaleBySum { dataLoss /= Double(rows) }
            backward(rows: rows, input: UnsafePointer(x.floatPointer), logitsGradient: g, weights: weights)
        }
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
        if predictionShape != [rows, classes] { predictionShape = [rows, classes] }
        let lastOutput: ReusableBuffer
        switch stages.last! {
        case .dense(_, let slots): lastOutput = slots.output
        case .dropout(_, let buffers): lastOutput = buffers.output
        }
        return (loss, lastOutput.tensor(shape: predictionShape),
                gradients.indices.map { gradients[$0].tensor(shape: gradientShapes[$0]) })
    }

    /// Sends the loss's gradient down the stack, writing every variable's gradient.
    private func backward(rows: Int, input x: UnsafePointer<Float>, logitsGradient: UnsafeMutablePointer<Float>,
                          weights: [(Tensor, Tensor?)?]) {
        // Whether any stage below `s` has a trained variable (else the gradient stops at `s`).
        var trainedBelow = [Bool](repeating: false, count: stages.count + 1)
        for (s, stage) in stages.enumerated() {
            var trained = false
            if case .dense(_, let slots) = stage { trained = slots.kernelIndex != nil || slots.biasIndex != nil }
            trainedBelow[s + 1] = trainedBelow[s] || trained
        }
        var g = logitsGradient
        // Whether `g` holds the gradient transposed (`features × rows`) in `transposed`.
        var gIsTransposed = false
        var flip = 0
        for s in stages.indices.reversed() {
            let below: UnsafePointer<Float> = s == 0 ? x : output(of: stages[s - 1])
            switch stages[s] {
            case .dense(_, let slots):
                let biasGradient = slots.biasIndex.map { gradients[$0].writable(count: slots.units) }
                if gIsTransposed {
                    let dest = downward[flip].writable(count: rows * slots.units)
                    flip ^= 1
                    DenseStepKernels.transposedActivationGradient(transposed.pointer, into: dest, output: slots.output.pointer,
                                                                  rows: rows, cols: slots.units, relu: slots.relu,
                                                                  biasGradient: biasGradient)
                    g = dest
                    gIsTransposed = false
                } else {
                    DenseStepKernels.activationGradient(g, output: slots.output.pointer, rows: rows, cols: slots.units,
                                                        relu: slots.relu, biasGradient: biasGradient)
                }
                if let k = slots.kernelIndex {
                    DenseStepKernels.gemm(transA: true, transB: false, m: slots.inputs, n: slots.units, k: rows,
                                          a: below, lda: slots.inputs, b: g, ldb: slots.units,
                                          c: gradients[k].writable(count: slots.inputs * slots.units), ldc: slots.units)
                }
                guard trainedBelow[s] else { return }
                let kernel = weights[s]!.0.floatPointer
                if s > 0, case .dense = stages[s - 1] {
                    // (g·Wᵀ)ᵀ = W·gᵀ, `inputs × rows`.
                    DenseStepKernels.gemm(transA: false, transB: true, m: slots.inputs, n: rows, k: slots.units,
                                          a: kernel, lda: slots.units, b: g, ldb: slots.units,
                                          c: transposed.writable(count: slots.inputs * rows), ldc: rows)
                    gIsTransposed = true
                } else {
                    let dest = downward[flip].writable(count: rows * slots.inputs)
                    flip ^= 1
                    DenseStepKernels.gemm(transA: false, transB: true, m: rows, n: slots.inputs, k: slots.units,
                                          a: g, lda: slots.units, b: kernel, ldb: slots.units, c: dest, ldc: slots.inputs)
                    g = dest
                }
            case .dropout(let layer, let buffers):
                guard trainedBelow[s] else { return }
                if layer.rate != 0 {
                    DenseStepKernels.dropoutGradient(g, keep: buffers.keep.pointer, rate: layer.rate, count: rows * buffers.features)
                }
            }
        }
    }

    private func output(of stage: Stage) -> UnsafePointer<Float> {
        switch stage {
        case .dense(_, let slots): UnsafePointer(slots.output.pointer)
        case .dropout(_, let buffers): UnsafePointer(buffers.output.pointer)
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
        // The lent tensors die with this call, so the next step writes the same buffers.
        let (loss, predictions, gradients) = plan.computeGradients(batch, model: self)
        weightUpdateLock.write { state.optimizer.apply(gradients, to: variables) }
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
