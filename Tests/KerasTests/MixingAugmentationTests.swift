import Foundation
@testable import Keras
import KerasTestSupport
import Testing

/// MixUp, CutMix and Pipeline against `mixing_augmentation.json` and `pipeline.keras`, written by
/// `Tests/Fixtures/mixing_augmentation_generate.py` from Keras 3.15.1 (JAX). Keras's draws come
/// from its own generator, so the fixture holds explicit transformations and what Keras's
/// `transform_images` / `transform_labels` make of them.
@Suite struct MixingAugmentationTests {
    nonisolated(unsafe) static let fixture: [String: Any] = try! loadFixture("mixing_augmentation.json") as! [String: Any]
    static func cases(_ key: String) -> [[String: Any]] { fixture[key] as! [[String: Any]] }
    static func config(_ any: Any?) -> Config { ConfigValue.from(any: any!).objectValue! }
    static func ints(_ any: Any?) -> [Int] { (any as! [NSNumber]).map(\.intValue) }
    static func doubles(_ any: Any?) -> [Double] { (any as! [NSNumber]).map(\.doubleValue) }

    static func expectSameConfig(_ ours: Config, _ keras: Config, _ id: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(Set(ours.keys) == Set(keras.keys), "\(id): keys \(ours.keys.sorted()) vs \(keras.keys.sorted())", sourceLocation: sourceLocation)
        for (key, value) in keras {
            #expect(ours[key].map { KerasLayerFixtures.same($0, value) } == true, "\(id).\(key): \(ours[key].map { "\($0)" } ?? "nil") vs \(value)",
                    sourceLocation: sourceLocation)
        }
    }

    @Test func configsMatchKerasAndRoundTrip() throws {
        for c in Self.cases("configs") {
            let keras = Self.config(c["config"])
            let layer = try makeLayer(className: c["class_name"] as! String, config: keras)
            Self.expectSameConfig(layer.getConfig(), keras, c["class_name"] as! String)
            let copy = try makeLayer(className: layer.className, config: layer.getConfig())
            #expect(ConfigValue.object(copy.getConfig()) == ConfigValue.object(layer.getConfig()))
        }
        // The Swift arguments give Keras's configs.
        Self.expectSameConfig(MixUp(alpha: 0.5, seed: 3, name: "mix").getConfig(), Self.config(Self.cases("configs")[1]["config"]), "MixUp")
        Self.expectSameConfig(CutMix(factor: (0.8, 0.2), name: "cut_mix_2").getConfig(), Self.config(Self.cases("configs")[4]["config"]), "CutMix")
    }

    @Test func mixUpBlendsAsKeras() throws {
        let layer = MixUp()
        for c in Self.cases("mixup") {
            let t = MixUp.Transformation(mixWeight: Self.doubles(c["mix_weight"]), permutation: Self.ints(c["permutation"]))
            assertClose(layer.blend(tensorFromFixture(c["images"]!), t), tensorFromFixture(c["y"]!), rtol: 1e-5, atol: 1e-4)
            assertClose(layer.blend(tensorFromFixture(c["labels"]!), t), tensorFromFixture(c["mixed_labels"]!), rtol: 1e-5, atol: 1e-6)
        }
    }

    @Test func cutMixPastesBoxesAsKeras() throws {
        let layer = CutMix()
        for c in Self.cases("cutmix") {
            let (x0, x1, y0, y1) = (Self.doubles(c["x0"]), Self.doubles(c["x1"]), Self.doubles(c["y0"]), Self.doubles(c["y1"]))
            let boxes = (0..<x0.count).map { (x0: x0[$0], x1: x1[$0], y0: y0[$0], y1: y1[$0]) }
            let t = CutMix.Transformation(boxes: boxes, permutation: Self.ints(c["permutation"]))
            let images = tensorFromFixture(c["images"]!)
            assertClose(layer.paste(images, t), tensorFromFixture(c["y"]!), rtol: 0, atol: 0)
            assertClose(t.keptFraction(height: images.shape[1], width: images.shape[2]), Self.doubles(c["mix_weight"]), rtol: 1e-6, atol: 1e-7)
            assertClose(layer.mixLabels(tensorFromFixture(c["labels"]!), t, height: images.shape[1], width: images.shape[2]),
                        tensorFromFixture(c["mixed_labels"]!), rtol: 1e-5, atol: 1e-6)
        }
    }

    /// In inference both return their input's values; ours as the layer's float dtype (Keras's
    /// MixUp passes an int tensor through unconverted, its CutMix converts it).
    @Test func inferenceReturnsTheInput() throws {
        for c in Self.cases("inference") {
            let layer = try makeLayer(className: c["class_name"] as! String, config: [:])
            let x = tensorFromFixture(c["x"]!).cast(to: .int32)
            let y = try layer.callChecked(x)
            #expect(y.dtype == .float32)
            assertClose(y, tensorFromFixture(c["y"]!), rtol: 0, atol: 0)
        }
        let single = Tensor.randomUniform([4, 4, 3], seed: 1)
        assertClose(MixUp(seed: 1)(single, training: true), single, rtol: 0, atol: 0)
        assertClose(CutMix(seed: 1)(single, training: true), single, rtol: 0, atol: 0)
    }

    /// Training draws: Beta weights and a permutation per batch; each output image is a blend of
    /// two input images (MixUp) or pixels of two (CutMix); a seed makes the draws repeat.
    @Test func trainingDrawsAreKerasShapedAndSeeded() throws {
        let images = Tensor.randomUniform([6, 5, 7, 2], maxval: 255, seed: 2)
        let mixUp = MixUp(alpha: 0.2, seed: 4)
        let t = mixUp.randomTransformation(batch: 6)
        #expect(t.permutation.sorted() == Array(0..<6))
        #expect(t.mixWeight.allSatisfy { $0 >= 0 && $0 <= 1 })
        assertClose(MixUp(alpha: 0.2, seed: 4)(images, training: true), MixUp(alpha: 0.2, seed: 4)(images, training: true), rtol: 0, atol: 0)

        let cutMix = CutMix(0.5, seed: 9)
        for _ in 0..<20 {
            let c = cutMix.randomTransformation(batch: 6, height: 5, width: 7)
            #expect(c.permutation.sorted() == Array(0..<6))
            for b in c.boxes {
                #expect(b.x0 >= 0 && b.x1 <= 7 + 1e-9 && b.x0 <= b.x1 && b.y0 >= 0 && b.y1 <= 5 + 1e-9 && b.y0 <= b.y1)
            }
        }
        let y = CutMix(seed: 3)(images, training: true)
        #expect(y.shape == images.shape)
        // Every output pixel comes from the same position of some input image.
        let (xs, ys) = (images.doubles, y.doubles)
        let pixel = 5 * 7 * 2
        for i in 0..<ys.count {
            let offset = i % pixel
            #expect((0..<6).contains { xs[$0 * pixel + offset] == ys[i] })
        }
        assertClose(y, CutMix(seed: 3)(images, training: true), rtol: 0, atol: 0)
    }

    @Test func mixUpWeightsFollowTheBetaDistribution() {
        let weights = MixUp(alpha: 0.4, seed: 5).randomTransformation(batch: 20_000).mixWeight
        let mean = weights.reduce(0, +) / Double(weights.count)
        let variance = weights.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(weights.count)
        #expect(abs(mean - 0.5) < 0.01)
        #expect(abs(variance - 1 / (4 * (2 * 0.4 + 1))) < 0.005)   // Beta(a, a): 1 / (4(2a + 1))
    }

    @Test func mixTakesLabelsAndRejectsBadShapes() throws {
        let images = Tensor.randomUniform([4, 3, 3, 1], seed: 1)
        let labels = Tensor(shape: [4], doubles: [0, 1, 2, 1], dtype: .int32).oneHot(depth: 3)
        for layer in [MixUp(seed: 1), CutMix(seed: 1)] as [RandomImageLayer] {
            let (x, y) = try layer is MixUp ? (layer as! MixUp).mix(images: images, labels: labels) : (layer as! CutMix).mix(images: images, labels: labels)
            #expect(x.shape == images.shape && y.shape == labels.shape)
            assertClose(y.sum(axes: [1]), Tensor.ones([4]), rtol: 1e-6, atol: 1e-6)
        }
        #expect(throws: KerasError.self) { try MixUp().mix(images: images, labels: Tensor.zeros([3, 3])) }
        #expect(throws: KerasError.self) { try CutMix().mix(images: Tensor.zeros([3, 3, 1]), labels: Tensor.zeros([3, 3])) }
    }

    @Test func gradientsFlowThroughTheMixing() {
        let images = Tensor.randomUniform([3, 2, 3, 1], seed: 6).cast(to: .float64)
        let mixUp = MixUp(alpha: 0.5, seed: 1, dtype: .float64)
        let t = mixUp.randomTransformation(batch: 3)
        checkGradients([images]) { xs in mixUp.blend(xs[0], t) }
        let cutMix = CutMix(seed: 1, dtype: .float64)
        let c = CutMix.Transformation(boxes: [(0.5, 2.5, 0, 1.5), (0, 3, 0, 2), (1, 1, 0, 0)], permutation: [2, 0, 1])
        checkGradients([images]) { xs in cutMix.paste(xs[0], c) }
    }

    @Test func badArgumentsAndConfigsThrow() {
        for bad: ConfigValue in [-1, 0, .double(.nan), .double(.infinity), "x"] {
            #expect(throws: KerasError.self) { try MixUp(config: ["alpha": bad]) }
        }
        for bad: ConfigValue in [1.5, -0.1, [0.5], [2, 3], .double(.nan), "x"] {
            #expect(throws: KerasError.self) { try CutMix(config: ["factor": bad]) }
        }
        #expect(throws: KerasError.self) { try Pipeline(config: ["layers": "Dense"]) }
        #expect(throws: KerasError.self) { try Pipeline(config: ["layers": []]) }
        #expect(throws: KerasError.self) { try Pipeline(config: ["layers": [["class_name": "NoSuchLayer", "config": [:]]]]) }
    }

    // MARK: Pipeline

    @Test func pipelineConfigIsKerasAndRebuildsTheLayers() throws {
        let keras = Self.config((Self.fixture["pipeline"] as! [String: Any])["config"])
        let pipeline = try Pipeline(config: keras)
        #expect(pipeline.layers.map(\.className) == ["Rescaling", "Dense", "RandomFlip"])
        #expect(Set(pipeline.getConfig().keys) == ["layers", "name"])
        #expect(pipeline.getConfig()["name"] == "pipe")
        let copy = try Pipeline(config: pipeline.getConfig())
        #expect(ConfigValue.object(copy.getConfig()) == ConfigValue.object(pipeline.getConfig()))
    }

    @Test func aKerasFileWithAPipelineLoadsAndPredicts() throws {
        let fixture = Self.fixture["pipeline"] as! [String: Any]
        let model = try loadModel(fixturesDirectory.appendingPathComponent("pipeline.keras").path)
        assertClose(try model.predict(tensorFromFixture(fixture["x"]!), verbose: 0), tensorFromFixture(fixture["y"]!), rtol: 1e-5, atol: 1e-6)
        var text = ""
        model.summary { text += $0 }
        #expect(text.trimmingCharacters(in: .whitespacesAndNewlines) == (fixture["summary"] as! String).trimmingCharacters(in: .whitespacesAndNewlines))
        let pipeline = try #require(model.layers.first { $0 is Pipeline })
        #expect(pipeline.countParams() == fixture["count_params"] as! Int)

        // Saved by us, it loads with the same weights.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swift-keras-pipeline-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try model.save(to: dir + "/m.keras")
        let back = try loadModel(dir + "/m.keras")
        assertClose(try back.predict(tensorFromFixture(fixture["x"]!), verbose: 0), tensorFromFixture(fixture["y"]!), rtol: 1e-5, atol: 1e-6)
    }

    @Test func pipelineRunsItsLayersInOrderWithTraining() throws {
        let pipeline = Pipeline([Rescaling(2, offset: 1), RandomFlip(.horizontal, seed: 1)])
        let x = Tensor.randomUniform([2, 3, 4, 1], seed: 3)
        assertClose(pipeline(x), x * 2 + 1, rtol: 0, atol: 1e-6)
        let trained = pipeline(x, training: true)
        #expect(trained.shape == x.shape)
        // Symbolic: a shape a layer cannot take is an error naming it, not a stop.
        let bad = Pipeline([Dense(3), CenterCrop(4, 4)])
        #expect(throws: KerasError.self) { _ = try Model(inputs: Input(shape: [5]), outputs: bad(Input(shape: [5]))) }
        // Masks reach the layers inside.
        let masked = Pipeline([Embedding(inputDim: 5, outputDim: 2, maskZero: true), LSTM(3)])
        let ids = Tensor(shape: [2, 4], doubles: [1, 2, 0, 0, 3, 0, 0, 0], dtype: .int32)
        let direct = masked.layers[1](masked.layers[0](ids), mask: masked.layers[0].computeMask(ids, mask: nil))
        assertClose(masked(ids), direct, rtol: 0, atol: 0)
    }
}
