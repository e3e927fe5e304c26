import Foundation
import Keras
import KerasTestSupport
import Testing

/// Files written here load in real Python Keras and predict the same (Tests/Fixtures/saving_check.py).
/// Runs when a Python with Keras is found: `SWIFT_KERAS_PYTHON` (a path), else `python3` when
/// `import keras` works there; skipped otherwise. `.ci/run` installs Keras, so CI runs it.
@Suite("Saving in Python Keras") struct SavingPythonTests {
    /// A Python interpreter that imports Keras (with the JAX backend), or nil.
    static let python: String? = {
        let candidates = [ProcessInfo.processInfo.environment["SWIFT_KERAS_PYTHON"], "/usr/bin/python3", "/usr/local/bin/python3"].compactMap { $0 }
        return candidates.first { run($0, ["-c", "import keras, h5py"]).status == 0 }
    }()

    static func run(_ executable: String, _ arguments: [String]) -> (status: Int32, output: String) {
        guard FileManager.default.isExecutableFile(atPath: executable) else { return (-1, "") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["KERAS_BACKEND"] = "jax"
        environment["JAX_PLATFORMS"] = "cpu"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { return (-1, "\(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func entry(_ t: Tensor) -> ConfigValue {
        let values = t.cast(to: .float64).toArray(of: Double.self)
        return ["shape": .array(t.shape.map { .int($0) }), "dtype": .string(t.dtype.rawValue),
                "data": .array(values.map { t.dtype.isFloatingPoint ? .double($0) : .int(Int($0)) })]
    }

    /// Saves `model` (after one training step on `x`, `y`) with its inputs and predictions and
    /// runs the Python checker on the files.
    static func checkInKeras(_ model: Model, inputs: [Tensor], targets: [Tensor]) throws {
        let dir = try SavingTests.temporaryDirectory()
        _ = try model.trainOnBatch(inputs, targets)
        try model.save(to: dir + "/model.keras")
        try model.saveWeights(to: dir + "/model.weights.h5")
        try model.save(to: dir + "/model.h5")
        let outputs = try model.predictOutputs(inputs, verbose: 0)
        let expected: ConfigValue = [
            "inputs": .array(inputs.map(entry)), "outputs": .array((0..<targets.count).map { entry(outputs[$0]) }),
            "iterations": .int(model.optimizer!.iterations),
            "optimizer": .array(model.optimizer!.variables.map { entry($0.value) }),
        ]
        try expected.jsonString().write(toFile: dir + "/expected.json", atomically: true, encoding: .utf8)
        let script = fixturesDirectory.appendingPathComponent("saving_check.py").path
        let (status, output) = run(python!, [script, dir])
        #expect(status == 0, "\(output)")
    }

    /// Layers from the library's other families, made from Keras configs, so this test runs as
    /// they land: their weights must sit where Keras looks for them.
    @Test(.enabled(if: python != nil && ["Conv2D", "BatchNormalization", "MaxPooling2D", "LSTM"].allSatisfy(SavingTests.hasLayer),
                   "needs Python Keras and the Conv2D, BatchNormalization, MaxPooling2D and LSTM layers"))
    func convolutionalAndRecurrentModelsLoadInKeras() throws {
        let cnn = Sequential([InputLayer(shape: [6, 6, 2]),
                              try makeLayer(className: "Conv2D", config: ["filters": 3, "kernel_size": 3, "activation": "relu"]),
                              try makeLayer(className: "BatchNormalization", config: [:]),
                              try makeLayer(className: "MaxPooling2D", config: [:]),
                              Flatten(), Dense(2)])
        try cnn.compile(optimizer: "adam", loss: "mse")
        try Self.checkInKeras(cnn, inputs: [Tensor.randomNormal([4, 6, 6, 2], seed: 3)], targets: [Tensor.zeros([4, 2])])
        let rnn = Sequential([InputLayer(shape: [5, 4]), try makeLayer(className: "LSTM", config: ["units": 3]), Dense(1)])
        try rnn.compile(optimizer: "adam", loss: "mse")
        try Self.checkInKeras(rnn, inputs: [Tensor.randomNormal([3, 5, 4], seed: 4)], targets: [Tensor.zeros([3, 1])])
    }

    /// Layers with child layers (Bidirectional's forward/backward LSTMs, MultiHeadAttention's
    /// projections): their weights must sit under Keras's group names.
    @Test(.enabled(if: python != nil, "needs Python Keras"))
    func wrapperAndAttentionModelsLoadInKeras() throws {
        let bidirectional = Sequential([InputLayer(shape: [5, 4]), Bidirectional(LSTM(3, returnSequences: true)),
                                        GRU(2), Dense(1)])
        try bidirectional.compile(optimizer: "adam", loss: "mse")
        try Self.checkInKeras(bidirectional, inputs: [Tensor.randomNormal([3, 5, 4], seed: 5)], targets: [Tensor.zeros([3, 1])])

        let tokens = Input(shape: [6], dtype: .int32)
        let embedded = Embedding(inputDim: 20, outputDim: 8, maskZero: true)(tokens)
        let attended = MultiHeadAttention(numHeads: 2, keyDim: 4).applySymbolic([embedded, embedded])[0]
        let normed = LayerNormalization()(Add()([embedded, attended]))
        let encoder = try Model(inputs: tokens, outputs: Dense(2)(GlobalAveragePooling1D()(normed)))
        try encoder.compile(optimizer: "adam", loss: "mse")
        let ids = Tensor(shape: [2, 6], scalars: [Int32](arrayLiteral: 3, 7, 1, 0, 0, 0, 19, 2, 5, 8, 11, 0))
        try Self.checkInKeras(encoder, inputs: [ids], targets: [Tensor.zeros([2, 2])])
    }

    @Test(.enabled(if: python != nil, "no Python with Keras found (set SWIFT_KERAS_PYTHON)"))
    func functionalModelTrainedHereLoadsInKeras() throws {
        let dir = try SavingTests.temporaryDirectory()
        let a = Input(shape: [4], name: "a"), b = Input(shape: [3], name: "b")
        let h = Dense(6, activation: .relu)(Concatenate()([a, b]))
        let model = try Model(inputs: [a, b], outputs: [Dense(1, name: "score")(h), Dense(2, activation: .softmax, name: "label")(Dropout(0.2)(h))])
        try model.compile(optimizer: Adam(learningRate: 0.01), loss: ["mse", "categorical_crossentropy"], metrics: ["mae"],
                          outputMetrics: ["label": ["accuracy"]])
        let xa = Tensor.randomNormal([5, 4], seed: 1), xb = Tensor.randomNormal([5, 3], seed: 2)
        _ = try model.trainOnBatch([xa, xb], [Tensor.zeros([5, 1]), Tensor.ones([5, 2]) / 2])
        try model.save(to: dir + "/model.keras")
        try model.saveWeights(to: dir + "/model.weights.h5")
        try model.save(to: dir + "/model.h5")
        let outputs = try model.predictOutputs([xa, xb], verbose: 0)
        let expected: ConfigValue = [
            "inputs": [Self.entry(xa), Self.entry(xb)], "outputs": [Self.entry(outputs[0]), Self.entry(outputs[1])],
            "iterations": .int(model.optimizer!.iterations),
            "optimizer": .array(model.optimizer!.variables.map { Self.entry($0.value) }),
        ]
        try expected.jsonString().write(toFile: dir + "/expected.json", atomically: true, encoding: .utf8)
        let script = fixturesDirectory.appendingPathComponent("saving_check.py").path
        let (status, output) = Self.run(Self.python!, [script, dir])
        #expect(status == 0, "\(output)")
    }
}
