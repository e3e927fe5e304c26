import KerasCore

/// A read-only HDF5 parser written over the file's bytes: every HDF5 file a load reads (the
/// `model.weights.h5` of `.keras` archives, `.weights.h5`, legacy `.h5` models, backups) goes
/// through it and never through the HDF5 library, as files often come from elsewhere and Debian
/// 12's libhdf5 1.10.8 crashes on some hostile ones (see `Fuzz/libhdf5-findings`).
///
/// It reads what h5py and the HDF5 library (1.10 to 2.0) write for Keras: superblocks v0–v3; object headers v1 and v2 with their
/// continuation blocks; old-style groups (v1 B-tree and local heap) and new-style groups (link
/// messages, or dense links in a fractal heap indexed by a v2 B-tree); attributes, compact or
/// dense, of fixed- and variable-length strings (global heap) and numbers; contiguous, compact
/// and chunked datasets (v1 B-tree, single-chunk, implicit and fixed-array indexes) with the
/// deflate, shuffle and Fletcher-32 filters; integer and IEEE float types in either byte order.
///
/// Every address and length is checked against the file, every count against the bytes that
/// remain, revisited structures are refused and the total work is bounded, so a hostile file
/// throws `KerasError/corruptFile(file:expected:got:)` (or `.unsupported` for valid HDF5 this
/// reader does not cover), naming what is wrong, and never crashes or allocates on trust.
///
/// ```swift
/// let file = try HDF5Reader(bytes: readFileBytes("model.h5"), name: "model.h5")
/// let config = try file.root.stringAttribute("model_config")
/// let kernel = try file.root.group("model_weights/dense/dense")?.read("kernel:0")
/// ```
final class HDF5Reader {
    /// The most structure-parsing steps (messages, B-tree records, heap objects, chunks) one
    /// file may take, so that no file, however crafted, keeps the reader busy for long.
    static let maxSteps = 4_000_000
    /// The most bytes an attribute's strings may hold together.
    static let maxAttributeBytes = 64 << 20

    let bytes: [UInt8]
    /// The name errors use (the file the bytes came from).
    let name: String
    private(set) var offsetSize = 8
    private(set) var lengthSize = 8
    private var base = 0
    private var rootAddress = 0
    private var steps = 0
    private var headers: [Int: ObjectHeader] = [:]
    private var linkTables: [Int: [String: Int]] = [:]
    private var attributeTables: [Int: [String: Attribute]] = [:]
    var globalHeaps: [Int: [Int: Range<Int>]] = [:]

    /// Parses the superblock of `bytes` (which may follow a user block of 512, 1024, ... bytes).
    init(bytes: [UInt8], name: String) throws {
        self.bytes = bytes
        self.name = name
        try readSuperblock()
    }

    /// The root group `/`.
    var root: Group {
        get throws { Group(file: self, header: try header(at: rootAddress), path: "") }
    }

    // MARK: Errors and bounds

    func corrupt(_ expected: String, _ got: String) -> KerasError {
        .corruptFile(file: name, expected: expected, got: got)
    }

    func unsupported(_ what: String) -> KerasError {
        .unsupported(component: "HDF5 reader (\(name))", reason: "\(what) is not supported (Keras files do not use it)")
    }

    /// Counts one unit of parsing work; throws once a file has taken more than ``maxSteps``.
    func step(_ count: Int = 1) throws {
        steps += count
        guard steps <= Self.maxSteps else { throw corrupt("an HDF5 file of at most \(Self.maxSteps) structures", "more (a loop or an oversized index)") }
    }

    /// A cursor over `count` bytes at `address`, which must lie inside the file.
    func cursor(at address: Int, count: Int, _ what: @autoclosure () -> String) throws -> Cursor {
        guard address >= 0, count >= 0, address <= bytes.count, count <= bytes.count - address else {
            throw corrupt("\(what()) inside the file (\(bytes.count) bytes)", "\(count) bytes at offset \(address)")
        }
        return Cursor(file: self, position: address, end: address + count, what: what())
    }

    /// A cursor from `address` to the end of the file.
    func cursor(at address: Int, _ what: @autoclosure () -> String) throws -> Cursor {
        try cursor(at: address, count: max(0, bytes.count - address), what())
    }

