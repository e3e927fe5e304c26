import Foundation
import Synchronization

/// The base class of every layer: Keras's `Layer` contract in Swift.
///
/// A layer stores its configuration in `init`, creates its weights in ``build(inputShape:)`` the
/// first time it is called (so the input size never has to be given twice), and computes its
/// output in `call(_:training:)` with tensor ops only. Weights are `Variable`s, so a layer
/// called inside `valueWithGradients(of:_:)` is differentiable with respect to them.
///
/// ```swift
/// final class Scale: Layer, @unchecked Sendable {
///     var factor: Variable!
///     override func build(inputShape: [Int?]) {
///         factor = addWeight(name: "factor", shape: [inputShape.last!!], initializer: Ones())
///     }
///     override func call(_ x: Tensor, training: Bool) -> Tensor { x * factor.value }
/// }
/// let y = Scale()(Tensor.ones([2, 3]))   // builds with input shape (2, 3), then calls
/// ```
///
/// **Sharing between threads.** A built layer or model may be called for inference from several
/// threads at once, also while another thread trains it (each read sees a variable's value before
/// or after an update, never a torn one); concurrent first calls build it exactly once. Configure
/// a layer (`trainable`, `activityRegularizer`, adding layers) before sharing it.
open class Layer: @unchecked Sendable, CustomStringConvertible {
    /// The unique name (`dense`, `dense_1`, … unless given).
    public private(set) var name: String = ""
    /// The dtype of the weights and of the computation (float32 by default).
    public let dtype: DType
    /// Whether the weights are created. Layers build on their first call.
    public internal(set) var built: Bool {
        get { builtFlag.load(ordering: .acquiring) }
        set { builtFlag.store(newValue, ordering: .releasing) }
    }
    private let builtFlag = Atomic<Bool>(false)
    /// Serializes building, so concurrent first calls build once.
    private let buildLock = NSRecursiveLock()
    /// Checked against inputs on every call once set (usually in `build`).
    public var inputSpec: [InputSpec]?
    /// Penalty on the layer's outputs, added to ``losses`` after each call.
    public var activityRegularizer: (any Regularizer)?

    private var _trainable = true
    private var ownTrainableWeights: [Variable] = []
    private var ownNonTrainableWeights: [Variable] = []
    private var weightRegularizers: [(Variable, any Regularizer)] = []
    /// The activity penalties of the last call (locked: inference may run on several threads).
    private let lastActivityLosses = Mutex<[Tensor]>([])
    /// The losses ``addLoss(_:)`` added during the last call.
    private let addedLosses = Mutex<[Tensor]>([])
    /// Input shapes the layer was built with.
    public internal(set) var buildShapes: [[Int?]]?
    private var nodeRefs: [WeakBox<Node>] = []
    var nodeCount = 0

    /// - Parameters:
    ///   - name: a unique name; default `snake_case(ClassName)` with a counter.
    ///   - trainable: whether the weights are trained.
    ///   - dtype: the dtype of weights and computation.
    public init(name: String? = nil, trainable: Bool = true, dtype: DType = .float32) {
        self.dtype = dtype
        self._trainable = trainable
        self.name = name ?? uniqueLayerName(toSnakeCase(className))
    }

    /// Keras's class name (`"Dense"`), used in summaries and configs.
    open var className: String { type(of: self).className }

    /// The Keras class name configs use for this class (the Swift name unless overridden), as
    /// `Optimizer.className` and `Metric.className` spell theirs.
    open class var className: String { String(describing: self) }

    /// Recreates a layer of this class from ``getConfig()`` output or a Keras `get_config()`
    /// dictionary (Keras's `from_config`).
    ///
    /// ```swift
    /// let copy = try Dense.fromConfig(Dense(3, activation: .relu).getConfig())
    /// ```
    public class func fromConfig(_ config: Config) throws -> Self {
        let layer = try makeLayer(className: className, config: config)
        guard let typed = layer as? Self else {
            throw KerasError.invalidConfig("\(className).fromConfig made a \(type(of: layer)), not a \(self)")
        }
        return typed
    }

    /// Whether calls of this class in inference write no state (no counters, caches or
    /// side effects beyond ``Layer``'s own, which are locked), so `predict` may run batches of a
    /// model made of such layers on several threads. `false` unless a class declares it.
    open class var isStatelessInInference: Bool { false }

    /// Keras's names of the call arguments, for a layer that Keras calls with its inputs as
    /// separate arguments (MultiHeadAttention: `["query", "value", "key"]`, `mha(query, value)`)
    /// rather than as one list (`Add()([a, b])`). A functional config then lists the inputs as
    /// positional `args` (and reads them from `kwargs` by these names too), and `build_config`
    /// records `{"shapes_dict": {"query_shape": …, "value_shape": …}}`, as Keras writes them.
    /// `nil` (the default): one input, or one list of inputs.
    open class var callArgumentNames: [String]? { nil }

