import Foundation
import Keras
import KerasTestSupport
import Testing

/// ConvLSTM1D/2D/3D against Keras 3.15.1 (JAX): `Tests/Fixtures/conv_lstm_generate.py` writes
/// `conv_lstm.json` and `conv_lstm.keras`.
@Suite struct ConvLSTMTests {
    nonisolated(unsafe) static let fixture: [String: Any] = (try? loadFixture("conv_lstm.json") as? [String: Any]) ?? [:]
    static let cases: [KerasLayerCase] = (fixture["cases"] as? [[String: Any]] ?? []).map(KerasLayerCase.init)
    static func entry(_ key: String) -> [String: Any] { fixture[key] as! [String: Any] }
    static func tensors(_ any: Any?) -> [Tensor] { (any as! [Any]).map(tensorFromFixture) }
    static func config(_ any: Any?) -> Config { ConfigValue.from(any: any!).objectValue! }

    // MARK: Numerics against Keras

    /// Config round trip, outputs and gradients (inputs, initial states and every weight) of
    /// return_sequences/return_state, go_backwards, strides with same/valid padding, dilation,
    /// channels_first, initial states, no bias with other activations, dropout in inference.
    @Test(arguments: cases.map(\.name))
    func layerMatchesKeras(_ name: String) throws {
        let kase = try #require(Self.cases.first { $0.name == name })
        try kase.check()
        let raw = (Self.fixture["cases"] as! [[String: Any]]).first { $0["name"] as? String == name }!
        let layer = try #require(try makeLayer(className: kase.className, config: kase.config) as? ConvLSTM)
        _ = layer.apply(kase.inputs)
        let paths = (raw["weight_names"] as! [String]).map { $0.split(separator: "/").map(String.init) }
        #expect(layer.weights.map(\.name) == paths.map { $0.last! }, "\(name) weight names")
        #expect(paths.allSatisfy { $0[$0.count - 2] == layer.convLSTMCell.name })
        #expect(layer.weights.map(\.shape) == kase.weights.map(\.shape), "\(name) weight shapes")
    }

    @Test func statefulLayerCarriesStatesAcrossBatches() throws {
        let s = Self.entry("stateful")
        let layer = try ConvLSTM2D(config: Self.config(s["config"]))
        let x1 = tensorFromFixture(s["x1"]!), x2 = tensorFromFixture(s["x2"]!)
        _ = layer(x1)
        try layer.setWeights(Self.tensors(s["weights"]))
        try layer.resetStates()
        assertClose(layer(x1), tensorFromFixture(s["y1"]!), rtol: 1e-4, atol: 1e-5)
        assertClose(layer(x2), tensorFromFixture(s["y2"]!), rtol: 1e-4, atol: 1e-5)
        #expect(layer.states?.map(\.shape) == [[2, 5, 5, 2], [2, 5, 5, 2]])
        try layer.resetStates()
        assertClose(layer(x2), tensorFromFixture(s["y2_after_reset"]!), rtol: 1e-4, atol: 1e-5)
        // States set by hand must have the states' shape.
        #expect(throws: KerasError.self) { try layer.resetStates([Tensor.zeros([2, 5, 5, 2]), Tensor.zeros([2, 5, 2])]) }
        try layer.resetStates([Tensor.zeros([2, 5, 5, 2]), Tensor.zeros([2, 5, 5, 2])])
        assertClose(layer(x2), tensorFromFixture(s["y2_after_reset"]!), rtol: 1e-4, atol: 1e-5)
    }

    /// Dropout draws masks in training (shapes as Keras's), and is the identity in inference.
    @Test func dropoutInTrainingKeepsKerasShapes() throws {
        let d = Self.entry("training_shapes")
        let layer = try ConvLSTM2D(config: Self.config(d["config"]))
        let shape = d["input_shape"] as! [Int]
        let x = Tensor(shape: shape, doubles: (0..<shape.reduce(1, *)).map { sin(Double($0)) }, dtype: .float32)
        let outputs = layer.apply([x], training: true)
        #expect(outputs.map(\.shape) == (d["output_shapes"] as! [[Int]]))
        let inference = layer.apply([x])
        #expect(outputs[0].doubles != inference[0].doubles)
        #expect(layer.apply([x])[0].doubles == inference[0].doubles)
        #expect(outputs.allSatisfy { $0.doubles.allSatisfy { $0.isFinite } })
    }

