/// Stops training when a batch's `loss` is NaN or infinite (Keras's `TerminateOnNaN`): by setting
/// `stopTraining` (the default), or by throwing `KerasError/nonFiniteLoss(batch:loss:)` with
/// `raiseError: true`, which skips the other callbacks' end-of-training hooks.
///
/// ```swift
/// try model.fit(x, y, epochs: 5, callbacks: [TerminateOnNaN()])
/// ```
public final class TerminateOnNaN: Callback, @unchecked Sendable {
    /// The `raiseError` this `TerminateOnNaN` was created with.
    public let raiseError: Bool
    private let output: (String) -> Void

    /// Creates a `TerminateOnNaN` with Keras's arguments and defaults (the names in Swift case).
    public init(raiseError: Bool = false, output: @escaping (String) -> Void = Callback.printLine) {
        self.raiseError = raiseError
        self.output = output
        super.init()
    }

    public override func onTrainBatchEnd(_ batch: Int, logs: [String: Double]) throws {
        guard let loss = logs["loss"], !loss.isFinite else { return }
        if raiseError { throw KerasError.nonFiniteLoss(batch: batch, loss: loss) }
        output("Batch \(batch): Invalid loss, terminating training")
        model?.stopTraining = true
    }
}
