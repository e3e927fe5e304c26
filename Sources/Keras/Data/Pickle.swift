import Foundation

/// A value read from a pickle stream by ``PickleReader``: the plain Python data the Keras dataset
/// files hold, and NumPy arrays rebuilt from their pickled state (never by running code).
///
/// Lists and dicts are reference types, as in Python: the stream appends to a list after
/// memoizing it, and later references see the appended items.
///
/// ```swift
/// let value = try PickleReader.load(bytes, name: "data_batch_1")
/// if case .dict(let d) = value, let labels = d[.bytes(Array("labels".utf8))] { … }
/// ```
indirect enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    /// Python 3 `bytes`, and Python 2 `str` (as `pickle.load(encoding="bytes")` gives them).
    case bytes([UInt8])
    case tuple([PickleValue])
    case list(PickleList)
    case dict(PickleDict)
    /// A module-level name (`GLOBAL`): only ever the few NumPy callables the reader allows.
    case global(module: String, name: String)
    case dtype(PickleDType)
    case array(PickleArray)

    /// The text of a `str`, or of a Python 2 `str` read as bytes (UTF-8).
    var text: String? {
        switch self {
        case .string(let s): s
        case .bytes(let b): String(decoding: b, as: UTF8.self)
        default: nil
        }
    }

    /// A short name of the Python type, for error messages.
    var typeName: String {
        switch self {
        case .none: "None"
        case .bool: "bool"
        case .int: "int"
        case .float: "float"
        case .string: "str"
        case .bytes: "bytes"
        case .tuple: "tuple"
        case .list: "list"
        case .dict: "dict"
        case .global(let m, let n): "\(m).\(n)"
        case .dtype: "numpy.dtype"
        case .array: "numpy.ndarray"
        }
    }
}

/// A Python list (shared by reference, like the original).
final class PickleList {
    var items: [PickleValue] = []
}

/// A Python dict with `str`, `bytes` or `int` keys, in insertion order.
final class PickleDict {
    var items: [(key: PickleValue, value: PickleValue)] = []

    /// The value under the key whose text is `key` (a `str` or Python 2 `str`/`bytes` key).
    subscript(key: String) -> PickleValue? {
        items.last { $0.key.text == key }?.value
    }
}

/// `numpy.dtype(descr)` with the byte order its pickled state sets.
final class PickleDType {
    var descr: String
    var byteOrder: Character = "="
    init(descr: String) { self.descr = descr }

    /// The `.npy` spelling: `'<i8'`, `'|u1'`, `'|O'`.
    var npyDescr: String {
        let order: Character = byteOrder == "=" ? "<" : byteOrder
        return String(order) + descr
    }
}

/// An `ndarray` rebuilt from `numpy.core.multiarray._reconstruct` and its `__setstate__` state.
final class PickleArray {
    enum Content {
        case raw([UInt8])
        case objects([PickleValue])
    }
    var shape: [Int] = [0]
    var dtype: PickleDType?
    var fortranOrder = false
    var content: Content = .raw([])
}

/// A safe reader for the pickle subset NumPy and the Keras dataset files use: protocols 2–4, the
/// built-in scalar, string, tuple, list and dict opcodes, and NumPy arrays and dtypes.
///
/// It runs nothing: the only globals it accepts are `numpy.core.multiarray._reconstruct` (also
/// under `numpy._core`), `numpy.ndarray`, `numpy.dtype` and `_codecs.encode` (how Python 3
/// pickles `bytes` at protocol 2), each interpreted by the reader itself, as Keras's own
/// `RestrictedUnpickler` allows. Any other global, opcode or malformed stream throws
/// `KerasError/corruptFile(file:expected:got:)` naming the file.
///
/// ```swift
/// let value = try PickleReader.load(try readFileBytes(path), name: path)
/// ```
struct PickleReader {
    /// Bounds that keep a hostile stream from exhausting memory or the stack.
    static let maxStackDepth = 1 << 24
    static let maxMemoEntries = 1 << 24

