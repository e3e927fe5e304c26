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

    @Test func sameGraphMultipleModels() throws {
        let encoderInput = Input(shape: [16], name: "img")
        var x = Dense(8, activation: .relu)(encoderInput)
        let encoderOutput = Dense(4, activation: .relu)(x)
        let encoder = try Model(inputs: encoderInput, outputs: encoderOutput, name: "encoder")

        x = Dense(8, activation: .relu)(encoderOutput)
        let decoderOutput = Dense(16)(x)
        let autoencoder = try Model(inputs: encoderInput, outputs: decoderOutput, name: "autoencoder")

        #expect(encoder.weights.count == 4)
        #expect(autoencoder.weights.count == 8)
        // The encoder's layers are the autoencoder's first layers: the weights are shared.
        let input = Tensor.randomNormal([2, 16], seed: 3)
        assertClose(encoder(input), autoencoder.layers[2](autoencoder.layers[1](input)))
    }

    // MARK: All models are callable, just like layers

    @Test func allModelsAreCallable() throws {
        let encoderInput = Input(shape: [16], name: "original_img")
        let encoderOutput = Dense(4, activation: .relu)(Dense(8, activation: .relu)(encoderInput))
        let encoder = try Model(inputs: encoderInput, outputs: encoderOutput, name: "encoder")

        let decoderInput = Input(shape: [4], name: "encoded_img")
        let decoderOutput = Dense(16)(Dense(8, activation: .relu)(decoderInput))
        let decoder = try Model(inputs: decoderInput, outputs: decoderOutput, name: "decoder")

        let autoencoderInput = Input(shape: [16], name: "img")
        let encodedImg = encoder(autoencoderInput)
        let decodedImg = decoder(encodedImg)
        let autoencoder = try Model(inputs: autoencoderInput, outputs: decodedImg, name: "autoencoder")
        #expect(autoencoder.layers.map(\.name) == ["img", "encoder", "decoder"])
        #expect(autoencoder.weights.count == 8)
        let x = Tensor.randomNormal([3, 16], seed: 4)
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

    /// The ticket-ranking model. The guide embeds title and body text with Embedding + LSTM;
    /// this library has neither, so title and body arrive as small float feature vectors
    /// (e.g. precomputed text embeddings) encoded by Dense layers.
    static func ticketModel() throws -> Model {
        let numTags = 12, numDepartments = 4
        let titleInput = Input(shape: [10], name: "title")    // title features
        let bodyInput = Input(shape: [20], name: "body")      // body features
        let tagsInput = Input(shape: [numTags], name: "tags") // binary vectors of size numTags

        let titleFeatures = Dense(16, activation: .relu)(titleInput)
        let bodyFeatures = Dense(8, activation: .relu)(bodyInput)
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

    /// Dummy input and target data: the department is the cluster of the body features, the
    /// priority the share of tags set on the ticket.
    static func ticketData(count: Int) -> (inputs: [String: Tensor], targets: [String: Tensor]) {
        let title = Tensor.randomNormal([count, 10], seed: 41)
        let (body, department) = guideClusters(count: count, features: 20, classes: 4, seed: 42)
        let tags = Tensor.randomUniform([count, 12], seed: 43).greater(0.5).cast(to: .float32)
        let priority = tags.mean(axes: [1], keepDims: true)
        return (["title": title, "body": body, "tags": tags], ["priority": priority, "department": department])
    }

    @Test func multipleInputsAndOutputs() throws {
        try withRandomSeed(5) {
            let model = try Self.ticketModel()
            #expect(model.inputNames == ["title", "body", "tags"])
            #expect(model.outputNames == ["department", "priority"])
            #expect(model.weights.count == 8)

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
            let inputs = Input(shape: [16], name: "img")
            var x = Dense(32, activation: .relu)(inputs)
            let block1Output = Dense(32, activation: .relu)(x)

            x = Dense(32, activation: .relu)(block1Output)
            x = Dense(32, activation: .relu)(x)
            let block2Output = Add()([x, block1Output])

            x = Dense(32, activation: .relu)(block2Output)
            x = Dense(32, activation: .relu)(x)
            let block3Output = Add()([x, block2Output])

            x = Dense(32, activation: .relu)(block3Output)
            x = Dropout(0.5)(x)
            let outputs = Dense(10)(x)
            let model = try Model(inputs: inputs, outputs: outputs, name: "toy_resnet")
            #expect(model.layers.count == 12)   // input, 8 Dense, 2 Add, 1 Dropout
            #expect(model.weights.count == 16)

            let (xTrain, yTrain) = guideClusters(count: 300, features: 16, classes: 10, seed: 51)
            try model.compile(optimizer: RMSprop(learningRate: 1e-3),
                              loss: SparseCategoricalCrossentropy(fromLogits: true),
                              metrics: ["acc"])
            let history = try model.fit(xTrain, yTrain, batchSize: 32, epochs: 8, verbose: 0, validationSplit: 0.2)
            #expect(history.history["loss"]!.last! < history.history["loss"]!.first!)
            #expect(history.history["val_acc"]!.last! > 0.8)
        }
    }

    // MARK: Shared layers

    @Test func sharedLayers() throws {
        // The guide shares an Embedding between two text inputs; here a shared Dense encoder.
        let sharedEncoder = Dense(8, name: "shared")
        let textInputA = Input(shape: [5])
        let textInputB = Input(shape: [5])
        let encodedInputA = sharedEncoder(textInputA)
        let encodedInputB = sharedEncoder(textInputB)
        let model = try Model(inputs: [textInputA, textInputB], outputs: [encodedInputA, encodedInputB])
        #expect(model.weights.count == 2)   // one kernel and one bias for both inputs
        let a = Tensor.randomNormal([2, 5], seed: 1), b = Tensor.randomNormal([2, 5], seed: 2)
        let outputs = model([a, b])
        assertClose(outputs[0], sharedEncoder(a))
        assertClose(outputs[1], sharedEncoder(b))
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
