import KerasCore

/// A stateful metric (`keras.metrics.Metric`): ``updateState(yTrue:yPred:sampleWeight:)``
/// accumulates a batch, ``result()`` reads the value, ``resetState()`` clears the state (fit does
/// so every epoch).
///
/// ```swift
/// let accuracy = SparseCategoricalAccuracy()
/// accuracy.updateState(yTrue: Tensor([1, 0]), yPred: Tensor([[0.2, 0.8], [0.3, 0.7]]))
/// accuracy.result()   // 0.5
/// accuracy.resetState()
/// ```
///
/// A custom metric overrides the same three methods, as in Keras. Swift does not inherit default
/// arguments, so the override repeats `sampleWeight: Tensor? = nil`:
///
/// ```swift
/// final class CountNegatives: Metric, @unchecked Sendable {
///     private var count = 0.0
///     init() { super.init(name: "count_negatives") }
///     override func updateState(yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor? = nil) {
///         count += yPred.less(0).cast(to: .float32).sum().item(as: Double.self)
///     }
///     override func result() -> Tensor { Tensor(Float(count)) }
///     override func resetState() { count = 0 }
/// }
/// try model.compile(optimizer: "adam", loss: MeanSquaredError(), metrics: [CountNegatives()])
/// ```
///
/// `fit` and `evaluate` update metrics outside gradient recording; a custom training loop should
/// likewise call ``updateState(yTrue:yPred:sampleWeight:)`` after taking the gradients.
open class Metric: @unchecked Sendable {
    /// The name shown in logs and history (`"accuracy"`, `"mean_absolute_error"`).
    public var name: String

    /// A metric named `name` in the logs.
    public init(name: String) { self.name = name }

    /// Keras's class name (`"SparseCategoricalAccuracy"`), under which configs store the class.
    open class var className: String { "Metric" }

    /// The class name of this metric's class.
    public var className: String { type(of: self).className }

    /// Accumulates one batch; `sampleWeight` is per sample (`[batch]`) or broadcastable to the
    /// values. Subclasses override it (repeating the `= nil` default).
    open func updateState(yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor? = nil) {
        fatalError("\(className).updateState(yTrue:yPred:sampleWeight:) must be overridden")
    }

    /// The current value (a scalar for most metrics; per-class for `F1Score(average: nil)` or
    /// several thresholds).
    open func result() -> Tensor { fatalError("\(className).result() must be overridden") }

    /// Clears the accumulated state.
    open func resetState() {}

    /// The accumulated state as numbers that add up over disjoint batches (Keras's metric
    /// `variables`, which a distribution strategy sums across replicas), or `nil` where the
    /// state does not add (a custom metric that does not override it). Setting it replaces the
    /// state. Data-parallel `fit` and `evaluate` sum it over the ranks, so every rank reports
    /// the metric of the global batches.
    ///
    /// ```swift
    /// let auc = AUC(numThresholds: 3)
    /// auc.updateState(yTrue: Tensor([0.0, 1.0]), yPred: Tensor([0.2, 0.9]))
    /// let other = AUC(numThresholds: 3)
    /// other.additiveState = auc.additiveState   // the same result() as auc
    /// ```
    open var additiveState: [Double]? {
        get { nil }
        set {}
    }

    /// Metric-specific config keys, merged over `name` and `dtype`.
    open func metricConfig() -> Config { [:] }

    /// ``result()`` as a Double (the first element for vector results).
    public var resultValue: Double { result().toArray(of: Double.self).first ?? 0 }

    /// Keras's config: `name`, `dtype` and the metric's options.
    public func getConfig() -> Config {
        var config: Config = ["name": .string(name), "dtype": "float32"]
        config.merge(metricConfig()) { $1 }
        return config
    }

    /// `{"module": "keras.metrics", "class_name": …, "config": …}`.
    public func serialize() -> ConfigValue {
        .serialized(module: "keras.metrics", className: className, config: getConfig())
    }
}

