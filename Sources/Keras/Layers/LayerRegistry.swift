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
        entry["build_config"] = buildConfig(type(of: layer), shapes: shapes)
    }
    return .object(entry)
}

/// Keras's `build_config` for a layer built for `shapes`: `{"input_shape": shape or [shapes]}`, or
/// `{"shapes_dict": {name: shape}}` for the layers that name their build arguments.
func buildConfig(_ type: Layer.Type, shapes: [[Int?]]) -> ConfigValue {
    if shapes.count > 1, let names = type.callArgumentNames, names.count >= shapes.count {
        var dict = Config()
        for (name, shape) in zip(names, shapes) { dict[name + "_shape"] = ConfigValue(shape: shape) }
        return ["shapes_dict": .object(dict)]
    }
    return ["input_shape": shapes.count == 1 ? ConfigValue(shape: shapes[0]) : .array(shapes.map { ConfigValue(shape: $0) })]
}

/// Creates a layer from its serialized form, for the built-in layers and models and the classes
/// registered with ``registerLayer(className:_:)``, and builds it for the shapes its
/// `build_config` records. `Lambda` cannot be recreated this way (its closure is not serializable).
///
/// ```swift
/// let layer = try deserializeLayer(["class_name": "Dense", "config": ["units": 3],
///                                   "build_config": ["input_shape": [nil, 4]]])   // kernel (4, 3)
/// ```
///
/// - Throws: `KerasError.invalidConfig` naming the class and key for anything the layer cannot
///   take: unknown classes, missing or mistyped keys, out-of-range values, a `build_config` whose
///   shapes are malformed or that the layer rejects.
public func deserializeLayer(_ value: ConfigValue) throws -> Layer {
    guard value.objectValue != nil else {
        throw KerasError.invalidConfig("A serialized layer must be an object with \"class_name\" and \"config\", received \(value)")
    }
    let layer = try layerTable.deserialize(value)
    if let buildConfig = value["build_config"], !buildConfig.isNull, !layer.built {
        try build(layer, buildConfig: buildConfig)
    }
    return layer
}

/// Builds `layer` for the `input_shape` (one shape or a list of shapes) or the `shapes_dict`
/// (shapes by build argument, in order) in its `build_config`, after checking the shapes and the
/// layer's input rules.
private func build(_ layer: Layer, buildConfig: ConfigValue) throws {
    let context = "Layer \"\(layer.name)\" (\(layer.className)) build_config"
    if buildConfig.objectValue?.isEmpty == true { return }   // Keras writes {} for layers built without shapes (the lookup layers)
    let byArgument = buildConfig["shapes_dict"]?.objectValue.flatMap { dict -> ConfigValue? in
        let shapes = dict.values.filter { !$0.isNull }
        return shapes.isEmpty ? nil : .array(Array(shapes))
    }
    guard let inputShape = byArgument ?? buildConfig["input_shape"], !inputShape.isNull else {
        throw KerasError.invalidConfig("\(context): expected an object with \"input_shape\" or \"shapes_dict\", received \(buildConfig)")
    }
    let isList = inputShape.arrayValue?.first?.arrayValue != nil
    let shapes: [[Int?]]
    do {
        shapes = isList ? try inputShape.arrayValue!.map(ConfigValue.shape) : [try ConfigValue.shape(inputShape)]
    } catch {
        throw KerasError.invalidConfig("\(context): expected \"input_shape\" to be a shape (a list of non-negative integers or nulls) or a list of shapes, received \(inputShape)")
    }
    if shapes.count != 1 && !takesSeveralInputs(layer) {
        throw KerasError.invalidConfig("\(context): the layer takes one input, but \"input_shape\" lists \(shapes.count) shapes")
    }
    if let error = layer.checkInputs(shapes) ?? layer.validateSymbolic(shapes) {
        throw KerasError.invalidConfig("\(context): \(error)")
    }
    if let sequential = layer as? Sequential {
        // Its layers are checked one by one as they are built.
        do { try sequential.buildChecked(shapes[0]) } catch { throw KerasError.invalidConfig("\(context): \(error)") }
    } else if let error = layer.tryBuild(shapes) {
        throw KerasError.invalidConfig("\(context): \(error)")
    }
}

/// Whether `layer` may be called on several tensors: merge layers, models, `Identity`, `HashedCrossing`, the
/// attention layers (query, value and key), and custom classes (which decide for themselves).
func takesSeveralInputs(_ layer: Layer) -> Bool {
    layer is Merge || layer is Model || layer is Identity || layer is Attention || layer is HashedCrossing || type(of: layer).callArgumentNames != nil
        || layerTable.factories[layer.className] == nil
}

