import Foundation
import KerasCore

/// NumPy's `.npy` format (version 1–3): a magic string, a Python-literal header
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }` and the raw elements.
///
/// Reading accepts little- and big-endian `float16/32/64`, `int8/16/32/64`, `uint8/16/32/64` and
/// `bool`, in C or Fortran order; small integers widen to `int32`, `uint32`/`uint64` to `int64`
/// (values past `Int64.max` throw), `float16` to `float32`. Writing uses the tensor's dtype.
enum NumPyFormat {
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]   // \x93NUMPY

    /// The bytes of a version 1.0 `.npy` file holding `tensor` (C order).
    static func encode(_ tensor: Tensor) -> [UInt8] {
        let descr: String
        switch tensor.dtype {
        case .float32: descr = "<f4"
        case .float64: descr = "<f8"
        case .int32: descr = "<i4"
        case .int64: descr = "<i8"
        case .bool: descr = "|b1"
        }
        let shape = tensor.shape.count == 1 ? "(\(tensor.shape[0]),)" : "(" + tensor.shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
        let unpadded = magic.count + 2 + 2 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var out = magic + [1, 0]
        out.append16(UInt16(header.utf8.count))
        out += Array(header.utf8)
        tensor.withUnsafeRawBytes { out += $0 }
        return out
    }

    /// A parsed `.npy` header: the dtype string (`'<f4'`, `'|O'`…), the layout and where the data starts.
    struct Header {
        var descr: String
        var fortranOrder: Bool
        var shape: [Int]
        var dataStart: Int
    }

    /// Parses the magic, version and header dictionary of `.npy` bytes.
    static func header(_ bytes: [UInt8], name: String) throws -> Header {
        func corrupt(_ expected: String, _ got: String) -> KerasError { .corruptFile(file: name, expected: expected, got: got) }
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else { throw corrupt("a .npy file (magic \\x93NUMPY)", "other bytes") }
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        switch major {
        case 1: headerLength = Int(bytes.read16(8)); headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw corrupt("a complete .npy header", "\(bytes.count) bytes") }
            headerLength = Int(bytes.read32(8)); headerStart = 12
        default: throw corrupt(".npy format version 1, 2 or 3", "version \(major)")
        }
        guard headerLength <= 1 << 20, headerStart + headerLength <= bytes.count else { throw corrupt("a complete .npy header", "a header of \(headerLength) bytes in \(bytes.count)") }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        let descr = try stringValue(of: "descr", in: header, name: name)
        let fortran = try literal(of: "fortran_order", in: header, name: name)
        guard fortran == "True" || fortran == "False" else { throw corrupt("fortran_order True or False", fortran) }
        let shapeText = try literal(of: "shape", in: header, name: name)
        guard shapeText.hasPrefix("("), shapeText.hasSuffix(")") else { throw corrupt("a shape tuple", shapeText) }
        let shape = try shapeText.dropFirst().dropLast().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map { part -> Int in
            guard let d = Int(part), d >= 0 else { throw corrupt("non-negative dimensions", shapeText) }
            return d
        }
        guard shape.count <= 32 else { throw corrupt("at most 32 dimensions", "\(shape.count)") }
        return Header(descr: descr, fortranOrder: fortran == "True", shape: shape, dataStart: headerStart + headerLength)
    }

    /// Parses `.npy` bytes, checking the header and that the data has exactly the declared size.
    static func decode(_ bytes: [UInt8], name: String) throws -> Tensor {
        func corrupt(_ expected: String, _ got: String) -> KerasError { .corruptFile(file: name, expected: expected, got: got) }
        let parsed = try header(bytes, name: name)
        let (descr, shape) = (parsed.descr, parsed.shape)
        let fortran = parsed.fortranOrder ? "True" : "False"
        guard descr.count >= 3, let itemSize = Int(descr.dropFirst(2)), itemSize > 0 else { throw corrupt("a dtype like '<f4'", "'\(descr)'") }
        let kind = descr[descr.index(after: descr.startIndex)]
        let order = descr.first!
        guard "<>|=".contains(order) else { throw corrupt("a byte order '<', '>', '|' or '='", "'\(descr)'") }
        let bigEndian = order == ">"
        var count = 1
        for d in shape {
            let (p, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, p <= HDF5File.maxDatasetElements else { throw corrupt("at most \(HDF5File.maxDatasetElements) elements", "shape \(shape)") }
            count = p
        }
        let dataStart = parsed.dataStart
        guard count.multipliedReportingOverflow(by: itemSize).overflow == false, bytes.count - dataStart == count * itemSize else {
            throw corrupt("\(count) elements of \(itemSize) bytes after the header", "\(bytes.count - dataStart) bytes")
        }
        let target: DType
        switch (kind, itemSize) {
        case ("f", 2), ("f", 4): target = .float32
        case ("f", 8): target = .float64
        case ("i", 1), ("i", 2), ("i", 4), ("u", 1), ("u", 2): target = .int32
        case ("i", 8), ("u", 4), ("u", 8): target = .int64
        case ("b", 1): target = .bool
        default: throw KerasError.unsupported(component: "NumPy file '\(name)'", reason: "dtype '\(descr)' is not float16/32/64, (u)int8–64 or bool")
        }
        // Fast path: the file holds the tensor's own little-endian C-order bytes.
        if fortran == "False", !bigEndian, itemSize == target.byteSize, kind != "u", target != .bool {
            return Tensor(shape: shape, rawDType: target) { out in
                bytes.withUnsafeBytes { out.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[dataStart...])) }
            }
        }
        // Element i of the file, as a bit pattern in native order.
        func raw(_ i: Int) -> UInt64 {
            let base = dataStart + i * itemSize
            var v: UInt64 = 0
            for b in 0..<itemSize {
                let byte = UInt64(bytes[base + (bigEndian ? itemSize - 1 - b : b)])
                v |= byte << UInt64(8 * b)
            }
            return v
        }
        // File index of C-order element i (Fortran files store the first axis fastest).
        var strides = [Int](repeating: 1, count: shape.count)
        if fortran == "True" {
            for axis in shape.indices.dropFirst() { strides[axis] = strides[axis - 1] * shape[axis - 1] }
        } else {
            for axis in shape.indices.reversed().dropFirst() { strides[axis] = strides[axis + 1] * shape[axis + 1] }
        }
        let cStrides: [Int] = {
            var s = [Int](repeating: 1, count: shape.count)
            for axis in shape.indices.reversed().dropFirst() { s[axis] = s[axis + 1] * shape[axis + 1] }
            return s
        }()
        func fileIndex(_ i: Int) -> Int {
            if fortran == "False" { return i }
            var rest = i, offset = 0
            for axis in shape.indices { offset += (rest / cStrides[axis]) * strides[axis]; rest %= cStrides[axis] }
            return offset
        }
        func signed(_ v: UInt64) -> Int64 {
            let shift = UInt64(64 - 8 * itemSize)
            return Int64(bitPattern: v << shift) >> Int64(shift)
        }
        switch target {
        case .float32:
            return Tensor(shape: shape, dtype: .float32) { (out: UnsafeMutableBufferPointer<Float>) in
                for i in 0..<count {
                    let v = raw(fileIndex(i))
                    out[i] = itemSize == 2 ? Float(Float16(bitPattern: UInt16(v))) : Float(bitPattern: UInt32(v))
                }
            }
        case .float64:
            return Tensor(shape: shape, dtype: .float64) { (out: UnsafeMutableBufferPointer<Double>) in
                for i in 0..<count { out[i] = Double(bitPattern: raw(fileIndex(i))) }
            }
        case .int32:
            return Tensor(shape: shape, dtype: .int32) { (out: UnsafeMutableBufferPointer<Int32>) in
                for i in 0..<count {
                    let v = raw(fileIndex(i))
                    out[i] = kind == "u" ? Int32(v) : Int32(signed(v))
                }
            }
        case .int64:
            if kind == "u", itemSize == 8, let big = (0..<count).first(where: { raw($0) > UInt64(Int64.max) }) {
                throw corrupt("uint64 values that fit int64", "\(raw(big)) at element \(big)")
            }
            return Tensor(shape: shape, dtype: .int64) { (out: UnsafeMutableBufferPointer<Int64>) in
                for i in 0..<count {
                    let v = raw(fileIndex(i))
                    out[i] = kind == "u" ? Int64(v) : signed(v)
                }
            }
        case .bool:
            return Tensor(shape: shape, dtype: .bool) { (out: UnsafeMutableBufferPointer<Bool>) in
                for i in 0..<count { out[i] = raw(fileIndex(i)) != 0 }
            }
        }
    }

    /// The text after `'key':` up to the next top-level comma or closing brace.
    private static func literal(of key: String, in header: String, name: String) throws -> String {
        guard let range = header.range(of: "'\(key)':") else {
            throw KerasError.corruptFile(file: name, expected: "'\(key)' in the .npy header", got: header)
        }
        var depth = 0
        var end = range.upperBound
        while end < header.endIndex {
            let c = header[end]
            if c == "(" { depth += 1 } else if c == ")" { depth -= 1 }
            if depth == 0 && (c == "," || c == "}") { break }
            end = header.index(after: end)
        }
        return header[range.upperBound..<end].trimmingCharacters(in: .whitespaces)
    }

    private static func stringValue(of key: String, in header: String, name: String) throws -> String {
        let text = try literal(of: key, in: header, name: name)
        guard text.count >= 2, text.first == "'" || text.first == "\"", text.last == text.first else {
            throw KerasError.corruptFile(file: name, expected: "a string '\(key)' in the .npy header", got: text)
        }
        return String(text.dropFirst().dropLast())
    }
}

extension Tensor {
    /// Reads a NumPy `.npy` file (`np.save`): C or Fortran order, either byte order; see
    /// ``save(npy:)`` for the other direction.
    ///
    /// ```swift
    /// let images = try Tensor(npyFile: "images.npy")   // np.save("images.npy", x)
    /// ```
    ///
    /// - Throws: `KerasError` for unreadable or malformed files, data of the wrong size, and
    ///   dtypes other than float16/32/64, (u)int8–64 and bool.
    public init(npyFile path: String) throws {
        self = try NumPyFormat.decode(readFileBytes(path), name: path)
    }

    /// Writes the tensor as a NumPy `.npy` file (`np.load` reads it), atomically.
    ///
    /// ```swift
    /// try predictions.save(npy: "predictions.npy")
    /// ```
    public func save(npy path: String) throws {
        try writeAtomically(NumPyFormat.encode(self), to: path)
    }
}