    @Test func smallModelTrainsLikeKeras() throws {
        let tr = Self.entry("training")
        try withNameScope {
            let model = Sequential([InputLayer(shape: [3, 5, 5, 2]), ConvLSTM2D(filters: 2, kernelSize: [3]), Flatten(), Dense(3)])
            #expect(summaryText(model) == tr["summary"] as! String)
            try model.setWeights(Self.tensors(tr["initial_weights"]))
            try model.compile(optimizer: SGD(learningRate: 0.1), loss: SparseCategoricalCrossentropy(fromLogits: true))
            let x = tensorFromFixture(tr["x"]!), y = tensorFromFixture(tr["y"]!).cast(to: .int32)
            let expected = (tr["losses"] as! [Any]).map { ($0 as! NSNumber).doubleValue }
            var losses: [Double] = []
            for _ in expected { losses.append(try model.trainOnBatch(x, y)["loss"]!) }
            assertClose(losses, expected, rtol: 1e-4, atol: 1e-5, "losses")
            for (w, e) in zip(model.getWeights(), Self.tensors(tr["final_weights"])) {
                assertClose(w, e, rtol: 1e-4, atol: 1e-4, "trained weights")
            }
        }
    }

    @Test func kerasSavedModelLoadsAndPredicts() throws {
        let s = Self.entry("saved")
        let model = try loadModel(fixturesDirectory.appendingPathComponent("conv_lstm.keras").path)
        #expect(model.layers.map(\.className).filter { $0.hasPrefix("ConvLSTM") } == ["ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"])
        let y = try model.predict(Self.tensors(s["inputs"]))
        assertClose(y, tensorFromFixture(s["y"]!), rtol: 1e-4, atol: 1e-5)
        // Our own save and load keeps it.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("convlstm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try model.save(to: dir.appendingPathComponent("m.keras").path)
        let again = try loadModel(dir.appendingPathComponent("m.keras").path)
        assertClose(try again.predict(Self.tensors(s["inputs"])), tensorFromFixture(s["y"]!), rtol: 1e-4, atol: 1e-5)
    }

    // MARK: Arguments and configs

    @Test func configsAreKeras() throws {
        let configs = Self.entry("configs")
        let full = Self.config(configs["full"])
        let layer = try ConvLSTM2D(config: full)
        MorePoolingPreprocessingTests.expectSameConfig(layer.getConfig(), full, "full")
        #expect(layer.dataFormat == .channelsFirst && layer.strides == [2, 1] && layer.kernelSize == [3, 2])
        let c1 = ConvLSTM1D(filters: 3, kernelSize: [2], name: "c1")
        MorePoolingPreprocessingTests.expectSameConfig(c1.getConfig(), Self.config(configs["conv_lstm1d_default"]), "1D")
        let c3 = ConvLSTM3D(filters: 3, kernelSize: [2], name: "c3")
        MorePoolingPreprocessingTests.expectSameConfig(c3.getConfig(), Self.config(configs["conv_lstm3d_default"]), "3D")
        // Swift arguments give the same config as Keras's for the same values.
        let swift = ConvLSTM2D(filters: 4, kernelSize: [3, 2], strides: [2, 1], padding: .same, dataFormat: .channelsFirst,
                               activation: .relu, recurrentActivation: .tanh, kernelInitializer: HeNormal(),
                               recurrentInitializer: GlorotUniform(), biasInitializer: Ones(), unitForgetBias: false,
                               kernelRegularizer: L2(l2: 0.01), recurrentRegularizer: L1(l1: 0.01), biasRegularizer: L1(l1: 0.01),
                               activityRegularizer: L2(l2: 0.01), kernelConstraint: NonNeg(), recurrentConstraint: MaxNorm(maxValue: 2),
                               biasConstraint: UnitNorm(), dropout: 0.25, recurrentDropout: 0.125, seed: 7,
                               returnSequences: true, returnState: true, goBackwards: true, stateful: true, name: "full")
        MorePoolingPreprocessingTests.expectSameConfig(swift.getConfig(), full, "swift full")
        #expect(makeLayerClassNames().isSuperset(of: ["ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"]))
    }

