import KerasCore

/// Datatypes, dataspaces, data layouts and filters: reading a dataset's elements into a tensor.
extension HDF5Reader {
    /// The element types this reader decodes.
    enum Datatype: CustomStringConvertible {
        case integer(size: Int, signed: Bool, bigEndian: Bool)
        case float(size: Int, bigEndian: Bool)
        case string(size: Int)
        case variableString
        /// An enumeration over an integer (h5py's bool: `FALSE = 0`, `TRUE = 1` over int8).
        case enumeration(size: Int)
        case other(typeClass: Int)

        var description: String {
            switch self {
            case let .integer(size, signed, bigEndian): "\(signed ? "" : "u")int\(size * 8)\(bigEndian ? " big-endian" : "")"
            case let .float(size, bigEndian): "float\(size * 8)\(bigEndian ? " big-endian" : "")"
            case .string(let size): "a string of \(size) bytes"
            case .variableString: "a variable-length string"
            case .enumeration: "an enumeration"
            case .other(let typeClass): "HDF5 type class \(typeClass)"
            }
        }
    }

    /// A datatype message.
    func datatype(_ body: Range<Int>) throws -> Datatype {
        var c = try cursor(at: body.lowerBound, count: body.count, "a datatype message")
        return try datatype(&c, depth: 0)
    }

    private func datatype(_ c: inout Cursor, depth: Int) throws -> Datatype {
        let classAndVersion = try c.byte()
        let bits = try c.byte()
        try c.skip(2)
        let size = try c.length(4)
        switch classAndVersion & 0x0F {
        case 0:
            guard [1, 2, 4, 8].contains(size) else { throw corrupt("an integer type of 1, 2, 4 or 8 bytes", "\(size) bytes") }
            let offset = try c.uint16(), precision = try c.uint16()
            guard offset == 0, precision == size * 8 else { throw unsupported("an integer type with bit offset \(offset) and precision \(precision)") }
            return .integer(size: size, signed: bits & 0x08 != 0, bigEndian: bits & 0x01 != 0)
        case 1:
            let layouts = [2: [10, 5, 0, 10, 15], 4: [23, 8, 0, 23, 127], 8: [52, 11, 0, 52, 1023]]
            guard let layout = layouts[size], bits & 0x40 == 0 else { throw unsupported("a floating-point type of \(size) bytes (byte-order bits \(bits & 0x41))") }
            let offset = try c.uint16(), precision = try c.uint16()
            let stored = [try c.byte(), try c.byte(), try c.byte(), try c.byte(), Int(try c.uint(4))]
            guard offset == 0, precision == size * 8, stored == layout else {
                throw unsupported("a non-IEEE floating-point type (precision \(precision), exponent/mantissa/bias \(stored))")
            }
            return .float(size: size, bigEndian: bits & 0x01 != 0)
        case 3:
            guard size > 0 else { throw corrupt("a string type of at least 1 byte", "0 bytes") }
            return .string(size: size)
        case 8:
            guard depth == 0 else { throw corrupt("an enumeration over an integer type", "a nested enumeration") }
            guard case .integer(let baseSize, _, _) = try datatype(&c, depth: depth + 1), baseSize == size else {
                throw unsupported("an enumeration over a non-integer type")
            }
            return .enumeration(size: size)
        case 9:
            guard bits & 0x0F == 1 else { return .other(typeClass: 9) }
            guard size == 8 + offsetSize else { throw corrupt("a variable-length string element of \(8 + offsetSize) bytes", "\(size)") }
            return .variableString
        case let typeClass:
            return .other(typeClass: typeClass)
        }
    }

    /// A dataspace message: the dimensions (`[]` for a scalar, `nil` for a null dataspace), with
    /// at most 32 dimensions and ``HDF5File/maxDatasetElements`` elements.
    func dataspace(_ body: Range<Int>) throws -> [Int]? {
        var c = try cursor(at: body.lowerBound, count: body.count, "a dataspace message")
        let version = try c.byte()
        let rank = try c.byte()
        try c.skip(1)                           // flags
        switch version {
        case 1: try c.skip(5)
        case 2:
            let kind = try c.byte()
            if kind == 2 { return nil }
            if kind == 0 { return [] }
        default: throw corrupt("dataspace message version 1 or 2", "\(version)")
        }
        guard rank <= 32 else { throw corrupt("a dataspace of at most 32 dimensions", "\(rank)") }
        var dims: [Int] = []
        var total: UInt64 = 1
        for _ in 0..<rank {
            let d = try c.uint(lengthSize)
            let (p, overflow) = total.multipliedReportingOverflow(by: d)
            guard !overflow, p <= UInt64(HDF5File.maxDatasetElements), d <= UInt64(HDF5File.maxDatasetElements) else {
                throw corrupt("a dataspace of at most \(HDF5File.maxDatasetElements) elements", "dimension \(d) after \(dims)")
            }
            total = p
            dims.append(Int(d))
        }
        return dims
    }

