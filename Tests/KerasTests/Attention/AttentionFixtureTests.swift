import Foundation
import Keras
import KerasTestSupport
import Testing

/// Attention layers and LayerNormalization against real Keras
/// (`Tests/Fixtures/attention_generate.py` → `attention_layers.json`).
@Suite struct AttentionFixtureTests {
    static func root() throws -> [String: Any] { try loadFixture("attention_layers.json") as! [String: Any] }
    static let names: [String] = ((try? root()["cases"] as? [[String: Any]]) ?? []).map { $0["name"] as! String }

    @Test(arguments: names)
    func layerMatchesKeras(_ name: String) throws {
        let entry = try #require((try Self.root()["cases"] as! [[String: Any]]).first { $0["name"] as! String == name })
        let className = entry["class_name"] as! String
        let config = ConfigValue.from(any: entry["config"]!).objectValue!
        func list(_ key: String) -> [Tensor] { (entry[key] as! [Any]).map(tensorFromFixture) }
        let inputs = list("inputs")
        let kwargs = entry["kwargs"] as! [String: Any]
        let masks: [Tensor?] = (entry["masks"] as? [Any])?.map { $0 is NSNull ? nil : tensorFromFixture($0) } ?? []
        func kwTensor(_ key: String) -> Tensor? { kwargs[key].map(tensorFromFixture) }
        let causal = kwargs["use_causal_mask"] as? Bool ?? false
        let scores = kwargs["return_attention_scores"] as? Bool ?? false

        let layer = try makeLayer(className: className, config: config)
        func run(_ xs: [Tensor]) -> [Tensor] {
            switch layer {
            case let mha as MultiHeadAttention:
                let r = mha(query: xs[0], value: xs[1], key: xs.count > 2 ? xs[2] : nil, valueMask: kwTensor("value_mask"),
                            attentionMask: kwTensor("attention_mask"), useCausalMask: causal, returnAttentionScores: scores)
                return [r.output] + (r.scores.map { [$0] } ?? [])
            case let gqa as GroupedQueryAttention:
                let r = gqa(query: xs[0], value: xs[1], key: xs.count > 2 ? xs[2] : nil, valueMask: kwTensor("value_mask"),
                            attentionMask: kwTensor("attention_mask"), useCausalMask: causal, returnAttentionScores: scores)
                return [r.output] + (r.scores.map { [$0] } ?? [])
            case let attention as Attention:
                let r = attention(query: xs[0], value: xs[1], key: xs.count > 2 ? xs[2] : nil,
                                  queryMask: masks.first ?? nil, valueMask: masks.count > 1 ? masks[1] : nil,
                                  useCausalMask: causal, returnAttentionScores: scores)
                return [r.output] + (r.scores.map { [$0] } ?? [])
            default:
                return layer.apply(xs)
            }
        }
        _ = run(inputs)
        expectConfig(.object(layer.getConfig()), .object(config), "\(name) config")
        try layer.setWeights(list("weights"))
        let outputs = run(inputs), expected = list("outputs")
        #expect(outputs.count == expected.count)
        for (a, e) in zip(outputs, expected) { assertClose(a, e, rtol: 1e-4, atol: 1e-5, "\(name) output") }
        let probes = list("probes")
        let objective: ([Tensor]) -> Tensor = { xs in zip(run(xs), probes).map { ($0 * $1).sum() }.reduce(Tensor(Float(0)), +) }
        let (_, gx) = valueWithGradients(at: inputs, objective)
        for (a, e) in zip(gx, list("grad_inputs")) { assertClose(a, e, rtol: 1e-4, atol: 1e-5, "\(name) input gradient") }
        let expectedGW = list("grad_weights")
        #expect(layer.trainableWeights.count == expectedGW.count)
        guard !expectedGW.isEmpty else { return }
        let (_, gw) = valueWithGradients(of: layer.trainableWeights) { objective(inputs) }
        #expect(gw.count == expectedGW.count)
        for (a, e) in zip(gw, expectedGW) { assertClose(a, e, rtol: 1e-4, atol: 1e-5, "\(name) weight gradient") }
    }

