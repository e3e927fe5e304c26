import Foundation

extension Datasets {
    /// One split of a text dataset: each sample a list of word indexes, and its labels `[N]` (`int32`).
    public typealias SequenceSplit = (sequences: [[Int]], labels: Tensor)

    /// The IMDB movie-review sentiment data as `keras.datasets.imdb.load_data(...)` returns it:
    /// 25,000 training and 25,000 test reviews, each a list of word indexes (words ranked by
    /// frequency), labels 1 (positive) or 0. `imdb.npz` is downloaded on first use into
    /// `<cache>/datasets` and checked against Keras's SHA-256.
    ///
    /// Keras's preprocessing, in its order: each split is shuffled with NumPy's
    /// `RandomState(seed)` (the same order as Keras); word `w` becomes `w + indexFrom`, after
    /// `startChar` when given; with `maxlen`, samples of `maxlen` words or more are dropped;
    /// words outside `skipTop..<numWords` become `oovChar` (or are removed when it is `nil`).
    /// Without `numWords`, the largest index seen is the bound — itself excluded, as in Keras.
    ///
    /// ```swift
    /// let ((xTrain, yTrain), (xTest, yTest)) = try Datasets.imdb(numWords: 10_000)
    /// let x = try padSequences(xTrain, maxlen: 200)   // [25000, 200]
    /// ```
    /// - Parameters:
    ///   - numWords: keep the `numWords` most frequent words (indexes below it); `nil` keeps all.
    ///   - skipTop: the most frequent words to replace by `oovChar`.
    ///   - maxlen: drop sequences with `maxlen` or more words; `nil` keeps all.
    ///   - seed: the shuffling seed (Keras's default 113).
    ///   - startChar: the index marking a sequence's start; `nil` for none.
    ///   - oovChar: the index of out-of-vocabulary words; `nil` removes them instead.
    ///   - indexFrom: added to every word index (indexes below it are reserved).
    ///   - origin: the download URL, as for ``mnist(dtype:origin:fileHash:cacheDir:verbose:)``.
    ///   - fileHash: the expected SHA-256 (`nil` skips the check), as for ``mnist(dtype:origin:fileHash:cacheDir:verbose:)``.
    ///   - cacheDir: the cache root (default `$KERAS_HOME`, else `~/.keras`), as for ``mnist(dtype:origin:fileHash:cacheDir:verbose:)``.
    ///   - verbose: 1 prints the download messages and progress bar, 0 is silent, as for ``mnist(dtype:origin:fileHash:cacheDir:verbose:)``.
    public static func imdb(numWords: Int? = nil, skipTop: Int = 0, maxlen: Int? = nil, seed: UInt32 = 113,
                            startChar: Int? = 1, oovChar: Int? = 2, indexFrom: Int = 3,
                            origin: String = kerasOrigin, fileHash: String? = KerasHashes.imdb,
                            cacheDir: String? = nil, verbose: Int = 1) throws -> (train: SequenceSplit, test: SequenceSplit) {
        let path = try cachedFile("imdb.npz", origin: origin, fileHash: fileHash, cacheDir: cacheDir, verbose: verbose)
        let arrays = try loadDatasetNPZ(path)
        var rng = NumPyRandomState(seed: seed)
        var parts: [(sequences: [[Int]], labels: [Int])] = []
        for (x, y) in [("x_train", "y_train"), ("x_test", "y_test")] {
            let (sequences, labels) = try sequencesAndLabels(arrays, x, y, path: path)
            let order = rng.permutation(sequences.count)
            parts.append((order.map { sequences[$0] }, order.map { labels[$0] }))
        }
        parts = parts.map { (offset($0.sequences, startChar: startChar, indexFrom: indexFrom), $0.labels) }
        if let maxlen, maxlen != 0 {
            parts = parts.map { removeLongSequences(maxlen, $0) }
            if parts.contains(where: { $0.sequences.isEmpty }) {
                throw KerasError.invalidArgument("Datasets.imdb: after filtering for sequences shorter than maxlen=\(maxlen), no sequence was kept. Increase maxlen.")
            }
        }
        let all = limitVocabulary(parts[0].sequences + parts[1].sequences, numWords: numWords, skipTop: skipTop, oovChar: oovChar)
        let cut = parts[0].sequences.count
        return ((Array(all[..<cut]), labelTensor(parts[0].labels)), (Array(all[cut...]), labelTensor(parts[1].labels)))
    }

