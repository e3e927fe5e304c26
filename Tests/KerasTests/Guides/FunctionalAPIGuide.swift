// Follows the Keras guide "The Functional API" (https://keras.io/guides/functional_api/), in Swift.
import Keras
import KerasTestSupport
import Testing

@Suite("Guide: The Functional API")
struct FunctionalAPIGuide {
    // MARK: Introduction

    static func mnistModel() throws -> Model {
        let inputs = Input(shape: [16])
        var x = Dense(64, activation: .relu)(inputs)
        x = Dense(64, activation: .relu)(x)
        let outputs = Dense(10)(x)
        return try Model(inputs: inputs, outputs: outputs, name: "mnist_model")
    }

    @Test func introduction() throws {
        let inputs = Input(shape: [16])
        #expect(inputs.shape == [nil, 16])
        #expect(inputs.dtype == .float32)
        let model = try Self.mnistModel()
        #expect(model.name == "mnist_model")
        var text = ""
        model.summary { text += $0 }
        #expect(text.contains("mnist_model"))
        #expect(model.countParams() == 16 * 64 + 64 + 64 * 64 + 64 + 64 * 10 + 10)
        #expect(text.contains("Total params: 5,898"))
    }

    // MARK: Training, evaluation, and inference

    @Test func trainingEvaluationAndInference() throws {
        try withRandomSeed(1) {
            let (xTrain, yTrain) = guideClusters(count: 300, features: 16, classes: 10, seed: 31)
            let (xTest, yTest) = guideClusters(count: 100, features: 16, classes: 10, seed: 31, noiseSeed: 77)
            let model = try Self.mnistModel()
            try model.compile(optimizer: RMSprop(),
                              loss: SparseCategoricalCrossentropy(fromLogits: true),
                              metrics: ["accuracy"])
            let history = try model.fit(xTrain, yTrain, batchSize: 32, epochs: 8, verbose: 0, validationSplit: 0.2)
            #expect(history.keys == ["accuracy", "loss", "val_accuracy", "val_loss"])
            let testScores = try model.evaluate(xTest, yTest, verbose: 0)
            #expect(testScores.names == ["loss", "accuracy"])
            #expect(testScores["accuracy"]! > 0.9)
        }
    }

    // MARK: Use the same graph of layers to define multiple models

    /// The guide's convolutional encoder: a 28×28 grayscale image to a 16-vector.
    static func encoderLayers(_ input: KerasTensor) -> KerasTensor {
        var x = Conv2D(16, kernelSize: [3], activation: .relu)(input)
        x = Conv2D(32, kernelSize: [3], activation: .relu)(x)
        x = MaxPooling2D(poolSize: [3, 3])(x)
        x = Conv2D(32, kernelSize: [3], activation: .relu)(x)
        x = Conv2D(16, kernelSize: [3], activation: .relu)(x)
        return GlobalMaxPooling2D()(x)
    }

    /// The guide's decoder: a 16-vector back to a 28×28 image.
    static func decoderLayers(_ input: KerasTensor) -> KerasTensor {
        var x = Reshape([4, 4, 1])(input)
        x = Conv2DTranspose(16, kernelSize: [3], activation: .relu)(x)
        x = Conv2DTranspose(32, kernelSize: [3], activation: .relu)(x)
        x = UpSampling2D(size: (3, 3))(x)
        x = Conv2DTranspose(16, kernelSize: [3], activation: .relu)(x)
        return Conv2DTranspose(1, kernelSize: [3], activation: .relu)(x)
    }

