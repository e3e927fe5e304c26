import KerasCore

/// Data-parallel training across processes, as `tf.distribute`'s multi-worker strategies: set a
/// strategy on ``Model/distribution`` and `fit` runs on every process (rank) with the same code,
/// data and seed.
///
/// What `fit` then does: after `onTrainBegin` it copies rank 0's weights, optimizer state and
/// resume epoch to every rank; each rank trains on its slice of every batch (`batchSize` is the
/// *global* batch, as in `tf.distribute`); gradients are averaged across ranks, weighted by the
/// slices' sample counts, before the optimizer step, so every rank applies the same update; the
/// logs seen by callbacks and ``History`` are those of the global batches; only rank 0 shows the
/// progress bar and runs the callbacks that write files (``ModelCheckpoint``, ``CSVLogger``,
/// ``BackupAndRestore``, ``TensorBoard``). An error on one rank after training started calls
/// ``abort(_:)``, since the others are waiting in a collective. A custom
/// ``Model/trainStep(_:)`` averages its gradients with
/// ``averageGradients(_:localSamples:bucketValues:)``.
///
/// Exactly one process's numbers: random layers (dropout, noise, augmentation) draw, for each
/// rank's slice, the values one process draws for those samples of the global batch
/// (`BatchShard`); metrics whose state adds up (``Metric/additiveState``: means, AUC,
/// precision/recall, F-scores, R²) have their state summed over the ranks after every step, so
/// every rank's metric objects hold the global state; the loss and metrics without additive
/// state are the sample-weighted means of the ranks' values; ``BatchNormalization`` with
/// `synchronized: true` normalizes with the global batch's statistics.
///
/// `evaluate` (and `fit`'s validation) shards every batch the same way and reports the global
/// numbers on every rank; `predict` predicts each rank's slices and gathers them, so every rank
/// gets the full output in sample order (as Keras's multi-worker strategy returns it to every
/// worker). Every rank must call them together, with the same data.
///
/// The transport is the conforming type's (`MPIStrategy` in KerasDistributed, over Open MPI):
///
/// ```swift
/// import KerasDistributed
/// let strategy = try MPIStrategy()          // rank and size from mpirun
/// model.distribution = strategy
/// try model.fit(x, y, batchSize: 64, epochs: 5)   // 64 samples per step over all ranks
/// ```
public protocol TrainingDistribution: AnyObject, Sendable {
    /// This process's index, `0..<worldSize`.
    var rank: Int { get }
    /// The number of processes training together.
    var worldSize: Int { get }
    /// Replaces `buffer` on every rank with rank 0's (every rank passes the same count).
    func broadcast(_ buffer: inout [Double]) throws
    /// Sums `buffer` elementwise across ranks, in place (every rank passes the same count).
    func allReduceSum(_ buffer: inout [Float]) throws
    /// Sums `buffer` elementwise across ranks, in place (every rank passes the same count).
    func allReduceSum(_ buffer: inout [Double]) throws
    /// Every rank's `values` (counts may differ), in rank order, on every rank.
    func allGather(_ values: [Double]) throws -> [[Double]]
    /// Ends the whole job after `error` on this rank (the other ranks would otherwise wait forever).
    func abort(_ error: any Error) -> Never
}

extension TrainingDistribution {
    /// Whether this is rank 0, the one that prints and writes files.
    public var isChief: Bool { rank == 0 }

    /// The callbacks this rank runs: all on rank 0, those that do not write files elsewhere.
    func callbacksForRank(_ callbacks: [Callback]) -> [Callback] {
        isChief ? callbacks : callbacks.filter { !($0 is ModelCheckpoint || $0 is CSVLogger || $0 is BackupAndRestore || $0 is TensorBoard) }
    }

    /// Copies rank 0's weights, optimizer variables and resume epoch to every rank; returns the
    /// resume epoch.
    func synchronizeStart(of model: Model, optimizer: Optimizer, resumeEpoch: Int?) throws -> Int? {
        // Slots exist on every rank before the copy (rank 0's may come from a restored backup).
        optimizer.build(model.trainableVariables)
        let variables = model.weights + optimizer.variables
        let sizes = variables.map { $0.shape.reduce(1, *) }
        var header = [Double(variables.count), Double(sizes.reduce(0, +)), Double(resumeEpoch ?? -1)]
        let local = header
        try broadcast(&header)
        guard header[0] == local[0], header[1] == local[1] else {
            throw KerasError.invalidArgument("fit (distributed): rank \(rank) has \(variables.count) variables with \(sizes.reduce(0, +)) values, rank 0 has \(Int(header[0])) with \(Int(header[1])); build the same model and optimizer on every rank")
        }
        guard worldSize > 1 else { return resumeEpoch }
        var values = [Double]()
        values.reserveCapacity(sizes.reduce(0, +))
        for v in variables { values.append(contentsOf: v.value.toArray(of: Double.self)) }
        try broadcast(&values)
        var offset = 0
        for (v, n) in zip(variables, sizes) {
            v.assign(Tensor(shape: v.shape, doubles: Array(values[offset..<offset + n]), dtype: v.dtype))
            offset += n
        }
        return header[2] < 0 ? nil : Int(header[2])
    }

