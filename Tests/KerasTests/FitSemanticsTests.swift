import Foundation
import Keras
import KerasTestSupport
import Testing

/// `fit`/`evaluate` against real Keras runs from fixed weights (Tests/Fixtures/fit_generate.py):
/// logged values, regularization in the loss, sample and class weights, validation split, and
/// multi-output loss weights all behave as Keras's.
@Suite struct FitSemanticsTests {
    let fixture = try! loadFixture("fit_semantics.json") as! [String: Any]
    var x: Tensor { tensorFromFixture(fixture["x"]!) }
    var labels: Tensor { tensorFromFixture(fixture["labels"]!) }
    func testCase(_ name: String) -> [String: Any] { (fixture["cases"] as! [String: Any])[name] as! [String: Any] }

    func classifier(_ c: [String: Any]) throws -> Sequential {
        let model = Sequential([InputLayer(shape: [4]), Dense(5, activation: .tanh, kernelRegularizer: L2(l2: 0.01)), Dense(3)])
        try model.setWeights((c["initial"] as! [Any]).map(tensorFromFixture))
        return model
    }

    func expectHistory(_ history: History, _ c: [String: Any], sourceLocation: SourceLocation = #_sourceLocation) {
        let expected = c["history"] as! [String: [Double]]
        #expect(history.keys == expected.keys.sorted(), sourceLocation: sourceLocation)
        for (key, values) in expected {
            assertClose(history.history[key] ?? [], values, rtol: 1e-4, atol: 1e-6, key, sourceLocation: sourceLocation)
        }
    }

    func expectWeights(_ model: Model, _ c: [String: Any], sourceLocation: SourceLocation = #_sourceLocation) {
        for (w, e) in zip(model.getWeights(), (c["final"] as! [Any]).map(tensorFromFixture)) {
            assertClose(w, e, rtol: 1e-4, atol: 1e-5, sourceLocation: sourceLocation)
        }
    }

    @Test func regularizedWithValidationSplit() throws {
        let c = testCase("regularized_validation_split")
        let model = try classifier(c)
        try model.compile(optimizer: SGD(learningRate: 0.1), loss: SparseCategoricalCrossentropy(fromLogits: true),
                          metrics: ["accuracy"])
        let history = try model.fit(x, labels, batchSize: 4, epochs: 3, verbose: 0, validationSplit: 0.2, shuffle: false)
        expectHistory(history, c)
        expectWeights(model, c)
    }

    @Test(arguments: ["sample_weights", "class_weights"])
    func weightedSamples(name: String) throws {
        let c = testCase(name)
        let model = try classifier(c)
        try model.compile(optimizer: Adam(learningRate: 0.05), loss: SparseCategoricalCrossentropy(fromLogits: true),
                          metrics: ["accuracy"])
        let history = name == "sample_weights"
            ? try model.fit(x, labels, batchSize: 3, epochs: 2, verbose: 0, shuffle: false,
                            sampleWeight: tensorFromFixture(fixture["sample_weight"]!))
            : try model.fit(x, labels, batchSize: 3, epochs: 2, verbose: 0, shuffle: false, classWeight: [0: 1, 1: 2, 2: 0.5])
        expectHistory(history, c)
        expectWeights(model, c)
        let evaluated = try model.evaluate(x, labels, batchSize: 4, verbose: 0).dictionary
        for (key, value) in c["evaluate"] as! [String: Double] {
            #expect(Swift.abs(evaluated[key]! - value) <= 1e-4 * Swift.abs(value) + 1e-6, "\(key)")
        }
    }

    @Test func weightedMetricsSeeSampleWeights() throws {
        let c = testCase("weighted_metrics")
        let model = try classifier(c)
        try model.compile(optimizer: Adam(learningRate: 0.05), loss: SparseCategoricalCrossentropy(fromLogits: true),
                          weightedMetrics: ["accuracy"])
        let history = try model.fit(x, labels, batchSize: 3, epochs: 2, verbose: 0, shuffle: false,
                                    sampleWeight: tensorFromFixture(fixture["sample_weight"]!))
        expectHistory(history, c)
        #expect(model.compileConfig?["weighted_metrics"] == ["accuracy"])
    }

    @Test func multiOutputLossWeights() throws {
        let c = testCase("multi_output")
        let inputs = Input(shape: [4], name: "features")
        let hidden = Dense(6, activation: .relu, name: "hidden")(inputs)
        let model = try Model(inputs: inputs, outputs: [Dense(2, name: "regression")(hidden), Dense(3, name: "classes")(hidden)])
        try model.setWeights((c["initial"] as! [Any]).map(tensorFromFixture))
        try model.compile(optimizer: RMSprop(learningRate: 0.01),
                          loss: ["regression": "mse", "classes": SparseCategoricalCrossentropy(fromLogits: true)],
                          outputMetrics: ["classes": ["accuracy"]], lossWeights: ["regression": 0.5, "classes": 2])
        let y = ["regression": tensorFromFixture(fixture["targets"]!), "classes": labels]
        let history = try model.fit(x, y, batchSize: 5, epochs: 2, verbose: 0, shuffle: false)
        expectHistory(history, c)
        expectWeights(model, c)
        let evaluated = try model.evaluate(x, y, verbose: 0).dictionary
        for (key, value) in c["evaluate"] as! [String: Double] {
            #expect(Swift.abs(evaluated[key]! - value) <= 1e-4 * Swift.abs(value) + 1e-6, "\(key)")
        }
    }

    @Test func classAndSampleWeightsTogetherAreRejectedAsInKeras() throws {
        let model = try classifier(testCase("class_weights"))
        try model.compile(optimizer: "sgd", loss: SparseCategoricalCrossentropy(fromLogits: true))
        #expect(throws: KerasError.self) {
            try model.fit(x, labels, verbose: 0, classWeight: [0: 1, 1: 1, 2: 1], sampleWeight: Tensor.ones([10]))
        }
    }
}
