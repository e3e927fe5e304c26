import Foundation
import Keras
import KerasTestSupport
import Testing

/// `.keras` files Keras saved with lookup layers in `tf_idf` mode: the idf weights come from the
/// weights file (`vars/idf_weights`), the adapted vocabularies from the assets, and the loaded
/// layers give Keras's outputs (`lookup_tf_idf_generate.py`).
@Suite struct LookupTfIdfFileTests {
    typealias F = LookupFixture

    static func fixture(_ key: String) throws -> [String: Any] {
        try #require((try loadFixture("lookup_tf_idf.json") as? [String: Any])?[key] as? [String: Any])
    }

    static func load(_ f: [String: Any]) throws -> Model {
        try loadModel(fixturesDirectory.appendingPathComponent(f["file"] as! String).path)
    }

    @Test func integerLookupsPredictAsKeras() throws {
        let f = try Self.fixture("ids")
        let model = try Self.load(f)
        #expect(model.layers.compactMap { $0 as? IntegerLookup }.map(\.name).sorted() == ["adapted", "given", "padded"])
        let x = F.tensor(F.numbers(f["x"]), [3, 4], .int64)
        assertClose(try model.predict(x), F.tensor(F.numbers(f["y"]), F.shape(f["shape"])), rtol: 1e-6, atol: 1e-6)
    }

    @Test func stringLookupLoadsAsKeras() throws {
        let f = try Self.fixture("words")
        let layer = try #require(try Self.load(f).layers.first as? StringLookup)
        #expect(layer.vocabulary() == f["vocabulary"] as! [String])
        let y = try layer(f["queries"] as! [[String]])
        assertClose(y, F.tensor(F.numbers(f["y"]), F.shape(f["shape"])), rtol: 1e-6, atol: 1e-6)
    }

    @Test func textVectorizationLoadsAsKeras() throws {
        let f = try Self.fixture("text")
        let layer = try #require(try Self.load(f).layers.first as? TextVectorization)
        #expect(layer.vocabulary() == f["vocabulary"] as! [String])
        let y = layer(f["queries"] as! [String])
        assertClose(y, F.tensor(F.numbers(f["y"]), F.shape(f["shape"])), rtol: 1e-6, atol: 1e-6)
    }

    /// A Swift-saved tf_idf layer stores its idf weights where Keras looks for them, and loads back.
    @Test func swiftSavedTfIdfRoundTrips() throws {
        let f = try Self.fixture("ids")
        let model = try Self.load(f)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tfidf-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try model.save(to: dir + "/ids.keras")
        let x = F.tensor(F.numbers(f["x"]), [3, 4], .int64)
        assertClose(try loadModel(dir + "/ids.keras").predict(x), try model.predict(x), rtol: 0, atol: 0)
    }
}
