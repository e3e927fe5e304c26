/// Records the epoch logs of `fit` (always added; `fit` returns it).
///
/// ```swift
/// let history = try model.fit(x, y, epochs: 3)
/// history.history["loss"]    // [0.91, 0.55, 0.42]
/// history.keys               // ["accuracy", "loss", "val_accuracy", "val_loss"] (sorted)
/// ```
public final class History: Callback, @unchecked Sendable {
    /// The epoch indices seen in the last `fit`.
    public private(set) var epoch: [Int] = []
    /// Metric name → one value per epoch (accumulates across `fit` calls, as in Keras).
    public private(set) var history: [String: [Double]] = [:]

    public override init() { super.init() }

    /// The recorded metric names, sorted (Keras's key order).
    public var keys: [String] { history.keys.sorted() }

    public override func onTrainBegin(logs: [String: Double]) throws { epoch = [] }

    public override func onEpochEnd(_ epoch: Int, logs: inout [String: Double]) throws {
        self.epoch.append(epoch)
        for (key, value) in logs { history[key, default: []].append(value) }
    }
}
