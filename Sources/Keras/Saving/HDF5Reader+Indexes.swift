import KerasCore

/// The indexes of new-style HDF5 groups and attributes (libver "latest" files): version 2
/// B-trees (`BTHD`/`BTIN`/`BTLF`) and fractal heaps (`FRHP`/`FHIB`/`FHDB`).
extension HDF5Reader {
    /// All records of the version 2 B-tree at `address`, which must be of record type `type`
    /// (5: link names, 8: attribute names), in tree order. Each record is a slice of the file.
    ///
    /// ```swift
    /// for record in try file.btree2Records(at: treeAddress, type: 5) { ... }
    /// ```
    func btree2Records(at address: Int, type: Int) throws -> [ArraySlice<UInt8>] {
        var c = try cursor(at: address, "the v2 B-tree header at offset \(address)")
        guard try c.peek(4) == Array("BTHD".utf8) else { throw corrupt("a v2 B-tree header (BTHD) at offset \(address)", "other bytes") }
        try c.skip(4)
        let version = try c.byte(), recordType = try c.byte()
        guard version == 0, recordType == type else { throw corrupt("a v2 B-tree of version 0 and record type \(type) at offset \(address)", "version \(version), type \(recordType)") }
        let nodeSize = try c.length(4)
        let recordSize = try c.uint16()
        let depth = try c.uint16()
        try c.skip(2)                           // split and merge percentages
        let root = try c.address()
        let rootRecords = try c.uint16()
        guard let root, rootRecords > 0 else { return [] }
        guard recordSize > 0, nodeSize > 10 + recordSize, depth < 32 else {
            throw corrupt("a v2 B-tree with records of 1 to \(max(0, nodeSize - 10)) bytes and depth below 32", "record size \(recordSize), node size \(nodeSize), depth \(depth)")
        }
        // The sizes of the child-pointer fields, as the format derives them from the node size.
        func encodedSize(_ n: Int) -> Int { (Int.bitWidth - n.leadingZeroBitCount - 1) / 8 + 1 }
        let leafMax = (nodeSize - 10) / recordSize
        let countSize = encodedSize(leafMax)
        var cumulativeMax = [leafMax], totalSizes = [0]
        for level in stride(from: 1, through: depth, by: 1) {
            let pointerSize = offsetSize + countSize + (level > 1 ? totalSizes[level - 1] : 0)
            let maxRecords = (nodeSize - 10 - pointerSize) / (recordSize + pointerSize)
            guard maxRecords > 0 else { throw corrupt("v2 B-tree nodes that hold records at depth \(level)", "node size \(nodeSize)") }
            let (product, overflow) = (maxRecords + 1).multipliedReportingOverflow(by: cumulativeMax[level - 1])
            let cumulative = overflow || product > Int.max / 2 ? Int.max / 2 : product + maxRecords
            cumulativeMax.append(cumulative)
            totalSizes.append(encodedSize(cumulative))
        }
        var records: [ArraySlice<UInt8>] = []
        var visited: Set<Int> = []
        func walk(_ node: Int, level: Int, count: Int) throws {
            guard visited.insert(node).inserted else { throw corrupt("each v2 B-tree node visited once", "node at offset \(node) twice") }
            guard count <= nodeSize / recordSize else { throw corrupt("at most \(nodeSize / recordSize) records in a v2 B-tree node", "\(count) at offset \(node)") }
            try step(count + 1)
            var n = try cursor(at: node, count: min(nodeSize, bytes.count - node), "the v2 B-tree node at offset \(node)")
            let signature = level == 0 ? "BTLF" : "BTIN"
            guard try n.peek(4) == Array(signature.utf8) else { throw corrupt("a v2 B-tree node (\(signature)) at offset \(node)", "other bytes") }
            try n.skip(6)                       // signature, version, type
            try n.need(count * recordSize)
            let recordStart = n.position
            try n.skip(count * recordSize)
            if level == 0 {
                for i in 0..<count { records.append(bytes[recordStart + i * recordSize..<recordStart + (i + 1) * recordSize]) }
                return
            }
            for i in 0...count {
                guard let child = try n.address() else { throw corrupt("child addresses in the v2 B-tree node at offset \(node)", "the undefined address") }
                let childCount = Int(clamping: try n.uint(countSize))
                if level > 1 { try n.skip(totalSizes[level - 1]) }
                try walk(child, level: level - 1, count: childCount)
                if i < count { records.append(bytes[recordStart + i * recordSize..<recordStart + (i + 1) * recordSize]) }
            }
        }
        try walk(root, level: depth, count: rootRecords)
        return records
    }