    /// An absolute file position for a stored address, or `nil` for HDF5's undefined address.
    func resolve(_ raw: UInt64, size: Int) throws -> Int? {
        if size == 8 ? raw == UInt64.max : raw == (UInt64(1) << UInt64(size * 8)) - 1 { return nil }
        guard raw < UInt64(bytes.count), base <= bytes.count - Int(raw) else {
            throw corrupt("addresses inside the file (\(bytes.count) bytes)", "address \(raw)")
        }
        return base + Int(raw)
    }

    // MARK: Superblock

    private func readSuperblock() throws {
        let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
        var at = 0
        while !(at + 8 <= bytes.count && bytes[at..<at + 8].elementsEqual(signature)) {
            at = at == 0 ? 512 : at * 2
            guard at + 8 <= bytes.count else {
                throw corrupt("an HDF5 file (signature \\x89HDF\\r\\n\\x1a\\n)", bytes.count < 8 ? "\(bytes.count) bytes" : "other bytes")
            }
        }
        var c = try cursor(at: at + 8, "the superblock")
        let version = try c.byte()
        func sizes() throws {
            offsetSize = try c.byte()
            lengthSize = try c.byte()
            guard [2, 4, 8].contains(offsetSize), [2, 4, 8].contains(lengthSize) else {
                throw corrupt("offset and length sizes of 2, 4 or 8 bytes in the superblock", "\(offsetSize) and \(lengthSize)")
            }
        }
        func setBase() throws {
            let raw = try c.uint(offsetSize)
            guard raw <= UInt64(at) else { throw corrupt("a base address at most the superblock's offset \(at)", "\(raw)") }
            base = Int(raw)
        }
        switch version {
        case 0, 1:
            try c.skip(4)                       // free-space, root entry, reserved, shared header versions
            try sizes()
            try c.skip(1 + 4 + 4 + (version == 1 ? 4 : 0))   // reserved, group K values, flags, indexed storage K
            try setBase()
            try c.skip(3 * offsetSize)          // free space, end of file, driver information addresses
            try c.skip(offsetSize)              // root symbol table entry: link name offset
            guard let root = try c.address() else { throw corrupt("a root group address in the superblock", "the undefined address") }
            rootAddress = root
        case 2, 3:
            try sizes()
            try c.skip(1)                       // file consistency flags
            try setBase()
            try c.skip(2 * offsetSize)          // superblock extension, end of file addresses
            guard let root = try c.address() else { throw corrupt("a root group address in the superblock", "the undefined address") }
            rootAddress = root
        default:
            throw unsupported("superblock version \(version)")
        }
    }

    // MARK: Object headers

    /// A message of an object header: its type, flags and the bytes of its body.
    struct Message {
        let type: Int
        let flags: Int
        let body: Range<Int>
    }

    /// An object's header: the messages of all its chunks, in order.
    struct ObjectHeader {
        let address: Int
        let messages: [Message]
        func first(_ type: Int) -> Message? { messages.first { $0.type == type } }
        func all(_ type: Int) -> [Message] { messages.filter { $0.type == type } }
        /// Whether the object is a group: a symbol table (old style) or link info / link messages.
        var isGroup: Bool { messages.contains { [0x02, 0x06, 0x11].contains($0.type) } }
        /// Whether the object is a dataset (it has a data layout message).
        var isDataset: Bool { messages.contains { $0.type == 0x08 } }
    }

    static let continuationType = 0x10

