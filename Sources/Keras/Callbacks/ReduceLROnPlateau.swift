/// Reduces the learning rate when a monitored quantity has stopped improving (Keras's
/// `ReduceLROnPlateau`): after `patience` epochs without improvement, `lr = max(lr · factor, minLR)`,
/// then `cooldown` epochs pass before counting again. Adds `learning_rate` to the epoch logs.
///
/// ```swift
/// let plateau = ReduceLROnPlateau(monitor: "val_loss", factor: 0.2, patience: 5, minLR: 0.001)
/// ```
public final class ReduceLROnPlateau: MonitorCallback, @unchecked Sendable {
    /// The `factor` this `ReduceLROnPlateau` was created with.
    public let factor: Double
    /// The `patience` this `ReduceLROnPlateau` was created with.
    public let patience: Int
    /// The `verbose` this `ReduceLROnPlateau` was created with.
    public let verbose: Int
    /// The `cooldown` this `ReduceLROnPlateau` was created with.
    public let cooldown: Int
    /// The `minLR` this `ReduceLROnPlateau` was created with.
    public let minLR: Double
    /// Epochs left in the current cooldown.
    public private(set) var cooldownCounter = 0
    /// Epochs since the last improvement.
    public private(set) var wait = 0
    private let output: (String) -> Void

    /// `factor` must be below 1.
    public init(monitor: String = "val_loss", factor: Double = 0.1, patience: Int = 10, verbose: Int = 0,
                mode: MonitorMode = .auto, minDelta: Double = 1e-4, cooldown: Int = 0, minLR: Double = 0,
                output: @escaping (String) -> Void = Callback.printLine) {
        precondition(factor < 1, "ReduceLROnPlateau does not support a factor >= 1.0. Received factor=\(factor)")
        self.factor = factor
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.minLR = minLR
        self.output = output
        super.init(monitor: monitor, mode: mode, minDelta: minDelta)
    }

    /// Whether a cooldown is running.
    public var inCooldown: Bool { cooldownCounter > 0 }

    public override func onTrainBegin(logs: [String: Double]) throws {
        best = nil
        cooldownCounter = 0
        wait = 0
    }

    public override func onEpochEnd(_ epoch: Int, logs: inout [String: Double]) throws {
        try resolveDirection()
        guard let model, let learningRate = model.learningRate else {
            throw KerasError.unsupported(component: "ReduceLROnPlateau", reason: "the model has no optimizer learning rate")
        }
        logs["learning_rate"] = learningRate
        guard let current = logs[monitor] else {
            warnMissingMonitor("Learning rate reduction is", logs, suffix: ".")
            return
        }
        if inCooldown {
            cooldownCounter -= 1
            wait = 0
        }
        if isImprovement(current, over: best) {
            best = current
            wait = 0
        } else if !inCooldown {
            wait += 1
            if wait >= patience && learningRate > Double(Float(minLR)) {
                let newLR = Swift.max(learningRate * factor, minLR)
                model.learningRate = newLR
                if verbose > 0 {
                    output("\nEpoch \(epoch + 1): ReduceLROnPlateau reducing learning rate to \(PythonFormat.repr(newLR)).")
                }
                cooldownCounter = cooldown
                wait = 0
            }
        }
    }
}
