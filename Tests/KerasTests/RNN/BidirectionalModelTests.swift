import Foundation
import Keras
import KerasTestSupport
import Testing

/// Bidirectional inside whole models: rebuilt from config, saved and loaded, and against Keras's
/// Embedding → Bidirectional(LSTM) → LSTM functional model (`rnn_generate.py` → `rnn_layers.json`).
@Suite struct BidirectionalModelTests {
    static func sequential() -> Sequential {
        Sequential([InputLayer(shape: [4], dtype: .int32), Embedding(inputDim: 6, outputDim: 3, maskZero: true),
                    Bidirectional(LSTM(2, returnSequences: true)), Bidirectional(GRU(2), mergeMode: .sum), Dense(2)])
    }

    @Test func sequentialWithBidirectionalRebuildsFromItsConfig() throws {
        let model = Self.sequential()
        let ids = Tensor(shape: [2, 4], doubles: [3, 1, 0, 0, 2, 5, 4, 0], dtype: .int32)
        let copy = try deserializeLayer(serializeLayer(model)) as! Sequential
        try copy.setWeights(model.getWeights())
        assertClose(copy(ids), model(ids), rtol: 1e-6, atol: 1e-6)
    }

    @Test func sequentialWithBidirectionalSavesAndLoads() throws {
        let model = Self.sequential()
        let ids = Tensor(shape: [2, 4], doubles: [3, 1, 0, 0, 2, 5, 4, 0], dtype: .int32)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swift-keras-bidir-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("bidir.keras").path
        try model.save(to: path)
        let loaded = try loadModel(path)
        assertClose(loaded(ids), model(ids), rtol: 1e-6, atol: 1e-6)
    }

    @Test func functionalEmbeddingBidirectionalLSTMMatchesKeras() throws {
        let m = try #require((try loadFixture("rnn_layers.json") as? [String: Any])?["models"] as? [String: Any])
        let ids = tensorFromFixture(m["ids"]!).cast(to: .int32)
        let f = try #require(m["functional_bidirectional"] as? [String: Any])
        let inputs = Input(shape: [4], dtype: .int32)
        var h = Embedding(inputDim: 6, outputDim: 3, maskZero: true)(inputs)
        h = Bidirectional(LSTM(2, returnSequences: true))(h)
        let model = try Model(inputs: inputs, outputs: LSTM(2)(h))
        try model.setWeights((f["weights"] as! [Any]).map(tensorFromFixture))
        assertClose(model(ids), tensorFromFixture(f["y"]!), rtol: 1e-4, atol: 1e-5)
    }

    @Test func kerasSavedSequentialWithBidirectionalLoads() throws {
        let m = try #require((try loadFixture("rnn_layers.json") as? [String: Any])?["models"] as? [String: Any])
        let ids = tensorFromFixture(m["ids"]!).cast(to: .int32)
        let expected = tensorFromFixture((m["bidirectional_sequential"] as! [String: Any])["y"]!)
        let model = try loadModel(fixturesDirectory.appendingPathComponent("rnn_bidirectional_sequential.keras").path)
        assertClose(model(ids), expected, rtol: 1e-4, atol: 1e-5)
        let rebuilt = try deserializeLayer(serializeLayer(model)) as! Sequential
        try rebuilt.setWeights(model.getWeights())
        assertClose(rebuilt(ids), expected, rtol: 1e-4, atol: 1e-5)
    }

    /// A config that leaves `merge_mode` out gets Keras's default, `concat` (one output), while an
    /// explicit null keeps both outputs.
    @Test func absentMergeModeIsConcat() throws {
        let lstm: ConfigValue = ["class_name": "LSTM", "config": ["units": 3]]
        let layer = try #require(try makeLayer(className: "Bidirectional", config: ["layer": lstm]) as? Bidirectional)
        #expect(layer.mergeMode == .concat)
        let model = Sequential([InputLayer(shape: [5, 4]), layer, Dense(1)])
        #expect(model(Tensor.zeros([2, 5, 4])).shape == [2, 1])
        let both = try #require(try makeLayer(className: "Bidirectional", config: ["layer": lstm, "merge_mode": .null]) as? Bidirectional)
        #expect(both.mergeMode == nil)
    }
}