    @Test func sameGraphMultipleModels() throws {
        let encoderInput = Input(shape: [28, 28, 1], name: "img")
        let encoderOutput = Self.encoderLayers(encoderInput)
        let encoder = try Model(inputs: encoderInput, outputs: encoderOutput, name: "encoder")
        #expect(encoderOutput.shape == [nil, 16])

        let decoderOutput = Self.decoderLayers(encoderOutput)
        let autoencoder = try Model(inputs: encoderInput, outputs: decoderOutput, name: "autoencoder")
        #expect(decoderOutput.shape == [nil, 28, 28, 1])

        #expect(encoder.weights.count == 8)
        #expect(autoencoder.weights.count == 16)
        var text = ""
        encoder.summary { text += $0 }
        #expect(text.contains("Total params: 18,672"))   // as in the guide
        text = ""
        autoencoder.summary { text += $0 }
        #expect(text.contains("Total params: 28,241"))   // as in the guide
        // The encoder's layers are the autoencoder's first layers: the weights are shared.
        let input = Tensor.randomNormal([1, 28, 28, 1], seed: 3)
        let encoded = autoencoder.layers[1...6].reduce(input) { x, layer in layer(x) }
        assertClose(encoder(input), encoded)
    }

    // MARK: All models are callable, just like layers

    @Test func allModelsAreCallable() throws {
        let encoderInput = Input(shape: [28, 28, 1], name: "original_img")
        let encoder = try Model(inputs: encoderInput, outputs: Self.encoderLayers(encoderInput), name: "encoder")

        let decoderInput = Input(shape: [16], name: "encoded_img")
        let decoder = try Model(inputs: decoderInput, outputs: Self.decoderLayers(decoderInput), name: "decoder")

        let autoencoderInput = Input(shape: [28, 28, 1], name: "img")
        let encodedImg = encoder(autoencoderInput)
        let decodedImg = decoder(encodedImg)
        let autoencoder = try Model(inputs: autoencoderInput, outputs: decodedImg, name: "autoencoder")
        #expect(autoencoder.layers.map(\.name) == ["img", "encoder", "decoder"])
        #expect(autoencoder.weights.count == 16)
        let x = Tensor.randomNormal([1, 28, 28, 1], seed: 4)
        assertClose(autoencoder(x), decoder(encoder(x)))

        // Model nesting: an ensemble averaging the predictions of a set of models.
        func getModel() throws -> Model {
            let inputs = Input(shape: [128])
            return try Model(inputs: inputs, outputs: Dense(1)(inputs))
        }
        let model1 = try getModel(), model2 = try getModel(), model3 = try getModel()
        let inputs = Input(shape: [128])
        let outputs = Average()([model1(inputs), model2(inputs), model3(inputs)])
        let ensembleModel = try Model(inputs: inputs, outputs: outputs)
        let sample = Tensor.ones([2, 128])
        assertClose(ensembleModel(sample), (model1(sample) + model2(sample) + model3(sample)) / 3, atol: 1e-5)
        #expect(ensembleModel.weights.count == 6)
    }

    // MARK: Manipulate complex graph topologies: models with multiple inputs and outputs

    /// The ticket-ranking model: title and body are sequences of word indices, each embedded
    /// and read by an LSTM (the guide's sizes scaled down: 40 words, 8-dim embeddings).
    static func ticketModel() throws -> Model {
        let numTags = 12, numWords = 40, numDepartments = 4
        let titleInput = Input(shape: [6], name: "title", dtype: .int32)   // sequence of word indices
        let bodyInput = Input(shape: [10], name: "body", dtype: .int32)    // sequence of word indices
        let tagsInput = Input(shape: [numTags], name: "tags")              // binary vectors of size numTags

        // Embed each word in the title into an 8-dimensional vector.
        let titleEmbedded = Embedding(inputDim: numWords, outputDim: 8)(titleInput)
        // Embed each word in the text into an 8-dimensional vector.
        let bodyEmbedded = Embedding(inputDim: numWords, outputDim: 8)(bodyInput)
        // Reduce the sequence of embedded words in the title into a single 8-dimensional vector.
        let titleFeatures = LSTM(8)(titleEmbedded)
        // Reduce the sequence of embedded words in the body into a single 4-dimensional vector.
        let bodyFeatures = LSTM(4)(bodyEmbedded)
        // Merge all available features into a single large vector via concatenation.
        let x = Concatenate()([titleFeatures, bodyFeatures, tagsInput])
        // Stick a logistic regression for priority prediction on top of the features.
        let priorityPred = Dense(1, name: "priority")(x)
        // Stick a department classifier on top of the features.
        let departmentPred = Dense(numDepartments, name: "department")(x)
        // Instantiate an end-to-end model predicting both priority and department.
        return try Model(inputs: [titleInput, bodyInput, tagsInput],
                         outputs: ["priority": priorityPred, "department": departmentPred])
    }

