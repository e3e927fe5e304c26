// Resolvers from config values to initializers, regularizers, constraints and activations,
// used by the layers' `init(config:)`; they delegate to each family's deserializer and report
// failures as `KerasError.invalidConfig`.

/// An initializer from a Keras config value: a name (`"glorot_uniform"`) or a serialized object.
func layerResolveInitializer(_ value: ConfigValue?, default defaultValue: any Initializer) throws -> any Initializer {
    guard let value, !value.isNull else { return defaultValue }
    return try deserializeInitializer(value)
}

/// A regularizer from a config value (`null` → none).
func layerResolveRegularizer(_ value: ConfigValue?) throws -> (any Regularizer)? {
    guard let value, !value.isNull else { return nil }
    return try deserializeRegularizer(value)
}

/// A constraint from a config value (`null` → none).
func layerResolveConstraint(_ value: ConfigValue?) throws -> (any Constraint)? {
    guard let value, !value.isNull else { return nil }
    return try deserializeConstraint(value)
}

/// An activation from a config value (a Keras name, or `null` for linear).
func layerResolveActivation(_ value: ConfigValue?) throws -> Activation {
    guard let value else { return .linear }
    return try Activation.deserialize(value)
}

/// Reads a required int config entry.
func configInt(_ config: Config, _ key: String, layer: String) throws -> Int {
    guard let value = config[key]?.intValue else {
        throw KerasError.invalidConfig("\(layer) config needs an integer \"\(key)\", received \(config[key].map(\.description) ?? "nothing")")
    }
    return value
}

/// Optional serialized object for a config entry.
func serializeOptional(_ value: (any Regularizer)?) -> ConfigValue { value?.serialize() ?? .null }
func serializeOptional(_ value: (any Constraint)?) -> ConfigValue { value?.serialize() ?? .null }
