import KerasCore

extension Model {
    /// Trains the model for a number of epochs (`model.fit`).
    ///
    /// Samples are reshuffled every epoch unless `shuffle` is false; the last partial batch is
    /// kept. `validationSplit` holds out the last fraction of the samples (before shuffling).
    /// Everything is checked before the first step: sample counts, input shapes, NaNs, label
    /// ranges for sparse losses.
    ///
    /// ```swift
    /// let history = try model.fit(xTrain, yTrain, batchSize: 32, epochs: 10, validationSplit: 0.1)
    /// history.history["val_accuracy"]
    /// ```
    ///
    /// - Parameters:
    ///   - x: The inputs: a tensor, an array of tensors (several inputs, in order) or a dictionary by input name.
    ///   - y: The targets, in the same forms (one per output).
    ///   - batchSize: Samples per gradient step; 32 when `nil`.
    ///   - epochs: Number of passes over the data (the last epoch index when `initialEpoch` is set).
    ///   - verbose: 0 silent, 1 a progress bar, 2 one line per epoch.
    ///   - callbacks: Callbacks called during training, after the `History` and progress bar callbacks.
    ///   - validationSplit: Fraction of the samples, taken from the end before shuffling, to evaluate after each epoch instead of training on.
    ///   - validationData: Data to evaluate after each epoch (not with `validationSplit`).
    ///   - shuffle: Whether to shuffle the samples before each epoch.
    ///   - classWeight: Weight of each class index in the loss (not with `sampleWeight`).
    ///   - sampleWeight: Weight of each sample in the loss and the weighted metrics, shape `(samples,)`.
    ///   - initialEpoch: Epoch to start at, to resume an earlier run.
    @discardableResult
    public func fit(_ x: some ModelDataConvertible, _ y: some ModelDataConvertible, batchSize: Int? = nil,
                    epochs: Int = 1, verbose: Int = 1, callbacks: [Callback] = [], validationSplit: Double = 0,
                    validationData: ValidationData? = nil, shuffle: Bool = true, classWeight: [Int: Double]? = nil,
                    sampleWeight: Tensor? = nil, initialEpoch: Int = 0) throws -> History {
        let state = try requireCompiled("fit")
        let batch = try checkedBatchSize(batchSize, op: "fit")
        var train = try labeledArrays(x, y, sampleWeight: sampleWeight, state: state, op: "fit")
        var validation: BatchSource? = nil
        if validationSplit > 0 {
            guard validationData == nil else {
                throw KerasError.invalidData("fit: pass either validationSplit or validationData, not both")
            }
            let parts = try train.split(validationFraction: validationSplit)
            train = parts.train
            validation = .arrays(parts.validation, batchSize: batch, shuffle: false)
        }
        if let classWeight {
            guard sampleWeight == nil else {
                throw KerasError.invalidData("fit: pass either classWeight or sampleWeight, not both (as in Keras); fold the class weights into sampleWeight instead")
            }
            train = try train.applyingClassWeight(classWeight)
        }
        try validateTrainingData(train, state: state, op: "fit")
        if let validationData { validation = try validationSource(validationData, batchSize: batch, state: state) }
        return try runFit(.arrays(train, batchSize: batch, shuffle: shuffle), validation: validation, epochs: epochs,
                          verbose: verbose, callbacks: callbacks, initialEpoch: initialEpoch)
    }

    /// Trains on a ``Dataset`` (batched by `batchSize` if the dataset is not batched yet).
    ///
    /// - Parameters:
    ///   - dataset: Batches of inputs, targets and optional sample weights; an unbatched dataset is batched by `batchSize`.
    ///   - batchSize: Batch size for an unbatched dataset; 32 when `nil`.
    ///   - epochs: Number of passes over the dataset (each one a new shuffle of a shuffled dataset).
    ///   - verbose: 0 silent, 1 a progress bar, 2 one line per epoch.
    ///   - callbacks: Callbacks called during training.
    ///   - validationData: Data to evaluate after each epoch.
    ///   - initialEpoch: Epoch to start at, to resume an earlier run.
    @discardableResult
    public func fit(_ dataset: Dataset, batchSize: Int? = nil, epochs: Int = 1, verbose: Int = 1,
                    callbacks: [Callback] = [], validationData: ValidationData? = nil,
                    initialEpoch: Int = 0) throws -> History {
        let state = try requireCompiled("fit")
        let batch = try checkedBatchSize(batchSize, op: "fit")
        let source = BatchSource.dataset(dataset, batchSize: batch)
        try validateFirstBatch(of: source, state: state, op: "fit")
        let validation = try validationData.map { try validationSource($0, batchSize: batch, state: state) }
        return try runFit(source, validation: validation, epochs: epochs,
                          verbose: verbose, callbacks: callbacks, initialEpoch: initialEpoch)
    }

