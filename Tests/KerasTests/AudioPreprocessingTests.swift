import Foundation
import Keras
import KerasTestSupport
import Testing

/// STFTSpectrogram, MelSpectrogram and their ops against `audio_preprocessing.json` and
/// `audio_preprocessing.keras`, written by `Tests/Fixtures/audio_preprocessing_generate.py`
/// from Keras 3.15.1 (JAX).
@Suite struct AudioPreprocessingTests {
    nonisolated(unsafe) static let fixture: [String: Any] = try! loadFixture("audio_preprocessing.json") as! [String: Any]

    static func cases(_ key: String) -> [[String: Any]] { fixture[key] as! [[String: Any]] }
    static func names(_ key: String) -> [String] { cases(key).map { $0["name"] as! String } }
    static func named(_ key: String, _ name: String) -> [String: Any] { cases(key).first { $0["name"] as? String == name }! }
    static func config(_ any: Any?) -> Config { ConfigValue.from(any: any!).objectValue! }

    /// The output, and the gradients of `sum(output · probe)` with respect to the input and to
    /// the trainable weights.
    static func outputAndGradients(_ layer: Layer, _ x: Tensor, _ probe: Tensor) -> (Tensor, Tensor, [Tensor]) {
        let tape = GradientTape()
        let watched = tape.watch(x)
        let y = tape.record { layer(watched) }
        let objective = tape.record { (y * probe).sum() }
        let dx = tape.gradient(objective, wrt: [watched])[0]
        let dw = layer.trainableWeights.isEmpty ? [] : tape.gradient(objective, wrt: layer.trainableWeights)
        return (y, dx, dw)
    }

    // MARK: Against Keras

    @Test(arguments: names("stft"))
    func stftSpectrogramMatchesKeras(_ name: String) throws {
        let c = Self.named("stft", name)
        let kerasConfig = Self.config(c["config"])
        let layer = try makeLayer(className: "STFTSpectrogram", config: kerasConfig)
        MorePoolingPreprocessingTests.expectSameConfig(layer.getConfig(), kerasConfig, name)
        let x = tensorFromFixture(c["x"]!)
        try layer.build(x.shape.map { Optional($0) })
        // The kernels Keras's STFT initializer makes, by name and value.
        let weights = c["weights"] as! [[String: Any]]
        #expect(layer.weights.map(\.name) == weights.map { $0["name"] as! String }, "\(name)")
        for (ours, keras) in zip(layer.getWeights(), weights) {
            assertClose(ours, tensorFromFixture(keras["value"]!), rtol: 1e-5, atol: 2e-6, "\(name) kernel")
        }
        // With Keras's kernels (its float32 sines differ in the last bits, which matters where
        // the imaginary part is zero in theory: the DC and Nyquist bins).
        try layer.setWeights(weights.map { tensorFromFixture($0["value"]!) })
        let (y, dx, dw) = Self.outputAndGradients(layer, x, tensorFromFixture(c["probe"]!))
        var expectedY = tensorFromFixture(c["y"]!)
        if kerasConfig["mode"] == "angle" {
            // ±π are the same angle: where Keras's sign of a zero imaginary part differs, take ours.
            let ours = y.doubles
            expectedY = Tensor(shape: expectedY.shape, doubles: zip(expectedY.doubles, ours).map { e, o in
                Swift.abs(e - o) > Double.pi ? o : e
            }, dtype: expectedY.dtype)
        }
        assertClose(y, expectedY, rtol: 1e-4, atol: 1e-4, "\(name) output")
        func scaled(_ t: Tensor) -> Double { 1e-3 * Swift.max(1, t.doubles.map(Swift.abs).max() ?? 0) }
        let expectedDx = tensorFromFixture(c["dx"]!)
        assertClose(dx, expectedDx, rtol: 1e-3, atol: scaled(expectedDx), "\(name) input gradient")
        let expected = (c["dkernels"] as! [Any]).map(tensorFromFixture)
        #expect(dw.count == expected.count, "\(name) kernel gradients")
        for (g, e) in zip(dw, expected) { assertClose(g, e, rtol: 1e-3, atol: scaled(e), "\(name) kernel gradient") }
        // Symbolic shape = eager shape.
        let symbolic = layer.computeOutputShape([nil] + x.shape.dropFirst().map { Optional($0) })
        #expect(symbolic == [nil] + y.shape.dropFirst().map { Optional($0) }, "\(name)")
    }

