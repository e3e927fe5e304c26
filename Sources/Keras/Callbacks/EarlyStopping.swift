import KerasCore

/// Stops training when a monitored quantity has stopped improving (Keras's `EarlyStopping`).
///
/// After each epoch (from `startFromEpoch` on) the monitored value is compared with the best so far;
/// after `patience` epochs without an improvement of more than `minDelta`, training stops. With a
/// `baseline`, the wait only restarts once the value also beats the baseline. With
/// `restoreBestWeights`, the weights of the best epoch are put back when training ends, whether it
/// stopped early or ran to the end.
///
/// ```swift
/// let stop = EarlyStopping(monitor: "loss", patience: 3, restoreBestWeights: true)
/// let history = try model.fit(x, y, epochs: 100, callbacks: [stop])
/// stop.stoppedEpoch    // the 0-based epoch training stopped after (0 if it did not stop)
/// ```
public final class EarlyStopping: MonitorCallback, @unchecked Sendable {
    /// The `patience` this `EarlyStopping` was created with.
    public let patience: Int
    /// The `verbose` this `EarlyStopping` was created with.
    public let verbose: Int
    /// The `baseline` this `EarlyStopping` was created with.
    public let baseline: Double?
    /// The `restoreBestWeights` this `EarlyStopping` was created with.
    public let restoreBestWeights: Bool
    /// The `startFromEpoch` this `EarlyStopping` was created with.
    public let startFromEpoch: Int
    /// Epochs since the last improvement.
    public private(set) var wait = 0
    /// The epoch after which training was stopped, or 0.
    public private(set) var stoppedEpoch = 0
    /// The epoch with the best monitored value.
    public private(set) var bestEpoch = 0
    /// The weights saved at the best epoch (with `restoreBestWeights`).
    public private(set) var bestWeights: [Tensor]?
    private let output: (String) -> Void

    /// Creates an `EarlyStopping` with Keras's arguments and defaults (the names in Swift case).
    public init(monitor: String = "val_loss", minDelta: Double = 0, patience: Int = 0, verbose: Int = 0,
                mode: MonitorMode = .auto, baseline: Double? = nil, restoreBestWeights: Bool = false,
                startFromEpoch: Int = 0, output: @escaping (String) -> Void = Callback.printLine) {
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.restoreBestWeights = restoreBestWeights
        self.startFromEpoch = startFromEpoch
        self.output = output
        super.init(monitor: monitor, mode: mode, minDelta: minDelta)
    }

    public override func onTrainBegin(logs: [String: Double]) throws {
        wait = 0
        stoppedEpoch = 0
        best = nil
        bestWeights = nil
        bestEpoch = 0
    }

    public override func onEpochEnd(_ epoch: Int, logs: inout [String: Double]) throws {
        try resolveDirection()
        guard let current = logs[monitor] else {
            warnMissingMonitor("Early stopping", logs)
            return
        }
        if epoch < startFromEpoch { return }
        if restoreBestWeights && bestWeights == nil {
            bestWeights = model?.getWeights()
            bestEpoch = epoch
        }
        wait += 1
        if isImprovement(current, over: best) {
            best = current
            bestEpoch = epoch
            if restoreBestWeights { bestWeights = model?.getWeights() }
            if baseline == nil || isImprovement(current, over: baseline) { wait = 0 }
            return
        }
        if wait >= patience && epoch > 0 {
            stoppedEpoch = epoch
            model?.stopTraining = true
        }
    }

    public override func onTrainEnd(logs: [String: Double]) throws {
        if stoppedEpoch > 0 && verbose > 0 { output("Epoch \(stoppedEpoch + 1): early stopping") }
        if restoreBestWeights, let bestWeights {
            if verbose > 0 { output("Restoring model weights from the end of the best epoch: \(bestEpoch + 1).") }
            try model?.setWeights(bestWeights)
        }
    }
}