    /// Where a dataset's elements are.
    enum Layout {
        case compact(Range<Int>)
        case contiguous(address: Int?, size: Int)
        case chunked(chunk: [Int], index: ChunkIndex)
    }

    /// How the chunks of a chunked dataset are found.
    enum ChunkIndex {
        case btree(Int?)
        case single(Int?, filteredSize: Int?, mask: UInt32)
        case implicit(Int?)
        case fixedArray(Int?)
    }

    private func layout(_ body: Range<Int>) throws -> Layout {
        var c = try cursor(at: body.lowerBound, count: body.count, "a data layout message")
        let version = try c.byte()
        switch version {
        case 1, 2:
            let dimensionality = try c.byte(), kind = try c.byte()
            try c.skip(5)
            let address = kind == 0 ? nil : try c.address()
            let dims = try (0..<dimensionality).map { _ in try c.length(4) }
            switch kind {
            case 0: return .compact(try c.range(try c.length(4), "compact data"))
            case 1: return .contiguous(address: address, size: -1)
            case 2: return .chunked(chunk: dims, index: .btree(address))
            default: throw corrupt("data layout class 0 to 2", "\(kind)")
            }
        case 3, 4, 5:   // 5 (HDF5 2.0) is 4's layout; only the width of filtered chunk sizes differs
            let kind = try c.byte()
            switch kind {
            case 0: return .compact(try c.range(try c.uint16(), "compact data"))
            case 1: return .contiguous(address: try c.address(), size: try c.length(lengthSize))
            case 2 where version == 3:
                let dimensionality = try c.byte()
                let address = try c.address()
                return .chunked(chunk: try (0..<dimensionality).map { _ in try c.length(4) }, index: .btree(address))
            case 2:
                let flags = try c.byte(), dimensionality = try c.byte(), width = try c.byte()
                guard (1...8).contains(width) else { throw corrupt("chunk dimensions of 1 to 8 bytes", "\(width)") }
                let dims = try (0..<dimensionality).map { _ in try c.length(width) }
                let indexType = try c.byte()
                switch indexType {
                case 1:
                    var filteredSize: Int?, mask: UInt32 = 0
                    if flags & 0x02 != 0 { filteredSize = try c.length(lengthSize); mask = UInt32(try c.uint(4)) }
                    return .chunked(chunk: dims, index: .single(try c.address(), filteredSize: filteredSize, mask: mask))
                case 2: return .chunked(chunk: dims, index: .implicit(try c.address()))
                case 3:
                    try c.skip(1)               // page bits
                    return .chunked(chunk: dims, index: .fixedArray(try c.address()))
                default: throw unsupported("chunk index type \(indexType) (extensible array or v2 B-tree, used for resizable datasets)")
                }
            case 3: throw unsupported("a virtual dataset")
            default: throw corrupt("data layout class 0 to 3", "\(kind)")
            }
        default:
            throw corrupt("data layout message version 1 to 5", "\(version)")
        }
    }

    /// A filter of a dataset's pipeline (1: deflate, 2: shuffle, 3: Fletcher-32).
    private struct Filter { let id: Int; let name: String }

    private func filters(_ body: Range<Int>) throws -> [Filter] {
        var c = try cursor(at: body.lowerBound, count: body.count, "a filter pipeline message")
        let version = try c.byte(), count = try c.byte()
        guard version == 1 || version == 2 else { throw corrupt("filter pipeline message version 1 or 2", "\(version)") }
        guard count <= 32 else { throw corrupt("at most 32 filters", "\(count)") }
        if version == 1 { try c.skip(6) }
        return try (0..<count).map { _ in
            let id = try c.uint16()
            let nameLength = version == 1 || id >= 256 ? try c.uint16() : 0
            try c.skip(2)                       // flags
            let values = try c.uint16()
            let nameRange = try c.range(nameLength, "a filter name of \(nameLength) bytes")
            if version == 1 { try c.skip((8 - nameLength % 8) % 8) }
            try c.skip(4 * values + (version == 1 && values % 2 == 1 ? 4 : 0))
            let end = bytes[nameRange].firstIndex(of: 0) ?? nameRange.upperBound
            return Filter(id: id, name: String(decoding: bytes[nameRange.lowerBound..<end], as: UTF8.self))
        }
    }

