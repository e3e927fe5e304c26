/// Sets the learning rate at the start of every epoch from `schedule(epoch, currentLR)` (Keras's
/// `LearningRateScheduler`), and logs it as `learning_rate` at the epoch's end.
///
/// ```swift
/// let scheduler = LearningRateScheduler { epoch, lr in epoch < 10 ? lr : lr * exp(-0.1) }
/// ```
public final class LearningRateScheduler: Callback, @unchecked Sendable {
    /// The `schedule` this `LearningRateScheduler` was created with.
    public let schedule: (Int, Double) -> Double
    /// The `verbose` this `LearningRateScheduler` was created with.
    public let verbose: Int
    private let output: (String) -> Void

    /// Creates a `LearningRateScheduler` with Keras's arguments and defaults (the names in Swift case).
    public init(verbose: Int = 0, output: @escaping (String) -> Void = Callback.printLine,
                _ schedule: @escaping (_ epoch: Int, _ learningRate: Double) -> Double) {
        self.schedule = schedule
        self.verbose = verbose
        self.output = output
        super.init()
    }

    private func currentRate() throws -> Double {
        guard let lr = model?.learningRate else {
            throw KerasError.unsupported(component: "LearningRateScheduler",
                                            reason: "Optimizer must have a \"learning_rate\" attribute.")
        }
        return lr
    }

    public override func onEpochBegin(_ epoch: Int, logs: [String: Double]) throws {
        let lr = schedule(epoch, try currentRate())
        model?.learningRate = lr
        if verbose > 0 {
            output("\nEpoch \(epoch + 1): LearningRateScheduler setting learning rate to \(PythonFormat.repr(lr)).")
        }
    }

    public override func onEpochEnd(_ epoch: Int, logs: inout [String: Double]) throws {
        logs["learning_rate"] = try currentRate()
    }
}
