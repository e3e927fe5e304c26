import Keras
import KerasTestSupport
import Testing

/// Layers called on inputs at the edge of what they take (found by mutating Keras's own configs
/// and inputs): the checked entry points throw a `KerasError` naming the layer where Keras would
/// fail, and compute what Keras computes where it does not (`edge_inputs.json`, written by
/// `edge_inputs_generate.py` from real Keras).
@Suite struct EdgeInputTests {
    static let cases: [Config] = try! ConfigValue.from(any: loadFixture("edge_inputs.json")).arrayValue!.map { $0.objectValue! }

    @Test(arguments: cases.map { $0["id"]!.stringValue! }) func matchesKeras(_ id: String) throws {
        let c = Self.cases.first { $0["id"]?.stringValue == id }!
        let layer = try makeLayer(className: c["class_name"]!.stringValue!, config: c["config"]!.objectValue!)
        try layer.build(c["build_shape"]!.arrayValue!.map(\.intValue))
        let weights = c["weights"]!.arrayValue!.map(KerasLayerFixtures.tensor)
        if !weights.isEmpty { try layer.setWeights(weights) }
        let y = try layer.callChecked(KerasLayerFixtures.tensor(c["input"]!))
        if let shape = c["output_shape"]?.arrayValue {
            #expect(y.shape == shape.map { $0.intValue! }, "\(id)")
        } else {
            assertClose(y, KerasLayerFixtures.tensor(c["output"]!), rtol: 1e-5, atol: 1e-5, id)
        }
    }

    /// A layer made from a Keras config and built for `shape`.
    static func layer(_ className: String, _ config: Config, built shape: [Int?]) throws -> Layer {
        let layer = try makeLayer(className: className, config: config)
        try layer.build(shape)
        return layer
    }