    /// Layers whose weights and losses this layer owns, found as Keras tracks them: every stored
    /// property holding a layer, an optional layer, an array of layers or a dictionary of layers
    /// (by sorted key), in declaration order. Containers override it (a model's layers).
    ///
    /// ```swift
    /// final class Block: Layer, @unchecked Sendable {
    ///     let linear1 = Dense(32), linear2 = Dense(32)
    ///     let heads = ["a": Dense(1), "b": Dense(1)]
    ///     // sublayers: linear1, linear2, heads["a"], heads["b"]; weights: all 8
    /// }
    /// ```
    ///
    /// The list is read from the stored properties until the layer is built, then kept.
    open var sublayers: [Layer] {
        if let cached = trackedSublayers.withLock({ $0 }) { return cached }
        let found = reflectedSublayers()
        if built { trackedSublayers.withLock { $0 = found } }
        return found
    }
    private let trackedSublayers = Mutex<[Layer]?>(nil)

    /// The layers held by stored properties of this object's own classes (not ``Layer``'s or
    /// ``Model``'s), each once.
    func reflectedSublayers() -> [Layer] {
        var result: [Layer] = []
        var seen: Set<ObjectIdentifier> = [ObjectIdentifier(self)]
        var mirrors: [Mirror] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        while let m = mirror, m.subjectType != Model.self, m.subjectType != Layer.self {
            mirrors.append(m)
            mirror = m.superclassMirror
        }
        func add(_ value: Any) {
            switch value {
            case let layer as Layer:
                if seen.insert(ObjectIdentifier(layer)).inserted { result.append(layer) }
            case let list as [Layer]: list.forEach(add)
            case let list as [Layer?]: list.compactMap { $0 }.forEach(add)
            case let table as [String: Layer]: table.keys.sorted().forEach { add(table[$0]!) }
            case let optional as Layer?: if let layer = optional { add(layer) }
            default: break
            }
        }
        for m in mirrors.reversed() {
            for child in m.children { add(child.value) }
        }
        return result
    }

    /// The children whose weights saving stores under this layer, each with the name of its group
    /// in the `.keras` / `.weights.h5` file (Keras's `saving_lib` walks a layer's Python attributes
    /// the same way): a single layer is stored at `<name>/`, a list at
    /// `<name>/<snake_case class, made unique>/`.
    ///
    /// The default lists every stored property holding layers (see ``sublayers``), named by the
    /// property's name in snake_case (`forwardLayer` → `forward_layer`, `_queryDense` →
    /// `_query_dense`), sorted as Keras sorts attributes (names starting with `_` last); models
    /// made by ``Sequential`` or the functional API list only `layers`. Override it when your
    /// property names differ from the Python attributes of the Keras layer you mirror, so files
    /// open in Python Keras:
    ///
    /// ```swift
    /// final class Wrapper: Layer, @unchecked Sendable {
    ///     let inner: Layer
    ///     init(_ inner: Layer) { self.inner = inner; super.init() }
    ///     // Keras's Wrapper stores its child as `self.layer`:
    ///     override var savedChildren: [(name: String, child: SavedChild)] { [("layer", .layer(inner))] }
    /// }
    /// ```
    open var savedChildren: [(name: String, child: SavedChild)] { defaultSavedChildren() }

    /// The layer's own variables (not its sublayers'): trainable, then non-trainable, in creation
    /// order — what a saved file lists as `vars/0`, `vars/1`, … for this layer.
    var ownVariables: [Variable] { ownTrainableWeights + ownNonTrainableWeights }

    /// Whether the weights are trained; setting it sets it on all sublayers, as in Keras.
    open var trainable: Bool {
        get { _trainable }
        set {
            _trainable = newValue
            for layer in sublayers { layer.trainable = newValue }
        }
    }

    // MARK: Subclass hooks

    /// Creates the weights for inputs of `inputShape` (`nil` = unknown size). Called once, before
    /// the first call. The default creates nothing. This is the hook subclasses override; to build
    /// a layer yourself (Keras's `layer.build(shape)`), call `build(_:)`, which also marks it built.
    open func build(inputShape: [Int?]) {}

    /// Multi-input form of `build(inputShape:)`; the default forwards a single shape.
    open func build(inputShapes: [[Int?]]) {
        if inputShapes.count == 1 { build(inputShape: inputShapes[0]) }
    }

    /// The layer's computation on one tensor. Single-input layers override this.
    open func call(_ inputs: Tensor, training: Bool) -> Tensor {
        fatalError("Layer \"\(name)\" (\(className)) must override call(_:training:)")
    }

    /// The layer's computation on a list of tensors. Multi-input or multi-output layers override
    /// this; the default calls ``call(_:training:)`` on the single input.
    open func call(_ inputs: [Tensor], training: Bool) -> [Tensor] {
        require(inputs.count == 1, "Layer \"\(name)\" expects 1 input, but it received \(inputs.count) input tensors")
        return [call(inputs[0], training: training)]
    }