    /// One optimizer step on one batch (`model.train_on_batch`); returns the batch's logs.
    @discardableResult
    public func trainOnBatch(_ x: some ModelDataConvertible, _ y: some ModelDataConvertible, sampleWeight: Tensor? = nil,
                             classWeight: [Int: Double]? = nil) throws -> Evaluation {
        let state = try requireCompiled("trainOnBatch")
        var data = try labeledArrays(x, y, sampleWeight: sampleWeight, state: state, op: "trainOnBatch")
        if let classWeight {
            guard sampleWeight == nil else {
                throw KerasError.invalidData("trainOnBatch: pass either classWeight or sampleWeight, not both (as in Keras)")
            }
            data = try data.applyingClassWeight(classWeight)
        }
        try validateTrainingData(data, state: state, op: "trainOnBatch")
        resetMetrics()
        let logs = try trainStep(data.batch(0..<data.count))
        return Evaluation(logs: logs, order: state.orderedKeys(for: logs))
    }

    // MARK: - The loop

    private func runFit(_ source: BatchSource, validation: BatchSource?, epochs: Int, verbose: Int,
                        callbacks userCallbacks: [Callback], initialEpoch: Int) throws -> History {
        let state = compiledState!
        guard epochs >= 1, initialEpoch >= 0, initialEpoch < epochs else {
            throw KerasError.invalidData("fit: need epochs ≥ 1 and 0 ≤ initialEpoch < epochs, got epochs=\(epochs), initialEpoch=\(initialEpoch)")
        }
        let distribution = self.distribution
        let callbacks = CallbackList(distribution?.callbacksForRank(userCallbacks) ?? userCallbacks, addHistory: true,
                                     addProgbar: verbose != 0 && distribution?.isChief != false)
        callbacks.setModel(self)
        callbacks.setParams(CallbackParams(epochs: epochs, steps: source.stepCount, verbose: verbose))
        var generator = makeRandomGenerator(seed: nil)
        state.stepVariables = trainableVariables
        defer { state.stepVariables = nil }
        stopTraining = false
        resumeEpoch = nil
        resumeStep = nil
        do {
            return try fitEpochs(source, validation: validation, epochs: epochs, callbacks: callbacks,
                                 initialEpoch: initialEpoch, state: state, generator: &generator)
        } catch {
            // The other ranks wait in a collective for this one: end the job rather than hang.
            if let distribution, distribution.worldSize > 1 { distribution.abort(error) }
            throw error
        }
    }

    private func fitEpochs(_ source: BatchSource, validation: BatchSource?, epochs: Int, callbacks: CallbackList,
                           initialEpoch: Int, state: CompiledState, generator: inout RandomGenerator) throws -> History {
        try callbacks.onTrainBegin(logs: [:])
        // Keras's `optimizer.finalize_variable_values` (with EMA, the averaged weights) before
        // `on_train_end`, and also when training ends on an error.
        var finalized = false
        let finalize = { [self] in
            finalized = true
            weightUpdateLock.write { state.optimizer.finalizeVariableValues(trainableVariables) }
        }
        defer { if !finalized { finalize() } }
        if let distribution {
            resumeEpoch = try distribution.synchronizeStart(of: self, optimizer: state.optimizer, resumeEpoch: resumeEpoch)
        }
        // A restored backup resumes after its last completed epoch; the skipped epochs still draw
        // their shuffles, so the resumed run sees the batches an uninterrupted run sees.
        let firstEpoch = Swift.min(epochs, Swift.max(initialEpoch, resumeEpoch ?? initialEpoch))
        // A backup taken mid-epoch also skips the batches it had trained (same shuffle); ranks of
        // a multi-process run restart that epoch instead, as they agree on epochs only.
        let skippedSteps = resumeEpoch == firstEpoch && (distribution?.worldSize ?? 1) == 1 ? resumeStep ?? 0 : 0
        resumeEpoch = nil
        resumeStep = nil
        for skipped in initialEpoch..<firstEpoch { _ = source.batches(epoch: skipped, generator: &generator) }
        var epochLogs: [String: Double] = [:]
        for epoch in firstEpoch..<epochs {
            resetMetrics()
            try callbacks.onEpochBegin(epoch, logs: [:])
            var logs: [String: Double] = [:]
            var seen = 0, progress = DistributedProgress()
            for (step, batch) in source.batches(epoch: epoch, generator: &generator).enumerated() {
                if epoch == firstEpoch && step < skippedSteps { continue }
                if case .dataset = source {
                    try state.checkBatch(batch, op: "fit", sampleOffset: seen)
                    try validateInputs(batch.inputs, op: "fit")
                }
                seen += batch.sampleCount
                try callbacks.onTrainBatchBegin(step, logs: [:])
                logs = try distributedStep(batch, op: "fit", progress: &progress) { try trainStep($0) }
                try callbacks.onTrainBatchEnd(step, logs: logs)
                if stopTraining { break }
            }
            epochLogs = logs
            if let validation, !stopTraining {
                let valLogs = try runEvaluation(validation, state: state, callbacks: callbacks)
                for (k, v) in valLogs { epochLogs["val_" + k] = v }
            }
            try callbacks.onEpochEnd(epoch, logs: &epochLogs)
            if stopTraining { break }
        }
        finalize()
        try callbacks.onTrainEnd(logs: epochLogs)
        return callbacks.history!
    }

