import Dispatch
import Foundation
import Keras

/// `scaling`: how training and inference throughput hold as the model grows — the MLP
/// Input 784 → Dense w relu → Dense w relu → Dense 10 (adam, sparse categorical cross-entropy
/// from logits, no metrics) on 8,192 random samples, widths 128, 512 and 2048, `fit` at batch
/// 32 and 256 and `predict` at batch 256, in samples per second. The peers run the same grid
/// in `../shared/bench/scaling_peers.py`.
///
/// `fit` is the planned train step (`TrainStepPlan`, which leaves batches of 128 and more to
/// the tape-based step, so the batch-256 rows measure that step twice); `fit eager` the same model trained with
/// `runEagerly` (the tape-based step), its epochs alternating with the planned ones so both see
/// the same machine load; `fit speedup (cpu)` divides the process CPU time of the eager epochs
/// by that of the planned ones, a ratio that stays meaningful on a machine shared with other work.
/// `KERAS_SCALING_ONLY=512x32` runs one cell (width × batch), for profiling.
let scalingWorkload = Workload(name: "scaling", summary: "MLP 784→w→w→10 fit/predict samples/s, w = 128/512/2048, batch 32/256") {
    let count = 8192
    let x = Tensor.randomNormal([count, 784], seed: 1)
    let y = Tensor.randomUniform([count], maxval: 10, seed: 2).cast(to: .int32)
    let only = ProcessInfo.processInfo.environment["KERAS_SCALING_ONLY"]
    for width in [128, 512, 2048] {
        for batch in [32, 256] where only == nil || only == "\(width)x\(batch)" {
            func model(eager: Bool) -> Sequential {
                let model = Sequential([InputLayer(shape: [784]), Dense(width, activation: .relu),
                                        Dense(width, activation: .relu), Dense(10)])
                try! model.compile(optimizer: "adam", loss: SparseCategoricalCrossentropy(fromLogits: true))
                model.runEagerly = eager
                // Warm-up on four batches, as the peers do.
                try! model.fit(x.slice(axis: 0, start: 0, end: batch * 4), y.slice(axis: 0, start: 0, end: batch * 4),
                               batchSize: batch, verbose: 0)
                return model
            }
            let (planned, eager) = (model(eager: false), model(eager: true))
            // Epochs alternate; the best wall time of each, and the CPU time of all.
            var best = (Double.infinity, Double.infinity), cpu = (0.0, 0.0)
            for _ in 0..<(width >= 2048 ? 1 : 2) {
                for (i, m) in [planned, eager].enumerated() {
                    let start = DispatchTime.now().uptimeNanoseconds, cpuStart = processCPUSeconds()
                    try! m.fit(x, y, batchSize: batch, epochs: 1, verbose: 0)
                    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9, cpuSeconds = processCPUSeconds() - cpuStart
                    if i == 0 { best.0 = min(best.0, seconds); cpu.0 += cpuSeconds } else { best.1 = min(best.1, seconds); cpu.1 += cpuSeconds }
                }
            }
            report("scaling", "w=\(width) b=\(batch) fit", Double(count) / best.0, "samples/s")
            report("scaling", "w=\(width) b=\(batch) fit eager", Double(count) / best.1, "samples/s")
            report("scaling", "w=\(width) b=\(batch) fit speedup (cpu)", cpu.1 / cpu.0, "x")
            let predictSeconds = secondsPerCall(minSeconds: 0.5) { consume(try! planned.predict(x, batchSize: 256, verbose: 0)) }
            report("scaling", "w=\(width) b=\(batch) predict", Double(count) / predictSeconds, "samples/s")
        }
    }
}

/// CPU seconds used by this process so far, all threads.
private func processCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}
