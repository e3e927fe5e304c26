import Keras

/// `mlp`: the image-classification tutorial's model (Flatten 28×28 → Dense 128 relu → Dense 10,
/// adam, sparse categorical cross-entropy from logits) on 60,000 synthetic samples: `fit` at
/// batch 32 and `predict` at batch 256, in samples per second (GUIDE §5 lists the peers), and
/// the fit's GFLOP/s counting three times the forward multiply-adds (610 kFLOP a sample, the
/// count issue 14 states its goal in: half of `keras-bench gemm`'s limit).
let mlpWorkload = Workload(name: "mlp", summary: "tutorial MLP fit (batch 32) and predict (batch 256), samples/s") {
    let count = 60_000
    let x = Tensor.randomUniform([count, 28, 28], seed: 1)
    let y = Tensor.randomUniform([count], maxval: 10, seed: 2).cast(to: .int32)
    let model = Sequential([InputLayer(shape: [28, 28]), Flatten(), Dense(128, activation: .relu), Dense(10)])
    let forwardFLOP = 2.0 * Double(784 * 128 + 128 * 10)
    reportFitAndPredict("mlp", model: model, x: x, y: y, warmUp: 3200, fitFLOPPerSample: 3 * forwardFLOP)
}
