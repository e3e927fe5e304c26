import Foundation

/// Where the labels of a directory dataset come from (Keras's `labels` argument).
public enum DirectoryLabels: Sendable, Equatable {
    /// From the class subfolders (sorted alphanumerically, or in `classNames` order).
    case inferred
    /// No labels: the dataset yields only the samples.
    case unlabeled
    /// One integer label per file, in the alphanumeric order of the file paths.
    case explicit([Int])
}

/// How labels are encoded (Keras's `label_mode`).
public enum DirectoryLabelMode: String, Sendable {
    /// `int32` class indexes `[N]` (for `sparse_categorical_crossentropy`).
    case int
    /// One-hot `float32` `[N, classes]` (for `categorical_crossentropy`).
    case categorical
    /// `float32` 0/1 `[N, 1]`, exactly two classes (for `binary_crossentropy`).
    case binary
}

/// Which part of a validation split to return (Keras's `subset`).
public enum DirectorySubset: String, Sendable {
    /// The first `n − ⌊validationSplit·n⌋` files.
    case training
    /// The last `⌊validationSplit·n⌋` files.
    case validation
}

/// The files of a directory dataset, their labels and class names, as Keras's
/// `index_directory` lists them: class subfolders sorted by name (hidden ones skipped), each walked
/// recursively in sorted order, files kept by extension (case-insensitive); then, when shuffling,
/// paths and labels permuted with NumPy's `RandomState(seed)`, and a validation split taken from
/// the end — so the same seed gives the same training/validation partition as Keras.
struct DirectoryIndex {
    var paths: [String]
    var labels: [Int]?
    var classNames: [String]?

    init(directory: String, labels: DirectoryLabels, formats: [String], classNames: [String]?, shuffle: Bool,
         seed: UInt32, followLinks: Bool, function: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw KerasError.unreadableFile(file: directory, reason: "\(function): the directory does not exist")
        }
        var subdirs = [""]
        if labels == .inferred {
            subdirs = try Self.listing(directory).filter { !$0.hasPrefix(".") && Self.isDirectory(directory + "/" + $0) }
            if let classNames {
                guard Set(classNames).isSubset(of: subdirs) else {
                    throw KerasError.invalidArgument("\(function): the classNames passed did not match the names of the subdirectories of the target directory. Expected: \(subdirs) (or a subset of it), but received: classNames=\(classNames)")
                }
                subdirs = classNames
            }
        } else if classNames != nil {
            throw KerasError.invalidArgument("\(function): classNames can only be passed with labels: .inferred")
        }
        var paths: [String] = [], found: [Int] = []
        for (index, subdir) in subdirs.enumerated() {
            let root = subdir.isEmpty ? directory : directory + "/" + subdir
            for file in try Self.walk(root, formats: formats, followLinks: followLinks) {
                paths.append(root + "/" + file)
                found.append(index)
            }
        }
        switch labels {
        case .inferred:
            self.labels = found
            self.classNames = subdirs
        case .unlabeled:
            self.labels = nil
            self.classNames = nil
        case .explicit(let given):
            guard given.count == paths.count else {
                throw KerasError.invalidArgument("\(function): expected the lengths of labels to match the number of files in the target directory. labels has \(given.count) entries while \(paths.count) files were found in directory \(directory).")
            }
            self.labels = given
            self.classNames = Set(given).sorted().map(String.init)
        }
        if shuffle {
            var rng = NumPyRandomState(seed: seed)
            rng.shuffle(&paths)
            if var l = self.labels {
                var again = NumPyRandomState(seed: seed)
                again.shuffle(&l)
                self.labels = l
            }
        }
        self.paths = paths
    }

    /// Keras's `get_training_or_validation_split`: the last `⌊split·n⌋` files are the validation set.
    mutating func restrict(validationSplit: Double?, subset: DirectorySubset?) {
        guard let validationSplit, validationSplit != 0, let subset else { return }
        let count = Int(validationSplit * Double(paths.count))
        let range = subset == .training ? 0..<(paths.count - count) : (paths.count - count)..<paths.count
        // Keras slices `[:-0]` (nothing) for training when the split rounds to no files.
        let kept = count == 0 && subset == .training ? 0..<0 : range
        paths = Array(paths[kept])
        labels = labels.map { Array($0[kept]) }
    }

    /// Keras's `check_validation_split_arg`, and the seed it then uses (random when none).
    static func checkedSeed(validationSplit: Double?, subset: DirectorySubset?, shuffle: Bool, seed: Int?, function: String) throws -> UInt32 {
        if let v = validationSplit, v != 0, !(v > 0 && v < 1) {
            throw KerasError.invalidArgument("\(function): validationSplit must be between 0 and 1, received: \(v)")
        }
        if ((validationSplit ?? 0) != 0) != (subset != nil) {
            throw KerasError.invalidArgument("\(function): if subset is set, validationSplit must be set, and inversely.")
        }
        if (validationSplit ?? 0) != 0, shuffle, seed == nil {
            throw KerasError.invalidArgument("\(function): if using validationSplit and shuffling the data, you must provide a seed, to make sure that there is no overlap between the training and validation subset.")
        }
        if let seed {
            guard let value = UInt32(exactly: seed) else {
                throw KerasError.invalidArgument("\(function): seed must be in 0...\(UInt32.max), got \(seed)")
            }
            return value
        }
        return UInt32.random(in: 0..<1_000_000)
    }

    /// Python's `str` order: by Unicode code points.
    static func pythonLess(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) { $0.value < $1.value }
    }

    private static func listing(_ path: String) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: path).sorted(by: pythonLess)
        } catch {
            throw KerasError.unreadableFile(file: path, reason: error.localizedDescription)
        }
    }

    private static func isDirectory(_ path: String) -> Bool {
        var flag: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &flag) && flag.boolValue
    }

    private static func isSymlink(_ path: String) -> Bool {
        (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeSymbolicLink
    }

    /// `os.walk(root)` sorted by folder path, each folder's files sorted, as paths relative to `root`.
    private static func walk(_ root: String, formats: [String], followLinks: Bool) throws -> [String] {
        var folders: [(path: String, files: [String])] = []
        var pending = [""]
        while let folder = pending.popLast() {
            let absolute = folder.isEmpty ? root : root + "/" + folder
            var files: [String] = []
            for entry in try listing(absolute) {
                let relative = folder.isEmpty ? entry : folder + "/" + entry
                if isDirectory(absolute + "/" + entry) {
                    if followLinks || !isSymlink(absolute + "/" + entry) { pending.append(relative) }
                } else {
                    files.append(relative)
                }
            }
            folders.append((absolute, files))
        }
        return folders.sorted { pythonLess($0.path, $1.path) }.flatMap { folder in
            folder.files.filter { file in formats.contains { file.lowercased().hasSuffix($0) } }
        }
    }
}
