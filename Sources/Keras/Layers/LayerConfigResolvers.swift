// Minimal resolvers from config values to initializers, regularizers, constraints and
// activations, used by the layers' `init(config:)`.
//
// TEMPORARY: the `init` branch owns the real deserialization (`initializer(named:)` and
// friends). When it lands, replace the bodies below with calls to it; the layer code only uses
// these four functions.

/// An initializer from a Keras config value: a name (`"glorot_uniform"`) or a serialized object.
func layerResolveInitializer(_ value: ConfigValue?, default defaultValue: any Initializer) throws -> any Initializer {
    guard let value, !value.isNull else { return defaultValue }
    let className: String
    var config: Config = [:]
    if let name = value.stringValue {
        className = name
    } else if let name = value["class_name"]?.stringValue {
        className = name
        config = value["config"]?.objectValue ?? [:]
    } else {
        throw KerasError.invalidConfig("Could not interpret initializer identifier: \(value)")
    }
    let seed = config["seed"]?.intValue
    switch toSnakeCase(className) {
    case "zeros": return Zeros()
    case "ones": return Ones()
    case "constant": return Constant(config["value"]?.doubleValue ?? 0)
    case "glorot_uniform": return GlorotUniform(seed: seed)
    case "glorot_normal": return GlorotNormal(seed: seed)
    case "he_uniform": return HeUniform(seed: seed)
    case "he_normal": return HeNormal(seed: seed)
    case "lecun_uniform": return LecunUniform(seed: seed)
    case "lecun_normal": return LecunNormal(seed: seed)
    case "variance_scaling":
        return VarianceScaling(scale: config["scale"]?.doubleValue ?? 1,
                               mode: VarianceScaling.Mode(rawValue: config["mode"]?.stringValue ?? "fan_in") ?? .fanIn,
                               distribution: VarianceScaling.Distribution(rawValue: config["distribution"]?.stringValue ?? "truncated_normal") ?? .truncatedNormal,
                               seed: seed)
    default:
        throw KerasError.invalidConfig("Unknown initializer: \(className). Known here: zeros, ones, constant, glorot_*, he_*, lecun_*, variance_scaling")
    }
}

/// A regularizer from a config value (only `null` until the `init` branch's registry lands).
func layerResolveRegularizer(_ value: ConfigValue?) throws -> (any Regularizer)? {
    guard let value, !value.isNull else { return nil }
    throw KerasError.invalidConfig("Could not interpret regularizer identifier: \(value)")
}

/// A constraint from a config value (only `null` until the `init` branch's registry lands).
func layerResolveConstraint(_ value: ConfigValue?) throws -> (any Constraint)? {
    guard let value, !value.isNull else { return nil }
    throw KerasError.invalidConfig("Could not interpret constraint identifier: \(value)")
}

/// An activation from a config value (a Keras name or `null` for linear).
func layerResolveActivation(_ value: ConfigValue?) throws -> Activation {
    guard let value, !value.isNull else { return .linear }
    let name = value.stringValue ?? value["config"]?.stringValue ?? value["class_name"]?.stringValue
    guard let name, let activation = Activation.named(name) else {
        throw KerasError.invalidConfig("Unknown activation: \(value)")
    }
    return activation
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
