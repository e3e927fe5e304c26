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
public final class GroupNormalization: AffineNormalization, @unchecked Sendable {
    /// The number of groups (`-1` until built with instance normalization, then the channel count).
    public private(set) var groups: Int
    /// The `axis` this `GroupNormalization` was created with.
    public let axis: Int

    /// Creates a `GroupNormalization` with Keras's arguments and defaults (the names in Swift case).
    public convenience init(groups: Int = 32, axis: Int = -1, epsilon: Double = 1e-3, center: Bool = true, scale: Bool = true,
                            betaInitializer: any Initializer = Zeros(), gammaInitializer: any Initializer = Ones(),
                            betaRegularizer: (any Regularizer)? = nil, gammaRegularizer: (any Regularizer)? = nil,
                            betaConstraint: (any Constraint)? = nil, gammaConstraint: (any Constraint)? = nil,
                            name: String? = nil, trainable: Bool = true, dtype: DType = .float32) {
        self.init(groups: groups, axis: axis,
                  Arguments(epsilon: epsilon, center: center, scale: scale,
                            betaInitializer: betaInitializer, gammaInitializer: gammaInitializer,
                            betaRegularizer: betaRegularizer, gammaRegularizer: gammaRegularizer,
                            betaConstraint: betaConstraint, gammaConstraint: gammaConstraint),
                  name: name, trainable: trainable, dtype: dtype)
    }

    private init(groups: Int, axis: Int, _ a: Arguments, name: String?, trainable: Bool, dtype: DType) {
        requireValid { try Self.validate(groups: groups, epsilon: a.epsilon) }
        self.groups = groups
        self.axis = axis
        super.init(a, name: name, trainable: trainable, dtype: dtype)
    }

    /// `groups` positive or -1; `epsilon` positive and finite.
    static func validate(groups: Int, epsilon: Double) throws {
        try ensure(groups > 0 || groups == -1, "GroupNormalization: Received an invalid value for argument `groups`, expected a positive integer (or `-1` for instance normalization). Received: groups=\(groups)")
        try ensure(epsilon.isFinite && epsilon > 0, "GroupNormalization: `epsilon` must be a positive finite number. Received: epsilon=\(epsilon)")
    }

    /// Recreates a layer from ``AffineNormalization/getConfig()`` (or a Keras `get_config()` dictionary).
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
        let arguments = try Arguments.read(&r)
        try r.validated { try GroupNormalization.validate(groups: groups, epsilon: arguments.epsilon) }
        self.init(groups: groups, axis: axis, arguments, name: base.name, trainable: base.trainable, dtype: base.dtype)
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
        addAffineWeights(shape: [dim], gamma: scale, beta: center)
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
        let (mean, inverse) = statistics(g, axes: reduction)
        var paramShape = [Int](repeating: 1, count: g.rank)
        paramShape[ax] = groups
        paramShape[ax + 1] = dim / groups
        var inv = inverse
        if let gamma { inv = inv * gamma.value.reshaped(to: paramShape) }
        var shift = -mean * inv
        if let beta { shift = shift + beta.value.reshaped(to: paramShape) }
        return (g * inv + shift).reshaped(to: x.shape)
    }

    override var configBeforeEpsilon: Config { ["groups": .int(groups), "axis": .int(axis)] }
}
