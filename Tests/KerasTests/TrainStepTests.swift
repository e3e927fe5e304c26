import Keras
import KerasTestSupport
import Testing

/// Keras's "Customizing what happens in fit()": the step hooks a subclass overrides.
@Suite struct TrainStepTests {
    /// Keras's guide example: a custom train step with its own loss tracker and MAE metric.
    final class CustomModel: Model, @unchecked Sendable {
        let dense = Dense(1)
        let lossTracker = Mean(name: "loss")
        let maeMetric = Metrics.MeanAbsoluteError(name: "mae")
        var steps = 0
        override var metrics: [Metric] { [lossTracker, maeMetric] }
        override func call(_ x: Tensor, training: Bool) -> Tensor { dense(x, training: training) }
        override func trainStep(_ data: DataBatch) throws -> [String: Double] {
            steps += 1
            let (x, y) = (data.x, data.y!)
            var prediction = x
            let (loss, grads) = valueWithGradients(of: trainableVariables) {
                prediction = self(x, training: true)
                return ((prediction - y) * (prediction - y)).mean()
            }
            optimizer!.apply(grads, to: trainableVariables)
            lossTracker.updateState(loss)
            maeMetric.updateState(yTrue: y, yPred: prediction)
            return ["loss": lossTracker.resultValue, "mae": maeMetric.resultValue]
        }
    }

    func data() -> (Tensor, Tensor) {
        let x = Tensor.randomNormal([64, 3], seed: 1)
        return (x, x.matmul(Tensor([[1.0], [-2.0], [0.5]]).cast(to: .float32)) + 0.3)
    }

    @Test func aCustomTrainStepKeepsCallbacksAndHistory() throws {
        let model = CustomModel()
        try model.compile(optimizer: SGD(learningRate: 0.1))
        let (x, y) = data()
        let history = try model.fit(x, y, batchSize: 16, epochs: 5, verbose: 0)
        #expect(model.steps == 20)
        let losses = history.history["loss"]!
        #expect(losses.count == 5 && history.history["mae"]!.count == 5)
        #expect(losses.last! < losses.first! / 4)
        // The trackers are reset each epoch: the last epoch's mean is of its own 4 steps only.
        #expect(model.lossTracker.resultValue == losses.last!)
    }

    /// Overrides computeLoss: the default train and test steps use it.
    final class HalvedLoss: Model, @unchecked Sendable {
        let dense = Dense(1, kernelInitializer: Ones())
        override func call(_ x: Tensor, training: Bool) -> Tensor { dense(x, training: training) }
        override func computeLoss(x: [Tensor], y: [Tensor], yPred: [Tensor], sampleWeight: Tensor?, training: Bool) throws -> Tensor {
            try super.computeLoss(x: x, y: y, yPred: yPred, sampleWeight: sampleWeight, training: training) * 0.5
        }
    }

    @Test func computeLossIsUsedByTheDefaultSteps() throws {
        let model = HalvedLoss()
        try model.compile(optimizer: "sgd", loss: "mse")
        let x = Tensor([[1.0], [2.0]]).cast(to: .float32), y = Tensor([[0.0], [0.0]]).cast(to: .float32)
        // Prediction = x (kernel 1, bias 0): mse = (1 + 4) / 2 = 2.5, halved 1.25.
        let result = try model.evaluate(x, y, verbose: 0)
        #expect(Swift.abs(result.loss - 1.25) < 1e-6)
        let trained = try model.trainOnBatch(x, y)
        #expect(Swift.abs(trained.loss - 1.25) < 1e-6)
    }

    /// Overrides testStep and predictStep.
    final class Doubling: Model, @unchecked Sendable {
        let dense = Dense(2)
        var testSteps = 0
        override func call(_ x: Tensor, training: Bool) -> Tensor { dense(x, training: training) }
        override func predictStep(_ data: DataBatch) throws -> [Tensor] { [try super.predictStep(data)[0] * 2] }
        override func testStep(_ data: DataBatch) throws -> [String: Double] {
            testSteps += 1
            return ["custom": Double(testSteps)]
        }
    }

    @Test func testAndPredictStepsCanBeReplaced() throws {
        let model = Doubling()
        try model.compile(optimizer: "sgd", loss: "mse")
        let x = Tensor.ones([10, 3])
        let result = try model.evaluate(x, Tensor.zeros([10, 2]), batchSize: 4, verbose: 0)
        #expect(result.names == ["custom"] && result["custom"] == 3)
        let predicted = try model.predict(x, batchSize: 4, verbose: 0)
        assertClose(predicted, model(x) * 2)
        assertClose(try model.predictOnBatch(x)[0], model(x) * 2)
    }

    @Test func withoutAnyLossTheDefaultStepThrows() throws {
        let inputs = Input(shape: [2])
        let model = try Model(inputs: inputs, outputs: Dense(1)(inputs))
        try model.compile(optimizer: "sgd")
        #expect(throws: KerasError.self) { try model.fit(Tensor.ones([4, 2]), Tensor.ones([4, 1]), verbose: 0) }
    }
}
