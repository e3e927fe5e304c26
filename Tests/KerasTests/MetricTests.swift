import Foundation
import Keras
import KerasTestSupport
import Testing

/// Metrics against real Keras: 3 update calls (with and without sample weights), the result after
/// each, and after reset.
@Suite struct MetricTests {
    var fixture: [String: Any] { try! loadFixture("training_metrics.json") as! [String: Any] }

    @Test func updatesAndResultsMatchKeras() throws {
        for case let c as [String: Any] in fixture["cases"] as! [Any] {
            let className = c["class_name"] as! String
            let label = "\(className) \(c["kwargs"]!) weighted=\(c["weighted"]!)"
            var config = ConfigValue.from(any: c["kwargs"]!).objectValue!
            config["name"] = .string(c["name"] as! String)
            let metric = try deserializeMetric(.object(["class_name": .string(className), "config": .object(config)]))
            #expect(metric.className == className, "\(label)")
            for case let call as [String: Any] in c["calls"] as! [Any] {
                let yPred = tensorFromFixture(call["y_pred"]!)
                let sw = (call["sample_weight"] as? [String: Any]).map(tensorFromFixture)
                if let mean = metric as? Mean, className == "Mean" {
                    mean.updateState(yPred, sampleWeight: sw)
                } else if let sum = metric as? Sum {
                    sum.updateState(yPred, sampleWeight: sw)
                } else {
                    metric.updateState(yTrue: tensorFromFixture(call["y_true"]!), yPred: yPred, sampleWeight: sw)
                }
                assertClose(metric.result(), tensorFromFixture(call["result"]!), rtol: 1e-5, atol: 1e-6, label)
            }
            metric.resetState()
            assertClose(metric.result(), tensorFromFixture(c["after_reset"]!), rtol: 1e-5, atol: 1e-6, "\(label) after reset")
            let expectedConfig = ConfigValue.from(any: c["config"]!).objectValue!
            let got = metric.getConfig()
            for (key, value) in expectedConfig {
                let same = got[key] == value || (got[key]?.doubleValue != nil && got[key]?.doubleValue == value.doubleValue)
                    || (got[key]?.arrayValue?.map(\.doubleValue) == value.arrayValue?.map(\.doubleValue) && value.arrayValue != nil)
                #expect(same, "\(label) config \(key): \(String(describing: got[key])) vs \(value)")
            }
        }
    }

    @Test func accuracyResolutionFollowsKeras() throws {
        #expect(try metricNamed("accuracy", yTrueShape: [32], yPredShape: [32, 10]) is SparseCategoricalAccuracy)
        #expect(try metricNamed("accuracy", yTrueShape: [32, 1], yPredShape: [32, 10]) is SparseCategoricalAccuracy)
        #expect(try metricNamed("acc", yTrueShape: [32, 10], yPredShape: [32, 10]) is CategoricalAccuracy)
        #expect(try metricNamed("accuracy", yTrueShape: [32, 1], yPredShape: [32, 1]) is BinaryAccuracy)
        #expect(try metricNamed("accuracy", yTrueShape: [32], yPredShape: [32, 1]) is BinaryAccuracy)
        #expect(try metricNamed("crossentropy", yTrueShape: [32], yPredShape: [32, 10]) is Metrics.SparseCategoricalCrossentropy)
        #expect(try metricNamed("acc", yTrueShape: [32], yPredShape: [32, 10]).name == "acc")
        #expect(try metricNamed("mae") is Metrics.MeanAbsoluteError)
        #expect(try metricNamed("mae").name == "mae")
        #expect(try metricNamed("mse") is Metrics.MeanSquaredError)
        #expect(throws: KerasError.self) { try metricNamed("acuracy") }
    }

    @Test func updatesInsideARecordingLeaveGradientsAlone() {
        let w = Variable(Tensor([[0.2, 0.8]]))
        let metric = Metrics.MeanSquaredError()
        let (_, grads) = valueWithGradients(of: [w]) {
            metric.updateState(yTrue: Tensor([[0.0, 1.0]]), yPred: w.value)
            return (w.value * 2).sum()
        }
        assertClose(grads[0].doubles, [2, 2])
        assertClose(metric.resultValue, 0.04, rtol: 1e-5)
    }

    @Test func keras3SpellingWithDefaultSampleWeight() {
        let accuracy = SparseCategoricalAccuracy()
        accuracy.updateState(yTrue: Tensor([1, 0]), yPred: Tensor([[0.2, 0.8], [0.3, 0.7]]))
        assertClose(accuracy.resultValue, 0.5, rtol: 1e-6)
        accuracy.updateState(yTrue: Tensor([1, 0]), yPred: Tensor([[0.2, 0.8], [0.3, 0.7]]), sampleWeight: Tensor([0.0, 1.0]))
        assertClose(accuracy.resultValue, 1.0 / 3, rtol: 1e-6)
        accuracy.resetState()
        #expect(accuracy.resultValue == 0)
        let mean = Mean()
        mean.updateState(Tensor([1.0, 3.0]))
        assertClose(mean.resultValue, 2, rtol: 1e-6)
    }

    @Test func customMetricRunsInFitAndEvaluate() throws {
        let metric = CountNegatives()
        metric.updateState(yTrue: Tensor([0.0, 0.0]), yPred: Tensor([-1.0, 2.0]))
        #expect(metric.resultValue == 1)
        metric.resetState()
        #expect(metric.resultValue == 0)

        let model = Sequential([Dense(1, kernelInitializer: Zeros(), biasInitializer: Zeros())])
        try model.compile(optimizer: SGD(learningRate: 0.1), loss: "mse", metrics: [metric])
        let x = Tensor([[1.0], [2.0], [3.0], [4.0]]), y = Tensor([[-1.0], [-1.0], [-1.0], [-1.0]])
        let history = try model.fit(x, y, batchSize: 4, epochs: 2, verbose: 0)
        // Epoch 1 predicts zeros (not negative); after one step every prediction is negative.
        #expect(history.history["count_negatives"] == [0, 4])
        let result = try model.evaluate(x, y, verbose: 0)
        #expect(result["count_negatives"] == 4)
    }
}

/// The custom metric of `Metric`'s documentation: how many predictions are negative.
private final class CountNegatives: Metric, @unchecked Sendable {
    private var count = 0.0
    init() { super.init(name: "count_negatives") }
    override func updateState(yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor? = nil) {
        count += yPred.less(0).cast(to: .float32).sum().item(as: Double.self)
    }
    override func result() -> Tensor { Tensor(Float(count)) }
    override func resetState() { count = 0 }
}

private func assertClose(_ a: Double, _ b: Double, rtol: Double, sourceLocation: SourceLocation = #_sourceLocation) {
    assertClose([a], [b], rtol: rtol, sourceLocation: sourceLocation)
}
