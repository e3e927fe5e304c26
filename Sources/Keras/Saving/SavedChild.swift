import KerasCore

/// A child of a layer as saving stores it (see ``Layer/savedChildren``): one layer, stored in a
/// group of its own, or a list of layers, each stored in a group named after its class in
/// snake_case, made unique in the list (`dense`, `dense_1`, …), as Keras stores lists.
///
/// ```swift
/// override var savedChildren: [(name: String, child: SavedChild)] {
///     [("layer", .layer(inner)), ("heads", .layers(heads))]
/// }
/// ```
public enum SavedChild {
    /// One child layer.
    case layer(Layer)
    /// A list of child layers, saved under numbered names.
    case layers([Layer])
}

extension Layer {
    /// ``Layer/savedChildren``'s default: `layers` for Sequential and functional models, else
    /// the stored properties holding layers, named in snake_case and sorted as Keras sorts
    /// attributes (`_private` names last).
    func defaultSavedChildren() -> [(name: String, child: SavedChild)] {
        if let model = self as? Model, model is Sequential || model.graph != nil {
            return [("layers", .layers(model.layers))]
        }
        var found: [(name: String, child: SavedChild)] = []
        var mirrors: [Mirror] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        while let m = mirror, m.subjectType != Model.self, m.subjectType != Layer.self {
            mirrors.append(m)
            mirror = m.superclassMirror
        }
        for m in mirrors.reversed() {
            for child in m.children {
                guard var label = child.label else { continue }
                if label.hasPrefix("$__lazy_storage_$_") { label.removeFirst("$__lazy_storage_$_".count) }
                let name = pythonAttributeName(label)
                switch child.value {
                case let layer as Layer: found.append((name, .layer(layer)))
                case let list as [Layer]: found.append((name, .layers(list)))
                case let list as [Layer?]: found.append((name, .layers(list.compactMap { $0 })))
                case let table as [String: Layer]: found.append((name, .layers(table.keys.sorted().map { table[$0]! })))
                case let optional as Layer?: if let layer = optional { found.append((name, .layer(layer))) }
                default: break
                }
            }
        }
        return found.sorted { sortKey($0.name) < sortKey($1.name) }
    }
}

/// A Swift property name as the Python attribute Keras would name it: camelCase to snake_case,
/// a leading underscore kept (`forwardLayer` → `forward_layer`, `_queryDense` → `_query_dense`).
func pythonAttributeName(_ label: String) -> String {
    var out = ""
    var previousLower = false
    for c in label {
        if c.isUppercase {
            if previousLower { out.append("_") }
            out += c.lowercased()
            previousLower = false
        } else {
            out.append(c)
            previousLower = c.isLowercase || c.isNumber
        }
    }
    return out
}

/// Keras's attribute order: by name, with `_private` names after the public ones.
private func sortKey(_ name: String) -> String { name.hasPrefix("_") ? "~" + name : name }
