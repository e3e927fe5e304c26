import Foundation
import Keras
import KerasTestSupport
import Testing

/// Files written by real Keras 3 (`Tests/Fixtures/saving_generate.py`) load and compute what
/// Keras computes; files written here load back with the same weights, optimizer and config.
@Suite("Saving") struct SavingTests {
    nonisolated(unsafe) static let expected: [String: Any] = try! loadFixture("saving/saving_expected.json") as! [String: Any]

    static func fixture(_ name: String) -> String { fixturesDirectory.appendingPathComponent("saving/\(name)").path }
    static func tensor(_ model: String, _ key: String) -> Tensor { tensorFromFixture((expected[model] as! [String: Any])[key]!) }
    static func tensors(_ model: String, _ key: String) -> [Tensor] {
        ((expected[model] as! [String: Any])[key] as! [Any]).map(tensorFromFixture)
    }

    /// A fresh temporary directory for files a test writes (removed when the tests end).
    static func temporaryDirectory() throws -> String { try makeTemporaryDirectory("swift-keras-saving") }

    @Test func loadsKerasSequentialMLP() throws {
        let model = try loadModel(Self.fixture("mlp.keras"))
        #expect(model is Sequential)
        #expect(model.name == "mlp")
        #expect(model.optimizer?.className == "Adam")
        let y = try model.predict(Self.tensor("mlp", "x"), verbose: 0)
        assertClose(y, Self.tensor("mlp", "y"), rtol: 1e-5, atol: 1e-5)
    }

    @Test func loadsKerasFunctionalTwoInputsTwoOutputs() throws {
        let model = try loadModel(Self.fixture("functional.keras"))
        #expect(model.inputNames == ["a", "b"])
        #expect(model.optimizer?.className == "SGD")
        let outputs = try model.predictOutputs([Self.tensor("functional", "a"), Self.tensor("functional", "b")], verbose: 0)
        assertClose(outputs[0], Self.tensor("functional", "score"), rtol: 1e-5, atol: 1e-5)
        assertClose(outputs[1], Self.tensor("functional", "label"), rtol: 1e-5, atol: 1e-5)
    }

    /// Whether the library has a layer class (fixtures of layers that land separately run once they do).
    static func hasLayer(_ className: String) -> Bool {
        do { _ = try makeLayer(className: className, config: [:]); return true } catch {
            return !"\(error)".hasPrefix("Unknown layer '\(className)'")
        }
    }

    @Test(.enabled(if: hasLayer("BatchNormalization"), "BatchNormalization is not in the library yet"))
    func loadsKerasFunctionalWithBatchNormalization() throws {
        let model = try loadModel(Self.fixture("functional_bn.keras"))
        let outputs = try model.predictOutputs([Self.tensor("functional_bn", "a"), Self.tensor("functional_bn", "b")], verbose: 0)
        assertClose(outputs[0], Self.tensor("functional_bn", "score"), rtol: 1e-5, atol: 1e-5)
        assertClose(outputs[1], Self.tensor("functional_bn", "label"), rtol: 1e-5, atol: 1e-5)
    }

    @Test(.enabled(if: hasLayer("Conv2D") && hasLayer("MaxPooling2D"), "Conv2D/MaxPooling2D are not in the library yet"))
    func loadsKerasCNN() throws {
        let model = try loadModel(Self.fixture("cnn.keras"))
        assertClose(try model.predict(Self.tensor("cnn", "x"), verbose: 0), Self.tensor("cnn", "y"), rtol: 1e-5, atol: 1e-5)
    }

