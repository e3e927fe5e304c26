// The code of the DocC articles in Sources/Keras/Keras.docc, compiled and run. Each article's
// ```swift blocks appear here verbatim (DocCatalogTests checks that), after the data they use.
import Foundation
import Keras
import KerasTestSupport
import Testing

@Suite("DocC articles")
struct DocArticleTests {
    /// 64 samples of 16 features in 10 classes, and their labels.
    static func classification(count: Int = 64, seed: Int = 1) -> (Tensor, Tensor) {
        (Tensor.randomNormal([count, 16], seed: seed), Tensor((0..<count).map { Int32($0 % 10) }))
    }

    static func classifier() throws -> Model {
        let inputs = Input(shape: [16])
        let outputs = Dense(10)(Dense(8, activation: .relu)(inputs))
        return try Model(inputs: inputs, outputs: outputs)
    }

    @Test func landingPage() throws {
        let x = Tensor.randomUniform([32, 8, 8], seed: 7)
        let labels = Tensor((0..<32).map { Int32($0 % 10) })
        let model = Sequential([
            InputLayer(shape: [8, 8]),
            Flatten(),
            Dense(128, activation: .relu),
            Dense(10),
        ])
        try model.compile(optimizer: "adam",
                          loss: SparseCategoricalCrossentropy(fromLogits: true),
                          metrics: ["accuracy"])
        try model.fit(x, labels, epochs: 10)
        #expect(model.optimizer!.iterations == 10)
    }

    @Test func gettingStarted() throws {
        try withRandomSeed(3) {
            let model = Sequential([
                Dense(2, activation: .relu, name: "layer1"),
                Dense(3, activation: .relu, name: "layer2"),
                Dense(4, name: "layer3"),
            ])
            let x = Tensor.ones([3, 3])
            let y = model(x)
            model.summary()
            #expect(y.shape == [3, 4])
            #expect(model.countParams() == 33)

            let layer1 = Dense(2, activation: .relu, name: "layer1")
            let layer2 = Dense(3, activation: .relu, name: "layer2")
            let layer3 = Dense(4, name: "layer3")
            let yByHand = layer3(layer2(layer1(x)))
            #expect(yByHand.shape == [3, 4])

            let a = Tensor([[1, 2], [3, 4]])               // int32, as NumPy reads integer lists
            let b = Tensor([[0.5, 0.75], [0.25, 0.5]])     // float32
            let product = dot(a, b)                        // [[1, 1.75], [2.5, 4.25]]
            #expect(product.toArray(of: Float.self) == [1, 1.75, 2.5, 4.25])

            let ((trainImages, trainLabels), (testImages, testLabels)) = try Datasets.digits()
            let classifier = Sequential([
                InputLayer(shape: [8, 8]),
                Flatten(),
                Dense(128, activation: .relu),
                Dense(10),
            ])
            try classifier.compile(optimizer: "adam",
                                   loss: SparseCategoricalCrossentropy(fromLogits: true),
                                   metrics: ["accuracy"])
            try classifier.fit(trainImages.cast(to: .float32) / 255, trainLabels, epochs: 10, verbose: 0)
            let result = try classifier.evaluate(testImages.cast(to: .float32) / 255, testLabels, verbose: 0)
            print("Test accuracy:", result["accuracy"]!)
            #expect(result["accuracy"]! > 0.9)
        }
    }

    @Test func theSequentialModel() throws {
        let model = Sequential([
            InputLayer(shape: [4]),
            Dense(2, activation: .relu),
            Dense(3, activation: .relu),
            Dense(4),
        ])
        model.summary()
        #expect(model.weights.count == 6)

        let incremental = Sequential(name: "my_sequential")
        try incremental.add(Input(shape: [4]))
        try incremental.add(Dense(2, activation: .relu))
        try incremental.add(Dense(3, activation: .relu))
        try incremental.add(Dense(4))
        incremental.pop()                        // removes the last layer
        print(incremental.layers.count)          // 2
        #expect(incremental.layers.count == 2)

        let lazy = Sequential([Dense(2, activation: .relu), Dense(4)])
        print(lazy.weights.count)                // 0
        _ = lazy(Tensor.ones([1, 4]))
        print(lazy.weights.count)                // 4
        #expect(lazy.weights.count == 4)

        let extractorBase = Sequential([
            InputLayer(shape: [6]),
            Dense(8, activation: .relu),
            Dense(8, activation: .relu, name: "my_intermediate_layer"),
            Dense(4),
        ])
        let extractor = try Model(inputs: extractorBase.inputs,
                                  outputs: try extractorBase.getLayer(name: "my_intermediate_layer").output!)
        let features = extractor(Tensor.ones([1, 6]))   // shape (1, 8)
        #expect(features.shape == [1, 8])

        for layer in model.layers.dropLast() { layer.trainable = false }
        print(model.trainableWeights.count)      // 2: the last layer's kernel and bias
        #expect(model.trainableWeights.count == 2)
    }

