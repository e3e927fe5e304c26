/// A trainable stack of layers: a functional graph (`init(inputs:outputs:name:)`), a
/// ``Sequential`` list, or a subclass that overrides `call(_:training:)`.
///
/// ```swift
/// let inputs = Input(shape: [3])
/// let hidden = Dense(4, activation: .relu)(inputs)
/// let outputs = Dense(5, activation: .softmax)(hidden)
/// let model = try Model(inputs: inputs, outputs: outputs)
/// let probabilities = model(Tensor.ones([2, 3]))     // shape (2, 5)
/// model.summary()
/// ```
///
/// A subclass lists its layers as stored properties (found by reflection, as Keras tracks
/// attributes) and implements `call(_:training:)`:
///
/// ```swift
/// final class MLP: Model, @unchecked Sendable {
///     let hidden = Dense(64, activation: .relu)
///     let head = Dense(10)
///     override func call(_ x: Tensor, training: Bool) -> Tensor { head(hidden(x, training: training)) }
/// }
/// ```
open class Model: Layer, @unchecked Sendable {
    /// The functional graph, for models built from symbolic tensors.
    let graph: FunctionalGraph?
    /// Whether the functional model was given one input / output tensor rather than a list (its
    /// config then writes `input_layers` / `output_layers` flat, as Keras does).
    var singleInput = false, singleOutput = false
    /// The output names of a model created with a dictionary of outputs (sorted, as Keras flattens it).
    var outputKeys: [String]?
    /// Set by callbacks (EarlyStopping, TerminateOnNaN) to end `fit` early.
    public var stopTraining = false
    /// Optimizer, losses and metrics from `compile`.
    var compiledState: CompiledState?
    /// The epoch a callback asks `fit` to start from (set in `onTrainBegin` by BackupAndRestore).
    var resumeEpoch: Int?
    /// The batches of `resumeEpoch` a mid-epoch backup had already trained (`fit` skips them).
    var resumeStep: Int?
    /// Spreads `fit`, `evaluate` and `predict` over several processes when set (data parallelism, see
    /// ``TrainingDistribution``).
    ///
    /// ```swift
    /// model.distribution = try MPIStrategy()   // import KerasDistributed; run under mpirun
    /// ```
    public var distribution: (any TrainingDistribution)?
    /// Whether `fit` may split batches over the cores (see ``concurrentTraining``).
    var allowsConcurrentTraining = true

    /// Creates a model to subclass (override `call(_:training:)`) or a base for ``Sequential``.
    public override init(name: String? = nil, trainable: Bool = true, dtype: DType = .float32) {
        self.graph = nil
        super.init(name: name, trainable: trainable, dtype: dtype)
    }

    /// Creates a functional model computing `outputs` from `inputs` (symbolic tensors from
    /// ``Input(shape:batchSize:name:dtype:)`` and layer calls).
    ///
    /// - Throws: `KerasError` when a layer on the way received an incompatible shape, when an
    ///   output cannot be reached from the inputs (graph disconnected), or when two layers share a
    ///   name.
    public init(inputs: [KerasTensor], outputs: [KerasTensor], name: String? = nil) throws {
        guard !inputs.isEmpty, !outputs.isEmpty else {
            throw KerasError.invalidArgument("A functional model needs at least one input and one output, received \(inputs.count) inputs and \(outputs.count) outputs")
        }
        self.graph = try FunctionalGraph(inputs: inputs, outputs: outputs)
        super.init(name: name, dtype: inputs[0].dtype)
        built = true
        buildShapes = inputs.map(\.shape)
        inputSpec = inputs.map { InputSpec(shape: [nil] + $0.shape.dropFirst()) }
    }

    /// A functional model with one input and one output.
    public convenience init(inputs: KerasTensor, outputs: KerasTensor, name: String? = nil) throws {
        try self.init(inputs: [inputs], outputs: [outputs], name: name)
        (singleInput, singleOutput) = (true, true)
    }

    /// A functional model with one input and several outputs.
    public convenience init(inputs: KerasTensor, outputs: [KerasTensor], name: String? = nil) throws {
        try self.init(inputs: [inputs], outputs: outputs, name: name)
        singleInput = true
    }

