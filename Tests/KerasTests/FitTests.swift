import Foundation
import Keras
import KerasTestSupport
import Testing

@Suite struct FitTests {
    /// The tutorial model, with Keras's initial weights from the fixture.
    func tutorialModel() throws -> (Sequential, [String: Any]) {
        let fixture = try loadFixture("tutorial_digits.json") as! [String: Any]
        let model = Sequential([InputLayer(shape: [8, 8]), Flatten(), Dense(128, activation: .relu), Dense(10)])
        let weights = (fixture["initial_weights"] as! [Any]).map { w -> Tensor in
            let values = flattenNumbers(w)
            let shape = (w as? [[Any]]).map { [$0.count, $0[0].count] } ?? [values.count]
            return Tensor(shape: shape, doubles: values, dtype: .float32)
        }
        try model.setWeights(weights)
        return (model, fixture)
    }

    @Test func tutorialTracksKerasEpochByEpoch() throws {
        let (model, fixture) = try tutorialModel()
        let ((xTrain, yTrain), (xTest, yTest)) = try Datasets.digits()
        let x = xTrain.cast(to: .float32) / 255, xt = xTest.cast(to: .float32) / 255
        try model.compile(optimizer: "adam", loss: SparseCategoricalCrossentropy(fromLogits: true), metrics: ["accuracy"])
        let history = try model.fit(x, yTrain, epochs: 3, verbose: 0, shuffle: false)
        let expected = fixture["history"] as! [String: [Double]]
        assertClose(history.history["loss"]!, expected["loss"]!, rtol: 1e-3, atol: 1e-4)
        assertClose(history.history["accuracy"]!, expected["accuracy"]!, rtol: 0, atol: 2.0 / 1437)
        let result = try model.evaluate(xt, yTest, verbose: 0)
        #expect(Swift.abs(result.loss - (fixture["test_loss"] as! Double)) < 1e-3)
        #expect(Swift.abs(result["accuracy"]! - (fixture["test_accuracy"] as! Double)) < 1.5 / 360)
    }
}

@Suite struct FitBehaviourTests {
    /// A small separable problem: label = argmax of 3 fixed projections of 4 features.
    func toyData(count: Int = 64, seed: Int = 3) -> (Tensor, Tensor) {
        let x = Tensor.randomNormal([count, 4], seed: seed)
        let w = Tensor.randomNormal([4, 3], seed: seed + 1)
        return (x, x.matmul(w).argmax(axis: -1))
    }

    func toyModel(seed: Int = 5) -> Sequential {
        Sequential([InputLayer(shape: [4]), Dense(8, activation: .relu, kernelInitializer: GlorotUniform(seed: seed)),
                    Dense(3, kernelInitializer: GlorotUniform(seed: seed + 1))])
    }

    @Test func historyKeysValidationSplitAndLossDecrease() throws {
        let (x, y) = toyData()
        let model = toyModel()
        try model.compile(optimizer: Adam(learningRate: 0.05), loss: SparseCategoricalCrossentropy(fromLogits: true),
                          metrics: ["accuracy"])
        let history = try model.fit(x, y, batchSize: 16, epochs: 5, verbose: 0, validationSplit: 0.25)
        #expect(history.keys == ["accuracy", "loss", "val_accuracy", "val_loss"])
        #expect(history.epoch == [0, 1, 2, 3, 4])
        let loss = history.history["loss"]!
        #expect(loss.last! < loss.first!)
        // The validation figures are those of evaluate on the last quarter of the data.
        let val = try model.evaluate(x.slice(axis: 0, start: 48, end: 64), y.slice(axis: 0, start: 48, end: 64), verbose: 0)
        #expect(Swift.abs(val.loss - history.history["val_loss"]!.last!) < 1e-5)
        #expect(val.names == ["loss", "accuracy"])
    }

    @Test func reproducibleUnderAFixedSeed() throws {
        func run() throws -> ([Double], [Float]) {
            try withRandomSeed(42) {
                let (x, y) = toyData()
                let model = Sequential([InputLayer(shape: [4]), Dense(8, activation: .relu), Dropout(0.3), Dense(3)])
                try model.compile(optimizer: "adam", loss: SparseCategoricalCrossentropy(fromLogits: true))
                let h = try model.fit(x, y, batchSize: 8, epochs: 2, verbose: 0)
                return (h.history["loss"]!, model.getWeights().flatMap(\.scalars))
            }
        }
        // Initial weights, dropout masks and shuffling all come from the seed: bit-identical runs.
        let a = try run(), b = try run()
        #expect(a.0 == b.0)
        #expect(a.1 == b.1)
    }

