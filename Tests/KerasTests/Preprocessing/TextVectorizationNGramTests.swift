import Foundation
import Keras
import KerasTestSupport
import Testing

/// TextVectorization with a list of n-gram widths against real Keras.
@Suite struct TextVectorizationNGramTests {
    typealias F = LookupFixture

    @Test(arguments: F.names("text_vectorization_ngrams"))
    func widthListsMatchKeras(_ name: String) throws {
        let kase = try F.named("text_vectorization_ngrams", name)
        let layer = try TextVectorization(config: F.config(kase))
        try layer.adapt(kase["corpus"] as! [String])
        #expect(layer.vocabulary() == kase["vocabulary"] as! [String], "\(name) vocabulary")
        let y = layer(kase["queries"] as! [String])
        assertClose(y.cast(to: .float64), F.tensor(F.numbers(kase["y"]), F.shape(kase["shape"]), .float64), rtol: 1e-6, atol: 1e-6, name)
        #expect(layer.getConfig()["ngrams"] == ConfigValue.from(any: kase["config_ngrams"]!))
        let copy = try #require(try deserializeLayer(serializeLayer(layer)) as? TextVectorization)
        #expect(copy.ngrams == layer.ngrams)
    }

    @Test func badWidthsThrow() {
        #expect(throws: KerasError.self) { try TextVectorization(config: ["ngrams": [2, 0]]) }
        #expect(throws: KerasError.self) { try TextVectorization(config: ["ngrams": []]) }
        #expect(throws: KerasError.self) { try TextVectorization(config: ["ngrams": "2"]) }
    }
}
