import CZlib
import Foundation

/// gzip / zlib decompression through the system zlib.
enum Gzip {
    /// Inflates a complete gzip (or zlib) stream. `name` is used in error messages.
    ///
    /// Throws ``KerasError/corrupt(file:expected:got:)`` for a damaged stream and for a stream that
    /// ends before its end marker (a truncated download).
    static func decompress(_ input: [UInt8], name: String) throws -> [UInt8] {
        guard input.count >= 18 else {
            throw KerasError.corruptFile(file: name, expected: "a gzip stream (at least 18 bytes)",
                                       got: "\(input.count) bytes")
        }
        // The gzip trailer stores the uncompressed size modulo 2^32: a good first capacity.
        let n = input.count
        let hint = Int(input[n - 4]) | Int(input[n - 3]) << 8 | Int(input[n - 2]) << 16 | Int(input[n - 1]) << 24
        // Deflate cannot exceed ~1032:1, so a damaged trailer cannot ask for a huge buffer.
        var output = [UInt8](repeating: 0, count: max(min(hint, n * 1032), 1024))
        var produced = 0

        var stream = z_stream()
        // 15 + 32: accept gzip and zlib headers (auto-detected).
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw KerasError.unreadableFile(file: name, reason: "zlib inflateInit failed")
        }
        defer { inflateEnd(&stream) }

        var status: Int32 = Z_OK
        try input.withUnsafeBufferPointer { inBuf in
            stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress!)
            stream.avail_in = uInt(inBuf.count)
            while true {
                if produced == output.count {
                    output.append(contentsOf: [UInt8](repeating: 0, count: output.count))
                }
                status = output.withUnsafeMutableBufferPointer { outBuf -> Int32 in
                    stream.next_out = outBuf.baseAddress! + produced
                    stream.avail_out = uInt(outBuf.count - produced)
                    let r = inflate(&stream, Z_NO_FLUSH)
                    produced = outBuf.count - Int(stream.avail_out)
                    return r
                }
                if status == Z_STREAM_END { break }
                if status == Z_BUF_ERROR && stream.avail_in == 0 {
                    throw KerasError.corruptFile(file: name, expected: "a complete gzip stream",
                                               got: "a stream that ends early (truncated file, \(input.count) bytes)")
                }
                if status != Z_OK && status != Z_BUF_ERROR {
                    let message = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                    throw KerasError.corruptFile(file: name, expected: "a valid gzip stream", got: "\(message)")
                }
            }
        }
        output.removeSubrange(produced...)
        return output
    }

    /// Compresses `input` as a gzip stream (used to write IDX test files and caches).
    static func compress(_ input: [UInt8], level: Int32 = 6) -> [UInt8] {
        var stream = z_stream()
        // 15 + 16: write a gzip header and trailer.
        let initStatus = deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                                       ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        precondition(initStatus == Z_OK, "Gzip.compress: deflateInit2 failed (\(initStatus))")
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
                precondition(status == Z_STREAM_END, "Gzip.compress: deflate returned \(status)")
                return outBuf.count - Int(stream.avail_out)
            }
        }
        output.removeSubrange(produced...)
        return output
    }
}