    private func makeLayerClassNames() -> Set<String> {
        Set(["ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"].filter { (try? makeLayer(className: $0, config: ["filters": 1, "kernel_size": 1])) != nil })
    }

    /// Bad configs throw a `KerasError` naming the class and the bad value.
    @Test func badConfigsThrow() {
        let cases: [(Config, String)] = [
            (["filters": 0, "kernel_size": 3], "filters"),
            (["filters": -2, "kernel_size": 3], "filters"),
            (["filters": 2, "kernel_size": [3, 0]], "kernel_size"),
            (["filters": 2, "kernel_size": [3, 3, 3]], "kernel_size"),
            (["filters": 2, "kernel_size": 3, "strides": 0], "strides"),
            (["filters": 2, "kernel_size": 3, "strides": 2, "dilation_rate": 2], "dilation_rate"),
            (["filters": 2, "kernel_size": 3, "padding": "causal"], "padding"),
            (["filters": 2, "kernel_size": 3, "data_format": "channels_middle"], "data_format"),
            (["kernel_size": 3], "filters"),
            (["filters": 2, "kernel_size": 3, "dropout": "x"], "dropout"),
        ]
        for (config, key) in cases {
            do {
                _ = try ConvLSTM2D(config: config)
                Issue.record("expected \(config) to throw")
            } catch let error as KerasError {
                #expect("\(error)".contains("ConvLSTM2D") && "\(error)".contains(key), "\(error)")
            } catch {
                Issue.record("not a KerasError: \(error)")
            }
        }
    }

    /// Inputs the layer cannot take throw from checked calls and symbolic calls, naming the layer,
    /// what it expected and what it got.
    @Test func badInputsThrow() throws {
        func message(_ body: () throws -> Void) -> String {
            do { try body(); return "" } catch { return "\(error)" }
        }
        let layer = ConvLSTM2D(filters: 2, kernelSize: [3], name: "clstm")
        var m = message { _ = try layer.callChecked(Tensor.ones([2, 3, 5, 2])) }
        #expect(m.contains("clstm") && m.contains("ndim=5") && m.contains("(2, 3, 5, 2)"), "\(m)")
        m = message { _ = try layer.callChecked(Tensor.ones([2, 3, 2, 5, 2])) }
        #expect(m.contains("clstm") && m.contains("zero or negative") && m.contains("(2, 3, 2, 5, 2)"), "\(m)")
        m = message { _ = try ConvLSTM1D(filters: 2, kernelSize: [4], dilationRate: [2]).callChecked(Tensor.ones([1, 2, 6, 1])) }
        #expect(m.contains("zero or negative"), "\(m)")
        // Initial states of the wrong shape.
        let x = Tensor.ones([2, 3, 5, 5, 2])
        m = message { _ = try layer.applyChecked([x, Tensor.zeros([2, 5, 5, 2]), Tensor.zeros([2, 5, 5, 2])]) }
        #expect(m.contains("clstm") && m.contains("(2, 3, 3, 2)") && m.contains("(2, 5, 5, 2)"), "\(m)")
        m = message { _ = try layer.applyChecked([x, Tensor.zeros([2, 3, 3, 2])]) }
        #expect(m.contains("clstm") && m.contains("1 initial state"), "\(m)")
        // Symbolic: dynamic spatial sizes, unknown channels, wrong rank.
        for shape: [Int?] in [[3, nil, 5, 2], [3, 5, 5, nil], [3, 5, 2]] {
            let out = ConvLSTM2D(filters: 2, kernelSize: [3], name: "sym").applySymbolic([Input(shape: shape)])
            #expect(out[0].error != nil && "\(out[0].error!)".contains("sym"), "\(shape)")
        }
        // A built layer rejects other spatial sizes.
        _ = layer(x)
        m = message { _ = try layer.callChecked(Tensor.ones([2, 3, 6, 5, 2])) }
        #expect(m.contains("clstm"), "\(m)")
    }

    // MARK: Layer contract

