/// Keras's serialized form of a layer: `{"module", "class_name", "config", "registered_name"}`
/// plus `build_config` once built.
///
/// ```swift
/// let saved = serializeLayer(Dense(3, name: "d"))
/// let copy = try deserializeLayer(saved)   // a Dense named "d"
/// ```
public func serializeLayer(_ layer: Layer) -> ConfigValue {
    let module: String
    switch layer {
    case is Sequential: module = "keras"
    case let model as Model where model.graph != nil: module = "keras.src.models.functional"
    default: module = "keras.layers"
    }
    guard case .object(var entry) = ConfigValue.serialized(module: module, className: layer.className, config: layer.getConfig()) else {
        return .null
    }
    if layer.built, !(layer is InputLayer), let shapes = layer.buildShapes, !(layer is Model) {
        entry["build_config"] = ["input_shape": shapes.count == 1 ? ConfigValue(shape: shapes[0]) : .array(shapes.map { ConfigValue(shape: $0) })]
    }
    return .object(entry)
}

/// Creates a layer from its serialized form (or a bare class name + config), for the built-in
/// layers and models. `Lambda` cannot be recreated this way (its closure is not serializable).
public func deserializeLayer(_ value: ConfigValue) throws -> Layer {
    guard let className = value["class_name"]?.stringValue, let config = value["config"]?.objectValue else {
        throw KerasError.invalidConfig("A serialized layer needs \"class_name\" and \"config\", received \(value)")
    }
    let layer = try makeLayer(className: className, config: config)
    if let shape = value["build_config"]?["input_shape"], !layer.built {
        if let single = shape.shapeValue, !(shape.arrayValue?.first?.arrayValue != nil) {
            layer.buildIfNeeded([single])
        } else if let many = shape.arrayValue?.compactMap(\.shapeValue) {
            layer.buildIfNeeded(many)
        }
    }
    return layer
}

/// The built-in layer for `className` made from `config`.
public func makeLayer(className: String, config: Config) throws -> Layer {
    switch className {
    case "InputLayer": return try InputLayer(config: config)
    case "Dense": return try Dense(config: config)
    case "Activation": return try ActivationLayer(config: config)
    case "ReLU": return try ReLU(config: config)
    case "LeakyReLU": return try LeakyReLU(config: config)
    case "PReLU": return try PReLU(config: config)
    case "ELU": return try ELU(config: config)
    case "Softmax": return try Softmax(config: config)
    case "Flatten": return try Flatten(config: config)
    case "Reshape": return try Reshape(config: config)
    case "Permute": return try Permute(config: config)
    case "RepeatVector": return try RepeatVector(config: config)
    case "Dropout": return try Dropout(config: config)
    case "Identity": return try Identity(config: config)
    case "Add": return try Add(config: config)
    case "Subtract": return try Subtract(config: config)
    case "Multiply": return try Multiply(config: config)
    case "Average": return try Average(config: config)
    case "Maximum": return try Maximum(config: config)
    case "Minimum": return try Minimum(config: config)
    case "Concatenate": return try Concatenate(config: config)
    case "Dot": return try Dot(config: config)
    case "Sequential": return try Sequential(config: config)
    case "Functional", "Model": return try Model(functionalConfig: config)
    case "Lambda":
        throw KerasError.invalidConfig("Lambda layer \"\(config["name"]?.stringValue ?? "?")\" holds a Swift closure, which a config cannot carry; recreate it with Lambda(config:function:)")
    default:
        throw KerasError.invalidConfig("Unknown layer: '\(className)'. Please ensure you are using a keras.layers class that swift-keras implements.")
    }
}
