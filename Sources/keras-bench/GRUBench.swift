import Keras

/// `gru`: the `lstm` workload with GRU(128) (Keras's defaults, `reset_after`) in place of the
/// LSTM: `fit` at batch 32 and `predict` at batch 256, in samples per second. `../shared/bench/`
/// has no GRU script; compare with `lstm` (a GRU step does three quarters of an LSTM's products).
let gruWorkload = Workload(name: "gru", summary: "GRU(128) over 28×28 fit (batch 32) and predict (batch 256), samples/s") {
    let count = 10_000
    let x = Tensor.randomUniform([count, 28, 28], seed: 1)
    let y = Tensor.randomUniform([count], maxval: 10, seed: 2).cast(to: .int32)
    let model = Sequential([InputLayer(shape: [28, 28]), GRU(128), Dense(10)])
    reportFitAndPredict("gru", model: model, x: x, y: y, warmUp: 640)
}
