import Foundation
@testable import Keras
import KerasTestSupport
import Testing

/// Truncated, corrupt and hostile files throw ``KerasError``: they never stop the process and
/// never make the loader allocate what the file does not hold.
@Suite("Saving hostile files") struct SavingHostileTests {
    static func goodArchive() throws -> [UInt8] {
        let model = Sequential([InputLayer(shape: [3]), Dense(4, activation: .relu), Dense(2)])
        try model.compile(optimizer: "adam", loss: "mse")
        return try model.kerasArchiveBytes()
    }

    static func load(_ bytes: [UInt8], safeMode: Bool = true) throws -> Model {
        try loadKerasArchive(bytes: bytes, name: "hostile.keras", compile: true, safeMode: safeMode)
    }

    /// An archive with these entries (the weights of the good archive unless replaced).
    static func archive(config: String, weights: [UInt8]? = nil, extra: [(String, [UInt8])] = []) throws -> [UInt8] {
        let good = try ZipReader(bytes: goodArchive(), name: "good")
        var zip = ZipWriter()
        zip.add("metadata.json", Array(#"{"keras_version": "3.15.1"}"#.utf8))
        zip.add("config.json", Array(config.utf8))
        zip.add("model.weights.h5", try weights ?? good.data("model.weights.h5"))
        for (name, data) in extra { zip.add(name, data) }
        return zip.finish()
    }

    @Test func truncatedArchivesThrow() throws {
        let bytes = try Self.goodArchive()
        _ = try Self.load(bytes)
        for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 97)) {
            #expect(throws: KerasError.self) { try Self.load(Array(bytes.prefix(cut))) }
        }
    }

    @Test func corruptedBytesNeverCrash() throws {
        let bytes = try Self.goodArchive()
        for position in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 60)) {
            var damaged = bytes
            damaged[position] ^= 0x5A
            do { _ = try Self.load(damaged) } catch is KerasError {} catch { Issue.record("not a KerasError: \(error)") }
        }
        // Damage inside the weights file, behind a valid CRC: the HDF5 reader itself must cope.
        let zip = try ZipReader(bytes: bytes, name: "good")
        let config = String(decoding: try zip.data("config.json"), as: UTF8.self)
        let weights = try zip.data("model.weights.h5")
        for position in stride(from: 0, to: weights.count, by: max(1, weights.count / 60)) {
            var damaged = weights
            damaged[position] ^= 0xA5
            do { _ = try Self.load(Self.archive(config: config, weights: damaged)) } catch is KerasError {} catch { Issue.record("not a KerasError: \(error)") }
        }
    }

    @Test func zipEntriesOutsideTheArchiveAreRefused() throws {
        let config = try ZipReader(bytes: Self.goodArchive(), name: "good").data("config.json")
        for name in ["../evil.txt", "/etc/passwd", "assets/../../x", "a\\..\\b"] {
            let bytes = try Self.archive(config: String(decoding: config, as: UTF8.self), extra: [(name, [1, 2, 3])])
            let error = #expect(throws: KerasError.self) { try Self.load(bytes) }
            #expect("\(error!)".contains("entry names"))
        }
    }

    @Test func absurdShapesAreRefusedBeforeAllocating() throws {
        let config = #"{"module": "keras", "class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "InputLayer", "config": {"batch_shape": [null, 1000000]}}, {"class_name": "Dense", "config": {"name": "d", "units": 1000000}}], "build_input_shape": [null, 1000000]}}"#
        let error = #expect(throws: KerasError.self) { try Self.load(Self.archive(config: config)) }
        #expect("\(error!)".contains("d"))
        let negative = #"{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "InputLayer", "config": {"batch_shape": [null, -5]}}, {"class_name": "Dense", "config": {"name": "d", "units": 2}}]}}"#
        #expect(throws: KerasError.self) { try Self.load(Self.archive(config: negative)) }
    }

    @Test func weightsThatDoNotFitTheArchitectureAreNamed() throws {
        let config = #"{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "InputLayer", "config": {"batch_shape": [null, 3]}}, {"class_name": "Dense", "config": {"name": "wide", "units": 5}}, {"class_name": "Dense", "config": {"name": "out", "units": 2}}]}}"#
        let error = #expect(throws: KerasError.self) { try Self.load(Self.archive(config: config)) }
        #expect("\(error!)".contains("wide"))
        // A weights file with a declared dataset larger than its data.
        let file = try HDF5File()
        let vars = try file.root.createGroup("layers/dense/vars")
        try vars.write(Tensor.zeros([3, 4]), as: "0")
        try vars.write(Tensor.zeros([4]), as: "1")
        let root = try file.root
        _ = try root.createGroup("vars")
        _ = try root.createGroup("layers/dense_1/vars")
        let bytes = try Self.archive(config: #"{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "InputLayer", "config": {"batch_shape": [null, 3]}}, {"class_name": "Dense", "config": {"name": "d", "units": 4}}, {"class_name": "Dense", "config": {"name": "e", "units": 2}}]}}"#, weights: file.bytes())
        let missing = #expect(throws: KerasError.self) { try Self.load(bytes) }
        #expect("\(missing!)".contains("\"e\""))
    }

    @Test func unknownClassesAndLambdasAreRefused() throws {
        let unknown = #"{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "InputLayer", "config": {"batch_shape": [null, 3]}}, {"class_name": "QuantumDense", "config": {"name": "q"}}]}}"#
        let error = #expect(throws: KerasError.self) { try Self.load(Self.archive(config: unknown)) }
        #expect("\(error!)".contains("QuantumDense"))
        let lambda = #"{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "InputLayer", "config": {"batch_shape": [null, 3]}}, {"class_name": "Lambda", "config": {"name": "l", "function": {"class_name": "__lambda__", "config": {"code": "4wEAAAAAAAAA"}}}}]}}"#
        let refused = #expect(throws: KerasError.self) { try Self.load(Self.archive(config: lambda)) }
        #expect("\(refused!)".contains("safe"))
        #expect(throws: KerasError.self) { try Self.load(Self.archive(config: lambda), safeMode: false) }
    }

    @Test func notAnHDF5FileOrAZip() throws {
        #expect(throws: KerasError.self) { try HDF5Reader(bytes: Array("hello".utf8), name: "x.h5") }
        #expect(throws: KerasError.self) { try HDF5Reader(bytes: [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0], name: "x.h5") }
        #expect(throws: KerasError.self) { try ZipReader(bytes: [UInt8](repeating: 0, count: 100), name: "x.keras") }
        let dir = try SavingTests.temporaryDirectory()
        #expect(throws: KerasError.self) { try loadModel(dir + "/missing.keras") }
        #expect(throws: KerasError.self) { try loadModel(dir) }
    }
}

