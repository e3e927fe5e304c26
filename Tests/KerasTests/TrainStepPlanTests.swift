@testable import Keras
import KerasCore
import KerasTestSupport
import Testing

/// The planned training step (``TrainStepPlan``): the same weights as the tape-based step
/// (`runEagerly`), bit-identical runs, no buffer allocated on the steady path, and the tape
/// for the models the plan does not run.
@Suite struct TrainStepPlanTests {
    /// 20 samples of 6 features, 4 classes: batches of 8 leave a partial batch of 4.
    static let x = Tensor.randomNormal([20, 6], seed: 11)
    static let y = Tensor.randomUniform([20], maxval: 4, seed: 12).cast(to: .int32)

    static func mlp(dropout: Double? = nil, regularized: Bool = false, seed: Int = 3) -> Sequential {
        let regularizer: (any Regularizer)? = regularized ? L2(l2: 0.01) : nil
        var layers: [Layer] = [InputLayer(shape: [6]),
                               Dense(16, activation: .relu, kernelInitializer: GlorotUniform(seed: seed),
                                     biasInitializer: RandomNormal(stddev: 0.1, seed: seed + 1),
                                     kernelRegularizer: regularizer, biasRegularizer: regularized ? L1(l1: 0.01) : nil)]
        if let dropout { layers.append(Dropout(dropout, seed: 7)) }
        layers += [Dense(8, activation: .relu, kernelInitializer: GlorotUniform(seed: seed + 2)),
                   Dense(4, kernelInitializer: GlorotUniform(seed: seed + 3))]
        return Sequential(layers)
    }

    /// Trains a planned and a tape-based copy of the same model for two epochs of three steps
    /// (the last one partial) and compares their weights and losses.
    ///
    /// With `split`, the planned model's plan is made up front and cut every batch of 16 into
    /// one piece per core (``TrainStepPlan/splitWork`` 0), on batches of 16 (the last one, 4).
    func comparePlannedWithTape(optimizer: () throws -> Optimizer, dropout: Double? = nil, regularized: Bool = false,
                                metrics: [any MetricConvertible] = [], split: Bool = false,
                                rtol: Double = 1e-4, atol: Double = 2e-6) throws {
        let planned = Self.mlp(dropout: dropout, regularized: regularized), eager = Self.mlp(dropout: dropout, regularized: regularized)
        try planned.compile(optimizer: optimizer(), loss: SparseCategoricalCrossentropy(fromLogits: true), metrics: metrics)
        try eager.compile(optimizer: optimizer(), loss: SparseCategoricalCrossentropy(fromLogits: true), metrics: metrics)
        eager.runEagerly = true
        if split { try Self.splitEveryStep(planned) }
        let batchSize = split ? 16 : 8
        let a = try planned.fit(Self.x, Self.y, batchSize: batchSize, epochs: 2, verbose: 0, shuffle: false)
        let b = try eager.fit(Self.x, Self.y, batchSize: batchSize, epochs: 2, verbose: 0, shuffle: false)
        guard case .planned = planned.compiledState!.stepPlan else {
            Issue.record("the model was not planned")
            return
        }
        if case .planned = eager.compiledState!.stepPlan { Issue.record("runEagerly still planned the step") }
        for (p, e) in zip(planned.getWeights(), eager.getWeights()) { assertClose(p, e, rtol: rtol, atol: atol) }
        for key in b.history.keys { assertClose(a.history[key]!, b.history[key]!, rtol: 1e-5, atol: 1e-6, key) }
    }

    /// Gives `model` (compiled, not yet trained) a plan that cuts every step into one piece per
    /// core; with `rowsUnsplit`, only its variable gradients, the forward and backward pass
    /// running in one piece (as for kernels over ``TrainStepPlan/rowSplitWeightLimit``).
    @discardableResult
    static func splitEveryStep(_ model: Model, rowsUnsplit: Bool = false) throws -> TrainStepPlan {
        let state = try #require(model.compiledState)
        let plan = try #require(TrainStepPlan.make(for: model, state: state, variables: model.trainableVariables))
        plan.splitWork = 0
        if rowsUnsplit { plan.rowSplitWeightLimit = 0 }
        state.stepPlan = .planned(plan)
        return plan
    }

