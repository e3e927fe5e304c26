import Foundation

/// Streams each epoch's logs to a CSV file (Keras's `CSVLogger`), in the format Python's `csv`
/// module writes: header `epoch,<sorted keys>`, values as Python prints floats, `\r\n` line ends,
/// `NA` for a missing value. When the first epoch has no `val_` keys, `val_<key>` columns are
/// added for every key (filled with `NA` until validation data appears), exactly as Keras does.
///
/// ```swift
/// let logger = CSVLogger("training.csv")                 // overwrite
/// let resumed = CSVLogger("training.csv", append: true)  // keep earlier rows, no second header
/// ```
public final class CSVLogger: Callback, @unchecked Sendable {
    /// The `filename` this `CSVLogger` was created with.
    public let filename: String
    /// The `separator` this `CSVLogger` was created with.
    public let separator: String
    /// The `append` this `CSVLogger` was created with.
    public let append: Bool
    private var handle: FileHandle?
    private var keys: [String]?
    private var writeHeader = true

    /// Creates a `CSVLogger` with Keras's arguments and defaults (the names in Swift case).
    public init(_ filename: String, separator: String = ",", append: Bool = false) {
        self.filename = filename
        self.separator = separator
        self.append = append
        super.init()
    }

    public override func onTrainBegin(logs: [String: Double]) throws {
        try? handle?.close()
        handle = nil
        let manager = FileManager.default
        writeHeader = true
        if append, manager.fileExists(atPath: filename) {
            // A header is written only into an empty file (Keras reads the first line).
            let size = (try? manager.attributesOfItem(atPath: filename)[.size] as? Int) ?? 0
            writeHeader = size == 0
        } else if !manager.createFile(atPath: filename, contents: nil) {
            throw KerasError.unwritableFile(path: filename, reason: "could not create the file")
        }
        do {
            let h = try FileHandle(forWritingTo: URL(fileURLWithPath: filename))
            if append { try h.seekToEnd() } else { try h.truncate(atOffset: 0) }
            handle = h
        } catch {
            throw KerasError.unwritableFile(path: filename, reason: error.localizedDescription)
        }
        keys = nil
    }

    public override func onEpochEnd(_ epoch: Int, logs: inout [String: Double]) throws {
        guard let handle else {
            throw KerasError.unwritableFile(path: filename, reason: "CSVLogger.onEpochEnd called before onTrainBegin")
        }
        if keys == nil {
            var k = logs.keys.sorted()
            if !k.isEmpty && !k.contains(where: { $0.hasPrefix("val_") }) { k += k.map { "val_" + $0 } }
            keys = k
            if writeHeader { try write(row(["epoch"] + k), to: handle) }
        }
        let fields = [String(epoch)] + keys!.map { key in logs[key].map(PythonFormat.repr) ?? "NA" }
        try write(row(fields), to: handle)
    }

    public override func onTrainEnd(logs: [String: Double]) throws {
        try? handle?.close()
        handle = nil
    }

    /// One CSV record with minimal quoting (fields holding the separator, quotes or line breaks).
    private func row(_ fields: [String]) -> String {
        fields.map { field in
            if field.contains(separator) || field.contains("\"") || field.contains("\n") || field.contains("\r") {
                return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return field
        }.joined(separator: separator) + "\r\n"
    }

    private func write(_ text: String, to handle: FileHandle) throws {
        do { try handle.write(contentsOf: Data(text.utf8)) } catch {
            throw KerasError.unwritableFile(path: filename, reason: error.localizedDescription)
        }
    }
}
