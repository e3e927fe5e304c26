import Foundation
import Keras
import KerasTestSupport
import Testing

/// `Bidirectional` around `ConvLSTM2D` against Keras 3.15.1 (JAX):
/// `Tests/Fixtures/bidirectional_conv_lstm_generate.py` writes `bidirectional_conv_lstm.json`
/// and `bidirectional_conv_lstm.keras`.
@Suite struct BidirectionalConvLSTMTests {
    nonisolated(unsafe) static let fixture = try! loadFixture("bidirectional_conv_lstm.json") as! [String: Any]
    static let cases = (fixture["cases"] as! [[String: Any]]).map(KerasLayerCase.init)

    /// Config round trip, outputs (sequences, last step, states) and the gradients with respect
    /// to the input and both directions' weights, for merge modes concat, sum and ave.
    @Test(arguments: cases.map(\.name))
    func wrapperMatchesKeras(_ name: String) throws {
        let kase = try #require(Self.cases.first { $0.name == name })
        try kase.check()
        let layer = try #require(try makeLayer(className: kase.className, config: kase.config) as? Bidirectional)
        _ = layer.apply(kase.inputs)
        let raw = (Self.fixture["cases"] as! [[String: Any]]).first { $0["name"] as? String == name }!
        let paths = raw["weight_names"] as! [String]
        #expect(layer.weights.map(\.name) == paths.map { String($0.split(separator: "/").last!) }, "\(name) weight names")
    }

    @Test func kerasSavedModelLoadsPredictsAndSavesAgain() throws {
        let saved = Self.fixture["saved"] as! [String: Any]
        let x = tensorFromFixture(saved["x"]!), expected = tensorFromFixture(saved["y"]!)
        let model = try loadModel(fixturesDirectory.appendingPathComponent("bidirectional_conv_lstm.keras").path)
        #expect(model.layers.map(\.className) == ["Bidirectional", "Flatten", "Dense"])
        assertClose(try model.predict(x, verbose: 0), expected, rtol: 1e-4, atol: 1e-5)
        let path = try makeTemporaryDirectory("bidirectional-conv-lstm") + "/model.keras"
        try model.save(to: path)
        assertClose(try loadModel(path).predict(x, verbose: 0), expected, rtol: 1e-4, atol: 1e-5)
    }
}
