import Foundation

extension Datasets {
    /// Where Keras downloads its datasets from (`tf-keras-datasets` on Google Cloud Storage).
    public static let kerasOrigin = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"

    /// Fashion-MNIST as `keras.datasets.fashion_mnist.load_data()` gets it: the four gzipped IDX
    /// files downloaded on first use from `origin` into `<cache>/datasets/fashion-mnist` (see
    /// ``getFile(_:origin:fileHash:cacheSubdir:cacheDir:forceDownload:verbose:)``; Keras publishes
    /// no hash for these), then read from the cache, offline, afterwards. 60,000 training and
    /// 10,000 test images of 28×28, labels 0–9.
    ///
    /// ```swift
    /// let ((xTrain, yTrain), (xTest, yTest)) = try Datasets.fashionMNIST()
    /// ```
    /// - Parameters:
    ///   - dtype: the dtype of the returned images and labels.
    ///   - origin: the base URL holding the files (a mirror, or a local server in tests).
    ///   - cacheDir: the cache root; default `$KERAS_HOME`, else `~/.keras`.
    ///   - verbose: 1 prints the download messages and progress bars, 0 is silent.
    public static func fashionMNIST(dtype: DType = .int32, origin: String = kerasOrigin, cacheDir: String? = nil,
                                    verbose: Int = 1) throws -> (train: Split, test: Split) {
        let base = origin.hasSuffix("/") ? origin : origin + "/"
        var directory = ""
        for name in [idxFileNames.trainLabels, idxFileNames.trainImages, idxFileNames.testLabels, idxFileNames.testImages] {
            let path = try getFile(name, origin: base + name, cacheSubdir: "datasets/fashion-mnist",
                                   cacheDir: cacheDir, verbose: verbose)
            directory = (path as NSString).deletingLastPathComponent
        }
        return try loadIDX(directory: directory, dtype: dtype)
    }

    /// Whether Fashion-MNIST is already in the cache (all four files), so that
    /// ``fashionMNIST(dtype:origin:cacheDir:verbose:)`` needs no network.
    ///
    /// ```swift
    /// let data = Datasets.fashionMNISTIsCached() ? try Datasets.fashionMNIST() : try Datasets.digits()
    /// ```
    public static func fashionMNISTIsCached(cacheDir: String? = nil) -> Bool {
        let base = cacheDir.map { ($0 as NSString).expandingTildeInPath } ?? kerasHome()
        let directory = (base as NSString).appendingPathComponent("datasets/fashion-mnist")
        return [idxFileNames.trainLabels, idxFileNames.trainImages, idxFileNames.testLabels, idxFileNames.testImages]
            .allSatisfy { FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent($0)) }
    }
}