    @Test func runLayerTestPasses() throws {
        try runLayerTest({ ConvLSTM2D(filters: 2, kernelSize: [2], padding: .same, returnSequences: true, dtype: $0) },
                         inputShapes: [[1, 2, 3, 3, 1]], expectedOutputShape: [1, 2, 3, 3, 2],
                         expectedTrainableWeights: 3, expectedWeightShapes: [[2, 2, 1, 8], [2, 2, 2, 8], [8]])
        try runLayerTest({ ConvLSTM1D(filters: 2, kernelSize: [2], strides: [2], dataFormat: .channelsFirst, goBackwards: true, dtype: $0) },
                         inputShapes: [[2, 3, 2, 5]], expectedOutputShape: [2, 2, 2],
                         expectedTrainableWeights: 3, expectedWeightShapes: [[2, 2, 8], [2, 2, 8], [8]])
        try runLayerTest({ ConvLSTM3D(filters: 1, kernelSize: [2], useBias: false, dtype: $0) },
                         inputShapes: [[1, 2, 3, 2, 2, 1]], expectedOutputShape: [1, 2, 1, 1, 1],
                         expectedTrainableWeights: 2)
    }

    /// Finite differences in float64 through the states, with initial states and dilation.
    @Test func gradientsMatchFiniteDifferences() {
        var g = RandomGenerator(seed: 5)
        func random(_ shape: [Int]) -> Tensor {
            Tensor(shape: shape, doubles: (0..<shape.reduce(1, *)).map { _ in g.nextUnit() * 2 - 1 }, dtype: .float64)
        }
        let layer2 = ConvLSTM2D(filters: 2, kernelSize: [2], dilationRate: [1, 2], returnState: true, dtype: .float64)
        let x2 = random([1, 3, 3, 4, 1]), h = random([1, 2, 2, 2]), c = random([1, 2, 2, 2])
        checkGradients([x2, h, c]) { xs in
            let out = layer2.apply(xs)
            return concatenate([out[0], out[2]].map { $0.reshaped(to: [-1]) })
        }
        let layer1 = ConvLSTM1D(filters: 2, kernelSize: [3], padding: .same, dataFormat: .channelsFirst,
                                returnSequences: true, dtype: .float64)
        checkGradients([random([2, 3, 1, 4])]) { xs in layer1.apply(xs)[0] }
        _ = layer1.apply([random([2, 3, 1, 4])])
        let x1 = random([2, 3, 1, 4])
        for variable in layer1.trainableWeights {
            checkWeightGradient(variable) { layer1.apply([x1])[0] }
        }
    }

    @Test func worksInSequentialAndFunctionalModels() throws {
        // Symbolic shapes: strides, channels first, states.
        let seq = Input(shape: [4, 2, 9, 8])
        let layer = ConvLSTM2D(filters: 3, kernelSize: [3], strides: [2], padding: .same, dataFormat: .channelsFirst,
                               returnSequences: true, returnState: true)
        let outs = layer.applySymbolic([seq])
        #expect(outs.map(\.shape) == [[nil, 4, 3, 5, 4], [nil, 3, 5, 4], [nil, 3, 5, 4]])
        // Functional with initial states as inputs.
        let x = Input(shape: [3, 6, 2]), h0 = Input(shape: [6, 2]), c0 = Input(shape: [6, 2])
        let core = ConvLSTM1D(filters: 2, kernelSize: [3], padding: .same, returnSequences: true)
        let y = core.applySymbolic([x, h0, c0])[0]
        #expect(y.shape == [nil, 3, 6, 2])
        let model = try Model(inputs: [x, h0, c0], outputs: [Dense(1)(Flatten()(y))])
        let data = [Tensor.ones([2, 3, 6, 2]), Tensor.zeros([2, 6, 2]), Tensor.zeros([2, 6, 2])]
        let zeros = try model.predict(data)
        let plain = Tensor.ones([2, 3, 6, 2])
        // Zero initial states are the default states.
        let direct = try Model(inputs: [x], outputs: [model.layers.last!(model.layers[model.layers.count - 2](core(x)))])
        assertClose(try direct.predict([plain]), zeros, rtol: 1e-5, atol: 1e-6)
        #expect(core.applySymbolic([x, Input(shape: [5, 2]), c0])[0].error != nil)
        // Sequential and fit.
        let sequential = Sequential([InputLayer(shape: [2, 4, 4, 1]), ConvLSTM2D(filters: 2, kernelSize: [2], dropout: 0.2,
                                                                               recurrentDropout: 0.2, seed: 1),
                                     Flatten(), Dense(1)])
        try sequential.compile(optimizer: SGD(learningRate: 0.01), loss: MeanSquaredError())
        let history = try sequential.fit(Tensor.ones([4, 2, 4, 4, 1]), Tensor.ones([4, 1]), epochs: 1, verbose: 0)
        #expect(history.history["loss"]?.first?.isFinite == true)
        #expect(sequential.layers[0].computeOutputShape([nil, 2, 4, 4, 1]) == [nil, 3, 3, 2])
    }