/// The HDF5 layout matches what Keras writes (`layers/<snake_case class>/vars/<i>`, nested
/// models under their own `layers`, `optimizer/vars`, empty `vars` for weightless layers).
@Suite("Saving layout") struct SavingLayoutTests {
    static func groups(_ group: HDF5Reader.Group, _ prefix: String = "") throws -> [String] {
        var out: [String] = []
        for name in try group.memberNames() {
            let path = prefix.isEmpty ? name : prefix + "/" + name
            out.append(path)
            if let child = try group.group(name) { out += try groups(child, path) }
        }
        return out
    }

    @Test func nestedModelLayoutMatchesKeras() throws {
        let inner = Sequential([InputLayer(shape: [4]), Dense(3)], name: "inner")
        let outer = Sequential([InputLayer(shape: [4]), inner, Dropout(0.5), Dense(2), Dense(2)], name: "outer")
        try outer.compile(optimizer: "adam", loss: "mse")
        _ = try outer.trainOnBatch(Tensor.ones([2, 4]), Tensor.zeros([2, 2]))
        let file = try HDF5Reader(bytes: outer.weightsFileBytes(), name: "outer.weights.h5")
        let paths = try Self.groups(file.root)
        for expected in ["layers/sequential/layers/dense/vars/0", "layers/sequential/layers/dense/vars/1", "layers/sequential/vars",
                         "layers/dropout/vars", "layers/dense/vars/0", "layers/dense_1/vars/1",
                         "optimizer/vars/0", "optimizer/vars/1", "optimizer/vars/13", "vars"] {
            #expect(paths.contains(expected), "\(expected) missing from \(paths)")
        }
        #expect(try file.root.group("layers/dense/vars")?.stringAttribute("name") == outer.layers[2].name)
        #expect(try file.root.group("optimizer/vars")?.stringAttribute("name") == "adam")
        // Round trip through a .keras file.
        let dir = try SavingTests.temporaryDirectory()
        try outer.save(to: dir + "/nested.keras")
        let loaded = try loadModel(dir + "/nested.keras")
        for (a, b) in zip(loaded.getWeights(), outer.getWeights()) { assertClose(a, b, rtol: 0, atol: 0) }
        #expect(loaded.optimizer?.iterations == 1)
    }
}
