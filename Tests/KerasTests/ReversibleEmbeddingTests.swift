import Foundation
@testable import Keras
import KerasTestSupport
import Testing

/// `ReversibleEmbedding` against real Keras (Tests/Fixtures/reversible_embedding_generate.py):
/// weights, forward and reverse outputs, gradients of the reverse projection and configs.
@Suite struct ReversibleEmbeddingTests {
    let cases = (try! loadFixture("reversible_embedding.json") as! [String: Any])["cases"] as! [[String: Any]]

    /// A layer built from the case's Keras config, holding the case's weights.
    func layer(_ c: [String: Any]) throws -> ReversibleEmbedding {
        let config = try #require(ConfigValue.from(any: c["config"]!).objectValue)
        let layer = try ReversibleEmbedding(config: config)
        try layer.build([nil, 3])
        try layer.setWeights((c["weights"] as! [Any]).map(tensorFromFixture))
        return layer
    }

    @Test func weightsMatchKeras() throws {
        for c in cases {
            let layer = try layer(c)
            #expect(layer.weights.map(\.name) == c["weight_names"] as! [String])
            #expect(layer.weights.map(\.shape) == c["weight_shapes"] as! [[Int]])
            #expect(layer.trainableWeights.map(\.name) == c["trainable_names"] as! [String])
        }
    }

    @Test func forwardAndReverseMatchKeras() throws {
        for c in cases {
            let layer = try layer(c)
            let ids = tensorFromFixture(c["ids"]!)
            assertClose(layer(ids), tensorFromFixture(c["forward"]!), rtol: 1e-5)
            assertClose(layer.reverse(tensorFromFixture(c["x"]!)), tensorFromFixture(c["reverse"]!), rtol: 1e-5, atol: 1e-5)
            #expect(layer.computeOutputShape([nil, 3]) == (c["forward_output_shape"] as! [Any]).map { $0 as? Int })
            #expect(layer.computeReverseOutputShape([nil, 3, layer.outputDim]) == (c["reverse_output_shape"] as! [Any]).map { $0 as? Int })
            let mask = layer.computeMask(ids, mask: nil)
            #expect((mask != nil) == layer.maskZero)
        }
    }

    @Test func reverseGradientsMatchKeras() throws {
        for c in cases {
            let layer = try layer(c)
            let x = tensorFromFixture(c["x"]!), probe = tensorFromFixture(c["probe"]!)
            let grads = gradients(of: layer.trainableWeights) { (layer.reverse(x) * probe).sum() }
            let expected = (c["grads"] as! [Any]).map(tensorFromFixture)
            #expect(grads.count == expected.count)
            for (g, e) in zip(grads, expected) { assertClose(g, e, rtol: 1e-4, atol: 1e-5) }
        }
    }

    @Test func configRoundTripsKeras() throws {
        for c in cases {
            let kerasConfig = try #require(ConfigValue.from(any: c["config"]!).objectValue)
            let layer = try ReversibleEmbedding(config: kerasConfig)
            expectConfig(.object(layer.getConfig()), .object(kerasConfig), "\(layer.name)")
            let again = try ReversibleEmbedding(config: layer.getConfig())
            #expect(again.getConfig() == layer.getConfig())
            let fromRegistry = try deserializeLayer(.object(["class_name": "ReversibleEmbedding", "config": .object(kerasConfig)]))
            #expect(fromRegistry is ReversibleEmbedding)
        }
    }

    @Test func rejectsBadConfigs() throws {
        let good: Config = ["input_dim": 10, "output_dim": 4]
        func rejected(_ key: String, _ value: ConfigValue) -> Bool {
            var config = good
            config[key] = value
            do { _ = try ReversibleEmbedding(config: config); return false } catch let KerasError.invalidConfig(message) {
                return message.contains("ReversibleEmbedding") && message.contains(key)
            } catch { return false }
        }
        #expect(rejected("input_dim", 0))
        #expect(rejected("output_dim", -3))
        #expect(rejected("input_dim", "ten"))
        #expect(rejected("logit_soft_cap", -1.0))
        #expect(rejected("logit_soft_cap", 0))
        #expect(rejected("logit_soft_cap", .double(.nan)))
        #expect(rejected("logit_soft_cap", "big"))
        #expect(rejected("tie_weights", "yes"))
        #expect(rejected("mask_zero", 3))
        #expect(rejected("reverse_dtype", "float99"))
        #expect(rejected("reverse_dtype", "int32"))
        #expect(rejected("reverse_dtype", 5))
        #expect(try ReversibleEmbedding(config: good).tieWeights)
    }

    @Test func reverseBuildsAndChecksItsInput() throws {
        let head = ReversibleEmbedding(inputDim: 6, outputDim: 3, tieWeights: false, logitSoftCap: 0.5)
        let logits = head.reverse(Tensor.ones([2, 3]))
        #expect(logits.shape == [2, 6])
        #expect(logits.doubles.allSatisfy { $0 <= 0.5 })
        #expect(head.weights.map(\.name) == ["embeddings", "reverse_embeddings"])
    }

    @Test func outOfRangeIdsAreInvalidData() throws {
        let layer = ReversibleEmbedding(inputDim: 4, outputDim: 2)
        guard case .invalidData(let message)? = layer.validateInputData(Tensor([[1, 4]])) else {
            Issue.record("expected invalidData"); return
        }
        #expect(message.contains("ReversibleEmbedding"))
    }
}
