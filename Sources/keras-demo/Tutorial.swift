import Foundation
import Keras

/// The seed notebook hands over to Keras's image-classification tutorial ("Basic classification:
/// classify images of clothing"), step by step. It uses Fashion-MNIST, as the tutorial does, when
/// the dataset is already in the Keras cache (`~/.keras/datasets/fashion-mnist`, or under
/// `$KERAS_HOME`; `Datasets.fashionMNIST()` puts it there), and otherwise the bundled handwritten
/// digits (8×8 images in the same file format), so that the demo never needs the network.
/// Returns the test accuracy, which the convnet chapter (ConvNet.swift) sets out to beat.
@discardableResult
func imageClassificationTutorial() throws -> Double {
    section("Image classification: import the dataset")
    // The tutorial loads Fashion-MNIST with `fashion_mnist.load_data()`. When it is cached, so do
    // we; otherwise the bundled digits, which ship in the same gzipped IDX files, stand in.
    let fashion = Datasets.fashionMNISTIsCached()
    let data = try fashion ? Datasets.fashionMNIST() : Datasets.digits()
    let ((trainImages, trainLabels), (testImages, testLabels)) = data
    let classNames = fashion
        ? ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
        : (0...9).map(String.init)
    print(fashion ? "Using Fashion-MNIST from the Keras cache."
                  : "Using the bundled digits (Fashion-MNIST is not in the Keras cache; Datasets.fashionMNIST() downloads it).")
    print("train images:", formatShape(trainImages.shape), " train labels:", formatShape(trainLabels.shape))
    print("test images: ", formatShape(testImages.shape), " test labels: ", formatShape(testLabels.shape))

    section("Preprocess the data")
    // Scale the pixel values from 0–255 to 0–1 before feeding them to the network.
    let trainX = trainImages.cast(to: .float32) / 255
    let testX = testImages.cast(to: .float32) / 255

    section("Build the model")
    // A fixed seed makes the run repeatable. Test accuracy depends on the seed as in Keras
    // (seeds 0–7 here: 0.947–0.961; Keras reports 0.950–0.964 over five seeds on this set).
    setRandomSeed(2)
    // Flatten turns each image (8×8, or 28×28 for Fashion-MNIST) into a row of pixels; a Dense
    // layer of 128 ReLU units learns features; the last Dense layer returns one logit per class.
    let model = Sequential([
        InputLayer(shape: Array(trainImages.shape.dropFirst())),
        Flatten(),
        Dense(128, activation: .relu),
        Dense(10),
    ])

    // Compile: the optimizer, the loss to minimize, and the metric to watch.
    try model.compile(optimizer: "adam",
                      loss: SparseCategoricalCrossentropy(fromLogits: true),
                      metrics: ["accuracy"])
    model.summary()

    section("Train the model")
    // Feed the training data; the loss and accuracy are shown as the model learns.
    try model.fit(trainX, trainLabels, epochs: 10)

    section("Evaluate accuracy")
    // Compare how the model performs on the test set.
    let result = try model.evaluate(testX, testLabels, verbose: 2)
    print("\nTest accuracy: \(String(format: "%.4f", result["accuracy"]!))")

    section("Make predictions")
    // Attach a softmax layer to turn the logits into probabilities.
    let probabilityModel = Sequential([model, Softmax()])
    let predictions = try probabilityModel.predict(testX)
    print(predictions[0])
    let predicted = predictions.argmax(axis: -1).toArray(of: Int32.self)
    let truth = testLabels.toArray(of: Int32.self)
    for i in 0..<5 {
        let confidence = predictions[i].max().item * 100
        print("image \(i): predicted \(classNames[Int(predicted[i])]) (\(String(format: "%.0f", confidence))%), true label \(classNames[Int(truth[i])])")
    }
    return result["accuracy"]!
}