    /// The object header at `address` (version 1, or version 2 `OHDR`), with its continuation
    /// blocks followed; each block is visited once.
    func header(at address: Int) throws -> ObjectHeader {
        if let cached = headers[address] { return cached }
        try step()
        let what = "the object header at offset \(address)"
        var c = try cursor(at: address, what)
        var blocks: [(start: Int, end: Int)] = []
        let v2: Bool
        var creationOrder = false
        if try c.peek(4) == Array("OHDR".utf8) {
            v2 = true
            try c.skip(4)
            let version = try c.byte()
            guard version == 2 else { throw corrupt("object header version 2 at offset \(address)", "\(version)") }
            let flags = try c.byte()
            creationOrder = flags & 0x04 != 0
            if flags & 0x20 != 0 { try c.skip(16) }
            if flags & 0x10 != 0 { try c.skip(4) }
            let size = try c.length(1 << (flags & 3))
            try c.need(size + 4)
            blocks.append((c.position, c.position + size))
        } else {
            v2 = false
            let version = try c.byte()
            guard version == 1 else { throw corrupt("an object header (version 1, or OHDR) at offset \(address)", "version byte \(version)") }
            try c.skip(1 + 2 + 4)               // reserved, message count, reference count
            let size = try c.length(4)
            try c.skip(4)                       // alignment of the first message
            try c.need(size)
            blocks.append((c.position, c.position + size))
        }
        var visited: Set<Int> = [address]
        var messages: [Message] = []
        var index = 0
        while index < blocks.count {
            let block = blocks[index]
            index += 1
            var m = try cursor(at: block.start, count: block.end - block.start, what)
            let prefix = v2 ? 4 + (creationOrder ? 2 : 0) : 8
            while m.remaining >= prefix {
                try step()
                let type = v2 ? try m.byte() : try m.uint16()
                let size = try m.uint16()
                let flags = try m.byte()
                try m.skip(v2 ? (creationOrder ? 2 : 0) : 3)
                let body = try m.range(size, "a message of \(size) bytes in \(what)")
                messages.append(Message(type: type, flags: flags, body: body))
                guard type == Self.continuationType else { continue }
                var b = try cursor(at: body.lowerBound, count: body.count, "a continuation message in \(what)")
                guard let next = try b.address() else { throw corrupt("a continuation block address in \(what)", "the undefined address") }
                let length = try b.length(lengthSize)
                guard visited.insert(next).inserted else { throw corrupt("each block of \(what) visited once", "a cycle through offset \(next)") }
                let n = try cursor(at: next, count: length, "the continuation block at offset \(next) of \(what)")
                if v2 {
                    guard try n.peek(4) == Array("OCHK".utf8), length >= 8 else { throw corrupt("an OCHK continuation block at offset \(next)", "other bytes") }
                    blocks.append((next + 4, next + length - 4))
                } else {
                    blocks.append((n.position, n.end))
                }
            }
        }
        let header = ObjectHeader(address: address, messages: messages)
        headers[address] = header
        return header
    }

    /// Refuses a message stored elsewhere (a shared message), which this reader does not follow.
    func requireUnshared(_ message: Message, _ what: String) throws {
        guard message.flags & 0x02 == 0 else { throw unsupported("a shared \(what) message") }
    }

    // MARK: Links

    /// The hard links of the group whose header is `header`: name → object header address.
    func links(of header: ObjectHeader) throws -> [String: Int] {
        if let cached = linkTables[header.address] { return cached }
        var table: [String: Int] = [:]
        if let symbols = header.first(0x11) {
            var c = try cursor(at: symbols.body.lowerBound, count: symbols.body.count, "a symbol table message")
            guard let tree = try c.address(), let heap = try c.address() else {
                throw corrupt("a B-tree and a local heap for the group at offset \(header.address)", "undefined addresses")
            }
            let names = try localHeap(at: heap)
            var visited: Set<Int> = []
            try walkGroupTree(tree, level: nil, names: names, visited: &visited, into: &table)
        }
        for message in header.all(0x06) {
            if let (name, address) = try link(message.body) { table[name] = address }
        }
        if let info = header.first(0x02) {
            var c = try cursor(at: info.body.lowerBound, count: info.body.count, "a link info message")
            let version = try c.byte()
            guard version == 0 else { throw corrupt("link info message version 0", "\(version)") }
            let flags = try c.byte()
            if flags & 0x01 != 0 { try c.skip(8) }
            if let heapAddress = try c.address(), let treeAddress = try c.address() {
                let heap = try FractalHeap(self, at: heapAddress)
                for record in try btree2Records(at: treeAddress, type: 5) {
                    guard record.count > 4 else { throw corrupt("link name records of more than 4 bytes", "\(record.count)") }
                    if let (name, address) = try link(heap.object(record.dropFirst(4))) { table[name] = address }
                }
            }
        }
        linkTables[header.address] = table
        return table
    }

    /// A link message: its name and, for a hard link, the address it points to (`nil` for soft
    /// and external links, which Keras files do not use).
    private func link(_ body: Range<Int>) throws -> (String, Int)? {
        var c = try cursor(at: body.lowerBound, count: body.count, "a link message")
        let version = try c.byte()
        guard version == 1 else { throw corrupt("link message version 1", "\(version)") }
        let flags = try c.byte()
        let type = flags & 0x08 != 0 ? try c.byte() : 0
        if flags & 0x04 != 0 { try c.skip(8) }
        if flags & 0x10 != 0 { try c.skip(1) }
        let nameLength = try c.length(1 << (flags & 3))
        let name = try c.string(nameLength)
        guard type == 0 else { return nil }
        guard let address = try c.address() else { throw corrupt("an object address for link \(name)", "the undefined address") }
        return (name, address)
    }

