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
    reportFitAndPredict("cnn", model: model, x: x, y: y, warmUp: 640)
}