    @Test(arguments: names("mel"))
    func melSpectrogramMatchesKeras(_ name: String) throws {
        let c = Self.named("mel", name)
        let kerasConfig = Self.config(c["config"])
        let layer = try makeLayer(className: "MelSpectrogram", config: kerasConfig)
        MorePoolingPreprocessingTests.expectSameConfig(layer.getConfig(), kerasConfig, name)
        let x = tensorFromFixture(c["x"]!)
        let (y, dx, dw) = Self.outputAndGradients(layer, x, tensorFromFixture(c["probe"]!))
        #expect(layer.weights.isEmpty && dw.isEmpty)
        let expected = tensorFromFixture(c["y"]!)
        // Decibels: absolute tolerance; powers: relative.
        let powerToDb = kerasConfig["power_to_db"]?.boolValue ?? true
        assertClose(y, expected, rtol: powerToDb ? 1e-4 : 2e-4, atol: powerToDb ? 2e-3 : 1e-5, "\(name) output")
        let expectedDx = tensorFromFixture(c["dx"]!)
        let scale = expectedDx.doubles.map(Swift.abs).max() ?? 1
        assertClose(dx, expectedDx, rtol: 2e-3, atol: 1e-4 * scale, "\(name) input gradient")
        #expect(layer.computeOutputShape(x.shape.map { Optional($0) }) == y.shape.map { Optional($0) }, "\(name)")
    }

    @Test func stftOpMatchesKeras() {
        let ops = Self.fixture["ops_stft"] as! [String: Any]
        let x = tensorFromFixture(ops["x"]!)
        for c in ops["cases"] as! [[String: Any]] {
            let kwargs = c["kwargs"] as! [String: Any]
            let length = kwargs["sequence_length"] as! Int
            let window = (kwargs["window"] as? String).map { WindowFunction(rawValue: $0)!.values(length: length, periodic: true) }
            let (re, im) = stft(x, sequenceLength: length, sequenceStride: kwargs["sequence_stride"] as! Int,
                                fftLength: kwargs["fft_length"] as! Int, window: window, center: kwargs["center"] as! Bool)
            assertClose(re, tensorFromFixture(c["real"]!), rtol: 1e-4, atol: 1e-5, "\(kwargs) real")
            assertClose(im, tensorFromFixture(c["imag"]!), rtol: 1e-4, atol: 1e-5, "\(kwargs) imag")
        }
    }

    @Test func stftSymbolicShapesMatchKeras() throws {
        for c in Self.cases("stft_shapes") {
            let layer = try makeLayer(className: "STFTSpectrogram", config: Self.config(c["config"]))
            let input = (c["input"] as! [Any]).map { ($0 as? NSNumber)?.intValue }
            let expected = (c["output"] as! [Any]).map { ($0 as? NSNumber)?.intValue }
            let out = layer(Input(shape: Array(input.dropFirst())))
            #expect(out.error == nil, "\(c["config"]!)")
            #expect(out.shape == expected, "\(out.shape) vs \(expected)")
        }
    }

    // MARK: Finite differences (float64)

    @Test func newOpsGradientsMatchFiniteDifferences() {
        var g = RandomGenerator(seed: 5)
        func random(_ shape: [Int]) -> Tensor {
            Tensor(shape: shape, doubles: (0..<shape.reduce(1, *)).map { _ in g.nextUnit() * 4 - 2 }, dtype: .float64)
        }
        checkGradients([random([3, 4]), random([3, 4])]) { xs in xs[0].arctan2(xs[1]) }
        checkGradients([random([2, 3]), random([3])]) { xs in arctan2(xs[0], xs[1]) }   // broadcasting
        checkGradients([random([2, 6])]) { xs in xs[0].reflectPadded(before: 3, after: 5) }
        checkGradients([random([2, 30])]) { xs in
            let (re, im) = stft(xs[0], sequenceLength: 8, sequenceStride: 3, fftLength: 10,
                                window: WindowFunction.hann.values(length: 8, periodic: true))
            return concatenate([re, im], axis: -1)
        }
    }

