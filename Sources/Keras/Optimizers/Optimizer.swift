import CKernels
import Foundation
import KerasCore

/// Scalars the fused optimizer kernels run on: `Float` and `Double` (the trainable dtypes).
public protocol OptimizerFloat: BinaryFloatingPoint, TensorScalar {}
extension Float: OptimizerFloat {}
extension Double: OptimizerFloat {}

/// The base of every optimizer (`keras.optimizers.Optimizer`).
///
/// ``apply(_:to:)`` runs Keras's step: gradient clipping (`clipnorm`, else `globalClipnorm`, else
/// `clipvalue`) → decoupled weight decay `θ −= θ·wd·lr` → the optimizer's update → with
/// ``useEMA``, the moving averages (and every ``emaOverwriteFrequency`` steps the weights replaced
/// by them) → each variable's `constraint` → `iterations += 1`. Slot variables (momentums,
/// velocities, …) are created lazily the first time a variable is seen. Each update is one loop over the raw buffers, clipping and
/// decay included, in C compiled for the CPU's widest vectors (`Sources/CKernels/optimizers.c`),
/// split across the cores for large variables. Within an update, subnormal floats (below
/// `Float.leastNormalMagnitude`) count as zero, as TensorFlow and XLA compute on CPU: a momentum
/// that decays toward zero becomes 0.
///
/// Arguments are checked as Keras checks them (`SGD(momentum: 5)` stops with "SGD: `momentum`
/// must be in [0, 1], received 5.0"), plus what Keras lets through but cannot train with: NaN,
/// infinite or negative rates and epsilons, betas outside their range. The initializers stop
/// with that message; ``deserializeOptimizer(_:)`` throws it as `KerasError.invalidConfig`.
///
/// ```swift
/// let optimizer = Adam(learningRate: 0.01)
/// let w = Variable(Tensor([1.0, 2.0]))
/// let (_, grads) = valueWithGradients(of: [w]) { (w.value * w.value).sum() }
/// optimizer.apply(grads, to: [w])
/// optimizer.iterations   // 1
/// ```
open class Optimizer: @unchecked Sendable {
    /// The optimizer's name (`"adam"`), the prefix of its slot variables in saved files.
    public var name: String
    /// Decoupled weight decay (`nil`: none).
    public var weightDecay: Double?
    /// Clip each gradient to this L2 norm.
    public var clipnorm: Double?
    /// Clip each gradient element to `[-clipvalue, clipvalue]`.
    public var clipvalue: Double?
    /// Clip all gradients together to this global L2 norm.
    public var globalClipnorm: Double?
    /// The schedule giving the learning rate at each iteration, when one is used.
    public var learningRateSchedule: (any LearningRateSchedule)?

    /// The step counter (Keras's `iteration` variable; int32 as Keras 3 saves it on JAX).
    public let iterationVariable: Variable
    /// The learning rate as a float32 variable (Keras's `learning_rate`; unused with a schedule).
    public let learningRateVariable: Variable

    /// Keep an exponential moving average of the trained variables (Keras's `use_ema`): after
    /// each step `average = m·average + (1 − m)·θ` with `m` = ``emaMomentum`` (0 on the first
    /// step); `fit` ends by copying the averages into the model's trainable variables
    /// (``finalizeVariableValues(_:)``). Setting it after the first step starts the averages from
    /// the weights of the next step. The averages are optimizer variables (saved after
    /// `learning_rate`, before the slots, as Keras saves them). Stops with a message if
    /// ``emaMomentum`` or ``emaOverwriteFrequency`` is out of range.
    ///
    /// ```swift
    /// let optimizer = Adam(learningRate: 0.01)
    /// optimizer.useEMA = true                  // Keras: Adam(use_ema=True, ema_momentum=0.99)
    /// optimizer.emaOverwriteFrequency = 100    // weights ← averages every 100 steps
    /// try model.compile(optimizer: optimizer, loss: "mse")
    /// ```
    public var useEMA: Bool = false {
        didSet { requireValid { try Self.validate(emaMomentum: emaMomentum, emaOverwriteFrequency: emaOverwriteFrequency) } }
    }
    /// The momentum of the moving averages, in [0, 1] (Keras's `ema_momentum`, 0.99).
    public var emaMomentum: Double = 0.99 {
        didSet { requireValid { try Self.validate(emaMomentum: emaMomentum, emaOverwriteFrequency: emaOverwriteFrequency) } }
    }
    /// Every this many steps the trained variables are overwritten with their moving averages
    /// (Keras's `ema_overwrite_frequency`); `nil` (or 0, as Keras treats it): never during training.
    public var emaOverwriteFrequency: Int? = nil {
        didSet { requireValid { try Self.validate(emaMomentum: emaMomentum, emaOverwriteFrequency: emaOverwriteFrequency) } }
    }