    /// The Reuters newswire topic data as `keras.datasets.reuters.load_data(...)` returns it:
    /// 11,228 newswires as lists of word indexes, labelled with 46 topics
    /// (``reutersLabelNames``). `reuters.npz` is downloaded on first use and checked against
    /// Keras's SHA-256. The samples are shuffled together with `RandomState(seed)`, preprocessed as
    /// in ``imdb(numWords:skipTop:maxlen:seed:startChar:oovChar:indexFrom:origin:fileHash:cacheDir:verbose:)``,
    /// then split: the first `⌊n·(1 − testSplit)⌋` for training.
    ///
    /// ```swift
    /// let ((xTrain, yTrain), (xTest, yTest)) = try Datasets.reutersNewswire(numWords: 10_000)
    /// Datasets.reutersLabelNames[Int(yTrain[0].item())]
    /// ```
    public static func reutersNewswire(numWords: Int? = nil, skipTop: Int = 0, maxlen: Int? = nil, testSplit: Double = 0.2,
                                       seed: UInt32 = 113, startChar: Int? = 1, oovChar: Int? = 2, indexFrom: Int = 3,
                                       origin: String = kerasOrigin, fileHash: String? = KerasHashes.reuters,
                                       cacheDir: String? = nil, verbose: Int = 1) throws -> (train: SequenceSplit, test: SequenceSplit) {
        guard testSplit >= 0, testSplit <= 1 else {
            throw KerasError.invalidArgument("Datasets.reutersNewswire: testSplit must be in [0, 1], got \(testSplit)")
        }
        let path = try cachedFile("reuters.npz", origin: origin, fileHash: fileHash, cacheDir: cacheDir, verbose: verbose)
        let (sequences, labels) = try sequencesAndLabels(try loadDatasetNPZ(path), "x", "y", path: path)
        var rng = NumPyRandomState(seed: seed)
        let order = rng.permutation(sequences.count)
        var part = (sequences: offset(order.map { sequences[$0] }, startChar: startChar, indexFrom: indexFrom),
                    labels: order.map { labels[$0] })
        if let maxlen, maxlen != 0 { part = removeLongSequences(maxlen, part) }
        let all = limitVocabulary(part.sequences, numWords: numWords, skipTop: skipTop, oovChar: oovChar)
        let cut = Int(Double(all.count) * (1 - testSplit))
        return ((Array(all[..<cut]), labelTensor(Array(part.labels[..<cut]))),
                (Array(all[cut...]), labelTensor(Array(part.labels[cut...]))))
    }

    /// The 46 Reuters topic names, indexed by label (`keras.datasets.reuters.get_label_names()`).
    public static let reutersLabelNames = [
        "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply", "coffee",
        "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas", "cpi", "money-fx",
        "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin", "strategic-metal", "livestock", "retail",
        "ipi", "iron-steel", "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem",
        "dlr", "gas", "silver", "wpi", "hog", "lead",
    ]

    /// The IMDB word index (`keras.datasets.imdb.get_word_index()`): word → rank, 1 the most
    /// frequent. In the data from ``imdb(numWords:skipTop:maxlen:seed:startChar:oovChar:indexFrom:origin:fileHash:cacheDir:verbose:)``
    /// a word of rank `r` appears as `r + indexFrom`. Downloaded once, checked by Keras's MD5.
    ///
    /// ```swift
    /// let index = try Datasets.imdbWordIndex()
    /// let words = Dictionary(uniqueKeysWithValues: index.map { ($1 + 3, $0) })
    /// let review = xTrain[0].map { words[$0] ?? "?" }.joined(separator: " ")
    /// ```
    public static func imdbWordIndex(origin: String = kerasOrigin, fileHash: String? = KerasHashes.imdbWordIndex,
                                     cacheDir: String? = nil, verbose: Int = 1) throws -> [String: Int] {
        try wordIndex("imdb_word_index.json", origin: origin, fileHash: fileHash, cacheDir: cacheDir, verbose: verbose)
    }

