import Foundation

/// Texts read from a directory with their labels, like the dataset
/// `keras.utils.text_dataset_from_directory` returns. Tensors here hold numbers only, so the texts
/// stay Swift strings: iterate ``batches(epoch:)``, or turn them into a ``Dataset`` with a
/// ``TextVectorization`` layer through ``dataset(vectorizedBy:)``.
///
/// ```swift
/// let reviews = try textDatasetFromDirectory("aclImdb/train", seed: 42, validationSplit: 0.2, subset: .training)
/// let vectorize = TextVectorization(maxTokens: 10_000, outputSequenceLength: 200)
/// try vectorize.adapt(reviews.texts)
/// try model.fit(reviews.dataset(vectorizedBy: vectorize), epochs: 3)
/// ```
public struct TextDirectoryDataset: Sendable {
    /// The texts, in the order the files were read (see ``filePaths``).
    public let texts: [String]
    /// The encoded labels (`int32 [N]`, one-hot `float32 [N, classes]` or `float32 [N, 1]`), or `nil`.
    public let labels: Tensor?
    /// The class names, or `nil` for an unlabeled dataset.
    public let classNames: [String]?
    /// The file of each text.
    public let filePaths: [String]
    /// Texts per batch; `nil` for unbatched.
    public let batchSize: Int?
    /// The per-epoch shuffling seed, or `nil` when the data is not shuffled.
    public let shuffleSeed: Int?

    /// The batches of one epoch: texts and their labels, reshuffled per epoch when shuffling
    /// (single texts and label rows when unbatched).
    ///
    /// ```swift
    /// for (texts, labels) in reviews.batches(epoch: 0) { … }
    /// ```
    public func batches(epoch: Int = 0) -> [(texts: [String], labels: Tensor?)] {
        var order = Array(texts.indices)
        if let shuffleSeed {
            var rng = NumPyRandomState(seed: UInt32(truncatingIfNeeded: shuffleSeed &+ epoch))
            rng.shuffle(&order)
        }
        let size = batchSize ?? 1
        return stride(from: 0, to: order.count, by: size).map { start in
            let picked = Array(order[start..<min(start + size, order.count)])
            let indexes = Tensor(shape: [picked.count], scalars: picked.map(Int32.init))
            let batchLabels = labels.map { all in
                let taken = all.take(indexes, axis: 0)
                return batchSize == nil ? taken.reshaped(to: Array(all.shape.dropFirst())) : taken
            }
            return (picked.map { texts[$0] }, batchLabels)
        }
    }

    /// The texts turned into token tensors by `layer` (already adapted), with the labels, as a
    /// ``Dataset`` shuffled and batched like this one.
    ///
    /// ```swift
    /// let train = try reviews.dataset(vectorizedBy: vectorize)
    /// ```
    public func dataset(vectorizedBy layer: TextVectorization) throws -> Dataset {
        var dataset = try Dataset(layer(texts), labels)
        if let shuffleSeed { dataset = dataset.shuffled(seed: shuffleSeed) }
        if let batchSize { dataset = dataset.batched(batchSize) }
        return dataset
    }
}

/// Text files in class subfolders, like `keras.utils.text_dataset_from_directory`: `.txt` files,
/// class subfolders sorted by name, the same shuffling with NumPy's `RandomState(seed)` and the
/// same validation partition as Keras for a given seed (see ``imageDatasetFromDirectory(_:labels:labelMode:classNames:colorMode:batchSize:imageSize:shuffle:seed:validationSplit:subset:interpolation:followLinks:cropToAspectRatio:padToAspectRatio:verbose:)``).
/// Files are read as UTF-8; `maxLength` keeps each text's first `maxLength` bytes, as Keras does.
///
/// ```swift
/// let train = try textDatasetFromDirectory("aclImdb/train", batchSize: 32, seed: 42,
///                                          validationSplit: 0.2, subset: .training)
/// train.classNames   // ["neg", "pos"]
/// ```
/// - Throws: `KerasError` for bad arguments, a missing directory, or no text files.
public func textDatasetFromDirectory(_ directory: String, labels: DirectoryLabels = .inferred,
                                     labelMode: DirectoryLabelMode? = .int, classNames: [String]? = nil,
                                     batchSize: Int? = 32, maxLength: Int? = nil, shuffle: Bool = true, seed: Int? = nil,
                                     validationSplit: Double? = nil, subset: DirectorySubset? = nil,
                                     followLinks: Bool = false, verbose: Bool = true) throws -> TextDirectoryDataset {
    let function = "textDatasetFromDirectory"
    if let maxLength, maxLength < 0 {
        throw KerasError.invalidArgument("\(function): maxLength must be non-negative, got \(maxLength)")
    }
    let index = try directoryIndex(directory, labels: labels, labelMode: labelMode, classNames: classNames, formats: [".txt"],
                                   batchSize: batchSize, shuffle: shuffle, seed: seed, validationSplit: validationSplit,
                                   subset: subset, followLinks: followLinks, verbose: verbose, function: function, what: "text files")
    let texts = try index.paths.map { path -> String in
        let bytes = try readFileBytes(path)
        return String(decoding: maxLength.map { bytes.prefix($0) } ?? bytes[...], as: UTF8.self)
    }
    return TextDirectoryDataset(texts: texts, labels: index.encodedLabels(labelMode),
                                classNames: index.labels == nil ? nil : index.classNames,
                                filePaths: index.paths, batchSize: batchSize,
                                shuffleSeed: shuffle ? (seed ?? Int.random(in: 0..<1_000_000)) : nil)
}