    /// The output shape for inputs of `inputShape`. The default runs the layer on zeros (unknown
    /// sizes taken as 1) and keeps unknown sizes unknown where they were.
    open func computeOutputShape(_ inputShape: [Int?]) -> [Int?] {
        traceOutputShapes([inputShape])[0]
    }

    /// Multi-input/-output form of `computeOutputShape(_:)`; the default forwards a single
    /// shape and traces the layer otherwise.
    open func computeOutputShapes(_ inputShapes: [[Int?]]) -> [[Int?]] {
        inputShapes.count == 1 ? [computeOutputShape(inputShapes[0])] : traceOutputShapes(inputShapes)
    }

    /// Runs the layer on zeros to find its output shapes (Keras's `compute_output_spec`).
    func traceOutputShapes(_ inputShapes: [[Int?]]) -> [[Int?]] {
        let dummies = inputShapes.map { Tensor.zeros($0.map { $0 ?? 1 }, dtype: dtype) }
        let outputs = withoutRecording { call(dummies, training: false) }
        addedLosses.withLock { $0.removeAll() }   // losses of the trace are not real
        let batchUnknown = inputShapes.first?.first.map { $0 == nil } ?? false
        return outputs.map { out in
            var shape = out.shape.map { Optional($0) }
            if batchUnknown, !shape.isEmpty { shape[0] = nil }
            return shape
        }
    }

    /// Keras's config dictionary (`get_config()`): `name`, `trainable`, `dtype` and the layer's
    /// own arguments. Subclasses add to `super.getConfig()`.
    open func getConfig() -> Config {
        var config: Config = ["name": .string(name), "trainable": .bool(trainable), "dtype": dtypePolicyConfig(dtype)]
        if let activityRegularizer { config["activity_regularizer"] = activityRegularizer.serialize() }
        return config
    }

    // MARK: Weights

    /// Creates a weight, initialized by `initializer`, penalized by `regularizer` (added to
    /// ``losses``) and projected by `constraint` after each optimizer step.
    @discardableResult
    public func addWeight(name: String, shape: [Int], initializer: any Initializer = GlorotUniform(),
                          regularizer: (any Regularizer)? = nil, constraint: (any Constraint)? = nil,
                          trainable: Bool = true, dtype: DType? = nil) -> Variable {
        let dtype = dtype ?? self.dtype
        let countProblem: String?
        do { try Tensor.checkFitsInMemory(shape, dtype: dtype); countProblem = nil } catch { countProblem = "\(error)" }
        if let problem = countProblem ?? initializer.problem(forShape: shape, dtype: dtype) ?? constraint?.problem(forWeightShape: shape)
            ?? regularizer?.problem(forWeightShape: shape.map(Optional.some)) {
            // Thrown by the entry point that started the build (which then discards it).
            BuildIssues.report(.invalidArgument("Layer \"\(self.name)\" (\(className)): cannot create weight \"\(name)\" of shape \(formatShape(shape)): \(problem)"))
            let placeholder = countProblem == nil ? shape : shape.map { _ in 0 }
            return Variable(Tensor.zeros(placeholder, dtype: dtype), name: name, trainable: trainable)
        }
        let initial = WeightLimit.skipsInitializers ? Tensor.zeros(shape, dtype: dtype) : initializer(shape, dtype: dtype)
        let variable = Variable(initial, name: name, trainable: trainable)
        if let constraint { variable.constraint = { constraint($0) } }
        if trainable { ownTrainableWeights.append(variable) } else { ownNonTrainableWeights.append(variable) }
        if let regularizer { weightRegularizers.append((variable, regularizer)) }
        return variable
    }

    /// Makes `variable`, created by another layer, one of this layer's own weights too, as Keras
    /// tracks a variable assigned to a layer's attribute (SpectralNormalization's `kernel` is its
    /// wrapped layer's): listed once, at this layer's place in ``weights``, and saved among its own
    /// variables. Call from `build`; a build that fails drops it again.
    func trackWeight(_ variable: Variable) {
        if variable.trainable { ownTrainableWeights.append(variable) } else { ownNonTrainableWeights.append(variable) }
    }

    /// All weights in Keras 3's order (what `get_weights()` lists): layer by layer, depth first,
    /// each layer's trainable then non-trainable weights, each weight once.
    public var weights: [Variable] { collect { $0.ownTrainableWeights + $0.ownNonTrainableWeights } }

    /// Weights the optimizer updates, in ``weights`` order (none when ``trainable`` is false; a
    /// weight whose own `trainable` is false, such as a LoRA-frozen kernel, is left out).
    public var trainableWeights: [Variable] {
        trainable ? collect { $0.trainable ? $0.ownTrainableWeights.filter(\.trainable) : [] } : []
    }