    /// The rows of a batch of `n` samples that `rank` takes (sizes differ by at most one).
    func shardRange(of n: Int, rank r: Int) -> Range<Int> { r * n / worldSize..<(r + 1) * n / worldSize }

    /// This rank's contiguous slice of a global batch (sizes differ by at most one sample); empty
    /// only where `allowEmpty`.
    func shard(_ batch: DataBatch, op: String = "fit", allowEmpty: Bool = false) throws -> DataBatch {
        guard worldSize > 1 else { return batch }
        let n = batch.count
        let rows = shardRange(of: n, rank: rank)
        guard !rows.isEmpty || allowEmpty else {
            throw KerasError.invalidData("\(op) (distributed): a batch of \(n) sample(s) cannot be split over \(worldSize) ranks; use a batchSize (the global batch) and a sample count giving every batch at least \(worldSize) samples")
        }
        let cut = { (t: Tensor) in t.slice(axis: 0, start: rows.lowerBound, end: rows.upperBound) }
        return DataBatch(inputs: batch.inputs.map(cut), targets: batch.targets.map(cut), sampleWeight: batch.sampleWeight.map(cut))
    }

    /// The `BatchShard` of this rank's slice of a batch of `n` samples, with the cross-rank sum
    /// synchronized batch normalization uses.
    func batchShard(of n: Int) -> BatchShard {
        let rows = shardRange(of: n, rank: rank)
        return BatchShard(start: rows.lowerBound, count: rows.count, globalCount: n) { [self] buffer in
            do { try allReduceSum(&buffer) } catch { abort(error) }
        }
    }

    /// One train or test step on this rank's slice of `batch`, with the logs of the global
    /// batches: `step` runs inside the slice's `BatchShard`, then the additive state of every
    /// metric of `model` (its change during the step) and the sample-weighted logs are summed
    /// over the ranks in one message. In `evaluate`, a rank whose slice of a later batch (the
    /// last, smaller one) is empty skips the step and sends its earlier logs.
    func runStep(_ batch: DataBatch, of model: Model, op: String, progress: inout DistributedProgress,
                 _ step: (DataBatch) throws -> [String: Double]) throws -> [String: Double] {
        let local = try shard(batch, op: op, allowEmpty: op != "fit" && progress.localLogs != nil)
        let metrics = model.metrics
        let before = metrics.map(\.additiveState)
        let logs = local.count == 0 ? progress.localLogs!
            : try BatchShard.$current.withValue(batchShard(of: batch.count)) { try step(local) }
        progress.samples += local.sampleCount
        progress.localLogs = logs
        guard worldSize > 1 else { return logs }
        // [samples seen, each log × samples, each metric's change of state]
        let keys = logs.keys.sorted()
        let w = Double(progress.samples)
        var buffer = [w] + keys.map { logs[$0]! * w }
        var changes: [(metric: Metric, before: [Double], range: Range<Int>)] = []
        for (metric, old) in zip(metrics, before) {
            guard let old, let new = metric.additiveState else { continue }
            // A state sized by its first batch starts empty, as zeros.
            let start = old.count == new.count ? old : [Double](repeating: 0, count: new.count)
            changes.append((metric, start, buffer.count..<buffer.count + new.count))
            for (a, b) in zip(new, start) { buffer.append(a - b) }
        }
        try allReduceSum(&buffer)
        var out: [String: Double] = [:]
        for (i, k) in keys.enumerated() { out[k] = buffer[i + 1] / buffer[0] }
        for change in changes {
            change.metric.additiveState = zip(change.before, buffer[change.range]).map { $0 + $1 }
        }
        for (key, metric) in model.metricLogKeys() where out[key] != nil && metric.additiveState != nil {
            out[key] = metric.resultValue
        }
        return out
    }

