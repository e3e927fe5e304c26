import Dispatch
import Foundation

/// The channels images are decoded to (Keras's `color_mode`).
public enum ImageColorMode: String, Sendable {
    /// One channel: luma `0.299 R + 0.587 G + 0.114 B` for colour images.
    case grayscale
    /// Three channels; alpha is dropped, grey replicated.
    case rgb
    /// Four channels; opaque when the image has no alpha.
    case rgba

    var channels: Int {
        switch self {
        case .grayscale: 1
        case .rgb: 3
        case .rgba: 4
        }
    }
}

/// A dataset read from a directory, with what Keras attaches to it: the class names (label `i`
/// is `classNames[i]`) and the file of each sample, in dataset order before any per-epoch shuffle.
///
/// ```swift
/// let data = try imageDatasetFromDirectory("photos", imageSize: (64, 64), seed: 1)
/// try model.fit(data.dataset, epochs: 5)
/// data.classNames   // ["cats", "dogs"]
/// ```
public struct DirectoryDataset: Sendable {
    /// Samples (and labels, unless unlabeled), batched unless `batchSize` was `nil`.
    public let dataset: Dataset
    /// The class names, or `nil` for an unlabeled dataset.
    public let classNames: [String]?
    /// The file of each sample, in the order the samples were read.
    public let filePaths: [String]
}

/// Images in class subfolders as a labelled ``Dataset``, like
/// `keras.utils.image_dataset_from_directory`:
///
/// ```
/// photos/
///   cats/  a.jpg  b.png …
///   dogs/  c.jpg …
/// ```
///
/// Class subfolders are sorted by name (or taken in `classNames` order) and walked recursively;
/// `.png`, `.jpg` and `.jpeg` files (any case) are read. With `shuffle`, the file list is shuffled
/// with NumPy's `RandomState(seed)` and the validation split is taken from its end, exactly as
/// Keras does — the same seed gives the same training/validation partition — and the dataset is
/// also reshuffled each epoch. Images are decoded (PNG through libpng, JPEG through libjpeg-turbo,
/// colours converted as Keras's PIL path does), resized to `imageSize` (bilinear by default, as
/// Keras) and returned as `float32` `[N, height, width, channels]` values in 0–255; they are all
/// read into memory up front. Keras also lists `.bmp` and `.gif` files; those are not read here,
/// and 16-bit PNGs are reduced to 8 bits by libpng's conversion rather than PIL's.
///
/// ```swift
/// let train = try imageDatasetFromDirectory("photos", labelMode: .categorical, imageSize: (128, 128),
///                                           seed: 1337, validationSplit: 0.2, subset: .training)
/// let val = try imageDatasetFromDirectory("photos", labelMode: .categorical, imageSize: (128, 128),
///                                         seed: 1337, validationSplit: 0.2, subset: .validation)
/// try model.fit(train.dataset, epochs: 10, validationData: val.dataset)
/// ```
///
/// - Parameters:
///   - directory: the folder holding the images (in class subfolders for `.inferred` labels).
///   - labels: `.inferred` from the subfolders, `.unlabeled`, or `.explicit` per-file labels.
///   - labelMode: `.int` (`int32 [N]`), `.categorical` (one-hot `float32`), `.binary`
///     (`float32 [N, 1]`, two classes), or `nil` for no labels.
///   - classNames: the classes to read, in label order (a subset of the subfolders).
///   - colorMode: `.rgb`, `.rgba` or `.grayscale`.
///   - batchSize: samples per batch; `nil` for unbatched samples.
///   - imageSize: the `(height, width)` every image is resized to.
///   - shuffle: whether to shuffle the files (NumPy's `RandomState(seed)` order, as Keras); `false` keeps them sorted.
///   - seed: the shuffling seed; required with `validationSplit` when shuffling.
///   - validationSplit: the fraction of the files held out for validation (`nil`: none).
///   - subset: which part to return with `validationSplit`: `.training` or `.validation`.
///   - interpolation: how images are resized to `imageSize` (`.bilinear` by default).
///   - followLinks: whether to descend into symbolic links to folders.
///   - cropToAspectRatio: keep the aspect ratio by a centred crop before resizing.
///   - padToAspectRatio: keep the aspect ratio by zero padding before resizing.
///   - verbose: whether to print how many files and classes were found.
/// - Throws: `KerasError` for bad arguments, a missing directory, no images, and corrupt or
///   unsupported image files (naming the file).
public func imageDatasetFromDirectory(_ directory: String, labels: DirectoryLabels = .inferred,
                                      labelMode: DirectoryLabelMode? = .int, classNames: [String]? = nil,
                                      colorMode: ImageColorMode = .rgb, batchSize: Int? = 32,
                                      imageSize: (height: Int, width: Int) = (256, 256), shuffle: Bool = true,
                                      seed: Int? = nil, validationSplit: Double? = nil, subset: DirectorySubset? = nil,
                                      interpolation: ImageInterpolation = .bilinear, followLinks: Bool = false,
                                      cropToAspectRatio: Bool = false, padToAspectRatio: Bool = false,
                                      verbose: Bool = true) throws -> DirectoryDataset {
    let function = "imageDatasetFromDirectory"
    guard imageSize.height > 0, imageSize.width > 0 else {
        throw KerasError.invalidArgument("\(function): imageSize must be positive, got \(imageSize)")
    }
    guard !(cropToAspectRatio && padToAspectRatio) else {
        throw KerasError.invalidArgument("\(function): only one of padToAspectRatio and cropToAspectRatio can be true")
    }
    let index = try directoryIndex(directory, labels: labels, labelMode: labelMode, classNames: classNames,
                                   formats: [".png", ".jpg", ".jpeg"], batchSize: batchSize, shuffle: shuffle, seed: seed,
                                   validationSplit: validationSplit, subset: subset, followLinks: followLinks,
                                   verbose: verbose, function: function, what: "images")
    let channels = colorMode.channels
    var decoded = [Result<ImageDecoder.Image, Error>?](repeating: nil, count: index.paths.count)
    decoded.withUnsafeMutableBufferPointer { results in
        nonisolated(unsafe) let out = results   // each iteration writes its own slot
        DispatchQueue.concurrentPerform(iterations: index.paths.count) { i in
            out[i] = Result { try ImageDecoder.decode(readFileBytes(index.paths[i]), path: index.paths[i], channels: channels) }
        }
    }
    let images = try decoded.map { result -> Tensor in
        let image = try result!.get()
        let pixels = Tensor(shape: [image.height, image.width, channels], dtype: .float32) { (out: UnsafeMutableBufferPointer<Float>) in
            for i in out.indices { out[i] = Float(image.pixels[i]) }
        }
        return pixels.resizeImages(height: imageSize.height, width: imageSize.width, interpolation: interpolation,
                                   cropToAspectRatio: cropToAspectRatio, padToAspectRatio: padToAspectRatio)
    }
    return try DirectoryDataset(samples: stack(images), index: index, labelMode: labelMode, batchSize: batchSize,
                                shuffle: shuffle, seed: seed)
}