    /// Weights the optimizer leaves alone (BatchNorm statistics, weights of frozen layers), in
    /// ``weights`` order.
    public var nonTrainableWeights: [Variable] {
        let trainableIDs = Set(trainableWeights.map(ObjectIdentifier.init))
        return weights.filter { !trainableIDs.contains(ObjectIdentifier($0)) }
    }

    /// The number of weight elements.
    public func countParams() -> Int { weights.reduce(0) { $0 + $1.shape.reduce(1, *) } }

    /// The weight values, in ``weights`` order.
    public func getWeights() -> [Tensor] { withoutRecording { weights.map { $0.value } } }

    /// Replaces the weight values; the count and every shape must match ``weights``.
    public func setWeights(_ values: [Tensor]) throws {
        let current = weights
        guard values.count == current.count else {
            throw KerasError.weightsMismatch(layer: name, message: "Layer \"\(name)\" expected \(current.count) variables, but received \(values.count) variables during loading. Expected: \(current.map(\.name))")
        }
        for (i, (variable, value)) in zip(current, values).enumerated() where variable.shape != value.shape {
            throw KerasError.weightsMismatch(layer: name, message: "Layer \"\(name)\" weight shape mismatch: expected \(formatShape(variable.shape)) for weight \(i) (\(variable.name)), received \(formatShape(value.shape))")
        }
        for (variable, value) in zip(current, values) { variable.assign(value) }
    }

    /// Adds a loss computed in `call(_:training:)` (Keras's `add_loss`): it appears in
    /// ``losses`` until the layer's next call, and `fit` adds it to the loss it minimizes.
    ///
    /// ```swift
    /// final class ActivityPenalty: Layer, @unchecked Sendable {
    ///     override func call(_ x: Tensor, training: Bool) -> Tensor {
    ///         addLoss(0.01 * x.square().sum())
    ///         return x
    ///     }
    /// }
    /// ```
    public func addLoss(_ loss: Tensor) {
        addedLosses.withLock { $0.append(loss) }
    }

    /// Regularization penalties of the current weights, the activity penalties and the
    /// ``addLoss(_:)`` losses of the last call, for this layer and its sublayers (Keras's `layer.losses`).
    public var losses: [Tensor] {
        var seen = Set<ObjectIdentifier>()
        var result: [Tensor] = []
        func visit(_ layer: Layer) {
            guard seen.insert(ObjectIdentifier(layer)).inserted else { return }
            for (variable, regularizer) in layer.weightRegularizers { result.append(regularizer(variable.value)) }
            result += layer.lastActivityLosses.withLock { $0 }
            result += layer.addedLosses.withLock { $0 }
            for sub in layer.sublayers { visit(sub) }
        }
        visit(self)
        return result
    }

    /// `pick` of this layer, then of each sublayer depth first; each layer and variable once.
    private func collect(_ pick: (Layer) -> [Variable]) -> [Variable] {
        var seenLayers = Set<ObjectIdentifier>(), seenVariables = Set<ObjectIdentifier>()
        var result: [Variable] = []
        func visit(_ layer: Layer) {
            guard seenLayers.insert(ObjectIdentifier(layer)).inserted else { return }
            result += pick(layer).filter { seenVariables.insert(ObjectIdentifier($0)).inserted }
            for sub in layer.sublayers { visit(sub) }
        }
        visit(self)
        return result
    }

    // MARK: Calling

    /// Calls the layer on a batch, building it first if needed.
    ///
    /// A shape the built layer cannot take stops with Keras's message, e.g. `Input 0 of layer
    /// "dense_1" is incompatible with the layer: expected axis -1 of input shape to have value 4,
    /// but received input with shape (3, 5)`. For inputs from outside the program use
    /// ``callChecked(_:training:)``, which throws instead.
    public func callAsFunction(_ x: Tensor, training: Bool = false) -> Tensor {
        let input = x.dtype != dtype && x.dtype.isFloatingPoint && dtype.isFloatingPoint ? x.cast(to: dtype) : x
        prepare(shapes: CollectionOfOne(input.shape))
        addedLosses.withLock { $0.removeAll() }
        let y = call(input, training: training)
        if let activityRegularizer { recordActivityLoss(activityRegularizer, [y]) }
        return y
    }

    /// Calls the layer on several tensors (multi-input layers and models), building it if needed.
    public func apply(_ inputs: [Tensor], training: Bool = false) -> [Tensor] {
        let cast = inputs.map { $0.dtype != dtype && $0.dtype.isFloatingPoint && dtype.isFloatingPoint ? $0.cast(to: dtype) : $0 }
        prepare(shapes: cast.map(\.shape))
        addedLosses.withLock { $0.removeAll() }
        let ys = call(cast, training: training)
        if let activityRegularizer { recordActivityLoss(activityRegularizer, ys) }
        return ys
    }

