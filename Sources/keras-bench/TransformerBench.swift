import Keras

/// `transformer`: one post-norm Transformer encoder block over 64 tokens of a 1,000-word
/// vocabulary (Embedding 64 → MultiHeadAttention 4 heads × 16 → Add → LayerNormalization →
/// Dense 128 gelu → Dense 64 → Add → LayerNormalization → GlobalAveragePooling1D → Dense 2) on
/// 4,096 synthetic samples: `fit` at batch 32 and `predict` at batch 256, in samples per second.
let transformerWorkload = Workload(name: "transformer", summary: "Transformer encoder block fit (batch 32) and predict (batch 256), samples/s") {
    let count = 4096
    let x = Tensor.randomUniform([count, 64], maxval: 1000, seed: 1).cast(to: .int32)
    let y = Tensor.randomUniform([count], maxval: 2, seed: 2).cast(to: .int32)
    let inputs = Input(shape: [64], dtype: .int32)
    var h = Embedding(inputDim: 1000, outputDim: 64)(inputs)
    let attention = MultiHeadAttention(numHeads: 4, keyDim: 16).applySymbolic([h, h])[0]
    h = LayerNormalization()(Add().applySymbolic([h, attention])[0])
    let feedForward = Dense(64)(Dense(128, activation: .gelu)(h))
    h = LayerNormalization()(Add().applySymbolic([h, feedForward])[0])
    let pooled = GlobalAveragePooling1D()(h)
    let model = try! Model(inputs: inputs, outputs: Dense(2)(pooled))
    reportFitAndPredict("transformer", model: model, x: x, y: y, warmUp: 256)
}
