import Foundation

/// A reader for tar archives (POSIX ustar, with GNU long names and pax `path` records) held in
/// memory, enough for the dataset archives Keras downloads (`cifar-10-python.tar.gz`).
///
/// Only regular files are returned, by their path inside the archive; nothing is written to disk.
/// Paths that could escape an extraction directory (absolute, or with `..`) are refused, as
/// Python's `tarfile` "data" filter does; links and devices are skipped; checksums are verified.
///
/// ```swift
/// let tar = try TarArchive(Gzip.decompress(bytes, name: path), name: path)
/// let batch = try tar.file("cifar-10-batches-py/data_batch_1")
/// ```
struct TarArchive {
    /// A regular file: its path and where its bytes lie in the archive.
    struct Member {
        let path: String
        let range: Range<Int>
    }

    let bytes: [UInt8]
    let name: String
    private(set) var members: [Member] = []

    init(_ bytes: [UInt8], name: String) throws {
        self.bytes = bytes
        self.name = name
        var offset = 0
        var longName: String?
        while offset + 512 <= bytes.count {
            let header = bytes[offset..<(offset + 512)]
            if header.allSatisfy({ $0 == 0 }) { break }  // end-of-archive marker
            let stored = try octal(header, 148, 8, "checksum")
            let sum = header.enumerated().reduce(0) { $0 + (148..<156 ~= $1.offset ? 32 : Int($1.element)) }
            guard sum == stored else {
                throw corrupt("header checksum \(stored) at offset \(offset)", "\(sum): a damaged or truncated archive")
            }
            let size = try octal(header, 124, 12, "size")
            let dataStart = offset + 512
            guard size <= bytes.count - dataStart else {
                throw corrupt("\(size) bytes of data at offset \(dataStart)", "\(bytes.count - dataStart): a truncated archive")
            }
            let data = dataStart..<(dataStart + size)
            let type = header[header.startIndex + 156]
            var path = longName ?? field(header, 0, 100)
            longName = nil
            if header[(header.startIndex + 257)..<(header.startIndex + 262)].elementsEqual("ustar".utf8) {
                let prefix = field(header, 345, 155)
                if !prefix.isEmpty, !path.isEmpty, path == field(header, 0, 100) { path = prefix + "/" + path }
            }
            switch type {
            case UInt8(ascii: "L"):  // GNU long name for the next member
                longName = String(decoding: bytes[data].prefix { $0 != 0 }, as: UTF8.self)
            case UInt8(ascii: "x"):  // pax extended header for the next member
                longName = paxPath(bytes[data])
            case 0, UInt8(ascii: "0"), UInt8(ascii: "7"):
                members.append(Member(path: try safePath(path), range: data))
            default:
                break  // directories, links, devices, FIFOs, pax globals: nothing to read
            }
            offset = dataStart + (size + 511) / 512 * 512
        }
    }

    /// The bytes of the regular file at `path`.
    func file(_ path: String) throws -> [UInt8] {
        guard let member = members.last(where: { $0.path == path }) else {
            throw corrupt("a file '\(path)' in the archive", "files \(members.map(\.path).prefix(20))")
        }
        return Array(bytes[member.range])
    }

    private func corrupt(_ expected: String, _ got: String) -> KerasError {
        .corruptFile(file: name, expected: "a tar archive with \(expected)", got: got)
    }

    /// A NUL-terminated text field.
    private func field(_ header: ArraySlice<UInt8>, _ start: Int, _ length: Int) -> String {
        let raw = header[(header.startIndex + start)..<(header.startIndex + start + length)]
        return String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// An octal number field (NUL/space padded); GNU base-256 sizes are refused.
    private func octal(_ header: ArraySlice<UInt8>, _ start: Int, _ length: Int, _ what: String) throws -> Int {
        let text = field(header, start, length).trimmingCharacters(in: [" "])
        guard !text.isEmpty, text.count <= 11, let value = Int(text, radix: 8), value >= 0 else {
            throw corrupt("an octal \(what) field", "'\(text)'")
        }
        return value
    }

    /// The `path=` record of a pax header, if any.
    private func paxPath(_ data: ArraySlice<UInt8>) -> String? {
        let text = String(decoding: data, as: UTF8.self)
        for record in text.split(separator: "\n") {
            guard let space = record.firstIndex(of: " ") else { continue }
            let pair = record[record.index(after: space)...]
            if pair.hasPrefix("path=") { return String(pair.dropFirst(5)) }
        }
        return nil
    }

    /// `path` without `./` components, refused when absolute or climbing out with `..`.
    private func safePath(_ path: String) throws -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        guard !path.hasPrefix("/"), !parts.contains(".."), !parts.isEmpty, !path.contains("\0") else {
            throw corrupt("relative member paths inside the archive", "'\(path)', refused")
        }
        return parts.joined(separator: "/")
    }
}
