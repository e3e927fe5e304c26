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
}