    /// Keras's default `train_step`: forward pass, ``computeLoss(x:y:yPred:sampleWeight:training:)``,
    /// gradients, optimizer update (under the weight-update lock, so concurrent `predict` calls
    /// see the weights before or after it), then tracker and metric updates. Dense stacks run
    /// the same step planned (``TrainStepPlan``) unless ``runEagerly`` is set; other models of
    /// built-in layers split large enough batches over the cores (``concurrentTraining``).
    func defaultTrainStep(_ batch: DataBatch) throws -> [String: Double] {
        let state = try requireCompiled("fit")
        let variables = state.stepVariables ?? trainableVariables
        if let logs = try plannedTrainStep(batch, state: state, variables: variables) { return logs }
        let shards = trainingShardCount(for: batch, state: state, variables: variables)
        if shards > 1, let logs = try concurrentTrainStep(batch, shardCount: shards, state: state, variables: variables) {
            return logs
        }
        var predictions: [Tensor] = []
        let (loss, localGradients) = try valueWithGradients(of: variables) {
            predictions = self(batch.inputs, training: true)
            return try self.computeLoss(x: batch.inputs, y: batch.targets, yPred: predictions,
                                        sampleWeight: batch.sampleWeight, training: true)
        }
        // The recorded graph behind the predictions holds the weights' values: without it the
        // optimizer updates the weights in place instead of copying each one first.
        predictions = predictions.map { $0.stopGradient() }
        let gradients = try distribution?.averageGradients(localGradients, localSamples: batch.sampleCount) ?? localGradients
        weightUpdateLock.write {
            if !state.optimizer.applySumInPlace([gradients], to: variables, scratch: state.gradientSums) {
                state.optimizer.apply(gradients, to: variables)
            }
        }
        state.lossTracker.add(Double(loss.item), weight: Double(batch.sampleCount))
        try state.buildMetrics(targets: batch.targets, predictions: predictions)
        state.updateMetrics(targets: batch.targets, predictions: predictions, sampleWeight: batch.sampleWeight)
        return state.logs()
    }

    /// Keras's default `compute_loss`: the compiled losses plus every penalty in ``losses``.
    func defaultComputeLoss(y: [Tensor], yPred: [Tensor], sampleWeight: Tensor?) throws -> Tensor {
        let state = try requireCompiled("computeLoss")
        var total: Tensor? = nil
        if state.hasLoss {
            total = state.totalLoss(targets: y, predictions: yPred, sampleWeight: sampleWeight,
                                    batchSize: yPred.first?.shape.first ?? 1)
        }
        for penalty in losses { total = total.map { $0 + penalty } ?? penalty }
        guard let total else {
            throw KerasError.invalidArgument("No loss to compute for model \"\(name)\". Provide a `loss` argument in `compile()`, add losses with addLoss(_:), or override trainStep(_:).")
        }
        return total
    }

    /// Resets the compiled trackers and every metric in ``metrics`` (start of an epoch or an
    /// evaluation, as Keras's `reset_metrics`).
    public func resetMetrics() {
        compiledState?.resetMetrics()
        for metric in metrics { metric.resetState() }
    }

    // MARK: - Validation of outside data

    /// Inputs and targets matched to the model's input and output names, with equal sample
    /// counts and finite values.
    func labeledArrays(_ x: any ModelDataConvertible, _ y: any ModelDataConvertible, sampleWeight: Tensor?,
                       state: CompiledState, op: String) throws -> TrainingArrays {
        try TrainingArrays(inputs: x.tensors(for: inputNames, role: "input"),
                           targets: y.tensors(for: state.outputNames, role: "output"),
                           sampleWeight: sampleWeight, op: op)
    }

