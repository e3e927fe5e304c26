/// One member of a dataset `.npz` archive: a numeric array, or the items of a 1-D object array
/// (the ragged sequences of `imdb.npz` and `reuters.npz`, which NumPy stores pickled).
enum DatasetArray {
    case numeric(Tensor)
    case objects([PickleValue])

    /// The numeric array, or a ``KerasError`` naming `member` of `file`.
    func tensor(_ member: String, in file: String) throws -> Tensor {
        guard case .numeric(let t) = self else {
            throw KerasError.corruptFile(file: file, expected: "a numeric array '\(member)'", got: "an object array")
        }
        return t
    }

    /// The object array as lists of integers (each item a pickled `list` of `int`).
    func intSequences(_ member: String, in file: String) throws -> [[Int]] {
        guard case .objects(let items) = self else {
            throw KerasError.corruptFile(file: file, expected: "an object array of lists '\(member)'", got: "a numeric array")
        }
        return try items.enumerated().map { index, item in
            guard case .list(let list) = item else {
                throw KerasError.corruptFile(file: file, expected: "'\(member)' item \(index) to be a list of ints", got: item.typeName)
            }
            return try list.items.map { value in
                guard case .int(let word) = value else {
                    throw KerasError.corruptFile(file: file, expected: "'\(member)' item \(index) to be a list of ints", got: "a \(value.typeName) in it")
                }
                return word
            }
        }
    }
}

/// Reads a dataset `.npz` the way Keras's `npz_utils.load_npz` does: numeric members as plain
/// arrays, object members through the restricted ``PickleReader`` (never running code).
///
/// ```swift
/// let arrays = try loadDatasetNPZ(path)
/// let x = try arrays["x"]!.intSequences("x", in: path)
/// ```
func loadDatasetNPZ(_ path: String) throws -> [String: DatasetArray] {
    let zip = try ZipReader(bytes: readFileBytes(path), name: path)
    var result: [String: DatasetArray] = [:]
    for entry in zip.entries where entry.name.hasSuffix(".npy") {
        let member = "\(path)/\(entry.name)"
        let bytes = try zip.data(entry.name)
        let header = try NumPyFormat.header(bytes, name: member)
        let key = String(entry.name.dropLast(4))
        if header.descr.dropFirst().hasPrefix("O") {
            guard case .array(let array) = try PickleReader.load(bytes, from: header.dataStart, name: member) else {
                throw KerasError.corruptFile(file: member, expected: "a pickled numpy.ndarray", got: "another object")
            }
            let items = try array.objects(name: member)
            guard [items.count] == header.shape else {
                throw KerasError.corruptFile(file: member, expected: "shape \(header.shape) as the header says", got: "\(items.count) items")
            }
            result[key] = .objects(items)
        } else {
            result[key] = .numeric(try NumPyFormat.decode(bytes, name: member))
        }
    }
    return result
}

extension Dictionary where Key == String, Value == DatasetArray {
    /// The member `key`, or a ``KerasError`` saying the archive lacks it.
    func member(_ key: String, in file: String) throws -> DatasetArray {
        guard let value = self[key] else {
            throw KerasError.corruptFile(file: file, expected: "an array '\(key)'", got: "members \(keys.sorted())")
        }
        return value
    }
}
