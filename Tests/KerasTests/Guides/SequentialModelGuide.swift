// Follows the Keras guide "The Sequential model"
// (https://keras.io/guides/sequential_model/), section by section, in Swift.
import Keras
import KerasTestSupport
import Testing

@Suite("Guide: The Sequential model")
struct SequentialModelGuide {
    // MARK: When to use a Sequential model

    @Test func whenToUseASequentialModel() {
        // Define a Sequential model with 3 layers.
        let model = Sequential([
            Dense(2, activation: .relu, name: "layer1"),
            Dense(3, activation: .relu, name: "layer2"),
            Dense(4, name: "layer3"),
        ])
        // Call the model on a test input.
        let x = Tensor.ones([3, 3])
        let y = model(x)
        #expect(y.shape == [3, 4])

        // Equivalent to calling the three layers one after the other.
        let layer1 = model.layers[0], layer2 = model.layers[1], layer3 = model.layers[2]
        assertClose(layer3(layer2(layer1(x))), y)
    }

    // MARK: Creating a Sequential model

    @Test func creatingASequentialModel() throws {
        let model = Sequential([
            Dense(2, activation: .relu),
            Dense(3, activation: .relu),
            Dense(4),
        ])
        // Its layers are accessible via the `layers` attribute.
        #expect(model.layers.count == 3)

        // Or created incrementally with `add`.
        let incremental = Sequential()
        try incremental.add(Dense(2, activation: .relu))
        try incremental.add(Dense(3, activation: .relu))
        try incremental.add(Dense(4))
        #expect(incremental.layers.count == 3)

        // `pop` removes the last layer: it behaves very much like a stack.
        incremental.pop()
        #expect(incremental.layers.count == 2)

        // The constructor takes a name, like any layer or model.
        let named = Sequential(name: "my_sequential")
        try named.add(Dense(2, activation: .relu, name: "layer1"))
        try named.add(Dense(3, activation: .relu, name: "layer2"))
        try named.add(Dense(4, name: "layer3"))
        #expect(named.name == "my_sequential")
        #expect(named.layers.map(\.name) == ["layer1", "layer2", "layer3"])
    }

    // MARK: Specifying the input shape in advance

    @Test func specifyingTheInputShapeInAdvance() throws {
        // A layer has no weights until it knows the shape of its inputs.
        let layer = Dense(3)
        #expect(layer.weights.isEmpty)
        _ = layer(Tensor.ones([1, 4]))   // creates the weights
        #expect(layer.weights.count == 2)   // kernel and bias
        #expect(layer.weights.map(\.shape) == [[4, 3], [3]])

        // The same holds for a Sequential model built without an input shape.
        let model = Sequential([
            Dense(2, activation: .relu),
            Dense(3, activation: .relu),
            Dense(4),
        ])
        #expect(!model.built && model.weights.isEmpty)
        _ = model(Tensor.ones([1, 4]))
        #expect(model.weights.count == 6)   // 3 layers × (kernel, bias)

        // Started with an `Input`, the model is built as layers are added and has a summary at once.
        let withInput = Sequential()
        try withInput.add(Input(shape: [4]))
        try withInput.add(Dense(2, activation: .relu))
        var text = ""
        withInput.summary { text += $0 }
        #expect(text.contains("Total params: 10"))   // 4 × 2 kernel + 2 bias
        // The Input object is not a layer of the model.
        #expect(withInput.layers.count == 1)

        // `InputLayer(shape:)` in the list does the same.
        let fromList = Sequential([InputLayer(shape: [4]), Dense(2, activation: .relu)])
        #expect(fromList.built && fromList.countParams() == 10)
    }

    // MARK: A common debugging workflow: add() + summary()

    @Test func debuggingWithAddAndSummary() throws {
        let model = Sequential()
        try model.add(Input(shape: [250, 250, 3]))   // 250x250 RGB images
        try model.add(Conv2D(32, kernelSize: [5], strides: [2], activation: .relu))
        try model.add(Conv2D(32, kernelSize: [3], activation: .relu))
        try model.add(MaxPooling2D(poolSize: [3, 3]))
        // Can you guess what the current output shape is at this point? Probably not.
        // Let's just print it:
        var text = ""
        model.summary { text += $0 }
        #expect(model.outputs.first?.shape == [nil, 40, 40, 32])
        #expect(text.contains("Total params: 11,680"))   // as in the guide

        // The answer was: (40, 40, 32), so we can keep downsampling...
        try model.add(Conv2D(32, kernelSize: [3], activation: .relu))
        try model.add(Conv2D(32, kernelSize: [3], activation: .relu))
        try model.add(MaxPooling2D(poolSize: [3, 3]))
        try model.add(Conv2D(32, kernelSize: [3], activation: .relu))
        try model.add(Conv2D(32, kernelSize: [3], activation: .relu))
        try model.add(MaxPooling2D(poolSize: [2, 2]))
        // And now?
        #expect(model.outputs.first?.shape == [nil, 4, 4, 32])

        // Now that we have 4x4 feature maps, time to apply global max pooling.
        try model.add(GlobalMaxPooling2D())
        // Finally, we add a classification layer.
        try model.add(Dense(10))
        text = ""
        model.summary { text += $0 }
        #expect(text.contains("Total params: 49,002"))   // + 4 × (3·3·32·32 + 32) + 32·10 + 10
        #expect(model.layers.count == 11)
    }

