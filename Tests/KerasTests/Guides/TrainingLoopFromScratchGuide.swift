// Follows the Keras guide "Writing a training loop from scratch"
// (https://keras.io/guides/writing_a_training_loop_from_scratch/), in Swift.
import Keras
import KerasTestSupport
import Testing

@Suite("Guide: Writing a training loop from scratch")
struct TrainingLoopFromScratchGuide {
    /// The guide's MNIST MLP, on 16 features and 10 well-separated synthetic classes.
    static func getModel() throws -> Model {
        let inputs = Input(shape: [16], name: "digits")
        var x = Dense(64, activation: .relu)(inputs)
        x = Dense(64, activation: .relu)(x)
        let outputs = Dense(10, name: "predictions")(x)
        return try Model(inputs: inputs, outputs: outputs)
    }

    /// Prepare the training dataset (shuffled, batches of 32) and the validation dataset.
    static func datasets() throws -> (train: Dataset, validation: Dataset) {
        let (xTrain, yTrain) = guideClusters(count: 320, features: 16, classes: 10, seed: 21, spread: 0.5)
        let (xVal, yVal) = guideClusters(count: 100, features: 16, classes: 10, seed: 21, noiseSeed: 99, spread: 0.5)
        return (try Dataset(xTrain, yTrain).shuffled(seed: 1).batched(32), try Dataset(xVal, yVal).batched(32))
    }

    // MARK: A first end-to-end example

    @Test func aFirstEndToEndExample() throws {
        try withRandomSeed(1) {
            let model = try Self.getModel()
            // Instantiate an optimizer and a loss function.
            let optimizer = Adam(learningRate: 1e-3)
            let lossFn = SparseCategoricalCrossentropy(fromLogits: true)
            let (trainDataset, _) = try Self.datasets()
            #expect(trainDataset.count == 10)   // 320 samples / 32

            var epochLosses: [Float] = []
            let epochs = 3
            for _ in 0..<epochs {
                var total: Float = 0, steps = 0
                // Iterate over the batches of the dataset (each loop is a fresh shuffle).
                for batch in trainDataset {
                    let (xBatch, yBatch) = (batch.x, batch.y!)
                    // Run the forward pass, recording the operations for automatic differentiation.
                    let (lossValue, grads) = valueWithGradients(of: model.trainableVariables) {
                        let logits = model(xBatch, training: true)   // logits for this minibatch
                        return lossFn(yBatch, logits)                // loss value for this minibatch
                    }
                    // Run one step of gradient descent by updating the value of the variables.
                    optimizer.apply(grads, to: model.trainableVariables)
                    total += lossValue.item
                    steps += 1
                }
                #expect(steps == 10)
                epochLosses.append(total / Float(steps))
            }
            #expect(optimizer.iterations == 30)
            #expect(epochLosses[2] < epochLosses[1] && epochLosses[1] < epochLosses[0])
        }
    }

    // MARK: Low-level handling of metrics

    @Test func lowLevelHandlingOfMetrics() throws {
        try withRandomSeed(2) {
            let model = try Self.getModel()
            let optimizer = Adam(learningRate: 1e-3)
            let lossFn = SparseCategoricalCrossentropy(fromLogits: true)
            // Prepare the metrics.
            let trainAccMetric = SparseCategoricalAccuracy()
            let valAccMetric = SparseCategoricalAccuracy()
            let (trainDataset, valDataset) = try Self.datasets()

            var trainAccuracies: [Double] = [], valAccuracies: [Double] = []
            for _ in 0..<4 {
                for batch in trainDataset {
                    // The step also returns the logits, for the metric.
                    let (_, logits, grads) = valueWithGradients(of: model.trainableVariables) {
                        let logits = model(batch.x, training: true)
                        return (lossFn(batch.y!, logits), logits)
                    }
                    optimizer.apply(grads, to: model.trainableVariables)
                    // Update training metric.
                    trainAccMetric.updateState(yTrue: batch.y!, yPred: logits)
                }
                // Display metrics at the end of each epoch, then reset them.
                trainAccuracies.append(trainAccMetric.resultValue)
                trainAccMetric.resetState()
                #expect(trainAccMetric.resultValue == 0)

                // Run a validation loop at the end of each epoch.
                for batch in valDataset {
                    let valLogits = model(batch.x, training: false)
                    valAccMetric.updateState(yTrue: batch.y!, yPred: valLogits)
                }
                valAccuracies.append(valAccMetric.resultValue)
                valAccMetric.resetState()
            }
            #expect(trainAccuracies.last! > trainAccuracies.first!)
            #expect(trainAccuracies.last! > 0.9)
            #expect(valAccuracies.last! > 0.9)
        }
    }

    // MARK: Speeding-up your training step with jit_compile
    // (No compilation step in this library: the eager step above is the only form.)

    // MARK: Low-level handling of losses tracked by the model

    final class ActivityRegularizationLayer: Layer, @unchecked Sendable {
        override func call(_ inputs: Tensor, training: Bool) -> Tensor {
            addLoss(1e-2 * inputs.sum())
            return inputs
        }
    }