    /// A fractal heap: its direct blocks (by offset in the heap's address space) and the sizes
    /// of the fields of its heap IDs.
    struct FractalHeap {
        let file: HDF5Reader
        let address: Int
        let idLength: Int
        let offsetBytes: Int
        let lengthBytes: Int
        /// The v2 B-tree indexing objects too large for the heap's blocks ("huge" objects).
        let hugeObjects: Int?
        /// Direct blocks: (offset in the heap, file position, size), sorted by offset.
        var blocks: [(offset: Int, position: Int, size: Int)] = []

        init(_ file: HDF5Reader, at address: Int) throws {
            self.file = file
            self.address = address
            var c = try file.cursor(at: address, "the fractal heap header at offset \(address)")
            guard try c.peek(4) == Array("FRHP".utf8) else { throw file.corrupt("a fractal heap header (FRHP) at offset \(address)", "other bytes") }
            try c.skip(4)
            let version = try c.byte()
            guard version == 0 else { throw file.corrupt("fractal heap version 0 at offset \(address)", "\(version)") }
            idLength = try c.uint16()
            let filterLength = try c.uint16()
            guard filterLength == 0 else { throw file.unsupported("a filtered fractal heap") }
            try c.skip(1)                       // flags
            let maxManaged = Int(try c.uint(4))
            try c.skip(file.lengthSize)         // next huge object ID
            hugeObjects = try c.address()
            try c.skip(file.lengthSize + file.offsetSize)                   // free space amount, manager
            try c.skip(8 * file.lengthSize)     // managed/allocated space, iterator, object counts and sizes
            let width = try c.uint16()
            let startSize = Int(clamping: try c.uint(file.lengthSize))
            let maxDirect = Int(clamping: try c.uint(file.lengthSize))
            let maxHeapBits = try c.uint16()
            try c.skip(2)                       // starting rows of the root indirect block
            let root = try c.address()
            let rootRows = try c.uint16()
            func isPowerOfTwo(_ n: Int) -> Bool { n > 0 && n & (n - 1) == 0 }
            guard isPowerOfTwo(width), width <= 65536, isPowerOfTwo(startSize), isPowerOfTwo(maxDirect), startSize <= maxDirect, maxDirect <= 1 << 40,
                  (1...64).contains(maxHeapBits), maxManaged > 0 else {
                throw file.corrupt("a fractal heap with power-of-two table width and block sizes at offset \(address)",
                                   "width \(width), block sizes \(startSize) to \(maxDirect), \(maxHeapBits) address bits")
            }
            func log2(_ n: Int) -> Int { Int.bitWidth - n.leadingZeroBitCount - 1 }
            offsetBytes = (maxHeapBits + 7) / 8
            lengthBytes = min((log2(maxDirect) + 7) / 8, log2(maxManaged) / 8 + 1)
            guard let root else { return }
            let maxDirectRows = log2(maxDirect) - log2(startSize) + 2
            let firstRowBits = log2(startSize) + log2(width)
            func rowSize(_ row: Int) -> Int { row == 0 ? startSize : startSize << (row - 1) }
            var visited: Set<Int> = []
            var found: [(offset: Int, position: Int, size: Int)] = []
            func direct(_ position: Int, size: Int) throws {
                guard visited.insert(position).inserted else { throw file.corrupt("each fractal heap block visited once", "block at offset \(position) twice") }
                try file.step()
                var d = try file.cursor(at: position, count: size, "the fractal heap direct block at offset \(position)")
                guard try d.peek(4) == Array("FHDB".utf8) else { throw file.corrupt("a fractal heap direct block (FHDB) at offset \(position)", "other bytes") }
                try d.skip(5 + file.offsetSize)
                let offset = try d.uint(offsetBytes)
                guard offset < UInt64(Int.max / 2) else { throw file.corrupt("a direct block offset inside the heap", "\(offset)") }
                found.append((Int(offset), position, size))
            }
            func indirect(_ position: Int, rows: Int, depth: Int) throws {
                guard visited.insert(position).inserted else { throw file.corrupt("each fractal heap block visited once", "block at offset \(position) twice") }
                guard depth < 16, (0...64).contains(rows) else { throw file.corrupt("fractal heap indirect blocks at most 16 deep of at most 64 rows", "depth \(depth), \(rows) rows") }
                try file.step()
                var b = try file.cursor(at: position, "the fractal heap indirect block at offset \(position)")
                guard try b.peek(4) == Array("FHIB".utf8) else { throw file.corrupt("a fractal heap indirect block (FHIB) at offset \(position)", "other bytes") }
                try b.skip(5 + file.offsetSize + offsetBytes)
                try b.need(rows * width * file.offsetSize)
                for row in 0..<rows {
                    for _ in 0..<width {
                        guard let child = try b.address() else { continue }
                        let size = row < 64 && rowSize(row) > 0 ? rowSize(row) : Int.max
                        if row < maxDirectRows {
                            try direct(child, size: size)
                        } else {
                            try indirect(child, rows: log2(size) - firstRowBits + 1, depth: depth + 1)
                        }
                    }
                }
            }
            if rootRows == 0 { try direct(root, size: startSize) } else { try indirect(root, rows: rootRows, depth: 0) }
            blocks = found.sorted { $0.offset < $1.offset }
        }

