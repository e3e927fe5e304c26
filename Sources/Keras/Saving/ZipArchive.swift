import CZlib
import Foundation
import KerasCore

/// The zip container of `.keras` and `.npz` files: entries stored without compression (as Keras
/// writes them) and read back with every offset, size and name checked, so a truncated or hostile
/// archive throws instead of reading out of bounds. Deflated entries (NumPy's `savez_compressed`)
/// are inflated up to their declared size.
///
/// ```swift
/// var zip = ZipWriter()
/// zip.add("metadata.json", Array(#"{"keras_version": "3.15.1"}"#.utf8))
/// let bytes = zip.finish()
/// let entries = try ZipReader(bytes: bytes, name: "model.keras")
/// let metadata = try entries.data("metadata.json")
/// ```
struct ZipWriter {
    private var output: [UInt8] = []
    private var central: [UInt8] = []
    private var count = 0

    /// Appends a stored entry (names must be relative, without `..`).
    mutating func add(_ name: String, _ data: [UInt8]) {
        let nameBytes = Array(name.utf8)
        let crc = data.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
        let offset = output.count
        // Local file header.
        output.append32(0x0403_4b50)
        output.append16(20)                  // version needed
        output.append16(0x0800)              // flags: UTF-8 names
        output.append16(0)                   // stored
        output.append16(0); output.append16(0x21)   // time, date (1980-01-01)
        output.append32(crc)
        output.append32(UInt32(data.count)); output.append32(UInt32(data.count))
        output.append16(UInt16(nameBytes.count)); output.append16(0)
        output += nameBytes
        output.reserveCapacity(output.count + data.count + 4096)
        output += data
        // Central directory entry.
        central.append32(0x0201_4b50)
        central.append16(0x0314)             // made by: Unix, 2.0
        central.append16(20)
        central.append16(0x0800)
        central.append16(0)
        central.append16(0); central.append16(0x21)
        central.append32(crc)
        central.append32(UInt32(data.count)); central.append32(UInt32(data.count))
        central.append16(UInt16(nameBytes.count))
        central.append16(0); central.append16(0)   // extra, comment
        central.append16(0); central.append16(0)   // disk, internal attributes
        central.append32(0o100644 << 16)           // external attributes: regular file rw-r--r--
        central.append32(UInt32(offset))
        central += nameBytes
        count += 1
    }

    /// The archive's bytes.
    mutating func finish() -> [UInt8] {
        let centralOffset = output.count
        var out = output
        output = []
        out += central
        out.append32(0x0605_4b50)
        out.append16(0); out.append16(0)
        out.append16(UInt16(count)); out.append16(UInt16(count))
        out.append32(UInt32(central.count)); out.append32(UInt32(centralOffset))
        out.append16(0)
        return out
    }
}

/// Reads the entries of a zip archive held in memory (see ``ZipWriter``).
struct ZipReader {
    struct Entry {
        let name: String
        let method: UInt16
        let crc: UInt32
        let compressedSize: Int
        let size: Int
        let dataOffset: Int
    }
    let name: String
    private let bytes: [UInt8]
    /// The entries, in archive order.
    private(set) var entries: [Entry] = []

