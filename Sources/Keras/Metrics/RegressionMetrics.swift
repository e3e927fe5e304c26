import KerasCore

/// Namespace for the metric forms of losses whose names collide with the loss types
/// (`Metrics.MeanSquaredError` is `keras.metrics.MeanSquaredError`).
public enum Metrics {}

extension Metrics {
    /// Running mean of `mean((yTrue − yPred)²)`.
    ///
    /// ```swift
    /// let m = Metrics.MeanSquaredError()
    /// ```
    public final class MeanSquaredError: MeanMetricWrapper, @unchecked Sendable {
        /// Creates a `MeanSquaredError` with Keras's arguments and defaults (the names in Swift case).
        public init(name: String = "mean_squared_error") { super.init(name: name) { meanSquaredError($0, $1) } }
        public override class var className: String { "MeanSquaredError" }
    }
    /// Running mean of `mean(|yTrue − yPred|)`.
    public final class MeanAbsoluteError: MeanMetricWrapper, @unchecked Sendable {
        /// Creates a `MeanAbsoluteError` with Keras's arguments and defaults (the names in Swift case).
        public init(name: String = "mean_absolute_error") { super.init(name: name) { meanAbsoluteError($0, $1) } }
        public override class var className: String { "MeanAbsoluteError" }
    }
    /// Running mean of the mean absolute percentage error.
    public final class MeanAbsolutePercentageError: MeanMetricWrapper, @unchecked Sendable {
        /// Creates a `MeanAbsolutePercentageError` with Keras's arguments and defaults (the names in Swift case).
        public init(name: String = "mean_absolute_percentage_error") { super.init(name: name) { meanAbsolutePercentageError($0, $1) } }
        public override class var className: String { "MeanAbsolutePercentageError" }
    }
    /// Running mean of the mean squared logarithmic error.
    public final class MeanSquaredLogarithmicError: MeanMetricWrapper, @unchecked Sendable {
        /// Creates a `MeanSquaredLogarithmicError` with Keras's arguments and defaults (the names in Swift case).
        public init(name: String = "mean_squared_logarithmic_error") { super.init(name: name) { meanSquaredLogarithmicError($0, $1) } }
        public override class var className: String { "MeanSquaredLogarithmicError" }
    }
    /// Running mean of the cosine similarity `Σ normalize(t)·normalize(p)` (positive, unlike the loss).
    public final class CosineSimilarity: MeanMetricWrapper, @unchecked Sendable {
        /// Creates a `CosineSimilarity` with Keras's arguments and defaults (the names in Swift case).
        public init(name: String = "cosine_similarity") { super.init(name: name) { -cosineSimilarity($0, $1) } }
        public override class var className: String { "CosineSimilarity" }
    }
    /// Running mean of binary cross-entropy.
    public final class BinaryCrossentropy: MeanMetricWrapper, @unchecked Sendable {
        /// The `fromLogits` this `BinaryCrossentropy` was created with.
        public let fromLogits: Bool, labelSmoothing: Double
        /// Creates a `BinaryCrossentropy` with Keras's arguments and defaults (the names in Swift case).
        public init(name: String = "binary_crossentropy", fromLogits: Bool = false, labelSmoothing: Double = 0) {
            (self.fromLogits, self.labelSmoothing) = (fromLogits, labelSmoothing)
            super.init(name: name) { binaryCrossentropy($0, $1, fromLogits: fromLogits, labelSmoothing: labelSmoothing) }
        }
        public override class var className: String { "BinaryCrossentropy" }
        public override func metricConfig() -> Config { ["from_logits": .bool(fromLogits), "label_smoothing": .double(labelSmoothing)] }
    }
    /// Running mean of categorical cross-entropy.
    public final class CategoricalCrossentropy: MeanMetricWrapper, @unchecked Sendable {
        /// The `fromLogits` this `CategoricalCrossentropy` was created with.
        public let fromLogits: Bool, labelSmoothing: Double, axis: Int
        /// Creates a `CategoricalCrossentropy` with Keras's arguments and defaults (the names in Swift case).
        public init(name: String = "categorical_crossentropy", fromLogits: Bool = false, labelSmoothing: Double = 0, axis: Int = -1) {
            (self.fromLogits, self.labelSmoothing, self.axis) = (fromLogits, labelSmoothing, axis)
            super.init(name: name) { categoricalCrossentropy($0, $1, fromLogits: fromLogits, labelSmoothing: labelSmoothing, axis: axis) }
        }
        public override class var className: String { "CategoricalCrossentropy" }
        public override func metricConfig() -> Config {
            ["from_logits": .bool(fromLogits), "label_smoothing": .double(labelSmoothing), "axis": .int(axis)]
        }
    }
    /// Running mean of sparse categorical cross-entropy.
    public final class SparseCategoricalCrossentropy: MeanMetricWrapper, @unchecked Sendable {
        /// The `fromLogits` this `SparseCategoricalCrossentropy` was created with.
        public let fromLogits: Bool, ignoreClass: Int?
        /// Creates a `SparseCategoricalCrossentropy` with Keras's arguments and defaults (the names in Swift case).
        public init(name: String = "sparse_categorical_crossentropy", fromLogits: Bool = false, ignoreClass: Int? = nil) {
            (self.fromLogits, self.ignoreClass) = (fromLogits, ignoreClass)
            super.init(name: name) { sparseCategoricalCrossentropy($0, $1, fromLogits: fromLogits, ignoreClass: ignoreClass) }
        }
        public override class var className: String { "SparseCategoricalCrossentropy" }
        public override func metricConfig() -> Config {
            ["from_logits": .bool(fromLogits), "ignore_class": ConfigValue(ignoreClass), "axis": -1]
        }
    }
    /// Running mean of the KL divergence.
    public final class KLDivergence: MeanMetricWrapper, @unchecked Sendable {
        /// Creates a `KLDivergence` with Keras's arguments and defaults (the names in Swift case).
        public init(name: String = "kl_divergence") { super.init(name: name) { klDivergence($0, $1) } }
        public override class var className: String { "KLDivergence" }
    }
    /// Running mean of the Poisson loss.
    public final class Poisson: MeanMetricWrapper, @unchecked Sendable {
        /// Creates a `Poisson` with Keras's arguments and defaults (the names in Swift case).
        public init(name: String = "poisson") { super.init(name: name) { poisson($0, $1) } }
        public override class var className: String { "Poisson" }
    }
    /// Running mean of the hinge loss.
    public final class Hinge: MeanMetricWrapper, @unchecked Sendable {
        /// Creates a `Hinge` with Keras's arguments and defaults (the names in Swift case).
        public init(name: String = "hinge") { super.init(name: name) { hinge($0, $1) } }
        public override class var className: String { "Hinge" }
    }
    /// Running mean of the squared hinge loss.
    public final class SquaredHinge: MeanMetricWrapper, @unchecked Sendable {
        /// Creates a `SquaredHinge` with Keras's arguments and defaults (the names in Swift case).
        public init(name: String = "squared_hinge") { super.init(name: name) { squaredHinge($0, $1) } }
        public override class var className: String { "SquaredHinge" }
    }
    /// Running mean of the categorical hinge loss.
    public final class CategoricalHinge: MeanMetricWrapper, @unchecked Sendable {
        /// Creates a `CategoricalHinge` with Keras's arguments and defaults (the names in Swift case).
        public init(name: String = "categorical_hinge") { super.init(name: name) { categoricalHinge($0, $1) } }
        public override class var className: String { "CategoricalHinge" }
    }
}

