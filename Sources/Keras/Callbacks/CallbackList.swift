import KerasCore

/// Calls a list of callbacks in order (Keras's `CallbackList`), adding the ``History`` and
/// ``ProgbarLogger`` that `fit` always has. Order: the given callbacks, then History, then the
/// progress bar, so both see what earlier callbacks add to the epoch logs.
///
/// ```swift
/// let callbacks = CallbackList([EarlyStopping(monitor: "loss")], addHistory: true, addProgbar: true,
///                              model: model, params: CallbackParams(epochs: 10, steps: 45, verbose: 1))
/// try callbacks.onTrainBegin(logs: [:])
/// ```
public final class CallbackList: Callback, @unchecked Sendable {
    /// The callbacks, in call order.
    public private(set) var callbacks: [Callback]
    /// The History callback (given or added).
    public private(set) var history: History?
    /// The progress-bar callback (given or added).
    public private(set) var progbar: ProgbarLogger?

    /// Groups `callbacks`, adding the `History` and progress bar callbacks when asked, as `fit` does.
    public init(_ callbacks: [Callback] = [], addHistory: Bool = false, addProgbar: Bool = false,
                model: (any TrainingTarget)? = nil, params: CallbackParams? = nil) {
        self.callbacks = callbacks
        super.init()
        history = callbacks.lazy.compactMap { $0 as? History }.first
        progbar = callbacks.lazy.compactMap { $0 as? ProgbarLogger }.first
        if history == nil && addHistory {
            let h = History()
            history = h
            self.callbacks.append(h)
        }
        if progbar == nil && addProgbar {
            let p = ProgbarLogger()
            progbar = p
            self.callbacks.append(p)
        }
        if let model { setModel(model) }
        if let params { setParams(params) }
    }

    /// Appends a callback.
    public func append(_ callback: Callback) {
        callbacks.append(callback)
        if let model { callback.setModel(model) }
        callback.setParams(params)
    }

    public override func setParams(_ params: CallbackParams) {
        super.setParams(params)
        for c in callbacks { c.setParams(params) }
    }

    public override func setModel(_ model: any TrainingTarget) {
        super.setModel(model)
        for c in callbacks { c.setModel(model) }
    }

    public override func onTrainBegin(logs: [String: Double]) throws { for c in callbacks { try c.onTrainBegin(logs: logs) } }
    public override func onTrainEnd(logs: [String: Double]) throws { for c in callbacks { try c.onTrainEnd(logs: logs) } }
    public override func onEpochBegin(_ epoch: Int, logs: [String: Double]) throws {
        for c in callbacks { try c.onEpochBegin(epoch, logs: logs) }
    }
    public override func onEpochEnd(_ epoch: Int, logs: inout [String: Double]) throws {
        for c in callbacks { try c.onEpochEnd(epoch, logs: &logs) }
    }
    public override func onTrainBatchBegin(_ batch: Int, logs: [String: Double]) throws {
        for c in callbacks { try c.onTrainBatchBegin(batch, logs: logs) }
    }
    public override func onTrainBatchEnd(_ batch: Int, logs: [String: Double]) throws {
        for c in callbacks { try c.onTrainBatchEnd(batch, logs: logs) }
    }
    public override func onTestBegin(logs: [String: Double]) throws { for c in callbacks { try c.onTestBegin(logs: logs) } }
    public override func onTestEnd(logs: [String: Double]) throws { for c in callbacks { try c.onTestEnd(logs: logs) } }
    public override func onTestBatchBegin(_ batch: Int, logs: [String: Double]) throws {
        for c in callbacks { try c.onTestBatchBegin(batch, logs: logs) }
    }
    public override func onTestBatchEnd(_ batch: Int, logs: [String: Double]) throws {
        for c in callbacks { try c.onTestBatchEnd(batch, logs: logs) }
    }
    public override func onPredictBegin(logs: [String: Double]) throws { for c in callbacks { try c.onPredictBegin(logs: logs) } }
    public override func onPredictEnd(logs: [String: Double]) throws { for c in callbacks { try c.onPredictEnd(logs: logs) } }
    public override func onPredictBatchBegin(_ batch: Int, logs: [String: Double]) throws {
        for c in callbacks { try c.onPredictBatchBegin(batch, logs: logs) }
    }
    public override func onPredictBatchEnd(_ batch: Int, logs: [String: Double]) throws {
        for c in callbacks { try c.onPredictBatchEnd(batch, logs: logs) }
    }
}
