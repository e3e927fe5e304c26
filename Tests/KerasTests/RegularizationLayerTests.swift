import Keras
import KerasTestSupport
import Testing

@Suite("Regularization layers")
struct RegularizationLayerTests {
    @Test(arguments: ["spatial_dropout1d_infer", "spatial_dropout2d_infer", "spatial_dropout3d_infer",
                      "gaussian_noise_infer", "gaussian_dropout_infer", "alpha_dropout_infer", "activity_regularization"])
    func matchesKerasInInference(_ id: String) throws {
        try KerasLayerFixtures.check(id)
    }

    @Test func trainingOutputShapesMatchKeras() throws {
        try KerasLayerFixtures.checkTrainingShape("spatial_dropout2d_train")
        try KerasLayerFixtures.checkTrainingShape("gaussian_noise_train")
    }

    @Test func layerTests() throws {
        try runLayerTest({ SpatialDropout1D(0.5, dtype: $0) }, inputShapes: [[2, 3, 2]], expectedOutputShape: [2, 3, 2])
        try runLayerTest({ SpatialDropout2D(0.5, dtype: $0) }, inputShapes: [[1, 2, 2, 3]], expectedOutputShape: [1, 2, 2, 3])
        try runLayerTest({ SpatialDropout3D(0.5, dtype: $0) }, inputShapes: [[1, 2, 1, 2, 3]], expectedOutputShape: [1, 2, 1, 2, 3])
        try runLayerTest({ GaussianNoise(0.2, dtype: $0) }, inputShapes: [[2, 3]], expectedOutputShape: [2, 3])
        try runLayerTest({ GaussianDropout(0.2, dtype: $0) }, inputShapes: [[2, 3]], expectedOutputShape: [2, 3])
        try runLayerTest({ AlphaDropout(0.2, dtype: $0) }, inputShapes: [[2, 3]], expectedOutputShape: [2, 3])
        try runLayerTest({ ActivityRegularization(l1: 0.1, dtype: $0) }, inputShapes: [[2, 3]], expectedOutputShape: [2, 3])
    }

    @Test func spatialDropoutDropsWholeFeatureMapsReproducibly() {
        let x = Tensor.ones([8, 3, 4, 16])
        let y = SpatialDropout2D(0.5, seed: 3)(x, training: true)
        let values = y.doubles
        var dropped = 0
        for b in 0..<8 {
            for c in 0..<16 {
                let map = (0..<12).map { values[(b * 12 + $0) * 16 + c] }
                #expect(Set(map).count == 1 && (map[0] == 0 || map[0] == 2))
                if map[0] == 0 { dropped += 1 }
            }
        }
        #expect(dropped > 30 && dropped < 98)   // about half of 128
        assertClose(SpatialDropout2D(0.5, seed: 3)(x, training: true), y)
        assertClose(SpatialDropout1D(0.5, seed: 3)(x.reshaped(to: [8, 12, 16])), x.reshaped(to: [8, 12, 16]))
    }

    @Test func noiseLayersHaveKerasStatistics() {
        let x = Tensor.full([200, 100], 2)
        let noisy = GaussianNoise(0.5, seed: 1)(x, training: true)
        #expect(Swift.abs(noisy.mean().doubles[0] - 2) < 0.02)
        #expect(Swift.abs(noisy.std().doubles[0] - 0.5) < 0.02)
        let scaled = GaussianDropout(0.2, seed: 1)(x, training: true)   // stddev √(0.2/0.8) = 0.5, times 2
        #expect(Swift.abs(scaled.mean().doubles[0] - 2) < 0.03)
        #expect(Swift.abs(scaled.std().doubles[0] - 1) < 0.03)
        // AlphaDropout keeps zero mean and unit variance of standard normal inputs.
        let z = Tensor.randomNormal([200, 100], seed: 2)
        let alpha = AlphaDropout(0.3, seed: 1)(z, training: true)
        #expect(Swift.abs(alpha.mean().doubles[0]) < 0.03)
        #expect(Swift.abs(alpha.std().doubles[0] - 1) < 0.03)
        assertClose(AlphaDropout(0.3, seed: 1)(z, training: true), alpha)
    }

    @Test func activityRegularizationAddsItsPenaltyToTheLosses() throws {
        let layer = ActivityRegularization(l1: 0.1, l2: 0.2)
        let x = Tensor([[1.0, -2.0], [3.0, 0.5]])
        assertClose(layer(x), x)
        let expected = (0.1 * 6.5 + 0.2 * (1 + 4 + 9 + 0.25)) / 2
        #expect(layer.losses.count == 1)
        #expect(Swift.abs(layer.losses[0].doubles[0] - expected) < 1e-5)
        #expect(layer.getConfig()["activity_regularizer"] == nil)
    }

    @Test func badArgumentsAndInputsThrow() throws {
        #expect(throws: KerasError.self) { try makeLayer(className: "SpatialDropout2D", config: ["rate": 1.5]) }
        #expect(throws: KerasError.self) { try makeLayer(className: "SpatialDropout1D", config: [:]) }
        #expect(throws: KerasError.self) { try makeLayer(className: "GaussianNoise", config: ["stddev": -0.1]) }
        #expect(throws: KerasError.self) { try makeLayer(className: "GaussianDropout", config: ["rate": "half"]) }
        #expect(throws: KerasError.self) { try makeLayer(className: "AlphaDropout", config: ["rate": 0.1, "noise_shape": [-1]]) }
        #expect(throws: KerasError.self) { try makeLayer(className: "ActivityRegularization", config: ["l1": -1]) }
        #expect(throws: KerasError.self) { try SpatialDropout2D(0.1).build([nil, 4, 4]) }
        #expect(throws: KerasError.self) { try AlphaDropout(0.1, noiseShape: [nil, 1]).build([nil, 4, 4]) }
    }
}
