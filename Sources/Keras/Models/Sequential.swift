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
/// incremental.add(Input(shape: [4]))
/// incremental.add(Dense(2, activation: .relu))   // built right away: kernel (4, 2)
/// ```
open class Sequential: Model, @unchecked Sendable {
    private var stack: [Layer] = []
    /// The input layer given first, if any (not part of ``layers``, as in Keras).
    public private(set) var inputLayer: InputLayer?
    /// With an input layer: the symbolic output of each layer, so `layer.output` and
    /// ``inputs``/``outputs`` work as in Keras (a Sequential with an Input is a functional graph).
    private var symbolicOutputs: [KerasTensor] = []

    public init(_ layers: [Layer] = [], name: String? = nil, trainable: Bool = true) {
        super.init(name: name, trainable: trainable)
        for layer in layers { add(layer) }
    }

    /// Recreates a model from Keras's Sequential config (`{name, layers, build_input_shape}`).
    public convenience init(config: Config) throws {
        self.init(name: config["name"]?.stringValue, trainable: config["trainable"]?.boolValue ?? true)
        for entry in config["layers"]?.arrayValue ?? [] { add(try deserializeLayer(entry)) }
        if !built, let shape = config["build_input_shape"]?.shapeValue { build(inputShape: shape) }
    }

    open override var className: String { "Sequential" }
    open override var layers: [Layer] { stack }

    /// Appends a layer; an ``InputLayer`` is accepted only first. If the input shape is known,
    /// the new layer is built at once.
    public func add(_ layer: Layer) {
        if let input = layer as? InputLayer {
            precondition(stack.isEmpty && inputLayer == nil,
                         "Sequential model \"\(name)\": an InputLayer can only be added first (it already has \(stack.count) layer(s))")
            inputLayer = input
            build(inputShape: input.batchShape)
            return
        }
        precondition(!stack.contains { $0 === layer },
                     "Sequential model \"\(name)\" already contains layer \"\(layer.name)\"")
        stack.append(layer)
        if let inputLayer {
            let previous = symbolicOutputs.last ?? inputLayer.outputTensor!
            let output = layer(previous)
            if let error = output.error { stack.removeLast(); preconditionFailure(error.description) }
            symbolicOutputs.append(output)
            built = true
            buildShapes = [inputLayer.batchShape]
        } else if let shape = buildShapes?.first {
            if let error = propagate(shape, building: true).error { preconditionFailure(error.description) }
            built = true
            buildShapes = [shape]
        }
    }

    /// Adds the input layer behind a symbolic tensor from ``Input(shape:batchSize:name:dtype:)``.
    public func add(_ input: KerasTensor) {
        guard let layer = input.sourceLayer as? InputLayer else {
            preconditionFailure("Sequential.add: only the output of Input(shape:) or a Layer can be added, received \(input)")
        }
        add(layer)
    }

    /// Removes and returns the last layer.
    @discardableResult
    public func pop() -> Layer {
        precondition(!stack.isEmpty, "There are no layers in the model \"\(name)\".")
        if !symbolicOutputs.isEmpty { symbolicOutputs.removeLast() }
        return stack.removeLast()
    }

    /// Builds the layers one after the other, stopping with Keras's message at the first layer
    /// that cannot take its input.
    open override func build(inputShapes: [[Int?]]) {
        precondition(inputShapes.count == 1, "Sequential model \"\(name)\" takes one input, received \(inputShapes.count)")
        if let error = propagate(inputShapes[0], building: true).error { preconditionFailure(error.description) }
    }

    open override func build(inputShape: [Int?]) { buildIfNeeded([inputShape]) }

    /// Walks the layers with a shape, checking (and optionally building) each.
    private func propagate(_ inputShape: [Int?], building: Bool) -> (shape: [Int?], error: KerasError?) {
        var shape = inputShape
        for layer in stack {
            if let error = layer.checkInputs([shape]) ?? layer.validateSymbolic([shape]) { return (shape, error) }
            if building { layer.buildIfNeeded([shape]) } else if !layer.built { return (shape, nil) }
            shape = layer.computeOutputShape(shape)
        }
        return (shape, nil)
    }

    open override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        guard inputShapes.count == 1 else {
            return .incompatibleInput(layer: name, message: "Sequential model \"\(name)\" takes one input, received \(inputShapes.count)")
        }
        return propagate(inputShapes[0], building: false).error
    }

    open override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] {
        stack.reduce(inputShape) { $1.computeOutputShape($0) }
    }

    open override func computeOutputShapes(_ inputShapes: [[Int?]]) -> [[Int?]] { [computeOutputShape(inputShapes[0])] }

    open override func call(_ inputs: Tensor, training: Bool) -> Tensor {
        var x = inputs
        for layer in stack { x = layer(x, training: training) }
        return x
    }

    open override func call(_ inputs: [Tensor], training: Bool) -> [Tensor] {
        precondition(inputs.count == 1, "Sequential model \"\(name)\" takes one input, received \(inputs.count)")
        return [call(inputs[0], training: training)]
    }

    open override var inputs: [KerasTensor] { inputLayer.map { [$0.outputTensor] } ?? [] }
    open override var outputs: [KerasTensor] {
        guard let inputLayer else { return [] }
        return [symbolicOutputs.last ?? inputLayer.outputTensor]
    }

    open override var inputNames: [String] { inputLayer.map { [$0.name] } ?? (built ? ["input_layer"] : []) }
    open override var outputNames: [String] { stack.last.map { [$0.name] } ?? [] }
    open override var inputShapes: [[Int?]] { inputLayer.map { [$0.batchShape] } ?? buildShapes ?? [] }

    /// Keras's Sequential config: `{name, trainable, dtype, layers, build_input_shape}`; `layers`
    /// starts with the ``InputLayer`` when there is one.
    open override func getConfig() -> Config {
        var config: Config = ["name": .string(name), "trainable": .bool(trainable), "dtype": dtypePolicyConfig(dtype)]
        var entries: [ConfigValue] = []
        if let inputLayer { entries.append(serializeLayer(inputLayer)) }
        entries += stack.map(serializeLayer)
        config["layers"] = .array(entries)
        if let shape = inputShapes.first { config["build_input_shape"] = ConfigValue(shape: shape) }
        return config
    }
}
