import KerasCore
import Synchronization

/// Buckets numbers by ranges (`keras.layers.Discretization`): with boundaries `[b₀, b₁, …]`
/// a value `x` goes to bin `i` where `bᵢ₋₁ ≤ x < bᵢ` (bin 0 below `b₀`, the last bin from the
/// last boundary up; NaN goes to the last bin, as `numpy.digitize` puts it). Values and
/// boundaries are compared in float32, as Keras casts both.
///
/// The boundaries are given (`binBoundaries`) or learned with ``adapt(_:)-(Tensor)`` from
/// `numBins` approximate quantiles of the data, with Keras's summary algorithm (precision
/// `epsilon`), so an adapted layer finds the boundaries Keras finds. They are saved in the
/// config, as Keras saves them.
///
/// ```swift
/// let bins = Discretization(binBoundaries: [0, 1, 2])(Tensor([[-1.5, 1.0, 3.0]]))   // int32 [[0, 2, 3]]
/// let learned = Discretization(numBins: 4)
/// try learned.adapt(Tensor((0..<100).map { Float($0) }))
/// learned.binBoundaries   // ≈ [24.0, 49.0, 74.0], as Keras finds them
/// ```
///
/// `outputMode` `.oneHot`, `.multiHot` and `.count` encode the bin indices as `CategoryEncoding`
/// does (depth: the number of bins); `.int` returns int32 indices.
public final class Discretization: Layer, @unchecked Sendable {
    /// Its call only reads the boundaries (under a lock), so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }

    /// The number of bins `adapt` learns (`nil`: the boundaries are given).
    public let numBins: Int?
    /// The precision of the quantile summary `adapt` builds (Keras's `epsilon`, default 0.01).
    public let epsilon: Double
    /// `.int` (bin indices, the default), `.oneHot`, `.multiHot` or `.count`.
    public let outputMode: LookupOutputMode
    private let boundaries: Mutex<[Double]?>

    /// The bin boundaries: the given ones, or those the last ``adapt(_:)-(Tensor)`` found
    /// (`nil` before it).
    public var binBoundaries: [Double]? { boundaries.withLock { $0 } }

    /// Creates a discretization layer with given boundaries or a number of bins to adapt.
    ///
    /// - Parameters:
    ///   - binBoundaries: Sorted (non-decreasing) boundaries, not NaN; `n` boundaries make `n + 1` bins.
    ///   - numBins: The number of bins ``adapt(_:)-(Tensor)`` learns (positive); give this or `binBoundaries`.
    ///   - epsilon: The precision of the quantile summary: finite, at least 1e-7 (the summary holds about `1/epsilon` values).
    ///   - outputMode: `.int`, `.oneHot`, `.multiHot` or `.count`.
    ///   - name: The layer's name (`nil`: a generated one).
    ///   - dtype: The output dtype outside `.int` mode (float32 by default); `.int` always gives int32, as in Keras.
    /// - Precondition: the arguments are valid as Keras checks them (the program stops with
    ///   Keras's message otherwise; ``init(config:)`` throws instead).
    public init(binBoundaries: [Double]? = nil, numBins: Int? = nil, epsilon: Double = 0.01,
                outputMode: LookupOutputMode = .int, name: String? = nil, dtype: DType = .float32) {
        requireValid {
            try ensure(numBins == nil || binBoundaries == nil, "Discretization: Both `num_bins` and `bin_boundaries` should not be set. Received: `num_bins=\(numBins!)` and `bin_boundaries=\(binBoundaries!)`")
            try Self.validate(binBoundaries: binBoundaries, numBins: numBins, epsilon: epsilon, outputMode: outputMode)
        }
        self.numBins = numBins
        self.epsilon = epsilon
        self.outputMode = outputMode
        self.boundaries = Mutex(binBoundaries)
        super.init(name: name, dtype: dtype)
    }