    private let bytes: [UInt8]
    private let name: String
    private var position: Int
    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]

    private init(bytes: [UInt8], start: Int, name: String) {
        self.bytes = bytes
        self.position = start
        self.name = name
    }

    /// Reads one pickled object starting at `start`, which must run to the end of `bytes`.
    static func load(_ bytes: [UInt8], from start: Int = 0, name: String) throws -> PickleValue {
        var reader = PickleReader(bytes: bytes, start: start, name: name)
        return try reader.run()
    }

    private func corrupt(_ expected: String, _ got: String) -> KerasError {
        .corruptFile(file: name, expected: "a pickle of NumPy arrays and plain data (\(expected))", got: got)
    }

    private mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, count <= bytes.count - position else {
            throw corrupt("\(count) more bytes at offset \(position)", "the end of the data")
        }
        defer { position += count }
        return bytes[position..<(position + count)]
    }

    private mutating func byte() throws -> UInt8 { try take(1).first! }

    private mutating func littleEndian(_ count: Int) throws -> UInt64 {
        var value: UInt64 = 0
        for (i, b) in try take(count).enumerated() { value |= UInt64(b) << UInt64(8 * i) }
        return value
    }

    /// A length field of `width` bytes, checked against the bytes left.
    private mutating func length(_ width: Int) throws -> Int {
        let raw = try littleEndian(width)
        guard raw <= UInt64(bytes.count - position) else {
            throw corrupt("a length within the data", "\(raw) bytes at offset \(position) with \(bytes.count - position) left")
        }
        return Int(raw)
    }

    private mutating func line() throws -> String {
        guard let end = bytes[position...].firstIndex(of: 0x0A), end - position <= 256 else {
            throw corrupt("a module or name line", "no line end at offset \(position)")
        }
        defer { position = end + 1 }
        return String(decoding: bytes[position..<end], as: UTF8.self)
    }

    private mutating func push(_ value: PickleValue) throws {
        guard stack.count < Self.maxStackDepth else { throw corrupt("a stack under \(Self.maxStackDepth) items", "more") }
        stack.append(value)
    }

    private mutating func pop() throws -> PickleValue {
        guard let value = stack.popLast(), stack.count >= (marks.last ?? 0) else {
            throw corrupt("a value on the stack", "an empty stack at offset \(position)")
        }
        return value
    }

    /// The items pushed since the last MARK, removed from the stack.
    private mutating func popMark() throws -> [PickleValue] {
        guard let mark = marks.popLast() else { throw corrupt("a MARK before offset \(position)", "none") }
        defer { stack.removeSubrange(mark...) }
        return Array(stack[mark...])
    }

    private mutating func memoize(_ key: Int) throws {
        guard let top = stack.last else { throw corrupt("a value to memoize", "an empty stack") }
        guard memo.count < Self.maxMemoEntries || memo[key] != nil else { throw corrupt("fewer memo entries", "more") }
        memo[key] = top
    }

    private mutating func recall(_ key: Int) throws {
        guard let value = memo[key] else { throw corrupt("memo entry \(key) to exist", "a reference to a missing entry") }
        try push(value)
    }

    private mutating func run() throws -> PickleValue {
        while true {
            let opAt = position
            let op = try byte()
            switch op {
            case 0x80:  // PROTO
                let version = try byte()
                guard (2...4).contains(version) else { throw corrupt("protocol 2, 3 or 4", "protocol \(version)") }
            case 0x95: _ = try littleEndian(8)  // FRAME: a size hint only
            case UInt8(ascii: "."):  // STOP
                guard marks.isEmpty, stack.count == 1, let result = stack.first else {
                    throw corrupt("one value at STOP", "\(stack.count) values and \(marks.count) open marks")
                }
                guard position == bytes.count else { throw corrupt("the end of the data after STOP", "\(bytes.count - position) more bytes") }
                return result
            case UInt8(ascii: "("): marks.append(stack.count)
            case UInt8(ascii: "N"): try push(.none)
            case 0x88: try push(.bool(true))
            case 0x89: try push(.bool(false))
            case UInt8(ascii: "J"): try push(.int(Int(Int32(truncatingIfNeeded: try littleEndian(4)))))
            case UInt8(ascii: "K"): try push(.int(Int(try byte())))
            case UInt8(ascii: "M"): try push(.int(Int(try littleEndian(2))))
            case 0x8A, 0x8B:  // LONG1, LONG4: little-endian two's complement
                let count = op == 0x8A ? Int(try byte()) : try length(4)
                guard count <= 8 else { throw corrupt("integers of at most 64 bits", "a \(count)-byte integer") }
                let raw = try littleEndian(count)
                let shift = UInt64(64 - 8 * count)
                try push(.int(count == 0 ? 0 : Int(Int64(bitPattern: raw << shift) >> Int64(shift))))
            case UInt8(ascii: "G"):
                let raw = try take(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                try push(.float(Double(bitPattern: raw)))
            case UInt8(ascii: "X"): try push(.string(String(decoding: try take(try length(4)), as: UTF8.self)))
            case 0x8C: try push(.string(String(decoding: try take(try length(1)), as: UTF8.self)))
            case 0x8D: try push(.string(String(decoding: try take(try length(8)), as: UTF8.self)))
            case UInt8(ascii: "T"), UInt8(ascii: "B"): try push(.bytes(Array(try take(try length(4)))))
            case UInt8(ascii: "U"), UInt8(ascii: "C"): try push(.bytes(Array(try take(try length(1)))))
            case 0x8E: try push(.bytes(Array(try take(try length(8)))))
            case UInt8(ascii: ")"): try push(.tuple([]))
            case UInt8(ascii: "t"): try push(.tuple(try popMark()))
            case 0x85, 0x86, 0x87:
                let count = Int(op - 0x84)
                var items: [PickleValue] = []
                for _ in 0..<count { items.insert(try pop(), at: 0) }
                try push(.tuple(items))
            case UInt8(ascii: "]"): try push(.list(PickleList()))
            case UInt8(ascii: "l"):
                let list = PickleList()
                list.items = try popMark()
                try push(.list(list))
            case UInt8(ascii: "a"), UInt8(ascii: "e"):  // APPEND, APPENDS
                let items = op == UInt8(ascii: "a") ? [try pop()] : try popMark()
                guard case .list(let list) = try pop() else { throw corrupt("a list to append to", "another value at offset \(opAt)") }
                list.items += items
                try push(.list(list))
            case UInt8(ascii: "}"): try push(.dict(PickleDict()))
            case UInt8(ascii: "d"):
                let dict = PickleDict()
                try Self.addPairs(try popMark(), to: dict, corrupt: corrupt)
                try push(.dict(dict))
            case UInt8(ascii: "s"), UInt8(ascii: "u"):  // SETITEM, SETITEMS
                let pairs: [PickleValue]
                if op == UInt8(ascii: "s") {
                    let value = try pop()
                    pairs = [try pop(), value]
                } else {
                    pairs = try popMark()
                }
                guard case .dict(let dict) = try pop() else { throw corrupt("a dict to set items in", "another value at offset \(opAt)") }
                try Self.addPairs(pairs, to: dict, corrupt: corrupt)
                try push(.dict(dict))
            case UInt8(ascii: "0"): _ = try pop()  // POP
            case UInt8(ascii: "q"): try memoize(Int(try byte()))
            case UInt8(ascii: "r"): try memoize(Int(try littleEndian(4)))
            case 0x94: try memoize(memo.count)
            case UInt8(ascii: "h"): try recall(Int(try byte()))
            case UInt8(ascii: "j"): try recall(Int(try littleEndian(4)))
            case UInt8(ascii: "c"):  // GLOBAL
                let module = try line()
                try push(try allowedGlobal(module, try line()))
            case 0x93:  // STACK_GLOBAL
                let nameValue = try pop(), moduleValue = try pop()
                guard case .string(let name) = nameValue, case .string(let module) = moduleValue else {
                    throw corrupt("STACK_GLOBAL on two strings", "\(moduleValue.typeName), \(nameValue.typeName)")
                }
                try push(try allowedGlobal(module, name))
            case UInt8(ascii: "R"):  // REDUCE
                let args = try pop(), callable = try pop()
                try push(try reduce(callable, args))
            case UInt8(ascii: "b"):  // BUILD
                let state = try pop()
                guard let target = stack.last else { throw corrupt("an object to BUILD", "an empty stack") }
                try build(target, state)
            default:
                throw corrupt("a supported opcode", String(format: "opcode 0x%02X at offset %d", op, opAt))
            }
        }
    }

    private static func addPairs(_ flat: [PickleValue], to dict: PickleDict, corrupt: (String, String) -> KerasError) throws {
        guard flat.count % 2 == 0 else { throw corrupt("key/value pairs", "\(flat.count) items") }
        for i in stride(from: 0, to: flat.count, by: 2) {
            switch flat[i] {
            case .string, .bytes, .int: dict.items.append((flat[i], flat[i + 1]))
            default: throw corrupt("str, bytes or int dict keys", "a \(flat[i].typeName) key")
            }
        }
    }

    private static let allowedGlobals: Set<String> = [
        "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct",
        "numpy.ndarray", "numpy.dtype", "_codecs.encode",
    ]

    private func allowedGlobal(_ module: String, _ name: String) throws -> PickleValue {
        guard Self.allowedGlobals.contains("\(module).\(name)") else {
            throw corrupt("only NumPy array globals", "a reference to '\(module).\(name)', refused")
        }
        return .global(module: module, name: name)
    }

    /// Interprets the call of one of the allowed globals.
    private func reduce(_ callable: PickleValue, _ args: PickleValue) throws -> PickleValue {
        guard case .global(_, let function) = callable, case .tuple(let a) = args else {
            throw corrupt("REDUCE of an allowed global on a tuple", "\(callable.typeName) on \(args.typeName)")
        }
        switch (function, a.count) {
        case ("_reconstruct", 3):
            guard case .global(_, "ndarray") = a[0] else { throw corrupt("_reconstruct(numpy.ndarray, …)", a[0].typeName) }
            return .array(PickleArray())
        case ("dtype", 1...3):
            guard let descr = a[0].text, descr.count <= 8 else { throw corrupt("numpy.dtype('<type code>')", a[0].typeName) }
            return .dtype(PickleDType(descr: descr))
        case ("encode", 2):  // Python 3 bytes at protocol 2: _codecs.encode('\xff…', 'latin1')
            guard case .string(let s) = a[0], a[1].text == "latin1" || a[1].text == "latin-1" else {
                throw corrupt("_codecs.encode(str, 'latin1')", a.map(\.typeName).joined(separator: ", "))
            }
            var out: [UInt8] = []
            for scalar in s.unicodeScalars {
                guard scalar.value < 256 else { throw corrupt("latin-1 text", "U+\(String(scalar.value, radix: 16))") }
                out.append(UInt8(scalar.value))
            }
            return .bytes(out)
        default:
            throw corrupt("a call of an allowed global", "\(function) with \(a.count) arguments")
        }
    }

    /// Applies `__setstate__` state to an array or dtype.
    private func build(_ target: PickleValue, _ state: PickleValue) throws {
        guard case .tuple(let s) = state else { throw corrupt("a state tuple", state.typeName) }
        switch target {
        case .dtype(let dtype):
            // (version, byteorder, subarray, names, fields, elsize, alignment, flags)
            guard s.count >= 5, let order = s[1].text, order.count == 1, "<>|=".contains(order) else {
                throw corrupt("a dtype state with a byte order", "\(s.count) items")
            }
            guard case .none = s[2], case .none = s[3], case .none = s[4] else {
                throw corrupt("a plain dtype", "a structured or sub-array dtype")
            }
            dtype.byteOrder = order.first!
        case .array(let array):
            // (version, shape, dtype, is_fortran, data)
            guard s.count == 5, case .tuple(let dims) = s[1], case .dtype(let dtype) = s[2] else {
                throw corrupt("an ndarray state (version, shape, dtype, fortran, data)", "\(s.count) items")
            }
            array.shape = try dims.map {
                guard case .int(let d) = $0, d >= 0 else { throw corrupt("non-negative dimensions", $0.typeName) }
                return d
            }
            array.dtype = dtype
            switch s[3] {
            case .bool(let b): array.fortranOrder = b
            case .int(let i): array.fortranOrder = i != 0
            default: throw corrupt("a fortran-order flag", s[3].typeName)
            }
            switch s[4] {
            case .bytes(let raw): array.content = .raw(raw)
            case .string(let text): array.content = .raw(Array(text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }))
            case .list(let list): array.content = .objects(list.items)
            default: throw corrupt("array data as bytes or a list", s[4].typeName)
            }
        default:
            throw corrupt("BUILD on an array or dtype", target.typeName)
        }
    }
}

extension PickleArray {
    /// The numeric array as a tensor (dtypes as `Tensor/init(npyFile:)` reads them).
    func tensor(name: String) throws -> Tensor {
        guard let dtype, case .raw(let raw) = content else {
            throw KerasError.corruptFile(file: name, expected: "a numeric array", got: "an object array")
        }
        let shape = self.shape.count == 1 ? "(\(self.shape[0]),)" : "(" + self.shape.map(String.init).joined(separator: ", ") + ")"
        let header = "{'descr': '\(dtype.npyDescr)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': \(shape), }\n"
        var npy = NumPyFormat.magic + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
        npy += Array(header.utf8)
        npy += raw
        return try NumPyFormat.decode(npy, name: name)
    }

    /// The elements of a 1-D object array.
    func objects(name: String) throws -> [PickleValue] {
        guard case .objects(let items) = content, shape.count == 1, items.count == shape[0] else {
            throw KerasError.corruptFile(file: name, expected: "a 1-D object array", got: "shape \(shape)")
        }
        return items
    }
}
