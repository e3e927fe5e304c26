import Foundation
import KerasCore

/// Flattened labels (as positive/negative), predictions and per-element weights, with Keras's
/// sample-weight broadcasting (`[batch]` weights apply to every element of a sample).
func flattenedConfusionInputs(_ yTrue: Tensor, _ yPred: Tensor, _ sampleWeight: Tensor?) -> (labels: [Bool], predictions: [Float], weights: [Double]?) {
    let (p, t) = squeezeOrExpandToSameRank(yPred.cast(to: .float32), yTrue.cast(to: .float32))
    var weights: [Double]? = nil
    if let sampleWeight {
        var w = sampleWeight.cast(to: .float32).expandingDims(at: -1)
        (_, w) = squeezeOrExpandToSameRank(t, w, expandRank1: false)
        weights = w.broadcast(to: p.shape).doubles
    }
    return (t.toArray(of: Float.self).map { $0 != 0 }, p.toArray(of: Float.self), weights)
}

/// Shared state of ``Precision`` and ``Recall``: weighted true/false positives/negatives per threshold.
open class ConfusionMetric: Metric, @unchecked Sendable {
    /// The `thresholds` this `ConfusionMetric` was created with.
    public let thresholds: [Double]
    let thresholdsConfig: ConfigValue
    var truePositives: [Double], falsePositives: [Double], falseNegatives: [Double]

    /// Keras's rule for `thresholds`: every value in [0, 1].
    static func validate(thresholds: [Double], owner: String) throws {
        try ensure(thresholds.allSatisfy { $0 >= 0 && $0 <= 1 }, "\(owner): `thresholds` must be in [0, 1], received \(thresholds)")
    }

    init(thresholds: [Double]?, single: Bool, name: String) {
        let values = thresholds ?? [0.5]
        requireValid { try ConfusionMetric.validate(thresholds: values, owner: name) }
        self.thresholds = values
        thresholdsConfig = thresholds.map { single ? .double($0[0]) : .array($0.map(ConfigValue.double)) } ?? .null
        (truePositives, falsePositives, falseNegatives) = (Array(repeating: 0, count: values.count), Array(repeating: 0, count: values.count), Array(repeating: 0, count: values.count))
        super.init(name: name)
    }

    open override func updateState(yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor? = nil) {
        let (labels, predictions, weights) = flattenedConfusionInputs(yTrue, yPred, sampleWeight)
        for (k, threshold) in thresholds.enumerated() {
            let th = Float(threshold)
            var tp = 0.0, fp = 0.0, fn = 0.0
            for i in predictions.indices {
                let w = weights?[i] ?? 1
                let positive = predictions[i] > th
                if labels[i] { if positive { tp += w } else { fn += w } } else if positive { fp += w }
            }
            truePositives[k] += tp; falsePositives[k] += fp; falseNegatives[k] += fn
        }
    }

    func perThreshold(_ f: (Int) -> Double) -> Tensor {
        let values = thresholds.indices.map { Float(f($0)) }
        return thresholdsConfig.arrayValue == nil ? Tensor(values[0]) : Tensor(shape: [values.count], scalars: values)
    }

    open override func resetState() {
        for i in thresholds.indices { truePositives[i] = 0; falsePositives[i] = 0; falseNegatives[i] = 0 }
    }

    /// True positives, false positives, false negatives, per threshold.
    open override var additiveState: [Double]? {
        get { truePositives + falsePositives + falseNegatives }
        set {
            let n = thresholds.count
            guard let v = newValue, v.count == 3 * n else { return }
            (truePositives, falsePositives, falseNegatives) = (Array(v[0..<n]), Array(v[n..<2 * n]), Array(v[2 * n..<3 * n]))
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
    private var tp: [Double], fp: [Double], tn: [Double], fn: [Double]

    /// Keras's rule for `num_thresholds`: more than 1.
    static func validate(numThresholds: Int) throws {
        try ensure(numThresholds > 1, "AUC: `num_thresholds` must be > 1, received \(numThresholds)")
    }

    /// Creates an `AUC` with Keras's arguments and defaults (the names in Swift case).
    public init(numThresholds: Int = 200, curve: Curve = .roc, fromLogits: Bool = false, name: String = "auc") {
        requireValid { try AUC.validate(numThresholds: numThresholds) }
        (self.numThresholds, self.curve, self.fromLogits) = (numThresholds, curve, fromLogits)
        (tp, fp, tn, fn) = ([Double](repeating: 0, count: numThresholds), [Double](repeating: 0, count: numThresholds), [Double](repeating: 0, count: numThresholds), [Double](repeating: 0, count: numThresholds))
        super.init(name: name)
    }
    public override class var className: String { "AUC" }
    public override func metricConfig() -> Config {
        ["num_thresholds": .int(numThresholds), "curve": .string(curve.rawValue), "summation_method": "interpolation",
         "multi_label": false, "num_labels": nil, "label_weights": nil, "from_logits": .bool(fromLogits)]
    }

    /// The thresholds: `−ε, 1/(n−1), …, (n−2)/(n−1), 1+ε`.
    public var thresholds: [Double] {
        [0 - kerasEpsilon] + (1..<(numThresholds - 1)).map { Double($0) / Double(numThresholds - 1) } + [1 + kerasEpsilon]
    }

    public override func updateState(yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor? = nil) {
        let (labels, predictions, weights) = flattenedConfusionInputs(yTrue, fromLogits ? yPred.cast(to: .float32).sigmoid() : yPred, sampleWeight)
        // Bucketing as Keras's evenly-spaced fast path: bucket = max(ceil(p·(n−1)) − 1, 0).
        var tpBucket = [Double](repeating: 0, count: numThresholds), fpBucket = tpBucket
        var totalTrue = 0.0, totalFalse = 0.0
        let scale = Float(numThresholds - 1)
        for i in predictions.indices {
            let p = Swift.min(Swift.max(predictions[i], 0), 1)
            let bucket = Swift.max(Int((p * scale).rounded(.up)) - 1, 0)
            let w = weights?[i] ?? 1
            if labels[i] { tpBucket[bucket] += w; totalTrue += w } else { fpBucket[bucket] += w; totalFalse += w }
        }
        var runningTP = 0.0, runningFP = 0.0
        for k in stride(from: numThresholds - 1, through: 0, by: -1) {
            runningTP += tpBucket[k]; runningFP += fpBucket[k]
            tp[k] += runningTP; fp[k] += runningFP
            fn[k] += totalTrue - runningTP; tn[k] += totalFalse - runningFP
        }
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

    public override func resetState() {
        for i in 0..<numThresholds { tp[i] = 0; fp[i] = 0; tn[i] = 0; fn[i] = 0 }
    }

    /// True positives, false positives, true negatives, false negatives, per threshold.
    public override var additiveState: [Double]? {
        get { tp + fp + tn + fn }
        set {
            let n = numThresholds
            guard let v = newValue, v.count == 4 * n else { return }
            (tp, fp, tn, fn) = (Array(v[0..<n]), Array(v[n..<2 * n]), Array(v[2 * n..<3 * n]), Array(v[3 * n..<4 * n]))
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
