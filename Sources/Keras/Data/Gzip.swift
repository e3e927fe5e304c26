import CZlib
import Foundation

/// gzip / zlib decompression through the system zlib, bounded: nothing is inflated past a limit
/// the caller sets, so a small hostile file (a "gzip bomb") cannot make a loader allocate gigabytes.
enum Gzip {
    /// The default limit of ``decompress(_:name:maxOutputBytes:)``: 1 GiB.
    static let defaultMaxOutputBytes = 1 << 30

    /// Deflate cannot expand data by more than about 1032:1; a stream claiming more is corrupt.
    static let maxExpansionRatio = 1032

    /// Inflates one complete deflate stream that must hold exactly `size` bytes: a zlib stream, or
    /// raw deflate data when `raw` is set (zip entries). `name` is the file, `what` the part of it,
    /// both for the error message.
    ///
    /// ```swift
    /// let chunk = try Gzip.inflate(compressed, exactly: 4096, raw: false, name: "m.h5", what: "a chunk of /w")
    /// ```
    ///
    /// Throws `KerasError/corruptFile(file:expected:got:)` when the stream is damaged, ends early,
    /// or holds more or fewer than `size` bytes.
    static func inflate(_ input: [UInt8], exactly size: Int, raw: Bool, name: String, what: String) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, raw ? -15 : 15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw KerasError.unreadableFile(file: name, reason: "zlib inflateInit failed")
        }
        defer { inflateEnd(&stream) }
        // One spare byte: a stream holding more than `size` bytes does not end within the buffer.
        var output = [UInt8](repeating: 0, count: size + 1)
        var input = input
        let status: Int32 = input.withUnsafeMutableBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                stream.next_in = inBuf.baseAddress
                stream.avail_in = uInt(inBuf.count)
                stream.next_out = outBuf.baseAddress
                stream.avail_out = uInt(outBuf.count)
                return CZlib.inflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END, Int(stream.total_out) == size else {
            throw KerasError.corruptFile(file: name, expected: "\(size) bytes of deflate data in \(what)",
                                         got: "zlib status \(status) after \(stream.total_out) bytes")
        }
        output.removeLast()
        return output
    }

    /// Inflates a complete gzip (or zlib) stream of at most `maxOutputBytes` bytes. `name` is used
    /// in error messages.
    ///
    /// ```swift
    /// let bytes = try Gzip.decompress(Gzip.compress(data), name: "cache.gz", maxOutputBytes: 1 << 20)
    /// ```
    ///
    /// Throws `KerasError/corruptFile(file:expected:got:)` for a damaged stream, a stream that
    /// ends before its end marker (a truncated download), and output past `maxOutputBytes`
    /// (stopping as soon as the limit is passed).
    static func decompress(_ input: [UInt8], name: String, maxOutputBytes: Int = defaultMaxOutputBytes) throws -> [UInt8] {
        let inflater = try Inflater(input, name: name)
        var output: [UInt8] = []
        while true {
            let room = maxOutputBytes - output.count
            let chunk = try inflater.read(upTo: Swift.max(1, Swift.min(Swift.min(room, Int.max - 1) + 1, Swift.max(1 << 16, output.count))))
            output += chunk
            if output.count > maxOutputBytes {
                throw KerasError.corruptFile(file: name, expected: "at most \(maxOutputBytes) decompressed bytes",
                                             got: "more (from \(input.count) compressed bytes)")
            }
            if inflater.finished { return output }
        }
    }

    /// An incremental inflater: reads exactly the bytes asked for, so a caller can read a header,
    /// check the size it declares, and inflate only that much.
    final class Inflater {
        private var stream = z_stream()
        private let input: UnsafeMutableBufferPointer<UInt8>
        private let name: String
        /// Whether the end of the compressed stream has been reached.
        private(set) var finished = false

        /// Starts inflating `data` (gzip or zlib, auto-detected).
        init(_ data: [UInt8], name: String) throws {
            self.name = name
            guard data.count >= 18 else {
                throw KerasError.corruptFile(file: name, expected: "a gzip stream (at least 18 bytes)", got: "\(data.count) bytes")
            }
            input = .allocate(capacity: data.count)
            _ = input.initialize(from: data)
            // 15 + 32: accept gzip and zlib headers.
            guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                input.deallocate()
                throw KerasError.unreadableFile(file: name, reason: "zlib inflateInit failed")
            }
            stream.next_in = input.baseAddress
            stream.avail_in = uInt(input.count)
        }

        deinit {
            inflateEnd(&stream)
            input.deallocate()
        }

        /// The compressed size.
        var compressedCount: Int { input.count }

        /// Up to `count` more bytes; fewer only at the end of the stream.
        func read(upTo count: Int) throws -> [UInt8] {
            var output = [UInt8](repeating: 0, count: count)
            var produced = 0
            while produced < count && !finished {
                let status = output.withUnsafeMutableBufferPointer { out -> Int32 in
                    stream.next_out = out.baseAddress! + produced
                    stream.avail_out = uInt(count - produced)
                    let r = CZlib.inflate(&stream, Z_NO_FLUSH)
                    produced = count - Int(stream.avail_out)
                    return r
                }
                switch status {
                case Z_STREAM_END: finished = true
                case Z_OK: continue
                case Z_BUF_ERROR where stream.avail_in == 0:
                    throw KerasError.corruptFile(file: name, expected: "a complete gzip stream",
                                                 got: "a stream that ends early (truncated file, \(input.count) bytes)")
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                    throw KerasError.corruptFile(file: name, expected: "a valid gzip stream", got: message)
                }
            }
            output.removeSubrange(produced...)
            return output
        }

        /// Exactly `count` bytes; `what` names them in the error when the stream ends first.
        func read(exactly count: Int, what: String) throws -> [UInt8] {
            let bytes = try read(upTo: count)
            guard bytes.count == count else {
                throw KerasError.corruptFile(file: name, expected: "\(count) \(what)", got: "\(bytes.count)")
            }
            return bytes
        }

        /// Checks that the stream ends here: no data past what was read.
        func expectEnd(after what: String) throws {
            let extra = try read(upTo: 1)
            guard extra.isEmpty else {
                throw KerasError.corruptFile(file: name, expected: "the stream to end after \(what)", got: "more data")
            }
        }
    }

    /// Compresses `input` as a gzip stream (used to write IDX test files and caches).
    static func compress(_ input: [UInt8], level: Int32 = 6) -> [UInt8] {
        var stream = z_stream()
        // 15 + 16: write a gzip header and trailer.
        let initStatus = deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                                       ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        require(initStatus == Z_OK, "Gzip.compress: deflateInit2 failed (\(initStatus))")
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 32)
        var input = input
        let produced = input.withUnsafeMutableBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf -> Int in
                stream.next_in = inBuf.baseAddress
                stream.avail_in = uInt(inBuf.count)
                stream.next_out = outBuf.baseAddress
                stream.avail_out = uInt(outBuf.count)
                let status = deflate(&stream, Z_FINISH)
                require(status == Z_STREAM_END, "Gzip.compress: deflate returned \(status)")
                return outBuf.count - Int(stream.avail_out)
            }
        }
        output.removeSubrange(produced...)
        return output
    }
}
