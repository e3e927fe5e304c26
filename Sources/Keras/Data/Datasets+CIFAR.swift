import Foundation

extension Datasets {
    /// Where Keras downloads CIFAR-10 from (the University of Toronto, as `keras.datasets.cifar10`).
    public static let cifar10Origin = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    /// Where Keras downloads CIFAR-100 from.
    public static let cifar100Origin = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"

    /// CIFAR-100's two labellings.
    public enum CIFAR100LabelMode: String, Sendable {
        /// 100 classes (`fine_labels`).
        case fine
        /// 20 super-classes (`coarse_labels`).
        case coarse
    }

    /// CIFAR-10 as `keras.datasets.cifar10.load_data()` returns it: 50,000 training and 10,000 test
    /// colour images of 32×32, channels last (`[N, 32, 32, 3]`, 0–255), labels `[N, 1]` in 0–9.
    /// The archive is downloaded on first use into `<cache>/datasets` under Keras's cache name
    /// (`cifar-10-batches-py-target_archive`, so a Keras cache is reused), checked against
    /// Keras's SHA-256, and read in place: its pickled batches are decoded by a restricted reader
    /// that runs nothing.
    ///
    /// ```swift
    /// let ((xTrain, yTrain), (xTest, yTest)) = try Datasets.cifar10(dtype: .float32)
    /// xTrain.shape   // [50000, 32, 32, 3]
    /// ```
    /// - Parameters:
    ///   - dtype: the images' dtype (`int32` holds the bytes exactly; `float32` for arithmetic).
    ///   - origin: the archive's URL (a mirror, or a local server in tests).
    ///   - fileHash: the expected SHA-256; `nil` skips the check.
    ///   - cacheDir: the cache root (default `$KERAS_HOME`, else `~/.keras`), as for ``mnist(dtype:origin:fileHash:cacheDir:verbose:)``.
    ///   - verbose: 1 prints the download messages and progress bar, 0 is silent, as for ``mnist(dtype:origin:fileHash:cacheDir:verbose:)``.
    public static func cifar10(dtype: DType = .int32, origin: String = cifar10Origin, fileHash: String? = KerasHashes.cifar10,
                               cacheDir: String? = nil, verbose: Int = 1) throws -> (train: Split, test: Split) {
        let tar = try cifarArchive("cifar-10-batches-py-target_archive", origin: origin, fileHash: fileHash, cacheDir: cacheDir, verbose: verbose)
        let batches = try (1...5).map { try cifarBatch(tar, "cifar-10-batches-py/data_batch_\($0)", labelKey: "labels", dtype: dtype) }
        let train = (concatenate(batches.map(\.images)), concatenate(batches.map(\.labels)))
        return (train, try cifarBatch(tar, "cifar-10-batches-py/test_batch", labelKey: "labels", dtype: dtype))
    }

    /// CIFAR-100 as `keras.datasets.cifar100.load_data(label_mode:)` returns it: 50,000 training and
    /// 10,000 test images `[N, 32, 32, 3]`, labels `[N, 1]` — 100 fine classes or 20 coarse ones.
    /// Downloaded and verified as ``cifar10(dtype:origin:fileHash:cacheDir:verbose:)``.
    ///
    /// ```swift
    /// let ((xTrain, yTrain), (xTest, yTest)) = try Datasets.cifar100(labelMode: .coarse)
    /// ```
    public static func cifar100(labelMode: CIFAR100LabelMode = .fine, dtype: DType = .int32, origin: String = cifar100Origin,
                                fileHash: String? = KerasHashes.cifar100, cacheDir: String? = nil,
                                verbose: Int = 1) throws -> (train: Split, test: Split) {
        let tar = try cifarArchive("cifar-100-python-target_archive", origin: origin, fileHash: fileHash, cacheDir: cacheDir, verbose: verbose)
        let key = "\(labelMode.rawValue)_labels"
        return (try cifarBatch(tar, "cifar-100-python/train", labelKey: key, dtype: dtype),
                try cifarBatch(tar, "cifar-100-python/test", labelKey: key, dtype: dtype))
    }

    private static func cifarArchive(_ name: String, origin: String, fileHash: String?, cacheDir: String?, verbose: Int) throws -> TarArchive {
        let path = try getFile(name, origin: origin, fileHash: fileHash, cacheDir: cacheDir, verbose: verbose)
        return try TarArchive(Gzip.decompress(readFileBytes(path), name: path), name: path)
    }

    /// One pickled batch: `{b"data": uint8 [N, 3072], b"<labelKey>": [int…], …}` → NHWC images, labels `[N, 1]`.
    private static func cifarBatch(_ tar: TarArchive, _ member: String, labelKey: String, dtype: DType) throws -> Split {
        let file = "\(tar.name)/\(member)"
        guard case .dict(let dict) = try PickleReader.load(try tar.file(member), name: file) else {
            throw KerasError.corruptFile(file: file, expected: "a pickled dict", got: "another object")
        }
        guard case .array(let array)? = dict["data"], case .list(let labelList)? = dict[labelKey] else {
            throw KerasError.corruptFile(file: file, expected: "'data' (an array) and '\(labelKey)' (a list)", got: "keys \(dict.items.compactMap { $0.key.text })")
        }
        let data = try array.tensor(name: file)
        let count = data.shape.first ?? 0
        guard data.shape == [count, 3072], labelList.items.count == count else {
            throw KerasError.corruptFile(file: file, expected: "data [N, 3072] and N labels", got: "data \(data.shape), \(labelList.items.count) labels")
        }
        let labels = try labelList.items.map { item -> Int32 in
            guard case .int(let label) = item, let value = Int32(exactly: label) else {
                throw KerasError.corruptFile(file: file, expected: "integer labels", got: item.typeName)
            }
            return value
        }
        let images = data.reshaped(to: [count, 3, 32, 32]).transposed([0, 2, 3, 1]).cast(to: dtype)
        return (images, Tensor(shape: [count, 1], scalars: labels))
    }
}
