import Keras

/// `lstm`: MNIST rows as a sequence (Input 28×28 → LSTM 128 → Dense 10, adam, sparse categorical
/// cross-entropy from logits) on 10,000 synthetic samples: `fit` at batch 32 and `predict` at
/// batch 256, in samples per second (the peers: `../shared/bench/keras_bench.py lstm`, `torch_bench.py lstm`).
let lstmWorkload = Workload(name: "lstm", summary: "LSTM(128) over 28×28 fit (batch 32) and predict (batch 256), samples/s") {
    reportRecurrent("lstm", LSTM(128))
}

/// `gru`: the `lstm` workload with GRU(128) (Keras's defaults, `reset_after`) in place of the
/// LSTM. `../shared/bench/` has no GRU script; compare with `lstm` (a GRU step does three
/// quarters of an LSTM's products).
let gruWorkload = Workload(name: "gru", summary: "GRU(128) over 28×28 fit (batch 32) and predict (batch 256), samples/s") {
    reportRecurrent("gru", GRU(128))
}

/// Input 28×28 → `layer` → Dense 10 on 10,000 random samples, fit and predict.
private func reportRecurrent(_ name: String, _ layer: Layer) {
    let count = 10_000
    let x = Tensor.randomUniform([count, 28, 28], seed: 1)
    let y = Tensor.randomUniform([count], maxval: 10, seed: 2).cast(to: .int32)
    let model = Sequential([InputLayer(shape: [28, 28]), layer, Dense(10)])
    reportFitAndPredict(name, model: model, x: x, y: y, warmUp: 640)
}
