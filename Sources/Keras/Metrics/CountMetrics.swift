import KerasCore

/// The weighted count of one confusion-matrix condition per threshold (Keras's
/// `_ConfusionMatrixConditionCount`): the base of ``TruePositives``, ``FalsePositives``,
/// ``TrueNegatives`` and ``FalseNegatives``.
///
/// A prediction counts as positive above a threshold (`yPred > threshold`); labels count as
/// positive when non-zero. With several thresholds the result holds one count per threshold;
/// with one (a float, or a list of one) it is a scalar.
///
/// ```swift
/// let fp = FalsePositives(thresholds: [0.3, 0.7])
/// fp.updateState(yTrue: Tensor([0.0, 0.0, 1.0]), yPred: Tensor([0.5, 0.9, 0.8]))
/// fp.result()   // [2, 1]
/// ```
open class ConfusionConditionCount: Metric, @unchecked Sendable {
    /// The confusion-matrix cell a count metric accumulates.
    public enum Condition: String, Sendable {
        /// Label positive, prediction above the threshold.
        case truePositives = "tp"
        /// Label negative, prediction above the threshold.
        case falsePositives = "fp"
        /// Label negative, prediction at or below the threshold.
        case trueNegatives = "tn"
        /// Label positive, prediction at or below the threshold.
        case falseNegatives = "fn"
    }
    /// The cell this metric counts.
    public let condition: Condition
    /// The thresholds predictions are compared with (`[0.5]` by default).
    public let thresholds: [Double]
    let thresholdsConfig: ConfigValue
    var counts: ConfusionCounts

    init(condition: Condition, thresholds: [Double]?, single: Bool, name: String) {
        let values = thresholds ?? [0.5]
        requireValid { try ConfusionMetric.validate(thresholds: values, owner: name) }
        (self.condition, self.thresholds) = (condition, values)
        thresholdsConfig = thresholdsConfigValue(thresholds, single: single)
        counts = ConfusionCounts(thresholds: values)
        super.init(name: name)
    }

    /// The accumulated count per threshold (Keras's `accumulator` variable).
    public var accumulator: [Double] {
        switch condition {
        case .truePositives: counts.truePositives
        case .falsePositives: counts.falsePositives
        case .trueNegatives: counts.trueNegatives
        case .falseNegatives: counts.falseNegatives
        }
    }

    open override func updateState(yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor? = nil) {
        counts.update(yTrue: yTrue, yPred: yPred, sampleWeight: sampleWeight)
    }

    /// The count: a scalar for one threshold, else one per threshold.
    open override func result() -> Tensor {
        let values = accumulator
        return counts.perThreshold { values[$0] }
    }

    open override func resetState() { counts.reset() }

    /// The count per threshold (Keras's `accumulator`).
    open override var additiveState: [Double]? {
        get { accumulator }
        set {
            guard let v = newValue, v.count == thresholds.count else { return }
            switch condition {
            case .truePositives: counts.truePositives = v
            case .falsePositives: counts.falsePositives = v
            case .trueNegatives: counts.trueNegatives = v
            case .falseNegatives: counts.falseNegatives = v
            }
        }
    }

    /// `thresholds`: `null` when left out, else the float or list given.
    open override func metricConfig() -> Config { ["thresholds": thresholdsConfig] }
}

/// The weighted number of true positives: labels non-zero, predictions above the threshold
/// (`keras.metrics.TruePositives`).
///
/// ```swift
/// let m = TruePositives()
/// m.updateState(yTrue: Tensor([0.0, 1.0, 1.0, 1.0]), yPred: Tensor([1.0, 0.0, 1.0, 1.0]))
/// m.result()   // 2
/// ```
public final class TruePositives: ConfusionConditionCount, @unchecked Sendable {
    /// Creates a `TruePositives` with Keras's arguments and defaults (the names in Swift case);
    /// `thresholds` must lie in [0, 1].
    public init(thresholds: Double? = nil, name: String = "true_positives") {
        super.init(condition: .truePositives, thresholds: thresholds.map { [$0] }, single: true, name: name)
    }
    /// One count per threshold.
    public init(thresholds: [Double], name: String = "true_positives") {
        super.init(condition: .truePositives, thresholds: thresholds, single: false, name: name)
    }
    public override class var className: String { "TruePositives" }
}

/// The weighted number of false positives: labels zero, predictions above the threshold
/// (`keras.metrics.FalsePositives`).
///
/// ```swift
/// let m = FalsePositives()
/// m.updateState(yTrue: Tensor([0.0, 1.0, 0.0, 0.0]), yPred: Tensor([0.0, 0.0, 1.0, 1.0]))
/// m.result()   // 2
/// ```
public final class FalsePositives: ConfusionConditionCount, @unchecked Sendable {
    /// Creates a `FalsePositives` with Keras's arguments and defaults (the names in Swift case);
    /// `thresholds` must lie in [0, 1].
    public init(thresholds: Double? = nil, name: String = "false_positives") {
        super.init(condition: .falsePositives, thresholds: thresholds.map { [$0] }, single: true, name: name)
    }
    /// One count per threshold.
    public init(thresholds: [Double], name: String = "false_positives") {
        super.init(condition: .falsePositives, thresholds: thresholds, single: false, name: name)
    }
    public override class var className: String { "FalsePositives" }
}

/// The weighted number of true negatives: labels zero, predictions at or below the threshold
/// (`keras.metrics.TrueNegatives`).
///
/// ```swift
/// let m = TrueNegatives()
/// m.updateState(yTrue: Tensor([0.0, 1.0, 0.0, 0.0]), yPred: Tensor([1.0, 1.0, 0.0, 0.0]))
/// m.result()   // 2
/// ```
public final class TrueNegatives: ConfusionConditionCount, @unchecked Sendable {
    /// Creates a `TrueNegatives` with Keras's arguments and defaults (the names in Swift case);
    /// `thresholds` must lie in [0, 1].
    public init(thresholds: Double? = nil, name: String = "true_negatives") {
        super.init(condition: .trueNegatives, thresholds: thresholds.map { [$0] }, single: true, name: name)
    }
    /// One count per threshold.
    public init(thresholds: [Double], name: String = "true_negatives") {
        super.init(condition: .trueNegatives, thresholds: thresholds, single: false, name: name)
    }
    public override class var className: String { "TrueNegatives" }
}

/// The weighted number of false negatives: labels non-zero, predictions at or below the
/// threshold (`keras.metrics.FalseNegatives`).
///
/// ```swift
/// let m = FalseNegatives()
/// m.updateState(yTrue: Tensor([0.0, 1.0, 1.0, 1.0]), yPred: Tensor([0.0, 1.0, 0.0, 0.0]))
/// m.result()   // 2
/// ```
public final class FalseNegatives: ConfusionConditionCount, @unchecked Sendable {
    /// Creates a `FalseNegatives` with Keras's arguments and defaults (the names in Swift case);
    /// `thresholds` must lie in [0, 1].
    public init(thresholds: Double? = nil, name: String = "false_negatives") {
        super.init(condition: .falseNegatives, thresholds: thresholds.map { [$0] }, single: true, name: name)
    }
    /// One count per threshold.
    public init(thresholds: [Double], name: String = "false_negatives") {
        super.init(condition: .falseNegatives, thresholds: thresholds, single: false, name: name)
    }
    public override class var className: String { "FalseNegatives" }
}
