import Foundation
import Keras
import KerasTestSupport
import Testing

/// The cases of `conv_layers.json` (written by `conv_generate.py` from real Keras) whose class
/// name satisfies `filter`, by case name.
func kerasLayerCases(_ filter: (String) -> Bool) -> [String] {
    let fixture = try! loadFixture("conv_layers.json") as! [String: Any]
    return (fixture["cases"] as! [[String: Any]]).filter { filter($0["class_name"] as! String) }.map { $0["name"] as! String }
}

/// Recreates the layer of fixture case `name` from Keras's own config, loads Keras's weights and
/// checks the output and the gradients of `sum(output · cotangent)` with respect to the input
/// and to every weight against Keras's.
func checkKerasLayerCase(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let fixture = try loadFixture("conv_layers.json") as! [String: Any]
    let c = try #require((fixture["cases"] as! [[String: Any]]).first { $0["name"] as! String == name })
    let config = try #require(ConfigValue.from(any: c["config"]!).objectValue)
    let layer = try makeLayer(className: c["class_name"] as! String, config: config)
    let x = tensorFromFixture(c["input"]!)
    _ = layer(x)
    let weights = (c["weights"] as! [Any]).map(tensorFromFixture)
    #expect(layer.weights.map(\.name) == (c["weight_names"] as! [String]), sourceLocation: sourceLocation)
    try layer.setWeights(weights)
    let y = layer(x)
    assertClose(y, tensorFromFixture(c["output"]!), rtol: 1e-4, atol: 1e-5, "\(name) output", sourceLocation: sourceLocation)

    let cotangent = tensorFromFixture(c["cotangent"]!)
    let (_, inputGrads) = valueWithGradients(at: [x]) { xs in (layer(xs[0]) * cotangent).sum() }
    assertClose(inputGrads[0], tensorFromFixture(c["grad_input"]!), rtol: 1e-4, atol: 1e-4, "\(name) input gradient",
                sourceLocation: sourceLocation)
    let expectedWeightGrads = (c["grad_weights"] as! [Any]).map(tensorFromFixture)
    let weightGrads = layer.trainableWeights.isEmpty ? []
        : valueWithGradients(of: layer.trainableWeights) { (layer(x) * cotangent).sum() }.gradients
    #expect(weightGrads.count == expectedWeightGrads.count, sourceLocation: sourceLocation)
    for (i, (got, expected)) in zip(weightGrads, expectedWeightGrads).enumerated() {
        assertClose(got, expected, rtol: 1e-4, atol: 1e-4, "\(name) gradient of weight \(i)", sourceLocation: sourceLocation)
    }
    // Our config reads back to the same layer.
    let copy = try makeLayer(className: layer.className, config: layer.getConfig())
    #expect(ConfigValue.object(copy.getConfig()) == ConfigValue.object(layer.getConfig()), sourceLocation: sourceLocation)
}

@Suite struct ConvolutionLayerTests {
    @Test(arguments: kerasLayerCases { $0.contains("Conv") })
    func matchesKeras(_ name: String) throws {
        try checkKerasLayerCase(name)
    }

