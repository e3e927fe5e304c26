import Foundation

/// TFRecord framing, the container of TensorFlow event files: each record is its length (uint64,
/// little-endian), the masked CRC-32C of those 8 bytes, the data, and the masked CRC-32C of the data.
///
/// ```swift
/// let framed = TFRecord.frame(Array("hello".utf8))
/// let records = try TFRecord.records(in: framed, file: "events")   // [[104, 101, 108, 108, 111]]
/// ```
public enum TFRecord {
    /// One record, framed.
    public static func frame(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + 16)
        let length = withUnsafeBytes(of: UInt64(data.count).littleEndian) { Array($0) }
        out += length
        withUnsafeBytes(of: CRC32C.masked(length).littleEndian) { out.append(contentsOf: $0) }
        out += data
        withUnsafeBytes(of: CRC32C.masked(data).littleEndian) { out.append(contentsOf: $0) }
        return out
    }

    /// The records of a TFRecord stream, with both checksums of every record verified.
    /// Throws `KerasError.corruptFile` naming `file` on a truncated record or a checksum mismatch.
    public static func records(in bytes: [UInt8], file: String) throws -> [[UInt8]] {
        var records: [[UInt8]] = []
        var offset = 0
        func uint<T: FixedWidthInteger>(_ type: T.Type, at position: Int) -> T {
            var value: T = 0
            for i in 0..<MemoryLayout<T>.size { value |= T(bytes[position + i]) << (8 * i) }
            return value
        }
        while offset < bytes.count {
            guard bytes.count - offset >= 12 else {
                throw KerasError.corruptFile(file: file, expected: "a 12-byte record header at offset \(offset)",
                                             got: "\(bytes.count - offset) bytes")
            }
            let lengthBytes = Array(bytes[offset..<offset + 8])
            guard uint(UInt32.self, at: offset + 8) == CRC32C.masked(lengthBytes) else {
                throw KerasError.corruptFile(file: file, expected: "the length checksum of the record at offset \(offset)",
                                             got: "a mismatch")
            }
            let length = uint(UInt64.self, at: offset)
            guard length <= UInt64(bytes.count - offset - 12), Int(length) + 4 <= bytes.count - offset - 12 else {
                throw KerasError.corruptFile(file: file, expected: "\(length) data bytes and a checksum at offset \(offset + 12)",
                                             got: "\(bytes.count - offset - 12) bytes")
            }
            let start = offset + 12, end = start + Int(length)
            let data = Array(bytes[start..<end])
            guard uint(UInt32.self, at: end) == CRC32C.masked(data) else {
                throw KerasError.corruptFile(file: file, expected: "the data checksum of the record at offset \(offset)",
                                             got: "a mismatch")
            }
            records.append(data)
            offset = end + 4
        }
        return records
    }

    /// The records of the TFRecord file at `path` (see ``records(in:file:)``).
    public static func records(atPath path: String) throws -> [[UInt8]] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KerasError.unreadableFile(file: path, reason: "no such file or not readable")
        }
        return try records(in: Array(data), file: path)
    }
}
