import Foundation
import Keras
import KerasTestSupport
import Testing

/// TextVectorization against real Keras after `adapt`
/// (`Tests/Fixtures/preprocessing_text_vectorization_generate.py` → `text_vectorization.json`).
@Suite struct TextVectorizationTests {
    static func root() throws -> [String: Any] { try loadFixture("text_vectorization.json") as! [String: Any] }
    static let names: [String] = ((try? root())?["cases"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []

    @Test(arguments: names)
    func adaptedOutputsMatchKeras(_ name: String) throws {
        let root = try Self.root()
        let kase = try #require((root["cases"] as! [[String: Any]]).first { $0["name"] as? String == name })
        let config = try #require(ConfigValue.from(any: kase["kwargs"]!).objectValue)
        let layer = try TextVectorization(config: config)
        try layer.adapt(root["corpus"] as! [String])
        #expect(layer.vocabulary() == kase["vocabulary"] as! [String], "\(name) vocabulary")
        let y = layer(kase["queries"] as! [String])
        #expect(y.shape == (kase["shape"] as! [Int]), "\(name) shape")
        let expected = (kase["y"] as! [Any]).map { ($0 as! NSNumber).doubleValue }
        assertClose(y.cast(to: .float64), Tensor(shape: y.shape, doubles: expected, dtype: .float64), rtol: 1e-5, atol: 1e-6, name)
        // The layer rebuilt from its config (vocabulary and idf weights included) gives the same output.
        let copy = try #require(try deserializeLayer(serializeLayer(layer)) as? TextVectorization)
        #expect(copy.vocabulary() == layer.vocabulary())
        assertClose(copy(kase["queries"] as! [String]).cast(to: .float64), y.cast(to: .float64), rtol: 1e-6, atol: 1e-6, name)
    }

    @Test func setVocabularyTakesTokensWithOrWithoutTheSpecialOnes() throws {
        let layer = TextVectorization(outputSequenceLength: 3)
        try layer.setVocabulary(["cat", "dog"])
        #expect(layer.vocabulary() == ["", "[UNK]", "cat", "dog"])
        #expect(layer(["Dog, cat! bird"]).cast(to: .float64).doubles == [3, 2, 1])
        try layer.setVocabulary(["", "[UNK]", "bird"])
        #expect(layer.vocabulary() == ["", "[UNK]", "bird"])
        #expect(throws: KerasError.self) { try layer.setVocabulary(["a", "a"]) }
        let tfIdf = TextVectorization(outputMode: .tfIdf)
        #expect(throws: KerasError.self) { try tfIdf.setVocabulary(["a"]) }
        try tfIdf.setVocabulary(["a", "b"], idfWeights: [1, 3])
        #expect(tfIdf(["a b b"]).cast(to: .float64).doubles == [0, 1, 6])
    }

    @Test func badArgumentsThrow() {
        #expect(throws: KerasError.self) { try TextVectorization(config: ["max_tokens": 1]) }
        #expect(throws: KerasError.self) { try TextVectorization(config: ["output_mode": "count", "output_sequence_length": 3]) }
        #expect(throws: KerasError.self) { try TextVectorization(config: ["output_mode": "bag"]) }
        #expect(throws: KerasError.self) { try TextVectorization(config: ["pad_to_max_tokens": true]) }
        #expect(throws: KerasError.self) { try TextVectorization(config: ["ngrams": 0]) }
    }
}