    /// `count` sequences of `length` word indices; sequence `i` of `classes` groups uses only
    /// the 10 words of group `i % classes` (`classes` = 1: any of the first 10 words).
    static func wordSequences(count: Int, length: Int, classes: Int, seed: Int) -> (words: Tensor, groups: Tensor) {
        let u = Tensor.randomUniform([count, length], seed: seed).scalars
        let words = (0..<count * length).map { Int32(($0 / length) % classes * 10 + min(Int(u[$0] * 10), 9)) }
        return (Tensor(shape: [count, length], scalars: words), Tensor((0..<count).map { Int32($0 % classes) }))
    }

    /// Dummy input and target data: the department is the word group of the body, the priority
    /// the share of tags set on the ticket.
    static func ticketData(count: Int) -> (inputs: [String: Tensor], targets: [String: Tensor]) {
        let title = wordSequences(count: count, length: 6, classes: 1, seed: 41).words
        let (body, department) = wordSequences(count: count, length: 10, classes: 4, seed: 42)
        let tags = Tensor.randomUniform([count, 12], seed: 43).greater(0.5).cast(to: .float32)
        let priority = tags.mean(axes: [1], keepDims: true)
        return (["title": title, "body": body, "tags": tags], ["priority": priority, "department": department])
    }

    @Test func multipleInputsAndOutputs() throws {
        try withRandomSeed(5) {
            let model = try Self.ticketModel()
            #expect(model.inputNames == ["title", "body", "tags"])
            #expect(model.outputNames == ["department", "priority"])
            #expect(model.weights.count == 12)   // 2 embeddings, 2 × 3 LSTM weights, 2 × 2 Dense

            // Loss weights by output name.
            try model.compile(optimizer: RMSprop(learningRate: 1e-2),
                              loss: ["priority": BinaryCrossentropy(fromLogits: true),
                                     "department": SparseCategoricalCrossentropy(fromLogits: true)],
                              lossWeights: ["priority": 1.0, "department": 0.2])
            let (inputs, targets) = Self.ticketData(count: 256)
            var epochsSeen = 0
            let counter = LambdaCallback(onEpochEnd: { _, _ in epochsSeen += 1 })
            let history = try model.fit(inputs, targets, batchSize: 32, epochs: 6, verbose: 0,
                                        callbacks: [counter, EarlyStopping(monitor: "loss", patience: 2)])
            #expect(history.keys == ["department_loss", "loss", "priority_loss"])
            #expect(epochsSeen == history.history["loss"]!.count)
            let loss = history.history["loss"]!, departmentLoss = history.history["department_loss"]!
            #expect(loss.last! < loss.first!)
            #expect(departmentLoss.last! < departmentLoss.first! / 2)
            // The total is the weighted sum of the per-output losses.
            #expect(Swift.abs(loss[0] - (history.history["priority_loss"]![0] + 0.2 * departmentLoss[0])) < 1e-3)

            let predictions = try model.predictOutputs(inputs, verbose: 0)
            #expect(predictions["priority"]!.shape == [256, 1])
            #expect(predictions["department"]!.shape == [256, 4])
            let predicted = predictions["department"]!.argmax(axis: 1).toArray(of: Int64.self)
            let truth = targets["department"]!.toArray(of: Int32.self)
            let accuracy = Double(zip(predicted, truth).filter { Int($0) == Int($1) }.count) / 256
            #expect(accuracy > 0.9)
        }
    }

    // MARK: A toy ResNet model

