import Foundation
import KerasCore

/// Writes TensorBoard event files (`events.out.tfevents.<time>.<host>.<pid>.<n>.v2`) into a log
/// directory, as `tf.summary.create_file_writer` does: scalars, histograms, images and text in the
/// TensorFlow 2 summary format (tensor values tagged with their plugin), which `tensorboard
/// --logdir` displays. Use it in a custom training loop; the ``TensorBoard`` callback uses it for `fit`.
///
/// ```swift
/// let writer = try SummaryWriter(logDir: "logs/custom")
/// for step in 0..<100 {
///     // … one training step …
///     try writer.scalar("loss", 1.0 / Double(step + 1), step: step)
/// }
/// try writer.histogram("dense/kernel", model.layers[0].weights[0].value, step: 100)
/// try writer.text("notes", "first run", step: 0)
/// writer.close()
/// ```
public final class SummaryWriter: @unchecked Sendable {
    /// The directory holding the event file.
    public let logDir: String
    /// The event file this writer appends to.
    public let path: String
    private var handle: FileHandle?
    private let lock = NSLock()
    nonisolated(unsafe) private static var counter = 0
    private static let counterLock = NSLock()

    /// Creates `logDir` (and its parents) and a new event file in it, starting with the
    /// `brain.Event:2` version record.
    public init(logDir: String) throws {
        self.logDir = logDir
        do {
            try FileManager.default.createDirectory(atPath: logDir, withIntermediateDirectories: true)
        } catch {
            throw KerasError.unwritableFile(path: logDir, reason: "cannot create the log directory: \(error.localizedDescription)")
        }
        let n: Int = Self.counterLock.withLock { Self.counter += 1; return Self.counter }
        let now = Date().timeIntervalSince1970
        let host = ProcessInfo.processInfo.hostName
        let name = "events.out.tfevents.\(String(format: "%010d", Int(now))).\(host).\(ProcessInfo.processInfo.processIdentifier).\(n).v2"
        path = (logDir as NSString).appendingPathComponent(name)
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let h = FileHandle(forWritingAtPath: path) else {
            throw KerasError.unwritableFile(path: path, reason: "cannot create the event file")
        }
        handle = h
        var event = ProtobufEncoder()
        event.double(1, now)
        event.string(3, "brain.Event:2")
        try writeRecord(event.bytes)
    }

    deinit { try? handle?.close() }

    /// Writes a scalar (`tf.summary.scalar`): a float32 tensor with the `scalars` plugin tag.
    public func scalar(_ tag: String, _ value: Double, step: Int) throws {
        var tensor = ProtobufEncoder()
        tensor.int64(1, DataType.float)
        tensor.message(2, ProtobufEncoder())  // shape []
        tensor.packedFloats(5, [Float(value)])
        try write(tag: tag, plugin: "scalars", tensor: tensor, step: step)
    }

    /// Writes a histogram of `values` (`tf.summary.histogram`): `buckets` equal-width buckets
    /// between the minimum and maximum, stored as a `[buckets, 3]` float64 tensor of
    /// (left edge, right edge, count) rows with the `histograms` plugin tag.
    public func histogram(_ tag: String, _ values: Tensor, step: Int, buckets: Int = 30) throws {
        try histogram(tag, values.cast(to: .float64).toArray(of: Double.self), step: step, buckets: buckets)
    }

    /// Writes a histogram of `values` (see ``histogram(_:_:step:buckets:)-(_,Tensor,_,_)``).
    public func histogram(_ tag: String, _ values: [Double], step: Int, buckets: Int = 30) throws {
        guard buckets >= 0 else {
            throw KerasError.invalidArgument("SummaryWriter.histogram: buckets must be >= 0, got \(buckets)")
        }
        let rows = Self.histogramRows(values, buckets: buckets)
        var tensor = ProtobufEncoder()
        tensor.int64(1, DataType.double)
        tensor.message(2, Self.shape([rows.count, 3]))
        tensor.packedDoubles(6, rows.flatMap { [$0.left, $0.right, $0.count] })
        try write(tag: tag, plugin: "histograms", tensor: tensor, step: step)
    }

    /// The buckets TensorBoard's `histogram` summary computes: equal widths over [min, max], the
    /// maximum counted in the last bucket; a single distinct value fills the last bucket; empty
    /// data gives zero rows.
    static func histogramRows(_ values: [Double], buckets: Int) -> [(left: Double, right: Double, count: Double)] {
        guard buckets > 0 else { return [] }
        guard let lo = values.min(), let hi = values.max() else {
            return Array(repeating: (0, 0, 0), count: buckets)
        }
        if hi - lo == 0 {
            return (0..<buckets).map { (hi, hi, $0 == buckets - 1 ? Double(values.count) : 0) }
        }
        let width = (hi - lo) / Double(buckets)
        var counts = [Double](repeating: 0, count: buckets)
        for v in values {
            let index = Int(((v - lo) / width).rounded(.down))
            counts[min(max(index, 0), buckets - 1)] += 1
        }
        var edges = (0...buckets).map { lo + (hi - lo) * Double($0) / Double(buckets) }
        edges[buckets] = hi
        return (0..<buckets).map { (edges[$0], edges[$0 + 1], counts[$0]) }
    }

