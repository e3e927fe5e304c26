import Foundation
@testable import Keras
import KerasTestSupport
import Testing

/// `Datasets.mnist/bostonHousing/imdb/reutersNewswire/cifar10/cifar100` and the word indexes,
/// downloaded from the loopback server (Tests/Fixtures/dataset_server.py) serving synthetic files of
/// the real layout (Tests/Fixtures/datasets, made by datasets_generate.py), compared with what real
/// Keras's loaders return for the same files (datasets_expected.json).
@Suite("Dataset loaders", .serialized) struct DatasetLoaderTests {
    nonisolated(unsafe) static let expected = try! loadFixture("datasets_expected.json") as! [String: Any]
    static let files = fixturesDirectory.appendingPathComponent("datasets").path
    nonisolated(unsafe) static let hashes = expected["sha256"] as! [String: String]
    static let enabled = DatasetDownloadTests.python != nil

    static func ints(_ any: Any?) -> [Int] { (any as! [Any]).map { ($0 as! NSNumber).intValue } }
    static func doubles(_ any: Any?) -> [Double] { (any as! [Any]).map { ($0 as! NSNumber).doubleValue } }
    static func nested(_ any: Any?) -> [[Int]] { (any as! [Any]).map { ints($0) } }
    static func flatDoubles(_ any: Any?) -> [Double] { (any as! [Any]).flatMap { doubles($0) } }
    static func flatInts(_ any: Any?) -> [Int] {
        (any as! [Any]).flatMap { item -> [Int] in
            if let inner = item as? [Any], inner.first is [Any] { return flatInts(inner) }
            return ints(item)
        }
    }
    static func close(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, abs($1)) }
    }
    static func values(_ t: Tensor) -> [Int] { t.cast(to: .int64).toArray(of: Int64.self).map { Int($0) } }

    /// Runs `body` with a server over the synthetic files and a fresh cache directory.
    static func withServer(_ body: (String, String) throws -> Void) throws {
        let server = try DatasetDownloadTests.Server(serving: files)
        defer { server.stop() }
        try body(server.base, try SavingTests.temporaryDirectory())
    }

    @Test func legacyShuffleMatchesNumPy() {
        for (key, value) in Self.expected["shuffle"] as! [String: Any] {
            let parts = key.split(separator: "_")
            var rng = NumPyRandomState(seed: UInt32(parts[0])!)
            let order = rng.permutation(Int(parts[1])!)
            #expect(Array(order.prefix(50)) + Array(order.suffix(5)) == Self.ints(value), "seed/n \(key)")
        }
    }

    @Test func md5MatchesRFC1321Vectors() {
        func md5(_ s: String) -> String { var h = MD5(); h.update(Array(s.utf8)); return h.hexDigest() }
        #expect(md5("") == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(md5("abc") == "900150983cd24fb0d6963f7d28e17f72")
        #expect(md5("12345678901234567890123456789012345678901234567890123456789012345678901234567890")
                == "57edf4a22be3c955ac49da2e2107b67a")
    }

    @Test(.enabled(if: enabled, "no python3 for the loopback server"))
    func mnistMatchesKerasAndIsVerified() throws {
        try Self.withServer { base, cache in
            let e = Self.expected["mnist"] as! [String: Any]
            let (train, test) = try Datasets.mnist(origin: base, fileHash: Self.hashes["mnist.npz"], cacheDir: cache, verbose: 0)
            #expect(train.images.shape == [7, 5, 4] && test.images.shape == [3, 5, 4])
            #expect(Self.values(train.images) == Self.flatInts(e["x_train"]))
            #expect(Self.values(train.labels) == Self.ints(e["y_train"]))
            #expect(Self.values(test.images) == Self.flatInts(e["x_test"]))
            #expect(Self.values(test.labels) == Self.ints(e["y_test"]))
            #expect(FileManager.default.fileExists(atPath: cache + "/datasets/mnist.npz"))
            // Keras's published hash does not match the synthetic file: detected, deleted, reported.
            let other = try SavingTests.temporaryDirectory()
            #expect {
                try Datasets.mnist(origin: base, cacheDir: other, verbose: 0)
            } throws: { error in "\(error)".contains(Datasets.KerasHashes.mnist) }
            #expect(!FileManager.default.fileExists(atPath: other + "/datasets/mnist.npz"))
        }
    }

    @Test(.enabled(if: enabled, "no python3 for the loopback server"))
    func bostonHousingSplitsAndShufflesAsKeras() throws {
        try Self.withServer { base, cache in
            for case let e as [String: Any] in Self.expected["boston_housing"] as! [Any] {
                let args = e["args"] as! [String: Any]
                let split = (args["test_split"] as? NSNumber)?.doubleValue ?? 0.2
                let seed = (args["seed"] as? NSNumber)?.uint32Value ?? 113
                let (train, test) = try Datasets.bostonHousing(testSplit: split, seed: seed, origin: base,
                                                               fileHash: Self.hashes["boston_housing.npz"], cacheDir: cache, verbose: 0)
                #expect(train.images.dtype == .float64)
                // (Foundation's JSON parser can be one ulp off: the order and split are what is checked.)
                #expect(Self.close(train.images.toArray(of: Double.self), Self.flatDoubles(e["x_train"])), "\(args)")
                #expect(Self.close(train.labels.toArray(of: Double.self), Self.doubles(e["y_train"])), "\(args)")
                #expect(Self.close(test.images.toArray(of: Double.self), Self.flatDoubles(e["x_test"])), "\(args)")
                #expect(Self.close(test.labels.toArray(of: Double.self), Self.doubles(e["y_test"])), "\(args)")
            }
            #expect(throws: KerasError.self) { try Datasets.bostonHousing(testSplit: 1, origin: base, cacheDir: cache, verbose: 0) }
        }
    }

    /// The Keras arguments of a fixture case.
    struct SequenceArgs {
        var numWords: Int?, skipTop = 0, maxlen: Int?, seed: UInt32 = 113, startChar: Int? = 1, oovChar: Int? = 2, indexFrom = 3
        var testSplit = 0.2
        init(_ args: [String: Any]) {
            func int(_ key: String, _ fallback: Int?) -> Int? {
                guard args.keys.contains(key) else { return fallback }
                return (args[key] as? NSNumber)?.intValue   // JSON null: None
            }
            numWords = int("num_words", nil); skipTop = int("skip_top", 0)!; maxlen = int("maxlen", nil)
            seed = UInt32(int("seed", 113)!); startChar = int("start_char", 1); oovChar = int("oov_char", 2)
            indexFrom = int("index_from", 3)!
            testSplit = (args["test_split"] as? NSNumber)?.doubleValue ?? 0.2
        }
    }

    @Test(.enabled(if: enabled, "no python3 for the loopback server"))
    func imdbPreprocessingMatchesKeras() throws {
        try Self.withServer { base, cache in
            for case let e as [String: Any] in Self.expected["imdb"] as! [Any] {
                let a = SequenceArgs(e["args"] as! [String: Any])
                let (train, test) = try Datasets.imdb(numWords: a.numWords, skipTop: a.skipTop, maxlen: a.maxlen, seed: a.seed,
                                                      startChar: a.startChar, oovChar: a.oovChar, indexFrom: a.indexFrom,
                                                      origin: base, fileHash: Self.hashes["imdb.npz"], cacheDir: cache, verbose: 0)
                #expect(train.sequences == Self.nested(e["x_train"]), "\(e["args"]!)")
                #expect(Self.values(train.labels) == Self.ints(e["y_train"]), "\(e["args"]!)")
                #expect(test.sequences == Self.nested(e["x_test"]), "\(e["args"]!)")
                #expect(Self.values(test.labels) == Self.ints(e["y_test"]), "\(e["args"]!)")
            }
            #expect(throws: KerasError.self) {
                try Datasets.imdb(maxlen: 1, origin: base, fileHash: Self.hashes["imdb.npz"], cacheDir: cache, verbose: 0)
            }
        }
    }

    @Test(.enabled(if: enabled, "no python3 for the loopback server"))
    func reutersPreprocessingMatchesKeras() throws {
        try Self.withServer { base, cache in
            for case let e as [String: Any] in Self.expected["reuters"] as! [Any] {
                let a = SequenceArgs(e["args"] as! [String: Any])
                let (train, test) = try Datasets.reutersNewswire(numWords: a.numWords, skipTop: a.skipTop, maxlen: a.maxlen,
                                                                 testSplit: a.testSplit, seed: a.seed, startChar: a.startChar,
                                                                 oovChar: a.oovChar, indexFrom: a.indexFrom, origin: base,
                                                                 fileHash: Self.hashes["reuters.npz"], cacheDir: cache, verbose: 0)
                #expect(train.sequences == Self.nested(e["x_train"]), "\(e["args"]!)")
                #expect(Self.values(train.labels) == Self.ints(e["y_train"]), "\(e["args"]!)")
                #expect(test.sequences == Self.nested(e["x_test"]), "\(e["args"]!)")
                #expect(Self.values(test.labels) == Self.ints(e["y_test"]), "\(e["args"]!)")
            }
            #expect(Datasets.reutersLabelNames.count == 46)
        }
    }

    @Test(.enabled(if: enabled, "no python3 for the loopback server"))
    func wordIndexesAreCheckedWithMD5() throws {
        try Self.withServer { base, cache in
            var md5 = MD5()
            md5.update([UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.files + "/imdb_word_index.json"))))
            let index = try Datasets.imdbWordIndex(origin: base, fileHash: md5.hexDigest(), cacheDir: cache, verbose: 0)
            #expect(index == ["the": 1, "and": 2, "a": 3, "film": 19, "é": 4])
            #expect(try Datasets.reutersWordIndex(origin: base, fileHash: nil, cacheDir: cache, verbose: 0)["said"] == 5)
            // Keras's MD5 of the real file does not match the synthetic one.
            let other = try SavingTests.temporaryDirectory()
            #expect {
                try Datasets.imdbWordIndex(origin: base, cacheDir: other, verbose: 0)
            } throws: { error in "\(error)".contains("MD5 " + Datasets.KerasHashes.imdbWordIndex) }
        }
    }

    @Test(.enabled(if: enabled, "no python3 for the loopback server"))
    func cifarMatchesKeras() throws {
        try Self.withServer { base, cache in
            let e10 = Self.expected["cifar10"] as! [String: Any]
            let (train, test) = try Datasets.cifar10(origin: base + "cifar-10-python.tar.gz",
                                                     fileHash: Self.hashes["cifar-10-python.tar.gz"], cacheDir: cache, verbose: 0)
            #expect(train.images.shape == Self.ints(e10["x_train_shape"]))
            #expect(Self.values(train.images) == Self.ints(e10["x_train"]))
            #expect(train.labels.shape == [10, 1] && Self.values(train.labels) == Self.ints(e10["y_train"]))
            #expect(Self.values(test.images) == Self.ints(e10["x_test"]))
            #expect(Self.values(test.labels) == Self.ints(e10["y_test"]))
            #expect(FileManager.default.fileExists(atPath: cache + "/datasets/cifar-10-batches-py-target_archive"))

            let e100 = Self.expected["cifar100"] as! [String: Any]
            for mode in [Datasets.CIFAR100LabelMode.fine, .coarse] {
                let (train, test) = try Datasets.cifar100(labelMode: mode, dtype: .float32, origin: base + "cifar-100-python.tar.gz",
                                                          fileHash: Self.hashes["cifar-100-python.tar.gz"], cacheDir: cache, verbose: 0)
                let labels = e100[mode.rawValue] as! [String: Any]
                #expect(train.images.dtype == .float32 && train.images.shape == Self.ints(e100["x_train_shape"]))
                #expect(Self.values(train.images) == Self.ints(e100["x_train"]))
                #expect(Self.values(test.images) == Self.ints(e100["x_test"]))
                #expect(Self.values(train.labels) == Self.ints(labels["y_train"]), "\(mode)")
                #expect(Self.values(test.labels) == Self.ints(labels["y_test"]), "\(mode)")
            }

            // A truncated transfer is reported and nothing is kept; a damaged cached archive (no hash
            // to catch it) is reported by the gzip/tar readers, naming the file.
            let other = try SavingTests.temporaryDirectory()
            #expect(throws: KerasError.self) {
                try Datasets.cifar10(origin: base + "truncated/cifar-10-python.tar.gz", fileHash: nil, cacheDir: other, verbose: 0)
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: other + "/datasets").isEmpty)
            let archive = try Data(contentsOf: URL(fileURLWithPath: Self.files + "/cifar-10-python.tar.gz"))
            try archive.prefix(archive.count * 2 / 3).write(to: URL(fileURLWithPath: other + "/datasets/cifar-10-batches-py-target_archive"))
            #expect {
                try Datasets.cifar10(origin: base + "cifar-10-python.tar.gz", fileHash: nil, cacheDir: other, verbose: 0)
            } throws: { error in "\(error)".contains("cifar-10-batches-py-target_archive") }
        }
    }
}