    private var slotsByVariable: [ObjectIdentifier: [Variable]] = [:]
    /// Per model variable, the sizes of its slot groups (``slotLayout(for:)``).
    private var slotGroupSizes: [ObjectIdentifier: [Int]] = [:]
    private var averagesByVariable: [ObjectIdentifier: Variable] = [:]
    private var knownVariables: [Variable] = []
    /// Whether slots exist yet (Keras builds the optimizer on the first training step).
    public var isBuilt: Bool { !knownVariables.isEmpty }
    private var excludedFromDecay: Set<ObjectIdentifier> = []
    private var excludedNamePatterns: [String] = []

    /// Creates the shared state; subclasses pass their Keras defaults.
    ///
    /// Stops with a message unless the learning rate and `weightDecay` are finite and ≥ 0, the
    /// clip thresholds ≥ 0, and at most one of `clipnorm`, `clipvalue`, `globalClipnorm` is set.
    public init(learningRate: any LearningRateConvertible, name: String, weightDecay: Double? = nil,
                clipnorm: Double? = nil, clipvalue: Double? = nil, globalClipnorm: Double? = nil) {
        let rate = learningRate.learningRate
        requireValid {
            try Self.validate(learningRate: rate, weightDecay: weightDecay, clipnorm: clipnorm,
                              clipvalue: clipvalue, globalClipnorm: globalClipnorm)
        }
        self.name = name
        self.weightDecay = weightDecay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.globalClipnorm = globalClipnorm
        self.iterationVariable = Variable(Tensor(Int32(0)), name: "iteration", trainable: false)
        switch rate {
        case .constant(let lr):
            learningRateVariable = Variable(Tensor(Float(lr)), name: "learning_rate", trainable: false)
        case .schedule(let s):
            learningRateSchedule = s
            learningRateVariable = Variable(Tensor(Float(0)), name: "learning_rate", trainable: false)
        }
    }

    /// The arguments every optimizer takes, checked as the initializer and the config path
    /// check them (throws `KerasError.invalidArgument`).
    static func validate(learningRate: LearningRate, weightDecay: Double?, clipnorm: Double?,
                         clipvalue: Double?, globalClipnorm: Double?) throws {
        let owner = className
        if case .constant(let lr) = learningRate { try ArgumentCheck.nonNegative(lr, "learning_rate", of: owner) }
        if let weightDecay { try ArgumentCheck.nonNegative(weightDecay, "weight_decay", of: owner) }
        let clips = [("clipnorm", clipnorm), ("clipvalue", clipvalue), ("global_clipnorm", globalClipnorm)]
        for case let (key, value?) in clips { try ArgumentCheck.nonNegative(value, key, of: owner) }
        if clips.filter({ $0.1 != nil }).count > 1 {
            throw KerasError.invalidArgument("\(owner): only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set, received "
                + clips.map { "\($0.0)=\($0.1.map { "\($0)" } ?? "None")" }.joined(separator: ", "))
        }
    }

    /// The moving-average options: `ema_momentum` in [0, 1]; `ema_overwrite_frequency` `nil` or
    /// an integer in 0...Int32.max (0 never overwrites, as in Keras). Keras checks them only
    /// with `use_ema`; they are checked always here, so that turning ``useEMA`` on is always safe.
    static func validate(emaMomentum: Double, emaOverwriteFrequency: Int?) throws {
        try ArgumentCheck.within(0...1, emaMomentum, "ema_momentum", of: className, "[0, 1]")
        if let f = emaOverwriteFrequency {
            try ArgumentCheck.atLeast(0, f, "ema_overwrite_frequency", of: className)
            try ArgumentCheck.atMost(Int(Int32.max), f, "ema_overwrite_frequency", of: className)
        }
    }

