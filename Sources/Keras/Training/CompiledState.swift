import KerasCore

/// What `compile` fixed: the optimizer, one loss and metric list per output, and the
/// running trackers `fit`/`evaluate` report.
final class CompiledState: @unchecked Sendable {
    let optimizer: Optimizer
    let losses: [(any Loss)?]
    let lossWeights: [Double]
    let outputNames: [String]
    private let metricSpecs: [[any MetricConvertible]]
    private let weightedMetricSpecs: [[any MetricConvertible]]
    /// Per output: the compiled metrics (unweighted), then the weighted metrics (which see sample
    /// weights). Built on the first batch, once target and prediction shapes are known.
    private(set) var metrics: [[Metric]]?
    private(set) var weightedMetrics: [[Metric]]?

    /// Every metric of output `i`, in log order.
    func allMetrics(ofOutput i: Int) -> [Metric] { (metrics?[i] ?? []) + (weightedMetrics?[i] ?? []) }
    let lossTracker = RunningMean()
    let outputLossTrackers: [RunningMean]
    let config: Config
    /// Whether any output has a compiled loss (else the loss comes from `addLoss` penalties or a
    /// custom train step).
    var hasLoss: Bool { losses.contains { $0 != nil } }
    /// The trainable variables for the steps of one `fit` (collected once, not every step).
    var stepVariables: [Variable]?
    /// Label checks found by the last validation, repeated on each batch of a ``Dataset``.
    var labelChecks: [ClassLabelCheck] = []
    /// ``Model/runEagerly``: the tape-based step for every batch.
    var runEagerly = false
    /// The planned training step made on the first step (see ``TrainStepPlan``).
    var stepPlan = StepPlanState.none
    /// Where a concurrent step sums its shards' gradients for the in-place optimizer update
    /// (``Optimizer/applySumInPlace(_:to:scratch:)``), kept across steps.
    let gradientSums = ReusableBuffer()

    /// The compiled metrics once built, flattened (what ``Model/metrics`` lists by default).
    var builtMetrics: [Metric] { outputNames.indices.flatMap { allMetrics(ofOutput: $0) } }

    /// Checks one dataset batch as array data is checked whole before training: one target per
    /// output, the same sample count everywhere, finite inputs, targets and sample weights, one
    /// sample weight per sample, and the class labels. (The model checks the input shapes.)
    func checkBatch(_ batch: DataBatch, op: String, sampleOffset: Int) throws {
        let samples = batch.sampleCount
        let place = "the dataset batch of samples \(sampleOffset)..<\(sampleOffset + samples)"
        guard batch.targets.count == outputNames.count else {
            throw KerasError.invalidData("\(op): the model has \(outputNames.count) output(s) \(outputNames), but \(place) has \(batch.targets.count) target(s)")
        }
        for (what, t) in batch.inputs.enumerated().map({ ("input \($0.offset)", $0.element) }) + batch.targets.enumerated().map({ ("target \($0.offset)", $0.element) })
        where t.rank == 0 || t.shape[0] != samples {
            throw KerasError.invalidData("\(op): \(what) in \(place) has shape \(formatShape(t.shape)); every input and target needs \(samples) samples")
        }
        func checkFinite(_ t: Tensor, _ what: String) throws {
            if t.dtype.isFloatingPoint && !t.allFinite {
                throw KerasError.invalidData("\(op): \(what) in \(place) contains NaN or infinite values; clean the data before training")
            }
        }
        for (i, t) in batch.inputs.enumerated() { try checkFinite(t, batch.inputs.count == 1 ? "x" : "input \(i)") }
        for (i, t) in batch.targets.enumerated() { try checkFinite(t, batch.targets.count == 1 ? "y" : "target \(i)") }
        if let weights = batch.sampleWeight {
            guard weights.rank == 1, weights.shape[0] == samples else {
                throw KerasError.invalidData("\(op): sampleWeight in \(place) must be 1-D with one weight per sample (\(samples)), got shape \(formatShape(weights.shape))")
            }
            try checkFinite(weights, "sampleWeight")
        }
        for check in labelChecks where check.output < batch.targets.count {
            try check.checkLabels(batch.targets[check.output], op: op, sampleOffset: sampleOffset)
        }
    }

