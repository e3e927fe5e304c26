@testable import Keras
@testable import KerasCore
import KerasTestSupport
import Testing

/// The default train step split over row shards run concurrently (`Model.concurrentTraining`)
/// trains as the unsplit step: same weights, losses and metrics to float rounding, and the same
/// bits from run to run.
@Suite struct ConcurrentTrainingTests {
    /// Trains two copies of `make()` (same weights) on `batches`: one with the unsplit step, one
    /// with the sharded step in `shards` shards; checks the logs of every step and the weights
    /// at the end, and returns the sharded model's weights.
    @discardableResult
    func expectShardedMatchesUnsplit(shards: Int, batches: [DataBatch], rtol: Double = 2e-5,
                                     make: () throws -> Model, compile: (Model) throws -> Void) throws -> [Tensor] {
        let unsplit = try make(), split = try make()
        try split.setWeights(unsplit.getWeights())
        try compile(unsplit)
        try compile(split)
        unsplit.concurrentTraining = false
        for batch in batches {
            unsplit.resetMetrics()
            split.resetMetrics()
            let expected = try unsplit.defaultTrainStep(batch)
            let state = split.compiledState!
            let logs = try #require(try split.concurrentTrainStep(batch, shardCount: shards, state: state,
                                                                 variables: split.trainableVariables))
            #expect(logs.keys.sorted() == expected.keys.sorted())
            for (key, value) in expected {
                assertClose([logs[key] ?? .nan], [value], rtol: rtol, atol: 1e-6, "log \(key)")
            }
        }
        for (a, b) in zip(split.getWeights(), unsplit.getWeights()) { assertClose(a, b, rtol: 1e-4, atol: 1e-5) }
        return split.getWeights()
    }

    func batches(_ count: Int, of size: Int, x: (Int) -> Tensor, y: (Int) -> Tensor, weighted: Bool = false) -> [DataBatch] {
        (0..<count).map { i in
            DataBatch(inputs: [x(i)], targets: [y(i)],
                      sampleWeight: weighted ? Tensor.randomUniform([size], minval: 0.2, maxval: 2, seed: 100 + i) : nil)
        }
    }

    /// The tape-based steps, unsplit and sharded, update every weight in its own buffer: the
    /// recorded graph (which holds the weights' values) is gone before the optimizer writes, so
    /// no step copies a weight first (a copy of each weight per step at width 2048).
    @Test func tapeStepsUpdateWeightsInPlace() throws {
        let x = Tensor.randomNormal([64, 16], seed: 1)
        let y = Tensor.randomUniform([64], maxval: 3, seed: 2).cast(to: .int32)
        for shards in [1, 2] {
            let model = Sequential([InputLayer(shape: [16]), Dense(8, activation: .relu), Dense(3)])
            try model.compile(optimizer: "adam", loss: SparseCategoricalCrossentropy(fromLogits: true), metrics: ["accuracy"])
            let batch = DataBatch(inputs: [x], targets: [y])
            let step = { () throws in
                if shards == 1 {
                    _ = try model.defaultTrainStep(batch)
                } else {
                    _ = try #require(try model.concurrentTrainStep(batch, shardCount: shards, state: model.compiledState!,
                                                                   variables: model.trainableVariables))
                }
            }
            model.runEagerly = shards == 1
            try step()
            let buffers = model.trainableVariables.map { ObjectIdentifier($0.value.storage) }
            for _ in 0..<3 { try step() }
            #expect(model.trainableVariables.map { ObjectIdentifier($0.value.storage) } == buffers, "shards \(shards)")
        }
    }

    func convModel() -> Model {
        Sequential([InputLayer(shape: [8, 8, 1]),
                    Conv2D(4, kernelSize: [3, 3], activation: .relu, kernelRegularizer: L2(l2: 0.01)),
                    MaxPooling2D(), Flatten(), Dropout(0.3, seed: 7),
                    Dense(3, kernelRegularizer: L1L2(l1: 0.001, l2: 0.01))])
    }

    @Test func convPoolDenseWithRegularizersSampleWeightsAndDropout() throws {
        let data = batches(3, of: 20, x: { Tensor.randomNormal([20, 8, 8, 1], seed: $0) },
                           y: { Tensor.randomUniform([20], maxval: 3, seed: 50 + $0).cast(to: .int32) }, weighted: true)
        for shards in [2, 3] {
            try expectShardedMatchesUnsplit(shards: shards, batches: data, make: convModel) {
                try $0.compile(optimizer: SGD(learningRate: 0.1, momentum: 0.9),
                               loss: SparseCategoricalCrossentropy(fromLogits: true),
                               metrics: ["accuracy"], weightedMetrics: ["sparse_categorical_accuracy"])
            }
        }
    }

    @Test func lstmWithDropoutAndSumReduction() throws {
        let make = { () -> Model in
            Sequential([InputLayer(shape: [5, 3]), LSTM(6, dropout: 0.2, recurrentDropout: 0.2, seed: 3), Dense(2)])
        }
        let data = batches(3, of: 17, x: { Tensor.randomNormal([17, 5, 3], seed: $0) },
                           y: { Tensor.randomNormal([17, 2], seed: 60 + $0) })
        try expectShardedMatchesUnsplit(shards: 2, batches: data, make: make) {
            try $0.compile(optimizer: SGD(learningRate: 0.01), loss: MeanSquaredError(reduction: .sum), metrics: ["mae"])
        }
        let weighted = batches(2, of: 16, x: { Tensor.randomNormal([16, 5, 3], seed: $0) },
                               y: { Tensor.randomNormal([16, 2], seed: 70 + $0) }, weighted: true)
        try expectShardedMatchesUnsplit(shards: 2, batches: weighted, make: make) {
            try $0.compile(optimizer: SGD(learningRate: 0.05), loss: MeanAbsoluteError(reduction: .meanWithSampleWeight))
        }
    }

    func attentionModel() throws -> Model {
        let inputs = Input(shape: [6], dtype: .int32)
        let h = Embedding(inputDim: 12, outputDim: 8, maskZero: true)(inputs)
        let attended = MultiHeadAttention(numHeads: 2, keyDim: 4, dropout: 0.1, seed: 4).applySymbolic([h, h])[0]
        let normed = LayerNormalization()(Add().applySymbolic([h, attended])[0])
        return try Model(inputs: inputs, outputs: Dense(4)(normed))
    }

    @Test func embeddingAttentionLayerNormWithMaskedLoss() throws {
        // Labels of class 0 are ignored: the loss divides by the labels kept in the whole batch.
        let data = batches(3, of: 16, x: { Tensor.randomUniform([16, 6], maxval: 12, seed: $0).cast(to: .int32) },
                           y: { Tensor.randomUniform([16, 6], maxval: 4, seed: 80 + $0).cast(to: .int32) })
        try expectShardedMatchesUnsplit(shards: 2, batches: data, make: attentionModel) {
            try $0.compile(optimizer: SGD(learningRate: 0.1),
                           loss: SparseCategoricalCrossentropy(fromLogits: true, ignoreClass: 0), metrics: ["accuracy"])
        }
    }

    @Test func severalOutputsAndLossWeights() throws {
        let make = { () throws -> Model in
            let inputs = Input(shape: [4, 3])
            let h = LSTM(5, returnSequences: true)(inputs)
            let pooled = GlobalAveragePooling1D()(h)
            return try Model(inputs: inputs, outputs: [Dense(2, name: "value")(pooled), Dense(3, name: "kind")(pooled)])
        }
        let data = (0..<3).map { i in
            DataBatch(inputs: [Tensor.randomNormal([18, 4, 3], seed: i)],
                      targets: [Tensor.randomNormal([18, 2], seed: 20 + i), Tensor.randomUniform([18], maxval: 3, seed: 30 + i).cast(to: .int32)],
                      sampleWeight: Tensor.randomUniform([18], minval: 0.5, maxval: 1.5, seed: 40 + i))
        }
        try expectShardedMatchesUnsplit(shards: 3, batches: data, make: make) {
            try $0.compile(optimizer: SGD(learningRate: 0.05),
                           loss: [MeanSquaredError(), SparseCategoricalCrossentropy(fromLogits: true)],
                           metrics: ["accuracy"], lossWeights: [1.0, 0.5])
        }
    }

    @Test func shardedStepsAreBitIdenticalFromRunToRun() throws {
        let data = batches(3, of: 24, x: { Tensor.randomNormal([24, 8, 8, 1], seed: $0) },
                           y: { Tensor.randomUniform([24], maxval: 3, seed: 90 + $0).cast(to: .int32) })
        let reference = convModel()
        _ = reference(data[0].inputs[0])
        let initial = reference.getWeights()
        var runs: [[[Double]]] = []
        for _ in 0..<2 {
            let model = convModel()
            _ = model(data[0].inputs[0])
            try model.setWeights(initial)
            try model.compile(optimizer: "adam", loss: SparseCategoricalCrossentropy(fromLogits: true))
            for batch in data {
                _ = try #require(try model.concurrentTrainStep(batch, shardCount: 2, state: model.compiledState!,
                                                              variables: model.trainableVariables))
            }
            runs.append(model.getWeights().map(\.doubles))
        }
        #expect(runs[0] == runs[1])
    }

    @Test func fitSplitsOnlyWhereItIsSafe() throws {
        let x = Tensor.randomNormal([32, 8, 8, 1], seed: 1)
        let y = Tensor.randomUniform([32], maxval: 3, seed: 2).cast(to: .int32)
        let batch = DataBatch(inputs: [x], targets: [y])
        func shardCount(_ model: Model, _ batch: DataBatch = batch) throws -> Int {
            if model.compiledState == nil {
                try model.compile(optimizer: "sgd", loss: SparseCategoricalCrossentropy(fromLogits: true))
            }
            _ = model(batch.inputs[0])
            return model.trainingShardCount(for: batch, state: model.compiledState!, variables: model.trainableVariables)
        }
        let expected = Swift.min(availableCoreCount, 32 / Model.minimumRowsPerTrainingShard)
        #expect(try shardCount(convModel()) == expected)
        // Small batches, the switches, and models whose training calls couple rows or run user code.
        let small = DataBatch(inputs: [x.slice(axis: 0, start: 0, end: 15)], targets: [y.slice(axis: 0, start: 0, end: 15)])
        #expect(try shardCount(convModel(), small) == 1)
        let off = convModel()
        off.concurrentTraining = false
        #expect(try shardCount(off) == 1)
        let eager = convModel()
        try eager.compile(optimizer: "sgd", loss: SparseCategoricalCrossentropy(fromLogits: true))
        eager.runEagerly = true
        #expect(try shardCount(eager) == 1)
        #expect(try shardCount(Sequential([InputLayer(shape: [8, 8, 1]), BatchNormalization(), Flatten(), Dense(3)])) == 1)
        let frozen = BatchNormalization()
        frozen.trainable = false
        #expect(try shardCount(Sequential([InputLayer(shape: [8, 8, 1]), frozen, Flatten(), Dense(3)])) == expected)
        #expect(try shardCount(Sequential([InputLayer(shape: [8, 8, 1]), RandomFlip(), Flatten(), Dense(3)])) == 1)
        #expect(try shardCount(Sequential([InputLayer(shape: [8, 8, 1]), Flatten(), Lambda { $0 * 2 }, Dense(3)])) == 1)
        let regularized = Sequential([InputLayer(shape: [8, 8, 1]), Flatten(), Dense(3, activityRegularizer: L2())])
        #expect(try shardCount(regularized) == 1)
    }

    @Test func fitWithAndWithoutConcurrentTrainingAgree() throws {
        let x = Tensor.randomNormal([64, 8, 8, 1], seed: 5)
        let y = Tensor.randomUniform([64], maxval: 3, seed: 6).cast(to: .int32)
        let on = convModel(), off = convModel()
        _ = on(x)
        _ = off(x)
        try off.setWeights(on.getWeights())
        off.concurrentTraining = false
        var histories: [History] = []
        for model in [on, off] {
            try model.compile(optimizer: SGD(learningRate: 0.05), loss: SparseCategoricalCrossentropy(fromLogits: true),
                              metrics: ["accuracy"])
            histories.append(try model.fit(x, y, batchSize: 16, epochs: 2, verbose: 0, shuffle: false))
        }
        for key in ["loss", "accuracy"] {
            assertClose(histories[0].history[key]!, histories[1].history[key]!, rtol: 1e-5, "history \(key)")
        }
        for (a, b) in zip(on.getWeights(), off.getWeights()) { assertClose(a, b, rtol: 1e-4, atol: 1e-5) }
    }

    @Test func evaluateSplitsTheForwardPassAndKeepsItsResults() throws {
        let model = try attentionModel()
        let x = Tensor.randomUniform([40, 6], maxval: 12, seed: 11).cast(to: .int32)
        let y = Tensor.randomUniform([40, 6], maxval: 4, seed: 12).cast(to: .int32)
        assertClose(model.shardedInference([x], shardCount: 3)[0], model(x), rtol: 1e-5, atol: 1e-6)
        // The attention dropout, never called in inference, is still unbuilt: it builds on its first call.
        #expect(model.supportsConcurrentInference && model.isShardableInTraining)
        try model.compile(optimizer: "sgd", loss: SparseCategoricalCrossentropy(fromLogits: true, ignoreClass: 0),
                          metrics: ["accuracy"])
        #expect(model.inferenceShardCount(for: DataBatch(inputs: [x], targets: [y])) == Swift.min(availableCoreCount, 5))
        let split = try model.evaluate(x, y, batchSize: 20, verbose: 0)
        model.concurrentTraining = false
        #expect(model.inferenceShardCount(for: DataBatch(inputs: [x], targets: [y])) == 1)
        let unsplit = try model.evaluate(x, y, batchSize: 20, verbose: 0)
        for key in ["loss", "accuracy"] { assertClose([split[key]!], [unsplit[key]!], rtol: 1e-5, "evaluate \(key)") }
    }
}
