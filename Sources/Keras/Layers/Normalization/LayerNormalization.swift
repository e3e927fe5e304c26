/// Normalizes each sample over its feature axes (`keras.layers.LayerNormalization`):
/// `γ · (x − mean) / √(variance + ε) + β`, with the mean and (biased) variance taken over `axis`
/// for every sample separately, and `γ` (`gamma`), `β` (`beta`) learned per feature.
///
/// ```swift
/// let norm = LayerNormalization()            // axis -1, epsilon 1e-3
/// let y = norm(Tensor([[1.0, 2.0, 3.0]]))    // ≈ [[-1.2238, 0, 1.2238]]
/// ```
///
/// `rmsScaling` (deprecated in Keras) skips the centering and `beta`: `γ · x / √(variance + ε)`.
public final class LayerNormalization: Layer, @unchecked Sendable {
    public override class var isStatelessInInference: Bool { true }
    /// The normalized axes (negative counts from the end).
    public let axis: [Int]
    /// Whether `axis` was given as a list (Keras writes a list in the config once built).
    private let axisIsList: Bool
    /// The `epsilon` this `LayerNormalization` was created with.
    public let epsilon: Double
    /// The `center` this `LayerNormalization` was created with.
    public let center: Bool
    /// The `scale` this `LayerNormalization` was created with.
    public let scale: Bool
    /// The `rmsScaling` this `LayerNormalization` was created with.
    public let rmsScaling: Bool
    /// The `betaInitializer` this `LayerNormalization` was created with.
    public let betaInitializer: any Initializer
    /// The `gammaInitializer` this `LayerNormalization` was created with.
    public let gammaInitializer: any Initializer
    /// The `betaRegularizer` this `LayerNormalization` was created with.
    public let betaRegularizer: (any Regularizer)?
    /// The `gammaRegularizer` this `LayerNormalization` was created with.
    public let gammaRegularizer: (any Regularizer)?
    /// The `betaConstraint` this `LayerNormalization` was created with.
    public let betaConstraint: (any Constraint)?
    /// The `gammaConstraint` this `LayerNormalization` was created with.
    public let gammaConstraint: (any Constraint)?
    /// The scale, once built with `scale` (or `rmsScaling`).
    public private(set) var gamma: Variable?
    /// The offset, once built with `center` (and not `rmsScaling`).
    public private(set) var beta: Variable?
    /// The axes made non-negative for the built rank, and the shape `gamma`/`beta` broadcast to.
    private var normalizedAxes: [Int] = []
    private var broadcastShape: [Int] = []

    /// Creates a `LayerNormalization` with Keras's arguments and defaults (the names in Swift case).
    public convenience init(axis: Int = -1, epsilon: Double = 1e-3, center: Bool = true, scale: Bool = true,
                            rmsScaling: Bool = false,
                            betaInitializer: any Initializer = Zeros(), gammaInitializer: any Initializer = Ones(),
                            betaRegularizer: (any Regularizer)? = nil, gammaRegularizer: (any Regularizer)? = nil,
                            betaConstraint: (any Constraint)? = nil, gammaConstraint: (any Constraint)? = nil,
                            name: String? = nil, trainable: Bool = true, dtype: DType = .float32) {
        self.init(axes: [axis], axisIsList: false, epsilon: epsilon, center: center, scale: scale, rmsScaling: rmsScaling,
                  betaInitializer: betaInitializer, gammaInitializer: gammaInitializer,
                  betaRegularizer: betaRegularizer, gammaRegularizer: gammaRegularizer,
                  betaConstraint: betaConstraint, gammaConstraint: gammaConstraint,
                  name: name, trainable: trainable, dtype: dtype)
    }

    /// Normalizes over several axes together (`axis=[…]` in Keras).
    public convenience init(axes: [Int], epsilon: Double = 1e-3, center: Bool = true, scale: Bool = true,
                            rmsScaling: Bool = false,
                            betaInitializer: any Initializer = Zeros(), gammaInitializer: any Initializer = Ones(),
                            betaRegularizer: (any Regularizer)? = nil, gammaRegularizer: (any Regularizer)? = nil,
                            betaConstraint: (any Constraint)? = nil, gammaConstraint: (any Constraint)? = nil,
                            name: String? = nil, trainable: Bool = true, dtype: DType = .float32) {
        self.init(axes: axes, axisIsList: true, epsilon: epsilon, center: center, scale: scale, rmsScaling: rmsScaling,
                  betaInitializer: betaInitializer, gammaInitializer: gammaInitializer,
                  betaRegularizer: betaRegularizer, gammaRegularizer: gammaRegularizer,
                  betaConstraint: betaConstraint, gammaConstraint: gammaConstraint,
                  name: name, trainable: trainable, dtype: dtype)
    }