    static let optimizerNames = ["sgd", "adam", "adamw", "rmsprop", "adagrad", "adadelta", "adamax", "nadam", "lion"]

    @Test(arguments: optimizerNames, [false, true])
    func plannedStepsMatchTheTapeForEveryOptimizer(name: String, split: Bool) throws {
        // Lion's update is a sign: a gradient that rounds differently near zero moves a weight by
        // a whole learning rate, so its tolerance is the learning rate.
        try comparePlannedWithTape(optimizer: { try Optimizer.named(name) }, metrics: ["accuracy"], split: split,
                                   atol: name == "lion" ? 2e-3 : 2e-6)
    }

    /// Options the in-place update handles itself (clipvalue, weight decay, AMSGrad, momentum,
    /// centered RMSprop) and one it leaves to `apply` (clipnorm).
    @Test(arguments: [0, 1, 2, 3])
    func optimizerOptionsMatchTheTape(variant: Int) throws {
        let make: () -> Optimizer = switch variant {
        case 0: { Adam(learningRate: 0.01, amsgrad: true, weightDecay: 0.05, clipvalue: 0.2) }
        case 1: { SGD(learningRate: 0.05, momentum: 0.9, clipvalue: 0.1) }
        case 2: { RMSprop(learningRate: 0.01, momentum: 0.5, centered: true, weightDecay: 0.01) }
        default: { Adam(learningRate: 0.01, clipnorm: 0.3) }
        }
        try comparePlannedWithTape(optimizer: make, split: true)
    }