/// Running mean of `log(cosh(yPred − yTrue))` (`keras.metrics.LogCoshError`).
///
/// ```swift
/// let m = LogCoshError()
/// ```
public final class LogCoshError: MeanMetricWrapper, @unchecked Sendable {
    /// Creates a `LogCoshError` with Keras's arguments and defaults (the names in Swift case).
    public init(name: String = "logcosh") { super.init(name: name) { logCosh($0, $1) } }
    public override class var className: String { "LogCoshError" }
}

/// `√(weighted mean of (yPred − yTrue)²)` over everything seen (`keras.metrics.RootMeanSquaredError`).
///
/// ```swift
/// let m = RootMeanSquaredError()
/// m.updateState(yTrue: Tensor([[0.0, 0.0]]), yPred: Tensor([[3.0, 4.0]]))
/// m.result()   // 3.5355
/// ```
public final class RootMeanSquaredError: Mean, @unchecked Sendable {
    public override init(name: String = "root_mean_squared_error") { super.init(name: name) }
    public override class var className: String { "RootMeanSquaredError" }
    public override func updateState(yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor? = nil) {
        let p = yPred.cast(to: .float32)
        let (t, q) = squeezeOrExpandToSameRank(yTrue.cast(to: .float32), p)
        accumulate((q - t).square(), sampleWeight: sampleWeight)
    }
    public override func result() -> Tensor { super.result().sqrt() }
}