    /// Keras's checks plus bounds: one of `numBins` (positive, bounded) and `binBoundaries`
    /// (sorted, not NaN, bounded in number), `epsilon` positive, output mode without tf-idf.
    static func validate(binBoundaries: [Double]?, numBins: Int?, epsilon: Double, outputMode: LookupOutputMode) throws {
        try ensure(numBins != nil || binBoundaries != nil, "Discretization: You need to set either `num_bins` or `bin_boundaries`.")
        if let numBins {
            try ensure(numBins > 0, "Discretization: `num_bins` must be a positive integer. Received: `num_bins=\(numBins)`")
            try ensureBoundedSizes([numBins], layer: "Discretization", argument: "num_bins")
        }
        if let binBoundaries {
            try ensure(!binBoundaries.contains(where: \.isNaN), "Discretization: `bin_boundaries` must not contain NaN. Received: bin_boundaries=\(binBoundaries)")
            try ensure(zip(binBoundaries, binBoundaries.dropFirst()).allSatisfy { $0 <= $1 }, "Discretization: `bin_boundaries` must be sorted in non-decreasing order. Received: bin_boundaries=\(binBoundaries)")
            try ensureBoundedSizes([binBoundaries.count + 1], layer: "Discretization", argument: "bin_boundaries (count + 1)")
        }
        try ensure(epsilon.isFinite && epsilon >= 1e-7, "Discretization: `epsilon` must be a finite number of at least 1e-7 (the summary holds about 1/epsilon values). Received: epsilon=\(epsilon)")
        try ensure(outputMode != .tfIdf, "Discretization: Invalid value for argument `output_mode`. Expected one of (\"int\", \"one_hot\", \"multi_hot\", \"count\"). Received: output_mode=tf_idf")
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary); an adapted
    /// layer's config holds both `num_bins` and the learned `bin_boundaries`.
    ///
    /// ```swift
    /// let layer = try Discretization(config: ["bin_boundaries": [0.0, 1.0], "output_mode": "one_hot"])
    /// ```
    ///
    /// - Throws: `KerasError.invalidConfig` naming the key for a missing, mistyped or out-of-range value.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: Discretization.self, config: config)
        let base = try r.layerBase()
        let numBins = try r.optionalInt("num_bins")
        let given: [Double]? = r.present("bin_boundaries") == nil ? nil : try r.doubleList("bin_boundaries")
        let epsilon = try r.double("epsilon", default: 0.01)
        let mode = try r.nested("output_mode") { try LookupOutputMode.fromConfig($0, allowed: [.int, .oneHot, .multiHot, .count]) }
        if try r.bool("sparse", default: false) { throw r.mismatch("sparse", "false (sparse outputs are not supported)", .bool(true)) }
        try r.validated { try Discretization.validate(binBoundaries: given, numBins: numBins, epsilon: epsilon, outputMode: mode) }
        // After `adapt` both are set: Keras's `from_config` applies the boundaries after creation.
        self.init(binBoundaries: numBins == nil ? given : nil, numBins: numBins, epsilon: epsilon, outputMode: mode,
                  name: base.name, dtype: base.dtype)
        if numBins != nil, let given { boundaries.withLock { $0 = given } }
    }

    // MARK: adapt

    /// Learns `numBins` quantile boundaries of all values of `data` (any shape), as Keras's
    /// `adapt` on one array does.
    ///
    /// ```swift
    /// let layer = Discretization(numBins: 3)
    /// try layer.adapt(Tensor([1.0, 2, 3, 4, 5, 6]))
    /// ```
    ///
    /// - Throws: `KerasError` when the layer was given boundaries, or `data` is empty or holds NaN or infinities.
    public func adapt(_ data: Tensor) throws {
        try adapt(batches: CollectionOfOne(data))
    }

    /// Learns the boundaries from a dataset's inputs (its first input), batch by batch; an
    /// unbatched dataset is read in batches of 128.
    ///
    /// ```swift
    /// try layer.adapt(Dataset(features).batched(64))
    /// ```
    public func adapt(_ dataset: Dataset) throws {
        let source = dataset.isBatched ? dataset : dataset.batched(128)
        try adapt(batches: source.lazy.map { $0.inputs[0] })
    }

    /// Learns the boundaries from several batches, merging their summaries as Keras's
    /// `update_state` does (the result can differ slightly from one pass over their union).
    ///
    /// ```swift
    /// try layer.adapt(batches: [firstHalf, secondHalf])
    /// ```
    ///
    /// - Throws: `KerasError` as ``adapt(_:)-(Tensor)`` does, for any batch, and for no batches.
    public func adapt<S: Sequence>(batches: S) throws where S.Element == Tensor {
        guard let numBins else {
            throw KerasError.invalidArgument("Discretization \"\(name)\": Cannot adapt a Discretization layer that has been initialized with `bin_boundaries`, use `num_bins` instead.")
        }
        var summary: QuantileSummary?
        for data in batches {
            guard data.scalarCount > 0 else {
                throw KerasError.invalidData("Discretization \"\(name)\": adapt() received an empty batch of shape \(formatShape(data.shape))")
            }
            guard data.dtype.isFloatingPoint || data.dtype.isInteger else {
                throw KerasError.invalidData("Discretization \"\(name)\": adapt() takes numbers, received a \(data.dtype) tensor")
            }
            let values = data.cast(to: .float32).toArray(of: Float.self)
            guard values.allSatisfy(\.isFinite) else {
                throw KerasError.invalidData("Discretization \"\(name)\": adapt() received data with NaN or infinite values")
            }
            let batch = QuantileSummary(summarizing: values, epsilon: epsilon)
            summary = batch.merged(with: summary ?? QuantileSummary(values: [], weights: []), epsilon: epsilon)
        }
        guard let summary else { throw KerasError.invalidData("Discretization \"\(name)\": adapt() received no batches") }
        let found = summary.compressed(epsilon: 1 / Double(numBins)).values.dropLast().map(Double.init)
        boundaries.withLock { $0 = found }
    }

    // MARK: call

    /// The number of bins (`boundaries + 1`), the depth of the encoded outputs.
    private func depth(_ boundaries: [Double]?) -> Int? { boundaries.map { $0.count + 1 } ?? numBins }

    /// The bin of each value (float32 comparisons; NaN to the last bin).
    static func bucketize(_ values: [Float], boundaries: [Float]) -> [Int] {
        values.map { x in
            if x.isNaN { return boundaries.count }
            // The number of boundaries ≤ x (`searchsorted(side="right")`).
            var lo = 0, hi = boundaries.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if boundaries[mid] <= x { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }
    }

    public override func call(_ inputs: Tensor, training: Bool) -> Tensor {
        guard let boundaries = binBoundaries else {
            fatalError("Discretization \"\(name)\": You need to either pass the `bin_boundaries` argument at construction time or call `adapt(dataset)` before you can start using the `Discretization` layer.")
        }
        if let problem = validateInputData(inputs) { fatalError(problem.description) }
        let ids = Self.bucketize(inputs.cast(to: .float32).toArray(of: Float.self), boundaries: boundaries.map { Float($0) })
        if outputMode == .int { return Tensor(shape: inputs.shape, doubles: ids.map(Double.init), dtype: .int32) }
        do {
            return try CategoricalEncoder.encode(ids, shape: inputs.shape, mode: outputMode, depth: boundaries.count + 1,
                                                 weights: nil, layer: "Discretization \"\(name)\"").cast(to: dtype)
        } catch {
            fatalError("\(error)")
        }
    }

    /// Inputs must be numbers, and the layer must have boundaries.
    public override func validateInputData(_ data: Tensor) -> KerasError? {
        guard data.dtype.isFloatingPoint || data.dtype.isInteger else {
            return .invalidData("Discretization \"\(name)\": inputs must be numbers, received a \(data.dtype) tensor")
        }
        if binBoundaries == nil {
            return .invalidData("Discretization \"\(name)\": You need to either pass the `bin_boundaries` argument at construction time or call `adapt(dataset)` before you can start using the `Discretization` layer.")
        }
        if outputMode == .multiHot || outputMode == .count, data.rank > 2 {
            return .invalidData("Discretization \"\(name)\": \(outputMode.rawValue) encoding takes inputs of rank 1 or 2, received shape \(formatShape(data.shape))")
        }
        return nil
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        guard let shape = inputShapes.first else { return nil }
        if outputMode == .multiHot || outputMode == .count, shape.count > 2 {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (Discretization): \(outputMode.rawValue) encoding takes inputs of rank 1 or 2, received shape \(formatShape(shape))")
        }
        if outputMode != .int, depth(binBoundaries) == nil {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (Discretization): the number of bins is unknown; give `bin_boundaries` or `num_bins`")
        }
        return nil
    }

    public override func outputDType(_ inputDTypes: [DType]) -> DType { outputMode == .int ? .int32 : dtype }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] {
        if outputMode == .int { return inputShape }
        let depth = depth(binBoundaries) ?? 1
        if outputMode == .oneHot {
            if inputShape.count > 1 && inputShape.last == 1 { return Array(inputShape.dropLast()) + [depth] }
            return inputShape + [depth]
        }
        return inputShape.count >= 2 ? [inputShape[0]] + Array(inputShape.dropFirst(2)) + [depth] : [depth]
    }

    /// Keras's keys: `bin_boundaries`, `num_bins`, `epsilon`, `output_mode`, `sparse`, `name`
    /// and `dtype` (a plain name; Keras writes no `trainable` for this layer).
    public override func getConfig() -> Config {
        [
            "bin_boundaries": binBoundaries.map { .array($0.map(ConfigValue.double)) } ?? .null,
            "num_bins": numBins.map(ConfigValue.int) ?? .null,
            "epsilon": .double(epsilon),
            "output_mode": .string(outputMode.rawValue),
            "sparse": .bool(false),
            "name": .string(name),
            "dtype": .string(dtype.rawValue),
        ]
    }
}

