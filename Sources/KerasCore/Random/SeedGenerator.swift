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

    /// The seed for the next random op; each call returns a new one.
    public func nextSeed() -> Int { Int(truncatingIfNeeded: state.withLock { $0.next() }) }

    /// A readable description, as `print` shows it.
    public var description: String { "<SeedGenerator seed=\(seed.map(String.init) ?? "None")>" }
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
