import Foundation
import KerasCore

/// Flattened labels (as positive/negative), predictions and per-element weights, with Keras's
/// sample-weight broadcasting (`[batch]` weights apply to every element of a sample). Labels and
/// predictions of different (broadcastable) shapes are broadcast together.
func flattenedConfusionInputs(_ yTrue: Tensor, _ yPred: Tensor, _ sampleWeight: Tensor?) -> (labels: [Bool], predictions: [Float], weights: [Double]?) {
    var (p, t) = squeezeOrExpandToSameRank(yPred.cast(to: .float32), yTrue.cast(to: .float32))
    if p.shape != t.shape {
        let shape = commonBroadcastShape(p.shape, t.shape)
        require(shape != nil, "confusion metrics: labels of shape \(t.shape) do not match predictions of shape \(p.shape)")
        (p, t) = (p.broadcast(to: shape!), t.broadcast(to: shape!))
    }
    var weights: [Double]? = nil
    if let sampleWeight {
        var w = sampleWeight.cast(to: .float32).expandingDims(at: -1)
        (_, w) = squeezeOrExpandToSameRank(t, w, expandRank1: false)
        require(commonBroadcastShape(w.shape, p.shape) == p.shape,
                "confusion metrics: sample weights of shape \(sampleWeight.shape) do not broadcast to predictions of shape \(p.shape)")
        weights = w.broadcast(to: p.shape).doubles
    }
    return (t.toArray(of: Float.self).map { $0 != 0 }, p.toArray(of: Float.self), weights)
}

/// NumPy's broadcast of two shapes, or `nil` when they do not broadcast.
func commonBroadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
    let rank = Swift.max(a.count, b.count)
    var out: [Int] = []
    for i in 0..<rank {
        let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
        let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
        guard da == db || da == 1 || db == 1 else { return nil }
        out.append(da == 1 ? db : da)
    }
    return out
}

/// Keras's `update_confusion_matrix_variables` for single-label data: the weighted true/false
/// positives/negatives per threshold, accumulated over batches. ``Precision``, ``Recall``,
/// ``AUC`` and the counts (``TruePositives`` …) all accumulate through it.
///
/// A prediction is positive above a threshold (`p > t`, in float32). As in Keras, evenly spaced
/// thresholds (`0, 1/(n−1), …, 1`, at least 3, within 1e-7) take the bucketed fast path instead:
/// predictions are clipped to [0, 1] first, so one above 1 is not counted above a threshold of 1
/// there. AUC's thresholds (`−ε … 1+ε`) take it too, a prediction of 0 then counting above −ε.
struct ConfusionCounts: Sendable {
    let thresholds: [Double]
    /// Whether the bucketed fast path applies (Keras's `thresholds_distributed_evenly`).
    let evenlySpaced: Bool
    var truePositives: [Double], falsePositives: [Double], trueNegatives: [Double], falseNegatives: [Double]

    /// Counts for `thresholds`; `evenlySpaced` defaults to Keras's `is_evenly_distributed_thresholds`.
    init(thresholds: [Double], evenlySpaced: Bool? = nil) {
        self.thresholds = thresholds
        self.evenlySpaced = evenlySpaced ?? ConfusionCounts.isEvenlyDistributed(thresholds)
        let zeros = [Double](repeating: 0, count: thresholds.count)
        (truePositives, falsePositives, trueNegatives, falseNegatives) = (zeros, zeros, zeros, zeros)
    }

    /// Keras's `is_evenly_distributed_thresholds`: at least 3 values, each within
    /// `1e-7 + 1e-5·|e|` of `e = i/(n−1)` (computed in float32, as NumPy's `allclose`).
    static func isEvenlyDistributed(_ thresholds: [Double]) -> Bool {
        let n = thresholds.count
        guard n >= 3 else { return false }
        return thresholds.enumerated().allSatisfy { i, t in
            let even = Double(Float(i) / Float(n - 1))
            return Swift.abs(t - even) <= kerasEpsilon + 1e-5 * Swift.abs(even)
        }
    }

