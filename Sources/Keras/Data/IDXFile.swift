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

    /// The default limit on the data an IDX file may declare: 1 GiB (MNIST's training images
    /// hold 47 MB).
    public static let defaultMaxBytes = 1 << 30

    /// Parses IDX bytes. `name` appears in error messages; `expectedRank`, when given, is checked
    /// against the header (images are rank 3, labels rank 1).
    ///
    /// ```swift
    /// let labels = try IDXFile(bytes: [0, 0, 8, 1, 0, 0, 0, 2, 7, 3], name: "labels", expectedRank: 1)
    /// labels.shape   // [2]
    /// ```
    ///
    /// - Throws: `KerasError.corruptFile` for a wrong magic, a short header, dimensions whose
    ///   product overflows, and data shorter or longer than the header declares.
    public init(bytes data: [UInt8], name: String, expectedRank: Int? = nil) throws {
        let rank = try Self.rank(magic: Array(data.prefix(4)), name: name, expectedRank: expectedRank)
        let headerSize = 4 + 4 * rank
        guard data.count >= headerSize else {
            throw KerasError.corruptFile(file: name, expected: "an IDX header of \(headerSize) bytes", got: "\(data.count) bytes")
        }
        let (shape, count) = try Self.shape(data[4..<headerSize], name: name)
        guard data.count - headerSize == count else {
            throw KerasError.corruptFile(file: name, expected: "\(count) data bytes for shape \(shape)",
                                         got: "\(data.count - headerSize)")
        }
        self.init(shape: shape, bytes: Array(data[headerSize...]))
    }

    /// Reads an IDX file, gunzipping it first when its name ends in `.gz`.
    ///
    /// The header is read first and the data it declares is checked against `maxBytes` (and,
    /// for gzip, against what the compressed size can produce) before anything is allocated or
    /// inflated, so a hostile file cannot exhaust memory.
    ///
    /// ```swift
    /// let images = try IDXFile(contentsOf: url, expectedRank: 3, maxBytes: 100_000_000)
    /// ```
    ///
    /// - Throws: `KerasError.unreadableFile` for a missing file, `corruptFile` for a damaged
    ///   stream or header and for sizes past the limits.
    public init(contentsOf url: URL, expectedRank: Int? = nil, maxBytes: Int = IDXFile.defaultMaxBytes) throws {
        let name = url.path
        let fileSize = (try? FileManager.default.attributesOfItem(atPath: name)[.size] as? Int) ?? nil
        let isGzip = url.pathExtension == "gz"
        // A plain file is the data plus a header of at most 4 + 4·255 bytes; gzip is smaller still.
        if let fileSize, fileSize > maxBytes + 1024 {
            throw KerasError.corruptFile(file: name, expected: "at most \(maxBytes) bytes of IDX data (the maxBytes limit)", got: "a file of \(fileSize) bytes")
        }
        let raw: Data
        do { raw = try Data(contentsOf: url) } catch {
            throw KerasError.unreadableFile(file: name, reason: error.localizedDescription)
        }
        guard isGzip else {
            try self.init(bytes: [UInt8](raw), name: name, expectedRank: expectedRank)
            return
        }
        let inflater = try Gzip.Inflater([UInt8](raw), name: name)
        let rank = try Self.rank(magic: inflater.read(exactly: 4, what: "IDX header bytes"), name: name, expectedRank: expectedRank)
        let (shape, count) = try Self.shape(inflater.read(exactly: 4 * rank, what: "IDX dimension bytes")[...], name: name)
        let plausible = inflater.compressedCount.multipliedReportingOverflow(by: Gzip.maxExpansionRatio)
        guard count <= maxBytes, plausible.overflow || count <= plausible.partialValue else {
            throw KerasError.corruptFile(file: name, expected: "at most \(Swift.min(maxBytes, plausible.partialValue)) data bytes (limit \(maxBytes), \(inflater.compressedCount) compressed bytes)",
                                         got: "a header declaring \(count) bytes for shape \(shape)")
        }
        let bytes = try inflater.read(exactly: count, what: "data bytes for shape \(shape)")
        try inflater.expectEnd(after: "\(count) data bytes for shape \(shape)")
        self.init(shape: shape, bytes: bytes)
    }

    private init(shape: [Int], bytes: [UInt8]) {
        self.shape = shape
        self.bytes = bytes
    }

    /// The rank from the 4 magic bytes `0x00 0x00 0x08 rank`.
    private static func rank(magic data: [UInt8], name: String, expectedRank: Int?) throws -> Int {
        guard data.count >= 4 else {
            throw KerasError.corruptFile(file: name, expected: "an IDX header (at least 4 bytes)", got: "\(data.count) bytes")
        }
        let magic = UInt32(data[0]) << 24 | UInt32(data[1]) << 16 | UInt32(data[2]) << 8 | UInt32(data[3])
        let rank = Int(data[3])
        let expectedMagic = expectedRank.map { 0x0800 + UInt32(truncatingIfNeeded: $0) }
        if data[0] != 0 || data[1] != 0 || data[2] != 0x08 || rank == 0 || (expectedMagic != nil && magic != expectedMagic!) {
            let want = expectedMagic.map { hex($0) } ?? "0x000008NN (unsigned bytes, NN dimensions)"
            throw KerasError.corruptFile(file: name, expected: "IDX magic \(want)", got: hex(magic))
        }
        return rank
    }

    /// The shape from the big-endian 32-bit sizes, and its element count (overflow-checked).
    private static func shape(_ sizes: ArraySlice<UInt8>, name: String) throws -> (shape: [Int], count: Int) {
        let base = sizes.startIndex
        let shape = (0..<(sizes.count / 4)).map { d in
            let o = base + 4 * d
            return Int(sizes[o]) << 24 | Int(sizes[o + 1]) << 16 | Int(sizes[o + 2]) << 8 | Int(sizes[o + 3])
        }
        var count = 1
        for d in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            if overflow {
                throw KerasError.corruptFile(file: name, expected: "IDX dimensions whose product fits an Int", got: "shape \(shape)")
            }
            count = product
        }
        return (shape, count)
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
                default: fatalError("IDXFile.tensor: unsupported element type \(T.self)")
                }
            }
        }
    }
}

private func hex(_ v: UInt32) -> String {
    let digits = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}
