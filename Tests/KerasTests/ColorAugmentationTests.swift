import Foundation
@testable import Keras
import KerasTestSupport
import Testing

/// RandomGrayscale, RandomHue, RandomSaturation, RandomColorDegeneration and RandomColorJitter
/// against `color_augmentation.json`, written by `Tests/Fixtures/color_augmentation_generate.py`
/// from Keras 3.15.1 (JAX). Keras's random draws come from JAX's generator, so the fixture holds
/// each layer's deterministic transform for given parameters; the draws are checked against
/// Keras's distributions here.
@Suite struct ColorAugmentationTests {
    nonisolated(unsafe) static let fixture: [String: Any] = try! loadFixture("color_augmentation.json") as! [String: Any]

    static func cases(_ key: String) -> [[String: Any]] { fixture[key] as! [[String: Any]] }
    static func names(_ key: String) -> [String] { cases(key).map { $0["name"] as! String } }
    static func named(_ key: String, _ name: String) -> [String: Any] { cases(key).first { $0["name"] as? String == name }! }
    static func config(_ any: Any?) -> Config { ConfigValue.from(any: any!).objectValue! }
    static func input(_ name: Any?) -> Tensor { tensorFromFixture((fixture["inputs"] as! [String: Any])[name as! String]!) }
    static func doubles(_ any: Any?) -> [Double] { flattenNumbers(any!) }

