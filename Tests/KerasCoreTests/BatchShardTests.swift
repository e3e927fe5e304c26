import Foundation
import KerasCore
import KerasTestSupport
import Testing

/// Data-parallel shards without MPI: random draws inside a ``BatchShard`` are the shard's rows of
/// the global batch's draw, and the cross-replica batch norm of two replicas (two threads summing
/// through a shared buffer) equals one batch norm over the global batch, forward and backward.
@Suite struct BatchShardTests {
    @Test func dropoutInsideAShardMasksTheShardsRowsOfTheGlobalBatch() {
        let x = Tensor.ones([10, 4])
        let global = dropout(x, rate: 0.5, seed: SeedGenerator(seed: 3))
        for rows in [0..<4, 4..<10] {
            let shard = BatchShard(start: rows.lowerBound, count: rows.count, globalCount: 10)
            let local = BatchShard.$current.withValue(shard) {
                dropout(x.slice(axis: 0, start: 0, end: rows.count), rate: 0.5, seed: SeedGenerator(seed: 3))
            }
            #expect(local.doubles == global.slice(axis: 0, start: rows.lowerBound, end: rows.upperBound).doubles)
        }
        // A draw whose leading axis is not the shard's row count is left whole.
        let other = BatchShard.$current.withValue(BatchShard(start: 4, count: 6, globalCount: 10)) {
            Tensor.randomNormal([3, 2], seed: SeedGenerator(seed: 5))
        }
        #expect(other.doubles == Tensor.randomNormal([3, 2], seed: SeedGenerator(seed: 5)).doubles)
    }

    @Test func twoReplicasOfSynchronizedBatchNormEqualOneOverTheGlobalBatch() {
        let x = Tensor.randomNormal([6, 2, 3], seed: 1), probe = Tensor.randomNormal([6, 2, 3], seed: 2)
        let gamma = Tensor.randomNormal([3], seed: 3), beta = Tensor.randomNormal([3], seed: 4)
        let (_, reference) = valueWithGradients(at: [x, gamma, beta]) { Self.loss($0, probe: probe, sum: nil) }
        // Uneven shards (2 and 4 samples): each replica's gradients count with weight n_r / N.
        let shards = [0..<2, 2..<6]
        let channel = PairSum(), results = ReplicaResults()
        for (r, rows) in shards.enumerated() {
            Thread {
                let cut = { (t: Tensor) in t.slice(axis: 0, start: rows.lowerBound, end: rows.upperBound) }
                let grads = valueWithGradients(at: [cut(x), gamma, beta]) {
                    Self.loss($0, probe: cut(probe), sum: { channel.sum(&$0) })
                }.gradients
                results.set(r, grads.map { $0 * (Double(rows.count) / 6) })
            }.start()
        }
        let deadline = Date().addingTimeInterval(30)
        while results.get().contains(where: { $0 == nil }) && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        let finished = results.get()
        guard let first = finished[0], let second = finished[1] else {
            Issue.record("the two replicas did not finish within 30 s")
            return
        }
        assertClose(concatenate([first[0], second[0]], axis: 0), reference[0], atol: 1e-5, "dx")
        assertClose(first[1] + second[1], reference[1], atol: 1e-5, "dgamma")
        assertClose(first[2] + second[2], reference[2], atol: 1e-5, "dbeta")
    }

    /// The mean over samples of the batch norm's output weighted by `probe`.
    static func loss(_ xs: [Tensor], probe: Tensor, sum: (@Sendable (inout [Double]) -> Void)?) -> Tensor {
        let y = xs[0].batchNormalizationTraining(scale: xs[1], offset: xs[2], epsilon: 1e-3, crossReplicaSum: sum).output
        return (y * probe).sum() / Double(xs[0].shape[0])
    }
}

/// Each replica's gradients, written by its thread.
private final class ReplicaResults: @unchecked Sendable {
    private let lock = NSLock()
    private var parts: [[Tensor]?] = [nil, nil]
    func set(_ r: Int, _ value: [Tensor]) { lock.withLock { parts[r] = value } }
    func get() -> [[Tensor]?] { lock.withLock { parts } }
}

/// An allreduce of two replicas on two threads: each call blocks until both have passed their
/// buffer, then both get the elementwise sum.
private final class PairSum: @unchecked Sendable {
    private let condition = NSCondition()
    private var first: [Double]?
    private var result: [Double] = []
    private var generation = 0

    func sum(_ buffer: inout [Double]) {
        condition.lock()
        defer { condition.unlock() }
        if let other = first {
            result = zip(other, buffer).map { $0 + $1 }
            first = nil
            generation += 1
            condition.broadcast()
        } else {
            first = buffer
            let mine = generation
            while generation == mine { condition.wait() }
        }
        buffer = result
    }
}
