import KerasCore

/// The Pearson correlation of `yTrue` and `yPred` along `axes` (`keras.metrics.pearson_correlation`):
/// `mean(((t − mean t) / std t) · ((p − mean p) / std p))`, with population standard deviations
/// (a constant slice gives NaN, as in Keras).
///
/// ```swift
/// pearsonCorrelation(Tensor([[0, 1, 0.5], [1, 1, 0.2]]), Tensor([[0.1, 0.9, 0.5], [1, 0.9, 0.2]]))
/// // [1, 0.99339926]
/// ```
public func pearsonCorrelation(_ yTrue: Tensor, _ yPred: Tensor, axes: [Int] = [-1]) -> Tensor {
    let (t, p) = correlationInputs(yTrue, yPred)
    var tn = t - t.mean(axes: axes, keepDims: true)
    var pn = p - p.mean(axes: axes, keepDims: true)
    tn = tn / tn.std(axes: axes, keepDims: true)
    pn = pn / pn.std(axes: axes, keepDims: true)
    return (tn * pn).mean(axes: axes)
}

/// The concordance correlation of `yTrue` and `yPred` along `axes` (`keras.metrics.concordance_correlation`),
/// exactly as Keras 3 writes it: `mean(2·(t − mean p)·(p − mean p) / (var t + var p + (mean t − mean p)² + ε))`
/// (its covariance term centres `t` on the mean of `p`).
///
/// ```swift
/// concordanceCorrelation(Tensor([[0, 1, 0.5], [1, 1, 0.2]]), Tensor([[0.1, 0.9, 0.5], [1, 0.9, 0.2]]))
/// ```
public func concordanceCorrelation(_ yTrue: Tensor, _ yPred: Tensor, axes: [Int] = [-1]) -> Tensor {
    let (t, p) = correlationInputs(yTrue, yPred)
    let tMean = t.mean(axes: axes, keepDims: true), pMean = p.mean(axes: axes, keepDims: true)
    let tVar = (t - tMean).variance(axes: axes, keepDims: true), pVar = (p - pMean).variance(axes: axes, keepDims: true)
    let covariance = (t - pMean) * (p - pMean)
    let norm = tVar + pVar + (tMean - pMean).square()
    return (covariance * 2 / (norm + kerasEpsilon)).mean(axes: axes)
}

/// Predictions as float (float64 kept), targets in the predictions' dtype, ranks matched.
private func correlationInputs(_ yTrue: Tensor, _ yPred: Tensor) -> (Tensor, Tensor) {
    let p = yPred.dtype.isFloatingPoint ? yPred : yPred.cast(to: .float32)
    return squeezeOrExpandToSameRank(yTrue.cast(to: p.dtype), p)
}

/// The running mean of a per-batch correlation along `axes` (Keras's `MeanMetricWrapper` over
/// `pearson_correlation` or `concordance_correlation`): the base of ``PearsonCorrelation`` and
/// ``ConcordanceCorrelation``.
///
/// Each batch gives one correlation per slice along the other axes (per sample for the default
/// `axis: -1`; per output over the batch for `axis: 0`), and the metric averages them over all
/// batches, weighted by `sampleWeight` where it lines up with those values. Weights that cannot
/// (a correlation across the batch axis), where Keras raises, are left out.
///
/// ```swift
/// let pcc = PearsonCorrelation(axis: 0)
/// pcc.updateState(yTrue: Tensor([[1.0], [2.0], [3.0]]), yPred: Tensor([[1.1], [1.9], [3.2]]))
/// ```
open class CorrelationMetric: MeanMetricWrapper, @unchecked Sendable {
    /// The axes the correlation runs along (`[-1]` by default).
    public let axes: [Int]
    /// Whether `axis` was given as a list (as it is written back to the config).
    let axisIsList: Bool

    /// Keras's rule for `axis`: an integer or a non-empty list of distinct integers.
    static func validate(axes: [Int], owner: String) throws {
        try ensure(!axes.isEmpty && Set(axes).count == axes.count, "\(owner): `axis` must be an integer or a non-empty list of distinct integers, received \(axes)")
    }

    init(name: String, axes: [Int], isList: Bool, _ function: @escaping @Sendable (Tensor, Tensor, [Int]) -> Tensor) {
        requireValid { try CorrelationMetric.validate(axes: axes, owner: name) }
        (self.axes, axisIsList) = (axes, isList)
        super.init(name: name) { function($0, $1, axes) }
    }

