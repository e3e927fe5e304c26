/// A callback made of closures (Keras's `LambdaCallback`); pass only the hooks you need.
///
/// ```swift
/// var losses: [Double] = []
/// let record = LambdaCallback(onEpochEnd: { epoch, logs in losses.append(logs["loss"]!) })
/// ```
public final class LambdaCallback: Callback, @unchecked Sendable {
    /// A hook that receives the logs.
    public typealias LogsHook = ([String: Double]) throws -> Void
    /// A hook that receives the epoch or batch index and the logs.
    public typealias IndexHook = (Int, [String: Double]) throws -> Void

    private let trainBegin, trainEnd, testBegin, testEnd, predictBegin, predictEnd: LogsHook?
    private let epochBegin, epochEnd, trainBatchBegin, trainBatchEnd: IndexHook?
    private let testBatchBegin, testBatchEnd, predictBatchBegin, predictBatchEnd: IndexHook?

    /// Creates a `LambdaCallback` with Keras's arguments and defaults (the names in Swift case).
    public init(onEpochBegin: IndexHook? = nil, onEpochEnd: IndexHook? = nil,
                onTrainBegin: LogsHook? = nil, onTrainEnd: LogsHook? = nil,
                onTrainBatchBegin: IndexHook? = nil, onTrainBatchEnd: IndexHook? = nil,
                onTestBegin: LogsHook? = nil, onTestEnd: LogsHook? = nil,
                onTestBatchBegin: IndexHook? = nil, onTestBatchEnd: IndexHook? = nil,
                onPredictBegin: LogsHook? = nil, onPredictEnd: LogsHook? = nil,
                onPredictBatchBegin: IndexHook? = nil, onPredictBatchEnd: IndexHook? = nil) {
        epochBegin = onEpochBegin; epochEnd = onEpochEnd
        trainBegin = onTrainBegin; trainEnd = onTrainEnd
        trainBatchBegin = onTrainBatchBegin; trainBatchEnd = onTrainBatchEnd
        testBegin = onTestBegin; testEnd = onTestEnd
        testBatchBegin = onTestBatchBegin; testBatchEnd = onTestBatchEnd
        predictBegin = onPredictBegin; predictEnd = onPredictEnd
        predictBatchBegin = onPredictBatchBegin; predictBatchEnd = onPredictBatchEnd
        super.init()
    }

    public override func onTrainBegin(logs: [String: Double]) throws { try trainBegin?(logs) }
    public override func onTrainEnd(logs: [String: Double]) throws { try trainEnd?(logs) }
    public override func onEpochBegin(_ epoch: Int, logs: [String: Double]) throws { try epochBegin?(epoch, logs) }
    public override func onEpochEnd(_ epoch: Int, logs: inout [String: Double]) throws { try epochEnd?(epoch, logs) }
    public override func onTrainBatchBegin(_ batch: Int, logs: [String: Double]) throws { try trainBatchBegin?(batch, logs) }
    public override func onTrainBatchEnd(_ batch: Int, logs: [String: Double]) throws { try trainBatchEnd?(batch, logs) }
    public override func onTestBegin(logs: [String: Double]) throws { try testBegin?(logs) }
    public override func onTestEnd(logs: [String: Double]) throws { try testEnd?(logs) }
    public override func onTestBatchBegin(_ batch: Int, logs: [String: Double]) throws { try testBatchBegin?(batch, logs) }
    public override func onTestBatchEnd(_ batch: Int, logs: [String: Double]) throws { try testBatchEnd?(batch, logs) }
    public override func onPredictBegin(logs: [String: Double]) throws { try predictBegin?(logs) }
    public override func onPredictEnd(logs: [String: Double]) throws { try predictEnd?(logs) }
    public override func onPredictBatchBegin(_ batch: Int, logs: [String: Double]) throws { try predictBatchBegin?(batch, logs) }
    public override func onPredictBatchEnd(_ batch: Int, logs: [String: Double]) throws { try predictBatchEnd?(batch, logs) }
}
