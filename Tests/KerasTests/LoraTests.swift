import Foundation
import Keras
import KerasTestSupport
import Testing

/// Dense's LoRA against real Keras (Tests/Fixtures/layers_lora_generate.py).
@Suite struct LoraTests {
    let fixture = try! loadFixture("layers_lora.json") as! [String: Any]

    @Test func matchesKeras() throws {
        let layer = Dense(3, activation: .relu, loraRank: 2, loraAlpha: 4, name: "lora_dense")
        try layer.build([nil, 4])
        #expect(layer.weights.map(\.name) == fixture["weight_names"] as! [String])
        #expect(layer.trainableWeights.map(\.name) == fixture["trainable_names"] as! [String])
        #expect(layer.nonTrainableWeights.map(\.name) == fixture["non_trainable_names"] as! [String])
        try layer.setWeights((fixture["weights"] as! [Any]).map(tensorFromFixture))
        assertClose(layer(tensorFromFixture(fixture["x"]!)), tensorFromFixture(fixture["y"]!), rtol: 1e-5)
        // Keras enables LoRA in build with alpha = rank, whatever alpha was passed.
        #expect(layer.getConfig()["lora_rank"]?.intValue == fixture["lora_rank"] as? Int)
        #expect(layer.getConfig()["lora_alpha"]?.doubleValue == (fixture["lora_alpha"] as! NSNumber).doubleValue)
    }

    @Test func enableOnABuiltLayerTrainsOnlyTheFactors() throws {
        let layer = Dense(3, name: "later")
        try layer.build([nil, 4])
        let before = layer(Tensor.ones([2, 4]))
        layer.enableLora(rank: 2)
        let later = fixture["enabled_later"] as! [String: Any]
        #expect(layer.trainableWeights.map(\.name) == later["trainable_names"] as! [String])
        #expect(layer.getConfig()["lora_alpha"]?.intValue == later["lora_alpha"] as? Int)
        // B starts at zero, so the output is unchanged until training moves it.
        assertClose(layer(Tensor.ones([2, 4])), before)
        // Gradients reach the factors (B first: with A·0 the gradient of A is zero) and not the kernel.
        let grads = gradients(of: layer.trainableWeights) { layer(Tensor.ones([2, 4])).square().sum() }
        #expect(grads.count == 3)
        #expect(grads[2].abs().sum().item > 0)
    }

    @Test func gradientCheck() throws {
        let layer = Dense(3, activation: .tanh, loraRank: 2, dtype: .float64)
        try layer.build([nil, 4])
        try layer.setWeights(layer.weights.enumerated().map { i, w in Tensor.randomNormal(w.shape, dtype: .float64, seed: i) })
        checkGradients([Tensor.randomNormal([2, 4], dtype: .float64, seed: 9)]) { xs in layer(xs[0]) }
    }

    @Test func buildingByHandMarksTheLayerBuilt() throws {
        let layer = Dense(3)
        try layer.build([nil, 4])
        #expect(layer.built)
        _ = layer(Tensor.ones([2, 4]))
        #expect(layer.weights.count == 2)   // calling it does not build a second time
    }

    @Test func configRoundTrip() throws {
        let layer = Dense(5, loraRank: 3)
        let copy = try Dense(config: layer.getConfig())
        #expect(copy.loraRank == 3)
        #expect(copy.getConfig()["lora_alpha"] == layer.getConfig()["lora_alpha"])
    }
}

@Suite struct DenseConfigErrorTests {
    @Test func quantizedConfigsAreRejectedNotIgnored() {
        var config = Dense(4, name: "q").getConfig()
        config["quantization_config"] = ["class_name": "Int8QuantizationConfig", "config": [:]]
        #expect(throws: KerasError.self) { try Dense(config: config) }
    }
}
