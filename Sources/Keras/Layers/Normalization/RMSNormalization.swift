/// Root-mean-square normalization (`keras.layers.RMSNormalization`):
/// `x · rsqrt(mean(x², axis) + ε) · scale`, with a learned `scale` (ones at first) shaped as the
/// normalized axes.
///
/// As in Keras, the arithmetic runs in at least float32 and the result has the input's dtype
/// (integer inputs come back truncated to integers), and `scale` broadcasts against the
/// input's trailing axes, so normalized axes that are not the last ones must match in size
/// the input's trailing axes.
///
/// ```swift
/// let norm = RMSNormalization()                      // axis -1, epsilon 1e-6
/// let y = norm(Tensor([[3.0, 4.0]]))                 // ≈ [[0.8485, 1.1314]]
/// let perImage = RMSNormalization(axis: [1, 2])      // scale of shape (height, width)
/// ```
public final class RMSNormalization: Layer, @unchecked Sendable {
    /// Its call writes no state, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// The normalized axes (negative counts from the end), sorted when given as a list.
    public let axis: [Int]
    /// Whether `axis` was given as a list (Keras writes a list in the config once built).
    private let axisIsList: Bool
    /// The small number added to the mean square.
    public let epsilon: Double
    /// The learned scale, shaped as the normalized axes, once built.
    public private(set) var scale: Variable!

    /// Normalizes along one axis.
    public convenience init(axis: Int = -1, epsilon: Double = 1e-6, name: String? = nil, trainable: Bool = true,
                            dtype: DType = .float32) {
        self.init(axes: [axis], isList: false, epsilon: epsilon, name: name, trainable: trainable, dtype: dtype)
    }

    /// Normalizes over several axes together (`axis=[…]` in Keras).
    public convenience init(axis: [Int], epsilon: Double = 1e-6, name: String? = nil, trainable: Bool = true,
                            dtype: DType = .float32) {
        self.init(axes: axis, isList: true, epsilon: epsilon, name: name, trainable: trainable, dtype: dtype)
    }

    private init(axes: [Int], isList: Bool, epsilon: Double, name: String?, trainable: Bool, dtype: DType) {
        requireValid { try Self.validate(axes: axes, epsilon: epsilon) }
        self.axis = isList ? axes.sorted() : axes
        self.axisIsList = isList
        self.epsilon = epsilon
        super.init(name: name, trainable: trainable, dtype: dtype)
    }

    /// The argument checks: at least one axis, none twice, a finite non-negative `epsilon`.
    static func validate(axes: [Int], epsilon: Double) throws {
        try ensure(!axes.isEmpty, "RMSNormalization: `axis` must name at least one axis, received an empty list")
        try ensure(Set(axes).count == axes.count, "RMSNormalization: `axis` names an axis twice. Received: axis=\(axes)")
        try ensure(axes.allSatisfy { abs($0) <= 1 << 20 }, "RMSNormalization: `axis` values are out of any input's range. Received: axis=\(axes)")
        try ensure(epsilon.isFinite && epsilon >= 0, "RMSNormalization: `epsilon` must be a non-negative number. Received: epsilon=\(epsilon)")
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let norm = try RMSNormalization(config: ["axis": [1, 2], "epsilon": 1e-5])
    /// ```
    ///
    /// - Throws: `KerasError.invalidConfig` for an `axis` that is not an int or a list of ints
    ///   (or repeats one), or an `epsilon` that is negative or not finite.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: RMSNormalization.self, config: config)
        let base = try r.layerBase()
        let axes = try r.axes("axis") ?? ([-1], false)
        let epsilon = try r.double("epsilon", default: 1e-6)
        try r.validated { try RMSNormalization.validate(axes: axes.axes, epsilon: epsilon) }
        self.init(axes: axes.axes, isList: axes.isList, epsilon: epsilon, name: base.name, trainable: base.trainable,
                  dtype: base.dtype)
    }

    public override var supportsMasking: Bool { true }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        guard let shape = inputShapes.first else { return nil }
        for a in axis where a >= shape.count || a < -shape.count {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (RMSNormalization): Axis \(a) is out of bounds for input shape \(formatShape(shape)). Received: axis=\(axisIsList ? "\(axis)" : "\(axis[0])")")
        }
        let positions = axis.map { $0 < 0 ? $0 + shape.count : $0 }
        if Set(positions).count != positions.count {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (RMSNormalization): `axis` \(axis) names an axis of input shape \(formatShape(shape)) twice")
        }
        let sizes = positions.map { shape[$0] }
        if sizes.contains(where: { $0 == nil }) {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (RMSNormalization): the normalized axes \(axis) of input shape \(formatShape(shape)) must have known sizes")
        }
        let scaleShape = built ? scale.shape.map { Optional($0) } : sizes
        if built, sizes != scaleShape {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (RMSNormalization): axis \(axis) of input shape \(formatShape(shape)) must have the sizes \(formatShape(scaleShape)) the layer was built for")
        }
        // `scale` broadcasts against the input's trailing axes, as in Keras.
        if scaleShape.count > shape.count || !zip(scaleShape.reversed(), shape.reversed()).allSatisfy({ s, d in s == 1 || d == nil || s == d }) {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (RMSNormalization): Incompatible shapes for broadcasting: the scale of shape \(formatShape(scaleShape)) (the sizes of axis \(axis)) does not broadcast against the input shape \(formatShape(shape)); the normalized axes must be the trailing ones")
        }
        return nil
    }

    public override func build(inputShape: [Int?]) {
        if let error = validateSymbolic([inputShape]) { BuildIssues.report(error); return }
        let shape = axis.map { inputShape[$0 < 0 ? $0 + inputShape.count : $0]! }
        scale = addWeight(name: "scale", shape: shape, initializer: Ones())
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        // Keras computes in result_type(x.dtype, float32) and casts back to the input's dtype.
        let compute: DType = x.dtype == .float64 ? .float64 : .float32
        let inputs = x.dtype == compute ? x : x.cast(to: compute)
        let axes = axis.map { $0 < 0 ? $0 + inputs.rank : $0 }
        let inverse = (inputs.square().mean(axes: axes, keepDims: true) + epsilon).rsqrt()
        let s = scale.value
        let y = inputs * inverse * (s.dtype == compute ? s : s.cast(to: compute))
        return y.dtype == x.dtype ? y : y.cast(to: x.dtype)
    }

    public override func outputDType(_ inputDTypes: [DType]) -> DType {
        guard let input = inputDTypes.first, !input.isFloatingPoint else { return dtype }
        return input
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["axis"] = axisIsList || built ? .array(axis.map { .int($0) }) : .int(axis[0])
        config["epsilon"] = .double(epsilon)
        return config
    }
}