    static func expectThrows(_ label: String, _ mentions: String, _ body: () throws -> Void) {
        let error = #expect(throws: KerasError.self, "\(label)") { try body() }
        if let error { #expect("\(error)".contains(mentions), "\(label): \(error)") }
    }

    @Test func checkedCallsRejectInputsTheBuiltLayerCannotTake() throws {
        let sequences = Tensor.randomNormal([2, 5, 5], seed: 1)
        for className in ["SimpleRNN", "LSTM", "GRU"] {
            let rnn = try Self.layer(className, ["units": 3], built: [nil, 5, 4])
            Self.expectThrows("\(className) on 5 features", "expected axis -1 of input shape to have value 4") {
                _ = try rnn.callChecked(sequences)
            }
            Self.expectThrows("\(className) on no steps", "0 steps") { _ = try rnn.callChecked(Tensor.zeros([2, 0, 4])) }
        }
        let generic = try Self.layer("RNN", ["cell": ["class_name": "LSTMCell", "config": ["units": 3]]], built: [nil, 5, 4])
        Self.expectThrows("RNN(LSTMCell) on rank 4", "expected ndim=3") { _ = try generic.callChecked(Tensor.zeros([2, 5, 4, 2])) }
        let bidirectional = try Self.layer("Bidirectional", ["layer": ["class_name": "LSTM", "config": ["units": 3]]], built: [nil, 5, 4])
        Self.expectThrows("Bidirectional on 5 features", "value 4") { _ = try bidirectional.callChecked(sequences) }

        let norm = try Self.layer("LayerNormalization", [:], built: [nil, 5, 4])
        Self.expectThrows("LayerNormalization on other sizes", "built for") { _ = try norm.callChecked(Tensor.zeros([2, 5, 4, 2])) }

        let embedding = try Self.layer("Embedding", ["input_dim": 3, "output_dim": 2], built: [nil, 2])
        Self.expectThrows("Embedding id out of range", "received id 5") { _ = try embedding.callChecked(Tensor([[0, 5]])) }
        let ids = Input(shape: [2], dtype: .int32)
        let model = try Model(inputs: ids, outputs: GlobalAveragePooling1D()(Embedding(inputDim: 3, outputDim: 2)(ids)))
        Self.expectThrows("a model's Embedding id out of range", "received id -1") { _ = try model.callChecked(Tensor([[0, -1]])) }
        let encoding = try makeLayer(className: "CategoryEncoding", config: ["num_tokens": 2])
        Self.expectThrows("CategoryEncoding value out of range", "received 4") { _ = try encoding.callChecked(Tensor([[0, 4]])) }

        let dropout = try makeLayer(className: "Dropout", config: ["rate": 0.5, "noise_shape": [3, 1]])
        Self.expectThrows("Dropout noise_shape", "does not broadcast") { _ = try dropout.callChecked(Tensor.zeros([2, 4]), training: true) }

        for (className, config) in [("Resizing", ["height": 4, "width": 4]), ("CenterCrop", ["height": 4, "width": 4]),
                                    ("RandomCrop", ["height": 4, "width": 4])] as [(String, Config)] {
            let layer = try makeLayer(className: className, config: config)
            Self.expectThrows("\(className) on an empty image", "non-zero height and width") {
                _ = try layer.callChecked(Tensor.zeros([2, 0, 8, 3]))
            }
        }
        for className in ["Conv2D", "Conv2DTranspose"] {
            let conv = try makeLayer(className: className, config: ["filters": 2, "kernel_size": 3, "strides": 2])
            Self.expectThrows("\(className) on an empty axis", "non-empty spatial axes") { _ = try conv.callChecked(Tensor.zeros([2, 0, 5, 3])) }
        }
        // 2 × 4·10⁹ × 4·10⁹ × 2 outputs: more than memory holds, so a thrown error, not a failed allocation.
        let wide = try makeLayer(className: "Conv2DTranspose", config: ["filters": 2, "kernel_size": 3, "strides": 1_000_000_000])
        Self.expectThrows("Conv2DTranspose with huge strides", "cannot produce its output") { _ = try wide.callChecked(Tensor.zeros([2, 5, 5, 3])) }
    }

    @Test func attentionLayersRejectInputsTheyWereNotBuiltFor() throws {
        let mha = try makeLayer(className: "MultiHeadAttention", config: ["num_heads": 2, "key_dim": 3])
        _ = try mha.applyChecked([Tensor.zeros([2, 5, 4]), Tensor.zeros([2, 6, 4])])
        Self.expectThrows("MultiHeadAttention on other features", "4 features") {
            _ = try mha.applyChecked([Tensor.zeros([2, 5, 5]), Tensor.zeros([2, 6, 5])])
        }
        let additive = try makeLayer(className: "AdditiveAttention", config: [:])
        _ = try additive.applyChecked([Tensor.zeros([2, 5, 4]), Tensor.zeros([2, 6, 4])])
        Self.expectThrows("AdditiveAttention on another dim", "built for a dim of 4") {
            _ = try additive.applyChecked([Tensor.zeros([2, 5, 3]), Tensor.zeros([2, 6, 3])])
        }
        let attention = try makeLayer(className: "Attention", config: [:])
        Self.expectThrows("Attention on rank 4", "(batch, steps, dim)") {
            _ = try attention.applyChecked([Tensor.zeros([2, 5, 4, 1]), Tensor.zeros([2, 6, 4, 1])])
        }
        Self.expectThrows("Attention with keys of another dim", "same batch and dim") {
            _ = try attention.applyChecked([Tensor.zeros([2, 5, 4]), Tensor.zeros([2, 6, 3])])
        }
    }

    @Test func targetsThatOnlyBroadcastByAccidentAreRejected() throws {
        // Integer targets (4,) against (4, 2) outputs with a dense loss: broadcasting would line the
        // batch up with the outputs' axis (and succeed whenever the batch happens to be 2).
        let model = Sequential([InputLayer(shape: [3]), Dense(2)])
        try model.compile(optimizer: "sgd", loss: "mse", metrics: ["mae"])
        let x = Tensor.randomNormal([4, 3], seed: 1)
        Self.expectThrows("evaluate", "do not match") { _ = try model.evaluate(x, Tensor([0, 1, 1, 0]), verbose: 0) }
        Self.expectThrows("fit", "do not match") { _ = try model.fit(x, Tensor([0, 1, 1, 0]), batchSize: 2, verbose: 0) }
        // A categorical cross-entropy whose axis is not an axis of the outputs, or that keeps
        // the classes instead of the samples, against one weight per sample.
        let cce = { (axis: Int) in try deserializeLoss(["class_name": "CategoricalCrossentropy", "config": ["axis": .int(axis)]]) }
        let classifier = Sequential([InputLayer(shape: [3]), Dense(3, activation: .softmax)])
        let oneHot = Tensor([0, 2, 1, 2]).oneHot(depth: 3, dtype: .float32)
        try classifier.compile(optimizer: "sgd", loss: try cce(5))
        Self.expectThrows("axis 5", "out of bounds") { _ = try classifier.fit(x, oneHot, verbose: 0) }
        try classifier.compile(optimizer: "sgd", loss: try cce(0))
        Self.expectThrows("axis 0 with sample weights", "one weight per sample") {
            _ = try classifier.fit(x, oneHot, verbose: 0, sampleWeight: Tensor.ones([4]))
        }
        // One-hot targets need the predictions' rows for categorical accuracy.
        let wide = Sequential([InputLayer(shape: [3]), Dense(3)])
        try wide.compile(optimizer: "sgd", loss: "mse", metrics: ["categorical_accuracy"])
        Self.expectThrows("categorical accuracy", "predictions' rows") {
            _ = try wide.fit(x, Tensor.zeros([4, 3, 1]), batchSize: 2, verbose: 0)
        }
    }

    @Test func configsAskingForTheImpossibleThrow() {
        let huge = ConfigValue.int(1 << 40)
        let cases: [(String, ConfigValue, String)] = [
            ("Conv2D strides", ["class_name": "Conv2D", "config": ["filters": 2, "kernel_size": 3, "strides": huge]], "strides"),
            ("Conv1D dilation_rate", ["class_name": "Conv1D", "config": ["filters": 2, "kernel_size": 3, "dilation_rate": huge]], "dilation_rate"),
            ("AveragePooling2D pool_size", ["class_name": "AveragePooling2D", "config": ["pool_size": huge]], "pool_size"),
            ("SimpleRNN units", ["class_name": "SimpleRNN", "config": ["units": huge], "build_config": ["input_shape": [nil, 5, 4]]], "kernel"),
            ("InputLayer batch_shape", ["class_name": "InputLayer", "config": ["batch_shape": [nil, huge, 8]]], "cannot be held"),
            ("Normalization axis", ["class_name": "Normalization", "config": ["axis": [-1, -1]], "build_config": ["input_shape": [nil, 4]]], "twice"),
            ("UnitNormalization axis", ["class_name": "UnitNormalization", "config": ["axis": [1, -1]], "build_config": ["input_shape": [nil, 4]]], "twice"),
            ("LSTM unknown features", ["class_name": "LSTM", "config": ["units": 3], "build_config": ["input_shape": [nil, 5, nil]]], "should be defined"),
            ("Sequential huge input", ["class_name": "Sequential", "config": ["layers": [["class_name": "Dense", "config": ["units": 2]]]],
                                       "build_config": ["input_shape": [nil, huge, huge]]], "cannot be held"),
        ]
        for (label, entry, mentions) in cases {
            Self.expectThrows(label, mentions) { _ = try deserializeLayer(entry) }
        }
    }

    @Test func emptyAndIntegerInputsCompute() throws {
        let multiHot = try makeLayer(className: "CategoryEncoding", config: ["num_tokens": 3, "output_mode": "multi_hot"])
        assertClose(try multiHot.callChecked(Tensor.zeros([2, 0], dtype: .int32)), Tensor.zeros([2, 3]), rtol: 0, atol: 0, "multi_hot of nothing")
        let bilinear = try makeLayer(className: "UpSampling2D", config: ["interpolation": "bilinear"])
        #expect(try bilinear.callChecked(Tensor.zeros([2, 0, 3, 1])).shape == [2, 0, 6, 1])
        #expect(Tensor.zeros([2, 0]).logSoftmax().shape == [2, 0])

        // An empty batch: no output rows, and the kernel and bias gradients are sums over no samples.
        let conv = try Self.layer("Conv2D", ["filters": 2, "kernel_size": 3, "activation": "relu"], built: [nil, 5, 5, 1])
        let tape = GradientTape()
        let y = tape.record { conv(Tensor.zeros([0, 5, 5, 1]), training: true).sum() }
        for g in tape.gradient(y, wrt: conv.trainableWeights) { assertClose(g, Tensor.zeros(g.shape), rtol: 0, atol: 0, "empty batch gradient") }

        // Integer inputs run as floats.
        let ids = Tensor([[[1, 2], [0, -1], [3, 1]]])
        for (className, config) in [("LSTM", ["units": 2]), ("LayerNormalization", [:])] as [(String, Config)] {
            let layer = try Self.layer(className, config, built: [nil, 3, 2])
            assertClose(try layer.callChecked(ids), try layer.callChecked(ids.cast(to: .float32)), rtol: 0, atol: 0, "\(className) on int32")
        }
    }
}