    /// ``Optimizer/applyInPlace(_:to:pieces:)`` reaches bit-identical weights and slots to
    /// ``Optimizer/apply(_:to:)`` for every optimizer, over several steps and in two pieces,
    /// and leaves a value read before the step unchanged.
    @Test(arguments: optimizerNames)
    func theInPlaceUpdateIsBitIdenticalToApply(name: String) throws {
        let (a, b) = (try Optimizer.named(name), try Optimizer.named(name))
        func variables() -> [Variable] {
            [Variable(Tensor.randomNormal([5, 7], seed: 1), name: "kernel"), Variable(Tensor.randomNormal([7], seed: 2), name: "bias")]
        }
        let (va, vb) = (variables(), variables())
        let kept = vb[0].value
        for step in 0..<3 {
            let grads = [Tensor.randomNormal([5, 7], seed: 10 + step), Tensor.randomNormal([7], seed: 20 + step)]
            a.apply(grads, to: va)
            let applied = withExtendedLifetime(grads) {
                b.applyInPlace(grads.map { UnsafePointer($0.floatPointer) }, to: vb, pieces: 2)
            }
            #expect(applied)
        }
        for (x, y) in zip(va + a.variables, vb + b.variables) { #expect(x.value.doubles == y.value.doubles, "\(x.name)") }
        #expect(kept.doubles == Tensor.randomNormal([5, 7], seed: 1).doubles)
        #expect(b.iterations == 3)
        // clipnorm needs every gradient's norm first: `apply` runs it.
        #expect(!SGD(learningRate: 0.1, clipnorm: 1).applyInPlace([], to: [], pieces: 1))
    }

    /// ``Optimizer/applySumInPlace(_:to:scratch:)`` (the tape-based and concurrent steps'
    /// update) reaches bit-identical weights and slots to adding the gradient lists as tensors
    /// and calling ``Optimizer/apply(_:to:)``, for one, two and three lists, with a variable
    /// large enough to be cut across the cores. A gradient that shares a variable's buffer is
    /// read as it was before the step; gradients it cannot take leave everything unchanged.
    @Test(arguments: optimizerNames, [1, 2, 3])
    func theSummedInPlaceUpdateIsBitIdenticalToApply(name: String, parts: Int) throws {
        let (a, b) = (try Optimizer.named(name), try Optimizer.named(name))
        let shapes = [[190, 180], [180], [180]]
        func variables() -> [Variable] {
            shapes.enumerated().map { Variable(Tensor.randomNormal($1, seed: $0 + 1), name: "v\($0)") }
        }
        let (va, vb) = (variables(), variables())
        let scratch = ReusableBuffer()
        for step in 0..<3 {
            let lists = (0..<parts).map { part in
                shapes.enumerated().map { Tensor.randomNormal($1, seed: 100 * step + 10 * part + $0) }
            }
            // The third variable's gradient in the last list is the second variable's buffer.
            func aliased(_ v: [Variable]) -> [[Tensor]] { Array(lists.dropLast()) + [Array(lists.last!.dropLast()) + [v[1].value]] }
            let (listsA, listsB) = (aliased(va), aliased(vb))
            a.apply(listsA.dropFirst().reduce(listsA[0]) { zip($0, $1).map { $0 + $1 } }, to: va)
            #expect(b.applySumInPlace(listsB, to: vb, scratch: scratch))
        }
        for (x, y) in zip(va + a.variables, vb + b.variables) { #expect(x.value.doubles == y.value.doubles, "\(x.name)") }
        #expect(b.iterations == 3)
        let before = vb.map(\.value.doubles)
        let float64 = shapes.map { Tensor.zeros($0, dtype: .float64) }
        #expect(!b.applySumInPlace([float64], to: vb, scratch: scratch))
        #expect(!b.applySumInPlace([Array(float64.prefix(2))], to: vb, scratch: scratch))
        #expect(!SGD(learningRate: 0.1, clipnorm: 1).applySumInPlace([shapes.map { Tensor.zeros($0) }], to: vb, scratch: scratch))
        #expect(vb.map(\.value.doubles) == before)
        #expect(b.iterations == 3)
    }

    /// The step cut into one piece per core reaches the weights of the step on one core to
    /// float rounding (each kernel and bias gradient element is still summed over the whole
    /// batch, but oneDNN may pick another kernel for a product of fewer rows), and two runs of
    /// the cut step are bit-identical.
    ///
    /// With `rowsUnsplit`, only the variable gradients are cut (the forward and backward pass
    /// of the batch's rows run in one piece, as for large kernels).
    @Test(arguments: [false, true])
    func theStepOnAllCoresMatchesTheStepOnOne(rowsUnsplit: Bool) throws {
        let (split, single) = (Self.mlp(dropout: 0.3, regularized: true), Self.mlp(dropout: 0.3, regularized: true))
        for m in [split, single] { try m.compile(optimizer: "adam", loss: SparseCategoricalCrossentropy(fromLogits: true)) }
        let splitPlan = try Self.splitEveryStep(split, rowsUnsplit: rowsUnsplit)
        let pieces = splitPlan.pieces(rows: 16)
        #expect(pieces == min(availableCoreCount, 2))
        #expect(splitPlan.rowPieces(pieces: pieces) == (rowsUnsplit ? 1 : pieces))
        let a = try split.fit(Self.x, Self.y, batchSize: 16, epochs: 3, verbose: 0, shuffle: false)
        let b = try single.fit(Self.x, Self.y, batchSize: 16, epochs: 3, verbose: 0, shuffle: false)
        guard case .planned(let plan) = single.compiledState!.stepPlan else {
            Issue.record("the model was not planned")
            return
        }
        #expect(plan.pieces(rows: 16) == 1)
        for (p, e) in zip(split.getWeights(), single.getWeights()) { assertClose(p, e, rtol: 1e-6, atol: 1e-8) }
        assertClose(a.history["loss"]!, b.history["loss"]!, rtol: 1e-6, atol: 1e-8)
        let again = Self.mlp(dropout: 0.3, regularized: true)
        try again.compile(optimizer: "adam", loss: SparseCategoricalCrossentropy(fromLogits: true))
        try Self.splitEveryStep(again, rowsUnsplit: rowsUnsplit)
        try again.fit(Self.x, Self.y, batchSize: 16, epochs: 3, verbose: 0, shuffle: false)
        for (p, q) in zip(split.getWeights(), again.getWeights()) { #expect(p.doubles == q.doubles) }
    }

    @Test func plannedStepsMatchTheTapeWithMomentumAndClipping() throws {
        try comparePlannedWithTape(optimizer: { SGD(learningRate: 0.05, momentum: 0.9, nesterov: true, clipnorm: 0.5) })
    }

    @Test func dropoutAndRegularizersMatchTheTape() throws {
        try comparePlannedWithTape(optimizer: { SGD(learningRate: 0.1) }, dropout: 0.4, regularized: true)
        try comparePlannedWithTape(optimizer: { try Optimizer.named("adam") }, dropout: 0.4, regularized: true)
    }

    @Test func plannedRunsAreBitIdentical() throws {
        // The shuffles draw from the task's seed.
        func run() throws -> [Tensor] { try withRandomSeed(42) { try train() } }
        func train() throws -> [Tensor] {
            let model = Self.mlp(dropout: 0.3)
            try model.compile(optimizer: "adam", loss: SparseCategoricalCrossentropy(fromLogits: true))
            try model.fit(Self.x, Self.y, batchSize: 8, epochs: 3, verbose: 0, shuffle: true)
            return model.getWeights()
        }
        let (first, second) = (try run(), try run())
        for (a, b) in zip(first, second) { #expect(a.doubles == b.doubles) }
    }

    /// A batch of 32 rows through wider layers (the transposed input gradient in blocks), and
    /// a batch over ``TrainStepPlan/batchLimit``, which takes the tape.
    @Test(arguments: [32, TrainStepPlan.batchLimit + 3])
    func widerLayersAndLargeBatchesMatchTheTape(batch: Int) throws {
        let x = Tensor.randomNormal([batch, 20], seed: 1), y = Tensor.randomUniform([batch], maxval: 5, seed: 2).cast(to: .int32)
        func model() -> Sequential {
            Sequential([InputLayer(shape: [20]), Dense(40, activation: .relu, kernelInitializer: GlorotUniform(seed: 1)),
                        Dense(70, activation: .relu, kernelInitializer: GlorotUniform(seed: 2)),
                        Dense(5, kernelInitializer: GlorotUniform(seed: 3))])
        }
        let (planned, eager) = (model(), model())
        for m in [planned, eager] { try m.compile(optimizer: SGD(learningRate: 0.1), loss: SparseCategoricalCrossentropy(fromLogits: true)) }
        eager.runEagerly = true
        for _ in 0..<3 {
            try planned.trainOnBatch(x, y)
            try eager.trainOnBatch(x, y)
        }
        guard case .planned(let plan) = planned.compiledState!.stepPlan else {
            Issue.record("the model was not planned")
            return
        }
        #expect(plan.accepts(DataBatch(inputs: [x], targets: [y])) == (batch < TrainStepPlan.batchLimit))
        for (p, e) in zip(planned.getWeights(), eager.getWeights()) { assertClose(p, e, rtol: 1e-4, atol: 1e-6) }
    }

    @Test func theSteadyStepAllocatesNoTensorBuffer() throws {
        let model = Self.mlp()
        try model.compile(optimizer: "adam", loss: SparseCategoricalCrossentropy(fromLogits: true))
        let full = DataBatch(inputs: [Self.x.slice(axis: 0, start: 0, end: 8)], targets: [Self.y.slice(axis: 0, start: 0, end: 8)])
        let partial = DataBatch(inputs: [Self.x.slice(axis: 0, start: 8, end: 12)], targets: [Self.y.slice(axis: 0, start: 8, end: 12)])
        try model.trainOnBatch(full.inputs[0], full.targets[0])
        guard case .planned(let plan) = model.compiledState!.stepPlan else {
            Issue.record("the model was not planned")
            return
        }
        let buffers = plan.allocations
        let counter = AllocationCounter()
        AllocationCounter.$current.withValue(counter) {
            for batch in [full, partial, full, partial, full] {
                let (loss, predictions, gradients) = plan.computeGradients(batch, model: model)
                #expect(loss.isFinite && predictions.shape == [batch.sampleCount, 4] && gradients.count == 6)
            }
        }
        #expect(counter.count == 0, "tensor buffers allocated by steady planned steps")
        // The whole step, the in-place optimizer update included, allocates nothing either.
        let state = model.compiledState!, variables = model.trainableVariables
        let stepCounter = AllocationCounter()
        var planned: [Bool] = []
        AllocationCounter.$current.withValue(stepCounter) {
            for batch in [full, partial, full] {
                planned.append((try? model.plannedTrainStep(batch, state: state, variables: variables)) != nil)
            }
        }
        #expect(planned == [true, true, true])
        #expect(stepCounter.count == 0, "tensor buffers allocated by steady training steps")
        #expect(plan.allocations == buffers)
        // A gradient kept past its step is not overwritten: the next step writes a new buffer.
        let kept = plan.computeGradients(full, model: model).gradients[0]
        let before = kept.doubles
        _ = plan.computeGradients(partial, model: model)
        #expect(kept.doubles == before)
        #expect(plan.allocations == buffers + 1)
        // A larger batch grows the buffers once.
        let large = DataBatch(inputs: [Self.x], targets: [Self.y])
        _ = plan.computeGradients(large, model: model)
        let grown = plan.allocations
        #expect(grown > buffers + 1)
        _ = plan.computeGradients(large, model: model)
        #expect(plan.allocations == grown)
    }

    @Test func modelsThePlanDoesNotRunTakeTheTape() throws {
        let sigmoid = Sequential([InputLayer(shape: [6]), Dense(5, activation: .sigmoid), Dense(4)])
        try sigmoid.compile(optimizer: "adam", loss: SparseCategoricalCrossentropy(fromLogits: true))
        try sigmoid.fit(Self.x, Self.y, batchSize: 8, verbose: 0)
        guard case .unsupported = sigmoid.compiledState!.stepPlan else {
            Issue.record("a sigmoid Dense was planned")
            return
        }
        let mse = Self.mlp()
        try mse.compile(optimizer: "adam", loss: "mse")
        try mse.fit(Self.x, Tensor.randomNormal([20, 4], seed: 3), batchSize: 8, verbose: 0)
        if case .planned = mse.compiledState!.stepPlan { Issue.record("an MSE model was planned") }
        // Sample weights: the plan stays, those batches take the tape, and agree with it.
        let (planned, eager) = (Self.mlp(), Self.mlp())
        for m in [planned, eager] { try m.compile(optimizer: SGD(learningRate: 0.1), loss: SparseCategoricalCrossentropy(fromLogits: true)) }
        eager.runEagerly = true
        let weights = Tensor.randomUniform([20], seed: 4)
        try planned.fit(Self.x, Self.y, batchSize: 8, verbose: 0, shuffle: false, sampleWeight: weights)
        try eager.fit(Self.x, Self.y, batchSize: 8, verbose: 0, shuffle: false, sampleWeight: weights)
        for (p, e) in zip(planned.getWeights(), eager.getWeights()) { #expect(p.doubles == e.doubles) }
    }

    @Test func aFrozenLayerGetsNoGradientAndStaysPut() throws {
        let (planned, eager) = (Self.mlp(), Self.mlp())
        for m in [planned, eager] {
            m.layers[0].trainable = false
            try m.compile(optimizer: "adam", loss: SparseCategoricalCrossentropy(fromLogits: true))
        }
        eager.runEagerly = true
        let frozen = planned.layers[0].getWeights()
        try planned.fit(Self.x, Self.y, batchSize: 8, epochs: 2, verbose: 0, shuffle: false)
        try eager.fit(Self.x, Self.y, batchSize: 8, epochs: 2, verbose: 0, shuffle: false)
        guard case .planned = planned.compiledState!.stepPlan else {
            Issue.record("the model was not planned")
            return
        }
        for (a, b) in zip(planned.layers[0].getWeights(), frozen) { #expect(a.doubles == b.doubles) }
        for (p, e) in zip(planned.getWeights(), eager.getWeights()) { assertClose(p, e, rtol: 1e-4, atol: 2e-6) }
    }
}
