import Dispatch
import Foundation
import Keras

/// The measurement every model workload shares (the peers' scripts do the same): compile with
/// adam and sparse categorical cross-entropy from logits, warm up on the first `warmUp` samples,
/// time one full epoch of `fit` at batch 32 (best of two), then `predict` at batch 256, and report
/// both as `<workload> fit: N samples/s` and `<workload> predict: N samples/s`. With
/// `fitFLOPPerSample`, also the fit's compute rate (`<workload> fit compute: N GFLOP/s`), to
/// set beside `keras-bench gemm`'s. `KERAS_BENCH_PHASE=fit` or `predict` times only that phase
/// (for profiling one of them).
///
/// ```swift
/// reportFitAndPredict("lstm", model: model, x: x, y: y, warmUp: 640)
/// ```
func reportFitAndPredict(_ workload: String, model: Model, x: Tensor, y: Tensor, warmUp: Int, fitFLOPPerSample: Double? = nil) {
    let count = x.shape[0]
    try! model.compile(optimizer: "adam", loss: SparseCategoricalCrossentropy(fromLogits: true), metrics: ["accuracy"])
    try! model.fit(x.slice(axis: 0, start: 0, end: warmUp), y.slice(axis: 0, start: 0, end: warmUp), batchSize: 32, verbose: 0)
    let phase = ProcessInfo.processInfo.environment["KERAS_BENCH_PHASE"]
    if phase != "predict" { timeFit(workload, model: model, x: x, y: y, fitFLOPPerSample: fitFLOPPerSample) }
    guard phase != "fit" else { return }
    let predictSeconds = secondsPerCall(minSeconds: 1) { consume(try! model.predict(x, batchSize: 256, verbose: 0)) }
    report(workload, "predict", Double(count) / predictSeconds, "samples/s")
}

/// One epoch of `fit` at batch 32, best of two, reported as samples/s (and GFLOP/s when given).
private func timeFit(_ workload: String, model: Model, x: Tensor, y: Tensor, fitFLOPPerSample: Double?) {
    let count = x.shape[0]
    var best = Double.infinity
    for _ in 0..<2 {
        let start = DispatchTime.now().uptimeNanoseconds
        try! model.fit(x, y, batchSize: 32, epochs: 1, verbose: 0)
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
    }
    report(workload, "fit", Double(count) / best, "samples/s")
    if let flop = fitFLOPPerSample { report(workload, "fit compute", Double(count) / best * flop * 1e-9, "GFLOP/s") }
}
