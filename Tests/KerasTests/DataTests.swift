import Foundation
@testable import Keras
import KerasTestSupport
import Testing

/// IDX bytes: magic `0 0 8 rank`, big-endian dimensions, data.
private func idxBytes(shape: [Int], data: [UInt8], magicOverride: [UInt8]? = nil) -> [UInt8] {
    var out = magicOverride ?? [0, 0, 8, UInt8(shape.count)]
    for d in shape { out += [UInt8(d >> 24 & 0xFF), UInt8(d >> 16 & 0xFF), UInt8(d >> 8 & 0xFF), UInt8(d & 0xFF)] }
    return out + data
}

/// A fresh directory holding the four gzipped IDX files of a tiny dataset (3 train, 2 test, 2×3 images).
private func makeDataset(corrupting: ((inout [String: [UInt8]]) -> Void)? = nil) throws -> URL {
    let dir = URL(fileURLWithPath: try makeTemporaryDirectory("idx"))
    var files: [String: [UInt8]] = [
        "train-images-idx3-ubyte.gz": Gzip.compress(idxBytes(shape: [3, 2, 3], data: (0..<18).map { UInt8($0 * 14) })),
        "train-labels-idx1-ubyte.gz": Gzip.compress(idxBytes(shape: [3], data: [7, 0, 9])),
        "t10k-images-idx3-ubyte.gz": Gzip.compress(idxBytes(shape: [2, 2, 3], data: (0..<12).map { UInt8(255 - $0) })),
        "t10k-labels-idx1-ubyte.gz": Gzip.compress(idxBytes(shape: [2], data: [1, 2])),
    ]
    corrupting?(&files)
    for (name, bytes) in files { try Data(bytes).write(to: dir.appendingPathComponent(name)) }
    return dir
}

private func loadError(_ corrupt: @escaping (inout [String: [UInt8]]) -> Void) throws -> KerasError? {
    let dir = try makeDataset(corrupting: corrupt)
    defer { try? FileManager.default.removeItem(at: dir) }
    do {
        _ = try Datasets.loadIDX(directory: dir)
        return nil
    } catch let e as KerasError {
        return e
    }
}

@Suite("Datasets and IDX files")
struct DataTests {
    /// Batches gathered from shuffled rows hold exactly those rows, whether the copy runs on
    /// one core (small batches) or is split across the cores (from 32 kB), runs of consecutive
    /// rows and the pieces' seams included.
    @Test func gatheredRowsAreTheIndexedRows() {
        let source = Tensor.randomNormal([200, 3, 20], seed: 4)
        let rows = source.doubles, width = 60
        for indices in [[5, 7, 6], [3, 4, 5, 6, 199, 0, 1, 2] + (0..<150).map { ($0 * 37) % 200 }] {
            let gathered = gatherRows(source, indices)
            #expect(gathered.shape == [indices.count, 3, 20])
            #expect(gathered.doubles == indices.flatMap { rows[$0 * width ..< ($0 + 1) * width] })
        }
    }

