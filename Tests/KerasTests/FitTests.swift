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
