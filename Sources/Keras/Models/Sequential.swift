/// A plain stack of layers, each feeding the next (`keras.Sequential`).
///
/// It builds on its first call, or as soon as it knows its input shape (an ``InputLayer`` first,
/// or ``add(_:)-(KerasTensor)`` of an ``Input(shape:batchSize:name:dtype:)``):
///
/// ```swift
/// let model = Sequential([
///     Dense(2, activation: .relu, name: "layer1"),
///     Dense(3, activation: .relu, name: "layer2"),
///     Dense(4, name: "layer3"),
/// ])
/// let y = model(Tensor.ones([3, 3]))    // builds for (3, 3), then runs
///
/// let incremental = Sequential()
/// try incremental.add(Input(shape: [4]))
/// try incremental.add(Dense(2, activation: .relu))   // built right away: kernel (4, 2)
/// ```
open class Sequential: Model, @unchecked Sendable {
    private var stack: [Layer] = []
    /// The input layer given first, if any (not part of ``layers``, as in Keras).
    public private(set) var inputLayer: InputLayer?
    /// With an input layer: the symbolic output of each layer, so `layer.output` and
    /// ``inputs``/``outputs`` work as in Keras (a Sequential with an Input is a functional graph).
    private var symbolicOutputs: [KerasTensor] = []
    /// Whether the input layer was made from the first call's shape (its batch size is incidental).
    private var inputFromFirstCall = false

    /// Creates a `Sequential` with Keras's arguments and defaults (the names in Swift case).
    public init(_ layers: [Layer] = [], name: String? = nil, trainable: Bool = true) {
        super.init(name: name, trainable: trainable)
        for layer in layers {
            if let error = append(layer) { fatalError(error.description) }
        }
        noteRebuild()
    }

