import CHDF5
import Foundation
import KerasCore

/// An HDF5 file built in memory by the HDF5 library (its core driver): how `model.weights.h5`,
/// `*.weights.h5` and legacy `.h5` files are written, then saved in one atomic step. Files are
/// read back by ``HDF5Reader``, never by the library, which crashes on some hostile files.
///
/// ```swift
/// let file = try HDF5File()
/// let vars = try file.root.createGroup("layers/dense/vars")
/// try vars.setAttribute("name", "dense")
/// try vars.write(Tensor.ones([4, 3]), as: "0")
/// let bytes = try file.bytes()            // readable by h5py and h5dump
/// let reopened = try HDF5Reader(bytes: bytes, name: "weights.h5")
/// ```
final class HDF5File: @unchecked Sendable {
    /// The largest dataset a load reads (2^31 elements; a 10M-parameter model uses 10^7).
    static let maxDatasetElements = 1 << 31
    let id: hid_t
    /// The name errors use.
    let name: String

    /// A new, empty file in memory, growing in steps of `capacity` bytes (give about the size of
    /// the data to write, so the image is not copied as it grows).
    init(capacity: Int = 1 << 20) throws {
        chdf5_quiet()
        name = "new HDF5 file"
        let fapl = H5Pcreate(chdf5_file_access())
        defer { H5Pclose(fapl) }
        H5Pset_fapl_core(fapl, max(1 << 20, capacity), false)
        let fid = H5Fcreate(Self.uniqueName(), chdf5_acc_trunc(), hid_t(H5P_DEFAULT), fapl)
        guard fid >= 0 else { throw KerasError.unwritableFile(path: name, reason: "the HDF5 library could not create a file in memory") }
        id = fid
    }

    private static func uniqueName() -> String { "keras-\(UUID().uuidString).h5" }

    /// The root group `/`.
    var root: HDF5Group {
        get throws {
            let gid = H5Gopen2(id, "/", hid_t(H5P_DEFAULT))
            guard gid >= 0 else { throw KerasError.corruptFile(file: name, expected: "a root group", got: "none") }
            return HDF5Group(file: self, id: gid, path: "")
        }
    }

    /// The file's bytes, as they would be on disk.
    func bytes() throws -> [UInt8] {
        chdf5_quiet()
        H5Fflush(id, H5F_SCOPE_GLOBAL)
        let size = H5Fget_file_image(id, nil, 0)
        guard size > 0 else { throw KerasError.unwritableFile(path: name, reason: "the HDF5 library returned no file image") }
        var out = [UInt8](repeating: 0, count: size)
        let written = out.withUnsafeMutableBytes { H5Fget_file_image(id, $0.baseAddress, size) }
        guard written == size else { throw KerasError.unwritableFile(path: name, reason: "the HDF5 file image changed size while being copied") }
        return out
    }
}

/// An open HDF5 identifier, closed when the last reference goes.
final class HDF5Handle: @unchecked Sendable {
    let id: hid_t
    private let close: (hid_t) -> herr_t
    init(_ id: hid_t, close: @escaping (hid_t) -> herr_t) { self.id = id; self.close = close }
    deinit { _ = close(id) }
}

/// A group of an ``HDF5File``: named subgroups, datasets and attributes.
struct HDF5Group {
    let file: HDF5File
    let handle: HDF5Handle
    /// The group's path from the root (`layers/dense/vars`), for errors.
    let path: String
    var id: hid_t { handle.id }

    init(file: HDF5File, id: hid_t, path: String) {
        self.file = file
        self.handle = HDF5Handle(id, close: H5Gclose)
        self.path = path
    }

    private func childPath(_ name: String) -> String { path.isEmpty ? name : "\(path)/\(name)" }

    private func corrupt(_ expected: String, _ got: String) -> KerasError {
        .corruptFile(file: file.name, expected: expected, got: got)
    }

    // MARK: Groups