    @Test func layerContract() throws {
        try runLayerTest({ Conv1D(3, kernelSize: [3], strides: [2], padding: .same, dtype: $0) },
                         inputShapes: [[2, 7, 2]], expectedOutputShape: [2, 4, 3], expectedTrainableWeights: 2,
                         expectedWeightShapes: [[3, 2, 3], [3]])
        try runLayerTest({ Conv1D(2, kernelSize: [2], padding: .causal, dilationRate: [2], dtype: $0) },
                         inputShapes: [[1, 5, 2]], expectedOutputShape: [1, 5, 2], expectedTrainableWeights: 2)
        try runLayerTest({ Conv2D(4, kernelSize: [3, 2], padding: .same, groups: 2, activation: .tanh, dtype: $0) },
                         inputShapes: [[1, 4, 5, 2]], expectedOutputShape: [1, 4, 5, 4], expectedTrainableWeights: 2,
                         expectedWeightShapes: [[3, 2, 1, 4], [4]])
        try runLayerTest({ Conv3D(2, kernelSize: [2], useBias: false, dtype: $0) },
                         inputShapes: [[1, 3, 3, 3, 1]], expectedOutputShape: [1, 2, 2, 2, 2], expectedTrainableWeights: 1)
        try runLayerTest({ Conv1DTranspose(2, kernelSize: [3], strides: [2], outputPadding: [1], dtype: $0) },
                         inputShapes: [[1, 3, 2]], expectedOutputShape: [1, 8, 2], expectedTrainableWeights: 2,
                         expectedWeightShapes: [[3, 2, 2], [2]])
        try runLayerTest({ Conv2DTranspose(3, kernelSize: [2, 2], strides: [2, 2], padding: .same, dtype: $0) },
                         inputShapes: [[1, 2, 3, 2]], expectedOutputShape: [1, 4, 6, 3], expectedTrainableWeights: 2,
                         expectedWeightShapes: [[2, 2, 3, 2], [3]])
        try runLayerTest({ Conv3DTranspose(1, kernelSize: [2], strides: [2], dtype: $0) },
                         inputShapes: [[1, 2, 1, 2, 2]], expectedOutputShape: [1, 4, 2, 4, 1], expectedTrainableWeights: 2)
        try runLayerTest({ DepthwiseConv1D(kernelSize: [3], padding: .same, depthMultiplier: 2, dtype: $0) },
                         inputShapes: [[2, 5, 2]], expectedOutputShape: [2, 5, 4], expectedTrainableWeights: 2,
                         expectedWeightShapes: [[3, 2, 2], [4]])
        try runLayerTest({ DepthwiseConv2D(kernelSize: [2, 2], strides: [2, 2], dtype: $0) },
                         inputShapes: [[1, 4, 4, 3]], expectedOutputShape: [1, 2, 2, 3], expectedTrainableWeights: 2)
        try runLayerTest({ SeparableConv1D(3, kernelSize: [2], depthMultiplier: 2, dtype: $0) },
                         inputShapes: [[1, 4, 2]], expectedOutputShape: [1, 3, 3], expectedTrainableWeights: 3,
                         expectedWeightShapes: [[2, 2, 2], [1, 4, 3], [3]])
        try runLayerTest({ SeparableConv2D(2, kernelSize: [3, 3], padding: .same, dtype: $0) },
                         inputShapes: [[1, 3, 4, 2]], expectedOutputShape: [1, 3, 4, 2], expectedTrainableWeights: 3)
    }

