import Foundation

/// An array stored in the IDX format used by MNIST and Fashion-MNIST: a big-endian header
/// (`0x00 0x00 type ndims`, then one 32-bit size per dimension) followed by the elements.
/// Only the unsigned-byte element type (`0x08`) is supported, as in every published IDX dataset.
///
/// ```swift
/// let images = try IDXFile(contentsOf: URL(fileURLWithPath: "train-images-idx3-ubyte.gz"))
/// images.shape          // [60000, 28, 28]
/// let x = images.tensor(dtype: .float32) / 255
/// ```
public struct IDXFile: Sendable {
    /// The array's dimensions, from the header.
    public let shape: [Int]
    /// The elements in row-major order (`shape.reduce(1, *)` bytes).
    public let bytes: [UInt8]

    /// Parses IDX bytes. `name` appears in error messages; `expectedRank`, when given, is checked
    /// against the header (images are rank 3, labels rank 1).
    public init(bytes data: [UInt8], name: String, expectedRank: Int? = nil) throws {
        guard data.count >= 4 else {
            throw KerasError.corruptFile(file: name, expected: "an IDX header (at least 4 bytes)", got: "\(data.count) bytes")
        }
        let magic = UInt32(data[0]) << 24 | UInt32(data[1]) << 16 | UInt32(data[2]) << 8 | UInt32(data[3])
        let rank = Int(data[3])
        let expectedMagic = expectedRank.map { 0x0800 + UInt32($0) }
        if data[0] != 0 || data[1] != 0 || data[2] != 0x08 || rank == 0 || (expectedMagic != nil && magic != expectedMagic!) {
            let want = expectedMagic.map { hex($0) } ?? "0x000008NN (unsigned bytes, NN dimensions)"
            throw KerasError.corruptFile(file: name, expected: "IDX magic \(want)", got: hex(magic))
        }
        let headerSize = 4 + 4 * rank
        guard data.count >= headerSize else {
            throw KerasError.corruptFile(file: name, expected: "an IDX header of \(headerSize) bytes", got: "\(data.count) bytes")
        }
        var shape: [Int] = []
        for d in 0..<rank {
            let o = 4 + 4 * d
            shape.append(Int(data[o]) << 24 | Int(data[o + 1]) << 16 | Int(data[o + 2]) << 8 | Int(data[o + 3]))
        }
        let count = shape.reduce(1, *)
        guard data.count - headerSize == count else {
            throw KerasError.corruptFile(file: name, expected: "\(count) data bytes for shape \(shape)",
                                       got: "\(data.count - headerSize)")
        }
        self.shape = shape
        self.bytes = Array(data[headerSize...])
    }

    /// Reads an IDX file, gunzipping it first when its name ends in `.gz`.
    public init(contentsOf url: URL, expectedRank: Int? = nil) throws {
        let raw: Data
        do { raw = try Data(contentsOf: url) } catch {
            throw KerasError.unreadableFile(file: url.path, reason: error.localizedDescription)
        }
        var data = [UInt8](raw)
        if url.pathExtension == "gz" { data = try Gzip.decompress(data, name: url.path) }
        try self.init(bytes: data, name: url.path, expectedRank: expectedRank)
    }

    /// The elements as a tensor of ``shape`` (values 0…255), `int32` by default.
    ///
    /// Keras returns `uint8` arrays; this engine has no 8-bit type, so the bytes widen losslessly to
    /// `int32` (labels, indices) or `float32` (pixels ready for arithmetic).
    public func tensor(dtype: DType = .int32) -> Tensor {
        switch dtype {
        case .int32: return widened(Int32.self)
        case .int64: return widened(Int64.self)
        case .float32: return widened(Float.self)
        case .float64: return widened(Double.self)
        case .bool: return widened(Bool.self)
        }
    }

    private func widened<T: TensorScalar>(_ type: T.Type) -> Tensor {
        Tensor(shape: shape, dtype: T.dtype) { (out: UnsafeMutableBufferPointer<T>) in
            bytes.withUnsafeBufferPointer { src in
                guard let s = src.baseAddress, let o = out.baseAddress else { return }
                // One concrete loop per type: no generic dispatch per element, even in debug builds.
                let n = src.count
                switch o {
                case let o as UnsafeMutablePointer<Float>: for i in 0..<n { o[i] = Float(s[i]) }
                case let o as UnsafeMutablePointer<Int32>: for i in 0..<n { o[i] = Int32(s[i]) }
                case let o as UnsafeMutablePointer<Double>: for i in 0..<n { o[i] = Double(s[i]) }
                case let o as UnsafeMutablePointer<Int64>: for i in 0..<n { o[i] = Int64(s[i]) }
                case let o as UnsafeMutablePointer<Bool>: for i in 0..<n { o[i] = s[i] != 0 }
                default: preconditionFailure("IDXFile.tensor: unsupported element type \(T.self)")
                }
            }
        }
    }
}

private func hex(_ v: UInt32) -> String {
    let digits = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}