    @Test("gzip round trip; a damaged length trailer is caught")
    func gzipRoundTrip() throws {
        let data = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 / 7) }
        #expect(try Gzip.decompress(Gzip.compress(data), name: "x") == data)
        // zlib checks the trailer's length field against the inflated size.
        var gz = Gzip.compress(data)
        gz[gz.count - 4] = 1; gz[gz.count - 3] = 0; gz[gz.count - 2] = 0; gz[gz.count - 1] = 0
        #expect(throws: KerasError.self) { try Gzip.decompress(gz, name: "x") }
    }

    @Test("reads gzipped IDX images and labels")
    func loadsSmallFiles() throws {
        let dir = try makeDataset()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ((xTrain, yTrain), (xTest, yTest)) = try Datasets.loadIDX(directory: dir)
        #expect(xTrain.shape == [3, 2, 3] && xTrain.dtype == .int32)
        #expect(xTrain.toArray(of: Int32.self) == (0..<18).map { Int32($0 * 14) })
        #expect(yTrain.toArray(of: Int32.self) == [7, 0, 9])
        #expect(xTest.shape == [2, 2, 3])
        #expect(xTest.toArray(of: Int32.self) == (0..<12).map { Int32(255 - $0) })
        #expect(yTest.toArray(of: Int32.self) == [1, 2])
        let floats = try Datasets.loadIDX(directory: dir.path, dtype: .float32)
        #expect(floats.train.images.dtype == .float32 && floats.train.labels.dtype == .int32)
        #expect(floats.test.images.scalars[0] == 255)
    }

    @Test("a truncated file is an error naming the file")
    func truncated() throws {
        let e = try loadError { files in
            let gz = files["train-images-idx3-ubyte.gz"]!
            files["train-images-idx3-ubyte.gz"] = Array(gz[..<(gz.count / 2)])
        }
        guard case let .corruptFile(file, expected, _)? = e else { Issue.record("got \(String(describing: e))"); return }
        #expect(file.hasSuffix("train-images-idx3-ubyte.gz"))
        #expect(expected.contains("complete gzip stream"))
    }

    @Test("garbage instead of gzip is an error")
    func notGzip() throws {
        let e = try loadError { files in files["t10k-labels-idx1-ubyte.gz"] = Array(repeating: 0x41, count: 64) }
        guard case let .corruptFile(file, _, _)? = e else { Issue.record("got \(String(describing: e))"); return }
        #expect(file.hasSuffix("t10k-labels-idx1-ubyte.gz"))
    }

    @Test("wrong magic names expected and received values")
    func wrongMagic() throws {
        let e = try loadError { files in
            // Labels where images belong.
            files["train-images-idx3-ubyte.gz"] = Gzip.compress(idxBytes(shape: [3], data: [1, 2, 3]))
        }
        #expect(e == .corruptFile(file: e.map { if case let .corruptFile(f, _, _) = $0 { f } else { "" } } ?? "",
                              expected: "IDX magic 0x00000803", got: "0x00000801"))
        #expect(e?.description.contains("train-images-idx3-ubyte.gz") == true)
    }

    @Test("data shorter or longer than the header says is an error")
    func wrongLength() throws {
        let short = try loadError { files in
            files["t10k-images-idx3-ubyte.gz"] = Gzip.compress(idxBytes(shape: [2, 2, 3], data: Array(repeating: 1, count: 11)))
        }
        guard case let .corruptFile(_, expected, got)? = short else { Issue.record("got \(String(describing: short))"); return }
        #expect(expected == "12 data bytes for shape [2, 2, 3]" && got == "11")
        let long = try loadError { files in
            files["train-labels-idx1-ubyte.gz"] = Gzip.compress(idxBytes(shape: [3], data: [1, 2, 3, 4]))
        }
        #expect(long != nil)
    }

    @Test("label count must match image count")
    func countMismatch() throws {
        let e = try loadError { files in files["train-labels-idx1-ubyte.gz"] = Gzip.compress(idxBytes(shape: [2], data: [1, 2])) }
        guard case .invalidData? = e else { Issue.record("got \(String(describing: e))"); return }
    }

    @Test("a missing file is an error naming it")
    func missing() throws {
        let e = try loadError { files in files.removeValue(forKey: "t10k-images-idx3-ubyte.gz") }
        guard case let .unreadableFile(file, _)? = e else { Issue.record("got \(String(describing: e))"); return }
        #expect(file.hasSuffix("t10k-images-idx3-ubyte.gz"))
    }

    @Test("uncompressed IDX files are read too")
    func plainIDX() throws {
        let f = try IDXFile(bytes: idxBytes(shape: [2, 2], data: [1, 2, 3, 4]), name: "m")
        #expect(f.shape == [2, 2] && f.tensor(dtype: .float64).doubles == [1, 2, 3, 4])
        #expect(throws: KerasError.self) { try IDXFile(bytes: [0, 0, 9, 1, 0, 0, 0, 1, 5], name: "int16?") }
    }

    @Test("bundled digits match the values NumPy reads from the same files")
    func digits() throws {
        let reference = try loadFixture("data_digits.json") as! [String: [String: Any]]
        let ((xTrain, yTrain), (xTest, yTest)) = try Datasets.digits()
        for (split, x, y) in [("train", xTrain, yTrain), ("test", xTest, yTest)] {
            let r = reference[split]!
            #expect(x.shape == r["shape"] as! [Int])
            let pixels = x.toArray(of: Int32.self)
            #expect(pixels.reduce(0) { $0 + Int($1) } == r["pixel_sum"] as! Int)
            #expect(pixels.prefix(64).map(Int.init) == r["first_image"] as! [Int])
            #expect(pixels.suffix(64).map(Int.init) == r["last_image"] as! [Int])
            let labels = y.toArray(of: Int32.self).map(Int.init)
            #expect(Array(labels.prefix(20)) == r["first_labels"] as! [Int])
            #expect((0..<10).map { c in labels.count { $0 == c } } == r["label_counts"] as! [Int])
        }
        #expect(xTrain.shape == [1437, 8, 8] && yTrain.shape == [1437])
        #expect(Set(yTrain.toArray(of: Int32.self)) == Set(0..<10))
    }
}