    /// `next(self(x))` computed in one fused pass for inference (a convolution followed by max
    /// pooling, see ``fusedInference(_:then:)``), or `nil` when the pair runs as two calls.
    /// Models call it for a layer whose only consumer is `next`, outside training and with no
    /// mask flowing. It fuses only built layers that neither support masking nor have activity
    /// regularizers, on inputs of their dtype, so the pair behaves as the two calls would.
    func callFused(_ x: Tensor, then next: Layer) -> Tensor? {
        guard built, next.built, !supportsMasking, !next.supportsMasking, activityRegularizer == nil,
              next.activityRegularizer == nil, x.dtype == dtype, next.dtype == dtype else { return nil }
        prepare(shapes: CollectionOfOne(x.shape))
        guard let y = fusedInference(x, then: next) else { return nil }
        addedLosses.withLock { $0.removeAll() }
        next.addedLosses.withLock { $0.removeAll() }
        return y
    }

    /// The inference output of `next(self(x))` in one pass, or `nil` (the default) when this
    /// layer has no fused form for `next`; see ``callFused(_:then:)``.
    func fusedInference(_ x: Tensor, then next: Layer) -> Tensor? { nil }

    @inline(__always)
    private func prepare<C: Collection>(shapes: C) where C.Element == [Int] {
        if !built {
            let optionalShapes = shapes.map { $0.map { Optional($0) } }
            if let error = checkInputs(optionalShapes) ?? tryBuild(optionalShapes) { fatalError(error.description) }
        } else if let spec = inputSpec {
            for (i, shape) in shapes.enumerated() where i < spec.count {
                if let message = spec[i].check(shape, inputIndex: i, layer: name) { fatalError(message) }
            }
        }
    }

    // MARK: Masks

    /// Whether the layer passes a mask on to the layers after it (Keras's `supports_masking`):
    /// `computeMask(_:mask:)` gives the output's mask. A layer whose output has other time
    /// steps than its input (a `Flatten`, an RNN that returns its last output) leaves it `false`
    /// or overrides `computeMask(_:mask:)` to drop the mask.
    open var supportsMasking: Bool { false }

    /// The mask of the output for `inputs` whose mask is `mask` (Keras's `compute_mask`); the
    /// default passes `mask` on. A layer that makes a mask (``Embedding`` with `maskZero`,
    /// ``Masking``) returns it here. Only consulted when ``supportsMasking`` is true.
    open func computeMask(_ inputs: Tensor, mask: Tensor?) -> Tensor? { mask }

    /// The masks of each output for several inputs (layers with several outputs, such as an RNN
    /// returning its states, override it); the default is `computeMask(_:mask:)` of the first
    /// input, for the first output.
    open func computeMasks(_ inputs: [Tensor], masks: [Tensor?]) -> [Tensor?] {
        [computeMask(inputs[0], mask: masks.first ?? nil)]
    }

    /// The layer's computation given the mask of its input (`(batch, steps)` booleans, true =
    /// keep). Layers that read masks (RNNs, attention, pooling) override it; the default ignores
    /// the mask.
    open func call(_ inputs: Tensor, mask: Tensor?, training: Bool) -> Tensor {
        call(inputs, training: training)
    }

    /// Multi-input form of `call(_:mask:training:)`: one mask (or `nil`) per input.
    open func call(_ inputs: [Tensor], masks: [Tensor?], training: Bool) -> [Tensor] {
        if inputs.count == 1, let mask = masks.first ?? nil { return [call(inputs[0], mask: mask, training: training)] }
        return call(inputs, training: training)
    }

    /// Calls the layer on a batch whose time steps are masked (`mask`: `(batch, steps)`
    /// booleans, true = keep), as Keras does when a tensor carries a mask.
    ///
    /// ```swift
    /// let embedding = Embedding(inputDim: 10, outputDim: 4, maskZero: true)
    /// let ids = Tensor([[3, 1, 0, 0]])
    /// let lstm = LSTM(8)
    /// let h = lstm(embedding(ids), mask: embedding.computeMask(ids, mask: nil))   // skips the padding
    /// ```
    public func callAsFunction(_ x: Tensor, mask: Tensor?, training: Bool = false) -> Tensor {
        applyMasked([x], masks: [mask], training: training).outputs[0]
    }

