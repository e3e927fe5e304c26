import KerasCore

/// Class names and their snake_case aliases.
private let constraintTable = ObjectFactoryTable<any Constraint>(kind: "constraint", entries: [
    (MaxNorm.className, ["max_norm"], { r in
        let maxValue = try r.double("max_value", default: 2)
        guard let (axes, isList) = try r.axes("axis") else { return MaxNorm(maxValue: maxValue) }
        return isList ? MaxNorm(maxValue: maxValue, axes: axes) : MaxNorm(maxValue: maxValue, axis: axes[0])
    }),
    (MinMaxNorm.className, ["min_max_norm"], { r in
        let lo = try r.double("min_value", default: 0), hi = try r.double("max_value", default: 1)
        let rate = try r.double("rate", default: 1)
        guard let (axes, isList) = try r.axes("axis") else { return MinMaxNorm(minValue: lo, maxValue: hi, rate: rate) }
        return isList ? MinMaxNorm(minValue: lo, maxValue: hi, rate: rate, axes: axes)
            : MinMaxNorm(minValue: lo, maxValue: hi, rate: rate, axis: axes[0])
    }),
    (UnitNorm.className, ["unit_norm"], { r in
        guard let (axes, isList) = try r.axes("axis") else { return UnitNorm() }
        return isList ? UnitNorm(axes: axes) : UnitNorm(axis: axes[0])
    }),
    (NonNeg.className, ["non_neg"], { _ in NonNeg() }),
])

/// The constraint a string names, with default arguments (`keras.constraints.get("max_norm")`);
/// `nil` for unknown names.
///
/// ```swift
/// let c = constraint(named: "non_neg")!
/// ```
public func constraint(named name: String) -> (any Constraint)? {
    constraintTable.make(named: name)
}

/// A constraint from a layer config value: a string name or Keras's serialized object
/// `{"module": "keras.constraints", "class_name": "MaxNorm", "config": {"max_value": 2, "axis": 0}}`.
///
/// ```swift
/// let c = try deserializeConstraint(MaxNorm(maxValue: 3).serialize())
/// ```
///
/// - Throws: `KerasError` naming an unknown class, an unexpected key or a bad value.
public func deserializeConstraint(_ value: ConfigValue) throws -> any Constraint {
    try constraintTable.deserialize(value)
}
