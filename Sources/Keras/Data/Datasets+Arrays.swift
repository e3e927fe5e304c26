import Foundation

extension Datasets {
    /// SHA-256 digests Keras publishes for its dataset files (`keras.datasets.*.load_data`), the
    /// loaders' default `fileHash`.
    ///
    /// ```swift
    /// try getFile("mnist.npz", origin: Datasets.kerasOrigin + "mnist.npz", fileHash: Datasets.KerasHashes.mnist)
    /// ```
    public enum KerasHashes {
        /// `mnist.npz`.
        public static let mnist = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
        /// `boston_housing.npz`.
        public static let bostonHousing = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"
        /// `imdb.npz`.
        public static let imdb = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
        /// `reuters.npz`.
        public static let reuters = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
        /// `cifar-10-python.tar.gz`.
        public static let cifar10 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
        /// `cifar-100-python.tar.gz`.
        public static let cifar100 = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"
        /// `imdb_word_index.json` (MD5: Keras checks the word indexes with MD5).
        public static let imdbWordIndex = "bfafd718b763782e994055a2d397834f"
        /// `reuters_word_index.json` (MD5).
        public static let reutersWordIndex = "4d44cc38712099c9e383dc6e5f11a921"
    }

    /// Downloads (or finds in the cache) `name` from the directory URL `origin`.
    static func cachedFile(_ name: String, origin: String, fileHash: String?, cacheDir: String?, verbose: Int) throws -> String {
        let base = origin.hasSuffix("/") ? origin : origin + "/"
        return try getFile(name, origin: base + name, fileHash: fileHash, cacheDir: cacheDir, verbose: verbose)
    }

    /// MNIST as `keras.datasets.mnist.load_data()` returns it: `mnist.npz` downloaded on first use
    /// from Keras's origin into `<cache>/datasets`, verified by Keras's SHA-256, then read offline.
    /// 60,000 training and 10,000 test images of 28×28 (0–255), labels 0–9.
    ///
    /// ```swift
    /// let ((xTrain, yTrain), (xTest, yTest)) = try Datasets.mnist()
    /// let images = xTrain.cast(to: .float32) / 255
    /// ```
    /// - Parameters:
    ///   - dtype: the images' dtype (`int32` holds the bytes exactly; `float32` for arithmetic).
    ///   - origin: the base URL holding `mnist.npz` (a mirror, or a local server in tests).
    ///   - fileHash: the expected SHA-256; `nil` skips the check.
    ///   - cacheDir: the cache root; default `$KERAS_HOME`, else `~/.keras`.
    ///   - verbose: 1 prints the download messages and progress bar, 0 is silent.
    public static func mnist(dtype: DType = .int32, origin: String = kerasOrigin, fileHash: String? = KerasHashes.mnist,
                             cacheDir: String? = nil, verbose: Int = 1) throws -> (train: Split, test: Split) {
        let path = try cachedFile("mnist.npz", origin: origin, fileHash: fileHash, cacheDir: cacheDir, verbose: verbose)
        let arrays = try loadDatasetNPZ(path)
        func split(_ x: String, _ y: String) throws -> Split {
            let images = try arrays.member(x, in: path).tensor(x, in: path)
            let labels = try arrays.member(y, in: path).tensor(y, in: path)
            guard images.rank == 3, labels.shape == [images.shape[0]] else {
                throw KerasError.corruptFile(file: path, expected: "\(x) [N, rows, cols] and \(y) [N]", got: "\(images.shape) and \(labels.shape)")
            }
            return (images.cast(to: dtype), labels.cast(to: .int32))
        }
        return (try split("x_train", "y_train"), try split("x_test", "y_test"))
    }

    /// The Boston housing prices regression data as `keras.datasets.boston_housing.load_data()`
    /// returns it: `boston_housing.npz` (506 samples of 13 features, prices in k$) shuffled with
    /// NumPy's `RandomState(seed)` — the same order as Keras — then split, the first
    /// `⌊n·(1 − testSplit)⌋` samples for training.
    ///
    /// ```swift
    /// let ((xTrain, yTrain), (xTest, yTest)) = try Datasets.bostonHousing()
    /// xTrain.shape   // [404, 13]
    /// ```
    /// - Parameters:
    ///   - testSplit: the fraction held out for testing, in `[0, 1)`.
    ///   - seed: the shuffling seed (Keras's default 113).
    ///   - dtype: Keras returns `float64`; pass `.float32` for a model's inputs.
    ///   - origin: the download URL, as for ``mnist(dtype:origin:fileHash:cacheDir:verbose:)``.
    ///   - fileHash: the expected SHA-256 (`nil` skips the check), as for ``mnist(dtype:origin:fileHash:cacheDir:verbose:)``.
    ///   - cacheDir: the cache root (default `$KERAS_HOME`, else `~/.keras`), as for ``mnist(dtype:origin:fileHash:cacheDir:verbose:)``.
    ///   - verbose: 1 prints the download messages and progress bar, 0 is silent, as for ``mnist(dtype:origin:fileHash:cacheDir:verbose:)``.
    public static func bostonHousing(testSplit: Double = 0.2, seed: UInt32 = 113, dtype: DType = .float64,
                                     origin: String = kerasOrigin, fileHash: String? = KerasHashes.bostonHousing,
                                     cacheDir: String? = nil, verbose: Int = 1) throws -> (train: Split, test: Split) {
        guard testSplit >= 0, testSplit < 1 else {
            throw KerasError.invalidArgument("Datasets.bostonHousing: testSplit must be in [0, 1), got \(testSplit)")
        }
        let path = try cachedFile("boston_housing.npz", origin: origin, fileHash: fileHash, cacheDir: cacheDir, verbose: verbose)
        let arrays = try loadDatasetNPZ(path)
        let x = try arrays.member("x", in: path).tensor("x", in: path)
        let y = try arrays.member("y", in: path).tensor("y", in: path)
        guard x.rank == 2, y.shape == [x.shape[0]] else {
            throw KerasError.corruptFile(file: path, expected: "x [N, features] and y [N]", got: "\(x.shape) and \(y.shape)")
        }
        var rng = NumPyRandomState(seed: seed)
        let order = Tensor(shape: [x.shape[0]], scalars: rng.permutation(x.shape[0]).map(Int32.init))
        let (xs, ys) = (x.take(order, axis: 0).cast(to: dtype), y.take(order, axis: 0).cast(to: dtype))
        let cut = Int(Double(x.shape[0]) * (1 - testSplit))
        return ((xs.slice(axis: 0, start: 0, end: cut), ys.slice(axis: 0, start: 0, end: cut)),
                (xs.slice(axis: 0, start: cut, end: x.shape[0]), ys.slice(axis: 0, start: cut, end: x.shape[0])))
    }
}