    init(optimizer: Optimizer, losses: [(any Loss)?], lossWeights: [Double], outputNames: [String],
         metricSpecs: [[any MetricConvertible]], weightedMetricSpecs: [[any MetricConvertible]], config: Config) {
        self.optimizer = optimizer
        self.losses = losses
        self.lossWeights = lossWeights
        self.outputNames = outputNames
        self.metricSpecs = metricSpecs
        self.weightedMetricSpecs = weightedMetricSpecs
        self.outputLossTrackers = outputNames.map { _ in RunningMean() }
        self.config = config
    }

    /// Creates the metric objects for these target/prediction shapes (first batch only).
    func buildMetrics(targets: [Tensor], predictions: [Tensor]) throws {
        guard metrics == nil else { return }
        func build(_ specs: [[any MetricConvertible]]) throws -> [[Metric]] {
            try specs.enumerated().map { i, list in
                try list.map { try $0.makeMetric(yTrueShape: targets[i].shape, yPredShape: predictions[i].shape,
                                                 lossName: losses[i]?.name) }
            }
        }
        // Both lists or neither: a failure must not leave half the metrics built.
        let (plain, weighted) = (try build(metricSpecs), try build(weightedMetricSpecs))
        (metrics, weightedMetrics) = (plain, weighted)
    }

    /// The weighted total of the output losses (recorded, for differentiation), updating trackers.
    func totalLoss(targets: [Tensor], predictions: [Tensor], sampleWeight: Tensor?, batchSize: Int) -> Tensor {
        var total: Tensor? = nil
        for i in predictions.indices {
            guard let loss = losses[i] else { continue }
            let value = loss(targets[i], predictions[i], sampleWeight: sampleWeight)
            if outputNames.count > 1 {
                outputLossTrackers[i].add(Double(value.stopGradient().item), weight: Double(batchSize))
            }
            let weighted = lossWeights[i] == 1 ? value : value * lossWeights[i]
            total = total.map { $0 + weighted } ?? weighted
        }
        return total ?? Tensor(Float(0))
    }

    /// Updates every compiled metric with one batch (no recording). As in Keras, only the
    /// weighted metrics see the sample weights.
    func updateMetrics(targets: [Tensor], predictions: [Tensor], sampleWeight: Tensor?) {
        guard let metrics, let weightedMetrics else { return }
        withoutRecording {
            for i in predictions.indices {
                let prediction = predictions[i].stopGradient()
                for m in metrics[i] { m.updateState(yTrue: targets[i], yPred: prediction, sampleWeight: nil) }
                for m in weightedMetrics[i] { m.updateState(yTrue: targets[i], yPred: prediction, sampleWeight: sampleWeight) }
            }
        }
    }

    func resetMetrics() {
        lossTracker.reset()
        outputLossTrackers.forEach { $0.reset() }
        for i in outputNames.indices { allMetrics(ofOutput: i).forEach { $0.resetState() } }
    }

    /// Current values, keyed as Keras logs them: `loss`, then `<metric>` (one output) or
    /// `<output>_loss` / `<output>_<metric>` (several).
    func logs() -> [String: Double] {
        var logs: [String: Double] = ["loss": lossTracker.value]
        let multi = outputNames.count > 1
        if multi {
            for (i, name) in outputNames.enumerated() where losses[i] != nil {
                logs["\(name)_loss"] = outputLossTrackers[i].value
            }
        }
        for i in outputNames.indices {
            for m in allMetrics(ofOutput: i) { logs[multi ? "\(outputNames[i])_\(m.name)" : m.name] = m.resultValue }
        }
        return logs
    }

    /// The keys of `logs` in Keras's order, then any other keys (from a custom train step) sorted.
    func orderedKeys(for logs: [String: Double]) -> [String] {
        let known = orderedKeys()
        let knownSet = Set(known)
        return known.filter { logs[$0] != nil } + logs.keys.filter { !knownSet.contains($0) }.sorted()
    }

    /// Log keys in Keras's evaluate order: loss, output losses, then metrics in compile order.
    func orderedKeys() -> [String] {
        var keys = ["loss"]
        let multi = outputNames.count > 1
        if multi { for (i, name) in outputNames.enumerated() where losses[i] != nil { keys.append("\(name)_loss") } }
        for i in outputNames.indices {
            for m in allMetrics(ofOutput: i) { keys.append(multi ? "\(outputNames[i])_\(m.name)" : m.name) }
        }
        return keys
    }
}

/// A sample-weighted running mean (the loss tracker).
final class RunningMean: @unchecked Sendable {
    private var total = 0.0, weight = 0.0
    func add(_ value: Double, weight w: Double) { total += value * w; weight += w }
    func reset() { total = 0; weight = 0 }
    var value: Double { weight == 0 ? 0 : total / weight }
}