/// The coefficient of determination over everything seen (`keras.metrics.R2Score`), for
/// `[batch, outputs]` inputs.
///
/// ```swift
/// let m = R2Score()
/// m.updateState(yTrue: Tensor([[1.0], [2.0], [3.0]]), yPred: Tensor([[1.0], [2.0], [4.0]]))
/// m.result()   // 0.5
/// ```
public final class R2Score: Metric, @unchecked Sendable {
    /// How `R2Score` aggregates several outputs, as Keras's `class_aggregation`.
    public enum ClassAggregation: String, Sendable { case uniformAverage = "uniform_average", varianceWeightedAverage = "variance_weighted_average" }
    /// The `classAggregation` this `R2Score` was created with.
    public let classAggregation: ClassAggregation?
    /// The `numRegressors` this `R2Score` was created with.
    public let numRegressors: Int
    private var sum: [Double] = [], squaredSum: [Double] = [], residual: [Double] = [], count: [Double] = []
    private var numSamples = 0.0

    /// Keras's rule for `num_regressors`: non-negative.
    static func validate(numRegressors: Int) throws {
        try ensure(numRegressors >= 0, "R2Score: `num_regressors` must be >= 0, received \(numRegressors)")
    }

    /// Creates an `R2Score` with Keras's arguments and defaults (the names in Swift case).
    public init(classAggregation: ClassAggregation? = .uniformAverage, numRegressors: Int = 0, name: String = "r2_score") {
        requireValid { try R2Score.validate(numRegressors: numRegressors) }
        (self.classAggregation, self.numRegressors) = (classAggregation, numRegressors)
        super.init(name: name)
    }
    public override class var className: String { "R2Score" }
    public override func metricConfig() -> Config {
        ["class_aggregation": ConfigValue(classAggregation?.rawValue), "num_regressors": .int(numRegressors)]
    }

    public override func updateState(yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor? = nil) {
        let (t, p) = squeezeOrExpandToSameRank(yTrue.cast(to: .float32), yPred.cast(to: .float32))
        require(t.rank == 2 && p.rank == 2,
                     "R2Score expects 2D inputs with shape (batch_size, output_dim). Received input shapes: y_pred.shape=\(p.shape) and y_true.shape=\(t.shape)")
        let rows = t.shape[0], cols = t.shape[1]
        if sum.isEmpty { (sum, squaredSum, residual, count) = ([Double](repeating: 0, count: cols), [Double](repeating: 0, count: cols), [Double](repeating: 0, count: cols), [Double](repeating: 0, count: cols)) }
        var w = sampleWeight?.cast(to: .float32) ?? Tensor(Float(1))
        if w.rank == 1 { w = w.expandingDims(at: 1) }
        let weights = w.broadcast(to: t.shape).doubles, truth = t.doubles, pred = p.doubles
        for r in 0..<rows {
            for c in 0..<cols {
                let i = r * cols + c, wt = weights[i], y = truth[i]
                sum[c] += y * wt
                squaredSum[c] += y * y * wt
                residual[c] += (y - pred[i]) * (y - pred[i]) * wt
                count[c] += wt
            }
        }
        numSamples += Double(t.scalarCount)
    }

    public override func result() -> Tensor {
        guard !sum.isEmpty else { return Tensor(Float.nan) }
        var raw: [Double] = [], totals: [Double] = []
        for c in sum.indices {
            let mean = sum[c] / count[c]
            let total = squaredSum[c] - sum[c] * mean
            var score = 1 - residual[c] / total
            if score.isInfinite { score = 0 }
            raw.append(score); totals.append(total)
        }
        var r2: Double
        switch classAggregation {
        case .uniformAverage: r2 = raw.reduce(0, +) / Double(raw.count)
        case .varianceWeightedAverage: r2 = zip(totals, raw).map(*).reduce(0, +) / totals.reduce(0, +)
        case nil: return Tensor(shape: [raw.count], scalars: raw.map(Float.init))
        }
        let n = numSamples, k = Double(numRegressors)
        if numRegressors != 0 && k < n - 1 { r2 = 1 - (1 - r2) * (n - 1) / (n - k - 1) }
        return Tensor(Float(r2))
    }

    public override func resetState() { sum = []; squaredSum = []; residual = []; count = []; numSamples = 0 }

    /// Per output column: sums of targets, of squared targets, of squared residuals, of weights;
    /// then the sample count (the columns are empty before the first batch).
    public override var additiveState: [Double]? {
        get { sum + squaredSum + residual + count + [numSamples] }
        set {
            guard let v = newValue, v.count % 4 == 1 else { return }
            let n = v.count / 4
            (sum, squaredSum, residual, count) = (Array(v[0..<n]), Array(v[n..<2 * n]), Array(v[2 * n..<3 * n]), Array(v[3 * n..<4 * n]))
            numSamples = v[4 * n]
        }
    }
}