    /// The data segment of the local heap (`HEAP`) at `address`.
    private func localHeap(at address: Int) throws -> Range<Int> {
        var c = try cursor(at: address, "the local heap at offset \(address)")
        guard try c.peek(4) == Array("HEAP".utf8) else { throw corrupt("a local heap (HEAP) at offset \(address)", "other bytes") }
        try c.skip(8)                           // signature, version, reserved
        let size = try c.length(lengthSize)
        try c.skip(lengthSize)                  // free list head
        guard let data = try c.address() else { throw corrupt("a data segment for the local heap at offset \(address)", "the undefined address") }
        let segment = try cursor(at: data, count: size, "the data segment of the local heap at offset \(address)")
        return segment.position..<segment.end
    }

    /// The NUL-terminated name at `offset` in a local heap's data segment.
    private func heapName(_ names: Range<Int>, offset: UInt64) throws -> String {
        guard offset < UInt64(names.count) else { throw corrupt("a link name offset inside the local heap (\(names.count) bytes)", "\(offset)") }
        let start = names.lowerBound + Int(offset)
        guard let end = bytes[start..<names.upperBound].firstIndex(of: 0) else {
            throw corrupt("a NUL-terminated link name in the local heap", "a name running to the end of the heap")
        }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// Walks an old-style group's v1 B-tree (`TREE`, type 0) down to its symbol table nodes.
    private func walkGroupTree(_ address: Int, level expected: Int?, names: Range<Int>, visited: inout Set<Int>, into table: inout [String: Int]) throws {
        guard visited.insert(address).inserted else { throw corrupt("each group B-tree node visited once", "node at offset \(address) twice") }
        try step()
        var c = try cursor(at: address, "the group B-tree node at offset \(address)")
        guard try c.peek(4) == Array("TREE".utf8) else { throw corrupt("a B-tree node (TREE) at offset \(address)", "other bytes") }
        try c.skip(4)
        let type = try c.byte(), level = try c.byte(), entries = try c.uint16()
        guard type == 0 else { throw corrupt("a group B-tree node (type 0) at offset \(address)", "type \(type)") }
        if let expected, level != expected { throw corrupt("a B-tree node of level \(expected) at offset \(address)", "level \(level)") }
        try c.skip(2 * offsetSize)              // siblings
        try c.need(entries * (lengthSize + offsetSize))
        for _ in 0..<entries {
            try c.skip(lengthSize)              // key: the heap offset of the largest name below
            guard let child = try c.address() else { throw corrupt("child addresses in the B-tree node at offset \(address)", "the undefined address") }
            if level == 0 {
                try readSymbolNode(child, names: names, visited: &visited, into: &table)
            } else {
                try walkGroupTree(child, level: level - 1, names: names, visited: &visited, into: &table)
            }
        }
    }

    /// Reads a symbol table node (`SNOD`): link name offsets and object header addresses.
    private func readSymbolNode(_ address: Int, names: Range<Int>, visited: inout Set<Int>, into table: inout [String: Int]) throws {
        guard visited.insert(address).inserted else { throw corrupt("each symbol table node visited once", "node at offset \(address) twice") }
        var c = try cursor(at: address, "the symbol table node at offset \(address)")
        guard try c.peek(4) == Array("SNOD".utf8) else { throw corrupt("a symbol table node (SNOD) at offset \(address)", "other bytes") }
        try c.skip(6)
        let count = try c.uint16()
        let entrySize = 2 * offsetSize + 24
        try c.need(count * entrySize)
        for _ in 0..<count {
            try step()
            let nameOffset = try c.uint(offsetSize)
            guard let object = try c.address() else { throw corrupt("an object address in the symbol table node at offset \(address)", "the undefined address") }
            try c.skip(24)
            table[try heapName(names, offset: nameOffset)] = object
        }
    }

    // MARK: Attributes

    /// An attribute message, parsed up to its value.
    struct Attribute {
        let name: String
        let shared: Bool
        let datatype: Range<Int>
        let dataspace: Range<Int>
        let data: Range<Int>
    }

    /// The attributes of an object: compact ones (messages) and dense ones (fractal heap).
    func attributes(of header: ObjectHeader) throws -> [Attribute] {
        var list = try header.all(0x0C).map { try attribute($0.body, shared: false) }
        if let info = header.first(0x15) {
            var c = try cursor(at: info.body.lowerBound, count: info.body.count, "an attribute info message")
            let version = try c.byte()
            guard version == 0 else { throw corrupt("attribute info message version 0", "\(version)") }
            let flags = try c.byte()
            if flags & 0x01 != 0 { try c.skip(2) }
            if let heapAddress = try c.address(), let treeAddress = try c.address() {
                let heap = try FractalHeap(self, at: heapAddress)
                for record in try btree2Records(at: treeAddress, type: 8) {
                    guard record.count >= 9 else { throw corrupt("attribute name records of at least 9 bytes", "\(record.count)") }
                    let shared = bytes[record.startIndex + 8] & 0x01 != 0
                    list.append(try attribute(heap.object(record.prefix(8)), shared: shared))
                }
            }
        }
        return list
    }

    private func attribute(_ body: Range<Int>, shared: Bool) throws -> Attribute {
        var c = try cursor(at: body.lowerBound, count: body.count, "an attribute message")
        let version = try c.byte()
        guard (1...3).contains(version) else { throw corrupt("attribute message version 1 to 3", "\(version)") }
        let flags = try c.byte()
        let nameSize = try c.uint16(), typeSize = try c.uint16(), spaceSize = try c.uint16()
        if version == 3 { try c.skip(1) }
        func padded(_ n: Int) -> Int { version == 1 ? (n + 7) / 8 * 8 : n }
        let nameRange = try c.range(nameSize, "an attribute name of \(nameSize) bytes")
        try c.skip(padded(nameSize) - nameSize)
        let datatype = try c.range(typeSize, "an attribute datatype of \(typeSize) bytes")
        try c.skip(padded(typeSize) - typeSize)
        let dataspace = try c.range(spaceSize, "an attribute dataspace of \(spaceSize) bytes")
        try c.skip(padded(spaceSize) - spaceSize)
        let nameEnd = bytes[nameRange].firstIndex(of: 0) ?? nameRange.upperBound
        return Attribute(name: String(decoding: bytes[nameRange.lowerBound..<nameEnd], as: UTF8.self),
                         shared: shared || (version > 1 && flags & 0x03 != 0),
                         datatype: datatype, dataspace: dataspace, data: c.position..<c.end)
    }

    /// The attribute named `name` of an object, or `nil` (the first of that name, as listed).
    func attribute(_ name: String, of header: ObjectHeader) throws -> Attribute? {
        if let table = attributeTables[header.address] { return table[name] }
        var table: [String: Attribute] = [:]
        for attribute in try attributes(of: header) where table[attribute.name] == nil { table[attribute.name] = attribute }
        attributeTables[header.address] = table
        return table[name]
    }

    /// The values of a string attribute (a scalar or a list; fixed- or variable-length strings).
    /// An empty numeric list (how h5py writes an empty Python list) reads as no strings.
    func strings(of attribute: Attribute, owner: String) throws -> [String] {
        guard !attribute.shared else { throw unsupported("a shared attribute (\(attribute.name) of \(owner))") }
        let type = try datatype(attribute.datatype)
        let count = try dataspace(attribute.dataspace)?.reduce(1, *) ?? 0
        guard count <= 1 << 20 else { throw corrupt("at most 2^20 strings in attribute \(attribute.name) of \(owner)", "\(count)") }
        var c = try cursor(at: attribute.data.lowerBound, count: attribute.data.count, "the value of attribute \(attribute.name) of \(owner)")
        var total = 0
        func counted(_ s: String) throws -> String {
            total += s.utf8.count
            guard total <= Self.maxAttributeBytes else { throw corrupt("attribute \(attribute.name) of \(owner) of at most 64 MiB", "more") }
            return s
        }
        switch type {
        case .string(let width):
            try c.need(count * width)
            return try (0..<count).map { _ in
                let raw = try c.range(width, "a string")
                let end = bytes[raw].firstIndex(of: 0) ?? raw.upperBound
                var s = Substring(String(decoding: bytes[raw.lowerBound..<end], as: UTF8.self))
                while s.last == " " { s.removeLast() }
                return try counted(String(s))
            }
        case .variableString:
            try c.need(count * (8 + offsetSize))
            return try (0..<count).map { _ in
                try step()
                let length = try c.uint(4)
                let collection = try c.address()
                let index = try c.uint(4)
                guard let collection else {
                    guard length == 0 else { throw corrupt("a global heap collection for a string of attribute \(attribute.name)", "the undefined address") }
                    return ""
                }
                let object = try globalHeapObject(collection: collection, index: Int(index))
                guard length <= UInt64(object.count) else {
                    throw corrupt("a string of at most \(object.count) bytes (its global heap object) in attribute \(attribute.name)", "\(length) bytes")
                }
                let raw = object.lowerBound..<(object.lowerBound + Int(length))
                let end = bytes[raw].firstIndex(of: 0) ?? raw.upperBound
                return try counted(String(decoding: bytes[raw.lowerBound..<end], as: UTF8.self))
            }
        default:
            guard count == 0 else { throw corrupt("attribute \(attribute.name) of \(owner) to be a string", "\(type)") }
            return []
        }
    }

    /// The object `index` of the global heap collection (`GCOL`) at `collection`.
    func globalHeapObject(collection: Int, index: Int) throws -> Range<Int> {
        if globalHeaps[collection] == nil {
            try step()
            var c = try cursor(at: collection, "the global heap collection at offset \(collection)")
            guard try c.peek(4) == Array("GCOL".utf8) else { throw corrupt("a global heap collection (GCOL) at offset \(collection)", "other bytes") }
            try c.skip(8)
            let size = try c.length(lengthSize)
            guard size >= 8 + lengthSize else { throw corrupt("a global heap collection larger than its header", "\(size) bytes at offset \(collection)") }
            var g = try cursor(at: collection + 8 + lengthSize, count: size - 8 - lengthSize, "the global heap collection at offset \(collection)")
            var objects: [Int: Range<Int>] = [:]
            while g.remaining >= 8 + lengthSize {
                try step()
                let id = try g.uint16()
                try g.skip(6)                   // reference count, reserved
                let objectSize = try g.length(lengthSize)
                if id == 0 { break }            // free space: the rest of the collection
                let data = try g.range(objectSize, "global heap object \(id) of \(objectSize) bytes")
                try g.skip(min(g.remaining, (8 - objectSize % 8) % 8))
                if objects[id] == nil { objects[id] = data }
            }
            globalHeaps[collection] = objects
        }
        guard let object = globalHeaps[collection]?[index] else {
            throw corrupt("object \(index) in the global heap collection at offset \(collection)", "no such object")
        }
        return object
    }
}

extension HDF5Reader {
    /// Little-endian reads over a range of the file, each checked against the range's end.
    struct Cursor {
        let file: HDF5Reader
        var position: Int
        let end: Int
        let what: String