    /// Calls the layer on tensors with their masks and returns its outputs with their masks
    /// (`nil` where the layer does not support masking or the output has none).
    public func applyMasked(_ inputs: [Tensor], masks: [Tensor?], training: Bool = false) -> (outputs: [Tensor], masks: [Tensor?]) {
        let cast = inputs.map { $0.dtype != dtype && $0.dtype.isFloatingPoint && dtype.isFloatingPoint ? $0.cast(to: dtype) : $0 }
        prepare(shapes: cast.map(\.shape))
        addedLosses.withLock { $0.removeAll() }
        let hasMask = masks.contains { $0 != nil }
        let ys = hasMask ? call(cast, masks: masks, training: training) : call(cast, training: training)
        if let activityRegularizer { recordActivityLoss(activityRegularizer, ys) }
        var outMasks = [Tensor?](repeating: nil, count: ys.count)
        if supportsMasking {
            for (i, m) in computeMasks(cast, masks: masks).prefix(ys.count).enumerated() { outMasks[i] = m }
        }
        return (ys, outMasks)
    }

    /// Calls the layer on a batch from outside the program: an input the layer cannot take (rank,
    /// axis sizes, count) is a thrown `KerasError` instead of a stop.
    ///
    /// ```swift
    /// do { let y = try model.callChecked(request) } catch { respond(400, "\(error)") }
    /// ```
    public func callChecked(_ x: Tensor, training: Bool = false) throws -> Tensor {
        let outputs = try applyChecked([x], training: training)
        guard outputs.count == 1 else {
            throw KerasError.invalidArgument("Layer \"\(name)\" returns \(outputs.count) outputs; use applyChecked(_:training:) to get them all")
        }
        return outputs[0]
    }

    /// Throwing form of ``apply(_:training:)`` for inputs from outside the program.
    public func applyChecked(_ inputs: [Tensor], training: Bool = false) throws -> [Tensor] {
        let shapes = inputs.map { $0.shape.map { Optional($0) } }
        try checkCallable(shapes)
        for (i, x) in inputs.enumerated() {
            if let problem = inputDataProblem(x, input: i) { throw problem }
        }
        if let error = tryBuild(shapes) { throw error }
        if let error = outputProblem(computeOutputShapes(shapes)) { throw error }
        return apply(inputs, training: training)
    }

    /// The error for outputs of `shapes` that the activity regularizer cannot penalize, or that
    /// (unknown sizes counted as 1) could never be allocated: more elements than an `Int` counts
    /// or more bytes than the machine's memory (a window argument or a shape from a hostile
    /// config can ask for that).
    func outputProblem(_ shapes: [[Int?]]) -> KerasError? {
        for shape in shapes {
            if let problem = activityRegularizer?.problem(forWeightShape: shape) {
                return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (\(className)): its activity regularizer cannot penalize its output of shape \(formatShape(shape)): \(problem)")
            }
            do { try Tensor.checkFitsInMemory(shape.map { $0 ?? 1 }, dtype: dtype) } catch {
                return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (\(className)) cannot produce its output of shape \(formatShape(shape)): \(error)")
            }
        }
        return nil
    }

    /// Throws unless inputs of `shapes` can be passed to this layer: its input spec, its own
    /// rules and, when unbuilt, the rules of its sublayers along the way.
    func checkCallable(_ shapes: [[Int?]]) throws {
        if let error = checkInputs(shapes) ?? validateSymbolic(shapes) { throw error }
    }

    /// Builds the layer for inputs of `inputShape` unless it is built (Keras's `layer.build`).
    /// Throws when the layer cannot take that shape.
    ///
    /// ```swift
    /// let dense = Dense(3)
    /// try dense.build([nil, 4])   // kernel (4, 3), bias (3,)
    /// ```
    public func build(_ inputShape: [Int?]) throws {
        guard !built else { return }
        if let bad = inputShape.first(where: { ($0 ?? 1) < 0 }) {
            throw KerasError.invalidArgument("Layer \"\(name)\": cannot build for shape \(formatShape(inputShape)): dimension \(bad!) is negative")
        }
        try checkCallable([inputShape])
        if let error = tryBuild([inputShape]) { throw error }
    }

    /// Builds the layer for `shapes` unless it is built; runs once even when several threads
    /// make the first call together. A weight that cannot be created (an initializer or
    /// constraint that does not fit its shape) stops with the message; ``build(_:)`` throws it.
    public func buildIfNeeded(_ shapes: [[Int?]]) {
        if let error = tryBuild(shapes) { BuildIssues.report(error) }
    }

    /// Builds the layer for `shapes` unless it is built, returning the first problem with its
    /// weights instead (the layer then stays unbuilt, without the weights of the failed build).
    func tryBuild(_ shapes: [[Int?]]) -> KerasError? {
        guard !built else { return nil }
        buildLock.lock()
        defer { buildLock.unlock() }
        guard !built else { return nil }
        let marks = (ownTrainableWeights.count, ownNonTrainableWeights.count, weightRegularizers.count)
        let issues = BuildIssues()
        BuildIssues.$current.withValue(issues) { build(inputShapes: shapes) }
        if let error = issues.first {
            ownTrainableWeights.removeSubrange(marks.0...)
            ownNonTrainableWeights.removeSubrange(marks.1...)
            weightRegularizers.removeSubrange(marks.2...)
            return error
        }
        buildShapes = shapes
        built = true
        return nil
    }

