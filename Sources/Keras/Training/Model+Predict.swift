import KerasCore

extension Model {
    /// Outputs for every sample, computed in batches in inference mode (`model.predict`).
    ///
    /// ```swift
    /// let probabilities = try Sequential([model, Softmax()]).predict(xTest)
    /// ```
    ///
    /// For a model with several outputs use `predictOutputs(_:batchSize:verbose:callbacks:)`.
    public func predict(_ x: some ModelDataConvertible, batchSize: Int? = nil, verbose: Int = 1,
                        callbacks: [Callback] = []) throws -> Tensor {
        try requireSingleOutput("predict")
        return try predictOutputs(x, batchSize: batchSize, verbose: verbose, callbacks: callbacks)[0]
    }

    /// ``predict(_:batchSize:verbose:callbacks:)`` on a ``Dataset`` (its targets are ignored).
    public func predict(_ dataset: Dataset, batchSize: Int? = nil, verbose: Int = 1,
                        callbacks: [Callback] = []) throws -> Tensor {
        try requireSingleOutput("predict")
        return try predictOutputs(dataset, batchSize: batchSize, verbose: verbose, callbacks: callbacks)[0]
    }

    private func requireSingleOutput(_ op: String) throws {
        let names = outputNames
        guard names.count <= 1 else {
            throw KerasError.invalidArgument("\(op): model \"\(name)\" has \(names.count) outputs (\(names.joined(separator: ", "))); use predictOutputs(_:), which returns them all, by position or by name")
        }
    }

    /// Every output of the model for every sample, in batches: by position (`outputs[0]`) or
    /// by output name (`outputs["priority"]`).
    ///
    /// ```swift
    /// let outputs = try model.predictOutputs(["title": titles, "body": bodies])
    /// let priority = outputs["priority"]!
    /// ```
    public func predictOutputs(_ x: some ModelDataConvertible, batchSize: Int? = nil, verbose: Int = 1,
                               callbacks: [Callback] = []) throws -> ModelOutputs {
        let batch = try checkedBatchSize(batchSize, op: "predict")
        // Like Keras, predict does not scan inputs for NaN (a NaN input gives NaN outputs).
        let data = try TrainingArrays(inputs: x.tensors(for: inputNames, role: "input"), targets: [],
                                      sampleWeight: nil, op: "predict", checkFinite: false)
        try validateInputs(data.inputs, op: "predict")
        return try runPrediction(.arrays(data, batchSize: batch, shuffle: false), verbose: verbose, callbacks: callbacks)
    }

    /// Every output of the model for every element of a ``Dataset`` (its targets are ignored).
    public func predictOutputs(_ dataset: Dataset, batchSize: Int? = nil, verbose: Int = 1,
                               callbacks: [Callback] = []) throws -> ModelOutputs {
        let batch = try checkedBatchSize(batchSize, op: "predict")
        let source = BatchSource.dataset(dataset, batchSize: batch)
        try validateFirstInputs(of: source, op: "predict")
        return try runPrediction(source, verbose: verbose, callbacks: callbacks)
    }

