import Dispatch
import Keras

/// `mlp`: the image-classification tutorial's model (Flatten 28×28 → Dense 128 relu → Dense 10,
/// adam, sparse categorical cross-entropy from logits) on 60,000 synthetic samples: `fit` at
/// batch 32 and `predict` at batch 256, in samples per second (GUIDE §5 lists the peers).
let mlpWorkload = Workload(name: "mlp", summary: "tutorial MLP fit (batch 32) and predict (batch 256), samples/s") {
    let count = 60_000
    let x = Tensor.randomUniform([count, 28, 28], seed: 1)
    let y = Tensor.randomUniform([count], maxval: 10, seed: 2).cast(to: .int32)
    let model = Sequential([InputLayer(shape: [28, 28]), Flatten(), Dense(128, activation: .relu), Dense(10)])
    try! model.compile(optimizer: "adam", loss: SparseCategoricalCrossentropy(fromLogits: true), metrics: ["accuracy"])
    // Warm-up on a slice, then one full epoch, timed.
    try! model.fit(x.slice(axis: 0, start: 0, end: 3200), y.slice(axis: 0, start: 0, end: 3200), batchSize: 32, verbose: 0)
    var best = Double.infinity
    for _ in 0..<2 {
        let start = DispatchTime.now().uptimeNanoseconds
        try! model.fit(x, y, batchSize: 32, epochs: 1, verbose: 0)
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
    }
    report("mlp", "fit", Double(count) / best, "samples/s")
    let predictSeconds = secondsPerCall(minSeconds: 1) { consume(try! model.predict(x, batchSize: 256, verbose: 0)) }
    report("mlp", "predict", Double(count) / predictSeconds, "samples/s")
}
