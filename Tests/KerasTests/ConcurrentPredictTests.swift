@testable import Keras
import KerasTestSupport
import Testing

/// `predict` runs groups of batches one per core when every layer allows it.
@Suite struct ConcurrentPredictTests {
    final class StepRecorder: Callback, @unchecked Sendable {
        var events: [String] = []
        override func onPredictBatchBegin(_ batch: Int, logs: [String: Double]) throws { events.append("begin \(batch)") }
        override func onPredictBatchEnd(_ batch: Int, logs: [String: Double]) throws { events.append("end \(batch)") }
    }

    @Test func concurrentBatchesGiveTheSerialResultInOrder() throws {
        let model = Sequential([InputLayer(shape: [6]), Dense(16, activation: .relu, kernelInitializer: GlorotUniform(seed: 1)),
                                Dropout(0.5), Dense(3, kernelInitializer: GlorotUniform(seed: 2)), Softmax()])
        #expect(model.supportsConcurrentInference)
        let x = Tensor.randomNormal([23, 6], seed: 3)
        let recorder = StepRecorder()
        let predicted = try model.predict(x, batchSize: 4, verbose: 0, callbacks: [recorder])
        assertClose(predicted, model(x), rtol: 1e-6, atol: 1e-7)
        // Every step's begin comes before its end, and steps end in order.
        let ends = recorder.events.filter { $0.hasPrefix("end") }
        #expect(ends == (0..<6).map { "end \($0)" })
        for step in 0..<6 {
            #expect(recorder.events.firstIndex(of: "begin \(step)")! < recorder.events.firstIndex(of: "end \(step)")!)
        }
    }

    @Test func wideBatchesAreCutIntoSlicesThatGiveTheWholeBatchResult() throws {
        // 64 × 256 floats a sample (64 KiB): slices of 32 samples keep a layer's output near 1 MiB.
        let inputs = Input(shape: [64, 64])
        let hidden = Dense(256, activation: .relu, kernelInitializer: GlorotUniform(seed: 1))(inputs)
        let model = try Model(inputs: inputs, outputs: Dense(4, kernelInitializer: GlorotUniform(seed: 2))(hidden))
        #expect(model.inferenceSliceSize == 32)
        #expect(Sequential([InputLayer(shape: [6]), Dense(16)]).inferenceSliceSize > 256)
        // An LSTM's outputs are small, its gates are not: 28 steps × 4·64 floats a sample.
        let sequence = Input(shape: [28, 8])
        let recurrent = try Model(inputs: sequence, outputs: Dense(2)(LSTM(64)(sequence)))
        #expect(recurrent.inferenceSliceSize == 1 << 20 / (28 * 256 * 4))
        let sequences = Tensor.randomNormal([250, 28, 8], seed: 4)
        assertClose(try recurrent.predict(sequences, batchSize: 100, verbose: 0), recurrent(sequences), rtol: 1e-5, atol: 1e-6)
        // Over 1 MiB of weights: slices would read them again, so batches stay whole.
        let heavyInputs = Input(shape: [64, 64])
        let heavy = try Model(inputs: heavyInputs, outputs: Dense(4096)(heavyInputs))
        #expect(heavy.weights.count == 2 && heavy.inferenceSliceSize == Int.max)
        let x = Tensor.randomNormal([250, 64, 64], seed: 3)
        let recorder = StepRecorder()
        // Step 0 builds the model alone; steps 1 and 2 (100 and 50 samples) run as six slices.
        let predicted = try model.predict(x, batchSize: 100, verbose: 0, callbacks: [recorder])
        assertClose(predicted, model(x), rtol: 1e-5, atol: 1e-6)
        #expect(recorder.events == ["begin 0", "end 0", "begin 1", "begin 2", "end 1", "end 2"])
    }

    @Test func layersNotKnownToBeSafeRunOneBatchAtATime() throws {
        let lambda = Sequential([InputLayer(shape: [2]), Lambda { $0 * 2 }])
        #expect(!lambda.supportsConcurrentInference)
        let regularized = Sequential([InputLayer(shape: [2]), Dense(2, activityRegularizer: L2())])
        #expect(!regularized.supportsConcurrentInference)
        final class Custom: Layer, @unchecked Sendable {
            override func call(_ inputs: Tensor, training: Bool) -> Tensor { inputs }
        }
        let custom = Sequential([InputLayer(shape: [2]), Custom()])
        _ = custom(Tensor.ones([1, 2]))
        #expect(!custom.supportsConcurrentInference)
        assertClose(try lambda.predict(Tensor.ones([5, 2]), batchSize: 2, verbose: 0), Tensor.full([5, 2], 2))
    }
}
