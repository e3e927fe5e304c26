import KerasCore

/// The string hashes TensorFlow buckets strings with, which Keras's `Hashing` layer and the
/// out-of-vocabulary buckets of `StringLookup`/`IntegerLookup` use: FarmHash's `Fingerprint64`
/// (`tf.strings.to_hash_bucket_fast`) and SipHash-2-4 keyed by a two-part salt
/// (`tf.strings.to_hash_bucket_strong`).
///
/// ```swift
/// let bucket = StringHashing.bucket(of: "cat", buckets: 10)                 // FarmHash
/// let salted = StringHashing.bucket(of: "cat", buckets: 10, salt: (1, 2))  // SipHash
/// ```
public enum StringHashing {
    /// The bucket in `0..<buckets` of `text`'s UTF-8 bytes: FarmHash Fingerprint64 without a
    /// salt, SipHash-2-4 keyed by `salt` with one.
    public static func bucket(of text: String, buckets: Int, salt: (UInt64, UInt64)? = nil) -> Int {
        let bytes = Array(text.utf8)
        let hash = salt.map { sipHash24(bytes, key: $0) } ?? fingerprint64(bytes)
        return Int(hash % UInt64(buckets))
    }

    // MARK: FarmHash Fingerprint64 (farmhashna::Hash64)

    private static let k0: UInt64 = 0xc3a5_c85c_97cb_3127
    private static let k1: UInt64 = 0xb492_b66f_be98_f273
    private static let k2: UInt64 = 0x9ae1_6a3b_2f90_404f

