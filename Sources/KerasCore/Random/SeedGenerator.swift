import Synchronization

/// A stateful source of seeds (`keras.random.SeedGenerator`): a layer keeps one as an attribute
/// and passes it to the random ops it calls, so each call draws new randomness while the whole
/// sequence is reproducible from `seed`. Inside a data-parallel step (``BatchShard``) a draw
/// whose leading axis is the local batch gives this shard's rows of the global batch's draw. Without a seed it starts from the task's
/// ``withRandomSeed(_:_:)`` source or the process-wide one (``setRandomSeed(_:)``).
///
/// ```swift
/// final class CustomDropout: Layer, @unchecked Sendable {
///     let rate: Double
///     let seedGenerator = SeedGenerator(seed: 1337)
///     init(rate: Double) { self.rate = rate; super.init() }
///     override func call(_ inputs: Tensor, training: Bool) -> Tensor {
///         training ? dropout(inputs, rate: rate, seed: seedGenerator) : inputs
///     }
/// }
/// ```
public final class SeedGenerator: Sendable, CustomStringConvertible {
    /// The seed it was created with (`nil`: drawn from the global source).
    public let seed: Int?
    private let state: Mutex<RandomGenerator>

    /// A generator started from `seed`; from the global seed (`setRandomSeed`) when `nil`.
    public init(seed: Int? = nil) {
        self.seed = seed
        state = Mutex(makeRandomGenerator(seed: seed))
    }

    /// The seed for the next random op; each call returns a new one. Inside a shard of an
    /// in-process data-parallel step (``BatchShard/seeds``), the `i`-th call of every shard
    /// returns the same seed, and the generator advances once per call index, as in one
    /// unsplit step.
    public func nextSeed() -> Int {
        if let seeds = BatchShard.current?.seeds { return seeds.seed(from: self) }
        return freshSeed()
    }

    /// A new seed from the generator's own stream.
    func freshSeed() -> Int { Int(truncatingIfNeeded: state.withLock { $0.next() }) }

    /// A readable description, as `print` shows it.
    public var description: String { "<SeedGenerator seed=\(seed.map(String.init) ?? "None")>" }
}

/// The seeds ``SeedGenerator``s hand out during one in-process data-parallel step, shared by
/// its shards: each shard runs the same layers in the same order, so its `i`-th draw from a
/// generator is the `i`-th draw of the unsplit step. The first shard to reach a call index
/// draws the seed; the others reuse it. The generator's state then advances exactly as in one
/// unsplit step, whatever the threads' timing, and ``BatchShard`` keeps each shard's rows of the
/// full batch's values.
///
/// ```swift
/// let step = ShardSeeds.Step()
/// let shards = [0, 1].map { i in
///     BatchShard(start: 16 * i, count: 16, globalCount: 32, seeds: ShardSeeds(step: step))
/// }
/// // run shard i's forward pass inside BatchShard.$current.withValue(shards[i]) { … }
/// ```
public final class ShardSeeds: Sendable {
    /// The seeds drawn so far in one step, per generator, in call order (shared by the shards).
    public final class Step: Sendable {
        private let drawn = Mutex<[ObjectIdentifier: [Int]]>([:])

        /// A step that has drawn nothing yet.
        public init() {}

        /// The seed of call `index` of `generator` in this step, drawing the missing ones in order.
        func seed(_ index: Int, of generator: SeedGenerator) -> Int {
            drawn.withLock { drawn in
                let key = ObjectIdentifier(generator)
                var seeds = drawn[key] ?? []
                while seeds.count <= index { seeds.append(generator.freshSeed()) }
                drawn[key] = seeds
                return seeds[index]
            }
        }
    }

    /// The step whose seeds this shard shares.
    public let step: Step
    /// How many seeds this shard has taken from each generator.
    private let calls = Mutex<[ObjectIdentifier: Int]>([:])

    /// One shard's view of `step`'s seeds.
    public init(step: Step) { self.step = step }