    @Test func layerContracts() throws {
        try runLayerTest({ STFTSpectrogram(mode: .log, frameLength: 8, frameStep: 4, fftLength: 8, dtype: $0) },
                         inputShapes: [[2, 24, 2]], expectedOutputShape: [2, 5, 10], expectedTrainableWeights: 2,
                         expectedWeightShapes: [[8, 1, 5], [8, 1, 5]])
        // (`.angle` is checked against JAX only: at the DC bin the imaginary part is exactly 0, and
        // finite differences of a kernel there cross the ±π branch cut of arctan2.)
        try runLayerTest({ STFTSpectrogram(mode: .psd, frameLength: 6, frameStep: 3, padding: .same, expandDims: true,
                                           dataFormat: .channelsFirst, dtype: $0) },
                         inputShapes: [[1, 2, 13]], expectedOutputShape: [1, 2, 5, 5], expectedTrainableWeights: 2)
        try runLayerTest({ STFTSpectrogram(mode: .real, frameLength: 4, window: nil, scaling: nil, dtype: $0) },
                         inputShapes: [[2, 9, 1]], expectedOutputShape: [2, 3, 3], expectedTrainableWeights: 1,
                         expectedWeightShapes: [[4, 1, 3]])
        try runLayerTest({ STFTSpectrogram(mode: .stft, frameLength: 5, fftLength: 8, window: .custom([0.2, 0.7, 1, 0.7, 0.2]),
                                           trainable: false, dtype: $0) },
                         inputShapes: [[1, 12, 1]], expectedOutputShape: [1, 4, 10], expectedNonTrainableWeights: 2)
        try runLayerTest({ MelSpectrogram(fftLength: 16, sequenceStride: 4, samplingRate: 8000, numMelBins: 5, dtype: $0) },
                         inputShapes: [[2, 40]], expectedOutputShape: [2, 5, 11])
        try runLayerTest({ MelSpectrogram(fftLength: 15, sequenceStride: 5, sequenceLength: 10, window: .hamming, samplingRate: 8000,
                                          numMelBins: 4, powerToDb: false, magExp: 1, dtype: $0) },
                         inputShapes: [[2, 31]], expectedOutputShape: [2, 4, 7])
    }

    // MARK: Arguments