/// Keras's quantile summary for `Discretization.adapt` (`summarize`, `merge_summaries`,
/// `compress_summary` in `discretization.py`), with NumPy's float32/float64 rounding: values
/// and weights are float32, the interpolation runs in float64 as `numpy.interp` does.
struct QuantileSummary {
    var values: [Float]
    var weights: [Float]

    init(values: [Float], weights: [Float]) {
        self.values = values
        self.weights = weights
    }

    /// Every `step`-th sorted value (`step = max(n·epsilon, 1)`) with weight `step`.
    init(summarizing data: [Float], epsilon: Double) {
        let sorted = data.sorted()
        let increment = Double(sorted.count) / (1.0 / epsilon)
        let step = Swift.max(increment, 1)
        // A step past the data (a large epsilon) keeps nothing, as NumPy's slice does.
        guard step - 1 < Double(sorted.count) else { values = []; weights = []; return }
        let first = Int(step - 1), stride = Int(Swift.min(step, Double(sorted.count)))
        values = Swift.stride(from: first, to: sorted.count, by: stride).map { sorted[$0] }
        weights = [Float](repeating: Float(step), count: values.count)
    }

    /// Both summaries sorted together by value, then compressed to `epsilon`.
    func merged(with other: QuantileSummary, epsilon: Double) -> QuantileSummary {
        let pairs = (Array(zip(values, weights)) + Array(zip(other.values, other.weights))).enumerated()
            .sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map(\.element)
        return QuantileSummary(values: pairs.map(\.0), weights: pairs.map(\.1)).compressed(epsilon: epsilon)
    }

