import Dispatch
import Keras

/// `cnn`: the small convnet of issue 9 (Input 28×28×1 → Conv2D 32 3×3 relu → MaxPooling2D →
/// Conv2D 64 3×3 relu → MaxPooling2D → Flatten → Dense 10, adam, sparse categorical
/// cross-entropy from logits) on 10,000 synthetic samples: `fit` at batch 32 and `predict` at
/// batch 256, in samples per second (the peers: `../shared/bench/keras_bench.py cnn`,
/// `torch_bench.py cnn`). `KERAS_CONV_IM2COL=1` runs the float32 convolutions as im2col + sgemm
/// instead of oneDNN's convolution primitives, to compare the two.
let cnnWorkload = Workload(name: "cnn", summary: "small CNN fit (batch 32) and predict (batch 256), samples/s") {
    let count = 10_000
    let x = Tensor.randomUniform([count, 28, 28, 1], seed: 1)
    let y = Tensor.randomUniform([count], maxval: 10, seed: 2).cast(to: .int32)
    let model = Sequential([
        InputLayer(shape: [28, 28, 1]),
        Conv2D(32, kernelSize: [3, 3], activation: .relu),
        MaxPooling2D(),
        Conv2D(64, kernelSize: [3, 3], activation: .relu),
        MaxPooling2D(),
        Flatten(),
        Dense(10),
    ])
    try! model.compile(optimizer: "adam", loss: SparseCategoricalCrossentropy(fromLogits: true), metrics: ["accuracy"])
    // Warm-up on a slice, then one full epoch, timed (best of two).
    try! model.fit(x.slice(axis: 0, start: 0, end: 640), y.slice(axis: 0, start: 0, end: 640), batchSize: 32, verbose: 0)
    var best = Double.infinity
    for _ in 0..<2 {
        let start = DispatchTime.now().uptimeNanoseconds
        try! model.fit(x, y, batchSize: 32, epochs: 1, verbose: 0)
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
    }
    report("cnn", "fit", Double(count) / best, "samples/s")
    let predictSeconds = secondsPerCall(minSeconds: 1) { consume(try! model.predict(x, batchSize: 256, verbose: 0)) }
    report("cnn", "predict", Double(count) / predictSeconds, "samples/s")
}