        /// The bytes of the object a heap ID names (managed objects, or tiny ones held in the ID).
        func object(_ id: ArraySlice<UInt8>) throws -> Range<Int> {
            guard let first = id.first else { throw file.corrupt("a fractal heap ID", "an empty one") }
            let start = id.startIndex
            switch (first >> 4) & 0x03 {
            case 0:
                guard id.count >= 1 + offsetBytes + lengthBytes else { throw file.corrupt("a heap ID of \(1 + offsetBytes + lengthBytes) bytes", "\(id.count)") }
                var offset = 0, length = 0
                for i in 0..<offsetBytes { offset |= Int(id[start + 1 + i]) << (8 * i) }
                for i in 0..<lengthBytes { length |= Int(id[start + 1 + offsetBytes + i]) << (8 * i) }
                guard offset >= 0, length >= 0, let block = blocks.last(where: { $0.offset <= offset }), offset - block.offset < block.size,
                      length <= block.size - (offset - block.offset) else {
                    throw file.corrupt("a heap object inside a direct block of the fractal heap at offset \(address)", "\(length) bytes at heap offset \(offset)")
                }
                let position = block.position + (offset - block.offset)
                return position..<position + length
            case 2:
                let length = Int(first & 0x0F) + 1
                guard length <= id.count - 1 else { throw file.corrupt("a tiny heap object inside its \(id.count)-byte ID", "\(length) bytes") }
                return start + 1..<start + 1 + length
            case 1:
                return try hugeObject(id)
            default:
                throw file.corrupt("a managed, huge or tiny fractal heap ID", "ID type \((first >> 4) & 0x03)")
            }
        }

        /// A huge object: its address and length in the ID itself when they fit, else looked up
        /// by the ID's key in the heap's v2 B-tree of huge objects (record type 1).
        private func hugeObject(_ id: ArraySlice<UInt8>) throws -> Range<Int> {
            var c = try file.cursor(at: id.startIndex + 1, count: id.count - 1, "a huge fractal heap ID")
            if id.count - 1 >= file.offsetSize + file.lengthSize {
                guard let position = try c.address() else { throw file.corrupt("a huge heap object address", "the undefined address") }
                return try file.cursor(at: position, count: try c.length(file.lengthSize), "a huge heap object").span
            }
            let key = try c.uint(min(id.count - 1, 8))
            guard let tree = hugeObjects else { throw file.corrupt("a B-tree of huge objects in the fractal heap at offset \(address)", "none") }
            for record in try file.btree2Records(at: tree, type: 1) {
                var r = try file.cursor(at: record.startIndex, count: record.count, "a huge object record")
                let position = try r.address(), length = try r.length(file.lengthSize)
                guard try r.uint(min(r.remaining, 8)) == key else { continue }
                guard let position else { throw file.corrupt("a huge heap object address", "the undefined address") }
                return try file.cursor(at: position, count: length, "huge heap object \(key)").span
            }
            throw file.corrupt("huge object \(key) in the fractal heap at offset \(address)", "no such object")
        }
    }
}
