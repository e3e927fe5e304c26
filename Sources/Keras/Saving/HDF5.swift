import CHDF5
import Foundation
import KerasCore

/// An HDF5 file held in memory (the HDF5 library's core driver), the container of Keras's
/// `model.weights.h5`, `*.weights.h5` and legacy `.h5` files. Saving builds the file in memory and
/// writes its bytes in one atomic step; loading reads the bytes and opens them read-only.
///
/// ```swift
/// let file = try HDF5File()
/// let vars = try file.root.createGroup("layers/dense/vars")
/// try vars.setAttribute("name", "dense")
/// try vars.write(Tensor.ones([4, 3]), as: "0")
/// let bytes = try file.bytes()            // readable by h5py and h5dump
/// let reopened = try HDF5File(bytes: bytes, name: "weights.h5")
/// ```
///
/// Every read is bounded: datasets larger than ``maxDatasetElements`` or of more than 32
/// dimensions, and attributes longer than 64 MiB, throw ``KerasError`` instead of allocating.
final class HDF5File: @unchecked Sendable {
    /// The largest dataset a load reads (2^31 elements; a 10M-parameter model uses 10^7).
    static let maxDatasetElements = 1 << 31
    let id: hid_t
    /// The name errors use (the file name the bytes came from).
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

    /// Opens the bytes of an HDF5 file read-only.
    init(bytes: [UInt8], name: String) throws {
        chdf5_quiet()
        self.name = name
        guard bytes.count >= 8, bytes[0] == 0x89, bytes[1] == 0x48, bytes[2] == 0x44, bytes[3] == 0x46 else {
            throw KerasError.corruptFile(file: name, expected: "an HDF5 file (signature \\x89HDF)", got: bytes.count < 8 ? "\(bytes.count) bytes" : "other bytes")
        }
        try Self.checkGlobalHeaps(bytes, name: name)
        let fapl = H5Pcreate(chdf5_file_access())
        defer { H5Pclose(fapl) }
        H5Pset_fapl_core(fapl, 1 << 20, false)
        let status = bytes.withUnsafeBytes { H5Pset_file_image(fapl, UnsafeMutableRawPointer(mutating: $0.baseAddress), $0.count) }
        guard status >= 0 else { throw KerasError.unreadableFile(file: name, reason: "the HDF5 library refused the file image") }
        let fid = H5Fopen(Self.uniqueName(), chdf5_acc_rdonly(), fapl)
        guard fid >= 0 else { throw KerasError.corruptFile(file: name, expected: "an HDF5 file", got: "bytes the HDF5 library cannot open") }
        id = fid
    }

    deinit { H5Fclose(id) }

