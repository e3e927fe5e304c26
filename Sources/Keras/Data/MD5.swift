import Foundation

/// MD5 (RFC 1321), only to check the files Keras itself checks with MD5 (its word-index JSON
/// files, whose published hashes are 32 hex digits). Not for anything security-related.
///
/// ```swift
/// var hasher = MD5()
/// hasher.update(Array("abc".utf8))
/// hasher.hexDigest()   // "900150983cd24fb0d6963f7d28e17f72"
/// ```
public struct MD5: Sendable {
    private var state: [UInt32] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476]
    private var buffer: [UInt8] = []
    private var length: UInt64 = 0

    private static let shifts: [UInt32] = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]
    private static let k: [UInt32] = (0..<64).map { UInt32(truncatingIfNeeded: Int64(abs(sin(Double($0 + 1))) * 4_294_967_296)) }

    /// A hasher with an empty message.
    public init() {}

    /// Adds `bytes` to the message.
    public mutating func update(_ bytes: [UInt8]) {
        length &+= UInt64(bytes.count)
        buffer += bytes
        var start = 0
        while buffer.count - start >= 64 {
            compress(buffer[start..<(start + 64)])
            start += 64
        }
        buffer.removeFirst(start)
    }

    /// The digest as 32 lowercase hex digits (the message is padded; the hasher is spent).
    public mutating func hexDigest() -> String {
        let bitLength = length &* 8
        var tail: [UInt8] = [0x80]
        tail += [UInt8](repeating: 0, count: (55 - buffer.count % 64 + 64) % 64)
        for i in 0..<8 { tail.append(UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64(i)))) }
        update(tail)
        return state.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * UInt32($0))) } }
            .map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    private mutating func compress(_ block: ArraySlice<UInt8>) {
        let base = block.startIndex
        let m = (0..<16).map { i in
            (0..<4).reduce(UInt32(0)) { $0 | UInt32(block[base + 4 * i + $1]) << (8 * UInt32($1)) }
        }
        var (a, b, c, d) = (state[0], state[1], state[2], state[3])
        for i in 0..<64 {
            var f: UInt32
            let g: Int
            switch i / 16 {
            case 0: f = (b & c) | (~b & d); g = i
            case 1: f = (d & b) | (~d & c); g = (5 * i + 1) % 16
            case 2: f = b ^ c ^ d; g = (3 * i + 5) % 16
            default: f = c ^ (b | ~d); g = (7 * i) % 16
            }
            f = f &+ a &+ Self.k[i] &+ m[g]
            let s = Self.shifts[(i / 16) * 4 + i % 4]
            (a, d, c) = (d, c, b)
            b = b &+ (f << s | f >> (32 - s))
        }
        state[0] &+= a; state[1] &+= b; state[2] &+= c; state[3] &+= d
    }
}