/// Makes a custom layer class loadable from configs (Keras's `register_keras_serializable`);
/// a registered class replaces a built-in class of the same name.
///
/// ```swift
/// registerLayer(className: "Scale") { try Scale(config: $0) }
/// ```
public func registerLayer(className: String, _ factory: @escaping @Sendable (Config) throws -> Layer) {
    layerTable.register(className) { reader in try factory(reader.config) }
}

/// The layer for `className` (built-in or registered) made from `config`.
///
/// ```swift
/// let dense = try makeLayer(className: "Dense", config: ["units": 3, "activation": "relu"])
/// ```
///
/// - Throws: `KerasError.invalidConfig` for unknown classes and configs the class rejects.
public func makeLayer(className: String, config: Config) throws -> Layer {
    try layerTable.make(className: className, config: config)
}

/// One row of the layer table: Keras class name, aliases, factory.
typealias LayerEntry = (String, [String], ObjectFactoryTable<Layer>.Factory)

/// A table entry for layer class `type`, keyed by its Keras class name.
func entry<L: Layer>(_ type: L.Type, aliases: [String] = [], _ make: @escaping @Sendable (Config) throws -> L) -> LayerEntry {
    (type.className, aliases, { reader in try make(reader.config) })
}

/// The built-in layers and models. Each layer's `init(config:)` reads and checks its own keys;
/// keys it does not know are ignored, as configs written by other Keras versions carry extras.
/// Each layer family (a folder under `Layers/`) lists its own entries beside its layers.
let layerTable = ObjectFactoryTable<Layer>(kind: "layer", entries: layerFamilies.flatMap { $0 }, rejectsUnknownKeys: false)

/// Every family's entries, one family a line.
private let layerFamilies: [[LayerEntry]] = [
    coreLayerEntries,
    convolutionalLayerEntries,
    poolingLayerEntries,
    normalizationLayerEntries,
    layerNormalizationEntries,
    spatialReshapingLayerEntries,
    regularizationLayerEntries,
    preprocessingLayerEntries,
    maskingLayerEntries,
    recurrentLayerEntries,
    wrapperLayerEntries,
    attentionLayerEntries,
    textPreprocessingLayerEntries,
    colorAugmentationLayerEntries,
    toneAugmentationLayerEntries,
    geometricAugmentationLayerEntries,
    mixingAugmentationLayerEntries,
    audioPreprocessingLayerEntries,
    convLSTMLayerEntries,
]

/// Core, activation, reshaping and merging layers, and the models.
private let coreLayerEntries: [LayerEntry] = [
    entry(InputLayer.self) { try InputLayer(config: $0) },
    entry(Dense.self) { try Dense(config: $0) },
    entry(EinsumDense.self) { try EinsumDense(config: $0) },
    entry(Activation.self) { try Activation(config: $0) },
    entry(ReLU.self) { try ReLU(config: $0) },
    entry(LeakyReLU.self) { try LeakyReLU(config: $0) },
    entry(PReLU.self) { try PReLU(config: $0) },
    entry(ELU.self) { try ELU(config: $0) },
    entry(Softmax.self) { try Softmax(config: $0) },
    entry(Flatten.self) { try Flatten(config: $0) },
    entry(Reshape.self) { try Reshape(config: $0) },
    entry(Permute.self) { try Permute(config: $0) },
    entry(RepeatVector.self) { try RepeatVector(config: $0) },
    entry(Dropout.self) { try Dropout(config: $0) },
    entry(Identity.self) { try Identity(config: $0) },
    entry(Add.self) { try Add(config: $0) },
    entry(Subtract.self) { try Subtract(config: $0) },
    entry(Multiply.self) { try Multiply(config: $0) },
    entry(Average.self) { try Average(config: $0) },
    entry(Maximum.self) { try Maximum(config: $0) },
    entry(Minimum.self) { try Minimum(config: $0) },
    entry(Concatenate.self) { try Concatenate(config: $0) },
    entry(Dot.self) { try Dot(config: $0) },
    entry(Sequential.self) { try Sequential(config: $0) },
    ("Functional", ["Model"], { reader in try Model(functionalConfig: reader.config) }),
    (Lambda.className, [], { reader in
        throw KerasError.invalidConfig("Lambda layer \"\(reader.config["name"]?.stringValue ?? "?")\" holds a Swift closure, which a config cannot carry; recreate it with Lambda(config:function:)")
    }),
]