    func checkedBatchSize(_ batchSize: Int?, op: String) throws -> Int {
        let b = batchSize ?? 32
        guard b > 0 else { throw KerasError.invalidData("\(op): batchSize must be positive, got \(b)") }
        return b
    }

    /// Checks the first batch of a dataset like array data (which also builds an unbuilt model,
    /// so its variables exist before training starts).
    func validateFirstBatch(of source: BatchSource, state: CompiledState, op: String) throws {
        var generator = RandomGenerator(seed: 0)
        guard let first = source.batches(epoch: 0, generator: &generator).first(where: { _ in true }) else {
            throw KerasError.invalidData("\(op): the dataset is empty")
        }
        guard !first.targets.isEmpty else {
            throw KerasError.invalidData("\(op): the dataset has no targets; build it with Dataset(x, y) to train or evaluate")
        }
        let arrays = try TrainingArrays(inputs: first.inputs, targets: first.targets, sampleWeight: first.sampleWeight, op: op)
        try validateTrainingData(arrays, state: state, op: op)
    }

    /// Checks the inputs of the first batch of a prediction dataset like array data.
    func validateFirstInputs(of source: BatchSource, op: String) throws {
        var generator = RandomGenerator(seed: 0)
        guard let first = source.batches(epoch: 0, generator: &generator).first(where: { _ in true }) else {
            throw KerasError.invalidData("\(op): the dataset is empty")
        }
        let arrays = try TrainingArrays(inputs: first.inputs, targets: [], sampleWeight: nil, op: op, checkFinite: false)
        try validateInputs(arrays.inputs, op: op)
    }

    private func validationSource(_ data: ValidationData, batchSize: Int, state: CompiledState) throws -> BatchSource {
        switch data.source {
        case .arrays(let x, let y, let sw):
            let arrays = try labeledArrays(x, y, sampleWeight: sw, state: state, op: "fit (validationData)")
            try validateTrainingData(arrays, state: state, op: "fit (validationData)")
            return .arrays(arrays, batchSize: batchSize, shuffle: false)
        case .dataset(let d):
            let source = BatchSource.dataset(d, batchSize: batchSize)
            try validateFirstBatch(of: source, state: state, op: "fit (validationData)")
            return source
        }
    }

    /// Checks inputs against the model's input shapes, then runs one sample through the model
    /// to check targets against predictions: shapes, and every label for sparse losses and
    /// metrics (the checks are kept for the batches of datasets).
    func validateTrainingData(_ data: TrainingArrays, state: CompiledState, op: String) throws {
        try validateInputs(data.inputs, op: op)
        guard data.targets.count == state.outputNames.count else {
            throw KerasError.invalidData("\(op): the model has \(state.outputNames.count) output(s) \(state.outputNames), but \(data.targets.count) target array(s) were given")
        }
        let probe = withoutRecording { self(data.inputs.map { $0.slice(axis: 0, start: 0, end: 1) }, training: false) }
        let firstTargets = data.targets.map { $0.slice(axis: 0, start: 0, end: 1) }
        try state.buildMetrics(targets: firstTargets, predictions: probe)
        var checks: [ClassLabelCheck] = []
        for (i, (target, prediction)) in zip(firstTargets, probe).enumerated() {
            let output = state.outputNames.count > 1 ? "output \"\(state.outputNames[i])\"" : "the model output"
            let consumers: [(name: String, isLabels: Bool, ignored: Int?, rule: (any TargetShapeRule)?)] =
                state.allMetrics(ofOutput: i).map { ("metric \($0.name) (\($0.className))", $0 is ClassLabelTargets, nil, $0 as? any TargetShapeRule) }
                + (state.losses[i].map { [("loss \(type(of: $0).className)", $0 is ClassLabelTargets, ($0 as? ClassLabelTargets)?.ignoredLabel, $0 as? any TargetShapeRule)] } ?? [])
            // Dense (non-sparse) losses and metrics compare targets and predictions elementwise.
            let (t, p) = squeezeOrExpandToSameRank(target, prediction)
            // (The probe has one sample; give the batch axis a size ≠ 1 so it cannot broadcast.
            // Ranks must match: else the batch axis of one lines up with another axis of the
            // other, which broadcasts only when their sizes happen to agree.)
            let comparable = t.rank == p.rank && shapesBroadcast([2] + t.shape.dropFirst(), [2] + p.shape.dropFirst())
            for consumer in consumers {
                if let problem = consumer.rule?.targetShapeProblem(yTrue: target, yPred: prediction) {
                    throw KerasError.invalidData("\(op): \(consumer.name) for \(output): \(problem)")
                }
                if consumer.isLabels {
                    let check = ClassLabelCheck(output: i, classes: prediction.shape.last ?? 1, ignoredLabel: consumer.ignored,
                                                consumer: consumer.name, outputDescription: output)
                    try check.checkShape(target: target.shape, prediction: prediction.shape, op: op)
                    try check.checkLabels(data.targets[i], op: op)
                    checks.append(check)
                } else if !comparable && consumer.rule?.decidesTargetShapes != true {
                    throw KerasError.invalidData("\(op): \(consumer.name) compares targets of shape \(formatShape([nil] + target.shape.dropFirst().map { Optional($0) })) with \(output) of shape \(formatShape([nil] + prediction.shape.dropFirst().map { Optional($0) })), which do not match; use a sparse loss or metric (SparseCategoricalCrossentropy) for integer labels, or one-hot targets (toCategorical)")
                }
            }
            // One weight per sample (sampleWeight, or classWeight turned into it) weights losses
            // of one value per sample; a loss keeping more axes (a sequence output) cannot take it.
            if data.sampleWeight != nil, let loss = state.losses[i] {
                let (t, p) = squeezeOrExpandToSameRank(target, floatPrediction(prediction))
                let values = withoutRecording { loss.call(t, p).values }
                if values.rank == 0 || values.shape[0] != target.shape[0] || values.rank > 2 || (values.rank == 2 && values.shape[1] != 1) {
                    throw KerasError.invalidData("\(op): sampleWeight (or classWeight) gives one weight per sample, but loss \(type(of: loss).className) for \(output) has values of shape \(formatShape([nil] + values.shape.dropFirst().map { Optional($0) })) per batch; weight the samples of a sequence output with a loss that reduces them, or leave the weights out")
                }
            }
        }
        state.labelChecks = checks
    }

