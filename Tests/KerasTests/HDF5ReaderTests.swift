import Foundation
@testable import Keras
import KerasTestSupport
import Testing

/// ``HDF5Reader``, the parser legacy `.h5` files go through: files h5py writes in every layout
/// Keras files use (`Tests/Fixtures/saving_h5py_generate.py`) read as h5py reads them, and
/// hostile files (libhdf5's fuzz findings, truncations, flipped bytes) throw a ``KerasError``.
@Suite("HDF5 reader") struct HDF5ReaderTests {
    nonisolated(unsafe) static let expected = try! loadFixture("saving/h5py_expected.json") as! [String: Any]

    static func reader(_ name: String) throws -> HDF5Reader {
        let path = SavingTests.fixture(name)
        return try HDF5Reader(bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), name: name)
    }

    /// The group holding `path`'s last component, and that component.
    static func locate(_ root: HDF5Reader.Group, _ path: String) throws -> (HDF5Reader.Group, String) {
        let parts = path.split(separator: "/").map(String.init)
        let group = try #require(try root.group(parts.dropLast().joined(separator: "/")), "no group for \(path)")
        return (group, parts.last!)
    }

    @Test(arguments: ["h5py_earliest.h5", "h5py_latest.h5"])
    func readsWhatH5pyWrites(_ file: String) throws {
        let root = try Self.reader(file).root
        let datasets = Self.expected["datasets"] as! [String: [String: Any]]
        #expect(datasets.count == 17)
        let dtypes: [String: DType] = ["float32": .float32, "float64": .float64, "float16": .float32, "int8": .int32,
                                       "uint16": .int32, "int32": .int32, "int64": .int64, "bool": .bool]
        for (path, entry) in datasets {
            let (group, name) = try Self.locate(root, path)
            let shape = (entry["shape"] as! [Any]).map { ($0 as! NSNumber).intValue }
            #expect(try group.datasetShape(name) == shape, "\(file): \(path)")
            let tensor = try group.read(name)
            #expect(tensor.dtype == dtypes[entry["dtype"] as! String], "\(file): \(path)")
            // Values compare to 1e-13: JSONSerialization's parsing can miss a float64's last bit.
            assertClose(tensor.cast(to: .float64), Tensor(shape: shape, doubles: flattenNumbers(entry["values"]!), dtype: .float64), rtol: 1e-13, atol: 0)
        }
        for (path, values) in Self.expected["attributes"] as! [String: [String]] {
            let (group, name) = path.hasPrefix("/") ? (root, String(path.dropFirst())) : try Self.locate(root, path)
            #expect(try group.stringsAttribute(name) == values, "\(file): \(path)")
        }
        #expect(try root.stringsAttribute("missing") == nil)
        #expect(throws: KerasError.self) { try root.stringsAttribute("count") }   // a number, not a string
        let many = try #require(try root.group("many"))
        #expect(try many.memberNames() == (0..<20).map { "member_\($0 < 10 ? "0" : "")\($0)" })
        if file == "h5py_latest.h5" {   // an 80 kB attribute: a huge object of the dense attribute heap
            #expect(try many.stringsAttribute("huge_list") == [String](repeating: String(repeating: "w", count: 100), count: 800))
        }
        #expect(try root.largestDatasetElements() == 35)
        // Datasets read as another dtype convert as the HDF5 library converts.
        let (weights, _) = try Self.locate(root, "weights/i64")
        #expect(try weights.read("i64", as: .float32).toArray(of: Float.self) == [-1_099_511_627_776, 1_099_511_627_776])
        #expect(throws: KerasError.self) { try weights.read("bool", as: .float32) }
        #expect(throws: KerasError.self) { try weights.read("missing") }
    }

    @Test(arguments: ["keras_deep_latest.h5", "keras_deep_gzip.h5"])
    func loadsKerasModelsInOtherLayouts(_ file: String) throws {
        let deep = Self.expected["deep"] as! [String: Any]
        let model = try loadModel(SavingTests.fixture(file))
        #expect(model.layers.count == 10)
        let x = Tensor(shape: [3, 4], doubles: flattenNumbers(deep["x"]!), dtype: .float32)
        assertClose(try model.predict(x, verbose: 0), Tensor(shape: [3, 2], doubles: flattenNumbers(deep["y"]!), dtype: .float32), rtol: 1e-5, atol: 1e-5)
    }

    /// The inputs on which libhdf5 1.10.8 crashes (SEGV, heap over-reads) now throw.
    @Test func libhdf5FindingsThrow() throws {
        let directory = fixturesDirectory.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz/libhdf5-findings")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { !$0.hasSuffix(".md") }
        #expect(files.count == 7)
        let scratch = try SavingTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        for file in files {
            // Fuzz inputs: a selector byte, then the file.
            let bytes = try Data(contentsOf: directory.appendingPathComponent(file)).dropFirst()
            try bytes.write(to: URL(fileURLWithPath: scratch + "/input.h5"))
            #expect(throws: KerasError.self, "\(file)") { try loadModel(scratch + "/input.h5") }
        }
    }

    /// Truncated files and files with flipped bytes throw or read; they never stop the process.
    @Test(arguments: ["h5py_earliest.h5", "h5py_latest.h5", "mlp_legacy.h5"])
    func damagedFilesThrowOrRead(_ file: String) throws {
        let good = [UInt8](try Data(contentsOf: URL(fileURLWithPath: SavingTests.fixture(file))))
        try HDF5Reader(bytes: good, name: file).root.readEverything()
        var thrown = 0
        func attempt(_ bytes: [UInt8]) {
            do { try HDF5Reader(bytes: bytes, name: file).root.readEverything() } catch is KerasError { thrown += 1 } catch { Issue.record("\(error)") }
        }
        // About 150 truncations and 400 flipped bytes per file, spread over the whole file.
        for cut in stride(from: 0, to: good.count, by: good.count / 150) { attempt(Array(good.prefix(cut))) }
        var generator = SystemRandomNumberGenerator()
        for position in stride(from: 0, to: good.count, by: good.count / 400) {
            var bytes = good
            bytes[position] = [0, 0xFF, bytes[position] ^ 0x80, UInt8.random(in: 0...255, using: &generator)][position % 4]
            attempt(bytes)
        }
        #expect(thrown > 150)
    }
}
