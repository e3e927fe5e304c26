import KerasCore

extension Model {
    /// Loss and metric values on test data, in batches (`model.evaluate`).
    ///
    /// ```swift
    /// let result = try model.evaluate(xTest, yTest, verbose: 2)
    /// print("Test accuracy:", result["accuracy"]!)
    /// ```
    public func evaluate(_ x: some ModelDataConvertible, _ y: some ModelDataConvertible, batchSize: Int? = nil,
                         verbose: Int = 1, sampleWeight: Tensor? = nil, callbacks: [Callback] = []) throws -> Evaluation {
        let state = try requireCompiled("evaluate")
        let batch = try checkedBatchSize(batchSize, op: "evaluate")
        let data = try labeledArrays(x, y, sampleWeight: sampleWeight, state: state, op: "evaluate")
        try validateTrainingData(data, state: state, op: "evaluate")
        return try evaluate(source: .arrays(data, batchSize: batch, shuffle: false), verbose: verbose, callbacks: callbacks)
    }

    /// Evaluates on a ``Dataset``.
    public func evaluate(_ dataset: Dataset, batchSize: Int? = nil, verbose: Int = 1,
                         callbacks: [Callback] = []) throws -> Evaluation {
        let state = try requireCompiled("evaluate")
        let batch = try checkedBatchSize(batchSize, op: "evaluate")
        let source = BatchSource.dataset(dataset, batchSize: batch)
        try validateFirstBatch(of: source, state: state, op: "evaluate")
        return try evaluate(source: source, verbose: verbose, callbacks: callbacks)
    }

    /// Loss and metrics of one batch without updating weights (`model.test_on_batch`).
    public func testOnBatch(_ x: some ModelDataConvertible, _ y: some ModelDataConvertible,
                            sampleWeight: Tensor? = nil) throws -> Evaluation {
        let state = try requireCompiled("testOnBatch")
        let data = try labeledArrays(x, y, sampleWeight: sampleWeight, state: state, op: "testOnBatch")
        try validateTrainingData(data, state: state, op: "testOnBatch")
        resetMetrics()
        let logs = try weightUpdateLock.read { try testStep(data.batch(0..<data.count)) }
        return Evaluation(logs: logs, order: state.orderedKeys(for: logs))
    }

    private func evaluate(source: BatchSource, verbose: Int, callbacks userCallbacks: [Callback]) throws -> Evaluation {
        let state = compiledState!
        let callbacks = CallbackList(distribution?.callbacksForRank(userCallbacks) ?? userCallbacks, addHistory: false,
                                     addProgbar: verbose != 0 && distribution?.isChief != false)
        callbacks.setModel(self)
        callbacks.setParams(CallbackParams(epochs: 1, steps: source.stepCount, verbose: verbose))
        let logs = try runEvaluation(source, state: state, callbacks: callbacks)
        return Evaluation(logs: logs, order: state.orderedKeys(for: logs))
    }

    /// The evaluation loop shared by `evaluate` and `fit`'s validation.
    func runEvaluation(_ source: BatchSource, state: CompiledState, callbacks: CallbackList) throws -> [String: Double] {
        resetMetrics()
        try callbacks.onTestBegin(logs: [:])
        var generator = RandomGenerator(seed: 0)
        var logs: [String: Double] = [:]
        var seen = 0, progress = DistributedProgress()
        for (step, batch) in source.batches(epoch: 0, generator: &generator).enumerated() {
            if case .dataset = source {
                try state.checkBatch(batch, op: "evaluate", sampleOffset: seen)
                try validateInputs(batch.inputs, op: "evaluate")
            }
            seen += batch.sampleCount
            try callbacks.onTestBatchBegin(step, logs: [:])
            logs = try distributedStep(batch, op: "evaluate", progress: &progress) { b in
                try weightUpdateLock.read { try testStep(b) }
            }
            try callbacks.onTestBatchEnd(step, logs: logs)
        }
        try callbacks.onTestEnd(logs: logs)
        return logs
    }

    /// Keras's default `test_step`: forward pass in inference mode (split over the cores when
    /// ``concurrentTraining`` allows), loss and metric updates.
    func defaultTestStep(_ batch: DataBatch) throws -> [String: Double] {
        let state = try requireCompiled("evaluate")
        return try withoutRecording {
            let shards = inferenceShardCount(for: batch)
            let predictions = shards > 1 ? shardedInference(batch.inputs, shardCount: shards) : self(batch.inputs, training: false)
            let total = try computeLoss(x: batch.inputs, y: batch.targets, yPred: predictions,
                                        sampleWeight: batch.sampleWeight, training: false)
            state.lossTracker.add(Double(total.item), weight: Double(batch.sampleCount))
            try state.buildMetrics(targets: batch.targets, predictions: predictions)
            state.updateMetrics(targets: batch.targets, predictions: predictions, sampleWeight: batch.sampleWeight)
            return state.logs()
        }
    }
}