    @Test func theFunctionalAPI() throws {
        let inputs = Input(shape: [16])
        var hidden = Dense(64, activation: .relu)(inputs)
        hidden = Dense(64, activation: .relu)(hidden)
        let outputs = Dense(10)(hidden)
        let model = try Model(inputs: inputs, outputs: outputs, name: "mnist_model")
        model.summary()
        #expect(model.countParams() == 5_898)

        let title = Input(shape: [6], name: "title", dtype: .int32)
        let tags = Input(shape: [12], name: "tags")
        let titleFeatures = LSTM(8)(Embedding(inputDim: 40, outputDim: 8)(title))
        let merged = Concatenate()([titleFeatures, tags])
        let priority = Dense(1, name: "priority")(merged)
        let department = Dense(4, name: "department")(merged)
        let ticketModel = try Model(inputs: [title, tags],
                                    outputs: ["priority": priority, "department": department])
        try ticketModel.compile(optimizer: RMSprop(learningRate: 1e-2),
                                loss: ["priority": BinaryCrossentropy(fromLogits: true),
                                       "department": SparseCategoricalCrossentropy(fromLogits: true)],
                                lossWeights: ["priority": 1.0, "department": 0.2])
        #expect(ticketModel.inputNames == ["title", "tags"])

        let image = Input(shape: [8, 8, 4])
        let branch = Conv2D(4, kernelSize: [3], padding: .same, activation: .relu)(image)
        let residual = Add()([branch, image])
        let resNet = try Model(inputs: image, outputs: GlobalAveragePooling2D()(residual))
        #expect(resNet(Tensor.ones([2, 8, 8, 4])).shape == [2, 4])
    }

    @Test func trainingAndEvaluation() throws {
        try withRandomSeed(4) {
            let (xTrain, yTrain) = Self.classification()
            let (xTest, yTest) = Self.classification(count: 20, seed: 2)
            let model = try Self.classifier()
            try model.compile(optimizer: Adam(learningRate: 1e-3),
                              loss: SparseCategoricalCrossentropy(fromLogits: true),
                              metrics: ["accuracy"])
            let history = try model.fit(xTrain, yTrain, batchSize: 32, epochs: 5, verbose: 0,
                                        validationSplit: 0.2)
            print(history.history["val_accuracy"]!)
            let scores = try model.evaluate(xTest, yTest, verbose: 0)
            print(scores["loss"]!, scores["accuracy"]!)
            let logits = try model.predict(xTest, verbose: 0)
            #expect(history.history["val_accuracy"]!.count == 5)
            #expect(logits.shape == [20, 10])

            let train = try Dataset(xTrain, yTrain).shuffled(seed: 1).batched(32)
            try model.fit(train, epochs: 2, verbose: 0)

            try model.fit(xTrain, yTrain, epochs: 20, verbose: 0, callbacks: [
                EarlyStopping(monitor: "val_loss", patience: 2, restoreBestWeights: true),
                ReduceLROnPlateau(monitor: "val_loss", factor: 0.5, patience: 1),
            ], validationSplit: 0.2)
        }
    }

    final class Linear: Layer, @unchecked Sendable {
        let units: Int
        var w: Variable!, b: Variable!
        init(_ units: Int) { self.units = units; super.init() }
        override func build(inputShape: [Int?]) {
            w = addWeight(name: "w", shape: [inputShape.lastDimension, units], initializer: RandomNormal())
            b = addWeight(name: "b", shape: [units], initializer: Zeros())
        }
        override func call(_ inputs: Tensor, training: Bool) -> Tensor {
            inputs.matmul(w) + b
        }
    }