    /// `axis`: an integer, or the list given.
    open override func metricConfig() -> Config {
        ["axis": axisIsList ? .array(axes.map(ConfigValue.int)) : .int(axes[0])]
    }

    open override func updateState(yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor? = nil) {
        let values = function(yTrue, yPred)
        accumulate(values, sampleWeight: sampleWeight.flatMap { weightsLineUp($0, with: values) ? $0 : nil })
    }

    /// Whether `weights` broadcast onto the leading axes of `values` (as `Mean` applies them).
    private func weightsLineUp(_ weights: Tensor, with values: Tensor) -> Bool {
        let (v, w) = squeezeOrExpandToSameRank(values, weights)
        let target = w.rank <= v.rank ? Array(v.shape.prefix(w.rank)) : v.shape
        return commonBroadcastShape(w.shape, target) == target
    }

    /// Why the correlation cannot run on targets like `yTrue` and predictions like `yPred`:
    /// an `axis` outside their rank.
    func axesProblem(yTrue: Tensor, yPred: Tensor) -> String? {
        let (t, p) = correlationInputs(yTrue, yPred)
        for x in [t, p] {
            let rank = x.rank
            let normalized = axes.map { $0 < 0 ? $0 + rank : $0 }
            let inBounds = rank == 0 ? axes.allSatisfy { $0 == 0 || $0 == -1 } : normalized.allSatisfy { $0 >= 0 && $0 < rank }
            if !inBounds || (rank > 0 && Set(normalized).count != normalized.count) {
                return "\(className): axis \(axisIsList ? "\(axes)" : "\(axes[0])") is out of bounds for inputs of shape \(formatShape(x.shape))"
            }
        }
        return nil
    }
}

extension CorrelationMetric: TargetShapeRule {
    /// The axes must exist in the targets and predictions.
    public func targetShapeProblem(yTrue: Tensor, yPred: Tensor) -> String? { axesProblem(yTrue: yTrue, yPred: yPred) }
}

/// The mean Pearson correlation coefficient of targets and predictions along `axis`
/// (`keras.metrics.PearsonCorrelation`): 1 for a perfect positive linear relationship, −1 for a
/// perfect negative one. A slice along `axis` that is constant gives NaN, as in Keras.
///
/// ```swift
/// let pcc = PearsonCorrelation()
/// pcc.updateState(yTrue: Tensor([[0, 1, 0.5], [1, 1, 0.2]]), yPred: Tensor([[0.1, 0.9, 0.5], [1, 0.9, 0.2]]))
/// pcc.result()   // 0.9966996
/// ```
public final class PearsonCorrelation: CorrelationMetric, @unchecked Sendable {
    /// Creates a `PearsonCorrelation` with Keras's arguments and defaults (the names in Swift case).
    public init(name: String = "pearson_correlation", axis: Int = -1) {
        super.init(name: name, axes: [axis], isList: false) { pearsonCorrelation($0, $1, axes: $2) }
    }
    /// A correlation along several axes.
    public init(name: String = "pearson_correlation", axes: [Int]) {
        super.init(name: name, axes: axes, isList: true) { pearsonCorrelation($0, $1, axes: $2) }
    }
    public override class var className: String { "PearsonCorrelation" }
}

/// The mean concordance correlation coefficient of targets and predictions along `axis`
/// (`keras.metrics.ConcordanceCorrelation`), with Keras 3's formula (see
/// ``concordanceCorrelation(_:_:axes:)``).
///
/// ```swift
/// let ccc = ConcordanceCorrelation()
/// ccc.updateState(yTrue: Tensor([[0, 1, 0.5], [1, 1, 0.2]]), yPred: Tensor([[0.1, 0.9, 0.5], [1, 0.9, 0.2]]))
/// ccc.result()   // 0.98163205
/// ```
public final class ConcordanceCorrelation: CorrelationMetric, @unchecked Sendable {
    /// Creates a `ConcordanceCorrelation` with Keras's arguments and defaults (the names in Swift case).
    public init(name: String = "concordance_correlation", axis: Int = -1) {
        super.init(name: name, axes: [axis], isList: false) { concordanceCorrelation($0, $1, axes: $2) }
    }
    /// A correlation along several axes.
    public init(name: String = "concordance_correlation", axes: [Int]) {
        super.init(name: name, axes: axes, isList: true) { concordanceCorrelation($0, $1, axes: $2) }
    }
    public override class var className: String { "ConcordanceCorrelation" }
}