    /// Whether two shapes broadcast together (NumPy rules).
    private func shapesBroadcast(_ a: [Int], _ b: [Int]) -> Bool {
        zip(a.reversed(), b.reversed()).allSatisfy { $0 == $1 || $0 == 1 || $1 == 1 }
    }

    /// Checks the count, rank and known dimensions of input arrays against the model's inputs.
    func validateInputs(_ inputs: [Tensor], op: String) throws {
        let expected = inputShapes
        guard !expected.isEmpty else {
            // An unbuilt model learns its input shapes from the data: its own rules (a
            // Sequential walks its layers) decide whether it can take them.
            do { try checkCallable(inputs.map { [nil] + $0.shape.dropFirst().map { Optional($0) } }) } catch {
                throw KerasError.invalidData("\(op): \(error)")
            }
            return
        }
        guard inputs.count == expected.count else {
            throw KerasError.invalidData("\(op): model \"\(name)\" expects \(expected.count) input(s), but received \(inputs.count)")
        }
        for (i, (x, shape)) in zip(inputs, expected).enumerated() {
            let mismatch = x.rank != shape.count || zip(x.shape.dropFirst(), shape.dropFirst()).contains { $1 != nil && $0 != $1! }
            if mismatch {
                let inputName = i < inputNames.count ? " (\"\(inputNames[i])\")" : ""
                throw KerasError.invalidData("\(op): input \(i)\(inputName) of model \"\(name)\" is incompatible: expected shape \(formatShape(shape)), but received data with shape \(formatShape(x.shape))")
            }
            if let problem = inputDataProblem(x, input: i) { throw KerasError.invalidData("\(op): \(problem)") }
        }
    }

    /// The layers that take model input `index` directly (through nested Sequential models
    /// too): the first layer of a Sequential, or the functional layers called on that input.
    ///
    /// ```swift
    /// let readers = model.layersReading(input: 0).compactMap { $0 as? Embedding }
    /// ```
    public func layersReading(input index: Int) -> [Layer] {
        func firstLayers(of layer: Layer) -> [Layer] {
            if let sequential = layer as? Sequential {
                return sequential.layers.first { !($0 is InputLayer) }.map(firstLayers) ?? []
            }
            return [layer]
        }
        if self is Sequential { return index == 0 ? firstLayers(of: self) : [] }
        guard index < inputs.count else { return [] }
        let input = inputs[index]
        return layers.filter { !($0 is InputLayer) && $0.inboundNodes.contains { $0.inputs.contains { $0 === input } } }
            .flatMap(firstLayers)
    }
}
