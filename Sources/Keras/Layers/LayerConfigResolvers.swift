// Typed reading of the keys layers share (initializers, regularizers, constraints, activations),
// used by the layers' `init(config:)`: each delegates to its family's deserializer and reports
// failures as `KerasError.invalidConfig` naming the layer class and the key.

extension ObjectConfigReader {
    /// A reader for a layer class's config, naming the class as configs spell it.
    init(layer: Layer.Type, config: Config) {
        self.init(className: layer.className, config: config)
    }

    /// An initializer: a name (`"glorot_uniform"`) or a serialized object; `defaultValue` when
    /// absent or `null`.
    mutating func initializer(_ key: String, default defaultValue: any Initializer) throws -> any Initializer {
        try nested(key) { value in
            guard let value, !value.isNull else { return defaultValue }
            return try deserializeInitializer(value)
        }
    }

    /// A regularizer (`null` → none).
    mutating func regularizer(_ key: String) throws -> (any Regularizer)? {
        try nested(key) { value in
            guard let value, !value.isNull else { return nil }
            return try deserializeRegularizer(value)
        }
    }

    /// A constraint (`null` → none).
    mutating func constraint(_ key: String) throws -> (any Constraint)? {
        try nested(key) { value in
            guard let value, !value.isNull else { return nil }
            return try deserializeConstraint(value)
        }
    }

    /// An activation (a Keras name; absent or `null` → linear).
    mutating func activation(_ key: String = "activation") throws -> ActivationFunction {
        try nested(key) { value in
            guard let value else { return .linear }
            return try ActivationFunction.deserialize(value)
        }
    }

    /// Checks `data_format`: only `"channels_last"` (Keras's default image layout; absent or
    /// `null` means it) is supported; `"channels_first"` throws `KerasError.unsupported`.
    mutating func channelsLast() throws {
        guard let v = present("data_format") else { return }
        guard v.stringValue == "channels_last" else {
            throw KerasError.unsupported(component: className, reason: "data_format \(v) is not supported; swift-keras runs channels_last layers only (data_format=\"channels_last\")")
        }
    }
}

/// Optional serialized object for a config entry.
func serializeOptional(_ value: (any Regularizer)?) -> ConfigValue { value?.serialize() ?? .null }
func serializeOptional(_ value: (any Constraint)?) -> ConfigValue { value?.serialize() ?? .null }

/// The product of `dims`, or `nil` when one is unknown or the product overflows.
func knownProduct<C: Collection>(_ dims: C) -> Int? where C.Element == Int? {
    var product = 1
    for dim in dims {
        guard let dim else { return nil }
        let (p, overflow) = product.multipliedReportingOverflow(by: dim)
        if overflow { return nil }
        product = p
    }
    return product
}

/// The `name`, `trainable` and `dtype` of a layer config, for layers that take nothing else.
func layerBase(_ type: Layer.Type, _ config: Config) throws -> (name: String?, trainable: Bool, dtype: DType) {
    var reader = ObjectConfigReader(layer: type, config: config)
    return try reader.layerBase()
}
