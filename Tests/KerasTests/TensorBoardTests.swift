import Foundation
import Keras
import KerasTestSupport
import Testing

/// The TensorBoard callback and `SummaryWriter`: record framing and checksums parsed here, and the
/// files read back by the real `tensorboard` package when a Python with it is found
/// (`SWIFT_KERAS_PYTHON`, else python3; `.ci/run` installs it).
extension ConfigValue {
    fileprivate subscript(index: Int) -> ConfigValue? {
        guard let a = arrayValue, a.indices.contains(index) else { return nil }
        return a[index]
    }
}

@Suite("TensorBoard") struct TensorBoardTests {
    static let python: String? = {
        let candidates = [ProcessInfo.processInfo.environment["SWIFT_KERAS_PYTHON"], "/usr/bin/python3", "/usr/local/bin/python3"].compactMap { $0 }
        return candidates.first { SavingPythonTests.run($0, ["-c", "import tensorboard"]).status == 0 }
    }()

    // MARK: Reading protobuf back (just enough to check what was written)

    /// A decoded protobuf field: varint, fixed 64/32-bit or length-delimited bytes.
    enum Field { case varint(UInt64), fixed64(UInt64), fixed32(UInt32), bytes([UInt8]) }

    static func decode(_ bytes: [UInt8]) throws -> [(Int, Field)] {
        var fields: [(Int, Field)] = []
        var i = 0
        func varint() throws -> UInt64 {
            var result: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard i < bytes.count else { throw KerasError.invalidData("truncated varint") }
                let b = bytes[i]; i += 1
                result |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return result }
                shift += 7
            }
        }
        func fixed(_ n: Int) throws -> UInt64 {
            guard i + n <= bytes.count else { throw KerasError.invalidData("truncated fixed") }
            var v: UInt64 = 0
            for k in 0..<n { v |= UInt64(bytes[i + k]) << (8 * UInt64(k)) }
            i += n
            return v
        }
        while i < bytes.count {
            let key = try varint()
            switch key & 7 {
            case 0: fields.append((Int(key >> 3), .varint(try varint())))
            case 1: fields.append((Int(key >> 3), .fixed64(try fixed(8))))
            case 5: fields.append((Int(key >> 3), .fixed32(UInt32(try fixed(4)))))
            case 2:
                let n = Int(try varint())
                guard i + n <= bytes.count else { throw KerasError.invalidData("truncated bytes") }
                fields.append((Int(key >> 3), .bytes(Array(bytes[i..<i + n])))); i += n
            default: throw KerasError.invalidData("wire type \(key & 7)")
            }
        }
        return fields
    }

    static func bytesField(_ fields: [(Int, Field)], _ number: Int) -> [UInt8]? {
        for (n, f) in fields where n == number { if case .bytes(let b) = f { return b } }
        return nil
    }

    /// (tag, step, plugin, float values) of every summary value in an event file.
    static func summaries(in path: String) throws -> (version: String, values: [(tag: String, step: Int, plugin: String, floats: [Float], doubles: [Double])]) {
        let records = try TFRecord.records(atPath: path)
        var version = ""
        var values: [(String, Int, String, [Float], [Double])] = []
        for record in records {
            let event = try decode(record)
            if let v = bytesField(event, 3) { version = String(decoding: v, as: UTF8.self) }
            var step = 0
            for (n, f) in event where n == 2 { if case .varint(let s) = f { step = Int(s) } }
            guard let summary = bytesField(event, 5) else { continue }
            for (n, f) in try decode(summary) where n == 1 {
                guard case .bytes(let valueBytes) = f else { continue }
                let value = try decode(valueBytes)
                let tag = String(decoding: bytesField(value, 1) ?? [], as: UTF8.self)
                let metadata = try decode(bytesField(value, 9) ?? [])
                let plugin = String(decoding: bytesField(try decode(bytesField(metadata, 1) ?? []), 1) ?? [], as: UTF8.self)
                let tensor = try decode(bytesField(value, 8) ?? [])
                let floats = (bytesField(tensor, 5) ?? []).withUnsafeBytes { raw in
                    (0..<raw.count / 4).map { Float(bitPattern: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)) }
                }
                let doubles = (bytesField(tensor, 6) ?? []).withUnsafeBytes { raw in
                    (0..<raw.count / 8).map { Double(bitPattern: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self)) }
                }
                values.append((tag, step, plugin, floats, doubles))
            }
        }
        return (version, values)
    }

    static func eventFile(in dir: String) throws -> String {
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("events.out.tfevents.") }
        try #require(files.count == 1, "expected one event file in \(dir), found \(files)")
        return dir + "/" + files[0]
    }

    /// A small model trained 3 epochs (4 batches each) with validation, logging every 2nd batch
    /// and weight histograms every epoch.
    static func trainedRun() throws -> (dir: String, history: History, model: Sequential) {
        let dir = try SavingTests.temporaryDirectory() + "/logs"
        let model = Sequential([InputLayer(shape: [3]), Dense(4, activation: .relu), Dense(1)])
        try model.compile(optimizer: SGD(learningRate: 0.05), loss: "mse", metrics: ["mae"])
        let x = Tensor.randomNormal([20, 3], seed: 3), y = Tensor.randomNormal([20, 1], seed: 4)
        let history = try model.fit(x, y, batchSize: 4, epochs: 3, verbose: 0,
                                    callbacks: [TensorBoard(logDir: dir, histogramFreq: 1, updateFreq: .every(2))],
                                    validationSplit: 0.2, shuffle: false)
        return (dir, history, model)
    }

    // MARK: Tests

    @Test func crc32cMatchesTheStandardCheckValueAndMasking() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([]) == 0)
        let crc = CRC32C.checksum(Array("abc".utf8))
        let masked = CRC32C.masked(Array("abc".utf8))
        let unmasked = masked &- 0xA282_EAD8
        #expect(((unmasked >> 17) | (unmasked << 15)) == crc)
    }

    @Test func recordsRoundTripAndCorruptionIsDetected() throws {
        let framed = TFRecord.frame([1, 2, 3]) + TFRecord.frame([])
        #expect(try TFRecord.records(in: framed, file: "f") == [[1, 2, 3], []])
        var corrupt = framed
        corrupt[13] ^= 0xFF  // a data byte of the first record
        #expect(throws: KerasError.self) { try TFRecord.records(in: corrupt, file: "f") }
        #expect(throws: KerasError.self) { try TFRecord.records(in: Array(framed.dropLast(2)), file: "f") }
        var badLength = framed
        badLength[0] = 200
        #expect(throws: KerasError.self) { try TFRecord.records(in: badLength, file: "f") }
    }

    @Test func histogramBucketsFollowTensorBoard() throws {
        let dir = try SavingTests.temporaryDirectory()
        let writer = try SummaryWriter(logDir: dir)
        try writer.histogram("spread", [0, 1, 2, 3, 4, 4], step: 0, buckets: 4)
        try writer.histogram("single", [2, 2], step: 0, buckets: 3)
        try writer.histogram("empty", [Double](), step: 0, buckets: 2)
        writer.close()
        let values = try Self.summaries(in: writer.path).values
        // Rows of (left edge, right edge, count), flattened.
        #expect(values[0].doubles == [0, 1, 1, 1, 2, 1, 2, 3, 1, 3, 4, 3])
        #expect(values[1].doubles == [2, 2, 0, 2, 2, 0, 2, 2, 2])
        #expect(values[2].doubles == [0, 0, 0, 0, 0, 0])
        #expect(throws: KerasError.self) { try writer.scalar("closed", 1, step: 0) }
    }

    @Test func callbackWritesEpochBatchValidationAndHistogramSummaries() throws {
        let (dir, history, model) = try Self.trainedRun()
        let train = try Self.summaries(in: try Self.eventFile(in: dir + "/train"))
        let validation = try Self.summaries(in: try Self.eventFile(in: dir + "/validation"))
        #expect(train.version == "brain.Event:2" && validation.version == "brain.Event:2")
        for (key, tag, run) in [("loss", "epoch_loss", train), ("mae", "epoch_mae", train),
                                ("val_loss", "epoch_loss", validation), ("val_mae", "epoch_mae", validation)] {
            let written = run.values.filter { $0.tag == tag }
            #expect(written.map(\.step) == [0, 1, 2], "\(tag)")
            #expect(written.allSatisfy { $0.plugin == "scalars" })
            #expect(written.map { Double($0.floats[0]) } == history.history[key]!.map { Double(Float($0)) }, "\(key)")
        }
        #expect(train.values.filter { $0.tag == "epoch_learning_rate" }.map { $0.floats[0] } == [0.05, 0.05, 0.05])
        // 4 batches × 3 epochs, every 2nd global batch.
        #expect(train.values.filter { $0.tag == "batch_loss" }.map(\.step) == [2, 4, 6, 8, 10, 12])
        let evaluation = validation.values.filter { $0.tag == "evaluation_loss_vs_iterations" }
        #expect(evaluation.map(\.step) == [4, 8, 12])
        let kernel = train.values.filter { $0.tag == "\(model.name)/\(model.layers[0].name)/kernel/histogram" }
        #expect(kernel.map(\.step) == [0, 1, 2] && kernel.allSatisfy { $0.plugin == "histograms" })
        let counts = stride(from: 2, to: kernel[0].doubles.count, by: 3).map { kernel[0].doubles[$0] }
        #expect(counts.count == 30 && counts.reduce(0, +) == 12)
        #expect(train.values.contains { $0.tag == "keras" && $0.plugin == "graph_keras_model" && $0.step == 0 })
    }

    @Test func badSettingsThrow() throws {
        let model = Sequential([InputLayer(shape: [2]), Dense(1)])
        try model.compile(optimizer: SGD(), loss: "mse")
        let dir = try SavingTests.temporaryDirectory()
        for callback in [TensorBoard(logDir: dir, updateFreq: .every(0)), TensorBoard(logDir: dir, histogramFreq: -1)] {
            #expect(throws: KerasError.self) {
                try model.fit(Tensor.zeros([2, 2]), Tensor.zeros([2, 1]), verbose: 0, callbacks: [callback])
            }
        }
        #expect(throws: KerasError.self) { try SummaryWriter(logDir: "/proc/no-such-dir/logs") }
    }

    @Test(.enabled(if: python != nil, "no Python with tensorboard found (set SWIFT_KERAS_PYTHON)"))
    func realTensorBoardReadsEveryTagStepAndValue() throws {
        let (dir, history, model) = try Self.trainedRun()
        let custom = try SummaryWriter(logDir: dir + "/custom")
        try custom.scalar("custom/accuracy", 0.75, step: 7)
        try custom.histogram("custom/values", Tensor([1.0, 2.0, 2.0, 5.0]), step: 1, buckets: 4)
        try custom.image("custom/picture", Tensor.ones([2, 3, 5, 1]) * 0.5, step: 2)
        try custom.text("custom/notes", "hello **TensorBoard**", step: 3)
        custom.close()

        let script = fixturesDirectory.appendingPathComponent("tensorboard_read.py").path
        let (status, output) = SavingPythonTests.run(Self.python!, [script, dir])
        try #require(status == 0, "\(output)")
        let json = try ConfigValue.parse(json: output.split(separator: "\n").last.map(String.init) ?? "")
        func events(_ run: String, _ tag: String) -> [ConfigValue] { json[run]?["tags"]?[tag]?["events"]?.arrayValue ?? [] }
        func plugin(_ run: String, _ tag: String) -> String? { json[run]?["tags"]?[tag]?["plugin"]?.stringValue }

        for (key, tag, run) in [("loss", "epoch_loss", "train"), ("mae", "epoch_mae", "train"),
                                ("val_loss", "epoch_loss", "validation"), ("val_mae", "epoch_mae", "validation")] {
            let written = events(run, tag)
            #expect(written.map { $0[0]?.intValue } == [0, 1, 2], "\(run) \(tag)")
            #expect(written.map { $0[1]?.doubleValue } == history.history[key]!.map { Double(Float($0)) }, "\(run) \(tag)")
            #expect(plugin(run, tag) == "scalars")
        }
        #expect(events("train", "epoch_learning_rate").map { $0[1]?.doubleValue } == [0.05, 0.05, 0.05].map { Double(Float($0)) })
        #expect(events("train", "batch_loss").map { $0[0]?.intValue } == [2, 4, 6, 8, 10, 12])
        #expect(events("train", "batch_mae").count == 6)
        #expect(events("validation", "evaluation_loss_vs_iterations").map { $0[0]?.intValue } == [4, 8, 12])
        for layer in model.layers {
            for weight in layer.weights {
                let tag = "\(model.name)/\(layer.name)/\(weight.name)/histogram"
                let written = events("train", tag)
                #expect(written.count == 3 && plugin("train", tag) == "histograms", "\(tag)")
                let rows = written.last?[1]?.arrayValue ?? []
                let total = rows.compactMap { $0[2]?.doubleValue }.reduce(0, +)
                #expect(rows.count == 30 && total == Double(weight.value.shape.reduce(1, *)), "\(tag)")
            }
        }
        #expect(plugin("train", "keras") == "graph_keras_model")
        let graph = try ConfigValue.parse(json: events("train", "keras").first?[1]?.stringValue ?? "")
        #expect(graph["class_name"]?.stringValue == "Sequential")
        // The UI's loader (with data_compat) sorts every tag into its plugin.
        #expect(json["train"]?["ui_plugins"]?["scalars"]?.arrayValue?.contains(.string("epoch_loss")) == true)
        #expect(json["train"]?["ui_plugins"]?["histograms"]?.arrayValue?.contains(.string("\(model.name)/\(model.layers[0].name)/kernel/histogram")) == true)
        #expect(json["train"]?["ui_plugins"]?["graph_keras_model"]?.arrayValue?.contains(.string("keras")) == true)

        #expect(events("custom", "custom/accuracy").map { [$0[0]?.intValue, $0[1]?.doubleValue.map { Int($0 * 100) }] } == [[7, 75]])
        let histogram = events("custom", "custom/values").first?[1]?.arrayValue ?? []
        #expect(histogram.map { $0[2]?.doubleValue } == [1, 2, 0, 1])
        #expect(histogram.first?[0]?.doubleValue == 1 && histogram.last?[1]?.doubleValue == 5)
        let image = events("custom", "custom/picture").first?[1]
        #expect(image?["width"]?.stringValue == "5" && image?["height"]?.stringValue == "3")
        #expect(image?["png_signatures"]?.arrayValue == [.bool(true), .bool(true)])
        #expect(events("custom", "custom/notes").first?[1]?.stringValue == "hello **TensorBoard**")
        #expect(plugin("custom", "custom/notes") == "text" && plugin("custom", "custom/picture") == "images")
    }
}