    @Test func trainedAdamModelContinuesLikeKeras() throws {
        let model = try loadModel(Self.fixture("trained_adam.keras"))
        let optimizer = try #require(model.optimizer)
        #expect(optimizer.iterations == 3)
        assertClose(try model.predict(Self.tensor("trained_adam", "x"), verbose: 0), Self.tensor("trained_adam", "y"), rtol: 1e-5, atol: 1e-5)
        _ = try model.trainOnBatch(Self.tensor("trained_adam", "x_next"), Self.tensor("trained_adam", "y_next"))
        let weights = Self.tensors("trained_adam", "weights_after")
        for (w, e) in zip(model.getWeights(), weights) { assertClose(w, e, rtol: 1e-5, atol: 1e-6) }
        let slots = Self.tensors("trained_adam", "optimizer_after")
        let variables = optimizer.variables
        #expect(variables.count == slots.count)
        for (v, e) in zip(variables, slots) {
            assertClose(v.value.cast(to: .float64), e.cast(to: .float64), rtol: 1e-5, atol: 1e-6, v.name)
        }
    }

    @Test func loadsKerasWeightsFile() throws {
        let keras = try loadModel(Self.fixture("mlp.keras"), compile: false)
        let model = Sequential([InputLayer(shape: [4]), Dense(8, activation: .relu), Dropout(0.2), Dense(3, activation: .softmax)])
        try model.loadWeights(from: Self.fixture("mlp.weights.h5"))
        for (a, b) in zip(model.getWeights(), keras.getWeights()) { assertClose(a, b) }
    }

    @Test func loadsKerasLegacyH5() throws {
        let model = try loadModel(Self.fixture("mlp_legacy.h5"))
        // The optimizer comes from training_config's optimizer_config (Keras compiled it with Adam).
        #expect(model.optimizer is Adam)
        let y = try model.predict(Self.tensor("mlp", "x"), verbose: 0)
        assertClose(y, Self.tensor("mlp", "y"), rtol: 1e-5, atol: 1e-5)
        let copy = Sequential([InputLayer(shape: [4]), Dense(8, activation: .relu), Dropout(0.2), Dense(3, activation: .softmax)])
        try copy.loadWeights(from: Self.fixture("mlp_legacy.h5"))
        for (a, b) in zip(copy.getWeights(), model.getWeights()) { assertClose(a, b) }
    }

    @Test func loadsKeras2H5() throws {
        let model = try loadModel(Self.fixture("keras2_mlp.h5"))
        #expect(model.layers.map(\.name) == ["dense", "dense_1"])
        let y = try model.predict(Self.tensor("keras2", "x"), verbose: 0)
        assertClose(y, Self.tensor("keras2", "y"), rtol: 1e-5, atol: 1e-5)
    }

    @Test func roundTripKeepsWeightsOptimizerAndConfig() throws {
        let dir = try Self.temporaryDirectory()
        let a = Input(shape: [4], name: "a"), b = Input(shape: [3], name: "b")
        let h = Dense(6, activation: .relu)(Concatenate()([a, b]))
        let model = try Model(inputs: [a, b], outputs: [Dense(1, name: "score")(h), Dense(2, activation: .softmax, name: "label")(h)])
        try model.compile(optimizer: Adam(learningRate: 0.01), loss: ["mse", "categorical_crossentropy"], metrics: ["mae"])
        let xa = Tensor.ones([4, 4]), xb = Tensor.ones([4, 3])
        let targets = [Tensor.zeros([4, 1]), Tensor([[1, 0], [0, 1], [1, 0], [0, 1]] as [[Float]])]
        _ = try model.trainOnBatch([xa, xb], targets)
        let path = dir + "/model.keras"
        try model.save(to: path)
        let loaded = try loadModel(path)
        #expect(loaded.toJSON() == model.toJSON())
        for (x, y) in zip(loaded.getWeights(), model.getWeights()) { assertClose(x, y, rtol: 0, atol: 0) }
        #expect(loaded.optimizer?.iterations == 1)
        let before = model.optimizer!.variables.map { $0.value }, after = loaded.optimizer!.variables.map { $0.value }
        #expect(before.count == after.count)
        for (x, y) in zip(after, before) { assertClose(x.cast(to: .float64), y.cast(to: .float64), rtol: 0, atol: 0) }
        // One more step each: identical again.
        _ = try model.trainOnBatch([xa, xb], targets)
        _ = try loaded.trainOnBatch([xa, xb], targets)
        for (x, y) in zip(loaded.getWeights(), model.getWeights()) { assertClose(x, y, rtol: 0, atol: 0) }
    }

