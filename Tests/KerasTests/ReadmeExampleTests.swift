import Foundation
import Keras
import KerasTestSupport
import Testing

/// The README's examples, kept compiling and running (fewer epochs).
@Suite struct ReadmeExampleTests {
    @Test func tutorialSnippet() throws {
        try withRandomSeed(2) {
            let ((trainImages, trainLabels), (testImages, testLabels)) = try Datasets.digits()
            let model = Sequential([
                InputLayer(shape: [8, 8]),
                Flatten(),
                Dense(128, activation: .relu),
                Dense(10),
            ])
            try model.compile(optimizer: "adam",
                              loss: SparseCategoricalCrossentropy(fromLogits: true),
                              metrics: ["accuracy"])
            #expect(summaryText(model).contains("Total params: 9,610"))
            try model.fit(trainImages.cast(to: .float32) / 255, trainLabels, epochs: 2, verbose: 0)
            let result = try model.evaluate(testImages.cast(to: .float32) / 255, testLabels, verbose: 0)
            #expect(result["accuracy"]! > 0.6)
            let probabilities = try Sequential([model, Softmax()]).predict(testImages.cast(to: .float32) / 255, verbose: 0)
            assertClose(probabilities.sum(axes: [1]), Tensor.ones([360]), rtol: 1e-5)
        }
    }

    @Test func functionalAndCustomLoopSnippet() throws {
        let inputs = Input(shape: [3])
        let hidden = Dense(4, activation: .relu)(inputs)
        let outputs = Dense(5, activation: .softmax)(hidden)
        let functional = try Model(inputs: inputs, outputs: outputs)

        let x = Tensor.randomNormal([8, 3], seed: 1)
        let targets = Tensor.randomUniform([8], maxval: 5, seed: 2).cast(to: .int32).oneHot(depth: 5)
        let optimizer = Adam()
        let lossBefore = CategoricalCrossentropy()(targets, functional(x))
        for _ in 0..<20 {
            let (_, grads) = valueWithGradients(of: functional.trainableVariables) {
                CategoricalCrossentropy()(targets, functional(x, training: true))
            }
            optimizer.apply(grads, to: functional.trainableVariables)
        }
        #expect(CategoricalCrossentropy()(targets, functional(x)).item < lossBefore.item)
    }

    final class Linear: Layer, @unchecked Sendable {
        let units: Int
        var w: Variable!, b: Variable!
        let seedGenerator = SeedGenerator(seed: 1337)      // keras.random.SeedGenerator
        init(_ units: Int) { self.units = units; super.init() }
        override func build(inputShape: [Int?]) {
            w = addWeight(name: "w", shape: [inputShape.lastDimension, units], initializer: RandomNormal())
            b = addWeight(name: "b", shape: [units], initializer: Zeros())
        }
        override func call(_ inputs: Tensor, training: Bool) -> Tensor {
            let y = inputs.matmul(w) + b                     // variables work directly in tensor math
            return training ? dropout(y, rate: 0.1, seed: seedGenerator) : y
        }
    }

    @Test func customLayerAndLoopSnippet() throws {
        try withRandomSeed(5) {
            let x = Tensor.randomNormal([64, 3], seed: 1)
            let labels = x.argmax(axis: 1)
            let optimizer = Adam(learningRate: 0.01)

            let model = Sequential([InputLayer(shape: [3]), Linear(8), Dense(5)])
            let lossFn = SparseCategoricalCrossentropy(fromLogits: true)
            let accuracy = SparseCategoricalAccuracy()
            let train = try Dataset(x, labels).shuffled(seed: 1).batched(32)
            var accuracies: [Double] = []
            for _ in 0..<30 {
                for batch in train {                                 // each loop over a dataset is a new shuffle
                    let (_, logits, grads) = valueWithGradients(of: model.trainableVariables) {
                        let logits = model(batch.x, training: true)
                        return (lossFn(batch.y!, logits) + model.losses.sum(), logits)   // also returns the logits
                    }
                    optimizer.apply(grads, to: model.trainableVariables)
                    accuracy.updateState(yTrue: batch.y!, yPred: logits)
                }
                accuracies.append(accuracy.resultValue)
                accuracy.resetState()
            }
            #expect(accuracies.last! > 0.8 && accuracies.last! > accuracies.first!)
            let printed = "\(model.layers[1].getConfig())"
            #expect(printed.hasPrefix(#"{"name": "dense"#) && printed.contains(#""trainable": true, "dtype": {"module": "keras""#))
            #expect(model.layers[1].getConfig().keys.prefix(4) == ["name", "trainable", "dtype", "units"])
        }
    }

    @Test func savingSnippet() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("readme-saving-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let x = Tensor.randomNormal([40, 4], seed: 3)
        let y = Tensor.randomUniform([40], maxval: 3, seed: 4).cast(to: .int32)
        let model = Sequential([InputLayer(shape: [4]), Dense(8, activation: .relu), Dense(3)])
        try model.compile(optimizer: "adam", loss: SparseCategoricalCrossentropy(fromLogits: true))
        try model.fit(x, y, epochs: 1, verbose: 0)

        try model.save(to: "\(directory)/digits.keras")
        let restored = try loadModel("\(directory)/digits.keras")
        assertClose(try restored.predict(x, verbose: 0), try model.predict(x, verbose: 0))
        try restored.fit(x, y, epochs: 1, verbose: 0)
        try model.fit(x, y, epochs: 3, verbose: 0, callbacks: [
            ModelCheckpoint(filepath: "\(directory)/ckpt/e{epoch:02d}-{val_loss:.2f}.keras", saveBestOnly: true),
            BackupAndRestore(backupDir: "\(directory)/backup"),
        ], validationSplit: 0.25)
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: "\(directory)/ckpt")
        #expect(!checkpoints.isEmpty && checkpoints.allSatisfy { $0.hasPrefix("e0") && $0.hasSuffix(".keras") })
    }
}