    /// Records the weights at every epoch end.
    final class WeightRecorder: Callback, @unchecked Sendable {
        var snapshots: [[Float]] = []
        override func onEpochEnd(_ epoch: Int, logs: inout [String: Double]) throws {
            snapshots.append((model as! Model).getWeights().flatMap(\.scalars))
        }
    }

    @Test func earlyStoppingStopsFitAndRestoresBestWeights() throws {
        let (x, y) = toyData()
        let model = toyModel()
        // A learning rate this large makes the loss bounce, so training stops early.
        try model.compile(optimizer: SGD(learningRate: 5.0), loss: SparseCategoricalCrossentropy(fromLogits: true))
        let recorder = WeightRecorder()
        let stop = EarlyStopping(monitor: "loss", patience: 1, restoreBestWeights: true)
        let history = try model.fit(x, y, batchSize: 64, epochs: 30, verbose: 0, callbacks: [recorder, stop], shuffle: false)
        let losses = history.history["loss"]!
        #expect(history.epoch.count < 30)
        let best = losses.indices.min { losses[$0] < losses[$1] }!
        #expect(best == losses.count - 2)   // patience 1: stopped one epoch after the best
        #expect(model.getWeights().flatMap(\.scalars) == recorder.snapshots[best])
    }

    @Test func multiInputMultiOutputByName() throws {
        let a = Input(shape: [3], name: "a"), b = Input(shape: [2], name: "b")
        let merged = Concatenate()([a, b])
        let hidden = Dense(4, activation: .tanh, kernelInitializer: GlorotUniform(seed: 1), name: "hidden")(merged)
        let regression = Dense(1, kernelInitializer: GlorotUniform(seed: 2), name: "reg")(hidden)
        let classes = Dense(2, kernelInitializer: GlorotUniform(seed: 3), name: "cls")(hidden)
        let model = try Model(inputs: [a, b], outputs: [regression, classes])
        try model.compile(optimizer: "sgd", loss: ["reg": "mse", "cls": SparseCategoricalCrossentropy(fromLogits: true)],
                          outputMetrics: ["cls": ["accuracy"]], lossWeights: ["reg": 0.5, "cls": 1])
        let xa = Tensor.randomNormal([10, 3], seed: 1), xb = Tensor.randomNormal([10, 2], seed: 2)
        let yr = Tensor.randomNormal([10, 1], seed: 3), yc = Tensor((0..<10).map { $0 % 2 })
        let history = try model.fit(["a": xa, "b": xb], ["reg": yr, "cls": yc], batchSize: 5, epochs: 2, verbose: 0)
        #expect(history.keys == ["cls_accuracy", "cls_loss", "loss", "reg_loss"])
        let result = try model.evaluate([xa, xb], [yr, yc], verbose: 0)
        #expect(result.names == ["loss", "reg_loss", "cls_loss", "cls_accuracy"])
        #expect(Swift.abs(result.loss - (0.5 * result["reg_loss"]! + result["cls_loss"]!)) < 1e-5)
        let outputs = try model.predictOutputs(["a": xa, "b": xb], batchSize: 4, verbose: 0)
        #expect(outputs.map(\.shape) == [[10, 1], [10, 2]])
        assertClose(outputs[1], model([xa, xb])[1])
    }

    @Test func sampleAndClassWeightsScaleTheLoss() throws {
        let (x, y) = toyData(count: 8)
        let model = toyModel()
        try model.compile(optimizer: SGD(learningRate: 0), loss: SparseCategoricalCrossentropy(fromLogits: true))
        let plain = try model.evaluate(x, y, verbose: 0).loss
        let doubled = try model.evaluate(x, y, verbose: 0, sampleWeight: Tensor.full([8], 2)).loss
        #expect(Swift.abs(doubled - 2 * plain) < 1e-5)
        // classWeight 3 for every class triples the first step's loss (learning rate 0).
        let weighted = try model.trainOnBatch(x, y, classWeight: [0: 3, 1: 3, 2: 3]).loss
        #expect(Swift.abs(weighted - 3 * plain) < 1e-5)
        #expect(throws: KerasError.self) { try model.trainOnBatch(x, y, classWeight: [0: 1]) }
    }

    @Test func predictBatchesAndOnBatchForms() throws {
        let (x, y) = toyData(count: 10)
        let model = toyModel()
        try model.compile(optimizer: "adam", loss: SparseCategoricalCrossentropy(fromLogits: true), metrics: ["accuracy"])
        assertClose(try model.predict(x, batchSize: 3, verbose: 0), model(x), rtol: 1e-6)
        assertClose(try model.predictOnBatch(x)[0], model(x), rtol: 1e-6)
        let before = try model.testOnBatch(x, y)
        let step = try model.trainOnBatch(x, y)
        #expect(Swift.abs(step.loss - before.loss) < 1e-5)   // logged loss is the pre-update loss
        #expect(try model.testOnBatch(x, y).loss < before.loss)
        let softmax = Sequential([model, Softmax()])
        let probabilities = try softmax.predict(x, verbose: 0)
        assertClose(probabilities.sum(axes: [1]), Tensor.ones([10]), rtol: 1e-5)
    }