    /// Refuses global heap collections (`GCOL`, where variable-length strings live) whose objects
    /// do not tile the collection: HDF5 1.10 loops forever on some of them (found by fuzzing,
    /// e.g. a free-space object of size 0), so they are checked before the library sees them.
    static func checkGlobalHeaps(_ bytes: [UInt8], name: String) throws {
        func corrupt(_ got: String) -> KerasError { .corruptFile(file: name, expected: "well-formed HDF5 global heap collections", got: got) }
        func read64(_ i: Int) -> UInt64 { UInt64(bytes.read32(i)) | UInt64(bytes.read32(i + 4)) << 32 }
        var i = 0
        let signature: [UInt8] = [0x47, 0x43, 0x4F, 0x4C]   // GCOL
        func next(from start: Int) -> Int? {
            guard start < bytes.count else { return nil }
            return bytes.withUnsafeBufferPointer { all -> Int? in
                var from = start
                while from + 4 <= all.count, let hit = memchr(all.baseAddress! + from, Int32(signature[0]), all.count - from) {
                    let at = UnsafeRawPointer(hit) - UnsafeRawPointer(all.baseAddress!)
                    if at + 4 <= all.count, all[at + 1] == signature[1], all[at + 2] == signature[2], all[at + 3] == signature[3] { return at }
                    from = at + 1
                }
                return nil
            }
        }
        while let found = next(from: i) {
            i = found
            guard i + 16 <= bytes.count else { break }
            guard bytes[i + 4] == 1 else { i += 4; continue }
            let size = read64(i + 8)
            guard size >= 4096, size <= UInt64(bytes.count - i) else { throw corrupt("a collection of \(size) bytes at offset \(i)") }
            let end = i + Int(size)
            var p = i + 16
            while p < end {
                guard p + 16 <= end else { throw corrupt("an object header past the end of the collection at offset \(p)") }
                let index = bytes.read16(p), objectSize = read64(p + 8)
                let room = UInt64(end - p - 16)
                if index == 0 {
                    guard objectSize == room || objectSize == room + 16 else { throw corrupt("free space of \(objectSize) bytes at offset \(p), \(room) left") }
                    break
                }
                guard objectSize <= room else { throw corrupt("object \(index) of \(objectSize) bytes at offset \(p), \(room) left") }
                p += 16 + Int((objectSize + 7) / 8 * 8)
            }
            i += 4
        }
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

    /// The names of the links in this group, in name order (at most 1,000,000).
    func memberNames() throws -> [String] {
        var info = H5G_info_t()
        guard H5Gget_info(id, &info) >= 0 else { throw corrupt("a readable group \(path)", "an unreadable one") }
        guard info.nlinks <= 1_000_000 else { throw corrupt("at most 1000000 members in group \(path)", "\(info.nlinks)") }
        var names: [String] = []
        for i in 0..<info.nlinks {
            let length = H5Lget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, i, nil, 0, hid_t(H5P_DEFAULT))
            guard length >= 0, length < 65536 else { throw corrupt("a link name in group \(path)", "an unreadable one") }
            var buffer = [CChar](repeating: 0, count: length + 1)
            _ = H5Lget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, i, &buffer, length + 1, hid_t(H5P_DEFAULT))
            names.append(String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return names
    }

    /// The element count of the largest dataset in this group and the groups below it
    /// (at most 64 levels and 100,000 objects are visited).
    func largestDatasetElements() throws -> Int {
        var visited = 0
        func walk(_ group: HDF5Group, depth: Int) throws -> Int {
            guard depth < 64 else { throw corrupt("groups nested at most 64 deep", "deeper ones at \(group.path)") }
            var largest = 0
            for name in try group.memberNames() {
                visited += 1
                guard visited <= 100_000 else { throw corrupt("at most 100000 objects", "more") }
                if let shape = try group.datasetShape(name) {
                    largest = max(largest, shape.reduce(1, *))
                } else if let child = try group.group(name) {
                    largest = max(largest, try walk(child, depth: depth + 1))
                }
            }
            return largest
        }
        return try walk(self, depth: 0)
    }

    /// The names of the datasets in this group.
    func datasetNames() throws -> [String] {
        try memberNames().filter { objectType($0) == H5O_TYPE_DATASET }
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

    /// A string attribute (variable- or fixed-length), or `nil` when absent.
    func stringAttribute(_ name: String) throws -> String? {
        guard let list = try stringsAttribute(name) else { return nil }
        guard list.count == 1 else { throw corrupt("attribute \(name) of \(path) to be one string", "\(list.count) strings") }
        return list[0]
    }

    /// A string or list-of-strings attribute, or `nil` when absent. Bounded to 64 MiB.
    func stringsAttribute(_ name: String) throws -> [String]? {
        guard H5Aexists(id, name) > 0 else { return nil }
        let aid = H5Aopen(id, name, hid_t(H5P_DEFAULT))
        guard aid >= 0 else { throw corrupt("a readable attribute \(name) on \(path)", "an unreadable one") }
        defer { H5Aclose(aid) }
        let type = H5Aget_type(aid)
        defer { H5Tclose(type) }
        let space = H5Aget_space(aid)
        defer { H5Sclose(space) }
        let count = H5Sget_simple_extent_npoints(space)
        // h5py writes an empty list as an empty float array.
        guard H5Tget_class(type) == H5T_STRING || count == 0 else { throw corrupt("attribute \(name) of \(path) to be a string", "another type") }
        guard count >= 0, count <= 1 << 20 else { throw corrupt("at most 2^20 strings in attribute \(name)", "\(count)") }
        if count == 0 { return [] }
        if H5Tis_variable_str(type) > 0 {
            let memType = H5Tcopy(chdf5_c_s1())
            defer { H5Tclose(memType) }
            H5Tset_size(memType, chdf5_variable())
            H5Tset_cset(memType, H5Tget_cset(type))
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: Int(count))
            guard H5Aread(aid, memType, &pointers) >= 0 else { throw corrupt("a readable attribute \(name) on \(path)", "an unreadable one") }
            defer { H5Dvlen_reclaim(memType, space, hid_t(H5P_DEFAULT), &pointers) }
            var total = 0
            return try pointers.map { p in
                guard let p else { return "" }
                let s = String(cString: p)
                total += s.utf8.count
                if total > 64 << 20 { throw corrupt("attribute \(name) of at most 64 MiB", "more") }
                return s
            }
        }
        let width = H5Tget_size(type)
        guard width > 0, width.multipliedReportingOverflow(by: Int(count)).overflow == false, width * Int(count) <= 64 << 20 else {
            throw corrupt("attribute \(name) of at most 64 MiB", "\(count) strings of \(width) bytes")
        }
        var buffer = [UInt8](repeating: 0, count: width * Int(count))
        guard H5Aread(aid, type, &buffer) >= 0 else { throw corrupt("a readable attribute \(name) on \(path)", "an unreadable one") }
        return (0..<Int(count)).map { i in
            let bytes = buffer[i * width..<(i + 1) * width]
            let end = bytes.firstIndex(of: 0) ?? bytes.endIndex
            return String(decoding: bytes[bytes.startIndex..<end], as: UTF8.self).trimmingCharacters(in: .init(charactersIn: " "))
        }
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

    /// The shape of dataset `name`, or `nil` when there is no such dataset.
    func datasetShape(_ name: String) throws -> [Int]? {
        guard objectType(name) == H5O_TYPE_DATASET else { return nil }
        let did = H5Dopen2(id, name, hid_t(H5P_DEFAULT))
        guard did >= 0 else { throw corrupt("a readable dataset \(childPath(name))", "an unreadable one") }
        defer { H5Dclose(did) }
        return try shape(of: did, name: name)
    }

    private func shape(of did: hid_t, name: String) throws -> [Int] {
        let space = H5Dget_space(did)
        guard space >= 0 else { throw corrupt("a dataspace for \(childPath(name))", "none") }
        defer { H5Sclose(space) }
        let rank = H5Sget_simple_extent_ndims(space)
        guard rank >= 0, rank <= 32 else { throw corrupt("a dataset of at most 32 dimensions at \(childPath(name))", "rank \(rank)") }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        if rank > 0 { H5Sget_simple_extent_dims(space, &dims, nil) }
        var total: UInt64 = 1
        for d in dims {
            let (p, overflow) = total.multipliedReportingOverflow(by: d)
            guard !overflow, p <= UInt64(HDF5File.maxDatasetElements) else {
                throw corrupt("a dataset of at most \(HDF5File.maxDatasetElements) elements at \(childPath(name))", "shape \(dims)")
            }
            total = p
        }
        return dims.map { Int($0) }
    }

    /// Reads dataset `name` as a tensor of `dtype` (the HDF5 library converts between numeric
    /// types; `nil`: the dtype the file stores, float16 widened to float32).
    func read(_ name: String, as dtype: DType? = nil) throws -> Tensor {
        guard objectType(name) == H5O_TYPE_DATASET else {
            throw corrupt("a dataset \(childPath(name))", "none")
        }
        let did = H5Dopen2(id, name, hid_t(H5P_DEFAULT))
        guard did >= 0 else { throw corrupt("a readable dataset \(childPath(name))", "an unreadable one") }
        defer { H5Dclose(did) }
        let shape = try shape(of: did, name: name)
        let fileType = H5Dget_type(did)
        // The data must be in the file: a declared size is not allocated on trust.
        let storedBytes = H5Dget_storage_size(did)
        let declaredBytes = UInt64(shape.reduce(1, *)) * UInt64(H5Tget_size(fileType))
        guard storedBytes >= declaredBytes || declaredBytes <= 1 << 16 else {
            H5Tclose(fileType)
            throw corrupt("\(declaredBytes) bytes of data for \(childPath(name))", "\(storedBytes) bytes stored")
        }
        defer { H5Tclose(fileType) }
        let storedClass = H5Tget_class(fileType)
        let storedSize = H5Tget_size(fileType)
        let stored: DType
        switch storedClass {
        case H5T_FLOAT: stored = storedSize > 4 ? .float64 : .float32
        case H5T_INTEGER: stored = storedSize > 4 || (storedSize == 4 && H5Tget_sign(fileType) == H5T_SGN_NONE) ? .int64 : .int32
        case H5T_ENUM: stored = .bool
        default: throw corrupt("a numeric dataset at \(childPath(name))", "HDF5 type class \(storedClass.rawValue)")
        }
        let target = dtype ?? stored
        if stored == .bool || target == .bool {
            guard stored == target else { throw corrupt("a \(target) dataset at \(childPath(name))", "\(stored)") }
        }
        let memType: hid_t
        var ownsMem = false
        switch target {
        case .float32: memType = chdf5_native_float()
        case .float64: memType = chdf5_native_double()
        case .int32: memType = chdf5_native_int32()
        case .int64: memType = chdf5_native_int64()
        case .bool: memType = Self.boolEnumType(); ownsMem = true
        }
        defer { if ownsMem { H5Tclose(memType) } }
        var status: herr_t = 0
        let tensor = Tensor(shape: shape, rawDType: target) { buffer in
            status = H5Dread(did, memType, H5S_ALL, H5S_ALL, hid_t(H5P_DEFAULT), buffer.baseAddress)
        }
        guard status >= 0 else { throw corrupt("a readable \(target) dataset at \(childPath(name))", "data the HDF5 library cannot read or convert") }
        return tensor
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