    /// A dataset's shape and element type.
    struct DatasetInfo {
        let shape: [Int]
        let type: Datatype
        let elementSize: Int
        var count: Int { shape.reduce(1, *) }
    }

    /// The shape and type of the dataset whose header is `header`.
    func datasetInfo(_ header: ObjectHeader, path: String) throws -> DatasetInfo {
        guard let space = header.first(0x01), let type = header.first(0x03) else {
            throw corrupt("a dataspace and a datatype for dataset \(path)", "none")
        }
        try requireUnshared(space, "dataspace")
        try requireUnshared(type, "datatype (a committed datatype)")
        let datatype = try datatype(type.body)
        let size: Int
        switch datatype {
        case .integer(let s, _, _), .float(let s, _), .enumeration(let s): size = s
        default: throw corrupt("a numeric dataset at \(path)", "\(datatype)")
        }
        return DatasetInfo(shape: try dataspace(space.body) ?? [0], type: datatype, elementSize: size)
    }

    /// The stored bytes of a dataset's elements (row-major, in the file's byte order).
    func rawData(_ header: ObjectHeader, info: DatasetInfo, path: String) throws -> [UInt8] {
        guard let layoutMessage = header.first(0x08) else { throw corrupt("a data layout for dataset \(path)", "none") }
        let total = info.count * info.elementSize
        let pipeline = try header.first(0x0B).map { try filters($0.body) } ?? []
        switch try layout(layoutMessage.body) {
        case .compact(let range):
            guard range.count == total else { throw corrupt("\(total) bytes of compact data for \(path)", "\(range.count)") }
            return Array(bytes[range])
        case .contiguous(let address, let size):
            guard let address else { return try unallocated(total, path: path) }
            guard size == -1 || size >= total else { throw corrupt("\(total) bytes of contiguous data for \(path)", "\(size)") }
            let c = try cursor(at: address, count: total, "the \(total) bytes of dataset \(path)")
            return Array(bytes[c.position..<c.end])
        case .chunked(let chunk, let index):
            return try chunkedData(info, chunk: chunk, index: index, pipeline: pipeline, path: path)
        }
    }

    /// A dataset with no storage reads as zeros (its fill value), only when small: a size
    /// declared without data behind it is not allocated on trust.
    private func unallocated(_ total: Int, path: String) throws -> [UInt8] {
        guard total <= 1 << 16 else { throw corrupt("data stored for the \(total) bytes of dataset \(path)", "none") }
        return [UInt8](repeating: 0, count: total)
    }

    private struct Chunk { let offsets: [Int]; let mask: UInt32; let position: Int; let size: Int }