    /// The values and weights interpolated at the cumulative-weight fractions `ε, 2ε, …`
    /// (unchanged when the summary holds fewer than `1/ε` entries).
    func compressed(epsilon: Double) -> QuantileSummary {
        guard Double(values.count) * epsilon >= 1 else { return self }
        // numpy.arange(0, 1, ε): ⌈1/ε⌉ entries i·ε.
        let count = Int((1.0 / epsilon).rounded(.up))
        let percents = (0..<count).map { epsilon + Double($0) * epsilon }
        var cumulative = [Float](), running: Float = 0
        cumulative.reserveCapacity(weights.count)
        for w in weights { running += w; cumulative.append(running) }
        let total = cumulative.last!
        let fractions = cumulative.map { Double($0 / total) }
        let newValues = Self.interp(percents, fractions, values.map(Double.init))
        let cumWeights = Self.interp(percents, fractions, cumulative.map(Double.init))
        let newWeights = cumWeights.indices.map { cumWeights[$0] - ($0 == 0 ? 0 : cumWeights[$0 - 1]) }
        return QuantileSummary(values: newValues.map { Float($0) }, weights: newWeights.map { Float($0) })
    }

    /// `numpy.interp(x, xp, fp)` (float64, `xp` non-decreasing), with its edge rules.
    static func interp(_ x: [Double], _ xp: [Double], _ fp: [Double]) -> [Double] {
        let n = xp.count
        return x.map { v in
            if v.isNaN { return v }
            if n == 1 { return fp[0] }
            if v > xp[n - 1] { return fp[n - 1] }
            if v < xp[0] { return fp[0] }
            // The last j with xp[j] ≤ v.
            var lo = 0, hi = n
            while lo < hi {
                let mid = (lo + hi) / 2
                if v >= xp[mid] { lo = mid + 1 } else { hi = mid }
            }
            let j = lo - 1
            if j == n - 1 || xp[j] == v { return fp[j] }
            let slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j])
            var result = slope * (v - xp[j]) + fp[j]
            if result.isNaN {
                result = slope * (v - xp[j + 1]) + fp[j + 1]
                if result.isNaN && fp[j] == fp[j + 1] { result = fp[j] }
            }
            return result
        }
    }
}
