/// Shifts and scales inputs to zero mean and unit variance per feature
/// (`keras.layers.Normalization`): `(x − mean) / max(√variance, 1e-7)`, or with `invert` the
/// reverse, `mean + x · max(√variance, 1e-7)`.
///
/// The statistics are either given (`mean`, `variance`) or learned from data with
/// `adapt(_:)`, which computes them per position of the kept `axis` (default: the last axis;
/// `axis: []` for one mean and variance over everything). Adapted statistics are the
/// non-trainable weights `mean`, `variance` and `count`, so they are saved with the model.
///
/// ```swift
/// let norm = Normalization()
/// try norm.adapt(trainFeatures)          // (samples, features)
/// let model = Sequential([InputLayer(shape: [13]), norm, Dense(1)])
/// ```
public final class Normalization: Layer, @unchecked Sendable {
    /// Its call writes no state, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// The axes whose positions get their own mean and variance.
    public let axis: [Int]
    /// The `invert` this `Normalization` was created with.
    public let invert: Bool
    /// The statistics given at construction (`nil`: learned by `adapt(_:)`).
    public let inputMean: [Double]?
    /// The variance given at construction, if any (otherwise `adapt` computes it).
    public let inputVariance: [Double]?
    /// The adapted statistics, once built without given ones.
    public private(set) var adaptMean: Variable?
    /// The variance `adapt` computed, once built.
    public private(set) var adaptVariance: Variable?
    /// The number of samples `adapt` has seen, once built.
    public private(set) var count: Variable?
    /// The kept axes (non-negative) and the statistics' broadcast shape, once built.
    private var broadcastShape: [Int] = []
    private var keptAxes: [Int] = []

    /// - Parameters:
    ///   - axis: the kept axes (`[]`: one statistic for everything).
    ///   - mean: the given mean, one value or one per position of the kept axes (else `adapt` computes it).
    ///   - variance: the given variance, in the same form as `mean`.
    ///   - invert: whether to undo the normalization (`x · sqrt(variance) + mean`) instead.
    ///   - name: the layer's name; a unique name from the class name when `nil`.
    ///   - dtype: the dtype of the computations.
    public init(axis: [Int] = [-1], mean: [Double]? = nil, variance: [Double]? = nil, invert: Bool = false,
                name: String? = nil, dtype: DType = .float32) {
        requireValid { try Self.validate(axis: axis, mean: mean, variance: variance) }
        self.axis = axis
        self.invert = invert
        self.inputMean = mean
        self.inputVariance = variance
        super.init(name: name, dtype: dtype)
    }