    @Test func toyResNet() throws {
        try withRandomSeed(6) {
            // The guide's sizes (32×32 CIFAR images, 32–64 filters, Dense(256)) scaled down.
            let inputs = Input(shape: [10, 10, 3], name: "img")
            var x = Conv2D(8, kernelSize: [3], activation: .relu)(inputs)
            x = Conv2D(16, kernelSize: [3], activation: .relu)(x)
            let block1Output = MaxPooling2D(poolSize: [2, 2])(x)

            x = Conv2D(16, kernelSize: [3], padding: .same, activation: .relu)(block1Output)
            x = Conv2D(16, kernelSize: [3], padding: .same, activation: .relu)(x)
            let block2Output = Add()([x, block1Output])

            x = Conv2D(16, kernelSize: [3], padding: .same, activation: .relu)(block2Output)
            x = Conv2D(16, kernelSize: [3], padding: .same, activation: .relu)(x)
            let block3Output = Add()([x, block2Output])

            x = Conv2D(16, kernelSize: [3], activation: .relu)(block3Output)
            x = GlobalAveragePooling2D()(x)
            x = Dense(32, activation: .relu)(x)
            x = Dropout(0.5)(x)
            let outputs = Dense(10)(x)
            let model = try Model(inputs: inputs, outputs: outputs, name: "toy_resnet")
            #expect(model.layers.count == 15)   // input, 7 Conv2D, MaxPooling2D, 2 Add, pooling, 2 Dense, Dropout
            #expect(model.weights.count == 18)
            #expect(block1Output.shape == [nil, 3, 3, 16])

            let (flat, yTrain) = guideClusters(count: 200, features: 10 * 10 * 3, classes: 10, seed: 51)
            let xTrain = flat.reshaped(to: [200, 10, 10, 3])
            try model.compile(optimizer: RMSprop(learningRate: 1e-3),
                              loss: SparseCategoricalCrossentropy(fromLogits: true),
                              metrics: ["acc"])
            let history = try model.fit(xTrain, yTrain, batchSize: 32, epochs: 4, verbose: 0, validationSplit: 0.2)
            #expect(history.history["loss"]!.last! < history.history["loss"]!.first!)
            #expect(history.keys == ["acc", "loss", "val_acc", "val_loss"])
        }
    }

    // MARK: Shared layers

    @Test func sharedLayers() throws {
        // Embedding for 100 unique words mapped to 8-dimensional vectors.
        let sharedEmbedding = Embedding(inputDim: 100, outputDim: 8, name: "shared")
        // Variable-length sequences of integers.
        let textInputA = Input(shape: [nil], dtype: .int32)
        let textInputB = Input(shape: [nil], dtype: .int32)
        // Reuse the same layer to encode both inputs.
        let encodedInputA = sharedEmbedding(textInputA)
        let encodedInputB = sharedEmbedding(textInputB)
        let model = try Model(inputs: [textInputA, textInputB], outputs: [encodedInputA, encodedInputB])
        #expect(model.weights.count == 1)   // one embedding matrix for both inputs
        let a = Tensor(shape: [2, 3], scalars: [Int32(1), 5, 7, 0, 2, 99])
        let b = Tensor(shape: [1, 4], scalars: [Int32(3), 3, 4, 50])
        let outputs = model([a, b])
        #expect(outputs.map(\.shape) == [[2, 3, 8], [1, 4, 8]])
        assertClose(outputs[0], sharedEmbedding(a))
        assertClose(outputs[1], sharedEmbedding(b))
    }

    // MARK: Extract and reuse nodes in the graph of layers

    @Test func extractAndReuseNodes() throws {
        let model = try Self.mnistModel()
        let featuresList = model.layers.map { $0.output! }
        let featExtractionModel = try Model(inputs: model.inputs, outputs: featuresList)
        let features = featExtractionModel([Tensor.ones([1, 16])])
        #expect(features.map(\.shape) == [[1, 16], [1, 64], [1, 64], [1, 10]])
        assertClose(features.last!, model(Tensor.ones([1, 16])))
    }
}