/// Reads a NumPy `.npz` archive (`np.savez` or `np.savez_compressed`): each array by its name.
///
/// ```swift
/// let arrays = try loadNPZ("mnist.npz")
/// let xTrain = arrays["x_train"]!
/// ```
///
/// - Throws: `KerasError` for malformed archives or arrays (see `Tensor/init(npyFile:)`).
public func loadNPZ(_ path: String) throws -> [String: Tensor] {
    let zip = try ZipReader(bytes: readFileBytes(path), name: path)
    var result: [String: Tensor] = [:]
    for entry in zip.entries where entry.name.hasSuffix(".npy") {
        result[String(entry.name.dropLast(4))] = try NumPyFormat.decode(zip.data(entry.name), name: "\(path)/\(entry.name)")
    }
    return result
}

/// Writes tensors as a NumPy `.npz` archive (as `np.savez`, uncompressed), atomically.
///
/// ```swift
/// try saveNPZ(["x": x, "y": y], to: "data.npz")
/// ```
public func saveNPZ(_ arrays: [String: Tensor], to path: String) throws {
    var zip = ZipWriter()
    for key in arrays.keys.sorted() { zip.add(key + ".npy", NumPyFormat.encode(arrays[key]!)) }
    try writeAtomically(zip.finish(), to: path)
}