    /// Keras's class name, the `class_name` of saved configs; each subclass overrides it.
    ///
    /// ```swift
    /// SGD.className                 // "SGD"
    /// try Optimizer.named("adamw").className   // "AdamW" (the instance reads its type's name)
    /// ```
    open class var className: String { "Optimizer" }
    /// Keras's class name of this optimizer's type (`SGD().className == SGD.className`).
    public var className: String { Self.className }

    /// The optimizer's slot variables per model variable, in Keras's creation order: each inner
    /// list is created together, per variable (Adam: `[["momentum", "velocity"], ["velocity_hat"]]`).
    open var slotGroups: [[String]] { [] }

    /// The starting value of a slot (Adagrad's accumulator starts at `initialAccumulatorValue`).
    open func initialValue(ofSlot slot: String) -> Double { 0 }

    /// The slot variables of `variable`, in groups as ``slotGroups`` describes them: by default
    /// each slot named `<variable>_<slot>`, of the variable's shape and dtype, starting at
    /// ``initialValue(ofSlot:)``. Optimizers whose slots differ per variable override it
    /// (Adafactor keeps row and column statistics of other shapes).
    open func slotLayout(for variable: Variable) -> [[OptimizerSlot]] {
        slotGroups.map { group in
            group.map { OptimizerSlot(name: "\(variable.name)_\($0)", shape: variable.shape, dtype: variable.dtype,
                                      initialValue: initialValue(ofSlot: $0)) }
        }
    }

    /// Optimizer-level variables appended after the slots (Nadam's running product).
    open var extraVariables: [Variable] { [] }

    /// Called once per `apply(_:to:)` before the per-variable updates, with the 1-based step.
    open func prepareStep(step: Int) {}

    /// Updates one variable. `context` holds the (clipped) gradient, the slots and the scalars;
    /// implementations call ``StepContext/run(_:slotCount:_:)`` with their fused loop.
    open func update(_ context: inout StepContext) {
        fatalError("\(className).update(_:) must be overridden")
    }

    /// Optimizer-specific config keys (merged over the base keys).
    open func optimizerConfig() -> Config { [:] }

    // MARK: - State

    /// The current step count.
    public var iterations: Int {
        get { Int(iterationVariable.value.item(as: Int64.self)) }
        set { iterationVariable.assign(Tensor(Int32(newValue))) }
    }

    /// The learning rate now: the schedule's value at ``iterations``, or the float32 variable.
    public var learningRate: Double {
        get {
            if let s = learningRateSchedule { return s(step: iterations) }
            return Double(learningRateVariable.value.item(as: Float.self))
        }
        set {
            learningRateSchedule = nil
            learningRateVariable.assign(Tensor(Float(newValue)))
        }
    }

    /// Every variable the optimizer owns, in Keras's order: `iteration`, `learning_rate` (absent
    /// with a schedule), with ``useEMA`` the moving average of each model variable, then the
    /// slots of each group for each model variable, then extras.
    public var variables: [Variable] {
        var out = [iterationVariable]
        if learningRateSchedule == nil { out.append(learningRateVariable) }
        if useEMA { out += knownVariables.compactMap { averagesByVariable[ObjectIdentifier($0)] } }
        let groupCount = slotGroupSizes.values.map(\.count).max() ?? 0
        for group in 0..<groupCount {
            for v in knownVariables {
                let key = ObjectIdentifier(v)
                guard let slots = slotsByVariable[key], let sizes = slotGroupSizes[key], group < sizes.count else { continue }
                let offset = sizes[..<group].reduce(0, +)
                out.append(contentsOf: slots[offset..<offset + sizes[group]])
            }
        }
        return out + extraVariables
    }

    /// The slots of `variable` (flattened groups), creating them on first use (with ``useEMA``,
    /// its moving average too).
    public func slots(for variable: Variable) -> [Variable] {
        let key = ObjectIdentifier(variable)
        if let s = slotsByVariable[key] { return s }
        let layout = slotLayout(for: variable)
        let s = layout.flatMap { group in
            group.map { Variable(.full($0.shape, $0.initialValue, dtype: $0.dtype), name: $0.name, trainable: false) }
        }
        slotsByVariable[key] = s
        slotGroupSizes[key] = layout.map(\.count)
        knownVariables.append(variable)
        if useEMA { _ = movingAverage(of: variable) }
        return s
    }

