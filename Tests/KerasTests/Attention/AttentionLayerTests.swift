import Foundation
import Keras
import KerasTestSupport
import Testing

@Suite struct AttentionLayerTests {
    @Test func layerHelperOnAttentionLayersAndLayerNormalization() throws {
        try runLayerTest({ MultiHeadAttention(numHeads: 2, keyDim: 2, dtype: $0) }, inputShapes: [[2, 3, 4], [2, 2, 4]],
                         expectedOutputShape: [2, 3, 4], expectedTrainableWeights: 8,
                         expectedWeightShapes: [[4, 2, 2], [2, 2], [4, 2, 2], [2, 2], [4, 2, 2], [2, 2], [2, 2, 4], [4]])
        try runLayerTest({ GroupedQueryAttention(headDim: 2, numQueryHeads: 2, numKeyValueHeads: 1, dtype: $0) },
                         inputShapes: [[2, 3, 4], [2, 2, 4]], expectedOutputShape: [2, 3, 4], expectedTrainableWeights: 8)
        try runLayerTest({ Attention(useScale: true, scoreMode: .concat, dtype: $0) }, inputShapes: [[2, 3, 4], [2, 2, 4]],
                         expectedOutputShape: [2, 3, 4], expectedTrainableWeights: 2)
        try runLayerTest({ AdditiveAttention(dtype: $0) }, inputShapes: [[2, 3, 4], [2, 2, 4], [2, 2, 4]],
                         expectedOutputShape: [2, 3, 4], expectedTrainableWeights: 1)
        try runLayerTest({ LayerNormalization(dtype: $0) }, inputShapes: [[2, 3, 4]], expectedOutputShape: [2, 3, 4],
                         expectedTrainableWeights: 2, expectedWeightShapes: [[4], [4]])
        try runLayerTest({ LayerNormalization(axes: [1, 2], dtype: $0) }, inputShapes: [[2, 3, 4]], expectedOutputShape: [2, 3, 4],
                         expectedTrainableWeights: 2, expectedWeightShapes: [[3, 4], [3, 4]])
    }

    @Test func causalMaskIsLowerTriangular() {
        let x = Tensor(shape: [1, 3, 2], doubles: [1, 0, 0, 1, 1, 1], dtype: .float32)
        let (_, scores) = MultiHeadAttention(numHeads: 1, keyDim: 2)(query: x, value: x, useCausalMask: true, returnAttentionScores: true)
        let s = scores!.doubles   // (1, 1, 3, 3)
        #expect(s[1] == 0 && s[2] == 0 && s[5] == 0)
        assertClose([s[0], s[3] + s[4], s[6] + s[7] + s[8]], [1, 1, 1])
    }

    @Test func badInputsAndConfigsThrow() throws {
        #expect(MultiHeadAttention(numHeads: 2, keyDim: 2).applySymbolic([Input(shape: [3, 4])])[0].error != nil)
        #expect(MultiHeadAttention(numHeads: 2, keyDim: 2).applySymbolic([Input(shape: [4]), Input(shape: [4])])[0].error != nil)
        #expect(throws: KerasError.self) { try MultiHeadAttention(config: ["num_heads": 0, "key_dim": 2]) }
        #expect(throws: KerasError.self) { try MultiHeadAttention(config: ["num_heads": 2, "key_dim": 2, "attention_axes": [1, 2]]) }
        #expect(throws: KerasError.self) { try GroupedQueryAttention(config: ["head_dim": 2, "num_query_heads": 3, "num_key_value_heads": 2]) }
        #expect(throws: KerasError.self) { try Attention(config: ["score_mode": "cosine"]) }
        #expect(throws: KerasError.self) { try LayerNormalization(config: ["epsilon": -1.0]) }
        #expect(LayerNormalization(axis: 3).applySymbolic([Input(shape: [4])])[0].error != nil)
        #expect(Attention().applySymbolic([Input(shape: [3, 4])])[0].error != nil)
    }
}
