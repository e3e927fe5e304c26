import Foundation

/// Loaders for the standard datasets of `keras.datasets`, returning Keras's
/// `(x_train, y_train), (x_test, y_test)` split.
///
/// ``mnist(dtype:origin:fileHash:cacheDir:verbose:)``, ``fashionMNIST(dtype:origin:cacheDir:verbose:)``,
/// ``cifar10(dtype:origin:fileHash:cacheDir:verbose:)``, ``cifar100(labelMode:dtype:origin:fileHash:cacheDir:verbose:)``,
/// ``imdb(numWords:skipTop:maxlen:seed:startChar:oovChar:indexFrom:origin:fileHash:cacheDir:verbose:)``,
/// ``reutersNewswire(numWords:skipTop:maxlen:testSplit:seed:startChar:oovChar:indexFrom:origin:fileHash:cacheDir:verbose:)``
/// and ``bostonHousing(testSplit:seed:dtype:origin:fileHash:cacheDir:verbose:)`` download Keras's
/// files on first use from Keras's origins into `~/.keras/datasets` (or `$KERAS_HOME`), verified
/// by Keras's published hashes, and read them offline afterwards. The MNIST-format files can also
/// be read from a directory you provide, and a small digits set ships with the package.
///
/// ```swift
/// let ((xTrain, yTrain), (xTest, yTest)) = try Datasets.digits()
/// xTrain.shape                      // [1437, 8, 8], int32 values 0…255
/// let images = xTrain.cast(to: .float32) / 255
/// ```
///
/// Images come back as `[N, rows, cols]` (`int32` by default) and labels as `[N]` `int32` (Keras uses `uint8`,
/// which this engine does not have; the widening is lossless). Pass `dtype: .float32` to get images
/// ready for arithmetic.
public enum Datasets {
    /// One split: images and their labels.
    public typealias Split = (images: Tensor, labels: Tensor)

    /// File names shared by MNIST, Fashion-MNIST and the bundled digits.
    public static let idxFileNames = (
        trainImages: "train-images-idx3-ubyte.gz", trainLabels: "train-labels-idx1-ubyte.gz",
        testImages: "t10k-images-idx3-ubyte.gz", testLabels: "t10k-labels-idx1-ubyte.gz"
    )

    /// Reads the four gzipped IDX files (`train-images-idx3-ubyte.gz`, `train-labels-idx1-ubyte.gz`,
    /// `t10k-images-idx3-ubyte.gz`, `t10k-labels-idx1-ubyte.gz`) from `directory`.
    ///
    /// Throws `KerasError` naming the file when one is missing, truncated, corrupt, has the wrong
    /// IDX magic, or when images and labels disagree in count.
    ///
    /// ```swift
    /// let ((xTrain, yTrain), (xTest, yTest)) = try Datasets.loadIDX(directory: "/data/fashion-mnist")
    /// ```
    public static func loadIDX(directory: String, dtype: DType = .int32) throws -> (train: Split, test: Split) {
        try loadIDX(directory: URL(fileURLWithPath: directory), dtype: dtype)
    }

    /// ``loadIDX(directory:dtype:)`` taking a file URL.
    public static func loadIDX(directory: URL, dtype: DType = .int32) throws -> (train: Split, test: Split) {
        let names = idxFileNames
        let train = try loadSplit(directory, images: names.trainImages, labels: names.trainLabels, dtype: dtype)
        let test = try loadSplit(directory, images: names.testImages, labels: names.testLabels, dtype: dtype)
        return (train, test)
    }

    /// Fashion-MNIST (`keras.datasets.fashion_mnist.load_data()`) from a directory holding its four
    /// files: 60,000 training and 10,000 test images of shape 28×28, labels 0–9.
    ///
    /// ```swift
    /// let ((xTrain, yTrain), (xTest, yTest)) = try Datasets.fashionMNIST(directory: "~/data/fashion")
    /// ```
    public static func fashionMNIST(directory: String, dtype: DType = .int32) throws -> (train: Split, test: Split) {
        try loadIDX(directory: (directory as NSString).expandingTildeInPath, dtype: dtype)
    }

    /// MNIST from a directory holding the original gzipped IDX files (same names as Fashion-MNIST).
    ///
    /// ```swift
    /// let ((xTrain, yTrain), (xTest, yTest)) = try Datasets.mnist(directory: "~/data/mnist")
    /// ```
    public static func mnist(directory: String, dtype: DType = .int32) throws -> (train: Split, test: Split) {
        try loadIDX(directory: (directory as NSString).expandingTildeInPath, dtype: dtype)
    }

    /// The handwritten digits shipped with the package (UCI "Optical Recognition of Handwritten
    /// Digits", CC BY 4.0, via scikit-learn): 1,437 training and 360 test images of 8×8 pixels
    /// (0–255), labels 0–9. The package's default demo data.
    ///
    /// ```swift
    /// let ((xTrain, yTrain), (xTest, yTest)) = try Datasets.digits()
    /// xTrain.shape   // [1437, 8, 8]
    /// ```
    public static func digits(dtype: DType = .int32) throws -> (train: Split, test: Split) {
        try loadIDX(directory: digitsDirectory, dtype: dtype)
    }

    /// The directory of the bundled digits files.
    public static var digitsDirectory: URL {
        Bundle.module.resourceURL!.appendingPathComponent("digits")
    }

    private static func loadSplit(_ directory: URL, images: String, labels: String, dtype: DType) throws -> Split {
        let x = try IDXFile(contentsOf: directory.appendingPathComponent(images), expectedRank: 3)
        let y = try IDXFile(contentsOf: directory.appendingPathComponent(labels), expectedRank: 1)
        guard x.shape[0] == y.shape[0] else {
            throw KerasError.mismatch(expected: "as many labels in \(labels) as images in \(images) (\(x.shape[0]))",
                                        got: "\(y.shape[0])")
        }
        return (x.tensor(dtype: dtype), y.tensor(dtype: .int32))
    }
}
