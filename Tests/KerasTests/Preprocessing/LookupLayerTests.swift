import Foundation
import Keras
import KerasTestSupport
import Testing

/// StringLookup and IntegerLookup against real Keras: vocabularies after `adapt`, every output
/// mode, OOV buckets (floormod, FarmHash, SipHash with a salt), masks, inversion, config round trips.
@Suite struct LookupLayerTests {
    typealias F = LookupFixture

    @Test(arguments: F.names("string"))
    func stringLookupMatchesKeras(_ name: String) throws {
        let kase = try F.named("string", name)
        let layer = try StringLookup(config: F.config(kase))
        if let rows = kase["adapt"] as? [[String]] { try layer.adapt(rows) } else { try layer.adapt(kase["adapt"] as! [String]) }
        #expect(layer.vocabulary() == kase["vocabulary"] as! [String], "\(name) vocabulary")
        #expect(layer.vocabularySize == kase["vocabulary_size"] as! Int)
        let queries = kase["queries"] as! [[String]]
        let y = try layer(queries)
        let dtype: DType = layer.outputMode == .int ? .int64 : .float32
        assertClose(y, F.tensor(F.numbers(kase["y"]), F.shape(kase["shape"]), dtype), rtol: 1e-5, atol: 1e-6, name)
        let y1 = try layer(queries[0])
        assertClose(y1, F.tensor(F.numbers(kase["y1"]), F.shape(kase["shape1"]), dtype), rtol: 1e-5, atol: 1e-6, "\(name) rank 1")
        // Rebuilt from its config (the vocabulary and idf weights travel in it), same outputs.
        let copy = try #require(try deserializeLayer(serializeLayer(layer)) as? StringLookup)
        #expect(copy.vocabulary() == layer.vocabulary())
        assertClose(try copy(queries), y, rtol: 1e-6, atol: 1e-6, "\(name) copy")
    }

    @Test(arguments: F.names("string_given"))
    func givenVocabulariesAndInversionMatchKeras(_ name: String) throws {
        let kase = try F.named("string_given", name)
        let layer = try StringLookup(config: F.config(kase))
        #expect(layer.vocabulary() == kase["vocabulary"] as! [String], "\(name) vocabulary")
        if layer.invert {
            let ids = F.tensor(F.numbers(kase["queries"]), F.shape(kase["shape"]), .int64)
            #expect(try layer.invertedLookup(ids) == kase["y"] as! [String], "\(name)")
            #expect(throws: KerasError.self) { try layer(["a"]) }
        } else {
            let y = try layer(kase["queries"] as! [[String]])
            let dtype: DType = layer.outputMode == .int ? .int64 : .float32
            assertClose(y, F.tensor(F.numbers(kase["y"]), F.shape(kase["shape"]), dtype), rtol: 1e-5, atol: 1e-6, name)
            #expect(throws: KerasError.self) { try layer.adapt(["a"]) }   // a given vocabulary is fixed, as in Keras
        }
    }

    @Test(arguments: F.names("integer"))
    func integerLookupMatchesKeras(_ name: String) throws {
        let kase = try F.named("integer", name)
        let layer = try IntegerLookup(config: F.config(kase))
        if let corpus = kase["adapt"] as? [Int] {
            try layer.adapt(F.tensor(corpus.map(Double.init), [corpus.count], .int64))
        }
        #expect(layer.vocabulary() == kase["vocabulary"] as! [Int], "\(name) vocabulary")
        #expect(layer.vocabularySize == kase["vocabulary_size"] as! Int)
        let queries = F.tensor(F.numbers(kase["queries"]), [2, (kase["queries"] as! [[Any]])[0].count], .int32)
        let y = layer(queries)
        let dtype: DType = layer.outputMode == .int ? .int64 : .float32
        assertClose(y, F.tensor(F.numbers(kase["y"]), F.shape(kase["shape"]), dtype), rtol: 1e-5, atol: 1e-6, name)
        let copy = try #require(try deserializeLayer(serializeLayer(layer)) as? IntegerLookup)
        assertClose(copy(queries), y, rtol: 1e-6, atol: 1e-6, "\(name) copy")
    }

    @Test func integerLookupWorksInAModel() throws {
        let lookup = IntegerLookup(vocabulary: [12, 36, 1138], outputMode: .oneHot)
        let input = Input(shape: [2], dtype: .int64)
        let model = try Model(inputs: input, outputs: Dense(1)(lookup(input)))
        #expect(try model.outputShape == [nil, 2, 1])
        let strict = IntegerLookup(numOovIndices: 0, vocabulary: [1, 2])
        #expect(strict.validateInputData(Tensor([1, 5]).cast(to: .int64)) != nil)
        #expect(strict.validateInputData(Tensor([1, 2]).cast(to: .int64)) == nil)
        #expect(strict.validateInputData(Tensor([1.0, 2.0])) != nil)
    }