    @Test func weightsFileRoundTripAndExtensionChecks() throws {
        let dir = try Self.temporaryDirectory()
        let model = Sequential([InputLayer(shape: [3]), Dense(4), Dense(2)])
        try model.saveWeights(to: dir + "/w.weights.h5")
        let copy = Sequential([InputLayer(shape: [3]), Dense(4), Dense(2)])
        try copy.loadWeights(from: dir + "/w.weights.h5")
        for (x, y) in zip(copy.getWeights(), model.getWeights()) { assertClose(x, y, rtol: 0, atol: 0) }
        #expect(throws: KerasError.self) { try model.saveWeights(to: dir + "/w.h5x") }
        #expect(throws: KerasError.self) { try model.save(to: dir + "/m.txt") }
        let wrong = Sequential([InputLayer(shape: [3]), Dense(5), Dense(2)])
        let error = #expect(throws: KerasError.self) { try wrong.loadWeights(from: dir + "/w.weights.h5") }
        #expect("\(error!)".contains("dense"))
    }

    @Test func legacyH5RoundTrip() throws {
        let dir = try Self.temporaryDirectory()
        let model = Sequential([InputLayer(shape: [3]), Dense(4, activation: .relu), Dense(2)])
        try model.compile(optimizer: "sgd", loss: "mse")
        try model.save(to: dir + "/m.h5")
        let loaded = try loadModel(dir + "/m.h5")
        for (x, y) in zip(loaded.getWeights(), model.getWeights()) { assertClose(x, y, rtol: 0, atol: 0) }
        #expect(loaded.optimizer?.className == "SGD")
    }

    @Test func jsonRoundTrip() throws {
        let model = Sequential([InputLayer(shape: [3]), Dense(4, activation: .relu), Dense(2)])
        let copy = try modelFromJSON(model.toJSON())
        #expect(copy.toJSON() == model.toJSON())
        #expect(copy.countParams() == model.countParams())
    }

    @Test func lambdaRefusedInSafeMode() throws {
        let json = #"{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "Lambda", "config": {"name": "my_lambda", "function": "abc"}}]}}"#
        let error = #expect(throws: KerasError.self) { try modelFromJSON(json) }
        #expect("\(error!)".contains("my_lambda"))
        #expect("\(error!)".contains("safe"))
    }

    @Test func unknownClassIsNamed() throws {
        let json = #"{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "FancyLayer", "config": {"name": "f"}}]}}"#
        let error = #expect(throws: KerasError.self) { try modelFromJSON(json) }
        #expect("\(error!)".contains("FancyLayer"))
    }

    @Test func savedChildrenFollowKerasLayout() throws {
        final class Block: Layer, @unchecked Sendable {
            let d1 = Dense(2)
            let lst = [Dense(2), Dense(2)]
            let _p = Dense(2)
            override func call(_ x: Tensor, training: Bool) -> Tensor { _p(lst[1](lst[0](d1(x)))) }
        }
        let names = Block().savedChildren.map(\.name)
        #expect(names == ["d1", "lst", "_p"])
        let model = Sequential([InputLayer(shape: [4]), Block()])
        let dir = try Self.temporaryDirectory()
        try model.saveWeights(to: dir + "/b.weights.h5")
        let copy = Sequential([InputLayer(shape: [4]), Block()])
        try copy.loadWeights(from: dir + "/b.weights.h5")
        for (x, y) in zip(copy.getWeights(), model.getWeights()) { assertClose(x, y, rtol: 0, atol: 0) }
    }
}

/// `.npy` / `.npz` files written by NumPy (Tests/Fixtures/saving_generate.py) and back.
@Suite("Saving NumPy") struct SavingNumPyTests {
    static func load(_ name: String) throws -> Tensor { try Tensor(npyFile: SavingTests.fixture(name)) }

