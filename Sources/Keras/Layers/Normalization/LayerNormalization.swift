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
public final class LayerNormalization: AffineNormalization, @unchecked Sendable {
    /// The normalized axes (negative counts from the end).
    public let axis: [Int]
    /// Whether `axis` was given as a list (Keras writes a list in the config once built).
    private let axisIsList: Bool
    /// The `rmsScaling` this `LayerNormalization` was created with.
    public let rmsScaling: Bool
    /// The sizes of the normalized axes the layer was built for (its weights' shape).
    private var normalizedSizes: [Int] = []

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

    private convenience init(axes: [Int], axisIsList: Bool, epsilon: Double, center: Bool, scale: Bool, rmsScaling: Bool,
                             betaInitializer: any Initializer, gammaInitializer: any Initializer,
                             betaRegularizer: (any Regularizer)?, gammaRegularizer: (any Regularizer)?,
                             betaConstraint: (any Constraint)?, gammaConstraint: (any Constraint)?,
                             name: String?, trainable: Bool, dtype: DType) {
        self.init(axes: axes, axisIsList: axisIsList, rmsScaling: rmsScaling,
                  Arguments(epsilon: epsilon, center: center, scale: scale,
                            betaInitializer: betaInitializer, gammaInitializer: gammaInitializer,
                            betaRegularizer: betaRegularizer, gammaRegularizer: gammaRegularizer,
                            betaConstraint: betaConstraint, gammaConstraint: gammaConstraint),
                  name: name, trainable: trainable, dtype: dtype)
    }

    private init(axes: [Int], axisIsList: Bool, rmsScaling: Bool, _ a: Arguments, name: String?, trainable: Bool, dtype: DType) {
        requireValid { try Self.validate(axes: axes, epsilon: a.epsilon) }
        self.axis = axes
        self.axisIsList = axisIsList
        self.rmsScaling = rmsScaling
        super.init(a, name: name, trainable: trainable, dtype: dtype)
    }

    static func validate(axes: [Int], epsilon: Double) throws {
        try ensure(!axes.isEmpty, "LayerNormalization: `axis` must name at least one axis, received an empty list")
        try ensure(Set(axes).count == axes.count, "LayerNormalization: `axis` repeats an axis: \(axes)")
        try ensure(epsilon.isFinite && epsilon >= 0, "LayerNormalization: `epsilon` must be a non-negative number, received epsilon=\(epsilon)")
    }

    /// Recreates a layer from ``AffineNormalization/getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let norm = try LayerNormalization(config: ["axis": [-1], "epsilon": 1e-6])
    /// ```
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: LayerNormalization.self, config: config)
        let base = try r.layerBase()
        let axes = try r.axes("axis") ?? ([-1], false)
        let rmsScaling = try r.bool("rms_scaling", default: false)
        let arguments = try Arguments.read(&r)
        try r.validated { try LayerNormalization.validate(axes: axes.axes, epsilon: arguments.epsilon) }
        self.init(axes: axes.axes, axisIsList: axes.isList, rmsScaling: rmsScaling, arguments,
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
        // Once built, the weights fix the normalized axes' sizes (the axes count from the end
        // when negative, as in Keras, so other ranks may follow).
        if built, normalizedAxes(rank: shape.count).map({ shape[$0] }) != normalizedSizes.map({ Optional($0) }) {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\": axis \(axis) of input shape \(formatShape(shape)) must have the sizes \(formatShape(normalizedSizes)) the layer was built for")
        }
        return nil
    }

    /// The normalized axes for an input of `rank`, in order.
    private func normalizedAxes(rank: Int) -> [Int] { axis.map { $0 < 0 ? $0 + rank : $0 }.sorted() }

    public override func build(inputShape: [Int?]) {
        let axes = normalizedAxes(rank: inputShape.count)
        require(axes.allSatisfy { $0 >= 0 && $0 < inputShape.count && inputShape[$0] != nil },
                "Layer \"\(name)\": axis \(axis) does not fit input shape \(formatShape(inputShape))")
        normalizedSizes = axes.map { inputShape[$0]! }
        addAffineWeights(shape: normalizedSizes, gamma: scale || rmsScaling, beta: center && !rmsScaling)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        // Integer inputs are normalized as floats of the layer's dtype.
        let inputs = x.dtype.isFloatingPoint ? x : x.cast(to: dtype)
        let axes = normalizedAxes(rank: inputs.rank)
        let lastOnly = axes == [inputs.rank - 1]
        if lastOnly && !rmsScaling {
            return inputs.layerNormalized(gamma: gamma?.value, beta: beta?.value, epsilon: epsilon)
        }
        let broadcastShape = (0..<inputs.rank).map { axes.contains($0) ? inputs.shape[$0] : 1 }
        func shaped(_ v: Variable) -> Tensor { lastOnly ? v.value : v.value.reshaped(to: broadcastShape) }
        let mean = inputs.mean(axes: axes, keepDims: true)
        let centered = inputs - mean
        let variance = centered.square().mean(axes: axes, keepDims: true)
        let inverse = (variance + epsilon).rsqrt()
        if rmsScaling { return inputs * inverse * shaped(gamma!) }
        var y = centered * inverse
        if let gamma { y = y * shaped(gamma) }
        if let beta { y = y + shaped(beta) }
        return y
    }

    override var configBeforeEpsilon: Config { ["axis": axisIsList || built ? .array(axis.map { .int($0) }) : .int(axis[0])] }
    override var configAfterScale: Config { ["rms_scaling": .bool(rmsScaling)] }
}