    // MARK: What to do once you have a model: training

    @Test func trainingASequentialModel() throws {
        try withRandomSeed(1) {
            let (x, y) = guideClusters(count: 300, features: 8, classes: 3, seed: 11)
            let model = Sequential([
                InputLayer(shape: [8]),
                Dense(16, activation: .relu),
                Dense(3),
            ])
            try model.compile(optimizer: Adam(learningRate: 0.01),
                              loss: SparseCategoricalCrossentropy(fromLogits: true),
                              metrics: ["accuracy"])
            let history = try model.fit(x, y, batchSize: 32, epochs: 8, verbose: 0, validationSplit: 0.2)
            let loss = history.history["loss"]!
            #expect(loss.count == 8 && loss.last! < loss.first!)
            #expect(history.history["val_accuracy"]!.last! > 0.9)
        }
    }

    // MARK: Feature extraction with a Sequential model

    @Test func featureExtraction() throws {
        let initialModel = Sequential([
            InputLayer(shape: [32, 32, 3]),
            Conv2D(8, kernelSize: [5], strides: [2], activation: .relu),
            Conv2D(8, kernelSize: [3], activation: .relu),
            Conv2D(8, kernelSize: [3], activation: .relu),
        ])
        // Every layer's `output` is a symbolic tensor: a model can return all of them.
        let featureExtractor = try Model(inputs: initialModel.inputs,
                                         outputs: initialModel.layers.map { $0.output! })
        // Call the feature extractor on a test input.
        let x = Tensor.ones([1, 32, 32, 3])
        let features = featureExtractor([x])
        #expect(features.map(\.shape) == [[1, 14, 14, 8], [1, 12, 12, 8], [1, 10, 10, 8]])
        assertClose(features[2], initialModel(x))

        // Or only the features of one intermediate layer, found by name.
        let named = Sequential([
            InputLayer(shape: [32, 32, 3]),
            Conv2D(8, kernelSize: [5], strides: [2], activation: .relu),
            Conv2D(8, kernelSize: [3], activation: .relu, name: "my_intermediate_layer"),
            Conv2D(8, kernelSize: [3], activation: .relu),
        ])
        let intermediate = try Model(inputs: named.inputs,
                                     outputs: try named.getLayer(name: "my_intermediate_layer").output!)
        #expect(intermediate(x).shape == [1, 12, 12, 8])
        assertClose(intermediate(x), named.layers[1](named.layers[0](x)))
    }

    // MARK: Transfer learning with a Sequential model

    @Test func transferLearningFreezesLayers() throws {
        let model = Sequential([
            InputLayer(shape: [784]),
            Dense(32, activation: .relu),
            Dense(32, activation: .relu),
            Dense(32, activation: .relu),
            Dense(10),
        ])
        #expect(model.trainableWeights.count == 8)
        // Presumably you would want to first load pre-trained weights, then freeze all layers
        // except the last one.
        for layer in model.layers.dropLast() { layer.trainable = false }
        #expect(model.trainableWeights.count == 2)
        #expect(model.nonTrainableWeights.count == 6)

        // Recompile and train: only the last layer's weights change.
        let frozenBefore = model.layers[0].getWeights()
        let headBefore = model.layers[3].getWeights()
        try model.compile(optimizer: "sgd", loss: SparseCategoricalCrossentropy(fromLogits: true))
        let x = Tensor.randomNormal([64, 784], seed: 3)
        let y = Tensor((0..<64).map { $0 % 10 })
        try model.fit(x, y, batchSize: 32, epochs: 1, verbose: 0)
        assertClose(model.layers[0].getWeights()[0], frozenBefore[0])
        #expect(model.layers[3].getWeights()[0].scalars != headBefore[0].scalars)

        // The same with a frozen pre-trained model stacked under a new head (the guide uses
        // Xception with `pooling="avg"`; here a small convolutional base).
        let baseModel = Sequential([InputLayer(shape: [16, 16, 3]), Conv2D(8, kernelSize: [3], activation: .relu),
                                    BatchNormalization(), GlobalAveragePooling2D()])
        baseModel.trainable = false
        let stacked = Sequential([baseModel, Dense(1000)])
        _ = stacked(Tensor.ones([1, 16, 16, 3]))
        #expect(stacked.weights.count == 8 && stacked.trainableWeights.count == 2)
    }
}

/// Gaussian clusters around `classes` random centres: `count` samples of `features` floats,
/// with integer labels (another `noiseSeed` draws more samples of the same clusters); well separated, so a small MLP learns them in a few epochs.
func guideClusters(count: Int, features: Int, classes: Int, seed: Int, noiseSeed: Int? = nil,
                   spread: Float = 0.5) -> (Tensor, Tensor) {
    let centres = (Tensor.randomNormal([classes, features], seed: seed) * 2).scalars
    let noise = Tensor.randomNormal([count, features], seed: noiseSeed ?? seed + 1).scalars
    var values: [Float] = []
    var labels: [Int32] = []
    for i in 0..<count {
        let label = i % classes
        labels.append(Int32(label))
        for j in 0..<features { values.append(centres[label * features + j] + spread * noise[i * features + j]) }
    }
    return (Tensor(shape: [count, features], scalars: values), Tensor(shape: [count], scalars: labels))
}
