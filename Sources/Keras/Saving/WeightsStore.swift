import KerasCore

/// Keras 3's weights layout (`model.weights.h5` inside a `.keras` file, and `*.weights.h5`):
/// each layer's own variables at `<path>/vars/0`, `1`, … (trainable first, then non-trainable),
/// with a `name` attribute on `vars`; children below the layer's path as
/// ``Layer/savedChildren`` names them; the optimizer's variables at `optimizer/vars`.
enum WeightsStore {
    /// Writes `model`'s variables (and its optimizer's, when compiled) into `root`.
    static func save(_ model: Layer, optimizer: Optimizer?, into root: HDF5Group) throws {
        var visited = Set<ObjectIdentifier>()
        try withoutRecording { try saveState(model, path: "", root: root, visited: &visited) }
        if let optimizer {
            let vars = try root.createGroup("optimizer/vars")
            try vars.setAttribute("name", optimizer.name)
            for (i, v) in optimizer.variables.enumerated() { try vars.write(v.value, as: "\(i)") }
        }
    }

    private static func join(_ path: String, _ name: String) -> String { path.isEmpty ? name : "\(path)/\(name)" }

    private static func saveState(_ layer: Layer, path: String, root: HDF5Group, visited: inout Set<ObjectIdentifier>) throws {
        guard visited.insert(ObjectIdentifier(layer)).inserted else { return }
        let vars = try root.createGroup(join(path, "vars"))
        try vars.setAttribute("name", layer.name)
        for (i, v) in layer.ownVariables.enumerated() { try vars.write(v.value, as: "\(i)") }
        if let owner = layer as? VocabularyAssetOwner, owner.storesIdfWeights {
            let weights = owner.idfWeightsToSave
            try vars.write(Tensor(shape: [weights.count], doubles: weights, dtype: .float32), as: idfWeightsDataset)
        }
        try forEachChild(of: layer, path: path) { child, childPath in
            try saveState(child, path: childPath, root: root, visited: &visited)
        }
    }

    /// Calls `body` with each saved child of `layer` and its group path.
    static func forEachChild(of layer: Layer, path: String, _ body: (Layer, String) throws -> Void) throws {
        for (name, child) in layer.savedChildren {
            switch child {
            case .layer(let l): try body(l, join(path, name))
            case .layers(let list):
                var used: [String: Int] = [:]
                for l in list {
                    let base = toSnakeCase(l.className)
                    let unique: String
                    if let n = used[base] { used[base] = n + 1; unique = "\(base)_\(n + 1)" } else { used[base] = 0; unique = base }
                    try body(l, join(join(path, name), unique))
                }
            }
        }
    }

    /// Reads `model`'s variables from `root` (and the optimizer's, when `optimizer` is given and
    /// the file has them). Every shape is checked before anything is assigned.
    static func load(_ model: Layer, optimizer: Optimizer?, from root: HDF5Reader.Group) throws {
        var assignments: [(Variable, Tensor)] = []
        var visited = Set<ObjectIdentifier>()
        try loadState(model, path: "", root: root, visited: &visited, into: &assignments)
        if let optimizer, let vars = try root.group("optimizer/vars") {
            assignments += try optimizerAssignments(optimizer, model: model, vars: vars)
        }
        withoutRecording { for (v, t) in assignments { v.assign(t) } }
    }

    private static func loadState(_ layer: Layer, path: String, root: HDF5Reader.Group, visited: inout Set<ObjectIdentifier>,
                                  into assignments: inout [(Variable, Tensor)]) throws {
        guard visited.insert(ObjectIdentifier(layer)).inserted else { return }
        let own = layer.ownVariables
        let groupPath = join(path, "vars")
        let vars = try root.group(groupPath)
        // A tf_idf lookup's idf weights are named, not numbered; loadVocabularyAssets reads them.
        let idfWeights = (layer as? VocabularyAssetOwner)?.storesIdfWeights == true ? idfWeightsDataset : nil
        let stored = try vars?.datasetNames().filter { $0 != idfWeights } ?? []
        guard stored.count == own.count else {
            let hint = own.isEmpty && !layer.built ? " The layer was never built, so it has no variables yet." : ""
            throw KerasError.weightsMismatch(layer: layer.name, message: "Layer \"\(layer.name)\" (\(layer.className)) expected \(own.count) variables, but the file lists \(stored.count) at \(groupPath.isEmpty ? "/" : groupPath).\(hint)")
        }
        if let vars { try read(own, from: vars, owner: "Layer \"\(layer.name)\" (\(layer.className))", into: &assignments) }
        try forEachChild(of: layer, path: path) { child, childPath in
            try loadState(child, path: childPath, root: root, visited: &visited, into: &assignments)
        }
    }

    /// Datasets `0`, `1`, … of `vars` for `variables`, checked for shape and cast to their dtype.
    private static func read(_ variables: [Variable], from vars: HDF5Reader.Group, owner: String, into assignments: inout [(Variable, Tensor)]) throws {
        for (i, v) in variables.enumerated() {
            guard let shape = try vars.datasetShape("\(i)") else {
                throw KerasError.weightsMismatch(layer: owner, message: "\(owner): the file has no variable \(vars.path)/\(i) for \(v.name)")
            }
            guard shape == v.shape else {
                throw KerasError.weightsMismatch(layer: owner, message: "\(owner): variable \(i) (\(v.name)) has shape \(formatShape(v.shape)), but the file stores shape \(formatShape(shape)) at \(vars.path)/\(i)")
            }
            let value = try vars.read("\(i)", as: v.dtype == .bool ? nil : v.dtype)
            guard value.dtype == v.dtype else {
                throw KerasError.weightsMismatch(layer: owner, message: "\(owner): variable \(i) (\(v.name)) is \(v.dtype), but the file stores \(value.dtype) at \(vars.path)/\(i)")
            }
            assignments.append((v, value))
        }
    }

    /// The optimizer's variables from `optimizer/vars`: built for the model's trainable variables
    /// first when the file holds slot variables and the optimizer has none yet.
    private static func optimizerAssignments(_ optimizer: Optimizer, model: Layer, vars: HDF5Reader.Group) throws -> [(Variable, Tensor)] {
        let stored = try vars.datasetNames().count
        if stored > optimizer.variables.count, !optimizer.isBuilt { optimizer.build(model.trainableWeights) }
        let own = optimizer.variables
        guard stored == own.count else {
            throw KerasError.weightsMismatch(layer: optimizer.name, message: "Optimizer \"\(optimizer.name)\" (\(optimizer.className)) has \(own.count) variables, but the file lists \(stored) at optimizer/vars")
        }
        var assignments: [(Variable, Tensor)] = []
        try read(own, from: vars, owner: "Optimizer \"\(optimizer.name)\" (\(optimizer.className))", into: &assignments)
        return assignments
    }
}