    /// Parses the central directory; throws for anything malformed, for names that are absolute
    /// or climb out of the archive (`..`), and for entries that overlap the directory.
    init(bytes: [UInt8], name: String) throws {
        self.bytes = bytes
        self.name = name
        func corrupt(_ expected: String, _ got: String) -> KerasError { .corruptFile(file: name, expected: expected, got: got) }
        guard bytes.count >= 22 else { throw corrupt("a zip archive", "\(bytes.count) bytes") }
        var end = -1
        var i = bytes.count - 22
        let lowest = max(0, bytes.count - 22 - 65535)
        while i >= lowest {
            if bytes.read32(i) == 0x0605_4b50 { end = i; break }
            i -= 1
        }
        guard end >= 0 else { throw corrupt("a zip archive (end of central directory record)", "none") }
        let total = Int(bytes.read16(end + 10))
        let directorySize = Int(bytes.read32(end + 12)), directoryOffset = Int(bytes.read32(end + 16))
        guard directoryOffset != 0xFFFF_FFFF, total != 0xFFFF else { throw corrupt("a zip archive without ZIP64 records", "ZIP64") }
        guard directoryOffset <= end, directorySize <= end - directoryOffset else {
            throw corrupt("a central directory inside the archive", "offset \(directoryOffset), size \(directorySize) in \(bytes.count) bytes")
        }
        var p = directoryOffset
        var seen = Set<String>()
        for _ in 0..<total {
            guard p + 46 <= end, bytes.read32(p) == 0x0201_4b50 else { throw corrupt("a central directory entry at offset \(p)", "other bytes") }
            let flags = bytes.read16(p + 8), method = bytes.read16(p + 10)
            let crc = bytes.read32(p + 16)
            let compressed = Int(bytes.read32(p + 20)), size = Int(bytes.read32(p + 24))
            let nameLength = Int(bytes.read16(p + 28)), extra = Int(bytes.read16(p + 30)), comment = Int(bytes.read16(p + 32))
            let local = Int(bytes.read32(p + 42))
            guard p + 46 + nameLength + extra + comment <= end else { throw corrupt("a complete central directory entry", "a truncated one") }
            let entryName = String(decoding: bytes[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self)
            p += 46 + nameLength + extra + comment
            guard flags & 1 == 0 else { throw corrupt("unencrypted entries", "an encrypted entry \(entryName)") }
            guard method == 0 || method == 8 else { throw corrupt("stored or deflated entries", "compression method \(method) for \(entryName)") }
            guard compressed != 0xFFFF_FFFF, size != 0xFFFF_FFFF, local != 0xFFFF_FFFF else { throw corrupt("entries without ZIP64 sizes", "\(entryName)") }
            let parts = entryName.split(separator: "/", omittingEmptySubsequences: false)
            guard !entryName.isEmpty, !entryName.hasPrefix("/"), !entryName.contains("\\"), !entryName.contains("\0"),
                  !parts.contains(".."), !parts.contains(".") else {
                throw corrupt("entry names inside the archive", "\"\(entryName)\"")
            }
            guard seen.insert(entryName).inserted else { throw corrupt("unique entry names", "\"\(entryName)\" twice") }
            guard local + 30 <= directoryOffset, bytes.read32(local) == 0x0403_4b50 else {
                throw corrupt("a local header for \(entryName) at offset \(local)", "other bytes")
            }
            let dataOffset = local + 30 + Int(bytes.read16(local + 26)) + Int(bytes.read16(local + 28))
            guard dataOffset <= directoryOffset, compressed <= directoryOffset - dataOffset else {
                throw corrupt("the data of \(entryName) inside the archive", "\(compressed) bytes at offset \(dataOffset)")
            }
            guard size <= compressed * 1100 + 1024 else { throw corrupt("a plausible size for \(entryName)", "\(size) bytes from \(compressed) compressed bytes") }
            guard method == 8 || compressed == size else { throw corrupt("a stored entry \(entryName) of \(size) bytes", "\(compressed) bytes") }
            entries.append(Entry(name: entryName, method: method, crc: crc, compressedSize: compressed, size: size, dataOffset: dataOffset))
        }
    }

    /// Whether the archive has an entry named `name`.
    func contains(_ entryName: String) -> Bool { entries.contains { $0.name == entryName } }

    /// The contents of entry `entryName`, checked against its CRC-32.
    func data(_ entryName: String) throws -> [UInt8] {
        guard let entry = entries.first(where: { $0.name == entryName }) else {
            throw KerasError.corruptFile(file: name, expected: "an entry \(entryName)", got: "entries \(entries.map(\.name))")
        }
        let raw = Array(bytes[entry.dataOffset..<(entry.dataOffset + entry.compressedSize)])
        let data = entry.method == 0 ? raw : try inflateRaw(raw, size: entry.size, entryName: entryName)
        let crc = data.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
        guard crc == entry.crc else {
            throw KerasError.corruptFile(file: name, expected: "CRC-32 \(entry.crc) for \(entryName)", got: "\(crc)")
        }
        return data
    }

    /// Inflates raw deflate data into exactly `size` bytes (at most 2^32).
    private func inflateRaw(_ input: [UInt8], size: Int, entryName: String) throws -> [UInt8] {
        try Gzip.inflate(input, exactly: size, raw: true, name: name, what: entryName)
    }
}

extension [UInt8] {
    mutating func append16(_ v: UInt16) { append(UInt8(v & 0xFF)); append(UInt8(v >> 8)) }
    mutating func append32(_ v: UInt32) { for s in stride(from: 0, to: 32, by: 8) { append(UInt8((v >> UInt32(s)) & 0xFF)) } }
    func read16(_ i: Int) -> UInt16 { UInt16(self[i]) | UInt16(self[i + 1]) << 8 }
    func read32(_ i: Int) -> UInt32 { UInt32(self[i]) | UInt32(self[i + 1]) << 8 | UInt32(self[i + 2]) << 16 | UInt32(self[i + 3]) << 24 }
}

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, flushed, then
/// renamed over the target, so a crash mid-save leaves the previous file intact.
func writeAtomically(_ bytes: [UInt8], to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent().path
    let temp = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UUID().uuidString.prefix(8))"
    let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL, 0o644)
    guard fd >= 0 else { throw KerasError.unwritableFile(path: path, reason: String(cString: strerror(errno))) }
    var offset = 0
    while offset < bytes.count {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else {
            let reason = String(cString: strerror(errno))
            close(fd); unlink(temp)
            throw KerasError.unwritableFile(path: path, reason: reason)
        }
        offset += n
    }
    guard fsync(fd) == 0, close(fd) == 0 else { unlink(temp); throw KerasError.unwritableFile(path: path, reason: "flush failed") }
    guard rename(temp, path) == 0 else {
        let reason = String(cString: strerror(errno))
        unlink(temp)
        throw KerasError.unwritableFile(path: path, reason: reason)
    }
}

/// Reads a whole file, refusing files larger than `maxBytes` (default 16 GiB).
func readFileBytes(_ path: String, maxBytes: Int = 16 << 30) throws -> [UInt8] {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw KerasError.unreadableFile(file: path, reason: String(cString: strerror(errno))) }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { throw KerasError.unreadableFile(file: path, reason: "not a regular file") }
    let size = Int(info.st_size)
    guard size <= maxBytes else { throw KerasError.unreadableFile(file: path, reason: "\(size) bytes is larger than the \(maxBytes)-byte limit") }
    var out = [UInt8](repeating: 0, count: size)
    var offset = 0
    while offset < size {
        let n = out.withUnsafeMutableBytes { read(fd, $0.baseAddress! + offset, size - offset) }
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else { throw KerasError.unreadableFile(file: path, reason: n == 0 ? "file shrank while reading" : String(cString: strerror(errno))) }
        offset += n
    }
    return out
}