    /// The error for inputs of `shapes`, if the layer's input spec rejects them.
    public func checkInputs(_ shapes: [[Int?]]) -> KerasError? {
        guard let spec = inputSpec else { return nil }
        for (i, shape) in shapes.enumerated() where i < spec.count {
            if let message = spec[i].check(shape, inputIndex: i, layer: name) {
                return .incompatibleInput(layer: name, message: message)
            }
        }
        return nil
    }

    private func recordActivityLoss(_ regularizer: any Regularizer, _ outputs: [Tensor]) {
        let penalties = outputs.map { y in
            let batch = Double(y.rank > 0 ? y.shape[0] : 1)
            return regularizer(y) / batch
        }
        lastActivityLosses.withLock { $0 = penalties }
    }

    // MARK: Symbolic calls (functional API)

    /// Calls the layer on a symbolic tensor, recording a node of the functional graph.
    ///
    /// `training` pins the mode of this call whatever mode the model later runs in (`nil`: follow
    /// the model) — the transfer-learning idiom that keeps a frozen base (its BatchNormalization)
    /// in inference mode while the new head trains:
    ///
    /// ```swift
    /// let features = baseModel(inputs, training: false)
    /// ```
    ///
    /// Failures (an incompatible shape) are carried by the returned tensor and thrown when the
    /// model is created, naming the layer.
    public func callAsFunction(_ x: KerasTensor, training: Bool? = nil) -> KerasTensor {
        let outputs = applySymbolic([x], training: training)
        require(outputs.count == 1, "Layer \"\(name)\" returns \(outputs.count) outputs; call applySymbolic(_:) to get them all")
        return outputs[0]
    }

    /// Calls the layer on several symbolic tensors, returning all its outputs; `training` as in
    /// ``callAsFunction(_:training:)-(KerasTensor,_)``.
    public func applySymbolic(_ inputs: [KerasTensor], training: Bool? = nil) -> [KerasTensor] {
        if let error = inputs.lazy.compactMap(\.error).first {
            return [KerasTensor(shape: [], dtype: dtype, node: nil, error: error)]
        }
        let shapes = inputs.map(\.shape)
        if let error = checkInputs(shapes) ?? validateSymbolic(shapes) {
            return [KerasTensor(shape: [], dtype: dtype, node: nil, error: error)]
        }
        if let error = tryBuild(shapes) { return [KerasTensor(shape: [], dtype: dtype, node: nil, error: error)] }
        let outputShapes = computeOutputShapes(shapes)
        if let error = outputProblem(outputShapes) { return [KerasTensor(shape: [], dtype: dtype, node: nil, error: error)] }
        let node = Node(layer: self, inputs: inputs, nodeIndex: nodeCount, training: training)
        nodeCount += 1
        nodeRefs.append(WeakBox(node))
        let outputDType = outputDType(inputs.map(\.dtype))
        let outputs = outputShapes.enumerated().map { KerasTensor(shape: $1, dtype: outputDType, node: node, tensorIndex: $0) }
        node.setOutputs(outputs)
        return outputs
    }

    /// Extra checks before a symbolic call (shape rules a layer can state without an input
    /// spec). The default accepts everything.
    open func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? { nil }

    /// Checks the values of outside data that reaches this layer directly from a model input
    /// (`fit`, `evaluate`, `predict` and the `…OnBatch` calls run it on every batch before the
    /// model sees it), for layers whose call would otherwise stop on bad values: an
    /// ``Embedding`` checks its ids. The default accepts everything.
    open func validateInputData(_ data: Tensor) -> KerasError? { nil }

    /// What the layers reading input `index` find wrong with its values `data`: this layer's
    /// ``validateInputData(_:)`` (a model asks each layer that input reaches).
    func inputDataProblem(_ data: Tensor, input index: Int) -> KerasError? { validateInputData(data) }

    /// The dtype of outputs for inputs of these dtypes; the default is the layer's dtype.
    open func outputDType(_ inputDTypes: [DType]) -> DType { dtype }

    func registerNode(_ node: Node) { nodeRefs.append(WeakBox(node)) }

    /// The live nodes (symbolic calls) of this layer, in call order.
    var inboundNodes: [Node] { nodeRefs.compactMap(\.value) }

    /// The symbolic input of the layer's first call (Keras's `layer.input`).
    public var input: KerasTensor? { inboundNodes.first?.inputs.first }
    /// The symbolic output of the layer's first call (Keras's `layer.output`).
    public var output: KerasTensor? { inboundNodes.first?.outputs.first }

    /// The input shape the layer was built with or first called on (Keras's `layer.input_shape`).
    ///
    /// - Throws: `KerasError` when the layer has never been built or called.
    public var inputShape: Shape {
        get throws {
            guard let shape = inboundNodes.first?.inputs.first?.shape ?? buildShapes?.first else {
                throw KerasError.invalidArgument("The layer \(name) has never been called and thus has no defined input shape.")
            }
            return Shape(shape)
        }
    }

