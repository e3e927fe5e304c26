import KerasCore

/// Class names and their aliases (`l1l2` is Keras's own snake-case key; `l1_l2` its API name).
private let regularizerTable = ObjectFactoryTable<any Regularizer>(kind: "regularizer", entries: [
    (L1.className, ["l1"], { r in L1(l1: try r.nonNegative("l1", default: 0.01)) }),
    (L2.className, ["l2"], { r in L2(l2: try r.nonNegative("l2", default: 0.01)) }),
    (L1L2.className, ["l1l2", "l1_l2"], { r in
        L1L2(l1: try r.nonNegative("l1", default: 0), l2: try r.nonNegative("l2", default: 0))
    }),
    (OrthogonalRegularizer.className, ["orthogonal_regularizer"], { r in
        OrthogonalRegularizer(factor: try r.nonNegative("factor", default: 0.01),
                              mode: try r.choice("mode", default: .rows, allowed: OrthogonalRegularizer.Mode.allCases))
    }),
])

/// The regularizer a string names, with default arguments (`keras.regularizers.get("l2")`);
/// `nil` for unknown names.
///
/// ```swift
/// let penalty = regularizer(named: "l2")!(weights)   // 0.01 · Σw²
/// ```
public func regularizer(named name: String) -> (any Regularizer)? {
    regularizerTable.make(named: name)
}

/// A regularizer from a layer config value: a string name or Keras's serialized object
/// `{"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.01}}`.
///
/// ```swift
/// let r = try deserializeRegularizer(L1L2(l1: 0.1).serialize())
/// ```
///
/// - Throws: `KerasError` naming an unknown class, an unexpected key or a bad value.
public func deserializeRegularizer(_ value: ConfigValue) throws -> any Regularizer {
    try regularizerTable.deserialize(value)
}