    /// Creates (or opens, when it exists) the group at `relativePath` (`a/b/c`), with the groups above it.
    func createGroup(_ relativePath: String) throws -> HDF5Group {
        var current = self
        for part in relativePath.split(separator: "/") {
            let name = String(part)
            if let existing = try current.group(name) { current = existing; continue }
            let gid = H5Gcreate2(current.id, name, hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT))
            guard gid >= 0 else { throw KerasError.unwritableFile(path: file.name, reason: "cannot create HDF5 group \(current.childPath(name))") }
            current = HDF5Group(file: file, id: gid, path: current.childPath(name))
        }
        return current
    }

    /// Whether a link (group or dataset) named `name` exists here.
    func contains(_ name: String) -> Bool {
        !name.isEmpty && !name.contains("/") && H5Lexists(id, name, hid_t(H5P_DEFAULT)) > 0
    }

    private func objectType(_ name: String) -> H5O_type_t? {
        guard contains(name) else { return nil }
        var info = H5O_info_t()
        guard H5Oget_info_by_name1(id, name, &info, hid_t(H5P_DEFAULT)) >= 0 else { return nil }
        return info.type
    }

    /// The subgroup at `relativePath` (`a/b`), or `nil` when there is none.
    func group(_ relativePath: String) throws -> HDF5Group? {
        var current = self
        for part in relativePath.split(separator: "/") {
            let name = String(part)
            guard current.objectType(name) == H5O_TYPE_GROUP else { return nil }
            let gid = H5Gopen2(current.id, name, hid_t(H5P_DEFAULT))
            guard gid >= 0 else { throw current.corrupt("a readable group \(current.childPath(name))", "an unreadable one") }
            current = HDF5Group(file: file, id: gid, path: current.childPath(name))
        }
        return current
    }

    // MARK: Attributes

    /// Writes a string attribute as h5py does for a Python `str` (variable-length UTF-8).
    func setAttribute(_ name: String, _ value: String) throws {
        let type = H5Tcopy(chdf5_c_s1())
        defer { H5Tclose(type) }
        H5Tset_size(type, chdf5_variable())
        H5Tset_cset(type, H5T_CSET_UTF8)
        let space = H5Screate(H5S_SCALAR)
        defer { H5Sclose(space) }
        if H5Aexists(id, name) > 0 { H5Adelete(id, name) }
        let aid = H5Acreate2(id, name, type, space, hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT))
        guard aid >= 0 else { throw KerasError.unwritableFile(path: file.name, reason: "cannot create attribute \(name) on \(path)") }
        defer { H5Aclose(aid) }
        let status = value.withCString { c -> herr_t in
            var pointer: UnsafePointer<CChar>? = c
            return H5Awrite(aid, type, &pointer)
        }
        guard status >= 0 else { throw KerasError.unwritableFile(path: file.name, reason: "cannot write attribute \(name) on \(path)") }
    }

    /// Writes a list of strings as h5py writes a NumPy bytes array (fixed-length, NUL-padded).
    func setAttribute(_ name: String, strings: [String]) throws {
        let width = max(1, strings.map(\.utf8.count).max() ?? 1)
        // h5py writes an empty list as an empty float64 array.
        let type = strings.isEmpty ? H5Tcopy(chdf5_ieee_f64le()) : H5Tcopy(chdf5_c_s1())
        defer { H5Tclose(type) }
        if !strings.isEmpty {
            H5Tset_size(type, width)
            H5Tset_strpad(type, H5T_STR_NULLPAD)
        }
        var dims: [hsize_t] = [hsize_t(strings.count)]
        let space = H5Screate_simple(1, &dims, nil)
        defer { H5Sclose(space) }
        if H5Aexists(id, name) > 0 { H5Adelete(id, name) }
        let aid = H5Acreate2(id, name, type, space, hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT))
        guard aid >= 0 else { throw KerasError.unwritableFile(path: file.name, reason: "cannot create attribute \(name) on \(path)") }
        defer { H5Aclose(aid) }
        guard !strings.isEmpty else { return }
        var buffer = [UInt8](repeating: 0, count: width * strings.count)
        for (i, s) in strings.enumerated() { for (j, b) in s.utf8.enumerated() { buffer[i * width + j] = b } }
        guard H5Awrite(aid, type, buffer) >= 0 else { throw KerasError.unwritableFile(path: file.name, reason: "cannot write attribute \(name) on \(path)") }
    }

    // MARK: Datasets

    /// Writes `tensor` as dataset `name` (contiguous, little-endian, as h5py writes NumPy arrays;
    /// `bool` as h5py's enum of int8).
    func write(_ tensor: Tensor, as name: String) throws {
        var dims = tensor.shape.map { hsize_t($0) }
        let space = tensor.rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(Int32(tensor.rank), &dims, nil)
        defer { H5Sclose(space) }
        let (fileType, memType, ownsTypes) = Self.types(for: tensor.dtype)
        defer { if ownsTypes { H5Tclose(fileType) } }
        let did = H5Dcreate2(id, name, fileType, space, hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT))
        guard did >= 0 else { throw KerasError.unwritableFile(path: file.name, reason: "cannot create dataset \(childPath(name))") }
        defer { H5Dclose(did) }
        let status = tensor.withUnsafeRawBytes { H5Dwrite(did, memType, H5S_ALL, H5S_ALL, hid_t(H5P_DEFAULT), $0.baseAddress) }
        guard status >= 0 else { throw KerasError.unwritableFile(path: file.name, reason: "cannot write dataset \(childPath(name))") }
    }

    /// The file type, the memory type and whether the caller closes the file type.
    private static func types(for dtype: DType) -> (hid_t, hid_t, Bool) {
        switch dtype {
        case .float32: (chdf5_ieee_f32le(), chdf5_native_float(), false)
        case .float64: (chdf5_ieee_f64le(), chdf5_native_double(), false)
        case .int32: (chdf5_std_i32le(), chdf5_native_int32(), false)
        case .int64: (chdf5_std_i64le(), chdf5_native_int64(), false)
        case .bool: { let e = boolEnumType(); return (e, e, true) }()
        }
    }

    /// h5py's bool: an enum of int8 with members FALSE = 0 and TRUE = 1.
    private static func boolEnumType() -> hid_t {
        let e = H5Tenum_create(chdf5_native_int8())
        var f: Int8 = 0, t: Int8 = 1
        H5Tenum_insert(e, "FALSE", &f)
        H5Tenum_insert(e, "TRUE", &t)
        return e
    }
}