    @Test func unbuiltSequentialBuildsOnFirstBatchAndStringsResolve() throws {
        let (x, y) = toyData(count: 12)
        let model = Sequential([Dense(6, activation: .relu), Dense(3, activation: .softmax)])
        try model.compile(optimizer: "rmsprop", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"])
        let history = try model.fit(x, y, batchSize: 4, epochs: 1, verbose: 0)
        #expect(model.built)
        #expect(history.keys == ["accuracy", "loss"])
        #expect(model.optimizer?.className == "RMSprop")
        #expect(type(of: try metricNamed("accuracy", yTrueShape: [12], yPredShape: [12, 3])) == SparseCategoricalAccuracy.self)
    }

    @Test func datasetInput() throws {
        let (x, y) = toyData(count: 20)
        let model = toyModel()
        try model.compile(optimizer: "adam", loss: SparseCategoricalCrossentropy(fromLogits: true))
        let data = try Dataset(x, y).shuffled(seed: 1).batched(8)
        let history = try model.fit(data, epochs: 2, verbose: 0)
        #expect(history.history["loss"]!.count == 2)
        _ = try model.evaluate(data, verbose: 0)
        // An unbuilt model trains on a dataset too (the first batch builds it).
        let unbuilt = Sequential([Dense(5, activation: .relu), Dense(3)])
        try unbuilt.compile(optimizer: "adam", loss: SparseCategoricalCrossentropy(fromLogits: true))
        let before = try unbuilt.evaluate(data, verbose: 0).loss
        try unbuilt.fit(data, epochs: 5, verbose: 0)
        #expect(unbuilt.trainableVariables.count == 4)
        #expect(try unbuilt.evaluate(data, verbose: 0).loss < before)
        #expect(throws: KerasError.self) { try unbuilt.fit(try Dataset(x).batched(4), verbose: 0) }
        let predicted = try model.predictOutputs(try Dataset(x, y).batched(6), verbose: 0)
        assertClose(predicted[0], model(x), rtol: 1e-6)
    }

    @Test func badDataIsRejectedBeforeTraining() throws {
        let (x, y) = toyData(count: 10)
        let model = toyModel()
        #expect(throws: KerasError.self) { try model.fit(x, y, verbose: 0) }   // not compiled
        try model.compile(optimizer: "adam", loss: SparseCategoricalCrossentropy(fromLogits: true))
        let before = model.getWeights().flatMap(\.scalars)
        func message(_ body: () throws -> Void) -> String {
            do { try body(); return "" } catch { return "\(error)" }
        }
        #expect(message { try model.fit(x, y.slice(axis: 0, start: 0, end: 9), verbose: 0) }
            .contains("x has 10 samples but y has 9"))
        #expect(message { try model.fit(Tensor.zeros([10, 5]), y, verbose: 0) }
            .contains("expected shape (None, 4), but received data with shape (10, 5)"))
        #expect(message { try model.fit(x, y + 5, verbose: 0) }
            .contains("out of range"))
        let nan = `where`(Tensor.arange(40).reshaped(to: [10, 4]) .== 7, Tensor(Float.nan), x)
        #expect(message { try model.fit(nan, y, verbose: 0) }.contains("NaN"))
        #expect(message { try model.fit(x, y, batchSize: 0, verbose: 0) }.contains("batchSize must be positive"))
        #expect(message { _ = try model.predict(Tensor.zeros([0, 4]), verbose: 0) }.contains("no samples"))
        // An unbuilt Sequential checks the data against its layers' input specs.
        let unbuilt = Sequential([Dense(4), Dense(2)])
        #expect(message { _ = try unbuilt.predict(Tensor.zeros([3]), verbose: 0) }.contains("expected min_ndim=2"))
        #expect(!unbuilt.built)
        #expect(model.getWeights().flatMap(\.scalars) == before)
        // Integer labels against 3 outputs: elementwise losses and metrics are rejected up front.
        try model.compile(optimizer: "adam", loss: "mse")
        #expect(message { try model.fit(x, y, verbose: 0) }.contains("loss MeanSquaredError compares targets of shape (None,) with the model output of shape (None, 3)"))
        try model.compile(optimizer: "adam", loss: SparseCategoricalCrossentropy(fromLogits: true), metrics: ["mae", "categorical_accuracy"])
        #expect(message { try model.fit(x, y, verbose: 0) }.contains("metric mae"))
    }
}