    private init(axes: [Int], axisIsList: Bool, epsilon: Double, center: Bool, scale: Bool, rmsScaling: Bool,
                 betaInitializer: any Initializer, gammaInitializer: any Initializer,
                 betaRegularizer: (any Regularizer)?, gammaRegularizer: (any Regularizer)?,
                 betaConstraint: (any Constraint)?, gammaConstraint: (any Constraint)?,
                 name: String?, trainable: Bool, dtype: DType) {
        requireValid { try Self.validate(axes: axes, epsilon: epsilon) }
        self.axis = axes
        self.axisIsList = axisIsList
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.rmsScaling = rmsScaling
        self.betaInitializer = betaInitializer
        self.gammaInitializer = gammaInitializer
        self.betaRegularizer = betaRegularizer
        self.gammaRegularizer = gammaRegularizer
        self.betaConstraint = betaConstraint
        self.gammaConstraint = gammaConstraint
        super.init(name: name, trainable: trainable, dtype: dtype)
    }

    static func validate(axes: [Int], epsilon: Double) throws {
        try ensure(!axes.isEmpty, "LayerNormalization: `axis` must name at least one axis, received an empty list")
        try ensure(Set(axes).count == axes.count, "LayerNormalization: `axis` repeats an axis: \(axes)")
        try ensure(epsilon.isFinite && epsilon >= 0, "LayerNormalization: `epsilon` must be a non-negative number, received epsilon=\(epsilon)")
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let norm = try LayerNormalization(config: ["axis": [-1], "epsilon": 1e-6])
    /// ```
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: LayerNormalization.self, config: config)
        let base = try r.layerBase()
        let axes = try r.axes("axis") ?? ([-1], false)
        let epsilon = try r.double("epsilon", default: 1e-3)
        try r.validated { try LayerNormalization.validate(axes: axes.axes, epsilon: epsilon) }
        self.init(axes: axes.axes, axisIsList: axes.isList, epsilon: epsilon,
                  center: try r.bool("center", default: true), scale: try r.bool("scale", default: true),
                  rmsScaling: try r.bool("rms_scaling", default: false),
                  betaInitializer: try r.initializer("beta_initializer", default: Zeros()),
                  gammaInitializer: try r.initializer("gamma_initializer", default: Ones()),
                  betaRegularizer: try r.regularizer("beta_regularizer"),
                  gammaRegularizer: try r.regularizer("gamma_regularizer"),
                  betaConstraint: try r.constraint("beta_constraint"),
                  gammaConstraint: try r.constraint("gamma_constraint"),
                  name: base.name, trainable: base.trainable, dtype: base.dtype)
    }

    public override var supportsMasking: Bool { true }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        guard let shape = inputShapes.first else { return nil }
        for a in axis where a >= shape.count || a < -shape.count {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\": Axis \(a) is out of bounds for input shape \(formatShape(shape)). Received: axis=\(axis)")
        }
        for a in axis where shape[a < 0 ? a + shape.count : a] == nil {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\": the normalized axis \(a) of input shape \(formatShape(shape)) must have a known size")
        }
        return nil
    }

    public override func build(inputShape: [Int?]) {
        let rank = inputShape.count
        normalizedAxes = axis.map { $0 < 0 ? $0 + rank : $0 }.sorted()
        require(normalizedAxes.allSatisfy { $0 >= 0 && $0 < rank && inputShape[$0] != nil },
                "Layer \"\(name)\": axis \(axis) does not fit input shape \(formatShape(inputShape))")
        let weightShape = normalizedAxes.map { inputShape[$0]! }
        broadcastShape = (0..<rank).map { normalizedAxes.contains($0) ? inputShape[$0]! : 1 }
        if scale || rmsScaling {
            gamma = addWeight(name: "gamma", shape: weightShape, initializer: gammaInitializer,
                              regularizer: gammaRegularizer, constraint: gammaConstraint)
        }
        if center && !rmsScaling {
            beta = addWeight(name: "beta", shape: weightShape, initializer: betaInitializer,
                             regularizer: betaRegularizer, constraint: betaConstraint)
        }
    }

    public override func call(_ inputs: Tensor, training: Bool) -> Tensor {
        let lastOnly = normalizedAxes == [inputs.rank - 1]
        if lastOnly && !rmsScaling {
            return inputs.layerNormalized(gamma: gamma?.value, beta: beta?.value, epsilon: epsilon)
        }
        func shaped(_ v: Variable) -> Tensor { lastOnly ? v.value : v.value.reshaped(to: broadcastShape) }
        let mean = inputs.mean(axes: normalizedAxes, keepDims: true)
        let centered = inputs - mean
        let variance = centered.square().mean(axes: normalizedAxes, keepDims: true)
        let inverse = (variance + epsilon).rsqrt()
        if rmsScaling { return inputs * inverse * shaped(gamma!) }
        var y = centered * inverse
        if let gamma { y = y * shaped(gamma) }
        if let beta { y = y + shaped(beta) }
        return y
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["axis"] = axisIsList || built ? .array(axis.map { .int($0) }) : .int(axis[0])
        config["epsilon"] = .double(epsilon)
        config["center"] = .bool(center)
        config["scale"] = .bool(scale)
        config["rms_scaling"] = .bool(rmsScaling)
        config["beta_initializer"] = betaInitializer.serialize()
        config["gamma_initializer"] = gammaInitializer.serialize()
        config["beta_regularizer"] = serializeOptional(betaRegularizer)
        config["gamma_regularizer"] = serializeOptional(gammaRegularizer)
        config["beta_constraint"] = serializeOptional(betaConstraint)
        config["gamma_constraint"] = serializeOptional(gammaConstraint)
        return config
    }
}
