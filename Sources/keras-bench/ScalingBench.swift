import Dispatch
import Keras

/// `scaling`: how training and inference throughput hold as the model grows — the MLP
/// Input 784 → Dense w relu → Dense w relu → Dense 10 (adam, sparse categorical cross-entropy
/// from logits, no metrics) on 8,192 random samples, widths 128, 512 and 2048, `fit` at batch
/// 32 and 256 and `predict` at batch 256, in samples per second. The peers run the same grid
/// in `../shared/bench/scaling_peers.py`.
let scalingWorkload = Workload(name: "scaling", summary: "MLP 784→w→w→10 fit/predict samples/s, w = 128/512/2048, batch 32/256") {
    let count = 8192
    let x = Tensor.randomNormal([count, 784], seed: 1)
    let y = Tensor.randomUniform([count], maxval: 10, seed: 2).cast(to: .int32)
    for width in [128, 512, 2048] {
        for batch in [32, 256] {
            let model = Sequential([InputLayer(shape: [784]), Dense(width, activation: .relu),
                                    Dense(width, activation: .relu), Dense(10)])
            try! model.compile(optimizer: "adam", loss: SparseCategoricalCrossentropy(fromLogits: true))
            // Warm-up on four batches (as the peers do), then one epoch, timed; the best of two
            // epochs for the smaller models, whose epochs last well under a second.
            try! model.fit(x.slice(axis: 0, start: 0, end: batch * 4), y.slice(axis: 0, start: 0, end: batch * 4),
                           batchSize: batch, verbose: 0)
            var best = Double.infinity
            for _ in 0..<(width >= 2048 ? 1 : 2) {
                let start = DispatchTime.now().uptimeNanoseconds
                try! model.fit(x, y, batchSize: batch, epochs: 1, verbose: 0)
                best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
            }
            report("scaling", "w=\(width) b=\(batch) fit", Double(count) / best, "samples/s")
            let predictSeconds = secondsPerCall(minSeconds: 0.5) { consume(try! model.predict(x, batchSize: 256, verbose: 0)) }
            report("scaling", "w=\(width) b=\(batch) predict", Double(count) / predictSeconds, "samples/s")
        }
    }
}