    private func chunkedData(_ info: DatasetInfo, chunk: [Int], index: ChunkIndex, pipeline: [Filter], path: String) throws -> [UInt8] {
        let rank = info.shape.count
        guard chunk.count == rank + 1, rank > 0, chunk.dropLast().allSatisfy({ $0 > 0 }) else {
            throw corrupt("\(rank + 1) positive chunk dimensions for the rank-\(rank) dataset \(path)", "\(chunk)")
        }
        var chunkElements = 1
        for d in chunk.dropLast() {
            let (p, overflow) = chunkElements.multipliedReportingOverflow(by: d)
            guard !overflow, p <= HDF5File.maxDatasetElements else { throw corrupt("chunks of at most \(HDF5File.maxDatasetElements) elements in \(path)", "\(chunk)") }
            chunkElements = p
        }
        let chunkBytes = chunkElements * info.elementSize
        guard chunkBytes < 1 << 32 else { throw corrupt("chunks of less than 4 GiB (HDF5's limit) in \(path)", "\(chunkBytes) bytes") }
        let grid = zip(info.shape, chunk).map { ($0 + $1 - 1) / $1 }
        let chunkCount = grid.reduce(1, *)
        if info.count == 0 { return [] }
        guard chunkCount <= 1 << 24 else { throw corrupt("at most 2^24 chunks in \(path)", "\(chunkCount)") }
        func gridOffsets(_ i: Int) -> [Int] {
            var rest = i, offsets = [Int](repeating: 0, count: rank)
            for k in stride(from: rank - 1, through: 0, by: -1) { offsets[k] = rest % grid[k] * chunk[k]; rest /= grid[k] }
            return offsets
        }
        var chunks: [Chunk] = []
        switch index {
        case .btree(let address):
            if let address {
                var visited: Set<Int> = []
                try walkChunkTree(address, level: nil, rank: rank, visited: &visited, into: &chunks)
            }
        case let .single(address, filteredSize, mask):
            if let address { chunks = [Chunk(offsets: [Int](repeating: 0, count: rank), mask: mask, position: address, size: filteredSize ?? chunkBytes)] }
        case .implicit(let address):
            if let address {
                let c = try cursor(at: address, count: chunkCount * chunkBytes, "the \(chunkCount) chunks of \(path)")
                chunks = (0..<chunkCount).map { Chunk(offsets: gridOffsets($0), mask: 0, position: c.position + $0 * chunkBytes, size: chunkBytes) }
            }
        case .fixedArray(let address):
            if let address { chunks = try fixedArrayChunks(address, count: chunkCount, filtered: !pipeline.isEmpty).enumerated().compactMap { i, entry in
                entry.map { Chunk(offsets: gridOffsets(i), mask: $0.mask, position: $0.position, size: $0.size ?? chunkBytes) }
            } }
        }
        let total = info.count * info.elementSize
        // What the stored chunks can decode to at most; more is not allocated on trust.
        let expansion = pipeline.contains { $0.id == 1 } ? 1032 : 1
        let stored = chunks.reduce(0) { min(Int.max / 2048, $0 + min($1.size, bytes.count)) }
        guard total <= 1 << 16 || stored.multipliedReportingOverflow(by: expansion).partialValue >= total else {
            throw corrupt("stored chunks that can hold the \(total) bytes of dataset \(path)", "\(stored) bytes in \(chunks.count) chunks")
        }
        var output = [UInt8](repeating: 0, count: total)
        var strides = [Int](repeating: info.elementSize, count: rank), chunkStrides = strides
        for k in stride(from: rank - 2, through: 0, by: -1) {
            strides[k] = strides[k + 1] * info.shape[k + 1]
            chunkStrides[k] = chunkStrides[k + 1] * chunk[k + 1]
        }
        for piece in chunks {
            try step()
            for k in 0..<rank where piece.offsets[k] % chunk[k] != 0 || piece.offsets[k] >= info.shape[k] {
                throw corrupt("chunk offsets on the chunk grid inside dataset \(path) of shape \(info.shape)", "\(piece.offsets)")
            }
            let data = try decode(piece, bytes: chunkBytes, pipeline: pipeline, elementSize: info.elementSize, path: path)
            let extent = (0..<rank).map { min(chunk[$0], info.shape[$0] - piece.offsets[$0]) }
            let run = extent[rank - 1] * info.elementSize
            var position = [Int](repeating: 0, count: rank)
            data.withUnsafeBytes { source in
                output.withUnsafeMutableBytes { target in
                    while true {
                        var from = 0, to = 0
                        for k in 0..<rank {
                            from += position[k] * chunkStrides[k]
                            to += (piece.offsets[k] + position[k]) * strides[k]
                        }
                        target.baseAddress!.advanced(by: to).copyMemory(from: source.baseAddress!.advanced(by: from), byteCount: run)
                        var k = rank - 2
                        while k >= 0 {
                            position[k] += 1
                            if position[k] < extent[k] { break }
                            position[k] = 0
                            k -= 1
                        }
                        if k < 0 { return }
                    }
                }
            }
        }
        return output
    }

