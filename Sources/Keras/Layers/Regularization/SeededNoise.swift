import Synchronization

/// The random stream of a layer that draws noise in training (Keras's `SeedGenerator` on a
/// layer): seeded with the layer's `seed` when given, else from the global or task seed source,
/// and locked so concurrent training calls each draw their own numbers.
final class SeededNoise: Sendable {
    private let generator: Mutex<RandomGenerator>

    init(seed: Int?) { generator = Mutex(makeRandomGenerator(seed: seed)) }

    /// `count` samples of U[0, 1).
    func uniform(_ count: Int) -> [Double] {
        generator.withLock { g in (0..<count).map { _ in g.nextUnit() } }
    }

    /// A tensor of U[low, high) samples.
    func uniform(_ shape: [Int], low: Double = 0, high: Double = 1, dtype: DType) -> Tensor {
        let u = uniform(shape.reduce(1, *))
        return Tensor(shape: shape, doubles: u.map { low + (high - low) * $0 }, dtype: dtype)
    }

    /// A tensor of N(mean, stddev²) samples.
    func normal(_ shape: [Int], mean: Double = 0, stddev: Double = 1, dtype: DType) -> Tensor {
        let count = shape.reduce(1, *)
        let values: [Double] = generator.withLock { g in (0..<count).map { _ in mean + stddev * g.nextNormal() } }
        return Tensor(shape: shape, doubles: values, dtype: dtype)
    }
}

/// Keras's check for a `rate` argument: a number in [0, 1].
func validateRate(_ rate: Double, layer: String, argument: String = "rate") throws {
    try ensure(rate >= 0 && rate <= 1, "\(layer): Invalid value received for argument `\(argument)`. Expected a float value between 0 and 1. Received: \(argument)=\(rate)")
}