    /// This shard's next seed from `generator`.
    func seed(from generator: SeedGenerator) -> Int {
        let index = calls.withLock { calls in
            let key = ObjectIdentifier(generator)
            defer { calls[key, default: 0] += 1 }
            return calls[key] ?? 0
        }
        return step.seed(index, of: generator)
    }
}

extension Tensor {
    /// ``randomNormal(_:mean:stddev:dtype:seed:)-(_,_,_,_,Int?)`` drawing its seed from `seed`.
    ///
    /// ```swift
    /// let noise = Tensor.randomNormal([2, 3], seed: seedGenerator)
    /// ```
    public static func randomNormal(_ shape: [Int], mean: Double = 0, stddev: Double = 1,
                                    dtype: DType = .float32, seed: SeedGenerator) -> Tensor {
        let next = seed.nextSeed()
        return BatchShard.rows(of: shape) { randomNormal($0, mean: mean, stddev: stddev, dtype: dtype, seed: next) }
    }

    /// ``randomUniform(_:minval:maxval:dtype:seed:)-(_,_,_,_,Int?)`` drawing its seed from `seed`.
    ///
    /// ```swift
    /// let u = Tensor.randomUniform([4], seed: seedGenerator)
    /// ```
    public static func randomUniform(_ shape: [Int], minval: Double = 0, maxval: Double = 1,
                                     dtype: DType = .float32, seed: SeedGenerator) -> Tensor {
        let next = seed.nextSeed()
        return BatchShard.rows(of: shape) { randomUniform($0, minval: minval, maxval: maxval, dtype: dtype, seed: next) }
    }

    /// ``randomTruncatedNormal(_:mean:stddev:dtype:seed:)-(_,_,_,_,Int?)`` drawing its seed from `seed`.
    ///
    /// ```swift
    /// let w = Tensor.randomTruncatedNormal([3, 3], stddev: 0.02, seed: seedGenerator)
    /// ```
    public static func randomTruncatedNormal(_ shape: [Int], mean: Double = 0, stddev: Double = 1,
                                             dtype: DType = .float32, seed: SeedGenerator) -> Tensor {
        let next = seed.nextSeed()
        return BatchShard.rows(of: shape) { randomTruncatedNormal($0, mean: mean, stddev: stddev, dtype: dtype, seed: next) }
    }
}

/// Zeroes each element (or each slice along the axes `noiseShape` gives as 1) with probability
/// `rate` and scales the rest by `1 / (1 - rate)` (`keras.random.dropout`). `noiseShape` entries
/// that are `nil` take the input's size. Differentiable in `x`.
///
/// ```swift
/// let y = dropout(x, rate: 0.5, seed: seedGenerator)
/// let perChannel = dropout(images, rate: 0.2, noiseShape: [nil, 1, 1, nil], seed: seedGenerator)
/// ```
public func dropout(_ x: Tensor, rate: Double, noiseShape: [Int?]? = nil, seed: SeedGenerator? = nil) -> Tensor {
    require(rate >= 0 && rate <= 1, "dropout: rate must be in [0, 1], received rate=\(rate)")
    let maskShape: [Int]
    if let noiseShape {
        require(noiseShape.count == x.rank,
                "dropout: noiseShape \(noiseShape.map { $0.map(String.init) ?? "None" }) must have the input's rank \(x.rank) (input shape \(x.shape))")
        maskShape = zip(noiseShape, x.shape).map { $0 ?? $1 }
    } else {
        maskShape = x.shape
    }
    if rate == 0 { return x }
    if rate == 1 { return x * 0 }
    let uniform = seed.map { Tensor.randomUniform(maskShape, dtype: x.dtype, seed: $0) }
        ?? Tensor.randomUniform(maskShape, dtype: x.dtype, seed: nil as Int?)
    let keep = uniform.greaterEqual(rate).cast(to: x.dtype)
    return x * keep / (1 - rate)
}
