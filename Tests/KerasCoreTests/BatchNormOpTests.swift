import KerasCore
import KerasTestSupport
import Testing

/// The fused training batch norm against the formula written with tensor ops, and its
/// gradients against finite differences.
@Suite struct BatchNormOpTests {
    @Test func matchesTheComposedFormula() {
        let x = Tensor.randomNormal([4, 3, 5], mean: 2, stddev: 3, seed: 1)
        let gamma = Tensor.randomNormal([5], seed: 2), beta = Tensor.randomNormal([5], seed: 3)
        let (y, mean, variance) = x.batchNormalizationTraining(scale: gamma, offset: beta, epsilon: 1e-3)
        let expectedMean = x.mean(axes: [0, 1])
        let expectedVariance = (x - expectedMean).square().mean(axes: [0, 1])
        assertClose(mean, expectedMean, rtol: 1e-5, atol: 1e-5)
        assertClose(variance, expectedVariance, rtol: 1e-5, atol: 1e-5)
        assertClose(y, (x - expectedMean) / (expectedVariance + 1e-3).sqrt() * gamma + beta, rtol: 1e-4, atol: 1e-5)
        let (plain, _, _) = x.batchNormalizationTraining(scale: nil, offset: nil, epsilon: 1e-3)
        assertClose(plain, (x - expectedMean) / (expectedVariance + 1e-3).sqrt(), rtol: 1e-4, atol: 1e-5)
    }

    @Test func gradientsMatchFiniteDifferences() {
        let x = Tensor.randomNormal([3, 2, 4], dtype: .float64, seed: 4)
        let gamma = Tensor.randomNormal([4], dtype: .float64, seed: 5), beta = Tensor.randomNormal([4], dtype: .float64, seed: 6)
        checkGradients([x, gamma, beta]) { xs in
            xs[0].batchNormalizationTraining(scale: xs[1], offset: xs[2], epsilon: 1e-3).output
        }
        checkGradients([x]) { xs in xs[0].batchNormalizationTraining(scale: nil, offset: nil, epsilon: 0.5).output }
        checkGradients([x, beta]) { xs in xs[0].batchNormalizationTraining(scale: nil, offset: xs[1], epsilon: 1e-3).output }
    }
}
