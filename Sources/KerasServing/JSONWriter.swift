import Keras

/// Builds JSON text as UTF-8 bytes: the responses of the REST API, tensors included.
///
/// Floats are written in their shortest form that reads back to the same value; non-finite
/// values as `NaN`, `Infinity` and `-Infinity`, as TensorFlow Serving writes them.
///
/// ```swift
/// var writer = JSONWriter()
/// writer.raw("{\"error\": ")
/// writer.string("bad input")
/// writer.raw("}")
/// ```
public struct JSONWriter: Sendable {
    /// The UTF-8 JSON written so far.
    public private(set) var bytes: [UInt8] = []

    /// An empty writer with room for `capacity` bytes.
    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    /// Appends JSON text as it is.
    public mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// Appends a quoted, escaped string.
    public mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends rows `rows` of `tensor` (batch axis first) as nested lists: one list of rows, or
    /// only the row itself when `single` is set (the row format writes rows one by one).
    mutating func tensorRows(_ tensor: Tensor, rows: Range<Int>, single: Bool = false) {
        switch tensor.dtype {
        case .float32: tensor.withUnsafeBufferPointer(of: Float.self) { writeRows($0, shape: tensor.shape, rows: rows, single: single) }
        case .float64: tensor.withUnsafeBufferPointer(of: Double.self) { writeRows($0, shape: tensor.shape, rows: rows, single: single) }
        case .int32: tensor.withUnsafeBufferPointer(of: Int32.self) { writeRows($0, shape: tensor.shape, rows: rows, single: single) }
        case .int64: tensor.withUnsafeBufferPointer(of: Int64.self) { writeRows($0, shape: tensor.shape, rows: rows, single: single) }
        case .bool: tensor.withUnsafeBufferPointer(of: Bool.self) { writeRows($0, shape: tensor.shape, rows: rows, single: single) }
        }
    }

    private mutating func writeRows<T: JSONScalar>(_ buffer: UnsafeBufferPointer<T>, shape: [Int], rows: Range<Int>, single: Bool) {
        let inner = Array(shape.dropFirst())
        let rowSize = inner.reduce(1, *)
        if !single { bytes.append(UInt8(ascii: "[")) }
        for row in rows {
            if row != rows.lowerBound { bytes.append(UInt8(ascii: ",")) }
            var offset = row * rowSize
            writeNested(buffer, dims: inner[...], offset: &offset)
        }
        if !single { bytes.append(UInt8(ascii: "]")) }
    }

    private mutating func writeNested<T: JSONScalar>(_ buffer: UnsafeBufferPointer<T>, dims: ArraySlice<Int>, offset: inout Int) {
        guard let count = dims.first else {
            buffer[offset].writeJSON(into: &bytes)
            offset += 1
            return
        }
        bytes.append(UInt8(ascii: "["))
        if dims.count == 1 {
            for i in 0..<count {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                buffer[offset + i].writeJSON(into: &bytes)
            }
            offset += count
        } else {
            for i in 0..<count {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                writeNested(buffer, dims: dims.dropFirst(), offset: &offset)
            }
        }
        bytes.append(UInt8(ascii: "]"))
    }
}

/// Element types ``JSONWriter`` writes.
protocol JSONScalar { func writeJSON(into bytes: inout [UInt8]) }

extension BinaryFloatingPoint where Self: LosslessStringConvertible {
    func writeFloatJSON(into bytes: inout [UInt8]) {
        if isNaN { bytes.append(contentsOf: "NaN".utf8) }
        else if isInfinite { bytes.append(contentsOf: (self < 0 ? "-Infinity" : "Infinity").utf8) }
        else { bytes.append(contentsOf: description.utf8) }
    }
}

extension Float: JSONScalar { func writeJSON(into bytes: inout [UInt8]) { writeFloatJSON(into: &bytes) } }
extension Double: JSONScalar { func writeJSON(into bytes: inout [UInt8]) { writeFloatJSON(into: &bytes) } }
extension Int32: JSONScalar { func writeJSON(into bytes: inout [UInt8]) { bytes.append(contentsOf: description.utf8) } }
extension Int64: JSONScalar { func writeJSON(into bytes: inout [UInt8]) { bytes.append(contentsOf: description.utf8) } }
extension Bool: JSONScalar { func writeJSON(into bytes: inout [UInt8]) { bytes.append(contentsOf: (self ? "true" : "false").utf8) } }