    /// The moving average of `variable` (``useEMA``), created (zeros, as Keras) on first use.
    public func movingAverage(of variable: Variable) -> Variable {
        let key = ObjectIdentifier(variable)
        if let a = averagesByVariable[key] { return a }
        let a = Variable(.zeros(variable.shape, dtype: variable.dtype), name: "\(variable.name)_average", trainable: false)
        averagesByVariable[key] = a
        return a
    }

    /// Creates the slots of `variables` now (Keras's `optimizer.build`).
    public func build(_ variables: [Variable]) {
        for v in variables { _ = slots(for: v) }
    }

    /// Keras's `finalize_variable_values`, which `fit` calls when it ends: with ``useEMA``, each
    /// of `variables` that has a moving average takes its value; otherwise nothing changes.
    ///
    /// ```swift
    /// let optimizer = Adam(learningRate: 0.01)
    /// optimizer.useEMA = true
    /// optimizer.apply(grads, to: model.trainableVariables)
    /// optimizer.finalizeVariableValues(model.trainableVariables)   // weights = their averages
    /// ```
    public func finalizeVariableValues(_ variables: [Variable]) {
        guard useEMA else { return }
        withoutRecording {
            for v in variables {
                if let a = averagesByVariable[ObjectIdentifier(v)] { v.assign(a.value) }
            }
        }
    }

    /// After a step's updates (before constraints, as Keras): the moving averages, then every
    /// ``emaOverwriteFrequency`` steps the variables replaced by them. `step` is 1-based.
    func updateMovingAverages(step: Int) {
        guard useEMA else { return }
        for v in knownVariables {
            // An average created now (``useEMA`` turned on after the slots) starts at the weights.
            let fresh = averagesByVariable[ObjectIdentifier(v)] == nil
            let average = movingAverage(of: v)
            // Keras: m = cast(iterations != 0, dtype) · ema_momentum, then 1 − m, in the variable's dtype.
            let m = step == 1 || fresh ? 0 : (v.dtype == .float64 ? emaMomentum : Double(Float(emaMomentum)))
            let rest = v.dtype == .float64 ? 1 - m : Double(1 - Float(m))
            average.assign(average.value * m + v.value * rest)
        }
        if let f = emaOverwriteFrequency, f > 0, step % f == 0 {
            for v in knownVariables { v.assign(movingAverage(of: v).value) }
        }
    }

    /// Keeps `variables`, and variables whose name contains one of `names`, out of weight decay.
    public func excludeFromWeightDecay(variables: [Variable] = [], names: [String] = []) {
        excludedFromDecay = Set(variables.map(ObjectIdentifier.init))
        excludedNamePatterns = names
    }

    func usesWeightDecay(_ v: Variable) -> Bool {
        if excludedFromDecay.contains(ObjectIdentifier(v)) { return false }
        return !excludedNamePatterns.contains { v.name.contains($0) }
    }

    // MARK: - The step

    /// Applies one step of `gradients` to `variables` (Keras's `optimizer.apply`).
    ///
    /// Stops with a message when the counts or a gradient's shape do not match the variables
    /// (a programming error). Like Keras, NaN or infinite gradients are applied as they are;
    /// use `TerminateOnNaN` or clipping to guard training.
    public func apply(_ gradients: [Tensor], to variables: [Variable]) {
        require(gradients.count == variables.count,
                "\(className).apply: got \(gradients.count) gradients for \(variables.count) variables")
        if gradients.isEmpty { return }
        for (g, v) in zip(gradients, variables) {
            require(g.shape == v.shape,
                    "\(className).apply: gradient of shape \(formatShape(g.shape)) for variable '\(v.name)' of shape \(formatShape(v.shape))")
        }
        withoutRecording {
            let step = iterations + 1
            let lr = learningRate
            var scales = [Double](repeating: 1, count: gradients.count)
            if let c = clipnorm, c > 0 {
                for (i, g) in gradients.enumerated() {
                    let norm = sumOfSquares(g).squareRoot()
                    scales[i] = c / Swift.max(norm, c)
                }
            } else if let c = globalClipnorm, c > 0 {
                let norm = gradients.reduce(0) { $0 + sumOfSquares($1) }.squareRoot()
                let s = c * Swift.min(1 / norm, 1 / c) + (norm - norm)
                scales = scales.map { _ in s }
            }
            let clip = (clipnorm ?? 0) > 0 || (globalClipnorm ?? 0) > 0 ? Double.infinity : (clipvalue.map { $0 > 0 ? $0 : .infinity } ?? .infinity)
            prepareStep(step: step)
            for (i, (g, v)) in zip(gradients, variables).enumerated() {
                let decay = (weightDecay.map { $0 * lr } ?? 0) * (weightDecay != nil && usesWeightDecay(v) ? 1 : 0)
                var context = StepContext(variable: v, gradient: g.dtype == v.dtype ? g : g.cast(to: v.dtype),
                                          slots: slots(for: v), learningRate: lr, step: step,
                                          gradientScale: scales[i], clipValue: clip, decay: decay)
                update(&context)
            }
            updateMovingAverages(step: step)
            for v in variables {
                if let constraint = v.constraint { v.assign(constraint(v.value)) }
            }
            iterations = step
        }
    }