    @Test func unknownTokensWithoutOOVIndicesThrow() throws {
        let layer = StringLookup(numOovIndices: 0, vocabulary: ["a", "b"])
        #expect(try layer(["a", "b"]).cast(to: .float64).doubles == [0, 1])
        #expect(throws: KerasError.self) { try layer(["a", "zzz"]) }
        let notSet = StringLookup(outputMode: .multiHot)
        #expect(throws: KerasError.self) { try notSet(["a"]) }
    }

    @Test func badArgumentsThrow() {
        #expect(throws: KerasError.self) { try StringLookup(config: ["max_tokens": 1]) }
        #expect(throws: KerasError.self) { try StringLookup(config: ["num_oov_indices": -1]) }
        #expect(throws: KerasError.self) { try StringLookup(config: ["invert": true, "output_mode": "count"]) }
        #expect(throws: KerasError.self) { try StringLookup(config: ["output_mode": "bag"]) }
        #expect(throws: KerasError.self) { try StringLookup(config: ["pad_to_max_tokens": true]) }
        #expect(throws: KerasError.self) { try StringLookup(config: ["idf_weights": [1.0]]) }
        #expect(throws: KerasError.self) { try StringLookup(config: ["output_mode": "tf_idf", "vocabulary": ["a"]]) }
        #expect(throws: KerasError.self) { try StringLookup(config: ["vocabulary": ["a", "a"]]) }
        #expect(throws: KerasError.self) { try StringLookup(config: ["vocabulary": ["a", ""], "mask_token": ""]) }
        #expect(throws: KerasError.self) { try StringLookup(config: ["vocabulary": ["a", "b", "c"], "max_tokens": 3]) }
        #expect(throws: KerasError.self) { try StringLookup(config: ["salt": [1, 2, 3]]) }
        #expect(throws: KerasError.self) { try IntegerLookup(config: ["salt": 3]) }   // needs oov_method="farmhash"
        #expect(throws: KerasError.self) { try IntegerLookup(config: ["vocabulary": ["a"]]) }
        #expect(throws: KerasError.self) {
            try StringLookup(outputMode: .tfIdf).setVocabulary(["a"], idfWeights: [.nan])
        }
    }
}

/// Lookup and hashing layers inside a model survive a `.keras` round trip (adapted vocabulary included).
@Suite struct LookupSavingTests {
    @Test func modelWithLookupAndHashingRoundTripsThroughKerasFile() throws {
        let lookup = IntegerLookup(maskToken: 0, outputMode: .multiHot)
        try lookup.adapt(Tensor([3, 3, 8, 9, 0]).cast(to: .int64))
        let input = Input(shape: [3], dtype: .int64)
        let features = Concatenate()([lookup(input), Hashing(numBins: 3, salt: [1, 2], outputMode: .count)(input)])
        let model = try Model(inputs: input, outputs: Dense(2)(features))
        let x = Tensor([[3, 9, 0], [7, 8, 8]]).cast(to: .int64)
        let dir = try SavingTests.temporaryDirectory()
        try model.save(to: dir + "/lookup.keras")
        let loaded = try loadModel(dir + "/lookup.keras")
        assertClose(try loaded.predict(x), try model.predict(x), rtol: 1e-6, atol: 1e-6)
        let copy = try #require(loaded.layers.compactMap { $0 as? IntegerLookup }.first)
        #expect(copy.vocabulary() == lookup.vocabulary())
    }
}

/// Keras's own configs of lookup, hashing and text layers load and are written back unchanged.
@Suite struct LookupConfigTests {
    @Test func kerasConfigsRoundTrip() throws {
        let entries = try #require(try LookupFixture.root()["configs"] as? [Any])
        #expect(entries.count == 7)
        for any in entries {
            let entry = ConfigValue.from(any: any)
            let layer = try deserializeLayer(entry)
            #expect(layer.className == entry["class_name"]?.stringValue)
            expectConfig(.object(layer.getConfig()), entry["config"]!, layer.className)
        }
    }
}

/// A model saved by Keras, its adapted vocabularies in the archive's assets, loads and predicts as in Keras.
@Suite struct LookupKerasFileTests {
    @Test func kerasSavedVocabulariesLoadFromAssets() throws {
        let f = try #require(try LookupFixture.root()["saved_model"] as? [String: Any])
        let model = try loadModel(fixturesDirectory.appendingPathComponent(f["file"] as! String).path)
        let vocabularies = f["vocabularies"] as! [String: [Int]]
        for layer in model.layers.compactMap({ $0 as? IntegerLookup }) {
            #expect(layer.vocabulary() == vocabularies[layer.name], "\(layer.name)")
        }
        let x = LookupFixture.tensor(LookupFixture.numbers(f["x"]), [3, 3], .int64)
        assertClose(try model.predict(x), LookupFixture.tensor(LookupFixture.numbers(f["y"]), [3, 2]), rtol: 1e-5, atol: 1e-6)
    }
}