    /// Walks a chunked dataset's v1 B-tree (`TREE`, type 1) down to its chunks.
    private func walkChunkTree(_ address: Int, level expected: Int?, rank: Int, visited: inout Set<Int>, into chunks: inout [Chunk]) throws {
        guard visited.insert(address).inserted else { throw corrupt("each chunk B-tree node visited once", "node at offset \(address) twice") }
        try step()
        var c = try cursor(at: address, "the chunk B-tree node at offset \(address)")
        guard try c.peek(4) == Array("TREE".utf8) else { throw corrupt("a B-tree node (TREE) at offset \(address)", "other bytes") }
        try c.skip(4)
        let type = try c.byte(), level = try c.byte(), entries = try c.uint16()
        guard type == 1 else { throw corrupt("a chunk B-tree node (type 1) at offset \(address)", "type \(type)") }
        if let expected, level != expected { throw corrupt("a B-tree node of level \(expected) at offset \(address)", "level \(level)") }
        try c.skip(2 * offsetSize)
        let keySize = 8 + 8 * (rank + 1)
        try c.need(entries * (keySize + offsetSize))
        for _ in 0..<entries {
            let size = try c.length(4)
            let mask = UInt32(try c.uint(4))
            var offsets: [Int] = []
            for _ in 0...rank {
                let o = try c.uint(8)
                guard o <= UInt64(HDF5File.maxDatasetElements) else { throw corrupt("chunk offsets inside the dataset", "\(o)") }
                offsets.append(Int(o))
            }
            guard let child = try c.address() else { throw corrupt("child addresses in the chunk B-tree node at offset \(address)", "the undefined address") }
            if level == 0 {
                chunks.append(Chunk(offsets: Array(offsets.prefix(rank)), mask: mask, position: child, size: size))
            } else {
                try walkChunkTree(child, level: level - 1, rank: rank, visited: &visited, into: &chunks)
            }
        }
    }

    /// The entries of a fixed array chunk index (`FAHD`/`FADB`): per chunk in row-major order,
    /// its address and, for filtered datasets, its stored size and filter mask.
    private func fixedArrayChunks(_ address: Int, count: Int, filtered: Bool) throws -> [(position: Int, size: Int?, mask: UInt32)?] {
        var h = try cursor(at: address, "the fixed array header at offset \(address)")
        guard try h.peek(4) == Array("FAHD".utf8) else { throw corrupt("a fixed array header (FAHD) at offset \(address)", "other bytes") }
        try h.skip(5)
        let client = try h.byte(), entrySize = try h.byte(), pageBits = try h.byte()
        let entries = try h.length(lengthSize)
        let sizeBytes = entrySize - offsetSize - 4
        guard client == (filtered ? 1 : 0), entries == count, filtered ? (1...8).contains(sizeBytes) : entrySize == offsetSize else {
            throw corrupt("a fixed array of \(count) chunk entries at offset \(address)", "client \(client), \(entries) entries of \(entrySize) bytes")
        }
        guard pageBits < 32, count <= 1 << pageBits else { throw unsupported("a paged fixed array chunk index (more than \(1 << min(pageBits, 31)) chunks)") }
        guard let blockAddress = try h.address() else { return [] }
        var d = try cursor(at: blockAddress, "the fixed array data block at offset \(blockAddress)")
        guard try d.peek(4) == Array("FADB".utf8) else { throw corrupt("a fixed array data block (FADB) at offset \(blockAddress)", "other bytes") }
        try d.skip(6 + offsetSize)
        try d.need(count * entrySize)
        return try (0..<count).map { _ in
            try step()
            let position = try d.address()
            var size: Int?, mask: UInt32 = 0
            if filtered {
                size = try d.length(sizeBytes)
                mask = UInt32(try d.uint(4))
            }
            return position.map { ($0, size, mask) }
        }
    }

    /// A chunk's bytes after its filters (in reverse order, skipping those its mask excludes).
    private func decode(_ chunk: Chunk, bytes count: Int, pipeline: [Filter], elementSize: Int, path: String) throws -> [UInt8] {
        let c = try cursor(at: chunk.position, count: chunk.size, "a chunk of \(chunk.size) bytes of dataset \(path)")
        var data = Array(bytes[c.position..<c.end])
        for (i, filter) in pipeline.enumerated().reversed() where chunk.mask & (1 << UInt32(i)) == 0 {
            switch filter.id {
            case 1: data = try inflate(data, size: count, path: path)
            case 2: data = unshuffle(data, elementSize: elementSize)
            case 3:
                guard data.count >= 4 else { throw corrupt("a Fletcher-32 checksum after chunk data in \(path)", "\(data.count) bytes") }
                data.removeLast(4)
            default: throw unsupported("HDF5 filter \(filter.id) (\(filter.name.isEmpty ? "unnamed" : filter.name)) on dataset \(path)")
            }
        }
        guard data.count == count else { throw corrupt("chunks of \(count) bytes in dataset \(path)", "a chunk of \(data.count) bytes") }
        return data
    }

