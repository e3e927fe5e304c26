import Foundation
import KerasCore

/// What callbacks can see and steer of the model being trained. `Model` conforms; tests use
/// small fakes.
///
/// ```swift
/// final class Toy: TrainingTarget {
///     var stopTraining = false
///     var learningRate: Double? = 0.01
///     var weights = [Tensor.zeros([2])]
///     func getWeights() -> [Tensor] { weights }
///     func setWeights(_ w: [Tensor]) throws { weights = w }
/// }
/// ```
public protocol TrainingTarget: AnyObject {
    /// Set to `true` to end `fit` after the current epoch (or batch).
    var stopTraining: Bool { get set }
    /// The optimizer's learning rate, or `nil` when there is no optimizer (not compiled).
    var learningRate: Double? { get set }
    /// Copies of every weight, in a stable order.
    func getWeights() -> [Tensor]
    /// Restores weights produced by ``getWeights()``.
    func setWeights(_ weights: [Tensor]) throws
    /// Whether a logged metric improves upward (`.max`) or downward (`.min`); `nil` if unknown.
    /// Monitoring callbacks in `.auto` mode ask this first, then fall back to Keras's names.
    func monitorDirection(for metric: String) -> MonitorMode?
}

extension TrainingTarget {
    /// No preferred direction: monitoring callbacks fall back to Keras's rules for the metric's name.
    public func monitorDirection(for metric: String) -> MonitorMode? { nil }
}

/// The training parameters callbacks receive (`Callback.params` in Keras).
public struct CallbackParams: Sendable, Equatable {
    /// Number of epochs `fit` will run.
    public var epochs: Int
    /// Steps (batches) per epoch, or `nil` when unknown.
    public var steps: Int?
    /// Verbosity: 0 silent, 1 progress bar, 2 one line per epoch.
    public var verbose: Int

    /// The training parameters a callback receives: epochs, steps per epoch (`nil` when unknown) and verbosity.
    public init(epochs: Int = 1, steps: Int? = nil, verbose: Int = 1) {
        self.epochs = epochs
        self.steps = steps
        self.verbose = verbose
    }
}

/// Base class for training callbacks, with every Keras hook. Override the hooks you need;
/// `fit`, `evaluate` and `predict` call them through a ``CallbackList``.
///
/// Logs are `[String: Double]` (metric name → value). ``onEpochEnd(_:logs:)`` takes them `inout`:
/// as in Keras, a callback may add entries (``ReduceLROnPlateau`` adds `learning_rate`) that the
/// callbacks after it, including ``History``, then see.
///
/// ```swift
/// final class PrintLoss: Callback, @unchecked Sendable {
///     override func onEpochEnd(_ epoch: Int, logs: inout [String: Double]) throws {
///         print("epoch \(epoch): loss \(logs["loss"] ?? .nan)")
///     }
/// }
/// ```
///
/// Callbacks are `Sendable` so that `Task.detached { try model.fit(…, callbacks: […]) }` compiles;
/// `fit` calls them from its own thread only. Subclasses restate `@unchecked Sendable` (Swift's
/// rule for classes; without it the compiler warns).
open class Callback: @unchecked Sendable {
    /// The model being trained (held weakly: the model usually owns its callbacks' results).
    public weak var model: (any TrainingTarget)?
    /// The parameters of the current `fit`/`evaluate`/`predict` call.
    public var params = CallbackParams()

    /// A callback attached to no model yet; `fit` sets its model and parameters.
    public init() {}

    /// Writes one line to standard output, as Keras's `io_utils.print_msg` does for callback
    /// messages (the default `output` of callbacks that print).
    public static let printLine: @Sendable (String) -> Void = { Progbar.writeToStandardOutput($0 + "\n") }

    /// Receives the `fit`/`evaluate`/`predict` parameters (called before any hook).
    open func setParams(_ params: CallbackParams) { self.params = params }
    /// Receives the model the callbacks act on.
    open func setModel(_ model: any TrainingTarget) { self.model = model }

    /// Start of `fit`.
    open func onTrainBegin(logs: [String: Double]) throws {}
    /// End of `fit` (after the last epoch, or after a callback set `stopTraining`).
    open func onTrainEnd(logs: [String: Double]) throws {}
    /// Start of an epoch (0-based).
    open func onEpochBegin(_ epoch: Int, logs: [String: Double]) throws {}
    /// End of an epoch, with its training and `val_` metrics; entries may be added for later callbacks.
    open func onEpochEnd(_ epoch: Int, logs: inout [String: Double]) throws {}
    /// Start of a training batch (0-based within the epoch).
    open func onTrainBatchBegin(_ batch: Int, logs: [String: Double]) throws {}
    /// End of a training batch, with the running epoch metrics.
    open func onTrainBatchEnd(_ batch: Int, logs: [String: Double]) throws {}
    /// Start of `evaluate` (and of validation inside `fit`).
    open func onTestBegin(logs: [String: Double]) throws {}
    /// End of `evaluate`, with its metrics.
    open func onTestEnd(logs: [String: Double]) throws {}
    /// Start of an evaluation batch.
    open func onTestBatchBegin(_ batch: Int, logs: [String: Double]) throws {}
    /// End of an evaluation batch, with the running metrics.
    open func onTestBatchEnd(_ batch: Int, logs: [String: Double]) throws {}
    /// Start of `predict`.
    open func onPredictBegin(logs: [String: Double]) throws {}
    /// End of `predict`.
    open func onPredictEnd(logs: [String: Double]) throws {}
    /// Start of a prediction batch.
    open func onPredictBatchBegin(_ batch: Int, logs: [String: Double]) throws {}
    /// End of a prediction batch.
    open func onPredictBatchEnd(_ batch: Int, logs: [String: Double]) throws {}
}


/// Writes a warning to standard error (Keras's `warnings.warn`).
func emitWarning(_ message: String) {
    FileHandle.standardError.write(("UserWarning: " + message + "\n").data(using: .utf8)!)
}