    private func sumOfSquares(_ g: Tensor) -> Double {
        switch g.dtype {
        case .float32: g.withUnsafeBufferPointer(of: Float.self) { Double(vectorSumOfSquares($0, lanes: SIMD16<Float>.self)) }
        case .float64: g.withUnsafeBufferPointer(of: Double.self) { vectorSumOfSquares($0, lanes: SIMD8<Double>.self) }
        default: sumOfSquares(g.cast(to: .float32))
        }
    }

    // MARK: - Config

    /// Keras's config: base keys plus the optimizer's own (`learning_rate` rounded to float32, or
    /// the serialized schedule).
    public func getConfig() -> Config {
        let lr: ConfigValue = learningRateSchedule.map { $0.serialize() }
            ?? .double(Double(learningRateVariable.value.item(as: Float.self)))
        var config: Config = [
            "name": .string(name), "learning_rate": lr, "weight_decay": ConfigValue(weightDecay),
            "clipnorm": ConfigValue(clipnorm), "global_clipnorm": ConfigValue(globalClipnorm),
            "clipvalue": ConfigValue(clipvalue), "use_ema": .bool(useEMA), "ema_momentum": .double(emaMomentum),
            "ema_overwrite_frequency": emaOverwriteFrequency.map { .int($0) } ?? .null,
            "loss_scale_factor": nil, "gradient_accumulation_steps": nil,
        ]
        config.merge(optimizerConfig()) { $1 }
        return config
    }

    /// `{"module": "keras.optimizers", "class_name": …, "config": …}`.
    public func serialize() -> ConfigValue {
        .serialized(module: "keras.optimizers", className: className, config: getConfig())
    }
}

/// What one variable's update reads: the gradient, the slots and the step's scalars.
public struct StepContext {
    /// The model variable being updated.
    public let variable: Variable
    /// The gradient, already in the variable's dtype (clipping is applied inside ``run(_:slotCount:_:)``).
    public let gradient: Tensor
    /// The variable's slots, flattened in ``Optimizer/slotGroups`` order.
    public let slots: [Variable]
    /// The learning rate of this step.
    public let learningRate: Double
    /// The 1-based step number (`iterations + 1`).
    public let step: Int
    let gradientScale: Double
    let clipValue: Double
    let decay: Double
    /// When set, ``runKernel(_:_:slotCount:_:)`` records its rule here instead of running it
    /// (``Optimizer/applyInPlace(_:to:pieces:)`` runs it later over the variable's own buffers).
    var capture: CapturedRule? = nil

    /// Runs a fused update over raw buffers and assigns the results.
    ///
    /// `body` receives the range of element indices and a ``FusedBuffers`` whose `grad(i)` is the
    /// clipped gradient and `param(i)` the weight-decayed weight; for every index in the range it
    /// must write `newParam[i]` and `slotOut[k][i]` for the first `slotCount` slots (others are
    /// left unchanged).
    @inline(__always)
    public func run<T: OptimizerFloat>(_ type: T.Type, slotCount: Int, _ body: (Range<Int>, FusedBuffers<T>) -> Void) {
        execute(T.self, slotIndices: Array(0..<slotCount), split: true, body)
    }