    @Test func readsNumPyFiles() throws {
        let c = try Self.load("float32_c.npy")
        #expect(c.dtype == .float32 && c.shape == [3, 4])
        #expect(c.toArray(of: Float.self) == (0..<12).map(Float.init))
        let f = try Self.load("float64_f.npy")
        #expect(f.dtype == .float64 && f.shape == [2, 3])
        #expect(f.toArray(of: Double.self) == [0, 1, 2, 3, 4, 5])
        #expect(try Self.load("int64.npy").toArray(of: Int64.self) == [1, -2, 3, 1 << 40])
        #expect(try Self.load("int32_be.npy").toArray(of: Int32.self) == [1, 2, 70000])
        #expect(try Self.load("bool.npy").toArray(of: Bool.self) == [true, false, true])
        let u8 = try Self.load("uint8.npy")
        #expect(u8.dtype == .int32 && u8.toArray(of: Int32.self) == [0, 255, 7])
        let scalar = try Self.load("scalar.npy")
        #expect(scalar.shape == [] && scalar.toArray(of: Float.self) == [2.5])
    }

    @Test func readsNPZ() throws {
        let arrays = try loadNPZ(SavingTests.fixture("arrays.npz"))
        #expect(arrays["x"]?.shape == [2, 3])
        #expect(arrays["y"]?.toArray(of: Int32.self) == [1, 0])
        let compressed = try loadNPZ(SavingTests.fixture("compressed.npz"))
        let w = try #require(compressed["w"])
        #expect(w.shape == [50])
        #expect(abs(w.toArray(of: Float.self)[49] - 1) < 1e-7)
    }

    @Test func writesWhatItReads() throws {
        let dir = try SavingTests.temporaryDirectory()
        let tensors: [Tensor] = [Tensor.randomNormal([3, 2], seed: 3), Tensor.randomNormal([4], dtype: .float64, seed: 4),
                                 Tensor([1, 2, 3], dtype: .int32), Tensor([[5, 6]], dtype: .int64), Tensor([true, false]),
                                 Tensor(Float(1.5))]
        for (i, t) in tensors.enumerated() {
            try t.save(npy: dir + "/t\(i).npy")
            let back = try Tensor(npyFile: dir + "/t\(i).npy")
            #expect(back.dtype == t.dtype && back.shape == t.shape)
            assertClose(back.cast(to: .float64), t.cast(to: .float64), rtol: 0, atol: 0)
        }
        try saveNPZ(["a": tensors[0], "b": tensors[2]], to: dir + "/d.npz")
        let back = try loadNPZ(dir + "/d.npz")
        #expect(back.keys.sorted() == ["a", "b"])
        assertClose(back["a"]!, tensors[0], rtol: 0, atol: 0)
    }

    @Test func malformedNumPyThrows() throws {
        let good = NumPyTestBytes.header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }") + [UInt8](repeating: 0, count: 8)
        _ = try NumPyTestBytes.decode(good)
        let cases: [[UInt8]] = [
            [], Array("not numpy".utf8),
            NumPyTestBytes.header("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }") + [UInt8](repeating: 0, count: 8),
            NumPyTestBytes.header("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }"),
            NumPyTestBytes.header("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999), }"),
            NumPyTestBytes.header("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }") + [UInt8](repeating: 0, count: 8),
            NumPyTestBytes.header("{'descr': 'O', 'fortran_order': False, 'shape': (1,), }"),
            Array(good.prefix(20)),
        ]
        for bytes in cases { #expect(throws: KerasError.self) { try NumPyTestBytes.decode(bytes) } }
    }
}

/// Hand-made `.npy` bytes for the malformed-file tests.
enum NumPyTestBytes {
    static func header(_ text: String) -> [UInt8] {
        let body = Array(text.utf8) + [0x0A]
        return [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(body.count & 0xFF), UInt8(body.count >> 8)] + body
    }
    static func decode(_ bytes: [UInt8]) throws -> Tensor {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("npy-\(UUID().uuidString).npy").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try Tensor(npyFile: path)
    }
}
