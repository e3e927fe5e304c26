import Foundation
import Synchronization

/// A seedable pseudo-random generator (xoshiro256**, seeded through SplitMix64). Streams are
/// reproducible for a given seed on every platform.
public struct RandomGenerator: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    /// A generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3
        s.2 ^= t
        s.3 = s.3 << 45 | s.3 >> 19
        return result
    }

    /// Uniform in [0, 1) with 53 bits.
    @inline(__always)
    public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A standard normal sample (Box–Muller).
    @inline(__always)
    public mutating func nextNormal() -> Double {
        var u = nextUnit()
        while u <= 0 { u = nextUnit() }
        let v = nextUnit()
        return (-2 * _log(u)).squareRoot() * _cos(2 * Double.pi * v)
    }
}

@inline(__always) private func _log(_ x: Double) -> Double { Foundation.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Foundation.cos(x) }

/// A seed source: a generator behind a mutex, from which each unseeded op draws one seed.
final class SeedSource: Sendable {
    private let state: Mutex<RandomGenerator>
    init(seed: UInt64) { state = Mutex(RandomGenerator(seed: seed)) }
    func reset(seed: UInt64) { state.withLock { $0 = RandomGenerator(seed: seed) } }
    func nextSeed() -> UInt64 { state.withLock { $0.next() } }
}

/// The process-wide seed source, reset by ``setRandomSeed(_:)``.
private let globalSeeds = SeedSource(seed: UInt64.random(in: 0...UInt64.max))

/// A task's own seed source, bound by ``withRandomSeed(_:_:)``.
private enum ScopedSeeds {
    @TaskLocal static var source: SeedSource?
}

/// Makes every later unseeded random op (initializers, dropout, shuffling) reproducible,
/// like `keras.utils.set_random_seed`. The source is shared by the whole process; code running
/// concurrently (parallel tests) should use ``withRandomSeed(_:_:)`` instead.
///
/// ```swift
/// setRandomSeed(42)
/// let a = Tensor.randomNormal([2, 2])
/// setRandomSeed(42)
/// let b = Tensor.randomNormal([2, 2])   // equal to a
/// ```
public func setRandomSeed(_ seed: Int) {
    globalSeeds.reset(seed: UInt64(bitPattern: Int64(seed)))
}

/// Runs `body` with its own seed source: unseeded random ops inside it (on this task) draw from
/// a generator seeded with `seed`, unaffected by other tasks and by ``setRandomSeed(_:)``.
///
/// ```swift
/// let a = withRandomSeed(42) { Tensor.randomNormal([2, 2]) }
/// let b = withRandomSeed(42) { Tensor.randomNormal([2, 2]) }   // equal to a
/// ```
public func withRandomSeed<R>(_ seed: Int, _ body: () throws -> R) rethrows -> R {
    try ScopedSeeds.$source.withValue(SeedSource(seed: UInt64(bitPattern: Int64(seed))), operation: body)
}

/// A generator for one random op: seeded with `seed` when given, else from the task's
/// ``withRandomSeed(_:_:)`` source if there is one, else from the process-wide source.
public func makeRandomGenerator(seed: Int?) -> RandomGenerator {
    if let seed { return RandomGenerator(seed: UInt64(bitPattern: Int64(seed))) }
    return RandomGenerator(seed: (ScopedSeeds.source ?? globalSeeds).nextSeed())
}