/// Keras's `reduce_to_samplewise_values`: per-sample values and weights (`meanReduce` picks mean or
/// sum for the trailing axes).
func samplewiseValues(_ values: Tensor, _ sampleWeight: Tensor?, meanReduce: Bool) -> (values: Tensor, weight: Tensor?) {
    func reduce(_ t: Tensor, from axis: Int) -> Tensor {
        guard t.rank > axis else { return t }
        let axes = Array(axis..<t.rank)
        return meanReduce ? t.mean(axes: axes) : t.sum(axes: axes)
    }
    var v = values.dtype == .float32 ? values : values.cast(to: .float32)
    var weight: Tensor? = nil
    if let sampleWeight {
        var (vv, w) = squeezeOrExpandToSameRank(v, sampleWeight.cast(to: .float32))
        let weightRank = w.rank
        if vv.rank > weightRank { vv = reduce(vv, from: weightRank) }
        w = w.broadcast(to: vv.shape)
        vv = vv * w
        if weightRank > 1 { w = reduce(w, from: 1) }
        v = vv
        weight = w
    }
    return (reduce(v, from: 1), weight)
}

/// The weighted mean of the values seen (`keras.metrics.Mean`).
///
/// ```swift
/// let m = Mean()
/// m.updateState(Tensor([1.0, 3.0]))
/// m.result()   // 2
/// ```
open class Mean: Metric, @unchecked Sendable {
    /// The weighted sum of the values seen.
    public private(set) var total = 0.0
    /// The sum of the weights seen.
    public private(set) var count = 0.0

    public override init(name: String = "mean") { super.init(name: name) }
    open override class var className: String { "Mean" }

    /// Accumulates `values` (Keras's `Mean.update_state(values, sample_weight)`).
    public func updateState(_ values: Tensor, sampleWeight: Tensor? = nil) {
        accumulate(values, sampleWeight: sampleWeight)
    }

    /// For `Mean` itself `yPred` holds the values; wrappers override this to compute them.
    open override func updateState(yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor? = nil) {
        accumulate(yPred, sampleWeight: sampleWeight)
    }

    func accumulate(_ values: Tensor, sampleWeight: Tensor?) {
        let (v, w) = samplewiseValues(values, sampleWeight, meanReduce: true)
        total += v.sum().item(as: Double.self)
        if let w { count += w.sum().item(as: Double.self) } else { count += Double(v.rank >= 1 ? v.shape[0] : 1) }
    }

    open override func result() -> Tensor { Tensor(Float(count == 0 ? 0 : total / count)) }
    open override func resetState() { total = 0; count = 0 }
    /// `[total, count]`.
    open override var additiveState: [Double]? {
        get { [total, count] }
        set { if let v = newValue, v.count == 2 { (total, count) = (v[0], v[1]) } }
    }
}

/// The weighted sum of the values seen (`keras.metrics.Sum`).
///
/// ```swift
/// let s = Sum()
/// s.updateState(Tensor([1.0, 3.0]))
/// s.result()   // 4
/// ```
public final class Sum: Metric, @unchecked Sendable {
    /// The sum of the values seen.
    public private(set) var total = 0.0
    public override init(name: String = "sum") { super.init(name: name) }
    public override class var className: String { "Sum" }

    /// Accumulates `values` (Keras's `Sum.update_state(values, sample_weight)`).
    public func updateState(_ values: Tensor, sampleWeight: Tensor? = nil) {
        updateState(yTrue: values, yPred: values, sampleWeight: sampleWeight)
    }
    public override func updateState(yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor? = nil) {
        total += samplewiseValues(yPred, sampleWeight, meanReduce: false).values.sum().item(as: Double.self)
    }
    public override func result() -> Tensor { Tensor(Float(total)) }
    public override func resetState() { total = 0 }
    /// `[total]`.
    public override var additiveState: [Double]? {
        get { [total] }
        set { if let v = newValue, v.count == 1 { total = v[0] } }
    }
}

/// The running mean of a per-sample function of `(yTrue, yPred)` (`keras.metrics.MeanMetricWrapper`):
/// the base of the accuracy metrics and of the metric forms of losses.
///
/// ```swift
/// let m = MeanMetricWrapper(name: "mae") { meanAbsoluteError($0, $1) }
/// ```
open class MeanMetricWrapper: Mean, @unchecked Sendable {
    /// The `function` this `MeanMetricWrapper` was created with.
    public let function: @Sendable (Tensor, Tensor) -> Tensor

    /// A metric averaging `function(yTrue, yPred)` over the samples seen, named `name` in the logs.
    public init(name: String, _ function: @escaping @Sendable (Tensor, Tensor) -> Tensor) {
        self.function = function
        super.init(name: name)
    }
    open override class var className: String { "MeanMetricWrapper" }

    open override func updateState(yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor? = nil) {
        accumulate(function(yTrue, yPred), sampleWeight: sampleWeight)
    }
}