    final class MLPBlock: Layer, @unchecked Sendable {
        let linear1 = Linear(8), linear2 = Linear(1)
        override func call(_ inputs: Tensor, training: Bool) -> Tensor {
            let hidden = linear1(inputs).relu()
            addLoss(hidden.square().mean() * 1e-3)      // an activity penalty
            return linear2(hidden)
        }
    }

    @Test func writingYourOwnLayers() throws {
        let linear = Linear(4)
        let outputs = linear(Tensor.ones([2, 3]))   // shape (2, 4); w is (3, 4)
        #expect(outputs.shape == [2, 4])
        #expect(linear.w.shape == [3, 4])

        let block = MLPBlock()
        let prediction = block(Tensor.ones([2, 3]))
        print(block.weights.count, block.losses.count)   // 4 1
        #expect(prediction.shape == [2, 1])
        #expect(block.weights.count == 4 && block.losses.count == 1)
    }

    final class CustomModel: Model, @unchecked Sendable {
        let dense = Dense(1)
        let lossTracker = Mean(name: "loss")
        override var metrics: [Metric] { [lossTracker] }
        override func call(_ x: Tensor, training: Bool) -> Tensor { dense(x, training: training) }
        override func trainStep(_ data: DataBatch) throws -> [String: Double] {
            let (loss, grads) = valueWithGradients(of: trainableVariables) {
                MeanSquaredError()(data.y!, self(data.x, training: true))
            }
            optimizer!.apply(grads, to: trainableVariables)
            lossTracker.updateState(loss)
            return ["loss": lossTracker.resultValue]
        }
    }

    @Test func customTrainingLoops() throws {
        try withRandomSeed(5) {
            let (xTrain, yTrain) = Self.classification()
            let model = try Self.classifier()
            let optimizer = Adam(learningRate: 1e-3)
            let lossFn = SparseCategoricalCrossentropy(fromLogits: true)
            let accuracy = SparseCategoricalAccuracy()
            let batches = try Dataset(xTrain, yTrain).shuffled(seed: 1).batched(32)
            for epoch in 0..<3 {
                for batch in batches {
                    let (loss, logits, grads) = valueWithGradients(of: model.trainableVariables) {
                        let logits = model(batch.x, training: true)
                        return (lossFn(batch.y!, logits) + model.losses.sum(), logits)
                    }
                    optimizer.apply(grads, to: model.trainableVariables)
                    accuracy.updateState(yTrue: batch.y!, yPred: logits)
                    _ = loss
                }
                print("epoch \(epoch): accuracy \(accuracy.resultValue)")
                accuracy.resetState()
            }
            #expect(optimizer.iterations == 6)

            let xRegression = Tensor.randomNormal([32, 3], seed: 6)
            let yRegression = xRegression.sum(axes: [1], keepDims: true)
            let custom = CustomModel()
            try custom.compile(optimizer: "adam")
            try custom.fit(xRegression, yRegression, epochs: 2, verbose: 0)
            #expect(custom.lossTracker.resultValue.isFinite)
        }
    }

    @Test func savingAndLoading() throws {
        try withRandomSeed(6) {
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("doc-article-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let (x, y) = Self.classification()
            let model = try Self.classifier()
            try model.compile(optimizer: "adam", loss: SparseCategoricalCrossentropy(fromLogits: true))
            try model.fit(x, y, epochs: 1, verbose: 0)

            let path = directory + "/digits.keras"
            try model.save(to: path)
            let restored = try loadModel(path)
            try restored.fit(x, y, epochs: 1, verbose: 0)     // continues with the saved optimizer state

            try model.saveWeights(to: directory + "/digits.weights.h5")
            try restored.loadWeights(from: directory + "/digits.weights.h5")
            #expect(try restored.predict(x, verbose: 0).toArray(of: Float.self)
                    == model.predict(x, verbose: 0).toArray(of: Float.self))

            let json = model.toJSON()
            let sameArchitecture = try modelFromJSON(json)
            #expect(sameArchitecture.countParams() == model.countParams())

            try model.fit(x, y, epochs: 3, verbose: 0, callbacks: [
                ModelCheckpoint(filepath: directory + "/e{epoch:02d}.keras"),
                BackupAndRestore(backupDir: directory + "/backup"),   // a killed run resumes at its last epoch
            ])
            #expect(FileManager.default.fileExists(atPath: directory + "/e03.keras"))
        }
    }
}
