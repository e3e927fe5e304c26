import Foundation
import Keras

/// Sequence models: the digits read row by row through an LSTM, then a small Transformer encoder
/// classifying generated token sequences.
func sequenceChapter() throws {
    section("An LSTM reads the digits row by row")
    // Each 8×8 image becomes a sequence of 8 steps of 8 pixels: the LSTM sees one row at a time
    // and classifies the digit from its final state.
    let ((trainImages, trainLabels), (testImages, testLabels)) = try Datasets.digits()
    let trainX = trainImages.cast(to: .float32) / 255
    let testX = testImages.cast(to: .float32) / 255

    setRandomSeed(2)
    let lstm = Sequential([
        InputLayer(shape: [8, 8]),
        LSTM(64),
        Dense(10),
    ], name: "digits_lstm")
    try lstm.compile(optimizer: Adam(learningRate: 0.005),
                     loss: SparseCategoricalCrossentropy(fromLogits: true),
                     metrics: ["accuracy"])
    lstm.summary()
    try lstm.fit(trainX, trainLabels, batchSize: 32, epochs: 12, verbose: 2)
    let lstmAccuracy = try lstm.evaluate(testX, testLabels, verbose: 0)["accuracy"]!
    print("\nLSTM test accuracy: \(String(format: "%.4f", lstmAccuracy))")

    section("A Transformer encoder on a counting task")
    // The task (generated here, seeded): sentences of 16 tokens from a 40-word vocabulary, where
    // words 1–8 are "positive" and 9–16 "negative" and the rest neutral; the label says whether
    // the sentence has more positive than negative words. Token 0 pads short sentences and is
    // masked. Self-attention lets every position see every other one; pooling sums the evidence.
    let (trainTokens, trainSentiment) = countingTask(samples: 2000, seed: 11)
    let (testTokens, testSentiment) = countingTask(samples: 500, seed: 12)

    let tokens = Input(shape: [16], name: "tokens", dtype: .int32)
    let embedded = Embedding(inputDim: 40, outputDim: 32, maskZero: true)(tokens)
    let attended = MultiHeadAttention(numHeads: 2, keyDim: 16).applySymbolic([embedded, embedded])[0]
    let normed = LayerNormalization()(Add()([embedded, attended]))
    let fed = Dense(32)(Dense(64, activation: .gelu)(normed))
    let encoded = LayerNormalization()(Add()([normed, fed]))
    let logits = Dense(2)(GlobalAveragePooling1D()(encoded))
    let transformer = try Model(inputs: tokens, outputs: logits, name: "transformer_encoder")
    try transformer.compile(optimizer: Adam(learningRate: 0.003),
                            loss: SparseCategoricalCrossentropy(fromLogits: true),
                            metrics: ["accuracy"])
    transformer.summary()
    try transformer.fit(trainTokens, trainSentiment, batchSize: 32, epochs: 3, verbose: 2)
    let transformerAccuracy = try transformer.evaluate(testTokens, testSentiment, verbose: 0)["accuracy"]!
    print("\nTransformer test accuracy: \(String(format: "%.4f", transformerAccuracy))")
}

/// `samples` sentences of 16 int32 tokens (0 pads the end of sentences of 8–16 words) and their
/// labels: 1 when words 1–8 outnumber words 9–16, else 0. Ties are re-drawn so the task is clean.
func countingTask(samples: Int, seed: UInt64) -> (Tensor, Tensor) {
    var random = RandomGenerator(seed: seed)
    var tokens: [Int32] = [], labels: [Int32] = []
    while labels.count < samples {
        let length = 8 + Int(random.nextUnit() * 9)
        var sentence = [Int32](repeating: 0, count: 16), balance = 0
        for i in 0..<length {
            let word = 1 + Int32(random.nextUnit() * 39)
            sentence[i] = word
            if word <= 8 { balance += 1 } else if word <= 16 { balance -= 1 }
        }
        if balance == 0 { continue }
        tokens += sentence
        labels.append(balance > 0 ? 1 : 0)
    }
    return (Tensor(shape: [samples, 16], scalars: tokens), Tensor(shape: [samples], scalars: labels))
}