    /// A functional model with several inputs and one output.
    public convenience init(inputs: [KerasTensor], outputs: KerasTensor, name: String? = nil) throws {
        try self.init(inputs: inputs, outputs: [outputs], name: name)
        singleOutput = true
    }

    /// A functional model whose outputs are named by the keys of `outputs` (Keras's
    /// `outputs={"priority": …, "department": …}`): compile's per-output losses and metrics, the
    /// logs and `predictOutputs(_:batchSize:verbose:callbacks:)` use these names.
    ///
    /// ```swift
    /// let model = try Model(inputs: [title, body], outputs: ["priority": priority, "department": department])
    /// let outputs = try model.predictOutputs([titleData, bodyData])
    /// outputs["priority"]   // a Tensor
    /// ```
    public convenience init(inputs: [KerasTensor], outputs: [String: KerasTensor], name: String? = nil) throws {
        let keys = outputs.keys.sorted()
        try self.init(inputs: inputs, outputs: keys.map { outputs[$0]! }, name: name)
        outputKeys = keys
    }

    /// A functional model with one input and named outputs.
    public convenience init(inputs: KerasTensor, outputs: [String: KerasTensor], name: String? = nil) throws {
        try self.init(inputs: [inputs], outputs: outputs, name: name)
        singleInput = true
    }

    /// `"Functional"` for graph models (as Keras names them), else the Swift class name.
    open override var className: String { graph != nil ? "Functional" : type(of: self).className }

    /// The model's layers: graph order for functional models (input layers included), the list
    /// for ``Sequential``, the `Layer` stored properties for subclasses.
    open var layers: [Layer] {
        if let graph { return graph.layers }
        return super.sublayers
    }

    open override var sublayers: [Layer] { layers }

    /// The layer named `name` (Keras's `get_layer`).
    public func getLayer(name: String) throws -> Layer {
        guard let layer = layers.first(where: { $0.name == name }) else {
            throw KerasError.invalidArgument("No such layer: \(name). Existing layers are: \(layers.map(\.name)).")
        }
        return layer
    }

    /// The layer at `index` in ``layers``.
    public func getLayer(index: Int) throws -> Layer {
        guard layers.indices.contains(index) else {
            throw KerasError.invalidArgument("Was asked to retrieve layer at index \(index) but model only has \(layers.count) layers.")
        }
        return layers[index]
    }

    // MARK: Variables (the names the training loop uses)

    /// Variables the optimizer updates.
    public var trainableVariables: [Variable] { trainableWeights }
    /// Variables it leaves alone.
    public var nonTrainableVariables: [Variable] { nonTrainableWeights }
    /// All variables (trainable first).
    public var variables: [Variable] { weights }

    // MARK: Inputs and outputs

    /// Names of the input layers.
    open var inputNames: [String] { graph?.inputs.map { $0.sourceLayer!.name } ?? [] }
    /// The names of the outputs: the keys of a dictionary of outputs, else the names of the
    /// layers producing them.
    open var outputNames: [String] {
        outputKeys ?? graph?.outputs.map { $0.sourceLayer!.name } ?? (layers.last.map { [$0.name] } ?? [])
    }
    /// The input shapes the model expects, batch first (`nil` = any size); empty when unknown.
    open var inputShapes: [[Int?]] { graph?.inputs.map(\.shape) ?? buildShapes ?? [] }
    /// The symbolic inputs of a functional model.
    open var inputs: [KerasTensor] { graph?.inputs ?? [] }
    /// The symbolic outputs of a functional model.
    open var outputs: [KerasTensor] { graph?.outputs ?? [] }

    // MARK: Calling

    /// Runs the model on several inputs, returning every output.
    public func callAsFunction(_ inputs: [Tensor], training: Bool = false) -> [Tensor] {
        apply(inputs, training: training)
    }

    /// Calls the model on several symbolic tensors (using it as a layer of another model).
    public func callAsFunction(_ inputs: [KerasTensor], training: Bool? = nil) -> [KerasTensor] {
        applySymbolic(inputs, training: training)
    }

