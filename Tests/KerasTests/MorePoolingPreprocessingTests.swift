import Foundation
import Keras
import KerasTestSupport
import Testing

/// Adaptive pooling, Discretization and HashedCrossing against `layers_more_pooling.json`,
/// written by `Tests/Fixtures/layers_more_pooling_generate.py` from Keras 3.15.1 (JAX).
@Suite struct MorePoolingPreprocessingTests {
    nonisolated(unsafe) static let fixture: [String: Any] = try! loadFixture("layers_more_pooling.json") as! [String: Any]

    static func cases(_ key: String) -> [[String: Any]] { fixture[key] as! [[String: Any]] }
    static func names(_ key: String) -> [String] { cases(key).map { $0["name"] as! String } }
    static func named(_ key: String, _ name: String) -> [String: Any] { cases(key).first { $0["name"] as? String == name }! }
    static func config(_ any: Any?) -> Config { ConfigValue.from(any: any!).objectValue! }

    /// `ours` has exactly Keras's keys and values (numbers compared numerically).
    static func expectSameConfig(_ ours: Config, _ keras: Config, _ id: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(Set(ours.keys) == Set(keras.keys), "\(id): keys \(ours.keys.sorted()) vs \(keras.keys.sorted())", sourceLocation: sourceLocation)
        for (key, value) in keras {
            #expect(ours[key].map { KerasLayerFixtures.same($0, value) } == true, "\(id).\(key): \(ours[key].map { "\($0)" } ?? "nil") vs \(value)",
                    sourceLocation: sourceLocation)
        }
    }

    // MARK: Adaptive pooling

    @Test func binsFollowKerasFormula() {
        #expect(adaptivePoolingBins(inputSize: 5, outputSize: 3) == [0..<2, 1..<4, 3..<5])
        #expect(adaptivePoolingBins(inputSize: 8, outputSize: 4) == [0..<2, 2..<4, 4..<6, 6..<8])
        #expect(adaptivePoolingBins(inputSize: 2, outputSize: 3) == [0..<1, 0..<2, 1..<2])
    }

    @Test(arguments: names("adaptive"))
    func adaptivePoolingMatchesKeras(_ name: String) throws {
        let c = Self.named("adaptive", name)
        let kerasConfig = Self.config(c["config"])
        let layer = try makeLayer(className: c["class_name"] as! String, config: kerasConfig)
        Self.expectSameConfig(layer.getConfig(), kerasConfig, name)
        let x = tensorFromFixture(c["x"]!), cotangent = tensorFromFixture(c["cotangent"]!)
        let y = try layer.callChecked(x)
        assertClose(y, tensorFromFixture(c["y"]!), rtol: 1e-5, atol: 1e-6)
        let (_, grads) = valueWithGradients(at: [x]) { xs in (layer(xs[0]) * cotangent).sum() }
        assertClose(grads[0], tensorFromFixture(c["dx"]!), rtol: 1e-5, atol: 1e-6)
        // The same layer from Swift arguments gives the same config.
        let copy = try makeLayer(className: layer.className, config: layer.getConfig())
        #expect(ConfigValue.object(copy.getConfig()) == ConfigValue.object(layer.getConfig()))
    }

    @Test func adaptivePoolingGradientsMatchFiniteDifferences() {
        var g = RandomGenerator(seed: 3)
        func random(_ shape: [Int]) -> Tensor {
            Tensor(shape: shape, doubles: (0..<shape.reduce(1, *)).map { _ in g.nextUnit() * 4 - 2 }, dtype: .float64)
        }
        let layers: [(BaseAdaptivePooling, [Int])] = [
            (AdaptiveAveragePooling1D(outputSize: [3], dtype: .float64), [2, 7, 3]),
            (AdaptiveMaxPooling1D(outputSize: [5], dtype: .float64), [2, 3, 2]),
            (AdaptiveAveragePooling2D(outputSize: [3, 2], dtype: .float64), [1, 7, 5, 2]),
            (AdaptiveMaxPooling2D(outputSize: [2], dataFormat: .channelsFirst, dtype: .float64), [1, 2, 5, 3]),
            (AdaptiveAveragePooling3D(outputSize: [2, 3, 2], dataFormat: .channelsFirst, dtype: .float64), [1, 2, 3, 5, 4]),
            (AdaptiveMaxPooling3D(outputSize: [2, 2, 3], dtype: .float64), [1, 3, 5, 4, 2]),
        ]
        for (layer, shape) in layers {
            checkGradients([random(shape)]) { xs in layer(xs[0]) }
        }
    }

    @Test func adaptivePoolingLayerContract() throws {
        try runLayerTest({ AdaptiveAveragePooling1D(outputSize: [3], dtype: $0) }, inputShapes: [[2, 7, 3]], expectedOutputShape: [2, 3, 3])
        try runLayerTest({ AdaptiveMaxPooling2D(outputSize: [2, 3], dtype: $0) }, inputShapes: [[1, 5, 4, 2]], expectedOutputShape: [1, 2, 3, 2])
        try runLayerTest({ AdaptiveAveragePooling3D(outputSize: [2], dataFormat: .channelsFirst, dtype: $0) }, inputShapes: [[1, 2, 3, 5, 4]],
                         expectedOutputShape: [1, 2, 2, 2, 2])
    }

    @Test func symbolicShapesMatchKeras() throws {
        for c in Self.cases("shapes") {
            let name = c["name"] as! String
            let layer: Layer = switch name {
            case "avg2d_none": AdaptiveAveragePooling2D(outputSize: [2, 3])
            case "max1d": AdaptiveMaxPooling1D(outputSize: [5])
            case "max3d_cf": AdaptiveMaxPooling3D(outputSize: [2], dataFormat: .channelsFirst)
            case "disc_int": Discretization(binBoundaries: [0, 1])
            case "disc_one_hot", "disc_one_hot_col": Discretization(binBoundaries: [0, 1], outputMode: .oneHot)
            default: Discretization(binBoundaries: [0, 1], outputMode: .count)
            }
            let input = (c["input"] as! [Any]).map { ($0 as? NSNumber)?.intValue }
            let expected = [nil] + (c["output"] as! [Any]).dropFirst().map { ($0 as? NSNumber)?.intValue }
            let out = layer(Input(shape: input))
            #expect(out.error == nil, "\(name)")
            #expect(out.shape == expected, "\(name): \(out.shape) vs \(expected)")
            #expect(out.dtype.rawValue == c["dtype"] as? String, "\(name)")
        }
    }

    @Test func adaptivePoolingRejectsBadConfigsAndInputs() throws {
        func configError(_ className: String, _ config: Config) -> String? {
            do { _ = try makeLayer(className: className, config: config); return nil } catch { return "\(error)" }
        }
        #expect(configError("AdaptiveAveragePooling2D", ["output_size": 0])?.contains("output_size") == true)
        #expect(configError("AdaptiveMaxPooling1D", ["output_size": -3])?.contains("output_size") == true)
        #expect(configError("AdaptiveMaxPooling2D", ["output_size": [2, 3, 4]])?.contains("output_size") == true)
        #expect(configError("AdaptiveMaxPooling3D", [:])?.contains("output_size") == true)
        #expect(configError("AdaptiveAveragePooling1D", ["output_size": "big"])?.contains("output_size") == true)
        #expect(configError("AdaptiveAveragePooling1D", ["output_size": .int(1 << 40)])?.contains("output_size") == true)
        #expect(configError("AdaptiveAveragePooling3D", ["output_size": [100_000, 100_000, 100_000]])?.contains("output_size") == true)
        #expect(configError("AdaptiveAveragePooling2D", ["output_size": 2, "data_format": "channels_middle"])?.contains("data_format") == true)
        #expect(configError("AdaptiveAveragePooling2D", ["output_size": 2, "data_format": "channels_first"]) == nil)

        #expect(throws: KerasError.self) { try AdaptiveMaxPooling2D(outputSize: [2]).callChecked(Tensor.ones([1, 8, 8])) }
        #expect(throws: KerasError.self) { try AdaptiveAveragePooling1D(outputSize: [2]).callChecked(Tensor.ones([1, 0, 3])) }
        let wrongRank = AdaptiveAveragePooling3D(outputSize: [2])(Input(shape: [4, 4]))
        #expect("\(wrongRank.error.map { "\($0)" } ?? "")".contains("ndim=5"))
    }

    @Test func adaptivePoolingModelTrainsAndRoundTrips() throws {
        let model = Sequential([InputLayer(shape: [9, 7, 2]), AdaptiveAveragePooling2D(outputSize: [3, 2]), AdaptiveMaxPooling2D(outputSize: [2]),
                                Flatten(), Dense(2)])
        try model.compile(optimizer: SGD(learningRate: 0.1), loss: "mse")
        var g = RandomGenerator(seed: 11)
        let x = Tensor(shape: [4, 9, 7, 2], doubles: (0..<(4 * 126)).map { _ in g.nextUnit() }, dtype: .float32)
        let y = Tensor.zeros([4, 2])
        let before = model.getWeights()
        _ = try model.trainOnBatch(x, y)
        #expect(zip(before, model.getWeights()).contains { $0.0.doubles != $0.1.doubles })

        let input = Input(shape: [3, 10])
        let functional = try Model(inputs: input, outputs: Dense(1)(AdaptiveMaxPooling1D(outputSize: [4], dataFormat: .channelsFirst)(input)))
        try functional.compile(optimizer: "adam", loss: "mse")
        let loss = try functional.trainOnBatch(Tensor.ones([2, 3, 10]), Tensor.zeros([2, 3, 1]))
        #expect(loss.values.allSatisfy { $0.isFinite })

        let dir = try SavingTests.temporaryDirectory()
        let volumes = Sequential([InputLayer(shape: [5, 4, 6, 1]), AdaptiveAveragePooling3D(outputSize: [2, 3, 2]),
                                  AdaptiveMaxPooling3D(outputSize: [1, 2, 1]), Reshape([2, 1]), AdaptiveAveragePooling1D(outputSize: [3])])
        let volume = Tensor(shape: [2, 5, 4, 6, 1], doubles: (0..<240).map { Double($0 % 17) }, dtype: .float32)
        for (i, (m, probe)) in [(model as Model, x), (functional, Tensor.ones([2, 3, 10])), (volumes, volume)].enumerated() {
            let path = dir + "/adaptive\(i).keras"
            try m.save(to: path)
            let loaded = try loadModel(path)
            #expect(loaded.toJSON() == m.toJSON())
            assertClose(try loaded.predict(probe, verbose: 0), try m.predict(probe, verbose: 0), rtol: 0, atol: 0)
        }
    }

    // MARK: Discretization

    @Test(arguments: names("discretization_given"))
    func discretizationMatchesKeras(_ name: String) throws {
        let c = Self.named("discretization_given", name)
        let kerasConfig = Self.config(c["config"])
        let layer = try Discretization.fromConfig(kerasConfig)
        Self.expectSameConfig(layer.getConfig(), kerasConfig, name)
        let expected = tensorFromFixture(c["y"]!)
        let y = try layer.callChecked(tensorFromFixture(c["x"]!))
        #expect(y.dtype == expected.dtype, "\(name): \(y.dtype)")
        #expect(y.shape == expected.shape, "\(name): \(y.shape) vs \(expected.shape)")
        #expect(y.doubles == expected.doubles, "\(name)")
    }

    @Test(arguments: names("discretization_adapted"))
    func discretizationAdaptMatchesKeras(_ name: String) throws {
        let c = Self.named("discretization_adapted", name)
        let layer = try Discretization(config: Self.config(c["kwargs"]))
        let batches = (c["batches"] as! [Any]).map(tensorFromFixture)
        if batches.count == 1 { try layer.adapt(batches[0]) } else { try layer.adapt(batches: batches) }
        let expected = LookupFixture.numbers(c["bin_boundaries"])
        // Keras's boundaries are float32 values: the same float32 values, bit for bit.
        #expect(layer.binBoundaries?.map { Float($0) } == expected.map { Float($0) }, "\(name): \(layer.binBoundaries ?? []) vs \(expected)")
        let y = layer(tensorFromFixture(c["x"]!))
        #expect(y.doubles == tensorFromFixture(c["y"]!).doubles, "\(name)")
        let kerasConfig = Self.config(c["config"])
        var ours = layer.getConfig()
        ours["name"] = kerasConfig["name"]
        Self.expectSameConfig(ours, kerasConfig, name)
        // An adapted config (num_bins and bin_boundaries both set) loads with its boundaries.
        let copy = try Discretization.fromConfig(kerasConfig)
        #expect(copy.binBoundaries == kerasConfig["bin_boundaries"]?.arrayValue?.compactMap(\.doubleValue))
        #expect(copy.numBins == layer.numBins)
    }

    @Test func discretizationRejectsBadConfigsAndData() throws {
        func configError(_ config: Config) -> String? {
            do { _ = try makeLayer(className: "Discretization", config: config); return nil } catch { return "\(error)" }
        }
        #expect(configError([:])?.contains("num_bins") == true)
        #expect(configError(["num_bins": 0])?.contains("num_bins") == true)
        #expect(configError(["num_bins": -2])?.contains("num_bins") == true)
        #expect(configError(["num_bins": .int(1 << 40)])?.contains("num_bins") == true)
        #expect(configError(["num_bins": "4"])?.contains("num_bins") == true)
        #expect(configError(["bin_boundaries": [2.0, 1.0]])?.contains("sorted") == true)
        #expect(configError(["bin_boundaries": [0.0, .double(.nan)]])?.contains("NaN") == true)
        #expect(configError(["bin_boundaries": "0,1"])?.contains("bin_boundaries") == true)
        #expect(configError(["num_bins": 3, "epsilon": 0.0])?.contains("epsilon") == true)
        #expect(configError(["num_bins": 3, "output_mode": "tf_idf"])?.contains("output_mode") == true)
        #expect(configError(["num_bins": 3, "sparse": true])?.contains("sparse") == true)
        #expect(configError(["bin_boundaries": [0.0], "dtype": "float128"])?.contains("dtype") == true)

        let given = Discretization(binBoundaries: [0, 1])
        #expect(throws: KerasError.self) { try given.adapt(Tensor([1.0, 2.0])) }
        let learner = Discretization(numBins: 3)
        #expect(throws: KerasError.self) { try learner.callChecked(Tensor([1.0, 2.0])) }   // not adapted yet
        #expect(throws: KerasError.self) { try learner.adapt(Tensor([1.0, .nan])) }
        #expect(throws: KerasError.self) { try learner.adapt(Tensor.zeros([0, 2])) }
        #expect(throws: KerasError.self) { try learner.adapt(batches: [Tensor]()) }
        // A huge epsilon keeps no summary (as NumPy's slice past the end): no boundaries, one bin.
        let coarse = Discretization(numBins: 3, epsilon: 1e300)
        try coarse.adapt(Tensor([1.0, 2.0, 3.0]))
        #expect(coarse.binBoundaries == [])
        #expect(throws: KerasError.self) {
            try Discretization(binBoundaries: [0], outputMode: .count).callChecked(Tensor.zeros([2, 2, 2]))
        }
    }

    @Test func discretizationModelRoundTrips() throws {
        let layer = Discretization(numBins: 4, outputMode: .oneHot)
        try layer.adapt(Tensor((0..<40).map { Float($0) }))
        let model = Sequential([InputLayer(shape: [3]), layer])
        let x = Tensor([[1.0, 15.0, 39.0], [-4.0, 22.0, 30.0]] as [[Float]])
        let dir = try SavingTests.temporaryDirectory()
        try model.save(to: dir + "/discretization.keras")
        let loaded = try loadModel(dir + "/discretization.keras")
        #expect(loaded.toJSON() == model.toJSON())
        assertClose(try loaded.predict(x, verbose: 0), try model.predict(x, verbose: 0), rtol: 0, atol: 0)
        #expect((loaded.layers.last as? Discretization)?.binBoundaries == layer.binBoundaries)
    }

    // MARK: HashedCrossing

    static func feature(_ any: Any) -> HashedCrossing.Feature {
        let f = any as! [String: Any]
        let shape = LookupFixture.shape(f["shape"])
        if f["kind"] as? String == "string" { return .strings(f["values"] as! [String], shape: shape) }
        let values = (f["values"] as! [Any]).map { Int64(truncating: $0 as! NSNumber) }
        return .integers(Tensor(shape: shape, scalars: values))
    }

    @Test(arguments: names("hashed_crossing"))
    func hashedCrossingMatchesKeras(_ name: String) throws {
        let c = Self.named("hashed_crossing", name)
        let kerasConfig = Self.config(c["config"])
        let layer = try HashedCrossing.fromConfig(kerasConfig)
        Self.expectSameConfig(layer.getConfig(), kerasConfig, name)
        let features = (c["features"] as! [Any]).map(Self.feature)
        let y = try layer(features)
        #expect(y.shape == LookupFixture.shape(c["y_shape"]), "\(name): \(y.shape)")
        if layer.outputMode == .int {
            #expect(y.dtype == .int64)
            let expected = (c["y"] as! [Any]).map { Int64(truncating: $0 as! NSNumber) }
            #expect(y.toArray(of: Int64.self) == expected, "\(name)")
        } else {
            #expect(y.doubles == LookupFixture.numbers(c["y"]), "\(name)")
        }
        // All-integer crosses also run through the ordinary layer call.
        let tensors = features.compactMap { if case .integers(let t) = $0 { t } else { nil } }
        if tensors.count == features.count {
            #expect(try layer.applyChecked(tensors)[0].doubles == y.doubles)
        }
    }

    @Test func hashedCrossingRejectsBadConfigsAndInputs() throws {
        func configError(_ config: Config) -> String? {
            do { _ = try makeLayer(className: "HashedCrossing", config: config); return nil } catch { return "\(error)" }
        }
        #expect(configError([:])?.contains("num_bins") == true)
        #expect(configError(["num_bins": 0])?.contains("num_bins") == true)
        #expect(configError(["num_bins": .int(1 << 40), "output_mode": "one_hot"])?.contains("num_bins") == true)
        #expect(configError(["num_bins": 4, "output_mode": "multi_hot"])?.contains("output_mode") == true)
        #expect(configError(["num_bins": 4, "sparse": true])?.contains("sparse") == true)
        #expect(configError(["num_bins": .int(1 << 40)]) == nil)

        let cross = HashedCrossing(numBins: 5)
        #expect(throws: KerasError.self) { try cross([.strings(["a", "b"])]) }
        #expect(throws: KerasError.self) { try cross([.strings(["a", "b"]), .strings(["a"])]) }
        #expect(throws: KerasError.self) { try cross([.strings(["a", "b"], shape: [1, 2]), .strings(["c", "d"], shape: [1, 2])]) }
        #expect(throws: KerasError.self) { try cross([.strings(["a", "b"], shape: [3]), .strings(["c", "d"])]) }
        #expect(throws: KerasError.self) { try cross([.strings(["a", "b"]), .integers(Tensor([1.5, 2.5]))]) }
        #expect(throws: KerasError.self) { try cross.applyChecked([Tensor([1.0, 2.0]), Tensor([3.0, 4.0])]) }
        #expect(throws: KerasError.self) { try cross.applyChecked([Tensor([1, 2]).cast(to: .int64), Tensor([1, 2, 3]).cast(to: .int64)]) }
        let scalar = try cross([.strings(["a"], shape: []), .integers(Tensor(Int64(3)))])
        #expect(scalar.shape == [])
    }

    @Test func hashedCrossingModelRoundTrips() throws {
        let a = Input(shape: [1], name: "a", dtype: .int64), b = Input(shape: [1], name: "b", dtype: .int64)
        let crossed = HashedCrossing(numBins: 8, outputMode: .oneHot)([a, b])
        let model = try Model(inputs: [a, b], outputs: crossed)
        let xa = Tensor(shape: [3, 1], scalars: [Int64(1), 2, 3]), xb = Tensor(shape: [3, 1], scalars: [Int64(7), -1, 9_000_000_000])
        let y = try model.predictOutputs([xa, xb], verbose: 0)[0]
        #expect(y.shape == [3, 8])
        let dir = try SavingTests.temporaryDirectory()
        try model.save(to: dir + "/crossing.keras")
        let loaded = try loadModel(dir + "/crossing.keras")
        #expect(loaded.toJSON() == model.toJSON())
        assertClose(try loaded.predictOutputs([xa, xb], verbose: 0)[0], y, rtol: 0, atol: 0)
    }

    // MARK: Keras models

    /// Keras's `to_json()` of weightless models using each layer loads here and computes Keras's outputs.
    @Test(arguments: names("models"))
    func kerasModelJSONLoadsAndPredicts(_ name: String) throws {
        let c = Self.named("models", name)
        let model = try modelFromJSON(c["json"] as! String)
        let inputs = (c["inputs"] as! [Any]).map(tensorFromFixture)
        let y = try model.predictOutputs(inputs, verbose: 0)[0]
        assertClose(y.cast(to: .float32), tensorFromFixture(c["y"]!), rtol: 1e-5, atol: 1e-6)
    }
}