    @Test func lossesTrackedByTheModel() throws {
        try withRandomSeed(3) {
            let inputs = Input(shape: [16], name: "digits")
            var x = Dense(64, activation: .relu)(inputs)
            // Insert the activity regularization as a layer.
            x = ActivityRegularizationLayer()(x)
            x = Dense(64, activation: .relu)(x)
            let outputs = Dense(10, name: "predictions")(x)
            let model = try Model(inputs: inputs, outputs: outputs)
            let optimizer = Adam(learningRate: 1e-3)
            let lossFn = SparseCategoricalCrossentropy(fromLogits: true)
            let trainAccMetric = SparseCategoricalAccuracy()
            let (trainDataset, _) = try Self.datasets()

            var firstLoss: Float? = nil, lastLoss: Float = 0
            for _ in 0..<3 {
                for batch in trainDataset {
                    let (lossValue, logits, grads) = valueWithGradients(of: model.trainableVariables) {
                        let logits = model(batch.x, training: true)
                        // Add any extra losses created during the forward pass.
                        return (lossFn(batch.y!, logits) + model.losses.sum(), logits)
                    }
                    optimizer.apply(grads, to: model.trainableVariables)
                    trainAccMetric.updateState(yTrue: batch.y!, yPred: logits)
                    if firstLoss == nil { firstLoss = lossValue.item }
                    lastLoss = lossValue.item
                }
            }
            #expect(model.losses.count == 1)
            #expect(lastLoss < firstLoss!)
            #expect(trainAccMetric.resultValue > 0.5)
        }
    }

    // MARK: End-to-end example: a GAN training loop from scratch

    @Test func ganTrainingLoop() {
        withRandomSeed(4) {
            // The guide's sizes (28×28 MNIST digits, 64–128 filters, 128-dim latent) scaled down.
            // Create the discriminator.
            let discriminator = Sequential([
                InputLayer(shape: [8, 8, 1]),
                Conv2D(8, kernelSize: [3], strides: [2], padding: .same),
                LeakyReLU(negativeSlope: 0.2),
                Conv2D(16, kernelSize: [3], strides: [2], padding: .same),
                LeakyReLU(negativeSlope: 0.2),
                GlobalMaxPooling2D(),
                Dense(1),
            ], name: "discriminator")

            // Create the generator.
            let latentDim = 8
            let generator = Sequential([
                InputLayer(shape: [latentDim]),
                // We want to generate 16 coefficients to reshape into a 2x2x16 map.
                Dense(2 * 2 * 16),
                LeakyReLU(negativeSlope: 0.2),
                Reshape([2, 2, 16]),
                Conv2DTranspose(16, kernelSize: [4], strides: [2], padding: .same),
                LeakyReLU(negativeSlope: 0.2),
                Conv2DTranspose(16, kernelSize: [4], strides: [2], padding: .same),
                LeakyReLU(negativeSlope: 0.2),
                Conv2D(1, kernelSize: [7], padding: .same, activation: .sigmoid),
            ], name: "generator")
            #expect(generator.outputs.first?.shape == [nil, 8, 8, 1])

            // Instantiate one optimizer for the discriminator and another for the generator.
            let dOptimizer = Adam(learningRate: 3e-4)
            let gOptimizer = Adam(learningRate: 3e-4)
            // Instantiate a loss function.
            let lossFn = BinaryCrossentropy(fromLogits: true)

            func trainStep(_ realImages: Tensor, step: Int) -> (dLoss: Float, gLoss: Float) {
                let batchSize = realImages.shape[0]
                // Sample random points in the latent space.
                let randomLatentVectors = Tensor.randomNormal([batchSize, latentDim], seed: 2 * step)
                // Decode them to fake images.
                let generatedImages = generator(randomLatentVectors)
                // Combine them with real images.
                let combinedImages = concatenate([generatedImages, realImages], axis: 0)
                // Assemble labels discriminating real from fake images, with random noise added
                // to the labels (an important trick).
                var labels = concatenate([Tensor.ones([batchSize, 1]), Tensor.zeros([batchSize, 1])], axis: 0)
                labels = labels + 0.05 * Tensor.randomUniform(labels.shape, seed: 2 * step + 1)

                // Train the discriminator.
                let (dLoss, dGrads) = valueWithGradients(of: discriminator.trainableVariables) {
                    lossFn(labels, discriminator(combinedImages, training: true))
                }
                dOptimizer.apply(dGrads, to: discriminator.trainableVariables)

                // Sample random points in the latent space, and assemble labels that say
                // "all real images".
                let latent = Tensor.randomNormal([batchSize, latentDim], seed: 1000 + step)
                let misleadingLabels = Tensor.zeros([batchSize, 1])
                // Train the generator (note that we should *not* update the weights of the
                // discriminator)!
                let (gLoss, gGrads) = valueWithGradients(of: generator.trainableVariables) {
                    lossFn(misleadingLabels, discriminator(generator(latent, training: true), training: true))
                }
                gOptimizer.apply(gGrads, to: generator.trainableVariables)
                return (dLoss.item, gLoss.item)
            }

            // "Real" images: bright top halves on a dark background.
            let rows = Tensor(shape: [1, 8, 1, 1], scalars: (0..<8).map { Float($0 < 4 ? 1 : 0) })
            let realImages = rows * Tensor.ones([16, 8, 8, 1]) * 0.9
            let generatorBefore = generator.getWeights()
            var losses: [(dLoss: Float, gLoss: Float)] = []
            for step in 0..<3 {
                let discriminatorBefore = discriminator.getWeights()
                losses.append(trainStep(realImages, step: step))
                #expect(discriminator.getWeights()[0].scalars != discriminatorBefore[0].scalars)
            }
            #expect(dOptimizer.iterations == 3 && gOptimizer.iterations == 3)
            #expect(losses.allSatisfy { $0.dLoss.isFinite && $0.gLoss.isFinite && $0.dLoss > 0 && $0.gLoss > 0 })
            #expect(generator.getWeights()[0].scalars != generatorBefore[0].scalars)
            // The generator's images are sigmoid outputs: pixels in (0, 1).
            let fake = generator(Tensor.randomNormal([4, latentDim], seed: 77)).scalars
            #expect(fake.allSatisfy { $0 > 0 && $0 < 1 })
        }
    }
}