    /// Runs an update that needs the whole variable at once (norms, row and column means), on
    /// one thread, and assigns the results.
    ///
    /// `body` receives the variable's element count `n` and a ``FusedBuffers`` as in
    /// ``run(_:slotCount:_:)``, whose `slotIn[k]` and `slotOut[k]` are the slots at
    /// `slotIndices[k]` (each of its own shape); it must write `newParam[i]` for every `i < n` and
    /// every element of each `slotOut[k]`. Other slots are left unchanged.
    ///
    /// ```swift
    /// // Inside an optimizer's `update(_:)`: θ −= lr·g·‖θ‖ (no slots).
    /// context.runWhole(Float.self, slotIndices: []) { n, b in
    ///     var sum: Float = 0
    ///     for i in 0..<n { sum += b.param(i) * b.param(i) }
    ///     for i in 0..<n { b.newParam[i] = b.param(i) - 0.01 * b.grad(i) * sum.squareRoot() }
    /// }
    /// ```
    public func runWhole<T: OptimizerFloat>(_ type: T.Type, slotIndices: [Int], _ body: (Int, FusedBuffers<T>) -> Void) {
        execute(T.self, slotIndices: slotIndices, split: false) { range, buffers in body(range.count, buffers) }
    }

    @inline(__always)
    private func execute<T: OptimizerFloat>(_ type: T.Type, slotIndices: [Int], split: Bool,
                                            _ body: (Range<Int>, FusedBuffers<T>) -> Void) {
        let n = variable.shape.reduce(1, *)
        let param = variable.value
        let slotValues = slotIndices.map { slots[$0].value }
        var slotOut: [Tensor] = []
        var outPointers: [UnsafeMutablePointer<T>] = []
        for k in slotIndices {
            var p: UnsafeMutablePointer<T>? = nil
            slotOut.append(Tensor(shape: slots[k].shape, dtype: T.dtype) { (b: UnsafeMutableBufferPointer<T>) in p = b.baseAddress })
            outPointers.append(p!)
        }
        var newParamPointer: UnsafeMutablePointer<T>? = nil
        let newParam = Tensor(shape: variable.shape, dtype: T.dtype) { (b: UnsafeMutableBufferPointer<T>) in newParamPointer = b.baseAddress }
        withExtendedLifetime((param, gradient, slotValues)) {
            let buffers = FusedBuffers<T>(
                p: param.withUnsafeBufferPointer(of: T.self) { $0.baseAddress! },
                g: gradient.withUnsafeBufferPointer(of: T.self) { $0.baseAddress! },
                slotIn: slotValues.map { $0.withUnsafeBufferPointer(of: T.self) { $0.baseAddress! } },
                slotOut: outPointers, newParam: newParamPointer!,
                scale: T(gradientScale), clip: T(clipValue), decay: T(decay))
            let pieces = split && n >= parallelThreshold ? availableCoreCount : 1
            if pieces == 1 { body(0..<n, buffers); return }
            let size = (n + pieces - 1) / pieces
            forEachConcurrently(pieces) { piece in
                let lo = piece * size, hi = Swift.min(n, lo + size)
                if lo < hi { body(lo..<hi, buffers) }
            }
        }
        variable.assign(newParam)
        for (k, t) in zip(slotIndices, slotOut) { slots[k].assign(t) }
    }
}

/// One slot variable of an optimizer (``Optimizer/slotLayout(for:)``): its name, shape, dtype
/// and starting value.
///
/// ```swift
/// let slot = OptimizerSlot(name: "kernel_momentum", shape: [3, 4], dtype: .float32)
/// ```
public struct OptimizerSlot: Sendable, Equatable {
    /// The variable's name (`"kernel_momentum"`).
    public var name: String
    /// Its shape.
    public var shape: [Int]
    /// Its dtype.
    public var dtype: DType
    /// The value every element starts at.
    public var initialValue: Double

    /// A slot of `shape` and `dtype` whose elements start at `initialValue`.
    public init(name: String, shape: [Int], dtype: DType, initialValue: Double = 0) {
        (self.name, self.shape, self.dtype, self.initialValue) = (name, shape, dtype, initialValue)
    }
}

/// Elements from which an update is split across the cores. Measured with `keras-bench
/// optimizers` run with `KERAS_OPTIMIZER_SPLIT` (this threshold) at 16K and at 512K, on 2
/// cores: since the worker pool (spinning workers, no wake-up) splitting Adam gains 45% at 64K
/// elements, 55% at 128K and 70% at 256K; at 16K it is within noise (±20%), so the split starts
/// at 32K. (With dispatch wake-ups one thread had been as fast up to 256K.)
let parallelThreshold = ProcessInfo.processInfo.environment["KERAS_OPTIMIZER_SPLIT"].flatMap { Int($0) } ?? (1 << 15)

