import Foundation
import Keras
import KerasTestSupport
import Testing

/// Recurrent layers against real Keras (`Tests/Fixtures/rnn_generate.py` → `rnn_layers.json`).
@Suite struct RecurrentFixtureTests {
    static let cases: [KerasLayerCase] = (try? KerasLayerCase.load("rnn_layers.json")) ?? []
    static func root() throws -> [String: Any] { try loadFixture("rnn_layers.json") as! [String: Any] }

    @Test(arguments: cases.map(\.name))
    func layerMatchesKeras(_ name: String) throws {
        let kase = try #require(Self.cases.first { $0.name == name })
        try kase.check()
    }

    @Test func statefulLSTMCarriesStatesAcrossBatches() throws {
        let s = try Self.root()["stateful"] as! [String: Any]
        let layer = try LSTM(config: ConfigValue.from(any: s["config"]!).objectValue!)
        let x1 = tensorFromFixture(s["x1"]!), x2 = tensorFromFixture(s["x2"]!)
        _ = layer(x1)
        try layer.setWeights((s["weights"] as! [Any]).map(tensorFromFixture))
        try layer.resetStates()
        assertClose(layer(x1), tensorFromFixture(s["y1"]!), rtol: 1e-4, atol: 1e-5)
        assertClose(layer(x2), tensorFromFixture(s["y2"]!), rtol: 1e-4, atol: 1e-5)
        try layer.resetStates()
        assertClose(layer(x2), tensorFromFixture(s["y2_after_reset"]!), rtol: 1e-4, atol: 1e-5)
    }

    @Test func masksFlowThroughSequentialModels() throws {
        let m = try Self.root()["models"] as! [String: Any]
        let ids = tensorFromFixture(m["ids"]!).cast(to: .int32)
        let e = m["embedding_lstm_gru"] as! [String: Any]
        let model = Sequential([InputLayer(shape: [4], dtype: .int32), Embedding(inputDim: 6, outputDim: 3, maskZero: true),
                                LSTM(3, returnSequences: true), GRU(2)])
        try model.setWeights((e["weights"] as! [Any]).map(tensorFromFixture))
        assertClose(model(ids), tensorFromFixture(e["y"]!), rtol: 1e-4, atol: 1e-5)

        let k = m["masking_simple_rnn"] as! [String: Any]
        let masked = Sequential([InputLayer(shape: [4, 3]), Masking(maskValue: 0), SimpleRNN(3)])
        try masked.setWeights((k["weights"] as! [Any]).map(tensorFromFixture))
        assertClose(masked(tensorFromFixture(k["x"]!)), tensorFromFixture(k["y"]!), rtol: 1e-4, atol: 1e-5)
    }

    @Test func embeddingAndMaskingConfigsAreKeras() throws {
        let m = try Self.root()["models"] as! [String: Any]
        let embedding = ConfigValue.from(any: m["embedding_config"]!)
        expectConfig(.object(Embedding(inputDim: 6, outputDim: 3, maskZero: true, name: "embedding").getConfig()), embedding, "Embedding")
        let masking = ConfigValue.from(any: m["masking_config"]!)
        expectConfig(.object(Masking(maskValue: -1, name: "masking").getConfig()), masking, "Masking")
    }

    @Test func smallLSTMTrainsLikeKeras() throws {
        let tr = try Self.root()["training"] as! [String: Any]
        let model = Sequential([InputLayer(shape: [5, 3]), LSTM(4), Dense(3)])
        try model.setWeights((tr["initial_weights"] as! [Any]).map(tensorFromFixture))
        try model.compile(optimizer: SGD(learningRate: 0.1), loss: SparseCategoricalCrossentropy(fromLogits: true))
        let x = tensorFromFixture(tr["x"]!), y = tensorFromFixture(tr["y"]!).cast(to: .int32)
        let expected = (tr["losses"] as! [Any]).map { ($0 as! NSNumber).doubleValue }
        var losses: [Double] = []
        for _ in expected { losses.append(try model.trainOnBatch(x, y)["loss"]!) }
        assertClose(losses, expected, rtol: 1e-4, atol: 1e-5, "losses")
        for (w, e) in zip(model.getWeights(), (tr["final_weights"] as! [Any]).map(tensorFromFixture)) {
            assertClose(w, e, rtol: 1e-4, atol: 1e-5, "trained weights")
        }
    }
}
