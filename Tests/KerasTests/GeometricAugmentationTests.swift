import Foundation
@testable import Keras
import KerasTestSupport
import Testing

/// RandomShear, RandomPerspective, RandomGaussianBlur, RandomErasing, RandomElasticTransform and
/// their ops against `geometric_augmentation.json`, written by
/// `Tests/Fixtures/geometric_augmentation_generate.py` from Keras 3.15.1 (JAX). Our random
/// streams differ from JAX's, so each layer's transform is checked on Keras's own drawn
/// parameters, and the draws themselves for their ranges and reproducibility.
@Suite struct GeometricAugmentationTests {
    nonisolated(unsafe) static let fixture: [String: Any] = try! loadFixture("geometric_augmentation.json") as! [String: Any]

    static func ops(_ key: String) -> [[String: Any]] { (fixture["ops"] as! [String: Any])[key] as! [[String: Any]] }
    static func names(_ key: String) -> [String] { ops(key).map { $0["name"] as! String } }
    static func op(_ key: String, _ name: String) -> [String: Any] { ops(key).first { $0["name"] as? String == name }! }
    static var layerCases: [[String: Any]] { fixture["layers"] as! [[String: Any]] }
    static func layerCase(_ name: String) -> [String: Any] { layerCases.first { $0["name"] as? String == name }! }
    static func t(_ any: Any?) -> Tensor { tensorFromFixture(any!) }
    static func rows(_ any: Any?, _ width: Int) -> [[Double]] {
        let v = t(any).doubles
        return stride(from: 0, to: v.count, by: width).map { Array(v[$0..<($0 + width)]) }
    }
    static func flags(_ any: Any?) -> [Bool] { t(any).doubles.map { $0 != 0 } }
    static func images(_ shape: [Int], seed: Int = 5) -> Tensor { Tensor.randomUniform(shape, minval: 0, maxval: 1, seed: seed) }

