/// Normalizes groups of channels of each sample (`keras.layers.GroupNormalization`): the
/// channels of `axis` are split into `groups` groups, each group is normalized to zero mean and
/// unit variance over its channels and every other non-batch axis, then scaled by `gamma` and
/// shifted by `beta` per channel. `groups: -1` normalizes each channel on its own (instance
/// normalization); `groups: 1` is layer normalization over all features. Behaves the same in
/// training and inference.
///
/// ```swift
/// let norm = GroupNormalization(groups: 2)
/// let y = norm(Tensor.randomNormal([2, 5, 4]))   // channels {0,1} and {2,3} normalized per sample
/// ```
public final class GroupNormalization: Layer, @unchecked Sendable {
    /// Its call writes no state, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// The number of groups (`-1` until built with instance normalization, then the channel count).
    public private(set) var groups: Int
    /// The `axis` this `GroupNormalization` was created with.
    public let axis: Int
    /// The `epsilon` this `GroupNormalization` was created with.
    public let epsilon: Double
    /// The `center` this `GroupNormalization` was created with.
    public let center: Bool
    /// The `scale` this `GroupNormalization` was created with.
    public let scale: Bool
    /// The `betaInitializer` this `GroupNormalization` was created with.
    public let betaInitializer: any Initializer
    /// The `gammaInitializer` this `GroupNormalization` was created with.
    public let gammaInitializer: any Initializer
    /// The `betaRegularizer` this `GroupNormalization` was created with.
    public let betaRegularizer: (any Regularizer)?
    /// The `gammaRegularizer` this `GroupNormalization` was created with.
    public let gammaRegularizer: (any Regularizer)?
    /// The `betaConstraint` this `GroupNormalization` was created with.
    public let betaConstraint: (any Constraint)?
    /// The `gammaConstraint` this `GroupNormalization` was created with.
    public let gammaConstraint: (any Constraint)?
    /// The learned scale, once built with `scale`.
    public private(set) var gamma: Variable?
    /// The learned offset, once built with `center`.
    public private(set) var beta: Variable?

    /// Creates a `GroupNormalization` with Keras's arguments and defaults (the names in Swift case).
    public init(groups: Int = 32, axis: Int = -1, epsilon: Double = 1e-3, center: Bool = true, scale: Bool = true,
                betaInitializer: any Initializer = Zeros(), gammaInitializer: any Initializer = Ones(),
                betaRegularizer: (any Regularizer)? = nil, gammaRegularizer: (any Regularizer)? = nil,
                betaConstraint: (any Constraint)? = nil, gammaConstraint: (any Constraint)? = nil,
                name: String? = nil, trainable: Bool = true, dtype: DType = .float32) {
        requireValid { try Self.validate(groups: groups, epsilon: epsilon) }
        self.groups = groups
        self.axis = axis
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.betaInitializer = betaInitializer
        self.gammaInitializer = gammaInitializer
        self.betaRegularizer = betaRegularizer
        self.gammaRegularizer = gammaRegularizer
        self.betaConstraint = betaConstraint
        self.gammaConstraint = gammaConstraint
        super.init(name: name, trainable: trainable, dtype: dtype)
    }

    /// `groups` positive or -1; `epsilon` positive and finite.
    static func validate(groups: Int, epsilon: Double) throws {
        try ensure(groups > 0 || groups == -1, "GroupNormalization: Received an invalid value for argument `groups`, expected a positive integer (or `-1` for instance normalization). Received: groups=\(groups)")
        try ensure(epsilon.isFinite && epsilon > 0, "GroupNormalization: `epsilon` must be a positive finite number. Received: epsilon=\(epsilon)")
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let norm = try GroupNormalization(config: ["groups": 4])
    /// ```
    ///
    /// - Throws: `KerasError.invalidConfig` for mistyped keys or invalid `groups` / `epsilon`.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: GroupNormalization.self, config: config)
        let base = try r.layerBase()
        let groups = try r.int("groups", default: 32), axis = try r.int("axis", default: -1)
        let epsilon = try r.double("epsilon", default: 1e-3)
        try r.validated { try GroupNormalization.validate(groups: groups, epsilon: epsilon) }
        self.init(groups: groups, axis: axis, epsilon: epsilon,
                  center: try r.bool("center", default: true), scale: try r.bool("scale", default: true),
                  betaInitializer: try r.initializer("beta_initializer", default: Zeros()),
                  gammaInitializer: try r.initializer("gamma_initializer", default: Ones()),
                  betaRegularizer: try r.regularizer("beta_regularizer"), gammaRegularizer: try r.regularizer("gamma_regularizer"),
                  betaConstraint: try r.constraint("beta_constraint"), gammaConstraint: try r.constraint("gamma_constraint"),
                  name: base.name, trainable: base.trainable, dtype: base.dtype)
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        let shape = inputShapes[0]
        if let error = featureAxisError(layer: self, axis: axis, shape: shape) { return error }
        let dim = shape[axis < 0 ? axis + shape.count : axis]!
        let g = groups == -1 ? dim : groups
        if dim < g {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (GroupNormalization): Number of groups (\(g)) cannot be more than the number of channels (\(dim)).")
        }
        if dim % g != 0 {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (GroupNormalization): Number of groups (\(g)) must be a multiple of the number of channels (\(dim)).")
        }
        return nil
    }

    public override func build(inputShape: [Int?]) {
        if let error = validateSymbolic([inputShape]) { fatalError(error.description) }
        let dim = inputShape[axis < 0 ? axis + inputShape.count : axis]!
        if groups == -1 { groups = dim }
        if scale {
            gamma = addWeight(name: "gamma", shape: [dim], initializer: gammaInitializer,
                              regularizer: gammaRegularizer, constraint: gammaConstraint)
        }
        if center {
            beta = addWeight(name: "beta", shape: [dim], initializer: betaInitializer,
                             regularizer: betaRegularizer, constraint: betaConstraint)
        }
        inputSpec = [InputSpec(rank: inputShape.count, axes: [axis: dim])]
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let ax = axis < 0 ? axis + x.rank : axis
        let dim = x.shape[ax]
        // (…, groups, dim / groups, …): statistics over every axis but the batch and the group.
        var grouped = x.shape
        grouped[ax] = dim / groups
        grouped.insert(groups, at: ax)
        let g = x.reshaped(to: grouped)
        let reduction = (1..<g.rank).filter { $0 != ax }
        let mean = g.mean(axes: reduction, keepDims: true)
        let variance = (g - mean).square().mean(axes: reduction, keepDims: true)
        var paramShape = [Int](repeating: 1, count: g.rank)
        paramShape[ax] = groups
        paramShape[ax + 1] = dim / groups
        var inv = (variance + epsilon).rsqrt()
        if let gamma { inv = inv * gamma.value.reshaped(to: paramShape) }
        var shift = -mean * inv
        if let beta { shift = shift + beta.value.reshaped(to: paramShape) }
        return (g * inv + shift).reshaped(to: x.shape)
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["groups"] = .int(groups)
        config["axis"] = .int(axis)
        config["epsilon"] = .double(epsilon)
        config["center"] = .bool(center)
        config["scale"] = .bool(scale)
        config["beta_initializer"] = betaInitializer.serialize()
        config["gamma_initializer"] = gammaInitializer.serialize()
        config["beta_regularizer"] = serializeOptional(betaRegularizer)
        config["gamma_regularizer"] = serializeOptional(gammaRegularizer)
        config["beta_constraint"] = serializeOptional(betaConstraint)
        config["gamma_constraint"] = serializeOptional(gammaConstraint)
        return config
    }
}