    /// Keras's rules: `mean` and `variance` both given or both absent, of equal sizes, finite,
    /// `variance` non-negative; at most one given value per kept axis position.
    static func validate(axis: [Int], mean: [Double]?, variance: [Double]?) throws {
        try ensure((mean == nil) == (variance == nil), "Normalization: When setting values directly, both `mean` and `variance` must be set. Received: mean=\(mean.map { "\($0)" } ?? "None") and variance=\(variance.map { "\($0)" } ?? "None")")
        guard let mean, let variance else { return }
        try ensure(mean.count == variance.count, "Normalization: When setting values directly, `mean` and `variance` must have the same shape. Received: mean shape (\(mean.count),) and variance shape (\(variance.count),)")
        try ensure(!axis.isEmpty || mean.count == 1, "Normalization: The rank of `mean` must be less than or equal to the number of axes (0). Received: mean shape (\(mean.count),) for axis ()")
        try ensure(mean.allSatisfy(\.isFinite) && variance.allSatisfy { $0.isFinite && $0 >= 0 }, "Normalization: `mean` must be finite and `variance` finite and non-negative. Received: mean=\(mean), variance=\(variance)")
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let norm = try Normalization(config: ["axis": [-1], "mean": [0.5, 1], "variance": [4, 1]])
    /// ```
    ///
    /// - Throws: `KerasError.invalidConfig` for a malformed `axis`, `mean` or `variance` (given
    ///   statistics must be a number or a flat list per kept axis position).
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: Normalization.self, config: config)
        let base = try r.layerBase()
        let axes = try r.axes("axis")?.axes ?? []
        func statistic(_ key: String) throws -> [Double]? {
            guard let v = r.present(key) else { return nil }
            if let d = v.doubleValue { return [d] }
            guard let list = v.arrayValue?.compactMap(\.doubleValue), list.count == v.arrayValue!.count else {
                throw r.mismatch(key, "a number or a list of numbers", v)
            }
            return list
        }
        let mean = try statistic("mean"), variance = try statistic("variance")
        try r.validated { try Normalization.validate(axis: axes, mean: mean, variance: variance) }
        self.init(axis: axes, mean: mean, variance: variance, invert: try r.bool("invert", default: false),
                  name: base.name, dtype: base.dtype)
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        let shape = inputShapes[0], rank = shape.count
        if let bad = axis.first(where: { $0 < -rank || $0 >= rank }) {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (Normalization): All `axis` values must be in the range [-ndim, ndim). Received inputs with ndim=\(rank), while axis=\(axis) (\(bad))")
        }
        let kept = axis.map { $0 < 0 ? $0 + rank : $0 }.sorted()
        if Set(kept).count != kept.count {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (Normalization): `axis` names an axis twice for inputs with ndim=\(rank). Received axis=\(axis)")
        }
        if let unknown = kept.first(where: { shape[$0] == nil }) {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (Normalization): All `axis` values to be kept must have a known shape. Received axis=\(axis), inputs.shape=\(formatShape(shape)), with unknown axis at index \(unknown)")
        }
        if inputMean == nil, boundedElementCount(kept.map { shape[$0]! }) == nil {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (Normalization): statistics of shape \(formatShape(kept.map { shape[$0] })) would hold more than \(maxWeightElements) elements")
        }
        if let mean = inputMean, mean.count > 1 {
            let positions = kept.last.flatMap { shape[$0] } ?? 1
            if mean.count != positions {
                return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (Normalization): the given mean and variance have \(mean.count) values, but the last kept axis of inputs of shape \(formatShape(shape)) has \(positions) positions")
            }
        }
        return nil
    }

    public override func build(inputShape: [Int?]) {
        if let error = validateSymbolic([inputShape]) { fatalError(error.description) }
        let rank = inputShape.count
        keptAxes = axis.map { $0 < 0 ? $0 + rank : $0 }.sorted()
        broadcastShape = (0..<rank).map { keptAxes.contains($0) ? inputShape[$0]! : 1 }
        if inputMean == nil {
            let statShape = keptAxes.map { inputShape[$0]! }
            adaptMean = addWeight(name: "mean", shape: statShape, initializer: Zeros(), trainable: false)
            adaptVariance = addWeight(name: "variance", shape: statShape, initializer: Ones(), trainable: false)
            count = addWeight(name: "count", shape: [], initializer: Zeros(), trainable: false, dtype: .int32)
        }
        inputSpec = [InputSpec(rank: rank, axes: Dictionary(uniqueKeysWithValues: keptAxes.map { ($0, inputShape[$0]!) }))]
    }

    /// Learns the mean and variance of `data` (a batch of samples) per position of the kept axes
    /// (Keras's `adapt`), building the layer for `data`'s shape if needed.
    ///
    /// ```swift
    /// let norm = Normalization()
    /// try norm.adapt(Tensor([[1.0, 10], [3, 30]]))   // mean [2, 20], variance [1, 100]
    /// ```
    ///
    /// - Throws: `KerasError` when the layer has given statistics, when `data` is empty, not
    ///   finite, or of a shape the layer cannot take.
    public func adapt(_ data: Tensor) throws {
        try adapt(batches: CollectionOfOne(data))
    }

    /// Learns the statistics of a dataset's inputs (its first input), batch by batch; an
    /// unbatched dataset is read in batches of 128, as Keras does.
    ///
    /// ```swift
    /// try norm.adapt(Dataset(features).batched(64))
    /// ```
    public func adapt(_ dataset: Dataset) throws {
        let source = dataset.isBatched ? dataset : dataset.batched(128)
        try adapt(batches: source.lazy.map { $0.inputs[0] })
    }

    /// Learns the statistics of several batches, combined exactly as one pass over their union
    /// (Keras's running update of the mean and variance).
    ///
    /// ```swift
    /// try norm.adapt(batches: [firstHalf, secondHalf])   // as adapt(wholeData)
    /// ```
    ///
    /// - Throws: `KerasError` as ``adapt(_:)-(Tensor)`` does, for any batch, and for no batches.
    public func adapt<S: Sequence>(batches: S) throws where S.Element == Tensor {
        guard inputMean == nil else {
            throw KerasError.invalidArgument("Normalization \"\(name)\": adapt() cannot be called on a layer built with a given mean and variance")
        }
        var totalMean: Tensor?, totalVariance: Tensor?
        var totalCount = 0
        for data in batches {
            let shape = data.shape.map { Optional($0) }
            guard data.scalarCount > 0 else {
                throw KerasError.invalidData("Normalization \"\(name)\": adapt() received an empty batch of shape \(formatShape(shape))")
            }
            let values = data.cast(to: .float64)
            guard values.isFinite().all().doubles[0] != 0 else {
                throw KerasError.invalidData("Normalization \"\(name)\": adapt() received data with NaN or infinite values")
            }
            if !built {
                try build(shape)
            } else if let error = checkInputs([shape]) {
                throw KerasError.invalidData("Normalization \"\(name)\": The layer was built with input_shape=\(formatShape(buildShapes?.first ?? [])), but adapt() is being called with data with an incompatible shape, data.shape=\(formatShape(shape)). \(error)")
            }
            let reduced = (0..<data.rank).filter { !keptAxes.contains($0) }
            let statShape = adaptMean!.shape
            let mean = values.mean(axes: reduced, keepDims: true)
            let batchVariance = (values - mean).square().mean(axes: reduced).reshaped(to: statShape)
            let batchMean = mean.reshaped(to: statShape)
            let count = reduced.reduce(1) { $0 * data.shape[$1] }
            totalCount += count
            guard let previousMean = totalMean, let previousVariance = totalVariance else {
                (totalMean, totalVariance) = (batchMean, batchVariance)
                continue
            }
            let w = Double(count) / Double(totalCount)
            let newMean = previousMean * (1 - w) + batchMean * w
            totalVariance = (previousVariance + (previousMean - newMean).square()) * (1 - w)
                + (batchVariance + (batchMean - newMean).square()) * w
            totalMean = newMean
        }
        guard let totalMean, let totalVariance else {
            throw KerasError.invalidData("Normalization \"\(name)\": adapt() received no batches")
        }
        adaptMean!.assign(totalMean)
        adaptVariance!.assign(totalVariance)
    }

    /// The mean and variance in use, in the broadcast shape of the inputs.
    private func statistics(dtype: DType) -> (Tensor, Tensor) {
        if let inputMean, let inputVariance {
            // One value for everything, or one per position of the last kept axis.
            var shape = [Int](repeating: 1, count: broadcastShape.count)
            if inputMean.count > 1, let last = keptAxes.last { shape[last] = inputMean.count }
            return (Tensor(shape: shape, doubles: inputMean, dtype: dtype), Tensor(shape: shape, doubles: inputVariance, dtype: dtype))
        }
        let mean = adaptMean!.value.cast(to: dtype).reshaped(to: broadcastShape)
        let variance = adaptVariance!.value.cast(to: dtype).reshaped(to: broadcastShape)
        return (mean, variance)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let input = x.dtype == dtype ? x : x.cast(to: dtype)
        let (mean, variance) = statistics(dtype: input.dtype)
        let std = variance.sqrt().maximum(1e-7)
        return invert ? mean + input * std : (input - mean) / std
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["axis"] = .array(axis.map(ConfigValue.int))
        config["invert"] = .bool(invert)
        func list(_ values: [Double]?) -> ConfigValue { values.map { .array($0.map(ConfigValue.double)) } ?? .null }
        config["mean"] = list(inputMean)
        config["variance"] = list(inputVariance)
        return config
    }
}