    /// Same keys, and the same values (numbers compared numerically).
    static func same(_ a: ConfigValue?, _ b: ConfigValue?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        if a == b { return true }
        if let x = a.doubleValue, let y = b.doubleValue { return x == y }
        if let x = a.arrayValue, let y = b.arrayValue { return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) } }
        if let x = a.objectValue, let y = b.objectValue { return Set(x.keys) == Set(y.keys) && x.keys.allSatisfy { same(x[$0], y[$0]) } }
        return false
    }

    static func expectSameConfig(_ ours: Config, _ keras: Config, _ id: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(Set(ours.keys) == Set(keras.keys), "\(id): keys \(ours.keys.sorted()) vs \(keras.keys.sorted())", sourceLocation: sourceLocation)
        for (key, value) in keras {
            #expect(same(ours[key], value), "\(id).\(key): \(ours[key].map { "\($0)" } ?? "nil") vs \(value)", sourceLocation: sourceLocation)
        }
    }

    // MARK: Ops

    @Test(arguments: names("perspective"))
    func perspectiveTransformMatchesKeras(_ name: String) {
        let c = Self.op("perspective", name)
        let start = Self.t(c["start"]), end = Self.t(c["end"])
        let interpolation = ImageInterpolation(rawValue: c["interpolation"] as! String)!
        let y = Self.t(c["x"]).perspectiveTransform(startPoints: start, endPoints: end, interpolation: interpolation,
                                                    fillValue: c["fill_value"] as! Double)
        assertClose(y, Self.t(c["y"]), rtol: 1e-4, atol: 1e-4, name)
        let h = Tensor.homographyMatrix(startPoints: start, endPoints: end)
        assertClose(h.reshaped(to: [h.scalarCount]).doubles, Self.t(c["homography"]).doubles, rtol: 1e-4, atol: 1e-5, name)
    }

    @Test(arguments: names("gaussian_blur"))
    func gaussianBlurMatchesKeras(_ name: String) {
        let c = Self.op("gaussian_blur", name)
        let k = (c["kernel_size"] as! [Int]), s = (c["sigma"] as! [Double])
        let y = Self.t(c["x"]).gaussianBlur(kernelSize: (k[0], k[1]), sigma: (s[0], s[1]))
        assertClose(y, Self.t(c["y"]), rtol: 1e-5, atol: 1e-6, name)
    }

    @Test(arguments: names("map_coordinates"))
    func mapCoordinatesMatchesKeras(_ name: String) {
        let c = Self.op("map_coordinates", name)
        let y = Self.t(c["x"]).mapCoordinates(Self.t(c["coordinates"]), order: c["order"] as! Int,
                                             fillMode: ImageFillMode(rawValue: c["fill_mode"] as! String)!, fillValue: 0.25)
        assertClose(y, Self.t(c["y"]), rtol: 1e-5, atol: 1e-5, name)
    }

    @Test(arguments: names("elastic_transform"))
    func elasticTransformMatchesKeras(_ name: String) {
        let c = Self.op("elastic_transform", name)
        let y = Self.t(c["x"]).elasticTransform(noiseX: Self.t(c["noise"]), noiseY: nil, alpha: c["alpha"] as! Double,
                                                sigma: c["sigma"] as! Double,
                                                interpolation: ImageInterpolation(rawValue: c["interpolation"] as! String)!,
                                                fillMode: ImageFillMode(rawValue: c["fill_mode"] as! String)!,
                                                fillValue: c["fill_value"] as! Double)
        assertClose(y, Self.t(c["y"]), rtol: 1e-4, atol: 1e-4, name)
    }

    @Test func opsGradientsMatchFiniteDifferences() {
        let x = Self.images([2, 4, 5, 2]).cast(to: .float64)
        checkGradients([x]) { $0[0].gaussianBlur(kernelSize: (3, 5), sigma: (0.8, 1.3)) }
        checkGradients([x[0]]) { $0[0].gaussianBlur(kernelSize: (4, 2), sigma: (1, 0.7)) }
        let start = Tensor([0, 0, 4, 0, 0, 3, 4, 3] as [Double]).reshaped(to: [4, 2])
        let end = Tensor([0.4, 0.2, 3.7, 0.1, 0.3, 2.6, 4.2, 3.1] as [Double]).reshaped(to: [4, 2])
        checkGradients([x]) { $0[0].perspectiveTransform(startPoints: start, endPoints: end, fillValue: 0.5) }
        let coords = Tensor((0..<12).map { Double($0) * 0.37 - 0.9 }).reshaped(to: [3, 2, 2])
        for mode in ImageFillMode.allCases {
            checkGradients([x[0]]) { $0[0].mapCoordinates(coords, order: 1, fillMode: mode, fillValue: 0.3) }
        }
        let noise = Tensor.randomNormal([2, 4, 5], dtype: .float64, seed: 3)
        for mode in [ImageFillMode.reflect, .constant, .wrap] {
            checkGradients([x]) { $0[0].elasticTransform(noiseX: noise, noiseY: nil, alpha: 1.5, sigma: 0.8, interpolation: .bilinear,
                                                         fillMode: mode, fillValue: 0.2) }
        }
    }

    // MARK: Layers against Keras's transformations

    @Test(arguments: layerCases.map { $0["name"] as! String })
    func layerTransformMatchesKeras(_ name: String) throws {
        let c = Self.layerCase(name)
        let kerasConfig = ConfigValue.from(any: c["config"]!).objectValue!
        let layer = try makeLayer(className: c["class_name"] as! String, config: kerasConfig)
        Self.expectSameConfig(layer.getConfig(), kerasConfig, name)
        let copy = try makeLayer(className: layer.className, config: layer.getConfig())
        #expect(ConfigValue.object(copy.getConfig()) == ConfigValue.object(layer.getConfig()), "\(name): config round trip")
        let x = Self.t(c["x"]), expected = Self.t(c["y"])
        #expect(c["inference_is_input"] as? Bool == true, "\(name): Keras's inference output is its input")
        assertClose(layer(x), x, rtol: 0, atol: 0, "\(name): inference")
        let y: Tensor
        switch layer {
        case let shear as RandomShear:
            y = shear.shear(x, factors: Self.rows(c["shear_factor"], 2).map { ($0[0], $0[1]) })
        case let perspective as RandomPerspective:
            y = perspective.warp(x, apply: Self.flags(c["apply"]), start: Self.rows(c["start_points"], 8), end: Self.rows(c["end_points"], 8))
        case let blur as RandomGaussianBlur:
            let s = Self.t(c["sigma"]).doubles
            y = blur.blur(x, apply: Self.flags(c["apply"]), sigma: (s[0], s[1]))
        case let erasing as RandomErasing:
            y = erasing.erase(x, boxes: Self.rows(c["boxes"], 4), apply: Self.flags(c["apply"]), fill: Self.t(c["fill"]))
        case let elastic as RandomElasticTransform:
            y = elastic.distort(x, apply: Self.flags(c["apply"]), distortion: c["distortion"] as! Double, noise: Self.t(c["noise"]))
        default:
            Issue.record("unexpected layer \(layer.className)")
            return
        }
        assertClose(y, expected, rtol: 1e-4, atol: 1e-4, name)
    }

    @Test func defaultsMatchKeras() {
        let defaults = Self.fixture["defaults"] as! [String: Any]
        let layers: [Layer] = [RandomShear(), RandomPerspective(), RandomGaussianBlur(), RandomErasing(), RandomElasticTransform()]
        for layer in layers {
            var keras = ConfigValue.from(any: defaults[layer.className]!).objectValue!
            var ours = layer.getConfig()
            keras["name"] = nil
            ours["name"] = nil
            Self.expectSameConfig(ours, keras, layer.className)
        }
    }

    // MARK: Draws

    @Test func drawsFollowKerasDistributions() {
        let shear = RandomShear(xFactor: (0.1, 0.3), yFactor: (0.2, 0.4), seed: 1)
        let factors = shear.drawShearFactors(batch: 200)
        for f in factors {
            #expect((0.1...0.3).contains(Swift.abs(f.x)) && (0.2...0.4).contains(Swift.abs(f.y)) && (f.x > 0) == (f.y > 0))
        }
        #expect(factors.contains { $0.x < 0 } && factors.contains { $0.x > 0 })

        let perspective = RandomPerspective(factor: (0.5, 0.5), scale: 0.4, seed: 1)
        let p = perspective.drawTransformation(batch: 400, height: 5, width: 9)
        #expect(p.start[0] == [0, 0, 8, 0, 0, 4, 8, 4])
        for (s, e) in zip(p.start, p.end) { for k in 0..<8 { #expect(Swift.abs(e[k] - s[k]) <= 0.2 * s[k] + 1e-12) } }
        let applied = Double(p.apply.filter { $0 }.count) / 400
        #expect(applied > 0.4 && applied < 0.6)
        #expect(!RandomPerspective(factor: 0, seed: 1).drawTransformation(batch: 50, height: 3, width: 3).apply.contains(true))

        let blur = RandomGaussianBlur(factor: (0, 1), kernelSize: (3, 3), sigma: (0.3, 0.6), seed: 2)
        for _ in 0..<20 {
            let d = blur.drawTransformation(batch: 3)
            #expect((0.3...0.6 + 1e-6).contains(d.sigma.0) && (0.3...0.6 + 1e-6).contains(d.sigma.1))
        }

        let erasing = RandomErasing(scale: (0.04, 0.25), fillValue: nil, valueRange: (0, 1), seed: 3)
        let e = erasing.drawTransformation(Self.images([50, 10, 20, 1]))
        for box in e.boxes {
            let (w, h) = (box[1] - box[0], box[3] - box[2])
            #expect(w >= 0.2 * 20 - 1e-9 && w <= 0.5 * 20 + 1e-9 && h >= 0.2 * 10 - 1e-9 && h <= 0.5 * 10 + 1e-9)
            #expect(box[0] >= 0 && box[1] <= 20 + 1e-9 && box[2] >= 0 && box[3] <= 10 + 1e-9)
        }
        #expect(e.fill.shape == [50, 10, 20, 1] && e.fill.min().doubles[0] >= 0 && e.fill.max().doubles[0] <= 1)

        let elastic = RandomElasticTransform(factor: (0, 1), scale: (0.2, 0.5), seed: 4)
        let d = elastic.drawTransformation(batch: 2, height: 6, width: 7)
        #expect((0.2...0.5).contains(d.distortion) && d.noise.shape == [2, 6, 7])
    }

    @Test func trainingIsSeededShapedAndClipped() {
        let x = Self.images([3, 12, 10, 3]) * 255
        let makers: [(Int) -> Layer] = [
            { RandomShear(xFactor: 0.3, yFactor: 0.3, seed: $0) }, { RandomPerspective(scale: 0.5, seed: $0) },
            { RandomGaussianBlur(kernelSize: 5, seed: $0) }, { RandomErasing(seed: $0) }, { RandomElasticTransform(seed: $0) },
        ]
        for make in makers {
            let a = make(7)(x, training: true)
            #expect(a.shape == x.shape && a.dtype == .float32)
            assertClose(a, make(7)(x, training: true), rtol: 0, atol: 0)
            #expect(a.doubles != x.doubles, "\(make(7).className) changed nothing")
            assertClose(make(7)(x), x, rtol: 0, atol: 0)
            // One image (rank 3), integer pixels (converted to float32).
            #expect(make(7)(x[0], training: true).shape == [12, 10, 3])
            let ints = Tensor(shape: [1, 4, 4, 3], doubles: (0..<48).map { Double($0 * 5) }, dtype: .int32)
            #expect(make(7)(ints, training: true).dtype == .float32 && make(7)(ints).dtype == .float32)
        }
        // The blur and elastic layers clip every image to the value range in training (erasing clips only its fill).
        let big = x * 2
        for layer in [RandomGaussianBlur(factor: 0, seed: 1), RandomElasticTransform(factor: (0, 0.1), scale: (0, 1), seed: 1)] as [Layer] {
            #expect(layer(big, training: true).max().doubles[0] <= 255)
        }
        // A zero distortion range leaves the images alone, unclipped, as in Keras.
        assertClose(RandomElasticTransform(scale: 0, seed: 1)(big, training: true), big, rtol: 0, atol: 0)
        // Shear: factor 0 is the identity; a pure x shear moves row y by s·y columns.
        let ramp = Tensor((0..<20).map { Double($0 % 5) }).reshaped(to: [1, 4, 5, 1])
        assertClose(RandomShear(seed: 1)(ramp, training: true), ramp, atol: 1e-6)
        let sheared = RandomShear(fillMode: .constant, seed: 1).shear(ramp, factors: [(1, 0)])
        assertClose(sheared[0, 1, 0..<4, 0], Tensor([1, 2, 3, 4] as [Double]).cast(to: .float32))
    }

    @Test func erasingAndBlurGradients() {
        let x = Self.images([2, 5, 4, 3], seed: 9).cast(to: .float64)
        let erasing = RandomErasing(fillValue: 0.5, valueRange: (0, 1), seed: 1, dtype: .float64)
        checkGradients([x]) { erasing.erase($0[0], boxes: [[0.5, 3.2, 1, 4.5], [0, 2, 0, 2]], apply: [true, false], fill: Tensor([0.5] as [Double])) }
        let blur = RandomGaussianBlur(kernelSize: 3, valueRange: (-10, 10), seed: 1, dtype: .float64)
        checkGradients([x]) { blur.blur($0[0], apply: [false, true], sigma: (0.7, 0.9)) }
        let shear = RandomShear(xFactor: 0.3, fillMode: .wrap, seed: 1, dtype: .float64)
        checkGradients([x]) { shear.shear($0[0], factors: [(0.3, -0.2), (-0.1, 0.25)]) }
    }

    // MARK: Validation

    @Test func badArgumentsThrow() throws {
        func error(_ className: String, _ config: Config) -> String? {
            do { _ = try makeLayer(className: className, config: config); return nil } catch { return "\(error)" }
        }
        let bad: [(String, Config, String)] = [
            ("RandomShear", ["x_factor": 1.5], "x_factor"), ("RandomShear", ["y_factor": -0.2], "y_factor"),
            ("RandomShear", ["x_factor": [-0.1, 0.3]], "x_factor"), ("RandomShear", ["x_factor": .double(.nan)], "x_factor"),
            ("RandomShear", ["x_factor": [0.1, 0.2, 0.3]], "x_factor"), ("RandomShear", ["fill_mode": "mirror"], "fill_mode"),
            ("RandomShear", ["interpolation": "bicubic"], "interpolation"),
            ("RandomPerspective", ["scale": 1.5], "scale"), ("RandomPerspective", ["scale": .double(.nan)], "scale"),
            ("RandomPerspective", ["factor": 2], "factor"), ("RandomPerspective", ["factor": .double(.infinity)], "factor"),
            ("RandomPerspective", ["interpolation": "lanczos3"], "interpolation"),
            ("RandomGaussianBlur", ["kernel_size": 4], "kernel_size"), ("RandomGaussianBlur", ["kernel_size": [3, 6]], "kernel_size"),
            ("RandomGaussianBlur", ["kernel_size": -3], "kernel_size"), ("RandomGaussianBlur", ["kernel_size": "big"], "kernel_size"),
            ("RandomGaussianBlur", ["sigma": 2], "sigma"), ("RandomGaussianBlur", ["value_range": [1, 1]], "value_range"),
            ("RandomErasing", ["fill_value": [1, 2]], "fill_value"), ("RandomErasing", ["fill_value": "red"], "fill_value"),
            ("RandomErasing", ["scale": 1.5], "scale"), ("RandomErasing", ["factor": [1.5, 2]], "factor"),
            ("RandomElasticTransform", ["fill_mode": "bogus"], "fill_mode"), ("RandomElasticTransform", ["interpolation": "bicubic"], "interpolation"),
            ("RandomElasticTransform", ["scale": -1], "scale"), ("RandomElasticTransform", ["value_range": [0, .double(.nan)]], "value_range"),
        ]
        for (className, config, key) in bad {
            let message = error(className, config)
            #expect(message?.contains(key) == true && message?.contains(className) == true, "\(className) \(config): \(message ?? "no error")")
        }
        // The symmetric range RandomShear writes for a number reads back.
        #expect(error("RandomShear", ["x_factor": [-0.3, 0.3], "y_factor": [0.1, 0.2]]) == nil)
        #expect(error("RandomElasticTransform", ["fill_mode": "mirror"]) == nil)
        // Three fill values need three channels.
        #expect(throws: KerasError.self) { try RandomErasing(factor: (1, 1), fillValues: [1, 2, 3], seed: 1).callChecked(Tensor.ones([1, 4, 4, 2])) }
        #expect(throws: KerasError.self) { try RandomShear(seed: 1).callChecked(Tensor.ones([4, 4])) }
    }

    // MARK: Models

    @Test func layersWorkInModelsAndRoundTrip() throws {
        let augment: [Layer] = [RandomShear(xFactor: 0.2, seed: 1), RandomPerspective(scale: 0.3, seed: 2),
                                RandomGaussianBlur(kernelSize: 3, sigma: 0.5, seed: 3), RandomErasing(fillValue: 0, seed: 4),
                                RandomElasticTransform(scale: 0.5, seed: 5)]
        let sequential = Sequential([InputLayer(shape: [6, 5, 3])] + augment + [Flatten(), Dense(2)])
        var text = ""
        sequential.summary { text += $0 }
        for layer in augment { #expect(text.contains(layer.name) && text.contains(layer.className)) }
        let x = Self.images([2, 6, 5, 3]) * 255
        #expect(sequential(x, training: true).shape == [2, 2])

        let input = Input(shape: [6, 5, 3])
        var h = input
        for layer in [RandomShear(yFactor: 0.2, seed: 1), RandomPerspective(seed: 2), RandomGaussianBlur(seed: 3),
                      RandomErasing(factor: (0.2, 0.9), fillValues: [1, 2, 3], seed: 4), RandomElasticTransform(seed: 5)] as [Layer] {
            h = layer(h)
            #expect(h.error == nil && h.shape == [nil, 6, 5, 3])
        }
        let functional = try Model(inputs: input, outputs: Dense(1)(Flatten()(h)))
        #expect(functional(x, training: true).shape == [2, 1])

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swift-keras-geometric-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (i, model) in [sequential as Model, functional].enumerated() {
            let path = dir + "/geometric\(i).keras"
            try model.save(to: path)
            let loaded = try loadModel(path)
            #expect(loaded.toJSON() == model.toJSON())
            assertClose(try loaded.predict(x, verbose: 0), try model.predict(x, verbose: 0), rtol: 0, atol: 0)
        }
    }
}
