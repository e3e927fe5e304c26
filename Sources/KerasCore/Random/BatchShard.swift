/// This process's rows of a global batch, during a data-parallel step: the random draws of
/// layers (``SeedGenerator`` draws, so dropout, noise and augmentation) whose leading axis is the
/// local batch draw the values a single process would draw for the whole global batch and keep
/// this shard's rows, so a distributed run masks exactly the samples one process would.
///
/// A distribution strategy binds it around each step; code calling layers needs nothing else.
/// The rule is by shape: a draw for the whole batch whose leading axis merely equals the shard's
/// row count (a `noiseShape` of `[1, …]` on a one-sample shard) is taken as per-sample, so such
/// a draw should use an `Int` seed (`seedGenerator.nextSeed()`), which is never sharded.
///
/// ```swift
/// let shard = BatchShard(start: 32, count: 32, globalCount: 64)   // rank 1 of 2
/// let y = BatchShard.$current.withValue(shard) { dropout(x, rate: 0.5, seed: gen) }   // x: [32, 10]
/// // y is rows 32..<64 of what dropout(x64, rate: 0.5, seed: gen) gives on a [64, 10] batch
/// ```
public struct BatchShard: Sendable {
    /// The first row of the shard in the global batch.
    public let start: Int
    /// The number of rows of the shard.
    public let count: Int
    /// The number of rows of the global batch.
    public let globalCount: Int
    /// Sums a buffer elementwise over every shard's process, in place (what synchronized batch
    /// normalization adds its statistics with); `nil` where there is no such channel.
    public let crossReplicaSum: (@Sendable (inout [Double]) -> Void)?
    /// The seed draws this shard shares with the other shards of the same step in this process
    /// (``ShardSeeds``); `nil` where each shard is a process of its own.
    public let seeds: ShardSeeds?

    /// Describes rows `start..<start + count` of a global batch of `globalCount` rows.
    ///
    /// - Parameters:
    ///   - start: The shard's first row in the global batch.
    ///   - count: The shard's number of rows.
    ///   - globalCount: The number of rows of the global batch.
    ///   - crossReplicaSum: Sums a buffer elementwise over every shard's process, in place (`nil`: no such channel).
    ///   - seeds: The seed draws shared with the other shards of the step in this process (`nil`: none).
    /// - Precondition: the rows lie in the global batch (the program stops otherwise).
    public init(start: Int, count: Int, globalCount: Int, crossReplicaSum: (@Sendable (inout [Double]) -> Void)? = nil,
                seeds: ShardSeeds? = nil) {
        require(start >= 0 && count >= 0 && start + count <= globalCount,
                "BatchShard: rows \(start)..<\(start + count) do not lie in a global batch of \(globalCount)")
        self.start = start
        self.count = count
        self.globalCount = globalCount
        self.crossReplicaSum = crossReplicaSum
        self.seeds = seeds
    }

    /// The shard of the step running on this task, if any.
    @TaskLocal public static var current: BatchShard?

    /// `draw(shape)`, or, inside a shard whose row count is `shape[0]`, the shard's rows of
    /// `draw` over the global batch (the random stream is consumed as for the global batch).
    static func rows(of shape: [Int], _ draw: ([Int]) -> Tensor) -> Tensor {
        guard let shard = current, shard.count != shard.globalCount, let first = shape.first, first == shard.count else {
            return draw(shape)
        }
        return draw([shard.globalCount] + shape.dropFirst()).slice(axis: 0, start: shard.start, end: shard.start + shard.count)
    }
}