    /// Inflates a zlib stream into exactly `size` bytes.
    private func inflate(_ input: [UInt8], size: Int, path: String) throws -> [UInt8] {
        guard size <= input.count.multipliedReportingOverflow(by: 1032).partialValue + 64 else {
            throw corrupt("a deflate stream that can hold the \(size) bytes of a chunk of \(path)", "\(input.count) compressed bytes")
        }
        return try Gzip.inflate(input, exactly: size, raw: false, name: name, what: "a chunk of \(path)")
    }

    /// Undoes the shuffle filter: byte `j` of element `i` was stored at `j * count + i`.
    private func unshuffle(_ data: [UInt8], elementSize: Int) -> [UInt8] {
        guard elementSize > 1 else { return data }
        let count = data.count / elementSize
        var out = data
        for j in 0..<elementSize {
            for i in 0..<count { out[i * elementSize + j] = data[j * count + i] }
        }
        return out
    }

    /// A dataset's elements as a tensor of `dtype` (`nil`: the stored type, float16 widened to
    /// float32, small integers to int32, uint32 and wider to int64, enumerations to bool).
    func tensor(_ header: ObjectHeader, as dtype: DType?, path: String) throws -> Tensor {
        let info = try datasetInfo(header, path: path)
        let raw = try rawData(header, info: info, path: path)
        let stored: DType
        switch info.type {
        case .float(let size, _): stored = size == 8 ? .float64 : .float32
        case .integer(let size, let signed, _): stored = size < 4 || (size == 4 && signed) ? .int32 : .int64
        default: stored = .bool
        }
        if let dtype, stored == .bool || dtype == .bool, stored != dtype {
            throw corrupt("a \(dtype) dataset at \(path)", "\(info.type)")
        }
        let n = info.count
        let tensor = raw.withUnsafeBytes { source -> Tensor in
            switch info.type {
            case let .float(size, bigEndian):
                if size == 8 {
                    return Tensor(shape: info.shape, dtype: .float64) { (out: UnsafeMutableBufferPointer<Double>) in
                        for i in 0..<n { out[i] = Double(bitPattern: Self.load(source, i * 8, 8, bigEndian)) }
                    }
                }
                return Tensor(shape: info.shape, dtype: .float32) { (out: UnsafeMutableBufferPointer<Float>) in
                    if size == 4 && !bigEndian {
                        UnsafeMutableRawBufferPointer(out).copyMemory(from: source)   // the common case: the bytes as they are
                    } else if size == 4 {
                        for i in 0..<n { out[i] = Float(bitPattern: UInt32(truncatingIfNeeded: Self.load(source, i * 4, 4, bigEndian))) }
                    } else {
                        for i in 0..<n { out[i] = Float(Float16(bitPattern: UInt16(truncatingIfNeeded: Self.load(source, i * 2, 2, bigEndian)))) }
                    }
                }
            case let .integer(size, signed, bigEndian):
                func value(_ i: Int) -> Int64 {
                    let bits = Self.load(source, i * size, size, bigEndian)
                    guard signed else { return Int64(clamping: bits) }
                    let shift = UInt64(64 - size * 8)
                    return Int64(bitPattern: bits << shift) >> Int64(shift)
                }
                if stored == .int32 {
                    return Tensor(shape: info.shape, dtype: .int32) { (out: UnsafeMutableBufferPointer<Int32>) in
                        for i in 0..<n { out[i] = Int32(truncatingIfNeeded: value(i)) }
                    }
                }
                return Tensor(shape: info.shape, dtype: .int64) { (out: UnsafeMutableBufferPointer<Int64>) in
                    for i in 0..<n { out[i] = value(i) }
                }
            default:
                let size = info.elementSize
                return Tensor(shape: info.shape, dtype: .bool) { (out: UnsafeMutableBufferPointer<Bool>) in
                    for i in 0..<n { out[i] = (0..<size).contains { source[i * size + $0] != 0 } }
                }
            }
        }
        return dtype.map { tensor.cast(to: $0) } ?? tensor
    }

    /// The unsigned integer of `size` bytes at byte `offset`.
    @inline(__always)
    private static func load(_ source: UnsafeRawBufferPointer, _ offset: Int, _ size: Int, _ bigEndian: Bool) -> UInt64 {
        var value: UInt64 = 0
        if bigEndian {
            for k in 0..<size { value = value << 8 | UInt64(source[offset + k]) }
        } else {
            for k in 0..<size { value |= UInt64(source[offset + k]) << UInt64(8 * k) }
        }
        return value
    }
}