    /// `ours` has exactly Keras's keys and values (numbers compared numerically).
    static func expectSameConfig(_ ours: Config, _ keras: Config, _ id: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(Set(ours.keys) == Set(keras.keys), "\(id): keys \(ours.keys.sorted()) vs \(keras.keys.sorted())", sourceLocation: sourceLocation)
        for (key, value) in keras {
            #expect(ours[key].map { same($0, value) } == true, "\(id).\(key): \(ours[key].map { "\($0)" } ?? "nil") vs \(value)",
                    sourceLocation: sourceLocation)
        }
    }

    /// Config values equal, numbers compared numerically.
    static func same(_ a: ConfigValue, _ b: ConfigValue) -> Bool {
        if let x = a.doubleValue, let y = b.doubleValue { return Swift.abs(x - y) <= 1e-9 * Swift.max(1, Swift.abs(y)) }
        if let x = a.arrayValue, let y = b.arrayValue { return x.count == y.count && zip(x, y).allSatisfy(same) }
        return a == b
    }

    /// Images in [0, 255] with a fixed pattern.
    static func images(_ shape: [Int], dtype: DType = .float32) -> Tensor {
        Tensor.randomUniform(shape, minval: 0, maxval: 255, dtype: dtype, seed: 21)
    }

    // MARK: Configs and arguments

    /// Keras's config loads and is written back unchanged; the same layer built from Swift
    /// arguments writes the same config (apart from its name).
    @Test(arguments: names("configs"))
    func configsMatchKeras(_ name: String) throws {
        let c = Self.named("configs", name)
        let kerasConfig = Self.config(c["config"])
        let loaded = try makeLayer(className: c["class_name"] as! String, config: kerasConfig)
        Self.expectSameConfig(loaded.getConfig(), kerasConfig, name)
        let swift: Layer = switch name {
        case "grayscale_default": RandomGrayscale()
        case "grayscale_factor": RandomGrayscale(0.3, seed: 4)
        case "hue_number": RandomHue(0.4, seed: 1)
        case "hue_pair": RandomHue(factor: (0.1, 0.6), valueRange: (0, 1))
        case "saturation_number": RandomSaturation(0.5, seed: 2)
        case "saturation_pair": RandomSaturation(factor: (0.6, 0.2), valueRange: (1, 0))
        case "degeneration_number": RandomColorDegeneration(0.3)
        case "degeneration_pair": RandomColorDegeneration(factor: (0.2, 0.8), valueRange: (0, 1), seed: 9)
        case "jitter_default": RandomColorJitter()
        default: RandomColorJitter(valueRange: (0, 1), brightnessFactor: 0.2, contrastFactor: .range(0.1, 0.4),
                                   saturationFactor: .range(0.3, 0.7), hueFactor: 0.1, seed: 5)
        }
        var expected = kerasConfig
        expected["name"] = .string(swift.name)
        Self.expectSameConfig(swift.getConfig(), expected, name + " (Swift)")
    }

    /// Every argument Keras accepts loads, every one it rejects throws `KerasError` naming the
    /// layer; non-finite numbers and reversed ranges where Keras would compute garbage throw too.
    @Test func validationFollowsKeras() throws {
        for c in Self.cases("validation") {
            let className = c["class_name"] as! String
            let kwargs = ConfigValue.from(any: c["kwargs"]!).objectValue!
            let ok = c["ok"] as! Bool
            do {
                _ = try makeLayer(className: className, config: kwargs)
                #expect(ok, "\(className) \(kwargs) loads, Keras says: \(c["message"] ?? "")")
            } catch let error as KerasError {
                #expect(!ok, "\(className) \(kwargs): \(error)")
                #expect("\(error)".contains(className), "\(error)")
            }
        }
        let stricter: [(String, Config, String)] = [
            ("RandomGrayscale", ["factor": .double(.nan)], "factor"),
            ("RandomGrayscale", ["factor": [0.1, 0.2]], "factor"),
            ("RandomHue", ["factor": .double(.infinity)], "factor"),
            ("RandomHue", [:], "factor"),
            ("RandomHue", ["factor": 0.1, "value_range": [255, 0]], "value_range"),
            ("RandomSaturation", ["factor": [0.1, .double(.nan)]], "factor"),
            ("RandomSaturation", ["factor": 0.1, "value_range": [0, .double(.infinity)]], "value_range"),
            ("RandomColorDegeneration", ["factor": 0.1, "value_range": [3, 3]], "value_range"),
            ("RandomColorJitter", ["hue_factor": .double(.nan)], "hue_factor"),
            ("RandomColorJitter", ["contrast_factor": "x"], "contrast_factor"),
            ("RandomColorJitter", ["value_range": [1, 0]], "value_range"),
            ("RandomColorJitter", ["data_format": "channels_first"], "data_format"),
        ]
        for (className, config, key) in stricter {
            #expect(throws: KerasError.self, "\(className) \(config)") { try makeLayer(className: className, config: config) }
            do { _ = try makeLayer(className: className, config: config) } catch {
                #expect("\(error)".contains(className) && "\(error)".contains(key), "\(error)")
            }
        }
        // Reversed ranges are sorted where Keras sorts them.
        #expect(RandomSaturation(0.1, valueRange: (255, 0)).valueRange == (0, 255))
        #expect(RandomColorDegeneration(0.1, valueRange: (1, 0)).valueRange == (0, 1))
    }

    // MARK: Deterministic transforms

    /// Our transform applied with Keras's transformation gives Keras's `transform_images`.
    @Test(arguments: names("transforms"))
    func transformsMatchKeras(_ name: String) throws {
        let c = Self.named("transforms", name)
        let layer = try makeLayer(className: c["class_name"] as! String, config: Self.config(c["config"]))
        let x = Self.input(c["input"])
        let t = c["transformation"] as! [String: Any]
        let y: Tensor
        switch layer {
        case let l as RandomGrayscale: y = l.transform(x, apply: Self.doubles(t["apply"]).map { $0 != 0 })
        case let l as RandomHue: y = l.transform(x, shifts: Self.doubles(t["factor"]))
        case let l as RandomSaturation: y = l.transform(x, multipliers: Self.doubles(t["factor"]))
        case let l as RandomColorDegeneration: y = l.transform(x, factors: Self.doubles(t["factor"]))
        default: Issue.record("unexpected layer \(layer)"); return
        }
        let expected = tensorFromFixture(c["y"]!)
        #expect(y.dtype == .float32)
        assertClose(y, expected, rtol: 1e-5, atol: 1e-4, name)
    }

    /// Calls whose output does not depend on the draws (grayscale with factor 1 or 0, fixed
    /// ranges, hue factor 0) and inference calls give Keras's outputs.
    @Test(arguments: names("calls"))
    func callsMatchKeras(_ name: String) throws {
        let c = Self.named("calls", name)
        let layer = try makeLayer(className: c["class_name"] as! String, config: Self.config(c["config"]))
        let x = Self.input(c["input"])
        let training = c["training"] as! Bool
        let y = layer(x, training: training)
        #expect(y.dtype.rawValue == c["y_dtype"] as? String)
        assertClose(y, tensorFromFixture(c["y"]!), rtol: 1e-5, atol: 1e-4, name)
        if !training { #expect(y.doubles == x.doubles, "\(name): inference returns the input") }
    }

    /// RandomColorJitter's steps replayed with Keras's parameters through its sub-layers.
    @Test func jitterPipelineMatchesKeras() throws {
        let c = Self.fixture["jitter"] as! [String: Any]
        let layer = try makeLayer(className: "RandomColorJitter", config: Self.config(c["config"])) as! RandomColorJitter
        let p = c["params"] as! [String: Any]
        let parameters = RandomColorJitter.Parameters(brightness: Self.doubles(p["brightness"]), contrast: Self.doubles(p["contrast"]),
                                                      saturation: Self.doubles(p["saturation"]), hue: Self.doubles(p["hue"]))
        assertClose(layer.transform(Self.input(c["input"]), parameters), tensorFromFixture(c["y"]!), rtol: 1e-5, atol: 1e-4)
    }

    // MARK: Random draws

    /// The drawn parameters follow Keras's distributions and ranges.
    @Test func drawnParametersFollowKerasRanges() {
        let n = 400
        let gray = RandomGrayscale(0.3, seed: 1).randomTransformation(batch: n)
        let share = Double(gray.filter { $0 }.count) / Double(n)
        #expect(share > 0.2 && share < 0.4, "\(share)")
        #expect(!RandomGrayscale(0, seed: 1).randomTransformation(batch: n).contains(true))
        #expect(!RandomGrayscale(1, seed: 1).randomTransformation(batch: n).contains(false))

        // Hue: ±u/2 with u in the factor range, both signs.
        let shifts = RandomHue(factor: (0.2, 0.6), seed: 2).randomTransformation(batch: n)
        #expect(shifts.allSatisfy { abs($0) >= 0.1 && abs($0) <= 0.3 })
        #expect(shifts.contains { $0 < 0 } && shifts.contains { $0 > 0 })
        #expect(RandomHue(0.4, seed: 2).randomTransformation(batch: n).allSatisfy { abs($0) <= 0.2 })

        // Saturation: m = f / (1 − f + 1e-7), so f = m (1 + 1e-7) / (1 + m) lies in [−0.5, 0.5].
        let multipliers = RandomSaturation(0.5, seed: 3).randomTransformation(batch: n)
        let fs = multipliers.map { $0 * (1 + 1e-7) / (1 + $0) }
        #expect(fs.allSatisfy { $0 >= -0.5 - 1e-9 && $0 <= 0.5 + 1e-9 })
        #expect(fs.contains { $0 < -0.3 } && fs.contains { $0 > 0.3 })

        let blends = RandomColorDegeneration(factor: (0.2, 0.7), seed: 4).randomTransformation(batch: n)
        #expect(blends.allSatisfy { $0 >= 0.2 && $0 <= 0.7 })

        let jitter = RandomColorJitter(valueRange: (0, 1), brightnessFactor: 0.2, contrastFactor: 0.3, seed: 5)
        let p = jitter.randomTransformation(batch: n)
        #expect(p.saturation == nil && p.hue == nil)
        #expect(p.brightness!.allSatisfy { $0 >= -0.2 && $0 <= 0.2 })
        #expect(p.contrast!.allSatisfy { $0 >= 1 && $0 <= 1.3 })
        let full = RandomColorJitter(brightnessFactor: .range(0.1, 0.1), contrastFactor: .range(0.2, 0.5), saturationFactor: .range(0.5, 0.5),
                                     hueFactor: .range(0.4, 0.4), seed: 6).randomTransformation(batch: 8)
        #expect(full.brightness!.allSatisfy { abs($0 - 25.5) < 1e-9 })
        #expect(full.contrast!.allSatisfy { $0 >= 0.8 && $0 <= 1.5 })
        #expect(full.saturation!.allSatisfy { abs($0 - 1) < 1e-6 })
        #expect(full.hue!.allSatisfy { abs(abs($0) - 0.2) < 1e-12 })
    }

    /// Training outputs keep the input shape (rank 3 and 4), stay in `valueRange` where Keras
    /// clips, repeat for the same seed, and integer images come out as float.
    @Test func trainingOutputsAreSeededShapedAndClipped() {
        let batch = Self.images([3, 4, 5, 3]), single = Self.images([4, 5, 3])
        let makers: [(String, () -> Layer, Bool)] = [
            ("grayscale", { RandomGrayscale(seed: 7) }, true),
            ("hue", { RandomHue(0.5, seed: 7) }, true),
            ("saturation", { RandomSaturation(factor: (0.2, 0.8), seed: 7) }, false),
            ("degeneration", { RandomColorDegeneration(0.9, seed: 7) }, true),
            ("jitter", { RandomColorJitter(brightnessFactor: 0.3, contrastFactor: 0.5, saturationFactor: .range(0.3, 0.6),
                                           hueFactor: 0.3, seed: 7) }, true),
        ]
        for (name, make, clipped) in makers {
            for x in [batch, single] {
                let y = make()(x, training: true)
                #expect(y.shape == x.shape, "\(name)")
                #expect(y.doubles == make()(x, training: true).doubles, "\(name): same seed, same output")
                if clipped { #expect(y.doubles.allSatisfy { $0 >= 0 && $0 <= 255 }, "\(name)") }
            }
            let layer = make()
            let first = layer(batch, training: true), second = layer(batch, training: true)
            #expect(first.doubles != second.doubles || name == "grayscale", "\(name): the stream moves on")
            let ints = make()(batch.cast(to: .int32), training: true)
            #expect(ints.dtype == .float32, "\(name)")
        }
        // Grayscale output has equal channels where applied; saturation 0 gives gray too.
        let grayImages = RandomGrayscale(1)(batch, training: true)
        let pixels = grayImages.doubles
        let equalChannels = stride(from: 0, to: pixels.count, by: 3).allSatisfy { (i: Int) -> Bool in
            pixels[i] == pixels[i + 1] && pixels[i] == pixels[i + 2]
        }
        #expect(equalChannels)
        let desaturated = RandomSaturation(factor: (0, 0), seed: 1)(batch, training: true).doubles
        let values = batch.doubles
        let maxima: [Double] = stride(from: 0, to: values.count, by: 3).flatMap { (i: Int) -> [Double] in
            let m = Swift.max(values[i], values[i + 1], values[i + 2])
            return [m, m, m]
        }
        assertClose(desaturated, maxima, rtol: 1e-6)
        // float64 layers compute in float64.
        #expect(RandomHue(0.3, seed: 1, dtype: .float64)(batch, training: true).dtype == .float64)
    }

    // MARK: Gradients, models, saving

    /// RandomGrayscale and RandomColorDegeneration are tensor ops: their gradients match finite
    /// differences (fresh seeded layers, so every evaluation makes the same draws).
    @Test func gradientsMatchFiniteDifferences() {
        let x = Tensor.randomUniform([2, 3, 2, 3], minval: 20, maxval: 230, dtype: .float64, seed: 8)
        checkGradients([x]) { xs in RandomGrayscale(seed: 2, dtype: .float64)(xs[0], training: true) }
        checkGradients([x]) { xs in RandomColorDegeneration(factor: (0.1, 0.6), seed: 2, dtype: .float64)(xs[0], training: true) }
        checkGradients([x]) { xs in RandomColorJitter(brightnessFactor: .range(0.05, 0.05), contrastFactor: 0.3, seed: 2,
                                                      dtype: .float64)(xs[0], training: true) }
    }

    @Test func layerContract() throws {
        try runLayerTest({ RandomGrayscale(seed: 1, dtype: $0) }, inputShapes: [[1, 3, 3, 3]], expectedOutputShape: [1, 3, 3, 3])
        try runLayerTest({ RandomHue(0.3, seed: 1, dtype: $0) }, inputShapes: [[2, 3, 2, 3]], expectedOutputShape: [2, 3, 2, 3])
        try runLayerTest({ RandomSaturation(0.3, seed: 1, dtype: $0) }, inputShapes: [[1, 3, 3, 3]], expectedOutputShape: [1, 3, 3, 3])
        try runLayerTest({ RandomColorDegeneration(0.3, seed: 1, dtype: $0) }, inputShapes: [[1, 3, 3, 3]], expectedOutputShape: [1, 3, 3, 3])
        try runLayerTest({ RandomColorJitter(brightnessFactor: 0.2, hueFactor: 0.2, seed: 1, dtype: $0) }, inputShapes: [[1, 3, 3, 3]],
                         expectedOutputShape: [1, 3, 3, 3])
    }

    /// Symbolic calls check the channels; the layers work in Sequential and Functional models,
    /// appear in the summary, and survive a `.keras` round trip.
    @Test func modelsSummaryAndSaving() throws {
        #expect(RandomHue(0.2)(Input(shape: [4, 4, 2])).error != nil)
        #expect(RandomColorDegeneration(0.2)(Input(shape: [4, 4, 1])).error != nil)
        #expect(RandomGrayscale()(Input(shape: [4, 4, 1])).error == nil)
        #expect(RandomColorJitter(brightnessFactor: 0.1)(Input(shape: [4, 4, 5])).error == nil)
        #expect(throws: KerasError.self) { try RandomSaturation(0.2).callChecked(Tensor.ones([1, 4, 4, 4])) }
        #expect(throws: KerasError.self) { try RandomGrayscale().callChecked(Tensor.ones([4, 4])) }

        let augment: [Layer] = [RandomGrayscale(0.5, seed: 1), RandomHue(0.2, seed: 2), RandomSaturation(0.3, seed: 3),
                                RandomColorDegeneration(0.4, seed: 4), RandomColorJitter(brightnessFactor: 0.1, saturationFactor: 0.2, seed: 5)]
        let sequential = Sequential([InputLayer(shape: [4, 5, 3])] + augment + [Flatten(), Dense(2)])
        var text = ""
        sequential.summary { text += $0 }
        for layer in augment { #expect(text.contains(layer.name) && text.contains(layer.className)) }
        let x = Self.images([2, 4, 5, 3])
        #expect(sequential(x, training: true).shape == [2, 2])

        let input = Input(shape: [4, 5, 3])
        var h = input
        for layer in [RandomGrayscale(seed: 1), RandomHue(0.2, seed: 2), RandomSaturation(0.3, seed: 3),
                      RandomColorDegeneration(0.4, seed: 4), RandomColorJitter(contrastFactor: 0.2, hueFactor: 0.1, seed: 5)] as [Layer] {
            h = layer(h)
            #expect(h.error == nil && h.shape == [nil, 4, 5, 3])
        }
        let functional = try Model(inputs: input, outputs: Dense(1)(Flatten()(h)))
        #expect(functional(x, training: true).shape == [2, 1])

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swift-keras-color-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (i, model) in [sequential as Model, functional].enumerated() {
            let path = dir + "/color\(i).keras"
            try model.save(to: path)
            let loaded = try loadModel(path)
            #expect(loaded.toJSON() == model.toJSON())
            assertClose(try loaded.predict(x, verbose: 0), try model.predict(x, verbose: 0), rtol: 0, atol: 0)
        }
    }
}
