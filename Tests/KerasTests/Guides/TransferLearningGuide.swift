// Follows the Keras guide "Transfer learning & fine-tuning"
// (https://keras.io/guides/transfer_learning/), in Swift.
import Keras
import KerasTestSupport
import Testing

@Suite("Guide: Transfer learning & fine-tuning")
struct TransferLearningGuide {
    // MARK: Freezing layers: understanding the trainable attribute

    @Test func theTrainableAttribute() {
        let layer = Dense(3)
        _ = layer(Tensor.ones([1, 4]))   // build(): create the weights
        #expect(layer.weights.count == 2)
        #expect(layer.trainableWeights.count == 2)
        #expect(layer.nonTrainableWeights.isEmpty)

        // Setting `trainable` to false moves all the layer's weights to non-trainable.
        layer.trainable = false
        #expect(layer.weights.count == 2)
        #expect(layer.trainableWeights.isEmpty)
        #expect(layer.nonTrainableWeights.count == 2)
    }

    @Test func frozenWeightsDoNotChangeDuringTraining() throws {
        // Make a model with 2 layers.
        let layer1 = Dense(3, activation: .relu)
        let layer2 = Dense(3, activation: .sigmoid)
        let model = Sequential([InputLayer(shape: [3]), layer1, layer2])
        // Freeze the first layer.
        layer1.trainable = false
        // Keep a copy of the weights of layer1 for later reference.
        let initialLayer1Weights = layer1.getWeights()
        // Train the model.
        try model.compile(optimizer: "adam", loss: "mse")
        try model.fit(Tensor.randomNormal([2, 3], seed: 1), Tensor.randomNormal([2, 3], seed: 2), verbose: 0)
        // Check that the weights of layer1 have not changed during training.
        for (final, initial) in zip(layer1.getWeights(), initialLayer1Weights) { assertClose(final, initial) }
    }

    // MARK: Recursive setting of the trainable attribute

    @Test func recursiveTrainable() {
        let innerModel = Sequential([InputLayer(shape: [3]), Dense(3, activation: .relu), Dense(3, activation: .relu)])
        let model = Sequential([InputLayer(shape: [3]), innerModel, Dense(3, activation: .sigmoid)])
        #expect(model.trainableWeights.count == 6)
        model.trainable = false   // freeze the outer model
        #expect(innerModel.trainable == false)   // all layers in `model` are now frozen
        #expect(innerModel.layers[0].trainable == false)   // `trainable` is propagated recursively
        #expect(model.trainableWeights.isEmpty && model.nonTrainableWeights.count == 6)
    }

    // MARK: The typical transfer-learning workflow / fine-tuning

    /// The "pre-trained" base: the guide loads Xception with ImageNet weights; here a small
    /// convolutional net with BatchNormalization and Dropout, first trained on a 6-class task
    /// (dataset A, 6×6 RGB images), its top layer left out.
    static func pretrainedBase() throws -> Model {
        let baseInputs = Input(shape: [6, 6, 3])
        var x = Conv2D(4, kernelSize: [3], padding: .same)(baseInputs)
        x = BatchNormalization(name: "bn")(x)
        x = ReLU()(x)
        x = Flatten()(x)
        x = Dropout(0.5)(x)
        let features = Dense(16, activation: .relu, name: "features")(x)
        let base = try Model(inputs: baseInputs, outputs: features, name: "base")
        let classifier = Sequential([base, Dense(6)])
        try classifier.compile(optimizer: Adam(learningRate: 1e-2),
                               loss: SparseCategoricalCrossentropy(fromLogits: true))
        let (xA, yA) = guideImages(count: 300, classes: 6, seed: 61)
        try classifier.fit(xA, yA, batchSize: 32, epochs: 5, verbose: 0)
        return base   // include_top=False: keep the feature extractor only
    }