extension Tensor {
    /// The tensor's elements as raw bytes (row-major, native little-endian).
    func withUnsafeRawBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch dtype {
        case .float32: try withUnsafeBufferPointer(of: Float.self) { try body(UnsafeRawBufferPointer($0)) }
        case .float64: try withUnsafeBufferPointer(of: Double.self) { try body(UnsafeRawBufferPointer($0)) }
        case .int32: try withUnsafeBufferPointer(of: Int32.self) { try body(UnsafeRawBufferPointer($0)) }
        case .int64: try withUnsafeBufferPointer(of: Int64.self) { try body(UnsafeRawBufferPointer($0)) }
        case .bool: try withUnsafeBufferPointer(of: Bool.self) { try body(UnsafeRawBufferPointer($0)) }
        }
    }

    /// A tensor of `shape` and `rawDType` whose bytes `body` writes.
    init(shape: [Int], rawDType: DType, _ body: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows {
        switch rawDType {
        case .float32: try self.init(shape: shape, dtype: .float32) { (b: UnsafeMutableBufferPointer<Float>) in try body(UnsafeMutableRawBufferPointer(b)) }
        case .float64: try self.init(shape: shape, dtype: .float64) { (b: UnsafeMutableBufferPointer<Double>) in try body(UnsafeMutableRawBufferPointer(b)) }
        case .int32: try self.init(shape: shape, dtype: .int32) { (b: UnsafeMutableBufferPointer<Int32>) in try body(UnsafeMutableRawBufferPointer(b)) }
        case .int64: try self.init(shape: shape, dtype: .int64) { (b: UnsafeMutableBufferPointer<Int64>) in try body(UnsafeMutableRawBufferPointer(b)) }
        case .bool: try self.init(shape: shape, dtype: .bool) { (b: UnsafeMutableBufferPointer<Bool>) in try body(UnsafeMutableRawBufferPointer(b)) }
        }
    }
}
