import Dispatch
import Keras

/// `lstm`: MNIST rows as a sequence (Input 28×28 → LSTM 128 → Dense 10, adam, sparse categorical
/// cross-entropy from logits) on 10,000 synthetic samples: `fit` at batch 32 and `predict` at
/// batch 256, in samples per second (the peers: `../shared/bench/keras_bench.py lstm`, `torch_bench.py lstm`).
let lstmWorkload = Workload(name: "lstm", summary: "LSTM(128) over 28×28 fit (batch 32) and predict (batch 256), samples/s") {
    let count = 10_000
    let x = Tensor.randomUniform([count, 28, 28], seed: 1)
    let y = Tensor.randomUniform([count], maxval: 10, seed: 2).cast(to: .int32)
    let model = Sequential([InputLayer(shape: [28, 28]), LSTM(128), Dense(10)])
    try! model.compile(optimizer: "adam", loss: SparseCategoricalCrossentropy(fromLogits: true), metrics: ["accuracy"])
    try! model.fit(x.slice(axis: 0, start: 0, end: 640), y.slice(axis: 0, start: 0, end: 640), batchSize: 32, verbose: 0)
    var best = Double.infinity
    for _ in 0..<2 {
        let start = DispatchTime.now().uptimeNanoseconds
        try! model.fit(x, y, batchSize: 32, epochs: 1, verbose: 0)
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
    }
    report("lstm", "fit", Double(count) / best, "samples/s")
    let predictSeconds = secondsPerCall(minSeconds: 1) { consume(try! model.predict(x, batchSize: 256, verbose: 0)) }
    report("lstm", "predict", Double(count) / predictSeconds, "samples/s")
}
