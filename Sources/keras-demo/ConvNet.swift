import Foundation
import Keras

/// After the MLP, Keras's tutorials move to a small convnet ("Simple MNIST convnet"): the same
/// digits as images with one channel, convolutions that share their weights across positions,
/// batch normalization, and a data-augmentation layer that only acts while training.
func convnetChapter(beating mlpAccuracy: Double) throws {
    section("A convnet on the same digits")
    let ((trainImages, trainLabels), (testImages, testLabels)) = try Datasets.digits()
    // Conv2D wants (height, width, channels): add a channel axis of 1 and scale to 0–1.
    let trainX = (trainImages.cast(to: .float32) / 255).reshaped(to: [-1, 8, 8, 1])
    let testX = (testImages.cast(to: .float32) / 255).reshaped(to: [-1, 8, 8, 1])

    setRandomSeed(2)
    let model = Sequential([
        InputLayer(shape: [8, 8, 1]),
        // Shifts each training image by up to one pixel; inactive in evaluate and predict.
        RandomTranslation(0.125, 0.125, fillMode: .constant, seed: 7),
        Conv2D(32, kernelSize: [3, 3], padding: .same, useBias: false),
        BatchNormalization(),
        ReLU(),
        MaxPooling2D(poolSize: [2, 2]),
        Conv2D(64, kernelSize: [3, 3], padding: .same, activation: .relu),
        MaxPooling2D(poolSize: [2, 2]),
        Flatten(),
        Dropout(0.3),
        Dense(10),
    ], name: "convnet")
    try model.compile(optimizer: "adam",
                      loss: SparseCategoricalCrossentropy(fromLogits: true),
                      metrics: ["accuracy"])
    model.summary()

    try model.fit(trainX, trainLabels, batchSize: 32, epochs: 10, verbose: 2)
    let result = try model.evaluate(testX, testLabels, verbose: 0)
    let accuracy = result["accuracy"]!
    print("\nCNN test accuracy: \(String(format: "%.4f", accuracy))")
    print("(the MLP above: \(String(format: "%.4f", mlpAccuracy)); the convnet \(accuracy > mlpAccuracy ? "beats" : "does not beat") it)")
}
