/// Prints the progress bar of `fit`, `evaluate` and `predict` (Keras's `ProgbarLogger`; added by
/// `fit` when `verbose` is not 0). Prints `Epoch e/E` before each epoch when there is more than one,
/// a live ``Progbar`` during the epoch (values shown as logged, not re-averaged), and the final line
/// with the `val_` metrics. Validation inside `fit` draws no bar.
///
/// ```swift
/// let logger = ProgbarLogger()            // fit adds one for you
/// ```
public final class ProgbarLogger: Callback, @unchecked Sendable {
    private var progbar: Progbar?
    private var seen = 0
    private var target: Int?
    private var verbose = 1
    private var epochs = 1
    private var calledInFit = false
    private let isInteractive: Bool
    private let output: (String) -> Void
    private let clock: () -> Double

    /// `isInteractive`, `output` and `clock` are passed to each ``Progbar`` (inject them in tests).
    public init(isInteractive: Bool = Progbar.standardOutputIsTerminal,
                output: @escaping (String) -> Void = Progbar.writeToStandardOutput,
                clock: @escaping () -> Double = Progbar.systemClock) {
        self.isInteractive = isInteractive
        self.output = output
        self.clock = clock
        super.init()
    }

    public override func setParams(_ params: CallbackParams) {
        super.setParams(params)
        verbose = params.verbose
        epochs = params.epochs
        target = params.steps
    }

    public override func onTrainBegin(logs: [String: Double]) throws { calledInFit = true }

    public override func onTestBegin(logs: [String: Double]) throws {
        if !calledInFit { reset(); makeProgbarIfNeeded() }
    }

    public override func onPredictBegin(logs: [String: Double]) throws { reset(); makeProgbarIfNeeded() }

    public override func onEpochBegin(_ epoch: Int, logs: [String: Double]) throws {
        reset()
        makeProgbarIfNeeded()
        if verbose != 0 && epochs > 1 { output("Epoch \(epoch + 1)/\(epochs)\n") }
    }

    public override func onTrainBatchEnd(_ batch: Int, logs: [String: Double]) throws { updateProgbar(batch, logs) }

    public override func onTestBatchEnd(_ batch: Int, logs: [String: Double]) throws {
        if !calledInFit { updateProgbar(batch, logs) }
    }

    public override func onPredictBatchEnd(_ batch: Int, logs: [String: Double]) throws { updateProgbar(batch, [:]) }

    public override func onEpochEnd(_ epoch: Int, logs: inout [String: Double]) throws { finalize(logs) }

    public override func onTestEnd(logs: [String: Double]) throws { if !calledInFit { finalize(logs) } }

    public override func onPredictEnd(logs: [String: Double]) throws { finalize(logs) }

    private func reset() {
        seen = 0
        progbar = nil
    }

    private func makeProgbarIfNeeded() {
        if progbar == nil {
            progbar = Progbar(target: target, verbose: verbose, statelessMetrics: [], unitName: "step",
                              isInteractive: isInteractive, output: output, clock: clock)
        }
    }

    private func sortedItems(_ logs: [String: Double]) -> [(String, Double)] {
        logs.keys.sorted().map { ($0, logs[$0]!) }
    }

    private func updateProgbar(_ batch: Int, _ logs: [String: Double]) {
        makeProgbarIfNeeded()
        seen = batch + 1
        if verbose == 1 { progbar!.update(seen, values: sortedItems(logs), finalize: false) }
    }

    private func finalize(_ logs: [String: Double]) {
        makeProgbarIfNeeded()
        if target == nil {
            target = seen
            progbar!.target = seen
        }
        progbar!.update(target!, values: sortedItems(logs), finalize: true)
    }
}
