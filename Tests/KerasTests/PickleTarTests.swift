import Foundation
@testable import Keras
import KerasTestSupport
import Testing

/// The restricted pickle reader and the tar reader behind the dataset loaders: what they accept
/// (pickles written by Python at protocols 2–4, datasets_expected.json), and hostile bytes they
/// must refuse with a KerasError — never running anything, never crashing.
@Suite("Pickle and tar readers") struct PickleTarTests {
    nonisolated(unsafe) static let pickles = (try! loadFixture("datasets_expected.json") as! [String: Any])["pickles"] as! [String: Any]

    static func bytes(_ hex: Any?) -> [UInt8] {
        let text = Array((hex as! String).utf8)
        return stride(from: 0, to: text.count, by: 2).map { UInt8(String(decoding: text[$0..<($0 + 2)], as: UTF8.self), radix: 16)! }
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined() }

    /// The text form datasets_generate.py's `canonical` writes.
    static func canonical(_ value: PickleValue) -> String {
        switch value {
        case .bool(let b): b ? "true" : "false"
        case .none: "null"
        case .int(let i): "\(i)"
        case .float(let d): "\(d)"
        case .string(let s): "s:" + hex(Array(s.utf8))
        case .bytes(let b): "b:" + hex(b)
        case .tuple(let items): "[" + items.map(canonical).joined(separator: ",") + "]"
        case .list(let list): "[" + list.items.map(canonical).joined(separator: ",") + "]"
        case .dict(let dict): "{" + dict.items.map { canonical($0.key) + ":" + canonical($0.value) }.joined(separator: ",") + "}"
        case .global, .dtype, .array: "?"
        }
    }

    @Test func readsPythonPicklesOfProtocols2To4() throws {
        for (protocolVersion, hex) in Self.pickles["plain"] as! [String: Any] {
            let value = try PickleReader.load(Self.bytes(hex), name: "p\(protocolVersion)")
            #expect(Self.canonical(value) == Self.pickles["plain_canonical"] as! String, "protocol \(protocolVersion)")
        }
        // A memoized list appears twice as the same object.
        guard case .list(let outer) = try PickleReader.load(Self.bytes(Self.pickles["shared_list"]), name: "shared"),
              case .list(let a) = outer.items[0], case .list(let b) = outer.items[1] else {
            Issue.record("expected a list of two lists")
            return
        }
        #expect(a === b)
    }