    @Test func embeddingMaskReachesSelfAttentionInAFunctionalModel() throws {
        let f = try Self.root()["functional_mask"] as! [String: Any]
        let inputs = Input(shape: [4], dtype: .int32)
        let h = Embedding(inputDim: 6, outputDim: 4, maskZero: true)(inputs)
        let a = MultiHeadAttention(numHeads: 2, keyDim: 2).applySymbolic([h, h])[0]
        let model = try Model(inputs: inputs, outputs: Add().applySymbolic([h, a])[0])
        try model.setWeights((f["weights"] as! [Any]).map(tensorFromFixture))
        let ids = tensorFromFixture(f["ids"]!).cast(to: .int32)
        assertClose(model(ids), tensorFromFixture(f["y"]!), rtol: 1e-4, atol: 1e-5)
    }

    @Test func maskReachesTheMaskedMeanOfAnEncoderBlock() throws {
        let f = try Self.root()["encoder_block"] as! [String: Any]
        let ids = tensorFromFixture((try Self.root()["functional_mask"] as! [String: Any])["ids"]!).cast(to: .int32)
        let inputs = Input(shape: [4], dtype: .int32)
        let h = Embedding(inputDim: 6, outputDim: 4, maskZero: true)(inputs)
        let a = MultiHeadAttention(numHeads: 2, keyDim: 2).applySymbolic([h, h])[0]
        let block = LayerNormalization()(Add()([h, a]))
        let model = try Model(inputs: inputs, outputs: Dense(3)(GlobalAveragePooling1D()(block)))
        try model.setWeights((f["weights"] as! [Any]).map(tensorFromFixture))
        assertClose(model(ids), tensorFromFixture(f["y"]!), rtol: 1e-4, atol: 1e-5)
    }

    @Test func mergeLayersCombineMasksAsKerasDoes() throws {
        let f = try Self.root()["merged_masks"] as! [String: Any]
        let ids = tensorFromFixture((try Self.root()["functional_mask"] as! [String: Any])["ids"]!).cast(to: .int32)
        let ids2 = tensorFromFixture(f["ids2"]!).cast(to: .int32)
        let in1 = Input(shape: [4], dtype: .int32), in2 = Input(shape: [4], dtype: .int32)
        let e1 = Embedding(inputDim: 6, outputDim: 2, maskZero: true)(in1)
        let e2 = Embedding(inputDim: 6, outputDim: 2, maskZero: true)(in2)
        let outputs = [Concatenate()([e1, e2]), Concatenate(axis: 1)([e1, e2]), Add()([e1, e2])].map { GlobalAveragePooling1D()($0) }
        let model = try Model(inputs: [in1, in2], outputs: outputs)
        try model.setWeights((f["weights"] as! [Any]).map(tensorFromFixture))
        let ys = model.apply([ids, ids2])
        let expected = (f["y"] as! [Any]).map(tensorFromFixture)
        #expect(ys.count == expected.count)
        for (y, e) in zip(ys, expected) { assertClose(y, e, rtol: 1e-4, atol: 1e-5) }
    }

    @Test func maskedMeanSkipsMaskedStepsAndDropsTheMask() {
        let x = Tensor(shape: [1, 3, 2], doubles: [1, 2, 3, 4, 100, 100], dtype: .float32)
        let mask = Tensor(shape: [1, 3], doubles: [1, 1, 0], dtype: .bool)
        let pool = GlobalAveragePooling1D()
        let (ys, masks) = pool.applyMasked([x], masks: [mask])
        assertClose(ys[0], Tensor(shape: [1, 2], doubles: [2, 3], dtype: .float32))
        #expect(masks[0] == nil)
        let merged = Add().applyMasked([x, x], masks: [mask, nil])
        #expect(merged.masks[0] == nil)
        let both = Add().applyMasked([x, x], masks: [mask, Tensor(shape: [1, 3], doubles: [0, 0, 1], dtype: .bool)])
        #expect(both.masks[0]?.cast(to: DType.float32).doubles == [1, 1, 1])
    }
}