    private func runPrediction(_ source: BatchSource, verbose: Int, callbacks userCallbacks: [Callback]) throws -> ModelOutputs {
        let callbacks = CallbackList(distribution?.callbacksForRank(userCallbacks) ?? userCallbacks, addHistory: false,
                                     addProgbar: verbose != 0 && distribution?.isChief != false)
        callbacks.setModel(self)
        callbacks.setParams(CallbackParams(epochs: 1, steps: source.stepCount, verbose: verbose))
        try callbacks.onPredictBegin(logs: [:])
        var pieces: [[Tensor]] = []
        var generator = RandomGenerator(seed: 0)
        // Batches are independent in inference: once the model is built (by the first batch),
        // groups of batches are cut into slices that run on all cores when every layer allows it
        // (each slice's ops then run single-threaded, which keeps every core busy with whole
        // matrix products; a slice's activations fit in a core's cache, see `inferenceSliceSize`).
        let group = availableCoreCount
        var concurrent: Bool? = nil   // decided once, after the first batch has built the model
        var sliceSize = Int.max       // samples per slice, decided with `concurrent`
        var pending: [(step: Int, batch: DataBatch)] = []
        var batchCounts: [Int] = []   // distributed: each rank predicts its slice of every batch
        func flush() throws {
            for item in pending { try callbacks.onPredictBatchBegin(item.step, logs: [:]) }
            let slices = pending.indices.flatMap { b in
                stride(from: 0, to: pending[b].batch.count, by: sliceSize).map { (batch: b, start: $0) }
            }
            func run(_ slice: (batch: Int, start: Int)) throws -> [Tensor] {
                var batch = pending[slice.batch].batch
                let end = min(batch.count, slice.start + sliceSize)
                if slice.start > 0 || end < batch.count {
                    batch = DataBatch(inputs: batch.inputs.map { $0.slice(axis: 0, start: slice.start, end: end) })
                }
                return try weightUpdateLock.read { try predictStep(batch) }
            }
            var outputs = [Result<[Tensor], any Error>?](repeating: nil, count: slices.count)
            if slices.count > 1 && (concurrent ?? false) {
                outputs.withUnsafeMutableBufferPointer { out in
                    forEachConcurrently(slices.count) { i in out[i] = Result { try run(slices[i]) } }
                }
            } else {
                for (i, slice) in slices.enumerated() { outputs[i] = Result { try run(slice) } }
            }
            var next = 0
            for (b, item) in pending.enumerated() {
                while next < slices.count && slices[next].batch == b {
                    pieces.append(try outputs[next]!.get())
                    next += 1
                }
                try callbacks.onPredictBatchEnd(item.step, logs: [:])
            }
            pending.removeAll(keepingCapacity: true)
        }
        for (step, batch) in source.batches(epoch: 0, generator: &generator).enumerated() {
            if case .dataset = source, step > 0 { try validateInputs(batch.inputs, op: "predict") }
            batchCounts.append(batch.sampleCount)
            let local = try distribution?.shard(batch, op: "predict", allowEmpty: step > 0) ?? batch
            if local.count > 0 { pending.append((step, local)) }
            if step == 0 || pending.count == group { try flush() }
            if concurrent == nil {
                concurrent = supportsConcurrentInference
                if concurrent == true { sliceSize = inferenceSliceSize }
            }
        }
        try flush()
        try callbacks.onPredictEnd(logs: [:])
        guard let first = pieces.first else { return ModelOutputs(names: [], tensors: []) }
        let tensors = first.indices.map { i in pieces.count == 1 ? pieces[0][i] : concatenate(pieces.map { $0[i] }, axis: 0) }
        return ModelOutputs(names: outputNames, tensors: try distribution?.gatherPredictions(tensors, batchCounts: batchCounts) ?? tensors)
    }

    /// Outputs of one batch (`model.predict_on_batch`).
    public func predictOnBatch(_ x: some ModelDataConvertible) throws -> ModelOutputs {
        let inputs = try x.tensors(for: inputNames, role: "input")
        try validateInputs(inputs, op: "predictOnBatch")
        let outputs = try weightUpdateLock.read { try predictStep(DataBatch(inputs: inputs)) }
        return ModelOutputs(names: outputNames, tensors: outputs)
    }
}

/// The outputs of `Model/predictOutputs(_:batchSize:verbose:callbacks:)`: one tensor per model
/// output, by position or by output name.
public struct ModelOutputs: RandomAccessCollection, Sendable {
    /// The output names (``Model/outputNames``), aligned with the tensors.
    public let names: [String]
    /// The output tensors, in output order.
    public let tensors: [Tensor]

    init(names: [String], tensors: [Tensor]) {
        self.names = names.count == tensors.count ? names : tensors.indices.map { "output_\($0)" }
        self.tensors = tensors
    }

    /// The position of the first element (`Collection`).
    public var startIndex: Int { 0 }
    /// The position after the last element (`Collection`).
    public var endIndex: Int { tensors.count }
    /// The element at `position` (`Collection`).
    public subscript(position: Int) -> Tensor { tensors[position] }

    /// The output named `name`, or `nil`.
    public subscript(name: String) -> Tensor? { names.firstIndex(of: name).map { tensors[$0] } }

    /// Keras's dictionary form.
    public var dictionary: [String: Tensor] { Dictionary(uniqueKeysWithValues: zip(names, tensors)) }
}