    @inline(__always) private static func load64(_ s: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt64 {
        var v: UInt64 = 0
        for j in 0..<8 { v |= UInt64(s[i + j]) << (8 * UInt64(j)) }
        return v
    }

    @inline(__always) private static func load32(_ s: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt64 {
        var v: UInt64 = 0
        for j in 0..<4 { v |= UInt64(s[i + j]) << (8 * UInt64(j)) }
        return v
    }

    @inline(__always) private static func rotate(_ v: UInt64, _ shift: UInt64) -> UInt64 {
        (v >> shift) | (v << (64 - shift))
    }

    @inline(__always) private static func shiftMix(_ v: UInt64) -> UInt64 { v ^ (v >> 47) }

    @inline(__always) private static func hash16(_ u: UInt64, _ v: UInt64, _ mul: UInt64) -> UInt64 {
        var a = (u ^ v) &* mul
        a ^= a >> 47
        var b = (v ^ a) &* mul
        b ^= b >> 47
        return b &* mul
    }

    /// `(a + z, b + c)` from 32 bytes at `i` and two seeds (FarmHash's WeakHashLen32WithSeeds).
    @inline(__always) private static func weak32(_ s: UnsafeBufferPointer<UInt8>, _ i: Int, _ seedA: UInt64, _ seedB: UInt64) -> (UInt64, UInt64) {
        let w = load64(s, i), x = load64(s, i + 8), y = load64(s, i + 16), z = load64(s, i + 24)
        var a = seedA &+ w
        var b = rotate(seedB &+ a &+ z, 21)
        let c = a
        a = a &+ x &+ y
        b = b &+ rotate(a, 44)
        return (a &+ z, b &+ c)
    }

    /// FarmHash's `Fingerprint64` of `bytes` (stable across platforms and versions).
    public static func fingerprint64(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBufferPointer { s in
            let n = s.count
            if n <= 16 { return short(s) }
            if n <= 32 {
                let mul = k2 &+ UInt64(n) &* 2
                let a = load64(s, 0) &* k1, b = load64(s, 8)
                let c = load64(s, n - 8) &* mul, d = load64(s, n - 16) &* k2
                return hash16(rotate(a &+ b, 43) &+ rotate(c, 30) &+ d, a &+ rotate(b &+ k2, 18) &+ c, mul)
            }
            if n <= 64 { return medium(s) }
            return long(s)
        }
    }

    private static func short(_ s: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let n = s.count
        if n >= 8 {
            let mul = k2 &+ UInt64(n) &* 2
            let a = load64(s, 0) &+ k2, b = load64(s, n - 8)
            let c = rotate(b, 37) &* mul &+ a
            let d = (rotate(a, 25) &+ b) &* mul
            return hash16(c, d, mul)
        }
        if n >= 4 {
            let mul = k2 &+ UInt64(n) &* 2
            return hash16(UInt64(n) &+ (load32(s, 0) << 3), load32(s, n - 4), mul)
        }
        if n > 0 {
            let y = UInt32(s[0]) &+ (UInt32(s[n >> 1]) << 8)
            let z = UInt32(n) &+ (UInt32(s[n - 1]) << 2)
            return shiftMix(UInt64(y) &* k2 ^ UInt64(z) &* k0) &* k2
        }
        return k2
    }

    private static func medium(_ s: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let n = s.count
        let mul = k2 &+ UInt64(n) &* 2
        let a = load64(s, 0) &* k2, b = load64(s, 8)
        let c = load64(s, n - 8) &* mul, d = load64(s, n - 16) &* k2
        let y = rotate(a &+ b, 43) &+ rotate(c, 30) &+ d
        let z = hash16(y, a &+ rotate(b &+ k2, 18) &+ c, mul)
        let e = load64(s, 16) &* mul, f = load64(s, 24)
        let g = (y &+ load64(s, n - 32)) &* mul
        let h = (z &+ load64(s, n - 24)) &* mul
        return hash16(rotate(e &+ f, 43) &+ rotate(g, 30) &+ h, e &+ rotate(f &+ a, 18) &+ g, mul)
    }

    private static func long(_ s: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let n = s.count
        let seed: UInt64 = 81
        var x = seed
        var y = seed &* k1 &+ 113
        var z = shiftMix(y &* k2 &+ 113) &* k2
        var v: (UInt64, UInt64) = (0, 0), w: (UInt64, UInt64) = (0, 0)
        x = x &* k2 &+ load64(s, 0)
        let end = ((n - 1) / 64) * 64
        let last64 = end + ((n - 1) & 63) - 63
        var i = 0
        repeat {
            x = rotate(x &+ y &+ v.0 &+ load64(s, i + 8), 37) &* k1
            y = rotate(y &+ v.1 &+ load64(s, i + 48), 42) &* k1
            x ^= w.1
            y = y &+ v.0 &+ load64(s, i + 40)
            z = rotate(z &+ w.0, 33) &* k1
            v = weak32(s, i, v.1 &* k1, x &+ w.0)
            w = weak32(s, i + 32, z &+ w.1, y &+ load64(s, i + 16))
            swap(&z, &x)
            i += 64
        } while i != end
        let mul = k1 &+ ((z & 0xff) << 1)
        i = last64
        w.0 = w.0 &+ UInt64((n - 1) & 63)
        v.0 = v.0 &+ w.0
        w.0 = w.0 &+ v.0
        x = rotate(x &+ y &+ v.0 &+ load64(s, i + 8), 37) &* mul
        y = rotate(y &+ v.1 &+ load64(s, i + 48), 42) &* mul
        x ^= w.1 &* 9
        y = y &+ v.0 &* 9 &+ load64(s, i + 40)
        z = rotate(z &+ w.0, 33) &* mul
        v = weak32(s, i, v.1 &* mul, x &+ w.0)
        w = weak32(s, i + 32, z &+ w.1, y &+ load64(s, i + 16))
        swap(&z, &x)
        return hash16(hash16(v.0, w.0, mul) &+ shiftMix(y) &* k0 &+ z, hash16(v.1, w.1, mul) &+ x, mul)
    }

    // MARK: SipHash-2-4

    /// SipHash-2-4 of `bytes` under the 128-bit key `(key.0, key.1)`.
    public static func sipHash24(_ bytes: [UInt8], key: (UInt64, UInt64)) -> UInt64 {
        var v0: UInt64 = 0x736f_6d65_7073_6575 ^ key.0
        var v1: UInt64 = 0x646f_7261_6e64_6f6d ^ key.1
        var v2: UInt64 = 0x6c79_6765_6e65_7261 ^ key.0
        var v3: UInt64 = 0x7465_6462_7974_6573 ^ key.1
        @inline(__always) func round() {
            v0 = v0 &+ v1; v1 = (v1 << 13) | (v1 >> 51); v1 ^= v0; v0 = (v0 << 32) | (v0 >> 32)
            v2 = v2 &+ v3; v3 = (v3 << 16) | (v3 >> 48); v3 ^= v2
            v0 = v0 &+ v3; v3 = (v3 << 21) | (v3 >> 43); v3 ^= v0
            v2 = v2 &+ v1; v1 = (v1 << 17) | (v1 >> 47); v1 ^= v2; v2 = (v2 << 32) | (v2 >> 32)
        }
        func absorb(_ m: UInt64) {
            v3 ^= m
            round(); round()
            v0 ^= m
        }
        let n = bytes.count
        var i = 0
        while i + 8 <= n {
            var m: UInt64 = 0
            for j in 0..<8 { m |= UInt64(bytes[i + j]) << (8 * UInt64(j)) }
            absorb(m)
            i += 8
        }
        var last = UInt64(n & 0xff) << 56
        for j in 0..<(n - i) { last |= UInt64(bytes[i + j]) << (8 * UInt64(j)) }
        absorb(last)
        v2 ^= 0xff
        round(); round(); round(); round()
        return v0 ^ v1 ^ v2 ^ v3
    }
}

/// Keras's `salt` argument (one integer, used for both key halves, or two), shared by
/// ``Hashing`` and the lookup layers.
enum HashSalt {
    /// Two integers (a single one doubled), as Keras stores it.
    static func normalized(_ salt: [Int]?) -> [Int]? { salt.map { $0.count == 1 ? [$0[0], $0[0]] : $0 } }

    /// The SipHash key of a normalized salt (integers taken as their 64-bit patterns, as TensorFlow does).
    static func key(_ salt: [Int]?) -> (UInt64, UInt64)? {
        salt.map { (UInt64(bitPattern: Int64($0[0])), UInt64(bitPattern: Int64($0[1]))) }
    }

    static func validate(_ salt: [Int]?, layer: String) throws {
        guard let salt else { return }
        try ensure(salt.count == 1 || salt.count == 2, "\(layer): The `salt` argument can only be a tuple of 2 integers, or a single integer. Received: salt=\(salt).")
    }

    /// The salt of a config value: null, an integer or a list of two integers.
    static func read(_ value: ConfigValue?) throws -> [Int]? {
        guard let value, !value.isNull else { return nil }
        if let i = value.intValue { return [i] }
        guard let items = value.arrayValue, items.count == 2, items.allSatisfy({ $0.intValue != nil }) else {
            throw KerasError.invalidConfig("expected an integer or a list of 2 integers, received \(value)")
        }
        return items.compactMap(\.intValue)
    }

    static func configValue(_ salt: [Int]?) -> ConfigValue { salt.map { .array($0.map { .int($0) }) } ?? .null }
}
