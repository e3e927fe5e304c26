import Foundation
import Keras
import KerasTestSupport
import Testing

/// CategoryEncoding against real Keras (`Tests/Fixtures/preprocessing_text_generate.py`).
@Suite struct CategoryEncodingTests {
    static func root() throws -> [String: Any] { try loadFixture("preprocessing_text.json") as! [String: Any] }

    @Test func everyModeMatchesKeras() throws {
        for entry in try Self.root()["cases"] as! [[String: Any]] {
            let config = ConfigValue.from(any: entry["config"]!).objectValue!
            let layer = try CategoryEncoding(config: config)
            expectConfig(.object(layer.getConfig()), .object(config), "config")
            let ids = tensorFromFixture(entry["ids"]!).cast(to: .int32)
            let expected = tensorFromFixture(entry["output"]!)
            let label = "\(entry["mode"]!) \(entry["input"]!)"
            assertClose(layer(ids), expected, "\(label)")
            #expect(layer.computeOutputShape(ids.shape.map { Optional($0) }) == expected.shape.map { Optional($0) }, "\(label) shape")
            assertClose(layer(ids.cast(to: .int64)), expected, "\(label) int64")
        }
        let w = try Self.root()["count_weights"] as! [String: Any]
        let counted = CategoryEncoding(numTokens: 5, outputMode: .count)(tensorFromFixture(w["ids"]!).cast(to: .int32),
                                                                          countWeights: tensorFromFixture(w["weights"]!))
        assertClose(counted, tensorFromFixture(w["output"]!))
    }

    @Test func badConfigsThrow() throws {
        #expect(throws: KerasError.self) { try CategoryEncoding(config: ["output_mode": "count"]) }
        #expect(throws: KerasError.self) { try CategoryEncoding(config: ["num_tokens": 0]) }
        #expect(throws: KerasError.self) { try CategoryEncoding(config: ["num_tokens": 3, "output_mode": "tf_idf"]) }
        #expect(throws: KerasError.self) { try CategoryEncoding(config: ["num_tokens": 3, "sparse": true]) }
        #expect(try CategoryEncoding(config: ["num_tokens": 3, "output_mode": "binary"]).outputMode == .multiHot)
        #expect(CategoryEncoding(numTokens: 3, outputMode: .count).applySymbolic([Input(shape: [2, 2], dtype: .int32)])[0].error != nil)
    }
}