    /// Adds one batch.
    mutating func update(yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor?) {
        let (labels, predictions, weights) = flattenedConfusionInputs(yTrue, yPred, sampleWeight)
        let n = thresholds.count
        guard n > 0 else { return }
        if evenlySpaced {
            // Bucket b holds predictions in (t_b, t_{b+1}]: b = ceil(p·(n−1)) − 1 (float32), raised to
            // 0 when the thresholds carry AUC's epsilon; a bucket outside 0..<n is dropped (as
            // `segment_sum`), a NaN prediction lands in bucket 0 (XLA casts NaN to 0).
            let withEpsilon = thresholds[0] < 0 || thresholds[n - 1] > 1
            let scale = Float(n - 1)
            var tpBucket = [Double](repeating: 0, count: n), fpBucket = tpBucket
            var totalTrue = 0.0, totalFalse = 0.0
            for i in predictions.indices {
                let p = Swift.min(Swift.max(predictions[i], 0), 1)
                var b = (p * scale).rounded(.up) - 1
                if withEpsilon { b = Swift.max(b, 0) }
                let bucket = b.isNaN ? 0 : Int(b)
                let w = weights?[i] ?? 1
                if labels[i] { totalTrue += w } else { totalFalse += w }
                guard bucket >= 0 && bucket < n else { continue }
                if labels[i] { tpBucket[bucket] += w } else { fpBucket[bucket] += w }
            }
            var runningTP = 0.0, runningFP = 0.0
            for k in stride(from: n - 1, through: 0, by: -1) {
                runningTP += tpBucket[k]; runningFP += fpBucket[k]
                truePositives[k] += runningTP; falsePositives[k] += runningFP
                falseNegatives[k] += totalTrue - runningTP; trueNegatives[k] += totalFalse - runningFP
            }
            return
        }
        for (k, threshold) in thresholds.enumerated() {
            let th = Float(threshold)
            var tp = 0.0, fp = 0.0, tn = 0.0, fn = 0.0
            for i in predictions.indices {
                let w = weights?[i] ?? 1
                let positive = predictions[i] > th
                if labels[i] { if positive { tp += w } else { fn += w } } else if positive { fp += w } else { tn += w }
            }
            truePositives[k] += tp; falsePositives[k] += fp; trueNegatives[k] += tn; falseNegatives[k] += fn
        }
    }

    /// Zeros every count.
    mutating func reset() { self = ConfusionCounts(thresholds: thresholds, evenlySpaced: evenlySpaced) }

    /// One value per threshold: a scalar when there is one threshold (as Keras's `result[0]`),
    /// else a vector.
    func perThreshold(_ f: (Int) -> Double) -> Tensor {
        let values = thresholds.indices.map { Float(f($0)) }
        return values.count == 1 ? Tensor(values[0]) : Tensor(shape: [values.count], scalars: values)
    }
}

/// Keras's `thresholds` config value: `null` when left out, a float or a list as given.
func thresholdsConfigValue(_ thresholds: [Double]?, single: Bool) -> ConfigValue {
    thresholds.map { single ? .double($0[0]) : .array($0.map(ConfigValue.double)) } ?? .null
}

/// Shared state of ``Precision`` and ``Recall``: weighted true/false positives/negatives per threshold.
open class ConfusionMetric: Metric, @unchecked Sendable {
    /// The `thresholds` this `ConfusionMetric` was created with.
    public let thresholds: [Double]
    let thresholdsConfig: ConfigValue
    var counts: ConfusionCounts
    var truePositives: [Double] { counts.truePositives }
    var falsePositives: [Double] { counts.falsePositives }
    var falseNegatives: [Double] { counts.falseNegatives }

    /// Keras's rule for `thresholds`: every value in [0, 1].
    static func validate(thresholds: [Double], owner: String) throws {
        try ensure(thresholds.allSatisfy { $0 >= 0 && $0 <= 1 }, "\(owner): `thresholds` must be in [0, 1], received \(thresholds)")
    }

    init(thresholds: [Double]?, single: Bool, name: String) {
        let values = thresholds ?? [0.5]
        requireValid { try ConfusionMetric.validate(thresholds: values, owner: name) }
        self.thresholds = values
        thresholdsConfig = thresholdsConfigValue(thresholds, single: single)
        counts = ConfusionCounts(thresholds: values)
        super.init(name: name)
    }

    open override func updateState(yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor? = nil) {
        counts.update(yTrue: yTrue, yPred: yPred, sampleWeight: sampleWeight)
    }

    func perThreshold(_ f: (Int) -> Double) -> Tensor { counts.perThreshold(f) }

    open override func resetState() { counts.reset() }

