import Foundation
import KerasCore
import KerasTestSupport
import Testing

/// The rest of `keras.random` (randint, shuffle, categorical, gamma, beta, binomial): ranges,
/// moments against the distributions' formulas over many draws, and reproducibility by seed.
@Suite struct RandomDistributionTests {
    static func moments(_ values: [Double]) -> (mean: Double, variance: Double) {
        let mean = values.reduce(0, +) / Double(values.count)
        return (mean, values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count))
    }

    @Test func randintCoversItsHalfOpenRange() {
        let x = Tensor.randomInt([20_000], minval: -3, maxval: 4, seed: 1)
        #expect(x.dtype == .int32)
        let values = x.doubles
        #expect(Set(values) == Set((-3..<4).map(Double.init)))
        #expect(abs(Self.moments(values).mean - 0) < 0.05)
        #expect(Tensor.randomInt([5], minval: 0, maxval: 10, dtype: .int64, seed: 2).doubles == Tensor.randomInt([5], minval: 0, maxval: 10, dtype: .int64, seed: 2).doubles)
    }

    @Test(arguments: [0.05, 0.7, 1.0, 3.5, 40.0])
    func gammaHasMeanAndVarianceAlpha(_ alpha: Double) {
        let (mean, variance) = Self.moments(Tensor.randomGamma([40_000], alpha: alpha, dtype: .float64, seed: 3).doubles)
        #expect(abs(mean - alpha) < 0.03 * alpha + 0.002, "mean \(mean)")
        #expect(abs(variance - alpha) < 0.08 * alpha + 0.002, "variance \(variance)")
    }

    @Test(arguments: [(0.2, 0.2), (1.0, 1.0), (2.0, 5.0), (1e-6, 1e-6)])
    func betaHasItsMeanAndVariance(_ parameters: (Double, Double)) {
        let (a, b) = parameters
        let values = Tensor.randomBeta([40_000], alpha: a, beta: b, dtype: .float64, seed: 4).doubles
        #expect(values.allSatisfy { $0 >= 0 && $0 <= 1 })
        let (mean, variance) = Self.moments(values)
        #expect(abs(mean - a / (a + b)) < 0.01, "mean \(mean)")
        #expect(abs(variance - a * b / ((a + b) * (a + b) * (a + b + 1))) < 0.005, "variance \(variance)")
    }

    @Test(arguments: [(10.0, 0.3), (1000.0, 0.4), (50.0, 0.95), (0.0, 0.5), (7.0, 1.0)])
    func binomialHasMeanNpAndVarianceNpq(_ parameters: (Double, Double)) {
        let (n, p) = parameters
        let values = Tensor.randomBinomial([30_000], counts: n, probability: p, dtype: .float64, seed: 5).doubles
        #expect(values.allSatisfy { $0 >= 0 && $0 <= n && $0.rounded() == $0 })
        let (mean, variance) = Self.moments(values)
        #expect(abs(mean - n * p) < 0.02 * n * p + 0.02, "mean \(mean)")
        #expect(abs(variance - n * p * (1 - p)) < 0.06 * n * p * (1 - p) + 0.02, "variance \(variance)")
    }

    @Test func categoricalFollowsTheSoftmax() {
        let logits = Tensor([[0.0, log(3.0), -Double.infinity], [5.0, 5.0, 5.0]])
        let draws = Tensor.randomCategorical(logits, numSamples: 20_000, seed: 6)
        #expect(draws.shape == [2, 20_000] && draws.dtype == .int32)
        let values = draws.doubles
        let first = values[0..<20_000], second = values[20_000...]
        #expect(!first.contains(2))
        func share(_ draws: ArraySlice<Double>, _ c: Double) -> Double { Double(draws.filter { $0 == c }.count) / 20_000 }
        #expect(abs(share(first, 1) - 0.75) < 0.015)
        for c in 0..<3 {
            let expected = 1.0 / 3
            #expect(abs(share(second, Double(c)) - expected) < 0.015)
        }
    }

    @Test func shuffleIsAPermutationAndDifferentiable() {
        let x = Tensor(shape: [5, 2], doubles: (0..<10).map(Double.init), dtype: .float64)
        let y = x.randomlyShuffled(seed: 7)
        let values = y.doubles
        let rows: [[Double]] = (0..<5).map { [values[2 * $0], values[2 * $0 + 1]] }
        let expected: [[Double]] = (0..<5).map { [Double(2 * $0), Double(2 * $0 + 1)] }
        #expect(Set(rows) == Set(expected))
        #expect(rows.map { $0[1] - $0[0] } == [1, 1, 1, 1, 1])
        #expect(x.randomlyShuffled(axis: 1, seed: 7).shape == [5, 2])
        assertClose(x.randomlyShuffled(seed: 7), y, rtol: 0, atol: 0)
        checkGradients([x]) { xs in xs[0].randomlyShuffled(seed: 7) }
    }

    @Test func seedGeneratorsAdvance() {
        let generator = SeedGenerator(seed: 8)
        let a = Tensor.randomBeta([4], alpha: 1, beta: 1, seed: generator), b = Tensor.randomBeta([4], alpha: 1, beta: 1, seed: generator)
        #expect(a.doubles != b.doubles)
        let again = SeedGenerator(seed: 8)
        assertClose(Tensor.randomBeta([4], alpha: 1, beta: 1, seed: again), a, rtol: 0, atol: 0)
    }
}