    @Test func refusesCodeAndUnsupportedStreams() throws {
        for (name, hex) in Self.pickles["hostile"] as! [String: Any] {
            #expect(throws: KerasError.self, "\(name)") { try PickleReader.load(Self.bytes(hex), name: name) }
        }
        #expect {
            try PickleReader.load(Self.bytes((Self.pickles["hostile"] as! [String: Any])["os_system_p2"]), name: "evil.pkl")
        } throws: { error in
            let text = "\(error)"
            return text.contains("evil.pkl") && (text.contains("posix.system") || text.contains("os.system")) && text.contains("refused")
        }
        // Lengths past the end, stack underflow, missing memo entries, data after STOP, deep nesting.
        let cases: [(String, [UInt8])] = [
            ("huge BINUNICODE", [0x80, 2, UInt8(ascii: "X"), 0xFF, 0xFF, 0xFF, 0x7F, UInt8(ascii: ".")]),
            ("huge BINBYTES8", [0x80, 4, 0x8E] + [UInt8](repeating: 0xFF, count: 8) + [UInt8(ascii: ".")]),
            ("APPEND on empty", [0x80, 2, UInt8(ascii: "a"), UInt8(ascii: ".")]),
            ("missing memo", [0x80, 2, UInt8(ascii: "h"), 7, UInt8(ascii: ".")]),
            ("trailing data", [0x80, 2, UInt8(ascii: "N"), UInt8(ascii: "."), 0]),
            ("no STOP", [0x80, 2, UInt8(ascii: "N")]),
            ("two values", [0x80, 2, UInt8(ascii: "N"), UInt8(ascii: "N"), UInt8(ascii: ".")]),
            ("open MARK", [0x80, 2, UInt8(ascii: "("), UInt8(ascii: "N"), UInt8(ascii: ".")]),
            ("LONG1 of 9 bytes", [0x80, 2, 0x8A, 9] + [UInt8](repeating: 1, count: 9) + [UInt8(ascii: ".")]),
            ("REDUCE of a non-global", [0x80, 2, UInt8(ascii: "N"), UInt8(ascii: ")"), UInt8(ascii: "R"), UInt8(ascii: ".")]),
            ("BUILD on a list", [0x80, 2, UInt8(ascii: "]"), UInt8(ascii: ")"), UInt8(ascii: "b"), UInt8(ascii: ".")]),
            ("list key", [0x80, 2, UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: "N"), UInt8(ascii: "s"), UInt8(ascii: ".")]),
            ("empty", []),
        ]
        for (name, bytes) in cases {
            #expect(throws: KerasError.self, "\(name)") { try PickleReader.load(bytes, name: name) }
        }
        let deep = [0x80, 2] + [UInt8](repeating: UInt8(ascii: "]"), count: 100_000) + [UInt8(ascii: ".")]
        #expect(throws: KerasError.self) { try PickleReader.load(deep, name: "deep") }
    }

    /// Every truncation and thousands of random byte changes of real pickles (a CIFAR-style batch
    /// with an ndarray, and NumPy's object-array pickle) either decode or throw a KerasError.
    @Test func survivesMutatedAndTruncatedPickles() throws {
        let tar = try TarArchive(Gzip.decompress(readFileBytes(fixturesDirectory.path + "/datasets/cifar-100-python.tar.gz"), name: "c"), name: "c")
        let meta = try tar.file("cifar-100-python/meta")
        let plain = Self.bytes((Self.pickles["plain"] as! [String: Any])["4"])
        var rng = NumPyRandomState(seed: 1)
        for original in [meta, plain] {
            for length in 0..<original.count {
                _ = try? PickleReader.load(Array(original[..<length]), name: "cut")
            }
            for _ in 0..<3000 {
                var mutated = original
                for _ in 0...(rng.nextUInt32() % 3) {
                    mutated[Int(rng.nextUInt32()) % mutated.count] = UInt8(truncatingIfNeeded: rng.nextUInt32())
                }
                do { _ = try PickleReader.load(mutated, name: "mutated") } catch is KerasError {} catch {
                    Issue.record("a non-Keras error: \(error)")
                }
            }
        }
    }

    /// A ustar header block for `name` with `size` bytes, `type` and a correct checksum unless told.
    static func tarHeader(_ name: String, size: Int, type: UInt8 = UInt8(ascii: "0"), badChecksum: Bool = false) -> [UInt8] {
        var h = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, _ at: Int) { for (i, b) in text.utf8.enumerated() { h[at + i] = b } }
        put(name, 0)
        put("0000644", 100)
        let octalSize = String(size, radix: 8)
        put(String(repeating: "0", count: 11 - octalSize.count) + octalSize, 124)
        h[156] = type
        put("ustar", 257); put("00", 263)
        put("        ", 148)
        let sum = h.reduce(0) { $0 + Int($1) } + (badChecksum ? 1 : 0)
        let octalSum = String(sum, radix: 8)
        put(String(repeating: "0", count: 6 - octalSum.count) + octalSum + "\0", 148)
        return h
    }

    static func tar(_ members: [(String, [UInt8], UInt8)], badChecksum: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        for (name, data, type) in members {
            out += tarHeader(name, size: data.count, type: type, badChecksum: badChecksum)
            out += data + [UInt8](repeating: 0, count: (512 - data.count % 512) % 512)
        }
        return out + [UInt8](repeating: 0, count: 1024)
    }

    @Test func tarReadsFilesAndRefusesEscapingPaths() throws {
        let file = Array("hello".utf8)
        let ok = try TarArchive(Self.tar([("dir", [], UInt8(ascii: "5")), ("./dir/a.txt", file, UInt8(ascii: "0")),
                                          ("dir/link", [], UInt8(ascii: "2"))]), name: "ok.tar")
        #expect(ok.members.map(\.path) == ["dir/a.txt"])
        #expect(try ok.file("dir/a.txt") == file)
        #expect { try ok.file("dir/b.txt") } throws: { "\($0)".contains("ok.tar") && "\($0)".contains("dir/b.txt") }

        for name in ["/etc/passwd", "../escape", "a/../../b"] {
            #expect(throws: KerasError.self, "\(name)") { try TarArchive(Self.tar([(name, file, UInt8(ascii: "0"))]), name: "evil.tar") }
        }
        #expect(throws: KerasError.self) { try TarArchive(Self.tar([("a", file, UInt8(ascii: "0"))], badChecksum: true), name: "bad.tar") }
        let whole = Self.tar([("a", [UInt8](repeating: 7, count: 2000), UInt8(ascii: "0"))])
        #expect(throws: KerasError.self) { try TarArchive(Array(whole[..<1000]), name: "cut.tar") }
        // Random damage to the header: never a crash.
        var rng = NumPyRandomState(seed: 2)
        for _ in 0..<2000 {
            var mutated = whole
            mutated[Int(rng.nextUInt32() % 512)] = UInt8(truncatingIfNeeded: rng.nextUInt32())
            _ = try? TarArchive(mutated, name: "mutated.tar")
        }
    }
}
