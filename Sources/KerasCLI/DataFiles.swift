import Foundation
import Keras

/// Reading and writing the array files `keras predict` takes and writes: NumPy `.npy` and
/// `.npz`, and CSV (one sample per line, numbers separated by commas, an optional header line).
///
/// ```swift
/// let arrays = try DataFiles.read("x.csv")          // ["x": Tensor of shape (rows, columns)]
/// try DataFiles.write(["dense": y], to: "y.npy")
/// ```
public enum DataFiles {
    /// The arrays in a file: one for `.npy` and `.csv` (named by the file stem), each by its
    /// name for `.npz`.
    ///
    /// - Throws: ``KerasError`` for unknown extensions and unreadable or malformed files.
    public static func read(_ path: String) throws -> [(name: String, tensor: Tensor)] {
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        switch fileExtension(path) {
        case "npy": return [(stem, try Tensor(npyFile: path))]
        case "npz": return try loadNPZ(path).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        case "csv": return [(stem, try readCSV(path))]
        default:
            throw KerasError.invalidArgument("Unsupported data file \(path): use .npy, .npz or .csv")
        }
    }

    /// Writes outputs: `.npy` and `.csv` take exactly one array, `.npz` any number by name.
    ///
    /// - Throws: ``KerasError`` for unknown extensions, several outputs to a one-array format,
    ///   and unwritable files.
    public static func write(_ arrays: [(name: String, tensor: Tensor)], to path: String) throws {
        let ext = fileExtension(path)
        if ext == "npz" {
            try saveNPZ(Dictionary(arrays.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a }), to: path)
            return
        }
        guard ["npy", "csv"].contains(ext) else {
            throw KerasError.invalidArgument("Unsupported output file \(path): use .npy, .npz or .csv")
        }
        guard arrays.count == 1 else {
            throw KerasError.invalidArgument("The model has \(arrays.count) outputs (\(arrays.map(\.name).joined(separator: ", "))); write them to an .npz file, or one .\(ext) file cannot hold them")
        }
        if ext == "npy" {
            try arrays[0].tensor.save(npy: path)
        } else {
            try writeCSV(arrays[0].tensor, to: path)
        }
    }

    static func fileExtension(_ path: String) -> String {
        URL(fileURLWithPath: path).pathExtension.lowercased()
    }

    /// A float32 tensor of shape (rows, columns) from a CSV file of numbers.
    static func readCSV(_ path: String) throws -> Tensor {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw KerasError.unreadableFile(file: path, reason: error.localizedDescription)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw KerasError.corruptFile(file: path, expected: "UTF-8 text", got: "other bytes")
        }
        var values: [Float] = []
        var columns: Int?
        var rows = 0
        for (number, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let parsed = fields.map { Float($0) }
            if parsed.contains(where: { $0 == nil }) {
                if rows == 0 && columns == nil { columns = fields.count; continue }   // a header line
                let bad = fields[parsed.firstIndex { $0 == nil }!]
                throw KerasError.corruptFile(file: path, expected: "numbers on line \(number + 1)", got: "\"\(bad)\"")
            }
            if let columns, columns != fields.count {
                throw KerasError.corruptFile(file: path, expected: "\(columns) columns on line \(number + 1)", got: "\(fields.count)")
            }
            columns = fields.count
            values.append(contentsOf: parsed.map { $0! })
            rows += 1
        }
        guard rows > 0, let columns else {
            throw KerasError.corruptFile(file: path, expected: "at least one row of numbers", got: "none")
        }
        return Tensor(shape: [rows, columns], scalars: values)
    }

    /// Writes one line per sample (axis 0), its values (flattened) separated by commas.
    static func writeCSV(_ tensor: Tensor, to path: String) throws {
        let rows = tensor.shape.first ?? 1
        let width = rows == 0 ? 0 : tensor.scalarCount / rows
        let values = tensor.toArray(of: Double.self)
        var text = ""
        text.reserveCapacity(values.count * 12)
        for r in 0..<rows {
            for c in 0..<width {
                if c > 0 { text += "," }
                let v = values[r * width + c]
                text += tensor.dtype.isFloatingPoint ? (tensor.dtype == .float32 ? Float(v).description : v.description) : String(Int64(v))
            }
            text += "\n"
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw KerasError.unwritableFile(path: path, reason: error.localizedDescription)
        }
    }
}