    /// Writes up to `maxOutputs` images (`tf.summary.image`) from a `[k, height, width, channels]`
    /// tensor (channels 1, 3 or 4): float values in [0, 1] (clipped) or uint8 values, PNG-encoded.
    public func image(_ tag: String, _ images: Tensor, step: Int, maxOutputs: Int = 3) throws {
        let s = images.shape
        guard s.count == 4, [1, 3, 4].contains(s[3]), s[1] > 0, s[2] > 0 else {
            throw KerasError.invalidArgument("SummaryWriter.image: expected a [k, height, width, channels] tensor with 1, 3 or 4 channels, got shape \(s)")
        }
        let values = images.cast(to: .float64).toArray(of: Double.self)
        let isFloat = images.dtype.isFloatingPoint
        let perImage = s[1] * s[2] * s[3]
        var strings: [[UInt8]] = [Array(String(s[2]).utf8), Array(String(s[1]).utf8)]
        for k in 0..<min(s[0], max(maxOutputs, 0)) {
            let pixels = values[(k * perImage)..<((k + 1) * perImage)].map { v -> UInt8 in
                let scaled = isFloat ? (min(max(v, 0), 1) * 255.5).rounded(.down) : min(max(v, 0), 255)
                return UInt8(min(scaled, 255))
            }
            strings.append(PNGEncoder.encode(pixels: pixels, width: s[2], height: s[1], channels: s[3]))
        }
        var tensor = ProtobufEncoder()
        tensor.int64(1, DataType.string)
        tensor.message(2, Self.shape([strings.count]))
        for string in strings { tensor.repeatedBytesElement(8, string) }
        try write(tag: tag, plugin: "images", tensor: tensor, step: step)
    }

    /// Writes text (`tf.summary.text`, Markdown in TensorBoard's Text tab).
    public func text(_ tag: String, _ text: String, step: Int) throws {
        try write(tag: tag, plugin: "text", tensor: Self.stringTensor(text), step: step)
    }

    /// Writes a string tensor under a plugin with its content bytes (as Keras's `keras_model_summary`
    /// writes the model JSON for the Graphs tab).
    func writeString(tag: String, _ value: String, plugin: String, content: [UInt8], step: Int) throws {
        try write(tag: tag, plugin: plugin, content: content, tensor: Self.stringTensor(value), step: step)
    }

    /// Flushes the event file to disk.
    public func flush() {
        lock.withLock { try? handle?.synchronize() }
    }

    /// Closes the event file; later writes throw.
    public func close() {
        lock.withLock {
            try? handle?.close()
            handle = nil
        }
    }

    // MARK: - Encoding

    /// `tensorflow.DataType` values.
    private enum DataType {
        static let float: Int64 = 1, double: Int64 = 2, string: Int64 = 7
    }

    private static func shape(_ dims: [Int]) -> ProtobufEncoder {
        var shape = ProtobufEncoder()
        for d in dims {
            var dim = ProtobufEncoder()
            dim.int64(1, Int64(d))
            shape.message(2, dim)
        }
        return shape
    }

    private static func stringTensor(_ value: String) -> ProtobufEncoder {
        var tensor = ProtobufEncoder()
        tensor.int64(1, DataType.string)
        tensor.message(2, ProtobufEncoder())
        tensor.repeatedBytesElement(8, Array(value.utf8))
        return tensor
    }

    private func write(tag: String, plugin: String, content: [UInt8] = [], tensor: ProtobufEncoder, step: Int) throws {
        var pluginData = ProtobufEncoder()
        pluginData.string(1, plugin)
        pluginData.bytes(2, content)
        var metadata = ProtobufEncoder()
        metadata.message(1, pluginData)
        var value = ProtobufEncoder()
        value.string(1, tag)
        value.message(9, metadata)
        value.message(8, tensor)
        var summary = ProtobufEncoder()
        summary.message(1, value)
        var event = ProtobufEncoder()
        event.double(1, Date().timeIntervalSince1970)
        event.int64(2, Int64(step))
        event.message(5, summary)
        try writeRecord(event.bytes)
    }

    private func writeRecord(_ bytes: [UInt8]) throws {
        try lock.withLock {
            guard let handle else {
                throw KerasError.unwritableFile(path: path, reason: "the SummaryWriter is closed")
            }
            do { try handle.write(contentsOf: TFRecord.frame(bytes)) } catch {
                throw KerasError.unwritableFile(path: path, reason: error.localizedDescription)
            }
        }
    }
}