    @Test func invalidArgumentsAndInputsThrow() throws {
        func configError(_ className: String, _ config: Config) -> String? {
            do { _ = try makeLayer(className: className, config: config); return nil } catch { return "\(error)" }
        }
        #expect(configError("Conv2D", ["filters": 0, "kernel_size": 3])?.contains("filters=0") == true)
        #expect(configError("Conv2D", ["filters": 4, "kernel_size": [3, 0]])?.contains("kernel_size") == true)
        #expect(configError("Conv2D", ["filters": 3, "kernel_size": 3, "groups": 2])?.contains("divisible by the number of groups") == true)
        #expect(configError("Conv2D", ["filters": 3, "kernel_size": 3, "strides": -1])?.contains("strides") == true)
        #expect(configError("Conv2D", ["filters": 3, "kernel_size": 3, "padding": "causal"])?.contains("padding") == true)
        #expect(configError("Conv2D", ["filters": 3, "kernel_size": 3, "strides": 2, "dilation_rate": 2])?.contains("dilation_rate") == true)
        #expect(configError("Conv2D", ["filters": 3, "kernel_size": 3, "data_format": "channels_first"])?.contains("channels_last") == true)
        #expect(configError("Conv2D", ["filters": 3, "kernel_size": [3, 3, 3]])?.contains("kernel_size") == true)
        #expect(configError("Conv2DTranspose", ["filters": 3, "kernel_size": 3, "strides": 2, "output_padding": 2])?.contains("output_padding") == true)
        #expect(configError("DepthwiseConv2D", ["kernel_size": 3, "depth_multiplier": -1])?.contains("depth_multiplier=-1") == true)
        #expect(configError("SeparableConv1D", ["filters": 2])?.contains("kernel_size") == true)
        #expect(configError("Conv1D", ["filters": 2, "kernel_size": 3, "padding": "causal"]) == nil)

        // Wrong rank, kernel larger than the input, groups not dividing the channels.
        let conv = Conv2D(4, kernelSize: [3, 3], groups: 2, name: "c")
        #expect(throws: KerasError.self) { try conv.callChecked(Tensor.ones([1, 8, 8])) }
        #expect(throws: KerasError.self) { try conv.callChecked(Tensor.ones([1, 2, 8, 4])) }
        #expect(throws: KerasError.self) { try conv.callChecked(Tensor.ones([1, 8, 8, 3])) }
        do {
            _ = try Conv2D(4, kernelSize: [5, 5], name: "big").callChecked(Tensor.ones([1, 3, 8, 2]))
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("big") && "\(error)".contains("larger than the input"))
        }
        let symbolic = Conv2D(2, kernelSize: [3, 3])(Input(shape: [2, 2, 1]))
        #expect(symbolic.error != nil)
        let sequential = Sequential([Conv2D(4, kernelSize: [3, 3]), Conv2D(3, kernelSize: [3, 3], groups: 3)])
        #expect(throws: KerasError.self) { try sequential.build([nil, 8, 8, 1]) }
    }

    /// A small CNN trained with Adam from Keras's initial weights follows Keras's losses and ends
    /// at Keras's weights.
    @Test func smallCNNTrainsLikeKeras() throws {
        let fixture = try loadFixture("conv_training.json") as! [String: Any]
        let model = Sequential([
            InputLayer(shape: [10, 10, 1]),
            Conv2D(4, kernelSize: [3, 3], activation: .relu),
            MaxPooling2D(),
            Conv2D(6, kernelSize: [2, 2], padding: .same, activation: .relu),
            MaxPooling2D(),
            Flatten(),
            Dense(5),
        ])
        try model.compile(optimizer: Adam(learningRate: fixture["learning_rate"] as! Double),
                          loss: SparseCategoricalCrossentropy(fromLogits: true))
        try model.setWeights((fixture["initial_weights"] as! [Any]).map(tensorFromFixture))
        let x = tensorFromFixture(fixture["x"]!), y = tensorFromFixture(fixture["y"]!)
        let batch = fixture["batch_size"] as! Int
        let expectedLosses = fixture["losses"] as! [Double]
        var losses: [Double] = []
        for step in expectedLosses.indices {
            let lo = (step * batch) % x.shape[0]
            losses.append(try model.trainOnBatch(x[lo..<(lo + batch)], y[lo..<(lo + batch)]).loss)
        }
        assertClose(losses, expectedLosses, rtol: 1e-4, atol: 1e-4, "losses")
        for (i, (got, expected)) in zip(model.getWeights(), (fixture["final_weights"] as! [Any]).map(tensorFromFixture)).enumerated() {
            assertClose(got, expected, rtol: 1e-4, atol: 1e-4, "final weight \(i)")
        }
    }

    /// `summary()` of convnets against the text Keras 3 prints for the same models.
    @Test func summaryMatchesKeras() throws {
        let fixture = try loadFixture("conv_training.json") as! [String: Any]
        let goldens = fixture["summaries"] as! [String: String]
        withNameScope {
            let cnn = Sequential([
                InputLayer(shape: [28, 28, 1]),
                Conv2D(32, kernelSize: [3, 3], activation: .relu),
                MaxPooling2D(),
                Conv2D(64, kernelSize: [3, 3], activation: .relu),
                MaxPooling2D(),
                Flatten(),
                Dense(10),
            ])
            let text = summaryText(cnn)
            #expect(text == goldens["cnn"], "\(text)")
        }
        try withNameScope {
            let inputs = Input(shape: [32, 32, 3])
            let a = SeparableConv2D(8, kernelSize: [3], padding: .same)(inputs)
            let b = Conv2D(8, kernelSize: [1])(inputs)
            var x = Add().applySymbolic([a, b])[0]
            x = DepthwiseConv2D(kernelSize: [3], depthMultiplier: 2)(x)
            x = Conv2DTranspose(4, kernelSize: [3], strides: [2], padding: .same)(x)
            x = AveragePooling2D(poolSize: [3], strides: [2], padding: .same)(x)
            x = GlobalMaxPooling2D()(x)
            let model = try Model(inputs: inputs, outputs: Dense(3)(x), name: "convnet")
            let text = summaryText(model)
            #expect(text == goldens["functional_convnet"], "\(text)")
        }
    }
}
