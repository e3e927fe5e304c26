import Foundation
import Keras
import KerasTestSupport
import Testing

/// `getFile` and `Datasets.fashionMNIST()` against a loopback HTTP server (Tests/Fixtures/dataset_server.py)
/// serving the bundled digits in Fashion-MNIST's layout: download, cache reuse offline, SHA-256
/// checks, truncated and corrupt downloads (deleted and reported), and offline without a cache.
@Suite("Dataset downloads", .serialized) struct DatasetDownloadTests {
    static let python: String? = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// A running server and its base URL.
    final class Server {
        let process = Process()
        let base: String

        init(serving directory: String) throws {
            process.executableURL = URL(fileURLWithPath: DatasetDownloadTests.python!)
            process.arguments = [fixturesDirectory.appendingPathComponent("dataset_server.py").path, directory]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            try process.run()
            var line = Data()
            while !line.contains(UInt8(ascii: "\n")) {
                let chunk = pipe.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                line += chunk
            }
            let port = try #require(Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
            base = "http://127.0.0.1:\(port)/"
        }

        func stop() {
            kill(process.processIdentifier, SIGKILL)  // SIGTERM may be ignored in the test runner's children
            process.waitUntilExit()
        }
    }

    static func sha(_ string: String) -> String {
        var hasher = SHA256()
        hasher.update(Array(string.utf8))
        return hasher.hexDigest()
    }

    static func fileSHA(_ path: String) throws -> String {
        var hasher = SHA256()
        hasher.update([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
        return hasher.hexDigest()
    }

    static let digits = Datasets.digitsDirectory.path

    @Test func sha256MatchesFIPSTestVectors() {
        #expect(Self.sha("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Self.sha("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Self.sha("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // Fed in uneven pieces, the digest is the same.
        var hasher = SHA256()
        let message = Array(String(repeating: "0123456789", count: 30).utf8)
        for chunk in stride(from: 0, to: message.count, by: 37) { hasher.update(Array(message[chunk..<min(chunk + 37, message.count)])) }
        var whole = SHA256()
        whole.update(message)
        #expect(hasher.hexDigest() == whole.hexDigest())
    }

    @Test(.enabled(if: python != nil, "no python3 for the loopback server"))
    func fashionMNISTDownloadsOnceThenWorksOffline() throws {
        let cache = try SavingTests.temporaryDirectory()
        let server = try Server(serving: Self.digits)
        #expect(!Datasets.fashionMNISTIsCached(cacheDir: cache))
        let downloaded = try Datasets.fashionMNIST(origin: server.base, cacheDir: cache, verbose: 0)
        server.stop()
        let bundled = try Datasets.digits()
        #expect(downloaded.train.images.shape == bundled.train.images.shape)
        #expect(downloaded.test.labels.toArray(of: Int32.self) == bundled.test.labels.toArray(of: Int32.self))
        #expect(Datasets.fashionMNISTIsCached(cacheDir: cache))
        let files = try FileManager.default.contentsOfDirectory(atPath: cache + "/datasets/fashion-mnist").sorted()
        #expect(files == ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"])
        // The server is gone: the cache serves the data.
        let offline = try Datasets.fashionMNIST(origin: server.base, cacheDir: cache, verbose: 0)
        #expect(offline.train.labels.toArray(of: Int32.self) == bundled.train.labels.toArray(of: Int32.self))
        // Offline and not cached: a clear error, and nothing left behind.
        let empty = try SavingTests.temporaryDirectory()
        #expect {
            try Datasets.fashionMNIST(origin: server.base, cacheDir: empty, verbose: 0)
        } throws: { error in
            "\(error)".contains("URL fetch failure") && "\(error)".contains("cache")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: empty + "/datasets/fashion-mnist").isEmpty)
    }

    @Test(.enabled(if: python != nil, "no python3 for the loopback server"))
    func checksumsTruncationAndHTTPErrors() throws {
        let cache = try SavingTests.temporaryDirectory()
        let server = try Server(serving: Self.digits)
        defer { server.stop() }
        let name = "train-labels-idx1-ubyte.gz"
        let good = try Self.fileSHA(Self.digits + "/" + name)
        let target = cache + "/datasets/" + name

        // A mismatching hash: detected, the download deleted, the error names both hashes.
        let wrong = String(repeating: "0", count: 64)
        #expect {
            try getFile(name, origin: server.base + name, fileHash: wrong, cacheDir: cache, verbose: 0)
        } throws: { error in
            guard case KerasError.corruptFile(_, let expected, let got) = error else { return false }
            return expected.contains(wrong) && got.contains(good)
        }
        #expect(!FileManager.default.fileExists(atPath: target) && !FileManager.default.fileExists(atPath: target + ".part"))

        // The right hash: downloaded and verified.
        #expect(try getFile(name, origin: server.base + name, fileHash: good, cacheDir: cache, verbose: 0) == target)
        #expect(try Self.fileSHA(target) == good)

        // A damaged cached copy is detected by its hash and downloaded again.
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: target))
        try getFile(name, origin: server.base + name, fileHash: good, cacheDir: cache, verbose: 0)
        #expect(try Self.fileSHA(target) == good)

        // A truncated transfer (connection closed early): reported, nothing kept.
        let other = "t10k-labels-idx1-ubyte.gz"
        #expect(throws: KerasError.self) {
            try getFile(other, origin: server.base + "truncated/" + other, cacheDir: cache, verbose: 0)
        }
        #expect(!FileManager.default.fileExists(atPath: cache + "/datasets/" + other))
        #expect(!FileManager.default.fileExists(atPath: cache + "/datasets/" + other + ".part"))

        // HTTP 404 and bad arguments.
        #expect(throws: KerasError.self) { try getFile("missing.gz", origin: server.base + "missing.gz", cacheDir: cache, verbose: 0) }
        #expect(!FileManager.default.fileExists(atPath: cache + "/datasets/missing.gz"))
        #expect(throws: KerasError.self) { try getFile("a/b", origin: server.base + name, cacheDir: cache, verbose: 0) }
        #expect(throws: KerasError.self) { try getFile(name, origin: server.base + name, fileHash: "abc", cacheDir: cache, verbose: 0) }
        #expect(throws: KerasError.self) { try getFile(origin: "not a url", cacheDir: cache, verbose: 0) }
    }
}