    open override func call(_ inputs: [Tensor], training: Bool) -> [Tensor] {
        guard let graph else {
            require(inputs.count == 1, "Model \"\(name)\" received \(inputs.count) inputs; override call(_ inputs: [Tensor], training:) for several")
            return [call(inputs[0], training: training)]
        }
        require(inputs.count == graph.inputs.count,
                "Model \"\(name)\" expects \(graph.inputs.count) input(s), but it received \(inputs.count) input tensors")
        return graph.run(inputs, training: training)
    }

    open override func call(_ inputs: Tensor, training: Bool) -> Tensor {
        guard graph != nil else {
            fatalError("Model \"\(name)\" must override call(_:training:) (or be built with Model(inputs:outputs:) or Sequential)")
        }
        let outputs = call([inputs], training: training)
        require(outputs.count == 1, "Model \"\(name)\" has \(outputs.count) outputs; call it with model([x], training:) to get them all")
        return outputs[0]
    }

    /// Each layer model input `index` reaches checks its values.
    override func inputDataProblem(_ data: Tensor, input index: Int) -> KerasError? {
        layersReading(input: index).lazy.compactMap { $0.validateInputData(data) }.first
    }

    open override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        if let graph, inputShapes.count != graph.inputs.count {
            return .incompatibleInput(layer: name, message: "Model \"\(name)\" expects \(graph.inputs.count) input(s), but it received \(inputShapes.count) input tensors")
        }
        return nil
    }

    open override func computeOutputShapes(_ inputShapes: [[Int?]]) -> [[Int?]] {
        if let graph { return graph.outputShapes(inputShapes) }
        return super.computeOutputShapes(inputShapes)
    }

    open override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] {
        if let graph { return graph.outputShapes([inputShape])[0] }
        return super.computeOutputShape(inputShape)
    }

    /// Subclassed models build by running `call(_:training:)` once on zeros, which creates their
    /// layers' weights (build a model with `try model.build([nil, 4])`).
    open override func build(inputShapes: [[Int?]]) {
        guard graph == nil else { return }
        // A subclassed model: run once so every layer builds.
        _ = withoutRecording { call(inputShapes.map { Tensor.zeros($0.map { $0 ?? 1 }, dtype: dtype) }, training: false) }
    }

    // MARK: Config and summary

    /// Keras's config: for functional models `{name, trainable, layers, input_layers,
    /// output_layers}` with each layer's `inbound_nodes`.
    open override func getConfig() -> Config {
        guard let graph else { return super.getConfig() }
        let graphNodes = Set(graph.nodesByDepth.joined().map(ObjectIdentifier.init))
        let layerConfigs: [ConfigValue] = graph.layers.map { layer in
            var entry = serializeLayer(layer).objectValue!
            entry["name"] = .string(layer.name)
            entry["inbound_nodes"] = .array(layer.inboundNodes.filter { graphNodes.contains(ObjectIdentifier($0)) && !$0.isInput }.map { node in
                let args: [ConfigValue] = node.inputs.map { t in
                    ["class_name": "__keras_tensor__",
                     "config": ["shape": ConfigValue(shape: t.shape), "dtype": .string(t.dtype.rawValue),
                                "keras_history": [.string(t.sourceLayer!.name), .int(t.node!.nodeIndex), .int(t.tensorIndex)]]]
                }
                let separate = type(of: layer).callArgumentNames != nil
                return ["args": args.count == 1 || separate ? .array(args) : [.array(args)], "kwargs": [:]]
            })
            return .object(entry)
        }
        func history(_ t: KerasTensor) -> ConfigValue { [.string(t.sourceLayer!.name), .int(t.node!.nodeIndex), .int(t.tensorIndex)] }
        let outputLayers: ConfigValue
        if let outputKeys {
            outputLayers = .object(Config(uniqueKeysWithValues: zip(outputKeys, graph.outputs.map(history))))
        } else {
            outputLayers = singleOutput ? history(graph.outputs[0]) : .array(graph.outputs.map(history))
        }
        return ["name": .string(name), "trainable": .bool(trainable), "layers": .array(layerConfigs),
                "input_layers": singleInput ? history(graph.inputs[0]) : .array(graph.inputs.map(history)),
                "output_layers": outputLayers]
    }

    /// Prints the Keras 3 summary table (Keras's `model.summary()`): layers, output shapes,
    /// parameter counts and the totals. Pass `printFunction` to send the text elsewhere (Keras's
    /// `print_fn`), e.g. to keep it as a string. `expandNested` also lists the layers of nested
    /// models (indented under them); `showTrainable` adds a "Trainable" column (Y/N, `-` without weights).
    ///
    /// ```swift
    /// model.summary()
    /// model.summary(expandNested: true, showTrainable: true)
    /// var text = ""
    /// model.summary { text += $0 }
    /// ```
    public func summary(lineLength: Int? = nil, expandNested: Bool = false, showTrainable: Bool = false,
                        printFunction: (String) -> Void = { print($0, terminator: "") }) {
        printFunction(renderSummary(of: self, lineLength: lineLength, optimizerVariables: optimizerVariablesForSummary,
                                    expandNested: expandNested, showTrainable: showTrainable))
    }

    /// The compiled optimizer's variables once it is built (after the first training step),
    /// shown by ``summary(lineLength:expandNested:showTrainable:printFunction:)`` as Keras's ` Optimizer params:` line.
    open var optimizerVariablesForSummary: [Variable] {
        guard let optimizer = compiledState?.optimizer, optimizer.isBuilt else { return [] }
        return optimizer.variables
    }

    // MARK: Customizing fit, evaluate and predict

    /// One training step on a batch: what `fit` and `trainOnBatch` run (Keras's `train_step`).
    /// The default runs the model in training mode, takes ``computeLoss(x:y:yPred:sampleWeight:training:)``,
    /// its gradients and one optimizer step, then updates the compiled metrics.
    ///
    /// Override it to change what `fit` does while keeping callbacks, the progress bar and
    /// ``History``; return the logs to report (running values for the epoch so far), and list
    /// your own trackers in ``metrics`` so `fit` resets them every epoch:
    ///
    /// ```swift
    /// final class CustomModel: Model, @unchecked Sendable {
    ///     let lossTracker = Mean(name: "loss")
    ///     override var metrics: [Metric] { [lossTracker] }
    ///     override func trainStep(_ data: DataBatch) throws -> [String: Double] {
    ///         let (loss, grads) = valueWithGradients(of: trainableVariables) {
    ///             MeanSquaredError()(data.y!, self(data.x, training: true))
    ///         }
    ///         optimizer!.apply(grads, to: trainableVariables)
    ///         lossTracker.updateState(loss)
    ///         return ["loss": lossTracker.resultValue]
    ///     }
    /// }
    /// ```
    open func trainStep(_ data: DataBatch) throws -> [String: Double] { try defaultTrainStep(data) }

    /// One evaluation step on a batch (Keras's `test_step`): what `evaluate`, `testOnBatch` and
    /// `fit`'s validation run. The default runs the model in inference mode and updates the loss
    /// tracker and compiled metrics; returns the logs so far.
    open func testStep(_ data: DataBatch) throws -> [String: Double] { try defaultTestStep(data) }

    /// The outputs for one batch (Keras's `predict_step`): what `predict` and `predictOnBatch`
    /// run. The default calls the model in inference mode.
    open func predictStep(_ data: DataBatch) throws -> [Tensor] {
        withoutRecording { self(data.inputs, training: false) }
    }

    /// The loss to minimize for a batch (Keras's `compute_loss`): the compiled losses, weighted
    /// per output, plus every penalty in `losses` (regularizers, `addLoss`). Recorded for
    /// differentiation when called inside a gradient scope.
    ///
    /// - Throws: `KerasError` when there is no loss at all (no `loss` in `compile` and no
    ///   penalties).
    open func computeLoss(x: [Tensor], y: [Tensor], yPred: [Tensor], sampleWeight: Tensor?,
                          training: Bool = true) throws -> Tensor {
        try defaultComputeLoss(y: y, yPred: yPred, sampleWeight: sampleWeight)
    }

    /// The metrics `fit` and `evaluate` reset at the start of each epoch and evaluation
    /// (Keras's `model.metrics`): the compiled metrics once built. Override to add your own
    /// trackers when you customize ``trainStep(_:)``.
    open var metrics: [Metric] { compiledState?.builtMetrics ?? [] }

}
