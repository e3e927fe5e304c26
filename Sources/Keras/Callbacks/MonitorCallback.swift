/// Whether a monitored quantity should go down (`.min`), up (`.max`), or be inferred (`.auto`).
public enum MonitorMode: String, Sendable {
    /// `.min`: lower is better; `.max`: higher is better; `.auto`: from the metric's name, as Keras decides.
    case auto, min, max
}

/// Base class for callbacks that watch one logged quantity for improvement
/// (``EarlyStopping``, ``ReduceLROnPlateau``), following Keras's `MonitorCallback`.
///
/// In `.auto` mode the direction comes from the model (``TrainingTarget/monitorDirection(for:)``),
/// else from the name with any `val_` prefix removed: `loss` and error/hinge/crossentropy metrics go
/// down, accuracy-like and score metrics go up; anything else throws at the first epoch end,
/// asking for an explicit mode, as Keras does.
///
/// A value improves on the reference when `value + minDelta < best` (min) or
/// `value − minDelta > best` (max), compared in float32 as Keras's backend ops do (so values that
/// differ by less than float32 resolution are a tie, not an improvement).
///
/// ```swift
/// let stop = EarlyStopping(monitor: "val_accuracy", mode: .max, patience: 2)
/// ```
open class MonitorCallback: Callback, @unchecked Sendable {
    /// The logged quantity watched, e.g. `"val_loss"`.
    public let monitor: String
    /// The requested direction.
    public let mode: MonitorMode
    /// The absolute minimum change that counts as an improvement.
    public let minDelta: Double
    /// The best value seen so far (or the baseline before any).
    public internal(set) var best: Double?
    /// The resolved direction (`.min` or `.max`), known after the first epoch end.
    public private(set) var direction: MonitorMode?

    /// Creates a `MonitorCallback` with Keras's arguments and defaults (the names in Swift case).
    public init(monitor: String = "val_loss", mode: MonitorMode = .auto, baseline: Double? = nil, minDelta: Double = 0) {
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.minDelta = Swift.abs(minDelta)
        super.init()
    }

    static let increasingMetrics: Set<String> = [
        "accuracy", "acc", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
        "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "auc", "prc", "precision", "recall",
        "f1_score", "fbeta_score", "r2_score", "mean_iou", "iou", "cosine_similarity",
        "pearson_correlation", "concordance_correlation",
    ]
    static let decreasingMetrics: Set<String> = [
        "loss", "mean_squared_error", "mse", "mean_absolute_error", "mae", "mean_absolute_percentage_error",
        "mean_squared_logarithmic_error", "root_mean_squared_error", "logcosh", "hinge", "squared_hinge",
        "categorical_hinge", "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
        "kl_divergence", "poisson",
    ]

    /// Resolves `.auto` (once), throwing when the direction cannot be inferred.
    func resolveDirection() throws {
        guard direction == nil else { return }
        switch mode {
        case .min, .max: direction = mode
        case .auto:
            let name = monitor.hasPrefix("val_") ? String(monitor.dropFirst(4)) : monitor
            if let d = model?.monitorDirection(for: name), d != .auto {
                direction = d
            } else if Self.decreasingMetrics.contains(name) {
                direction = .min
            } else if Self.increasingMetrics.contains(name) {
                direction = .max
            } else {
                throw KerasError.unsupported(
                    component: String(describing: type(of: self)),
                    reason: "received monitor=\(monitor), but cannot automatically determine whether that "
                        + "metric should be maximized or minimized. Pass `mode: .max` in order to monitor based "
                        + "on the highest metric value, or pass `mode: .min` in order to use the lowest value.")
            }
        }
    }

    private var warnedMissing = false

    /// Warns (once per callback, like Python's default warning filter) that `monitor` is absent.
    func warnMissingMonitor(_ what: String, _ logs: [String: Double], suffix: String = "") {
        guard !warnedMissing else { return }
        warnedMissing = true
        emitWarning("\(what) conditioned on metric `\(monitor)` which is not available. "
                    + "Available metrics are: \(logs.keys.sorted().joined(separator: ","))\(suffix)")
    }

    /// Keras's `_is_improvement`: true when there is no reference yet.
    func isImprovement(_ value: Double, over reference: Double?) -> Bool {
        guard let reference else { return true }
        if direction == .max {
            return Float(value - minDelta) > Float(reference)
        }
        return Float(value + minDelta) < Float(reference)
    }
}