    /// Recreates a model from Keras's Sequential config (`{name, layers, build_input_shape}`).
    ///
    /// ```swift
    /// let copy = try Sequential(config: model.getConfig())
    /// ```
    ///
    /// - Throws: `KerasError.invalidConfig` for malformed layer entries, an ``InputLayer`` that is
    ///   not first, layers that cannot take the previous layer's output, or a malformed
    ///   `build_input_shape`.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: Sequential.self, config: config)
        let base = try r.layerBase()
        let entries = try r.nested("layers") { value -> [ConfigValue] in
            guard let value, !value.isNull else { return [] }
            guard let list = value.arrayValue else {
                throw KerasError.invalidConfig("expected a list of serialized layers, received \(value)")
            }
            return list
        }
        let buildShape = try r.optionalShape("build_input_shape")
        self.init(name: base.name, trainable: base.trainable)
        for (i, entry) in entries.enumerated() {
            let layer = try deserializeLayer(entry)
            if let error = append(layer) {
                throw KerasError.invalidConfig("Sequential model \"\(name)\": layer \(i) (\"\(layer.name)\"): \(error)")
            }
        }
        noteRebuild()
        if !built, let buildShape {
            do { try buildChecked(buildShape) } catch {
                throw KerasError.invalidConfig("Sequential model \"\(name)\": build_input_shape \(formatShape(buildShape)): \(error)")
            }
        }
    }

    /// Builds for inputs of `inputShape` like ``build(_:)``, but throws the first layer's
    /// refusal instead of stopping (for shapes read from a config).
    func buildChecked(_ inputShape: [Int?]) throws {
        guard !built else { return }
        if let error = propagate(inputShape, building: true).error { throw error }
        build(inputShape: inputShape)
    }

    open override class var className: String { "Sequential" }
    open override var layers: [Layer] { stack }

    /// Appends a layer (Keras's `model.add`); an ``InputLayer`` is accepted only first. If the
    /// input shape is known, the new layer is built at once.
    ///
    /// - Throws: `KerasError` when the layer cannot take the current output shape (Keras's
    ///   message), when it is already in the model, or for an ``InputLayer`` that is not first;
    ///   the model is left unchanged.
    public func add(_ layer: Layer) throws {
        if let error = append(layer) { throw error }
        if inputLayer != nil && !(layer is InputLayer) { noteRebuild() }
    }

    /// Appends `layer`, or returns why it cannot be appended (leaving the model unchanged).
    private func append(_ layer: Layer) -> KerasError? {
        if let input = layer as? InputLayer {
            guard stack.isEmpty && inputLayer == nil else {
                return .invalidArgument("Sequential model \"\(name)\": an InputLayer can only be added first (it already has \(stack.count) layer(s))")
            }
            inputLayer = input
            built = true
            buildShapes = [input.batchShape]
            return nil
        }
        guard !stack.contains(where: { $0 === layer }) else {
            return .invalidArgument("Sequential model \"\(name)\" already contains layer \"\(layer.name)\"")
        }
        if let inputLayer {
            let output = layer(symbolicOutputs.last ?? inputLayer.outputTensor!)
            if let error = output.error { return error }
            symbolicOutputs.append(output)
        }
        stack.append(layer)
        return nil
    }

    /// Keras rebuilds a hidden functional model after each change once the input is known, which
    /// uses up one automatic `functional` name; doing the same keeps later auto-names identical.
    private func noteRebuild() {
        if inputLayer != nil && !stack.isEmpty { _ = uniqueLayerName("functional") }
    }

    /// Adds the input layer behind a symbolic tensor from ``Input(shape:batchSize:name:dtype:)``.
    public func add(_ input: KerasTensor) throws {
        guard let layer = input.sourceLayer as? InputLayer else {
            throw KerasError.invalidArgument("Sequential.add: only the output of Input(shape:) or a Layer can be added, received \(input)")
        }
        try add(layer)
    }

    /// Removes and returns the last layer.
    @discardableResult
    public func pop() -> Layer {
        require(!stack.isEmpty, "There are no layers in the model \"\(name)\".")
        if !symbolicOutputs.isEmpty { symbolicOutputs.removeLast() }
        let layer = stack.removeLast()
        noteRebuild()
        return layer
    }

    /// Builds for inputs of `inputShapes[0]` as Keras does: an ``InputLayer`` of that shape is
    /// put in front and every layer is called on its output, stopping with Keras's message at the
    /// first layer that cannot take its input.
    open override func build(inputShapes: [[Int?]]) {
        require(inputShapes.count == 1, "Sequential model \"\(name)\" takes one input, received \(inputShapes.count)")
        guard inputLayer == nil else { return }
        let shape = inputShapes[0]
        let input = InputLayer(shape: Array(shape.dropFirst()), batchSize: shape.first ?? nil, dtype: dtype)
        inputLayer = input
        inputFromFirstCall = true
        var current = input.outputTensor!
        for layer in stack {
            current = layer(current)
            if let error = current.error { fatalError(error.description) }
            symbolicOutputs.append(current)
        }
        noteRebuild()
    }

    open override func build(inputShape: [Int?]) { buildIfNeeded([inputShape]) }

    /// Walks the layers with a shape, checking (and optionally building) each.
    private func propagate(_ inputShape: [Int?], building: Bool) -> (shape: [Int?], error: KerasError?) {
        let shape = inputShape
        if inputLayer == nil {
            // The input layer a build puts in front must be able to take the shape.
            do { try InputLayer.validate(batchShape: shape) } catch {
                return (shape, .incompatibleInput(layer: name, message: "Sequential model \"\(name)\": \(error)"))
            }
        }
        return propagateThrough(stack, shape, building: building)
    }

    open override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        guard inputShapes.count == 1 else {
            return .incompatibleInput(layer: name, message: "Sequential model \"\(name)\" takes one input, received \(inputShapes.count)")
        }
        // An unbuilt layer can only be checked by building it (its output shape may need its
        // weights), so a model that is not built yet builds its layers here, as the call that
        // follows would; a layer that cannot take its input is then an error, not a stop.
        return propagate(inputShapes[0], building: !built).error
    }

    open override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] {
        stack.reduce(inputShape) { $1.computeOutputShape($0) }
    }

    open override func computeOutputShapes(_ inputShapes: [[Int?]]) -> [[Int?]] { [computeOutputShape(inputShapes[0])] }

    open override func call(_ inputs: Tensor, training: Bool) -> Tensor {
        call(inputs, mask: nil, training: training)
    }

    /// Runs the layers, passing each output's mask (from an ``Embedding`` with `maskZero`, a
    /// ``Masking``…) to the next layer as Keras does, until a layer that does not support masking.
    /// In inference, a pair of layers with a fused form (a convolution followed by max pooling)
    /// runs as one op.
    open override func call(_ inputs: Tensor, mask: Tensor?, training: Bool) -> Tensor {
        var x = inputs
        var mask = mask
        var fusedNext = false
        for (i, layer) in stack.enumerated() {
            if fusedNext {
                fusedNext = false
                continue
            }
            if mask == nil, !training, i + 1 < stack.count, let y = layer.callFused(x, then: stack[i + 1]) {
                x = y
                fusedNext = true
                continue
            }
            if mask == nil {
                let input = x
                x = layer(x, training: training)
                mask = layer.supportsMasking ? layer.computeMask(input, mask: nil) : nil
            } else {
                let result = layer.applyMasked([x], masks: [mask], training: training)
                x = result.outputs[0]
                mask = result.masks[0]
            }
        }
        return x
    }

    open override func call(_ inputs: [Tensor], training: Bool) -> [Tensor] {
        require(inputs.count == 1, "Sequential model \"\(name)\" takes one input, received \(inputs.count)")
        return [call(inputs[0], training: training)]
    }

    open override var inputs: [KerasTensor] { inputLayer.map { [$0.outputTensor] } ?? [] }
    open override var outputs: [KerasTensor] {
        guard let inputLayer else { return [] }
        return [symbolicOutputs.last ?? inputLayer.outputTensor]
    }

    open override var inputNames: [String] { inputLayer.map { [$0.name] } ?? [] }
    open override var outputNames: [String] { stack.last.map { [$0.name] } ?? [] }
    /// The expected input shape; the batch size is left unknown when the model was built by a
    /// call (any batch size is accepted then).
    open override var inputShapes: [[Int?]] {
        guard let inputLayer else { return [] }
        return [inputFromFirstCall ? [nil] + inputLayer.batchShape.dropFirst() : inputLayer.batchShape]
    }

    /// Keras's Sequential config: `{name, trainable, dtype, layers, build_input_shape}`; `layers`
    /// starts with the ``InputLayer`` when there is one.
    open override func getConfig() -> Config {
        var config: Config = ["name": .string(name), "trainable": .bool(trainable), "dtype": dtypePolicyConfig(dtype)]
        var entries: [ConfigValue] = []
        if let inputLayer { entries.append(serializeLayer(inputLayer)) }
        entries += stack.map(serializeLayer)
        config["layers"] = .array(entries)
        if let shape = inputLayer?.batchShape { config["build_input_shape"] = ConfigValue(shape: shape) }
        return config
    }
}

/// Walks a chain of single-input layers (a ``Sequential``'s stack, a ``Pipeline``) with a shape,
/// checking each layer and, when `building`, building it; stops at the first layer that cannot
/// take its input, or (when not building) at the first unbuilt one, whose output shape may need
/// its weights.
func propagateThrough(_ layers: [Layer], _ inputShape: [Int?], building: Bool) -> (shape: [Int?], error: KerasError?) {
    var shape = inputShape
    for layer in layers {
        if let error = layer.checkInputs([shape]) ?? layer.validateSymbolic([shape]) { return (shape, error) }
        if building {
            if let error = layer.tryBuild([shape]) { return (shape, error) }
        } else if !layer.built {
            return (shape, nil)
        }
        shape = layer.computeOutputShape(shape)
    }
    return (shape, nil)
}
