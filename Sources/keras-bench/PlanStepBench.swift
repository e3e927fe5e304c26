import Keras

/// `planstep`: one training step (`trainOnBatch`, batch 32) of the MLPs Input 784 → Dense w
/// relu (→ Dense w relu) → Dense 10 with adam, planned and with `runEagerly`, in samples per
/// second, each the best over batches of steps (so a shared machine's load adds little).
/// `KERAS_PLAN_SPLIT` (the planned step's multiply-adds from which it runs on all cores; a huge
/// value keeps it on one) and `KERAS_GEMM_SPLIT` compare thread splits run against run.
let planStepWorkload = Workload(name: "planstep", summary: "MLP train step (batch 32) samples/s, planned vs eager") {
    let batch = 32
    let x = Tensor.randomNormal([batch, 784], seed: 1)
    let y = Tensor.randomUniform([batch], maxval: 10, seed: 2).cast(to: .int32)
    for (name, widths) in [("tutorial 128", [128]), ("w=512", [512, 512]), ("w=2048", [2048, 2048])] {
        for eager in [false, true] {
            let model = Sequential([InputLayer(shape: [784])] + widths.map { Dense($0, activation: .relu) } + [Dense(10)])
            try! model.compile(optimizer: "adam", loss: SparseCategoricalCrossentropy(fromLogits: true))
            model.runEagerly = eager
            let seconds = secondsPerCall(minSeconds: widths[0] >= 2048 ? 3 : 1.5) { _ = try! model.trainOnBatch(x, y) }
            report("planstep", "\(name) \(eager ? "eager" : "planned")", Double(batch) / seconds, "samples/s")
        }
    }
}
