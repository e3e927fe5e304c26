import Keras
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