    /// True positives, false positives, false negatives, per threshold.
    open override var additiveState: [Double]? {
        get { counts.truePositives + counts.falsePositives + counts.falseNegatives }
        set {
            let n = thresholds.count
            guard let v = newValue, v.count == 3 * n else { return }
            (counts.truePositives, counts.falsePositives, counts.falseNegatives) = (Array(v[0..<n]), Array(v[n..<2 * n]), Array(v[2 * n..<3 * n]))
        }
    }

    open override func metricConfig() -> Config { ["thresholds": thresholdsConfig, "top_k": nil, "class_id": nil] }
}

/// `a / b`, or 0 when `b` is 0 (`divide_no_nan`).
@inline(__always) func divideNoNaN(_ a: Double, _ b: Double) -> Double { b == 0 ? 0 : a / b }

/// `tp / (tp + fp)` with predictions counted positive above `thresholds` (0.5 by default).
///
/// ```swift
/// let m = Precision()
/// m.updateState(yTrue: Tensor([0.0, 1.0, 1.0]), yPred: Tensor([1.0, 1.0, 0.0]))
/// m.result()   // 0.5
/// ```
public final class Precision: ConfusionMetric, @unchecked Sendable {
    /// Creates a `Precision` with Keras's arguments and defaults (the names in Swift case).
    public init(thresholds: Double? = nil, name: String = "precision") {
        super.init(thresholds: thresholds.map { [$0] }, single: true, name: name)
    }
    /// One result per threshold.
    public init(thresholds: [Double], name: String = "precision") { super.init(thresholds: thresholds, single: false, name: name) }
    public override class var className: String { "Precision" }
    public override func result() -> Tensor { perThreshold { divideNoNaN(truePositives[$0], truePositives[$0] + falsePositives[$0]) } }
}

/// `tp / (tp + fn)` with predictions counted positive above `thresholds` (0.5 by default).
///
/// ```swift
/// let m = Recall()
/// m.updateState(yTrue: Tensor([0.0, 1.0, 1.0]), yPred: Tensor([1.0, 1.0, 0.0]))
/// m.result()   // 0.5
/// ```
public final class Recall: ConfusionMetric, @unchecked Sendable {
    /// Creates a `Recall` with Keras's arguments and defaults (the names in Swift case).
    public init(thresholds: Double? = nil, name: String = "recall") {
        super.init(thresholds: thresholds.map { [$0] }, single: true, name: name)
    }
    /// One result per threshold.
    public init(thresholds: [Double], name: String = "recall") { super.init(thresholds: thresholds, single: false, name: name) }
    public override class var className: String { "Recall" }
    public override func result() -> Tensor { perThreshold { divideNoNaN(truePositives[$0], truePositives[$0] + falseNegatives[$0]) } }
}

/// Area under the ROC or precision–recall curve over `numThresholds` evenly spaced thresholds,
/// with Keras's interpolation (`keras.metrics.AUC`; single-label).
///
/// ```swift
/// let auc = AUC(curve: .roc)
/// auc.updateState(yTrue: Tensor([0.0, 0.0, 1.0, 1.0]), yPred: Tensor([0.1, 0.4, 0.35, 0.8]))
/// auc.result()   // ≈ 0.75
/// ```
public final class AUC: Metric, @unchecked Sendable {
    /// The curve under which `AUC` measures the area: ROC or precision–recall.
    public enum Curve: String, Sendable { case roc = "ROC", pr = "PR" }
    /// The `numThresholds` this `AUC` was created with.
    public let numThresholds: Int
    /// The `curve` this `AUC` was created with.
    public let curve: Curve
    /// The `fromLogits` this `AUC` was created with.
    public let fromLogits: Bool
    private var counts: ConfusionCounts
    private var tp: [Double] { counts.truePositives }
    private var fp: [Double] { counts.falsePositives }
    private var tn: [Double] { counts.trueNegatives }
    private var fn: [Double] { counts.falseNegatives }

    /// Keras's rule for `num_thresholds`: more than 1.
    static func validate(numThresholds: Int) throws {
        try ensure(numThresholds > 1, "AUC: `num_thresholds` must be > 1, received \(numThresholds)")
    }

