import Foundation
@testable import Keras
import KerasTestSupport
import Testing

/// RandAugment and AugMix against `chained_augmentation.json` and `chained_augmentation.keras`,
/// written by `Tests/Fixtures/chained_augmentation_generate.py` from Keras 3.15.1 (JAX): configs
/// and operation lists, chains of the operations that draw nothing (auto-contrast,
/// equalization) against Keras's `transform_images`, and a Keras-saved model with both.
@Suite struct ChainedAugmentationTests {
    nonisolated(unsafe) static let fixture: [String: Any] = try! loadFixture("chained_augmentation.json") as! [String: Any]
    static func cases(_ key: String) -> [[String: Any]] { fixture[key] as! [[String: Any]] }
    static func config(_ any: Any?) -> Config { ConfigValue.from(any: any!).objectValue! }

    @Test func configsAndOperationsAreKeras() throws {
        for c in Self.cases("configs") {
            let keras = Self.config(c["config"])
            let layer = try #require(try makeLayer(className: c["class_name"] as! String, config: keras) as? BaseChainedAugmentation)
            MixingAugmentationTests.expectSameConfig(layer.getConfig(), keras, c["class_name"] as! String)
            #expect(layer.operations.map(\.className) == c["operations"] as! [String])
            let copy = try makeLayer(className: layer.className, config: layer.getConfig())
            #expect(ConfigValue.object(copy.getConfig()) == ConfigValue.object(layer.getConfig()))
        }
        let configs = Self.cases("configs")
        MixingAugmentationTests.expectSameConfig(RandAugment(name: "rand_augment").getConfig(), Self.config(configs[0]["config"]), "RandAugment")
        MixingAugmentationTests.expectSameConfig(
            RandAugment(valueRange: (0, 1), numOps: 3, factor: (0.6, 0.2), interpolation: .nearest, seed: 4, name: "rand_augment_1").getConfig(),
            Self.config(configs[1]["config"]), "RandAugment")
        MixingAugmentationTests.expectSameConfig(
            AugMix(valueRange: (-1, 1), numChains: 2, chainDepth: 4, factor: 0.5, alpha: 0.5, allOps: false, seed: 7, name: "aug_mix_1").getConfig(),
            Self.config(configs[3]["config"]), "AugMix")
    }

    @Test func randAugmentChainsOperationsAsKeras() throws {
        for c in Self.cases("randaugment") {
            let choices = (c["choices"] as! [NSNumber]).map(\.intValue)
            let layer = RandAugment(numOps: choices.count, seed: 1)
            let images = tensorFromFixture(c["images"]!)
            assertClose(choices.reduce(images) { layer.apply($1, $0) }, tensorFromFixture(c["y"]!), rtol: 1e-5, atol: 1e-3)
        }
    }

    @Test func augMixBlendsChainsAsKeras() throws {
        let layer = AugMix(seed: 1)
        for c in Self.cases("augmix") {
            let chains = (c["chains"] as! [[NSNumber]]).map { $0.map(\.intValue) }
            let t = AugMix.Transformation(chainWeights: (c["weights"] as! [NSNumber]).map(\.doubleValue),
                                          originalWeight: (c["original"] as! NSNumber).doubleValue, chains: chains)
            let y = layer.augment(tensorFromFixture(c["images"]!), t) { chain, x in chain.reduce(x) { layer.apply($1, $0) } }
            assertClose(y, tensorFromFixture(c["y"]!), rtol: 1e-5, atol: 1e-3)
        }
    }

    @Test func aKerasFileWithBothLoadsAndPredicts() throws {
        let fixture = Self.fixture["model"] as! [String: Any]
        let model = try loadModel(fixturesDirectory.appendingPathComponent("chained_augmentation.keras").path)
        #expect(model.layers.map(\.className).contains("RandAugment") && model.layers.map(\.className).contains("AugMix"))
        assertClose(try model.predict(tensorFromFixture(fixture["x"]!), verbose: 0), tensorFromFixture(fixture["y"]!), rtol: 1e-5, atol: 1e-5)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swift-keras-chained-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try model.save(to: dir + "/m.keras")
        assertClose(try loadModel(dir + "/m.keras").predict(tensorFromFixture(fixture["x"]!), verbose: 0), tensorFromFixture(fixture["y"]!),
                    rtol: 1e-5, atol: 1e-5)
    }

    /// Training draws: operation choices in range, Dirichlet weights summing to 1, outputs in
    /// the value range with the input's shape; a seed makes a call repeat; inference is the identity.
    @Test func trainingIsSeededAndStaysInRange() throws {
        let images = Tensor.randomUniform([3, 8, 8, 3], maxval: 255, seed: 2)
        let randAugment = RandAugment(numOps: 4, factor: 0.7, seed: 5)
        for _ in 0..<10 { #expect(randAugment.randomChoices().allSatisfy { (0..<11).contains($0) } && randAugment.randomChoices().count == 4) }
        let augMix = AugMix(chainDepth: 5, alpha: 0.3, allOps: false, seed: 6)
        for _ in 0..<10 {
            let t = augMix.randomTransformation()
            #expect(abs(t.chainWeights.reduce(0, +) - 1) < 1e-9 && t.chainWeights.allSatisfy { $0 >= 0 })
            #expect(t.originalWeight >= 0 && t.originalWeight <= 1)
            #expect(t.chains.count == 3 && t.chains.allSatisfy { $0.count <= 5 && $0.allSatisfy { (0..<7).contains($0) } })
        }
        for make in [{ RandAugment(numOps: 3, seed: 9) as Layer }, { AugMix(seed: 9) as Layer }] {
            let y = make()(images, training: true)
            #expect(y.shape == images.shape)
            #expect(y.doubles.allSatisfy { $0 >= 0 && $0 <= 255 })
            assertClose(y, make()(images, training: true), rtol: 0, atol: 0)
            assertClose(make()(images), images, rtol: 0, atol: 0)
        }
        #expect(RandAugment(numOps: 0, seed: 1)(images, training: true).doubles == images.doubles)
    }

    @Test func badArgumentsThrowNamingTheLayer() {
        for (key, bad) in [("num_ops", -1), ("num_ops", 5000), ("factor", 1.5), ("factor", .double(.nan)), ("interpolation", "bicubic"),
                           ("value_range", [255, 255]), ("value_range", "x")] as [(String, ConfigValue)] {
            #expect { try RandAugment(config: [key: bad]) } throws: { "\($0)".contains("RandAugment") }
        }
        for (key, bad) in [("num_chains", 0), ("chain_depth", -1), ("alpha", 0), ("alpha", .double(.infinity)), ("factor", -0.5),
                           ("all_ops", "yes")] as [(String, ConfigValue)] {
            #expect { try AugMix(config: [key: bad]) } throws: { "\($0)".contains("AugMix") }
        }
    }

    @Test func worksInModels() throws {
        let inputs = Input(shape: [8, 8, 3])
        let outputs = Dense(2)(GlobalAveragePooling2D()(AugMix(seed: 1)(RandAugment(seed: 1)(inputs))))
        let model = try Model(inputs: inputs, outputs: outputs)
        #expect(try model.outputShape == [nil, 2])
        try model.compile(optimizer: "adam", loss: "mse")
        let history = try model.fit(Tensor.randomUniform([8, 8, 8, 3], maxval: 255, seed: 1), Tensor.zeros([8, 2]), batchSize: 4, epochs: 1, verbose: 0)
        #expect(history.history["loss"]?.count == 1)
    }
}