extension StepContext {
    /// Runs the C update rule `kind` (see `ckernels.h`) with its scalars `k`, rounded to `T`
    /// as the Swift formulas round them, over the first `slotCount` slots.
    func runKernel<T: OptimizerFloat>(_: T.Type, _ kind: keras_optimizer_kind, slotCount: Int, _ k: [T]) {
        require(k.count <= 8, "runKernel: at most 8 scalars")
        let scalars = k.map { Double($0) } + [Double](repeating: 0, count: 8 - k.count)
        if let capture {
            (capture.kind, capture.slotCount, capture.scalars) = (kind, slotCount, scalars)
            return
        }
        run(T.self, slotCount: slotCount) { range, b in
            let stride = MemoryLayout<T>.stride, lo = range.lowerBound
            func input(_ k: Int) -> UnsafeRawPointer? { k < b.slotIn.count ? UnsafeRawPointer(b.slotIn[k] + lo) : nil }
            func output(_ k: Int) -> UnsafeMutableRawPointer? { k < b.slotOut.count ? UnsafeMutableRawPointer(b.slotOut[k] + lo) : nil }
            var args = keras_optimizer_args(
                n: range.count, f64: stride == 8 ? 1 : 0,
                p: UnsafeRawPointer(b.p + lo), g: UnsafeRawPointer(b.g + lo),
                slot: (input(0), input(1), input(2)),
                p_out: UnsafeMutableRawPointer(b.newParam + lo),
                slot_out: (output(0), output(1), output(2)),
                scale: Double(b.scale), clip: Double(b.clip), decay: Double(b.decay),
                k: (scalars[0], scalars[1], scalars[2], scalars[3], scalars[4], scalars[5], scalars[6], scalars[7]))
            keras_optimizer_update(kind, &args)
        }
    }
}

/// Raw pointers and scalars for a fused optimizer loop (see ``StepContext/run(_:slotCount:_:)``).
public struct FusedBuffers<T: OptimizerFloat> {
    /// The parameter's current values.
    public let p: UnsafePointer<T>
    /// The gradient.
    public let g: UnsafePointer<T>
    /// The slot variables' current values (momentums, velocities, …).
    public let slotIn: [UnsafePointer<T>]
    /// Where the slot variables' new values go.
    public let slotOut: [UnsafeMutablePointer<T>]
    /// Where the parameter's new values go.
    public let newParam: UnsafeMutablePointer<T>
    /// The factor of the gradient (gradient accumulation and loss scaling).
    public let scale: T
    /// The clip value of each gradient element (`clipvalue`), or infinity.
    public let clip: T
    /// The weight decay factor of this step.
    public let decay: T

    /// `true` when ``grad(_:)`` and ``param(_:)`` are the raw gradient and weight (no scaling,
    /// clipping or decay), so a kernel may read `g` and `p` directly.
    public var isPlain: Bool { scale == 1 && clip == .infinity && decay == 0 }
    /// The clipped gradient at `i`.
    @inline(__always) public func grad(_ i: Int) -> T { Swift.min(Swift.max(g[i] * scale, -clip), clip) }
    /// The weight at `i` after decoupled weight decay.
    @inline(__always) public func param(_ i: Int) -> T { p[i] - p[i] * decay }
}

extension OptimizerFloat {
    /// `√self` for the non-negative accumulators optimizers keep. Clamping at 0 first lets LLVM
    /// use the vector square-root instruction (a plain `squareRoot()` compiles to a libm call
    /// that blocks vectorization); NaN still propagates.
    @inline(__always) public var vectorizableSquareRoot: Self { Swift.max(self, 0).squareRoot() }
}

/// `Σ x²` with vector accumulators (a scalar running sum cannot be vectorized).
@inline(__always)
func vectorSumOfSquares<V: SIMD>(_ x: UnsafeBufferPointer<V.Scalar>, lanes: V.Type) -> V.Scalar where V.Scalar: OptimizerFloat {
    let n = x.count, width = V.scalarCount
    guard let base = x.baseAddress, n > 0 else { return 0 }
    let raw = UnsafeRawPointer(base)
    var acc = V()
    var i = 0
    while i + width <= n {
        let v = raw.loadUnaligned(fromByteOffset: i * MemoryLayout<V.Scalar>.stride, as: V.self)
        acc += v * v
        i += width
    }
    var total = acc.sum()
    while i < n { total += x[i] * x[i]; i += 1 }
    return total
}