/// Lists, checks and splits the files of a directory dataset, printing Keras's messages.
func directoryIndex(_ directory: String, labels: DirectoryLabels, labelMode: DirectoryLabelMode?, classNames: [String]?,
                    formats: [String], batchSize: Int?, shuffle: Bool, seed: Int?, validationSplit: Double?,
                    subset: DirectorySubset?, followLinks: Bool, verbose: Bool, function: String, what: String) throws -> DirectoryIndex {
    if let batchSize, batchSize <= 0 {
        throw KerasError.invalidArgument("\(function): batchSize must be positive or nil, got \(batchSize)")
    }
    let checkedSeed = try DirectoryIndex.checkedSeed(validationSplit: validationSplit, subset: subset, shuffle: shuffle,
                                                     seed: seed, function: function)
    let effectiveLabels = labelMode == nil ? DirectoryLabels.unlabeled : labels
    var index = try DirectoryIndex(directory: directory, labels: effectiveLabels, formats: formats, classNames: classNames,
                                   shuffle: shuffle, seed: checkedSeed, followLinks: followLinks, function: function)
    if verbose {
        Callback.printLine(index.labels == nil ? "Found \(index.paths.count) files."
                           : "Found \(index.paths.count) files belonging to \(index.classNames?.count ?? 0) classes.")
    }
    if labelMode == .binary, index.labels != nil, index.classNames?.count != 2 {
        throw KerasError.invalidArgument("\(function): with labelMode .binary there must be exactly 2 classNames. Received: classNames=\(index.classNames ?? [])")
    }
    let total = index.paths.count
    index.restrict(validationSplit: validationSplit, subset: subset)
    if verbose, let subset, (validationSplit ?? 0) != 0 {
        Callback.printLine("Using \(index.paths.count) files for \(subset.rawValue).")
    }
    guard !index.paths.isEmpty else {
        throw KerasError.invalidData("\(function): no \(what) found in directory \(directory) (\(total) before the split). Allowed formats: \(formats)")
    }
    return index
}

extension DirectoryIndex {
    /// The labels encoded per `labelMode`: `int32 [N]`, one-hot `float32 [N, classes]` or `float32 [N, 1]`.
    func encodedLabels(_ labelMode: DirectoryLabelMode?) -> Tensor? {
        guard let labels, let labelMode else { return nil }
        let ints = Tensor(shape: [labels.count], scalars: labels.map { Int32(truncatingIfNeeded: $0) })
        switch labelMode {
        case .int: return ints
        case .categorical: return ints.oneHot(depth: classNames?.count ?? 0)
        case .binary: return ints.cast(to: .float32).reshaped(to: [labels.count, 1])
        }
    }
}

extension DirectoryDataset {
    /// Samples `[N, …]` with the index's labels encoded per `labelMode`, shuffled each epoch and batched.
    init(samples: Tensor, index: DirectoryIndex, labelMode: DirectoryLabelMode?, batchSize: Int?, shuffle: Bool, seed: Int?) throws {
        var dataset = try Dataset(samples, index.encodedLabels(labelMode))
        if shuffle { dataset = dataset.shuffled(seed: seed ?? Int.random(in: 0..<1_000_000)) }
        if let batchSize { dataset = dataset.batched(batchSize) }
        self.init(dataset: dataset, classNames: index.labels == nil ? nil : index.classNames, filePaths: index.paths)
    }
}