    /// Keras's JAX backend cannot mask a ConvLSTM (its mask does not broadcast to the feature
    /// maps); here masked steps keep the states and repeat the output, as in the other RNNs.
    @Test func masksSkipSteps() {
        let layer = ConvLSTM1D(filters: 2, kernelSize: [2], returnSequences: true, returnState: true, name: "masked")
        let x = Tensor(shape: [2, 3, 4, 1], doubles: (0..<24).map { cos(Double($0)) }, dtype: .float32)
        _ = layer(x)
        let mask = Tensor(shape: [2, 3], scalars: [true, true, false, true, false, true])
        let (outs, masks) = layer.applyMasked([x], masks: [mask])
        #expect(masks[0] != nil && masks[1] == nil)
        // Sample 0: the last step is masked, so its final states are those after two steps.
        let twoSteps = layer.apply([x.slice(axis: 1, start: 0, end: 2)])
        assertClose(outs[1].slice(axis: 0, start: 0, end: 1), twoSteps[1].slice(axis: 0, start: 0, end: 1), rtol: 1e-6, atol: 1e-7)
        assertClose(outs[0].slice(axis: 1, start: 2, end: 3).slice(axis: 0, start: 0, end: 1),
                    twoSteps[0].slice(axis: 1, start: 1, end: 2).slice(axis: 0, start: 0, end: 1), rtol: 1e-6, atol: 1e-7)
    }

    /// The cell alone takes one step in the layer's layout.
    @Test func cellStepsLikeTheLayer() {
        let layer = ConvLSTM2D(filters: 2, kernelSize: [2], padding: .same, dataFormat: .channelsFirst, returnState: true)
        let x = Tensor(shape: [1, 1, 2, 3, 3], doubles: (0..<18).map { sin(Double($0) / 3) }, dtype: .float32)
        let out = layer.apply([x])
        let cell = layer.convLSTMCell
        let step = cell.apply([x.squeezing(axes: [1])] + cell.initialStates(batchSize: 1))
        #expect(step.map(\.shape) == [[1, 2, 3, 3], [1, 2, 3, 3], [1, 2, 3, 3]])
        for (a, b) in zip(step, out) { assertClose(a, b, rtol: 1e-6, atol: 1e-7) }
    }

    /// The doc comments' examples give the shapes they state.
    @Test func docExamplesHold() {
        let cell = ConvLSTMCell(rank: 2, filters: 4, kernelSize: [3, 3], padding: .same)
        #expect(RNN(cell)(Tensor.ones([2, 5, 8, 8, 3])).shape == [2, 8, 8, 4])
        let layer = ConvLSTM2D(filters: 8, kernelSize: [3, 3], padding: .same, returnSequences: true)
        #expect(layer(Tensor.ones([2, 5, 16, 16, 3])).shape == [2, 5, 16, 16, 8])
        let withState = ConvLSTM1D(filters: 4, kernelSize: [3], strides: [2], returnState: true)
        #expect(withState.apply([Tensor.ones([2, 5, 9, 3])]).map { $0.shape } == [[2, 4, 4], [2, 4, 4], [2, 4, 4]])
        #expect(ConvLSTM1D(filters: 4, kernelSize: [3], padding: .same)(Tensor.ones([2, 5, 10, 3])).shape == [2, 10, 4])
        #expect(ConvLSTM2D(filters: 4, kernelSize: [3, 3])(Tensor.ones([2, 5, 8, 8, 3])).shape == [2, 6, 6, 4])
        #expect(ConvLSTM3D(filters: 2, kernelSize: [3], padding: .same)(Tensor.ones([1, 4, 6, 6, 6, 1])).shape == [1, 6, 6, 6, 2])
        #expect((try? ConvLSTM2D(config: ["filters": 4, "kernel_size": [3, 3], "data_format": "channels_first"]))?.dataFormat == .channelsFirst)
    }
}
