/// Scales each sample to unit L2 norm along `axis` (`keras.layers.UnitNormalization`):
/// `x · min(1 / √Σx², 1e12)`, so an all-zero slice stays zero.
///
/// ```swift
/// UnitNormalization()(Tensor([[3.0, 4.0]]))          // [[0.6, 0.8]]
/// UnitNormalization(axis: [1, 2])(images)            // each image's whole norm is 1
/// ```
public final class UnitNormalization: Layer, @unchecked Sendable {
    /// Its call writes no state, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// The axes the norm is taken over.
    public let axis: [Int]
    /// Whether `axis` was given as a list (the config then writes a list, as Keras does).
    private let axisIsList: Bool

    /// Normalizes along one axis.
    public convenience init(axis: Int = -1, name: String? = nil, dtype: DType = .float32) {
        self.init(axes: [axis], isList: false, name: name, dtype: dtype)
    }

    /// Normalizes over several axes together.
    public convenience init(axis: [Int], name: String? = nil, dtype: DType = .float32) {
        self.init(axes: axis, isList: true, name: name, dtype: dtype)
    }

    private init(axes: [Int], isList: Bool, name: String?, dtype: DType) {
        self.axis = axes
        self.axisIsList = isList
        super.init(name: name, dtype: dtype)
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let norm = try UnitNormalization(config: ["axis": [1, 2]])
    /// ```
    ///
    /// - Throws: `KerasError.invalidConfig` when `axis` is not an int or a list of ints.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: UnitNormalization.self, config: config)
        let base = try r.layerBase()
        let axes = try r.axes("axis") ?? ([-1], false)
        self.init(axes: axes.axes, isList: axes.isList, name: base.name, dtype: base.dtype)
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        let rank = inputShapes[0].count
        for a in axis where a >= rank || a < -rank {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (UnitNormalization): Axis \(axisIsList ? "\(axis)" : "\(a)") is out of bounds for input shape \(formatShape(inputShapes[0])).")
        }
        if Set(axis.map { $0 < 0 ? $0 + rank : $0 }).count != axis.count {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (UnitNormalization): `axis` names an axis twice for input shape \(formatShape(inputShapes[0])). Received axis=\(axis)")
        }
        return nil
    }

    public override func build(inputShape: [Int?]) {
        if let error = validateSymbolic([inputShape]) { fatalError(error.description) }
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let axes = axis.map { $0 < 0 ? $0 + x.rank : $0 }
        let inverseNorm = x.square().sum(axes: axes, keepDims: true).rsqrt().minimum(1e12)
        return x * inverseNorm
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["axis"] = axisIsList ? .array(axis.map(ConfigValue.int)) : .int(axis[0])
        return config
    }
}