        var remaining: Int { end - position }
        /// The bytes from the position to the end.
        var span: Range<Int> { position..<end }

        func need(_ count: Int) throws {
            guard count >= 0, count <= remaining else {
                throw file.corrupt("\(count) more bytes in \(what) at offset \(position)", "\(remaining) left")
            }
        }
        mutating func skip(_ count: Int) throws { try need(count); position += count }
        func peek(_ count: Int) throws -> [UInt8] { try need(count); return Array(file.bytes[position..<position + count]) }
        mutating func byte() throws -> Int { try need(1); position += 1; return Int(file.bytes[position - 1]) }
        mutating func uint16() throws -> Int { Int(try uint(2)) }
        /// An unsigned little-endian integer of `size` (1 to 8) bytes.
        mutating func uint(_ size: Int) throws -> UInt64 {
            try need(size)
            var value: UInt64 = 0
            for i in 0..<size { value |= UInt64(file.bytes[position + i]) << UInt64(8 * i) }
            position += size
            return value
        }
        /// A length or count of `size` bytes, at most the file's size (nothing stored in the file
        /// can be longer than the file).
        mutating func length(_ size: Int) throws -> Int {
            let value = try uint(size)
            guard value <= UInt64(file.bytes.count) else {
                throw file.corrupt("a length of at most the file's \(file.bytes.count) bytes in \(what)", "\(value)")
            }
            return Int(value)
        }
        /// An address (the file's offset size), `nil` when undefined.
        mutating func address() throws -> Int? { try file.resolve(uint(file.offsetSize), size: file.offsetSize) }
        /// The next `count` bytes as a range of the file.
        mutating func range(_ count: Int, _ what: @autoclosure () -> String) throws -> Range<Int> {
            guard count >= 0, count <= remaining else {
                throw file.corrupt("\(what()) in \(self.what) at offset \(position)", "\(remaining) bytes left")
            }
            position += count
            return position - count..<position
        }
        mutating func string(_ count: Int) throws -> String {
            String(decoding: file.bytes[try range(count, "a name of \(count) bytes")], as: UTF8.self)
        }
    }
}