    /// The Reuters word index (`keras.datasets.reuters.get_word_index()`), as ``imdbWordIndex(origin:fileHash:cacheDir:verbose:)``.
    ///
    /// ```swift
    /// let index = try Datasets.reutersWordIndex()
    /// index["the"]   // 1
    /// ```
    public static func reutersWordIndex(origin: String = kerasOrigin, fileHash: String? = KerasHashes.reutersWordIndex,
                                        cacheDir: String? = nil, verbose: Int = 1) throws -> [String: Int] {
        try wordIndex("reuters_word_index.json", origin: origin, fileHash: fileHash, cacheDir: cacheDir, verbose: verbose)
    }

    private static func wordIndex(_ name: String, origin: String, fileHash: String?, cacheDir: String?, verbose: Int) throws -> [String: Int] {
        let path = try cachedFile(name, origin: origin, fileHash: fileHash, cacheDir: cacheDir, verbose: verbose)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let object = try? JSONSerialization.jsonObject(with: data), let dict = object as? [String: Any] else {
            throw KerasError.corruptFile(file: path, expected: "a JSON object of word → index", got: "other content")
        }
        return try dict.mapValues { value in
            guard let number = value as? NSNumber, let index = Int(exactly: number.doubleValue) else {
                throw KerasError.corruptFile(file: path, expected: "integer word indexes", got: "\(value)")
            }
            return index
        }
    }

    private static func sequencesAndLabels(_ arrays: [String: DatasetArray], _ x: String, _ y: String, path: String) throws -> ([[Int]], [Int]) {
        let sequences = try arrays.member(x, in: path).intSequences(x, in: path)
        let labels = try arrays.member(y, in: path).tensor(y, in: path)
        guard labels.shape == [sequences.count] else {
            throw KerasError.corruptFile(file: path, expected: "\(y) of shape [\(sequences.count)]", got: "\(labels.shape)")
        }
        return (sequences, labels.cast(to: .int64).toArray(of: Int64.self).map { Int($0) })
    }

    /// `[startChar] + [w + indexFrom …]`, as Keras marks and offsets the words.
    private static func offset(_ sequences: [[Int]], startChar: Int?, indexFrom: Int) -> [[Int]] {
        sequences.map { s in (startChar.map { [$0] } ?? []) + s.map { $0 + indexFrom } }
    }

    /// Keras's `remove_long_seq`: keeps the samples shorter than `maxlen`.
    private static func removeLongSequences(_ maxlen: Int, _ part: (sequences: [[Int]], labels: [Int])) -> (sequences: [[Int]], labels: [Int]) {
        let kept = part.sequences.indices.filter { part.sequences[$0].count < maxlen }
        return (kept.map { part.sequences[$0] }, kept.map { part.labels[$0] })
    }

    /// Words outside `skipTop..<numWords` become `oovChar`, or are dropped when it is `nil`.
    private static func limitVocabulary(_ sequences: [[Int]], numWords: Int?, skipTop: Int, oovChar: Int?) -> [[Int]] {
        let bound = numWords.flatMap { $0 == 0 ? nil : $0 } ?? (sequences.compactMap { $0.max() }.max() ?? 0)
        let keep = { (w: Int) in skipTop <= w && w < bound }
        if let oovChar { return sequences.map { $0.map { keep($0) ? $0 : oovChar } } }
        return sequences.map { $0.filter(keep) }
    }

    private static func labelTensor(_ labels: [Int]) -> Tensor {
        Tensor(shape: [labels.count], scalars: labels.map { Int32(truncatingIfNeeded: $0) })
    }
}