    @Test func defaultsAndConfigsMatchKeras() {
        let stft = STFTSpectrogram()
        #expect(stft.mode == .log && stft.frameLength == 256 && stft.effectiveFrameStep == 128 && stft.effectiveFFTLength == 256)
        #expect(stft.window == .hann && !stft.periodic && stft.scaling == .density && stft.padding == .valid)
        #expect(STFTSpectrogram(frameLength: 300).effectiveFFTLength == 512)
        #expect(Array(stft.getConfig().keys) == ["name", "trainable", "dtype", "mode", "frame_length", "frame_step", "fft_length",
                                                 "window", "periodic", "scaling", "padding", "data_format", "expand_dims"])
        let mel = MelSpectrogram()
        #expect(mel.fftLength == 2048 && mel.sequenceStride == 512 && mel.sequenceLength == 2048 && mel.samplingRate == 16000)
        #expect(mel.numMelBins == 128 && mel.minFreq == 20 && mel.maxFreq == 8000 && mel.powerToDb && mel.topDb == 80)
        #expect(mel.magExp == 2 && mel.minPower == 1e-10 && mel.refPower == 1 && mel.window == .hann)
        #expect(mel.getConfig()["max_freq"] == .int(8000))
        #expect(Array(mel.getConfig().keys) == ["name", "trainable", "dtype", "fft_length", "sequence_stride", "sequence_length",
                                                "window", "sampling_rate", "num_mel_bins", "min_freq", "max_freq", "power_to_db",
                                                "top_db", "mag_exp", "min_power", "ref_power"])
        let custom = STFTSpectrogram(frameLength: 3, window: .custom([0.5, 1, 0.5]))
        #expect(custom.getConfig()["window"] == .array([.double(0.5), .double(1), .double(0.5)]))
    }

    @Test func badArgumentsThrowNamingTheLayer() {
        func stftError(_ config: Config) -> String? {
            do { _ = try makeLayer(className: "STFTSpectrogram", config: config); return nil } catch { return "\(error)" }
        }
        func melError(_ config: Config) -> String? {
            do { _ = try makeLayer(className: "MelSpectrogram", config: config); return nil } catch { return "\(error)" }
        }
        let stftBad: [(Config, String)] = [
            (["frame_length": 0], "frame_length"), (["frame_length": -4], "frame_length"),
            (["frame_length": .int(1 << 40)], "frame_length"), (["frame_length": "long"], "frame_length"),
            (["frame_length": 8, "frame_step": 9], "frame_step"), (["frame_length": 8, "frame_step": 0], "frame_step"),
            (["frame_length": 8, "fft_length": 4], "fft_length"), (["frame_length": 1], "fft_length"),
            (["frame_length": 60_000, "fft_length": .int(1 << 30)], "elements"),
            (["mode": "power"], "mode"), (["scaling": "l2"], "scaling"), (["padding": "causal"], "padding"),
            (["window": "kaiser"], "window"), (["window": 3], "window"),
            (["frame_length": 3, "window": [1, 2]], "window"), (["frame_length": 2, "window": [0, 0]], "window"),
            (["frame_length": 2, "window": [1, .double(.nan)]], "window"),
            (["data_format": "channels_middle"], "data_format"), (["dtype": "int32"], "dtype"),
        ]
        for (config, key) in stftBad {
            let message = stftError(config)
            #expect(message?.contains("STFTSpectrogram") == true && message?.contains(key) == true, "\(config): \(message ?? "no error")")
        }
        let melBad: [(Config, String)] = [
            (["fft_length": 0], "fft_length"), (["fft_length": 16, "sequence_length": 32], "sequence_length"),
            (["sequence_stride": -1], "sequence_stride"), (["sequence_length": 0], "sequence_length"),
            (["sampling_rate": 0], "sampling_rate"), (["num_mel_bins": 0], "num_mel_bins"),
            (["num_mel_bins": .int(1 << 40)], "num_mel_bins"), (["fft_length": .int(1 << 40)], "fft_length"),
            (["min_freq": -1.0], "min_freq"), (["min_freq": .double(.nan)], "min_freq"),
            (["min_freq": 5000.0, "max_freq": 4000.0], "max_freq"), (["max_freq": .double(.infinity)], "max_freq"),
            (["sampling_rate": 100, "min_freq": 50.0], "max_freq"),
            (["top_db": -1.0], "top_db"), (["mag_exp": 0.0], "mag_exp"), (["min_power": 0.0], "min_power"),
            (["ref_power": .double(.nan)], "ref_power"), (["window": "blackman"], "window"), (["window": [1, 2]], "window"),
            (["power_to_db": "yes"], "power_to_db"),
        ]
        for (config, key) in melBad {
            let message = melError(config)
            #expect(message?.contains("MelSpectrogram") == true && message?.contains(key) == true, "\(config): \(message ?? "no error")")
        }
        #expect(stftError(["frame_length": 8, "fft_length": 10, "window": nil, "scaling": nil]) == nil)
        #expect(melError(["window": nil, "max_freq": 3000]) == nil)
    }

    @Test func badInputsThrowInsteadOfStopping() throws {
        let stft = STFTSpectrogram(frameLength: 8)
        #expect(throws: KerasError.self) { try stft.callChecked(Tensor.ones([2, 20])) }
        #expect(throws: KerasError.self) { try stft.callChecked(Tensor.ones([2, 5, 1])) }   // shorter than a frame
        #expect(throws: KerasError.self) { try stft.callChecked(Tensor.ones([2, 20, 1], dtype: .int32)) }
        #expect(STFTSpectrogram(frameLength: 8, padding: .same)(Tensor.ones([1, 5, 1])).shape == [1, 2, 5])
        let mel = MelSpectrogram(fftLength: 16, sequenceStride: 4, numMelBins: 4)
        #expect(throws: KerasError.self) { try mel.callChecked(Tensor.ones([2, 3, 40])) }
        #expect(throws: KerasError.self) { try mel.callChecked(Tensor.ones([2, 8])) }   // too short to reflect
        let short = try mel.callChecked(Tensor.ones([2, 9]))
        #expect(short.shape == [2, 4, 3])
        #expect(STFTSpectrogram(frameLength: 8)(Input(shape: [5, 1])).error != nil)
        #expect(STFTSpectrogram(frameLength: 8)(Input(shape: [20])).error != nil)
        #expect(mel(Input(shape: [4])).error != nil)
    }

    // MARK: Models

    static func makeModel() throws -> Model {
        let input = Input(shape: [128])
        let mel = MelSpectrogram(fftLength: 32, sequenceStride: 8, samplingRate: 8000, numMelBins: 6, name: "mel")(input)
        let output = STFTSpectrogram(mode: .magnitude, frameLength: 8, frameStep: 4, name: "stft")(Permute([2, 1])(mel))
        return try Model(inputs: input, outputs: output)
    }

    /// The `.keras` file Keras saved (Mel → Permute → STFT with changed kernels) loads with its
    /// weights and predicts as Keras did; its summary shows Keras's shapes and parameter counts.
    @Test func aKerasFileWithBothLayersLoads() throws {
        let saved = Self.fixture["saved"] as! [String: Any]
        let model = try loadModel(fixturesDirectory.appendingPathComponent("audio_preprocessing.keras").path)
        let expected = (saved["weights"] as! [Any]).map(tensorFromFixture)
        let weights = model.getWeights()
        #expect(weights.count == expected.count)
        for (a, b) in zip(weights, expected) { assertClose(a, b, rtol: 0, atol: 1e-7) }
        let x = tensorFromFixture(saved["x"]!)
        assertClose(try model.predict(x, verbose: 0), tensorFromFixture(saved["y"]!), rtol: 1e-4, atol: 1e-4)
        var text = ""
        model.summary { text += $0 }
        let kerasSummary = saved["summary"] as! String
        for line in kerasSummary.split(separator: "\n") where line.contains("Spectrogram") || line.contains("params") {
            #expect(text.contains(line), "missing summary line \(line) in \(text)")
        }
    }

    @Test func modelsBuildTrainAndRoundTrip() throws {
        let model = try Self.makeModel()
        let outputShape = try model.outputShape
        #expect(outputShape == [nil, 3, 30])
        let x = Tensor.randomUniform([2, 128], minval: -1, maxval: 1, seed: 4)
        let expected = try model.predict(x, verbose: 0)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swift-keras-audio-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try model.save(to: dir + "/m.keras")
        let loaded = try loadModel(dir + "/m.keras")
        #expect(loaded.layers.map(\.className).filter { $0 != "InputLayer" } == ["MelSpectrogram", "Permute", "STFTSpectrogram"])
        assertClose(try loaded.predict(x, verbose: 0), expected, rtol: 1e-6, atol: 1e-6)

        // A trainable STFT front end learns in a Sequential model.
        let sequential = Sequential([InputLayer(shape: [32, 1]), STFTSpectrogram(mode: .magnitude, frameLength: 8, frameStep: 4),
                                     Flatten(), Dense(1)])
        try sequential.compile(optimizer: SGD(learningRate: 0.01), loss: "mse")
        let front = try #require(sequential.layers.first { $0 is STFTSpectrogram })
        let before = front.getWeights()[0]
        _ = try sequential.fit(Tensor.randomUniform([4, 32, 1], seed: 1), Tensor.zeros([4, 1]), epochs: 1, verbose: 0)
        #expect(front.getWeights()[0].doubles != before.doubles)
    }
}