    /// Creates an `AUC` with Keras's arguments and defaults (the names in Swift case).
    public init(numThresholds: Int = 200, curve: Curve = .roc, fromLogits: Bool = false, name: String = "auc") {
        requireValid { try AUC.validate(numThresholds: numThresholds) }
        (self.numThresholds, self.curve, self.fromLogits) = (numThresholds, curve, fromLogits)
        counts = ConfusionCounts(thresholds: AUC.thresholds(numThresholds), evenlySpaced: true)
        super.init(name: name)
    }
    public override class var className: String { "AUC" }
    public override func metricConfig() -> Config {
        ["num_thresholds": .int(numThresholds), "curve": .string(curve.rawValue), "summation_method": "interpolation",
         "multi_label": false, "num_labels": nil, "label_weights": nil, "from_logits": .bool(fromLogits)]
    }

    /// The thresholds: `−ε, 1/(n−1), …, (n−2)/(n−1), 1+ε`.
    public var thresholds: [Double] { AUC.thresholds(numThresholds) }

    private static func thresholds(_ n: Int) -> [Double] {
        [0 - kerasEpsilon] + (1..<(n - 1)).map { Double($0) / Double(n - 1) } + [1 + kerasEpsilon]
    }

    public override func updateState(yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor? = nil) {
        // Keras's evenly-spaced fast path (its thresholds carry the epsilon).
        counts.update(yTrue: yTrue, yPred: fromLogits ? yPred.cast(to: .float32).sigmoid() : yPred, sampleWeight: sampleWeight)
    }

    public override func result() -> Tensor {
        let n = numThresholds
        var area = 0.0
        switch curve {
        case .roc:
            let tpr = (0..<n).map { divideNoNaN(tp[$0], tp[$0] + fn[$0]) }
            let fpr = (0..<n).map { divideNoNaN(fp[$0], fp[$0] + tn[$0]) }
            for i in 0..<(n - 1) { area += (fpr[i] - fpr[i + 1]) * (tpr[i] + tpr[i + 1]) / 2 }
        case .pr:
            let p = (0..<n).map { tp[$0] + fp[$0] }
            for i in 0..<(n - 1) {
                let dtp = tp[i] - tp[i + 1]
                let dp = p[i] - p[i + 1]
                let slope = divideNoNaN(dtp, Swift.max(dp, 0))
                let intercept = tp[i + 1] - slope * p[i + 1]
                let ratio = p[i] > 0 && p[i + 1] > 0 ? divideNoNaN(p[i], Swift.max(p[i + 1], 0)) : 1
                area += divideNoNaN(slope * (dtp + intercept * Foundation.log(ratio)), Swift.max(tp[i + 1] + fn[i + 1], 0))
            }
        }
        return Tensor(Float(area))
    }

    public override func resetState() { counts.reset() }

    /// True positives, false positives, true negatives, false negatives, per threshold.
    public override var additiveState: [Double]? {
        get { tp + fp + tn + fn }
        set {
            let n = numThresholds
            guard let v = newValue, v.count == 4 * n else { return }
            (counts.truePositives, counts.falsePositives, counts.trueNegatives, counts.falseNegatives) =
                (Array(v[0..<n]), Array(v[n..<2 * n]), Array(v[2 * n..<3 * n]), Array(v[3 * n..<4 * n]))
        }
    }
}

/// The F-beta score per class, or averaged (`keras.metrics.FBetaScore`), for `[batch, classes]`
/// inputs. Without `threshold`, each row's maximum counts as the positive prediction.
///
/// ```swift
/// let f = FBetaScore(average: .macro, beta: 2, threshold: 0.5)
/// ```
open class FBetaScore: Metric, @unchecked Sendable {
    /// How per-class scores are averaged, as Keras's `average` (`nil` keeps one score per class).
    public enum Average: String, Sendable { case micro, macro, weighted }
    /// The `average` this `FBetaScore` was created with.
    public let average: Average?
    /// The `beta` this `FBetaScore` was created with.
    public let beta: Double
    /// The `threshold` this `FBetaScore` was created with.
    public let threshold: Double?
    var truePositives: [Double] = [], falsePositives: [Double] = [], falseNegatives: [Double] = [], intermediateWeights: [Double] = []

    /// Keras's rule for `beta`: a positive (finite) float.
    static func validate(beta: Double) throws {
        try ensure(beta > 0 && beta.isFinite, "FBetaScore: `beta` must be a positive float, received \(beta)")
    }