    /// The output shape for ``inputShape`` (Keras's `layer.output_shape`).
    ///
    /// - Throws: `KerasError` when the layer has never been built or called.
    public var outputShape: Shape {
        get throws {
            if let node = inboundNodes.first, let out = node.outputs.first { return Shape(out.shape) }
            guard built, let shapes = buildShapes, let shape = computeOutputShapes(shapes).first else {
                throw KerasError.invalidArgument("The layer \(name) has never been called and thus has no defined output shape.")
            }
            return Shape(shape)
        }
    }

    /// Keras's repr: `<Dense name=dense, built=True>`.
    public var description: String { "<\(className) name=\(name), built=\(built ? "True" : "False")>" }
}

/// What a layer accepts (Keras's `InputSpec`): a rank (exact or minimum) and fixed axis sizes.
public struct InputSpec: Sendable, Equatable {
    /// The `rank` this `InputSpec` was created with.
    public var rank: Int?
    /// The `minRank` this `InputSpec` was created with.
    public var minRank: Int?
    /// Axis (negative counts from the end) → required size.
    public var axes: [Int: Int] { didSet { axisList = axes.sorted { $0.key < $1.key } } }
    /// `axes` as an array, so the per-call check does not walk a dictionary.
    private var axisList: [(key: Int, value: Int)]

    /// A full expected shape (`nil` = any size), reported whole on mismatch.
    public private(set) var shape: [Int?]?

    /// A spec requiring an exact `rank`, a minimum rank, and sizes for some axes.
    public init(rank: Int? = nil, minRank: Int? = nil, axes: [Int: Int] = [:]) {
        self.rank = rank
        self.minRank = minRank
        self.axes = axes
        self.axisList = axes.sorted { $0.key < $1.key }
    }

    /// Expects inputs of exactly `shape` where sizes are known (Keras's `InputSpec(shape=…)`).
    public init(shape: [Int?]) {
        var axes: [Int: Int] = [:]
        for (i, d) in shape.enumerated() { if let d { axes[i] = d } }
        self.init(rank: shape.count, axes: axes)
        self.shape = shape
    }

    /// Whether the two values are equal.
    public static func == (a: InputSpec, b: InputSpec) -> Bool {
        a.rank == b.rank && a.minRank == b.minRank && a.axes == b.axes && a.shape == b.shape
    }

    /// Keras's message if `shape` violates the spec, else nil.
    func check<S: Collection>(_ shape: S, inputIndex: Int, layer: String) -> String? where S.Element == Int? {
        let r = shape.count
        if let expected = self.shape {
            let matches = r == expected.count && zip(expected, shape).allSatisfy { e, d in e == nil || d == nil || e == d }
            return matches ? nil : "Input \(inputIndex) of layer \"\(layer)\" is incompatible with the layer: expected shape=\(formatShape(expected)), found shape=\(formatShape(Array(shape)))"
        }
        if let rank, r != rank {
            return "Input \(inputIndex) of layer \"\(layer)\" is incompatible with the layer: expected ndim=\(rank), found ndim=\(r). Full shape received: \(formatShape(Array(shape)))"
        }
        if let minRank, r < minRank {
            return "Input \(inputIndex) of layer \"\(layer)\" is incompatible with the layer: expected min_ndim=\(minRank), found ndim=\(r). Full shape received: \(formatShape(Array(shape)))"
        }
        for (axis, value) in axisList {
            let a = axis < 0 ? r + axis : axis
            guard a >= 0, a < r else { continue }
            let dim = shape[shape.index(shape.startIndex, offsetBy: a)]
            if let dim, dim != value {
                return KerasError.axisMismatch(layer: layer, inputIndex: inputIndex, axis: axis, expected: value, received: Array(shape)).description
            }
        }
        return nil
    }

    @inline(__always)
    func check(_ shape: [Int], inputIndex: Int, layer: String) -> String? {
        // Fast path: every rule holds (the common case on each call).
        let r = shape.count
        var ok = (rank == nil || rank == r) && (minRank == nil || r >= minRank!)
        if ok {
            for (axis, value) in axisList {
                let a = axis < 0 ? r + axis : axis
                if a >= 0 && a < r && shape[a] != value { ok = false; break }
            }
        }
        return ok ? nil : check(shape.map { Optional($0) }, inputIndex: inputIndex, layer: layer)
    }
}

/// Keras 3's serialized `DTypePolicy` for a layer's `dtype` config entry.
func dtypePolicyConfig(_ dtype: DType) -> ConfigValue {
    .object(["module": "keras", "class_name": "DTypePolicy", "config": ["name": .string(dtype.rawValue)], "registered_name": nil])
}
