import KerasCore

/// Data-parallel training across processes, as `tf.distribute`'s multi-worker strategies: set a
/// strategy on ``Model/distribution`` and `fit` runs on every process (rank) with the same code,
/// data and seed.
///
/// What `fit` then does: after `onTrainBegin` it copies rank 0's weights, optimizer state and
/// resume epoch to every rank; each rank trains on its slice of every batch (`batchSize` is the
/// *global* batch, as in `tf.distribute`); gradients are averaged across ranks, weighted by the
/// slices' sample counts, before the optimizer step, so every rank applies the same update; the
/// logs seen by callbacks and ``History`` are the global running means; only rank 0 shows the
/// progress bar and runs the callbacks that write files (``ModelCheckpoint``, ``CSVLogger``,
/// ``BackupAndRestore``). An error on one rank after training started calls ``abort(_:)``, since
/// the others are waiting in a collective. Global logs are exact for mean-type metrics (loss,
/// accuracy...) of unweighted samples; other metrics get the sample-weighted mean of the ranks'
/// values. A custom ``Model/trainStep(_:)`` averages its gradients with
/// ``averageGradients(_:localSamples:bucketValues:)``.
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
    /// Ends the whole job after `error` on this rank (the other ranks would otherwise wait forever).
    func abort(_ error: any Error) -> Never
}

extension TrainingDistribution {
    /// Whether this is rank 0, the one that prints and writes files.
    public var isChief: Bool { rank == 0 }

    /// The callbacks this rank runs: all on rank 0, those that do not write files elsewhere.
    func callbacksForRank(_ callbacks: [Callback]) -> [Callback] {
        isChief ? callbacks : callbacks.filter { !($0 is ModelCheckpoint || $0 is CSVLogger || $0 is BackupAndRestore) }
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

    /// This rank's contiguous slice of a global batch (sizes differ by at most one sample).
    func shard(_ batch: DataBatch) throws -> DataBatch {
        guard worldSize > 1 else { return batch }
        let n = batch.count
        let start = rank * n / worldSize, end = (rank + 1) * n / worldSize
        guard end > start else {
            throw KerasError.invalidData("fit (distributed): a batch of \(n) sample(s) cannot be split over \(worldSize) ranks; use a batchSize (the global batch) and a sample count giving every batch at least \(worldSize) samples")
        }
        let cut = { (t: Tensor) in t.slice(axis: 0, start: start, end: end) }
        return DataBatch(inputs: batch.inputs.map(cut), targets: batch.targets.map(cut), sampleWeight: batch.sampleWeight.map(cut))
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

    /// The logs over every rank's samples: each rank's running means weighted by the samples it
    /// has seen this epoch.
    func globalLogs(_ logs: [String: Double], localSamples: Int) throws -> [String: Double] {
        guard worldSize > 1 else { return logs }
        let keys = logs.keys.sorted()
        let w = Double(localSamples)
        var buffer = [w] + keys.map { logs[$0]! * w }
        try allReduceSum(&buffer)
        var out: [String: Double] = [:]
        for (i, k) in keys.enumerated() { out[k] = buffer[i + 1] / buffer[0] }
        return out
    }
}