    /// Every rank's predictions for its slices of batches of `batchCounts` samples (each output
    /// concatenated over the batches), reassembled in sample order on every rank.
    func gatherPredictions(_ outputs: [Tensor], batchCounts: [Int]) throws -> [Tensor] {
        guard worldSize > 1 else { return outputs }
        var local: [Double] = []
        for t in outputs { local.append(contentsOf: t.toArray(of: Double.self)) }
        let pieces = try allGather(local)
        let rowSizes = outputs.map { $0.shape.dropFirst().reduce(1, *) }
        let rankRows = (0..<worldSize).map { r in batchCounts.reduce(0) { $0 + shardRange(of: $1, rank: r).count } }
        return try outputs.enumerated().map { i, t in
            // Output i of rank r starts after its outputs 0..<i.
            let perRank = try (0..<worldSize).map { r -> Tensor in
                let offset = rowSizes[..<i].reduce(0, +) * rankRows[r]
                let count = rowSizes[i] * rankRows[r]
                guard pieces[r].count >= offset + count else {
                    throw KerasError.invalidData("predict (distributed): rank \(r) sent \(pieces[r].count) values, expected at least \(offset + count); call predict with the same data on every rank")
                }
                return Tensor(shape: [rankRows[r]] + t.shape.dropFirst(), doubles: Array(pieces[r][offset..<offset + count]), dtype: t.dtype)
            }
            var slices: [Tensor] = []
            var next = [Int](repeating: 0, count: worldSize)
            for n in batchCounts {
                for r in 0..<worldSize {
                    let rows = shardRange(of: n, rank: r).count
                    slices.append(perRank[r].slice(axis: 0, start: next[r], end: next[r] + rows))
                    next[r] += rows
                }
            }
            return concatenate(slices, axis: 0)
        }
    }

    /// The gradients of the global batch: each rank's gradients weighted by its sample count,
    /// summed over ranks in buckets of at most `bucketValues` floats, divided by the total count.
    /// The default train step calls it; a custom ``Model/trainStep(_:)`` calls it before
    /// `optimizer.apply` to train the same way.
    ///
    /// ```swift
    /// let grads = try strategy.averageGradients(localGrads, localSamples: data.count)
    /// optimizer!.apply(grads, to: trainableVariables)
    /// ```
    public func averageGradients(_ gradients: [Tensor], localSamples: Int, bucketValues: Int = 1 << 22) throws -> [Tensor] {
        guard worldSize > 1 else { return gradients }
        let sizes = gradients.map { $0.shape.reduce(1, *) }
        let weight = Float(localSamples)
        var reduced = [[Float]]()
        var bucket = [Float]()
        bucket.reserveCapacity(Swift.min(bucketValues, sizes.reduce(1, +)))
        for g in gradients {
            let g32 = g.dtype == .float32 ? g : g.cast(to: .float32)
            g32.withUnsafeBufferPointer(of: Float.self) { p in
                for x in p { bucket.append(x * weight) }
            }
            if bucket.count >= bucketValues {
                try allReduceSum(&bucket)
                reduced.append(bucket)
                bucket = []
            }
        }
        bucket.append(weight)   // the global sample count travels with the last bucket
        try allReduceSum(&bucket)
        let total = bucket.removeLast()
        reduced.append(bucket)
        let flat = reduced.count == 1 ? reduced[0] : reduced.flatMap { $0 }
        var offset = 0
        return zip(gradients, sizes).map { g, n in
            defer { offset += n }
            let mean = Tensor(shape: g.shape, scalars: flat[offset..<offset + n].map { $0 / total })
            return g.dtype == .float32 ? mean : mean.cast(to: g.dtype)
        }
    }
}

/// What one rank has done in an epoch or an evaluation: its samples and its last local logs.
struct DistributedProgress {
    var samples = 0
    var localLogs: [String: Double]?
}

extension Model {
    /// `step` on this rank's slice of `batch` under ``distribution`` (with the global logs), or
    /// on `batch`. An error inside a distributed step ends the job (the other ranks wait for
    /// this one in a collective).
    func distributedStep(_ batch: DataBatch, op: String, progress: inout DistributedProgress,
                         _ step: (DataBatch) throws -> [String: Double]) throws -> [String: Double] {
        guard let distribution else { return try step(batch) }
        do {
            return try distribution.runStep(batch, of: self, op: op, progress: &progress, step)
        } catch {
            if distribution.worldSize > 1 { distribution.abort(error) }
            throw error
        }
    }

    /// The log key of each metric in ``metrics``: `<output>_<name>` for the compiled metrics of
    /// a model with several outputs, else the metric's name.
    func metricLogKeys() -> [(key: String, metric: Metric)] {
        var keys: [(String, Metric)] = []
        var compiled = Set<ObjectIdentifier>()
        if let state = compiledState {
            let multi = state.outputNames.count > 1
            for (i, output) in state.outputNames.enumerated() {
                for m in state.allMetrics(ofOutput: i) {
                    keys.append((multi ? "\(output)_\(m.name)" : m.name, m))
                    compiled.insert(ObjectIdentifier(m))
                }
            }
        }
        for m in metrics where !compiled.contains(ObjectIdentifier(m)) { keys.append((m.name, m)) }
        return keys
    }
}
