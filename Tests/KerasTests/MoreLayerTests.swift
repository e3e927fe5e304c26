import Foundation
import Keras
import KerasTestSupport
import Testing

/// EinsumDense, RMSNormalization and SpectralNormalization against real Keras
/// (`Tests/Fixtures/layers_more.json`, written by `layers_more_generate.py`).
@Suite("More core layers") struct MoreCoreLayerTests {
    static let root: Config = ConfigValue.from(any: try! loadFixture("layers_more.json")).objectValue!
    static func tensor(_ value: ConfigValue) -> Tensor { KerasLayerFixtures.tensor(value) }
    static func entry(_ list: String, _ id: String) -> Config {
        guard let found = root[list]!.arrayValue!.first(where: { $0["id"]?.stringValue == id }) else {
            fatalError("no fixture case \(id) in \(list)")
        }
        return found.objectValue!
    }

    // MARK: Keras's numbers

    @Test(arguments: ["einsum_ab_bc", "einsum_abc_cd_relu", "einsum_ellipsis_left", "einsum_abc_cde", "einsum_abc_cde_bias_d",
                      "einsum_ellipsis_right", "einsum_permuted_kernel", "einsum_abcd_cde_no_bias",
                      "rms_last_axis", "rms_axes_1_2"])
    func matchesKeras(_ id: String) throws {
        let c = Self.entry("cases", id)
        let kerasConfig = c["config"]!.objectValue!
        let layer = try makeLayer(className: c["class_name"]!.stringValue!, config: kerasConfig)
        let x = Self.tensor(c["input"]!)
        try layer.build(x.shape.map { Optional($0) })
        #expect(layer.weights.map(\.name) == c["weight_names"]!.arrayValue!.map { $0.stringValue! }, "\(id) weight names")
        #expect(layer.weights.map(\.shape) == c["weight_shapes"]!.arrayValue!.map { $0.arrayValue!.map { $0.intValue! } },
                "\(id) weight shapes")
        #expect(layer.computeOutputShape([nil] + x.shape.dropFirst().map { Optional($0) })
                == c["output_shape"]!.arrayValue!.map(\.intValue), "\(id) output shape")
        try layer.setWeights(c["weights"]!.arrayValue!.map(Self.tensor))
        let tape = GradientTape()
        let watched = tape.watch(x)
        let y = tape.record { layer(watched) }
        assertClose(y, Self.tensor(c["output"]!), rtol: 1e-5, atol: 1e-5, "\(id) output")
        let objective = tape.record { (y * Self.tensor(c["probe"]!)).sum() }
        assertClose(tape.gradient(objective, wrt: [watched])[0], Self.tensor(c["input_grad"]!), rtol: 1e-4, atol: 1e-4,
                    "\(id) input gradient")
        let expected = c["weight_grads"]!.arrayValue!.map(Self.tensor)
        #expect(layer.trainableWeights.count == expected.count)
        for (g, e) in zip(tape.gradient(objective, wrt: layer.trainableWeights), expected) {
            assertClose(g, e, rtol: 1e-4, atol: 1e-4, "\(id) weight gradient")
        }
        // Keras's config reads back to Keras's config.
        KerasLayerFixtures.checkConfig(layer.getConfig(), kerasConfig, id, sourceLocation: #_sourceLocation)
        let again = try makeLayer(className: layer.className, config: layer.getConfig())
        #expect(ConfigValue.object(again.getConfig()) == ConfigValue.object(layer.getConfig()), "\(id) config round trip")
    }

    @Test(arguments: ["dense_p1", "dense_p2", "conv2d_p1", "conv2d_p2", "embedding_p1"])
    func spectralNormalizationMatchesKeras(_ id: String) throws {
        let c = Self.entry("spectral", id)
        let kerasConfig = c["config"]!.objectValue!
        let layer = try #require(try makeLayer(className: "SpectralNormalization", config: kerasConfig) as? SpectralNormalization)
        #expect(layer.powerIterations == c["power_iterations"]!.intValue!)
        let x = Self.tensor(c["input"]!)
        try layer.build(x.shape.map { Optional($0) })
        // Keras's weights in Keras's order: the kernel first (the wrapper tracks it too), then
        // `vector_u`, then the wrapped layer's others.
        let names = c["weight_names"]!.arrayValue!.map { $0.stringValue! }
        let shapes = c["weight_shapes"]!.arrayValue!.map { $0.arrayValue!.map { $0.intValue! } }
        #expect(layer.weights.map(\.name) == names && layer.weights.map(\.shape) == shapes, "\(id) weights")
        #expect(layer.nonTrainableWeights.map(\.name) == ["vector_u"])
        let initial = c["initial"]!.objectValue!
        for w in layer.weights { w.assign(Self.tensor(initial[w.name]!)) }

        for (step, record) in c["steps"]!.arrayValue!.enumerated() {
            let tape = GradientTape()
            let watched = tape.watch(x)
            let y = tape.record { layer(watched, training: true) }
            assertClose(y, Self.tensor(record["output"]!), rtol: 1e-5, atol: 1e-5, "\(id) step \(step) output")
            assertClose(layer.vectorU.value, Self.tensor(record["vector_u"]!), rtol: 1e-4, atol: 1e-5, "\(id) step \(step) vector_u")
            assertClose(layer.kernel.value, Self.tensor(record["kernel"]!), rtol: 1e-4, atol: 1e-5, "\(id) step \(step) kernel")
            if step == 0, let grads = c["grads"]?.objectValue {
                let objective = tape.record { (y * Self.tensor(grads["probe"]!)).sum() }
                assertClose(tape.gradient(objective, wrt: [watched])[0], Self.tensor(grads["input_grad"]!), rtol: 1e-4, atol: 1e-4,
                            "\(id) input gradient")
                let inner = layer.layer.trainableWeights
                #expect(inner.map(\.name) == grads["weight_names"]!.arrayValue!.map { $0.stringValue! })
                for (g, e) in zip(tape.gradient(objective, wrt: inner), grads["weight_grads"]!.arrayValue!.map(Self.tensor)) {
                    assertClose(g, e, rtol: 1e-4, atol: 1e-4, "\(id) weight gradient")
                }
            }
        }
        let kernelBefore = layer.kernel.value
        assertClose(layer(x), Self.tensor(c["inference_output"]!), rtol: 1e-5, atol: 1e-5, "\(id) inference output")
        assertClose(layer.kernel.value, kernelBefore, "\(id): inference leaves the kernel alone")
        KerasLayerFixtures.checkConfig(layer.getConfig(), kerasConfig, id, sourceLocation: #_sourceLocation)
        let again = try makeLayer(className: "SpectralNormalization", config: layer.getConfig())
        #expect(ConfigValue.object(again.getConfig()) == ConfigValue.object(layer.getConfig()), "\(id) config round trip")
    }

    /// A model with the three layers, named as Keras names them.
    static func makeModel() throws -> Sequential {
        try withNameScope {
            let model = Sequential()
            for layer: Layer in [
                InputLayer(shape: [6]), EinsumDense("ab,bc->ac", outputShape: 8, activation: .relu, biasAxes: "c"),
                RMSNormalization(), SpectralNormalization(Dense(3)), EinsumDense("...b,bc->...c", outputShape: 2),
            ] { try model.add(layer) }
            return model
        }
    }

    @Test func summaryMatchesKeras() throws {
        let model = try Self.makeModel()
        let golden = Self.root["summary"]!.stringValue!
        let text = summaryText(model)
        #expect(text == golden, "\(text)\nexpected:\n\(golden)")
    }

    /// Sets each layer's weights from the fixture's per-layer lists, by name.
    static func setKerasWeights(_ model: Sequential, _ perLayer: [ConfigValue]) throws {
        #expect(model.layers.count == perLayer.count)
        for (layer, entry) in zip(model.layers, perLayer) {
            let byName = Dictionary(uniqueKeysWithValues: entry["weights"]!.arrayValue!.map { ($0["name"]!.stringValue!, tensor($0["value"]!)) })
            #expect(Set(layer.weights.map(\.name)) == Set(byName.keys), "\(layer.name)")
            for w in layer.weights { w.assign(byName[w.name]!) }
        }
    }

    @Test func aModelConfigWrittenByKerasLoadsAndRuns() throws {
        let fixture = Self.root["serialized_model"]!
        let model = try #require(try deserializeLayer(fixture["config"]!) as? Sequential)
        try Self.setKerasWeights(model, fixture["weights"]!.arrayValue!)
        let x = Self.tensor(fixture["input"]!)
        assertClose(try model.predict(x, verbose: 0), Self.tensor(fixture["output"]!), rtol: 1e-5, atol: 1e-5)
        assertClose(model(x, training: true), Self.tensor(fixture["training_output"]!), rtol: 1e-5, atol: 1e-5)
    }

    /// The `.keras` file Keras saved after a training call: its weights in Keras's order (the
    /// spectral kernel and vector_u as that call left them) and its predict output.
    @Test func aKerasFileWithTheLayersLoads() throws {
        let fixture = Self.root["serialized_model"]!
        let model = try loadModel(fixturesDirectory.appendingPathComponent("layers_more.keras").path)
        let expected = fixture["saved_weights"]!.arrayValue!.map(Self.tensor)
        let weights = model.getWeights()
        #expect(weights.count == expected.count)
        for (i, (a, b)) in zip(weights, expected).enumerated() { assertClose(a, b, rtol: 0, atol: 0, "weight \(i)") }
        assertClose(try model.predict(Self.tensor(fixture["input"]!), verbose: 0), Self.tensor(fixture["saved_output"]!),
                    rtol: 1e-5, atol: 1e-5)
    }

    /// The attention projections start as Keras's: Glorot over the equation's fans (the
    /// contracted and produced axes), not over the kernel's rank-3 shape.
    @Test func attentionProjectionsUseTheEquationsFans() {
        let expected = Self.root["attention_kernel_max"]!.objectValue!
        let features = Tensor.zeros([1, 10, 64])
        let mha = MultiHeadAttention(numHeads: 4, keyDim: 16, name: "multi_head_attention")
        let gqa = GroupedQueryAttention(headDim: 16, numQueryHeads: 4, numKeyValueHeads: 2, name: "grouped_query_attention")
        _ = mha(query: features, value: features)
        _ = gqa(query: features, value: features)
        var seen = 0
        for layer in [mha, gqa] as [Layer] {
            for sub in layer.sublayers {
                guard let kernel = (sub as? HeadDense)?.kernel, let keras = expected["\(layer.name)/\(sub.name)/kernel"]?.doubleValue else { continue }
                let ours = Double(kernel.value.abs().max().item)
                #expect(ours <= keras * 1.002 && ours >= keras * 0.99, "\(layer.name)/\(sub.name): \(ours) vs Keras \(keras)")
                seen += 1
            }
        }
        #expect(seen == expected.count)
    }

    @Test func kerasArchiveRoundTrip() throws {
        let model = try Self.makeModel()
        let x = Tensor.randomNormal([4, 6], seed: 3)
        _ = model(x, training: true)   // moves vector_u and the kernel off their starting values
        let expected = try model.predict(x, verbose: 0)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swift-keras-more-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try model.save(to: dir + "/m.keras")
        let loaded = try loadModel(dir + "/m.keras")
        #expect(loaded.layers.map(\.className) == ["EinsumDense", "RMSNormalization", "SpectralNormalization", "EinsumDense"])
        for (a, b) in zip(loaded.getWeights(), model.getWeights()) { assertClose(a, b) }
        assertClose(try loaded.predict(x, verbose: 0), expected, rtol: 1e-6, atol: 1e-6)
    }

    // MARK: Layer contract and gradients (finite differences, float64)

    @Test func einsumDenseLayerTests() throws {
        try runLayerTest({ EinsumDense("ab,bc->ac", outputShape: [4], biasAxes: "c", dtype: $0) }, inputShapes: [[3, 5]],
                         expectedOutputShape: [3, 4], expectedTrainableWeights: 2, expectedWeightShapes: [[5, 4], [4]])
        try runLayerTest({ EinsumDense("abc,cde->abde", outputShape: [3, 2, 3], biasAxes: "d", dtype: $0) },
                         inputShapes: [[2, 3, 4]], expectedOutputShape: [2, 3, 2, 3], expectedTrainableWeights: 2,
                         expectedWeightShapes: [[4, 2, 3], [2, 1]])
        try runLayerTest({ EinsumDense("...b,bc->...c", outputShape: [4], activation: .tanh, biasAxes: "c", dtype: $0) },
                         inputShapes: [[2, 3, 5]], expectedOutputShape: [2, 3, 4], expectedTrainableWeights: 2)
        try runLayerTest({ EinsumDense("ab...,bc->ac...", outputShape: [4], biasAxes: "c", dtype: $0) },
                         inputShapes: [[2, 3, 5]], expectedOutputShape: [2, 4, 5], expectedTrainableWeights: 2,
                         expectedWeightShapes: [[3, 4], [4, 1]])
        try runLayerTest({ EinsumDense("abc,cbd->ad", outputShape: [4], biasAxes: "d", dtype: $0) },
                         inputShapes: [[2, 3, 5]], expectedOutputShape: [2, 4], expectedTrainableWeights: 2,
                         expectedWeightShapes: [[5, 3, 4], [4]])
    }

    @Test func normalizationAndWrapperLayerTests() throws {
        try runLayerTest({ RMSNormalization(dtype: $0) }, inputShapes: [[2, 3, 4]], expectedOutputShape: [2, 3, 4],
                         expectedTrainableWeights: 1, expectedWeightShapes: [[4]])
        try runLayerTest({ RMSNormalization(axis: [1, 2], epsilon: 1e-3, dtype: $0) }, inputShapes: [[2, 3, 4]],
                         expectedOutputShape: [2, 3, 4], expectedTrainableWeights: 1, expectedWeightShapes: [[3, 4]])
        try runLayerTest({ SpectralNormalization(Dense(3, dtype: $0), powerIterations: 2, dtype: $0) }, inputShapes: [[4, 5]],
                         expectedOutputShape: [4, 3], expectedTrainableWeights: 2, expectedNonTrainableWeights: 1,
                         expectedWeightShapes: [[5, 3], [1, 3], [3]])   // Keras: kernel, vector_u, bias
    }

    @Test func einsumDenseUsesTheEquationsFanAxes() {
        // Glorot over (in=8, out=4·16): |w| ≤ √(6 / 72), not the convolution fans of a 3-D kernel.
        let layer = EinsumDense("abc,cde->abde", outputShape: [nil, 4, 16])
        _ = layer(Tensor.ones([2, 3, 8]))
        let limit = (6.0 / 72).squareRoot()
        #expect(layer.kernel.value.abs().max().doubles[0] <= limit)
        #expect(layer.kernel.value.abs().max().doubles[0] > limit * 0.8)
        // LoRA: a frozen kernel plus a zero update at first.
        let lora = EinsumDense("abc,cde->abde", outputShape: [nil, 2, 3], biasAxes: "de", loraRank: 2)
        let x = Tensor.randomNormal([2, 3, 4], seed: 1)
        let y = lora(x)
        #expect(lora.trainableWeights.map(\.name) == ["bias", "lora_kernel_a", "lora_kernel_b"])
        #expect(lora.loraKernelA!.shape == [4, 2, 2] && lora.loraKernelB!.shape == [2, 3])
        assertClose(y, einsum("abc,cde->abde", x, lora.kernel.value) + lora.bias!.value)
        #expect(lora.getConfig()["lora_rank"] == 2)
    }

    @Test func rmsNormalizationKeepsTheInputDtype() {
        let layer = RMSNormalization()
        let y = layer(Tensor(shape: [1, 3], scalars: [Int32(1), 2, 3]))
        #expect(y.dtype == .int32)
        #expect(y.doubles == [0, 0, 1])   // Keras: [[0 0 1]]
    }

    /// The hostile-config sweep of `HostileConfigTests` on these layers, seeded with the configs
    /// Keras wrote in the fixture: every key and every nested value replaced by hostile values,
    /// then called on edge inputs; every outcome is a result or a thrown `KerasError`.
    @Test func hostileConfigsThrowOrRun() {
        var seeds: [ConfigValue] = []
        for c in Self.root["cases"]!.arrayValue! + Self.root["spectral"]!.arrayValue! {
            let x = Self.tensor(c["input"]!)
            let className = c["class_name"]?.stringValue ?? "SpectralNormalization"
            let shape: [ConfigValue] = [nil] + x.shape.dropFirst().map { .int($0) }
            seeds.append(.object(["module": "keras.layers", "class_name": .string(className), "config": c["config"]!,
                                  "registered_name": nil, "build_config": ["input_shape": .array(shape)],
                                  "input_shapes": [.array(shape)], "input_dtypes": ["float32"]]))
        }
        let skipped: Set = ["name", "module", "registered_name"]
        for seed in seeds {
            let entry = HostileConfigTests.entry(seed), className = entry["class_name"]!.stringValue!
            HostileConfigTests.attempt("\(className) as Keras wrote it", entry, seed, edges: HostileConfigTests.Edge.allCases)
            for key in entry["config"]!.objectValue!.keys.sorted() where key != "name" {
                for value in HostileConfigTests.hostile {
                    HostileConfigTests.attempt("\(className) with \(key)=\(value)",
                                               HostileConfigTests.replacing(entry, at: ["config", key], with: value), seed,
                                               edges: [.asBuilt, .nan])
                }
            }
            for path in HostileConfigTests.paths(entry) where !skipped.contains(path.last!) {
                for value in HostileConfigTests.nestedHostile {
                    HostileConfigTests.attempt("\(className) with \(path.joined(separator: "."))=\(value)",
                                               HostileConfigTests.replacing(entry, at: path[...], with: value), seed, edges: [.asBuilt])
                }
            }
        }
    }

    // MARK: Errors

    @Test func badConfigsThrow() throws {
        let bad: [(String, Config)] = [
            ("EinsumDense", ["output_shape": [4]]),
            ("EinsumDense", ["equation": "ab,bc", "output_shape": [4]]),
            ("EinsumDense", ["equation": "ab,bc,cd->ad", "output_shape": [4]]),
            ("EinsumDense", ["equation": "a1,bc->ac", "output_shape": [4]]),
            ("EinsumDense", ["equation": "ab,bc->ad", "output_shape": [4]]),
            ("EinsumDense", ["equation": "ab,bcx->ac", "output_shape": [4]]),
            ("EinsumDense", ["equation": "...ab,bc->ac", "output_shape": [4]]),
            ("EinsumDense", ["equation": "ab,bc->ac", "output_shape": [4, 5]]),
            ("EinsumDense", ["equation": "ab,bc->ac", "output_shape": [-4]]),
            ("EinsumDense", ["equation": "ab,bc->ac", "output_shape": "x"]),
            ("EinsumDense", ["equation": "ab,bc->ac", "output_shape": [4], "bias_axes": "z"]),
            ("EinsumDense", ["equation": "ab,bc->ac", "output_shape": [4], "bias_axes": ""]),
            ("EinsumDense", ["equation": "ab,bc->ac", "output_shape": [4], "lora_rank": 0]),
            ("EinsumDense", ["equation": 3, "output_shape": [4]]),
            ("RMSNormalization", ["axis": "last"]),
            ("RMSNormalization", ["axis": [1, 1]]),
            ("RMSNormalization", ["epsilon": -1]),
            ("RMSNormalization", ["epsilon": .double(.nan)]),
            ("SpectralNormalization", ["power_iterations": 1]),
            ("SpectralNormalization", ["layer": serializeLayer(Dense(2)), "power_iterations": 0]),
            ("SpectralNormalization", ["layer": serializeLayer(Dense(2)), "power_iterations": .int(1 << 40)]),
            ("SpectralNormalization", ["layer": serializeLayer(Dense(2)), "power_iterations": "x"]),
            ("SpectralNormalization", ["layer": "nonsense"]),
        ]
        for (className, config) in bad {
            #expect(throws: KerasError.self, "\(className) \(config)") { try makeLayer(className: className, config: config) }
        }
    }

    @Test func badInputsThrowNamingTheLayer() throws {
        func message(_ body: () throws -> Void) -> String {
            do { try body(); return "" } catch { return "\(error)" }
        }
        let mismatch = message { try EinsumDense("abc,cd->abd", outputShape: [5, 4], name: "proj").build([nil, 3, 7]) }
        #expect(mismatch.contains("proj") && mismatch.contains("shared dimension 'b'") && mismatch.contains("5"))
        #expect(throws: KerasError.self) { try EinsumDense("ab,bc->ac", outputShape: [4]).build([nil, 3, 5]) }
        #expect(throws: KerasError.self) { try EinsumDense("ab,bc->ac", outputShape: [4]).build([nil, nil]) }
        #expect(throws: KerasError.self) { try EinsumDense("...b,bc->...c", outputShape: [4]).build([5]) }
        #expect(throws: KerasError.self) { try EinsumDense("ab,bc->ac", outputShape: [1 << 20]).build([nil, 1 << 20]) }
        let built = EinsumDense("ab,bc->ac", outputShape: [4])
        try built.build([nil, 5])
        #expect(throws: KerasError.self) { try built.callChecked(Tensor.ones([2, 6])) }
        #expect(throws: KerasError.self) { try built.callChecked(Tensor.ones([2, 5, 1])) }

        let axis = message { try RMSNormalization(axis: 3, name: "rms").build([nil, 4]) }
        #expect(axis.contains("rms") && axis.contains("Axis 3"))
        #expect(throws: KerasError.self) { try RMSNormalization(axis: 1).build([nil, 3, 4]) }   // Keras: cannot broadcast
        #expect(throws: KerasError.self) { try RMSNormalization().build([nil, nil]) }
        let rms = RMSNormalization()
        try rms.build([nil, 4])
        #expect(throws: KerasError.self) { try rms.callChecked(Tensor.ones([2, 5])) }

        let noKernel = message { try SpectralNormalization(Dropout(0.5), name: "sn").build([nil, 4]) }
        #expect(noKernel.contains("sn") && noKernel.contains("kernel"))
        let sn = SpectralNormalization(Dense(3))
        try sn.build([nil, 4])
        #expect(throws: KerasError.self) { try sn.callChecked(Tensor.ones([2, 5]), training: true) }
    }
}
