import Foundation
@testable import Keras
import KerasTestSupport
import Testing

/// RandomInvert, RandomPosterization, Solarization, RandomSharpness, AutoContrast, Equalization
/// and ContrastLimitedAdaptiveHistogramEqualization against `tone_augmentation.json`, written by
/// `Tests/Fixtures/tone_augmentation_generate.py` from Keras 3.15.1 (JAX). Keras's draws come
/// from its own generator, so the random layers are checked on the parameters Keras drew: our
/// transform given them must give Keras's `transform_images` output.
@Suite struct ToneAugmentationTests {
    nonisolated(unsafe) static let fixture: [String: Any] = try! loadFixture("tone_augmentation.json") as! [String: Any]
    static func cases(_ key: String) -> [[String: Any]] { fixture[key] as! [[String: Any]] }
    static func names(_ key: String) -> [String] { cases(key).map { $0["name"] as! String } }
    static func named(_ key: String, _ name: String) -> [String: Any] { cases(key).first { $0["name"] as? String == name }! }
    static func config(_ any: Any?) -> Config { ConfigValue.from(any: any!).objectValue! }
    static func doubles(_ any: Any?) -> [Double] { (any as! [NSNumber]).map(\.doubleValue) }

    static func expectSameConfig(_ ours: Config, _ keras: Config, _ id: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(Set(ours.keys) == Set(keras.keys), "\(id): keys \(ours.keys.sorted()) vs \(keras.keys.sorted())", sourceLocation: sourceLocation)
        for (key, value) in keras {
            #expect(ours[key].map { KerasLayerFixtures.same($0, value) } == true, "\(id).\(key): \(ours[key].map { "\($0)" } ?? "nil") vs \(value)",
                    sourceLocation: sourceLocation)
        }
    }

    /// A small batch of pixels in `[0, 255)`.
    static func images(_ shape: [Int], seed: Int = 4, dtype: DType = .float32) -> Tensor {
        Tensor.randomUniform(shape, minval: 0, maxval: 255, dtype: dtype, seed: seed)
    }

    // MARK: Configs

    @Test func configsMatchKerasAndRoundTrip() throws {
        for c in Self.cases("configs") + Self.cases("random") + Self.cases("fixed") {
            let id = c["name"] as! String, keras = Self.config(c["config"])
            let layer = try makeLayer(className: c["class_name"] as! String, config: keras)
            Self.expectSameConfig(layer.getConfig(), keras, id)
            let copy = try makeLayer(className: layer.className, config: layer.getConfig())
            #expect(ConfigValue.object(copy.getConfig()) == ConfigValue.object(layer.getConfig()), "\(id)")
        }
        // Swift arguments give Keras's configs too.
        let swift: [(String, Layer)] = [
            ("invert_default", RandomInvert()), ("invert_range", RandomInvert(factor: (0.2, 0.7), valueRange: (1, 0), seed: 3)),
            ("posterization", RandomPosterization(4, seed: 1)), ("posterization_pair", RandomPosterization(factor: (6, 2), valueRange: (1, 0))),
            ("solarization_default", Solarization()),
            ("solarization_pair", Solarization(additionFactor: (0.5, 0.1), thresholdFactor: (0, 0.3), valueRange: (0, 1), seed: 2)),
            ("sharpness", RandomSharpness(0.4, seed: 5)), ("sharpness_pair", RandomSharpness(factor: (0.9, 0.1), valueRange: (1, -1))),
            ("auto_contrast", AutoContrast()), ("auto_contrast_range", AutoContrast(valueRange: (1, 0))),
            ("equalization", Equalization()), ("equalization_bins", Equalization(valueRange: (0, 1), bins: 64)),
            ("clahe", ContrastLimitedAdaptiveHistogramEqualization()),
            ("clahe_args", ContrastLimitedAdaptiveHistogramEqualization(valueRange: (0, 1), clipLimit: 2.5, tileGridSize: (2, 3))),
        ]
        for (id, layer) in swift {
            var ours = layer.getConfig(), keras = Self.config(Self.named("configs", id)["config"])
            ours["name"] = nil
            keras["name"] = nil
            Self.expectSameConfig(ours, keras, "swift \(id)")
        }
    }

    // MARK: Random layers, given Keras's draws

    @Test(arguments: names("random"))
    func transformMatchesKerasForKerasDraws(_ name: String) throws {
        let c = Self.named("random", name)
        let layer = try makeLayer(className: c["class_name"] as! String, config: Self.config(c["config"]))
        let x = tensorFromFixture(c["x"]!), expected = tensorFromFixture(c["y"]!)
        let p = c["parameters"] as! [String: Any]
        let y: Tensor
        switch layer {
        case let l as RandomInvert: y = l.invert(x, where: Self.doubles(p["apply_inversion"]).map { $0 != 0 })
        case let l as RandomPosterization: y = l.posterize(x, shifts: Self.doubles(p["shift_factor"]).map { Int($0) })
        case let l as Solarization: y = l.solarize(x, additions: Self.doubles(p["additions"]), thresholds: Self.doubles(p["thresholds"]))
        case let l as RandomSharpness: y = l.sharpen(x, factors: Self.doubles(p["factor"]))
        default: Issue.record("unexpected layer \(layer.className)"); return
        }
        assertClose(y, expected, rtol: 1e-5, atol: 1e-4, name)
    }

    @Test func drawsLieInKerasRanges() {
        let n = 400
        // Posterization keeps k ∈ [low, high) bits: shifts 8 − k; equal ends give that one value.
        let shifts = RandomPosterization(factor: (2, 6), seed: 1).randomShifts(batch: n)
        #expect(Set(shifts) == [3, 4, 5, 6])
        #expect(Set(RandomPosterization(factor: (5, 5), seed: 1).randomShifts(batch: 8)) == [3])
        #expect(Set(RandomPosterization(1, seed: 1).randomShifts(batch: 8)) == [7])
        // Solarization draws from [low, high · 255].
        let (additions, thresholds) = Solarization(additionFactor: (0.1, 0.5), thresholdFactor: (0.2, 0.6), seed: 2).randomParameters(batch: n)
        #expect(additions.allSatisfy { $0 >= 0.1 && $0 < 0.5 * 255 } && additions.max()! > 100)
        #expect(thresholds.allSatisfy { $0 >= 0.2 && $0 < 0.6 * 255 } && thresholds.max()! > 130)
        // Sharpness factors lie in the factor range.
        let factors = RandomSharpness(factor: (0.2, 0.7), seed: 3).randomFactors(batch: n)
        #expect(factors.allSatisfy { $0 >= 0.2 && $0 < 0.7 } && factors.min()! < 0.25 && factors.max()! > 0.65)
        // Inversion: never with p = 0, always with p = 1, about half the time with p = ½.
        #expect(!RandomInvert(factor: (0, 0), seed: 4).randomInversions(batch: n).contains(true))
        #expect(!RandomInvert(factor: (1, 1), seed: 4).randomInversions(batch: n).contains(false))
        let half = RandomInvert(factor: (0.5, 0.5), seed: 4).randomInversions(batch: n).filter { $0 }.count
        #expect((150...250).contains(half))
    }

    @Test func randomLayersAreSeededShapePreservingAndIdentityInInference() {
        let x = Self.images([3, 5, 4, 2])
        let makers: [() -> Layer] = [
            { RandomInvert(0.5, seed: 3) }, { RandomPosterization(6, seed: 3) },
            { Solarization(additionFactor: 0.3, thresholdFactor: (0.2, 0.8), seed: 3) }, { RandomSharpness(0.9, seed: 3) },
        ]
        for make in makers {
            let a = make()(x, training: true)
            #expect(a.shape == x.shape && a.dtype == .float32)
            assertClose(make()(x, training: true), a, rtol: 0, atol: 0)
            assertClose(make()(x), x, rtol: 0, atol: 0)
            assertClose(make()(x[0], training: true), make()(x[0..<1], training: true)[0], rtol: 1e-6, atol: 1e-4)
        }
        // A layer's stream moves on: two training calls differ.
        let sharpen = RandomSharpness(factor: (0, 1), seed: 5)
        #expect(sharpen(x, training: true).doubles != sharpen(x, training: true).doubles)
        // Integer images become float32, in inference too.
        let ints = x.cast(to: .int32)
        for layer in [RandomInvert(seed: 1), RandomPosterization(3, seed: 1), Solarization(seed: 1), RandomSharpness(0.5, seed: 1),
                      AutoContrast(), Equalization(), ContrastLimitedAdaptiveHistogramEqualization(tileGridSize: (2, 2))] as [Layer] {
            #expect(layer(ints).dtype == .float32, "\(layer.className)")
            #expect(layer(ints, training: true).dtype == .float32, "\(layer.className)")
        }
    }

    // MARK: Deterministic layers and degenerate factors

    @Test(arguments: names("fixed"))
    func wholeOutputMatchesKeras(_ name: String) throws {
        let c = Self.named("fixed", name)
        let layer = try makeLayer(className: c["class_name"] as! String, config: Self.config(c["config"]))
        let x = tensorFromFixture(c["x"]!)
        let y = layer(x, training: c["training"] as! Bool)
        assertClose(y, tensorFromFixture(c["y"]!), rtol: 1e-5, atol: name.hasPrefix("clahe") ? 1e-3 : 1e-4, name)
    }

    @Test func equalizationIsIdentityInInferenceWhileTheOthersAlwaysTransform() {
        let x = Self.images([2, 4, 4, 3])
        assertClose(Equalization()(x), x, rtol: 0, atol: 0)
        #expect(Equalization()(x, training: true).doubles != x.doubles)
        for layer in [AutoContrast(), ContrastLimitedAdaptiveHistogramEqualization(tileGridSize: (2, 2))] as [Layer] {
            assertClose(layer(x), layer(x, training: true), rtol: 0, atol: 0)
            #expect(layer(x).doubles != x.doubles)
        }
    }

    // MARK: Gradients

    @Test func differentiableTransformsMatchFiniteDifferences() {
        let x = Tensor.randomUniform([2, 3, 4, 2], minval: 20, maxval: 230, dtype: .float64, seed: 6)
        let makers: [() -> Layer] = [
            { RandomInvert(factor: (0.5, 0.5), seed: 2, dtype: .float64) },
            { Solarization(additionFactor: (0, 0.1), thresholdFactor: (0.3, 0.7), seed: 2, dtype: .float64) },
            { RandomSharpness(factor: (0.1, 0.9), seed: 2, dtype: .float64) },
            { AutoContrast(dtype: .float64) },
        ]
        // One fresh seeded layer per evaluation: the same draws every time.
        for make in makers {
            checkGradients([x], rtol: 1e-5, atol: 1e-6) { xs in make()(xs[0], training: true) }
        }
        // The bit-shift and histogram kernels are preprocessing, as in Keras: their outputs are not
        // recorded for differentiation.
        for layer in [RandomPosterization(4, seed: 1, dtype: .float64), Equalization(dtype: .float64),
                      ContrastLimitedAdaptiveHistogramEqualization(tileGridSize: (2, 2), dtype: .float64)] as [Layer] {
            let tape = GradientTape()
            let watched = tape.watch(x)
            let y = tape.record { layer(watched, training: true) }
            #expect(!y.isRecorded && y.dtype == .float64, "\(layer.className)")
        }
    }

    // MARK: Arguments

    @Test func badArgumentsThrowNamingTheLayer() {
        func configError(_ className: String, _ config: Config) -> String? {
            do { _ = try makeLayer(className: className, config: config); return nil } catch { return "\(error)" }
        }
        let bad: [(String, Config, String)] = [
            ("RandomInvert", ["factor": 2], "factor"), ("RandomInvert", ["factor": [0.2]], "factor"),
            ("RandomInvert", ["factor": .double(.nan)], "factor"), ("RandomInvert", ["value_range": [1]], "value_range"),
            ("RandomPosterization", [:], "factor"), ("RandomPosterization", ["factor": 9], "factor"),
            ("RandomPosterization", ["factor": 0], "factor"), ("RandomPosterization", ["factor": 3, "value_range": [2, 2]], "value_range"),
            ("Solarization", ["addition_factor": 1.5], "addition_factor"), ("Solarization", ["threshold_factor": [0.1, -0.2]], "threshold_factor"),
            ("Solarization", ["threshold_factor": "high"], "threshold_factor"),
            ("Solarization", ["value_range": [0, .double(.infinity)]], "value_range"),
            ("RandomSharpness", [:], "factor"), ("RandomSharpness", ["factor": -0.5], "factor"),
            ("AutoContrast", ["value_range": "0-255"], "value_range"), ("AutoContrast", ["value_range": [1, 1]], "value_range"),
            ("Equalization", ["bins": 0], "bins"), ("Equalization", ["bins": 2.5], "bins"),
            ("Equalization", ["bins": 100_000], "bins"),
            ("ContrastLimitedAdaptiveHistogramEqualization", ["tile_grid_size": [2000, 2]], "tile_grid_size"),
            ("ContrastLimitedAdaptiveHistogramEqualization", ["tile_grid_size": [0, 2]], "tile_grid_size"),
            ("ContrastLimitedAdaptiveHistogramEqualization", ["tile_grid_size": [2, 2, 2]], "tile_grid_size"),
            ("ContrastLimitedAdaptiveHistogramEqualization", ["clip_limit": "x"], "clip_limit"),
            ("ContrastLimitedAdaptiveHistogramEqualization", ["clip_limit": .double(.nan)], "clip_limit"),
            ("AutoContrast", ["data_format": "channels_first"], "channels_last"),
        ]
        for (className, config, word) in bad {
            let message = configError(className, config)
            #expect(message?.contains(word) == true && message?.contains(className) == true, "\(className) \(config): \(message ?? "no error")")
        }
        // Wrong ranks are errors naming the layer, symbolically and eagerly.
        let wrong = AutoContrast()(Input(shape: [4]))
        #expect(wrong.error.map { "\($0)" }?.contains("AutoContrast") == true)
        #expect(throws: KerasError.self) { try Equalization().callChecked(Tensor.ones([2, 4])) }
    }

    // MARK: Models

    @Test func layersRunInModelsSummariesAndSavedFiles() throws {
        // Keras's Sequential (to_json) loads with the same layers and symbolic shape.
        let models = Self.fixture["models"] as! [String: Any]
        let json = String(data: try JSONSerialization.data(withJSONObject: models["json"]!), encoding: .utf8)!
        let loaded = try modelFromJSON(json)
        #expect(loaded.layers.map(\.className) == ["AutoContrast", "RandomInvert", "RandomPosterization", "Solarization", "RandomSharpness",
                                                    "ContrastLimitedAdaptiveHistogramEqualization"])
        let x = Self.images([2, 6, 6, 3])
        #expect(try loaded.predict(x, verbose: 0).shape == [2, 6, 6, 3])
        var text = ""
        loaded.summary { text += $0 }
        #expect(text.contains("auto_contrast") && text.contains("(None, 6, 6, 3)"))

        // A functional model with every layer, saved to `.keras` and loaded back.
        let input = Input(shape: [6, 6, 3])
        var h = AutoContrast()(input)
        for layer in [RandomInvert(seed: 1), RandomPosterization(4, seed: 2), Solarization(seed: 3), RandomSharpness(0.5, seed: 4),
                      Equalization(), ContrastLimitedAdaptiveHistogramEqualization(tileGridSize: (3, 3))] as [Layer] {
            h = layer(h)
        }
        #expect(h.shape == [nil, 6, 6, 3])
        let model = try Model(inputs: input, outputs: h)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swift-keras-tone-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try model.save(to: dir + "/m.keras")
        let back = try loadModel(dir + "/m.keras")
        assertClose(try back.predict(x, verbose: 0), try model.predict(x, verbose: 0), rtol: 0, atol: 0)
        #expect(back.layers.compactMap { $0 as? ContrastLimitedAdaptiveHistogramEqualization }.first.map { $0.tileGridSize == (3, 3) } == true)
    }
}