    /// Creates a `FBetaScore` with Keras's arguments and defaults (the names in Swift case).
    public init(average: Average? = nil, beta: Double = 1, threshold: Double? = nil, name: String = "fbeta_score") {
        requireValid { try FBetaScore.validate(beta: beta) }
        (self.average, self.beta, self.threshold) = (average, beta, threshold)
        super.init(name: name)
    }
    open override class var className: String { "FBetaScore" }
    open override func metricConfig() -> Config {
        ["average": ConfigValue(average?.rawValue), "beta": .double(beta), "threshold": ConfigValue(threshold)]
    }

    open override func updateState(yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor? = nil) {
        require(yTrue.rank == 2 && yPred.rank == 2,
                     "FBetaScore expects 2D inputs with shape (batch_size, output_dim). Received input shapes: y_pred.shape=\(yPred.shape) and y_true.shape=\(yTrue.shape).")
        let rows = yPred.shape[0], cols = yPred.shape[1]
        let size = average == .micro ? 1 : cols
        if truePositives.isEmpty {
            (truePositives, falsePositives, falseNegatives, intermediateWeights) = (Array(repeating: 0, count: size), Array(repeating: 0, count: size), Array(repeating: 0, count: size), Array(repeating: 0, count: size))
        }
        let pred = yPred.toArray(of: Float.self), truth = yTrue.toArray(of: Float.self)
        let weights = sampleWeight?.toArray(of: Float.self)
        for r in 0..<rows {
            var rowMax = -Float.infinity
            if threshold == nil { for c in 0..<cols { rowMax = Swift.max(rowMax, pred[r * cols + c]) } }
            let w = Double(weights?[r] ?? 1)
            for c in 0..<cols {
                let p = pred[r * cols + c]
                let positive: Double = (threshold.map { p > Float($0) } ?? (p >= rowMax && Swift.abs(p) > 1e-9)) ? 1 : 0
                let t = Double(truth[r * cols + c])
                let k = size == 1 ? 0 : c
                truePositives[k] += positive * t * w
                falsePositives[k] += positive * (1 - t) * w
                falseNegatives[k] += (1 - positive) * t * w
                intermediateWeights[k] += t * w
            }
        }
    }

    open override func result() -> Tensor {
        let eps = kerasEpsilon, b2 = beta * beta
        let scores = truePositives.indices.map { k -> Double in
            let precision = truePositives[k] / (truePositives[k] + falsePositives[k] + eps)
            let recall = truePositives[k] / (truePositives[k] + falseNegatives[k] + eps)
            return precision * recall / (b2 * precision + recall + eps) * (1 + b2)
        }
        switch average {
        case nil: return Tensor(shape: [scores.count], scalars: scores.map(Float.init))
        case .weighted:
            let total = intermediateWeights.reduce(0, +) + eps
            return Tensor(Float(zip(scores, intermediateWeights).map { $0 * $1 / total }.reduce(0, +)))
        case .micro, .macro:
            return Tensor(Float(scores.isEmpty ? 0 : scores.reduce(0, +) / Double(scores.count)))
        }
    }

    /// Zeros the state (its per-class size stays, as Keras's built variables do).
    open override func resetState() {
        for k in truePositives.indices { truePositives[k] = 0; falsePositives[k] = 0; falseNegatives[k] = 0; intermediateWeights[k] = 0 }
    }

    /// True positives, false positives, false negatives and class weights, per class (empty
    /// before the first batch sizes them).
    open override var additiveState: [Double]? {
        get { truePositives + falsePositives + falseNegatives + intermediateWeights }
        set {
            guard let v = newValue, v.count % 4 == 0 else { return }
            let n = v.count / 4
            (truePositives, falsePositives, falseNegatives, intermediateWeights) =
                (Array(v[0..<n]), Array(v[n..<2 * n]), Array(v[2 * n..<3 * n]), Array(v[3 * n..<4 * n]))
        }
    }
}

/// The F1 score (`keras.metrics.F1Score`): ``FBetaScore`` with `beta = 1`.
///
/// ```swift
/// let f1 = F1Score(average: .macro, threshold: 0.5)
/// ```
public final class F1Score: FBetaScore, @unchecked Sendable {
    /// Creates an `F1Score` with Keras's arguments and defaults (the names in Swift case).
    public init(average: Average? = nil, threshold: Double? = nil, name: String = "f1_score") {
        super.init(average: average, beta: 1, threshold: threshold, name: name)
    }
    public override class var className: String { "F1Score" }
    public override func metricConfig() -> Config { ["average": ConfigValue(average?.rawValue), "threshold": ConfigValue(threshold)] }
}
