import KerasCore

extension HDF5Reader {
    /// A group of an ``HDF5Reader`` file: its subgroups, datasets and attributes, read on demand.
    ///
    /// ```swift
    /// let weights = try file.root.group("model_weights")
    /// let names = try weights?.stringsAttribute("layer_names") ?? []
    /// ```
    struct Group {
        let file: HDF5Reader
        let header: ObjectHeader
        /// The group's path from the root (`model_weights/dense`), for errors.
        let path: String

        private func childPath(_ name: String) -> String { path.isEmpty ? name : "\(path)/\(name)" }

        /// The header of the object linked as `name`, or `nil` when there is no such link.
        private func child(_ name: String) throws -> ObjectHeader? {
            guard let address = try file.links(of: header)[name] else { return nil }
            return try file.header(at: address)
        }

        /// The subgroup at `relativePath` (`a/b`), or `nil` when there is none.
        func group(_ relativePath: String) throws -> Group? {
            var current = self
            for part in relativePath.split(separator: "/") {
                let name = String(part)
                guard let child = try current.child(name), child.isGroup else { return nil }
                current = Group(file: file, header: child, path: current.childPath(name))
            }
            return current
        }

        /// The names of the links in this group, in name order.
        func memberNames() throws -> [String] { try file.links(of: header).keys.sorted() }

        /// The names of the datasets in this group, in name order.
        func datasetNames() throws -> [String] {
            try file.links(of: header).filter { try file.header(at: $0.value).isDataset }.keys.sorted()
        }

        /// The shape of dataset `name`, or `nil` when there is no such dataset.
        func datasetShape(_ name: String) throws -> [Int]? {
            guard let child = try child(name), child.isDataset else { return nil }
            return try file.datasetInfo(child, path: childPath(name)).shape
        }

        /// Reads dataset `name` as a tensor of `dtype` (`nil`: the type the file stores).
        func read(_ name: String, as dtype: DType? = nil) throws -> Tensor {
            guard let child = try child(name), child.isDataset else {
                throw file.corrupt("a dataset \(childPath(name))", "none")
            }
            return try file.tensor(child, as: dtype, path: childPath(name))
        }

        /// The element count of the largest dataset in this group and the groups below it
        /// (each object visited once, at most 64 levels down).
        func largestDatasetElements() throws -> Int {
            var visited: Set<Int> = []
            func walk(_ group: Group, depth: Int) throws -> Int {
                guard depth < 64 else { throw file.corrupt("groups nested at most 64 deep", "deeper ones at \(group.path)") }
                var largest = 0
                for (name, address) in try file.links(of: group.header) where visited.insert(address).inserted {
                    let child = try file.header(at: address)
                    if child.isDataset {
                        largest = max(largest, try file.datasetInfo(child, path: group.childPath(name)).count)
                    } else if child.isGroup {
                        largest = max(largest, try walk(Group(file: file, header: child, path: group.childPath(name)), depth: depth + 1))
                    }
                }
                return largest
            }
            return try walk(self, depth: 0)
        }

        /// A string attribute (variable- or fixed-length), or `nil` when absent.
        func stringAttribute(_ name: String) throws -> String? {
            guard let list = try stringsAttribute(name) else { return nil }
            guard list.count == 1 else { throw file.corrupt("attribute \(name) of \(path.isEmpty ? "/" : path) to be one string", "\(list.count) strings") }
            return list[0]
        }

        /// A string or list-of-strings attribute, or `nil` when absent.
        func stringsAttribute(_ name: String) throws -> [String]? {
            guard let attribute = try file.attribute(name, of: header) else { return nil }
            return try file.strings(of: attribute, owner: path.isEmpty ? "/" : path)
        }

        /// Reads every attribute (as strings, where they are strings), dataset and group below
        /// this group, at most `depth` levels down: what the fuzz target and the tests run to
        /// reach every structure of a file.
        func readEverything(depth: Int = 8) throws {
            for attribute in try file.attributes(of: header) {
                _ = try? file.strings(of: attribute, owner: path)
            }
            for name in try memberNames() {
                if let child = try group(name) {
                    if depth > 0 { try child.readEverything(depth: depth - 1) }
                } else if try datasetShape(name) != nil {
                    _ = try read(name)
                }
            }
        }
    }
}