    /// ``guideClusters(count:features:classes:seed:noiseSeed:spread:)`` as 6×6 RGB images.
    static func guideImages(count: Int, classes: Int, seed: Int, noiseSeed: Int? = nil) -> (Tensor, Tensor) {
        let (x, y) = guideClusters(count: count, features: 6 * 6 * 3, classes: classes, seed: seed, noiseSeed: noiseSeed)
        return (x.reshaped(to: [count, 6, 6, 3]), y)
    }

    @Test func transferLearningAndFineTuning() throws {
        try withRandomSeed(7) {
            let baseModel = try Self.pretrainedBase()
            // Conv kernel and bias, BatchNormalization gamma and beta, Dense kernel and bias; the
            // BatchNormalization moving mean and variance are non-trainable.
            #expect(baseModel.trainableWeights.count == 6 && baseModel.nonTrainableWeights.count == 2)

            // Freeze the base model.
            baseModel.trainable = false
            #expect(baseModel.trainableWeights.isEmpty && baseModel.nonTrainableWeights.count == 8)

            // Create a new model on top. The base runs in inference mode (its BatchNormalization
            // uses its moving statistics, its Dropout is off) by passing `training: false` when
            // calling it, even when the new model trains.
            let inputs = Input(shape: [6, 6, 3])
            var x = baseModel(inputs, training: false)
            x = Dropout(0.2)(x)   // regularize with dropout
            let outputs = Dense(1)(x)
            let model = try Model(inputs: inputs, outputs: outputs)
            #expect(model.weights.count == 10)
            #expect(model.trainableWeights.count == 2)   // only the new head

            // The pinned base gives the same features in a training call as in inference.
            let probe = Tensor.randomNormal([8, 6, 6, 3], seed: 9)
            let features = try Model(inputs: inputs, outputs: baseModel(inputs, training: false))
            assertClose(features(probe, training: true), baseModel(probe, training: false))

            // Dataset B: binary task on the same kind of inputs (classes 0–2 vs 3–5 of the clusters).
            let (xB, clusters) = Self.guideImages(count: 240, classes: 6, seed: 61, noiseSeed: 62)
            let yB = clusters.greaterEqual(3).cast(to: .float32).reshaped(to: [240, 1])

            // Train the top layer.
            try model.compile(optimizer: Adam(learningRate: 1e-2),
                              loss: BinaryCrossentropy(fromLogits: true),
                              metrics: [BinaryAccuracy()])
            let frozenBefore = baseModel.getWeights()
            let head = try model.fit(xB, yB, batchSize: 32, epochs: 10, verbose: 0)
            for (after, before) in zip(baseModel.getWeights(), frozenBefore) { assertClose(after, before) }
            let headLoss = head.history["loss"]!
            #expect(headLoss.last! < headLoss.first!)
            #expect(head.history["binary_accuracy"]!.last! > 0.85)

            // Fine-tuning: unfreeze the base model. It still runs in inference mode, since we
            // passed `training: false` when calling it.
            baseModel.trainable = true
            #expect(model.trainableWeights.count == 8)
            let bn = try #require(try baseModel.getLayer(name: "bn") as? BatchNormalization)
            let movingMean = bn.movingMean.value
            // Recompile for the change to take effect, with a very low learning rate.
            try model.compile(optimizer: Adam(learningRate: 1e-4),
                              loss: BinaryCrossentropy(fromLogits: true),
                              metrics: [BinaryAccuracy()])
            let fineTuned = try model.fit(xB, yB, batchSize: 32, epochs: 3, verbose: 0)
            let fineLoss = fineTuned.history["loss"]!
            #expect(fineLoss.first! <= headLoss.last! * 1.1)   // picks up where the head left off
            #expect(fineLoss.last! < headLoss.last!)           // and keeps decreasing
            #expect(baseModel.getWeights()[0].scalars != frozenBefore[0].scalars)   // the base moved
            // ...but its BatchNormalization stayed in inference mode: the moving statistics did
            // not update, which would have wrecked what the model had learned.
            assertClose(bn.movingMean.value, movingMean)
        }
    }
}
