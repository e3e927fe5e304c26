import Foundation
import KerasCore

/// Logs training for TensorBoard (Keras's `TensorBoard` callback): event files under
/// `<logDir>/train` and `<logDir>/validation` that `tensorboard --logdir <logDir>` displays.
///
/// - Every epoch: `epoch_<metric>` scalars for every logged metric and `epoch_learning_rate` in
///   `train`, and the `val_` metrics (prefix removed) in `validation`, at step = epoch.
/// - With `updateFreq: .batch` or `.every(n)`: `batch_<metric>` scalars every n-th training batch,
///   at step = the global batch count (1-based, across epochs).
/// - After each validation or `evaluate`: `evaluation_<metric>_vs_iterations` in `validation`, at
///   step = the optimizer's iterations.
/// - With `histogramFreq: n`: a `<weight path>/histogram` histogram for every weight every n-th epoch.
/// - With `writeGraph` (default): the model's Keras JSON under the `keras` tag for the Graphs tab's
///   conceptual graph (Sequential and functional models, as in Keras).
/// - With `writeStepsPerSecond`: `epoch_steps_per_second` (and `batch_steps_per_second` with
///   batch updates).
///
/// ```swift
/// let tensorBoard = TensorBoard(logDir: "logs", histogramFreq: 1, updateFreq: .every(10))
/// try model.fit(x, y, epochs: 5, validationSplit: 0.2, callbacks: [tensorBoard])
/// // shell: tensorboard --logdir logs
/// ```
public final class TensorBoard: Callback, @unchecked Sendable {
    /// How often batch-level scalars are written.
    public enum UpdateFrequency: Sendable, Equatable {
        /// Only epoch-level scalars (Keras's `"epoch"`).
        case epoch
        /// Every batch (Keras's `"batch"`, the same as `.every(1)`).
        case batch
        /// Every n-th batch (Keras's integer `update_freq`).
        case every(Int)
    }

    /// The `logDir` this `TensorBoard` was created with.
    public let logDir: String
    /// The `histogramFreq` this `TensorBoard` was created with.
    public let histogramFreq: Int
    /// The `writeGraph` this `TensorBoard` was created with.
    public let writeGraph: Bool
    /// The `writeStepsPerSecond` this `TensorBoard` was created with.
    public let writeStepsPerSecond: Bool
    /// The `updateFreq` this `TensorBoard` was created with.
    public let updateFreq: UpdateFrequency

    private var trainWriter: SummaryWriter?
    private var validationWriter: SummaryWriter?
    private var globalTrainBatch = 0
    private var epochStart = Date()
    private var epochStartIterations = 0
    private var batchStart = Date()

    /// - Parameters:
    ///   - logDir: the directory receiving `train/` and `validation/` event files.
    ///   - histogramFreq: epochs between weight histograms; 0 (default) writes none.
    ///   - writeGraph: write the model's architecture for the Graphs tab.
    ///   - writeStepsPerSecond: also log training steps per second.
    ///   - updateFreq: `.epoch` (default), `.batch`, or `.every(n)` batches.
    public init(logDir: String = "logs", histogramFreq: Int = 0, writeGraph: Bool = true,
                writeStepsPerSecond: Bool = false, updateFreq: UpdateFrequency = .epoch) {
        self.logDir = logDir
        self.histogramFreq = histogramFreq
        self.writeGraph = writeGraph
        self.writeStepsPerSecond = writeStepsPerSecond
        self.updateFreq = updateFreq
        super.init()
    }

    /// The batch interval, or nil for epoch-only logging.
    private var batchInterval: Int? {
        switch updateFreq {
        case .epoch: nil
        case .batch: 1
        case .every(let n): n
        }
    }

    private func validate() throws {
        guard histogramFreq >= 0 else {
            throw KerasError.invalidArgument("TensorBoard: histogramFreq must be >= 0, got \(histogramFreq)")
        }
        if case .every(let n) = updateFreq, n < 1 {
            throw KerasError.invalidArgument("TensorBoard: updateFreq .every(n) needs n >= 1, got \(n)")
        }
    }

    private func train() throws -> SummaryWriter {
        if let trainWriter { return trainWriter }
        let writer = try SummaryWriter(logDir: (logDir as NSString).appendingPathComponent("train"))
        trainWriter = writer
        return writer
    }

    private func validation() throws -> SummaryWriter {
        if let validationWriter { return validationWriter }
        let writer = try SummaryWriter(logDir: (logDir as NSString).appendingPathComponent("validation"))
        validationWriter = writer
        return writer
    }

    private var kerasModel: Model? { model as? Model }

    public override func onTrainBegin(logs: [String: Double]) throws {
        try validate()
        globalTrainBatch = 0
        if writeGraph, let model = kerasModel, type(of: model) == Model.self || model is Sequential {
            try train().writeString(tag: "keras", model.toJSON(), plugin: "graph_keras_model",
                                    content: Array("1".utf8), step: 0)
        }
    }

    public override func onTrainEnd(logs: [String: Double]) throws {
        trainWriter?.close()
        validationWriter?.close()
        trainWriter = nil
        validationWriter = nil
    }

    public override func onEpochBegin(_ epoch: Int, logs: [String: Double]) throws {
        epochStart = Date()
        epochStartIterations = kerasModel?.optimizer?.iterations ?? 0
    }

    public override func onTrainBatchBegin(_ batch: Int, logs: [String: Double]) throws {
        globalTrainBatch += 1
        batchStart = Date()
    }

    public override func onTrainBatchEnd(_ batch: Int, logs: [String: Double]) throws {
        guard let interval = batchInterval, globalTrainBatch % interval == 0 else { return }
        let writer = try train()
        if writeStepsPerSecond {
            let seconds = Date().timeIntervalSince(batchStart)
            try writer.scalar("batch_steps_per_second", seconds > 0 ? 1 / seconds : 0, step: globalTrainBatch)
        }
        for (name, value) in logs.sorted(by: { $0.key < $1.key }) {
            try writer.scalar("batch_\(name)", value, step: globalTrainBatch)
        }
    }

    public override func onTestEnd(logs: [String: Double]) throws {
        guard let optimizer = kerasModel?.optimizer, !logs.isEmpty else { return }
        let writer = try validation()
        for (name, value) in logs.sorted(by: { $0.key < $1.key }) {
            try writer.scalar("evaluation_\(name)_vs_iterations", value, step: optimizer.iterations)
        }
        if trainWriter == nil { writer.flush() }
    }

    public override func onEpochEnd(_ epoch: Int, logs: inout [String: Double]) throws {
        var trainLogs = logs.filter { !$0.key.hasPrefix("val_") }
        let validationLogs = logs.filter { $0.key.hasPrefix("val_") }
        if let rate = model?.learningRate { trainLogs["learning_rate"] = rate }
        if writeStepsPerSecond {
            let seconds = Date().timeIntervalSince(epochStart)
            let steps = (kerasModel?.optimizer?.iterations ?? 0) - epochStartIterations
            trainLogs["steps_per_second"] = seconds > 0 ? Double(steps) / seconds : 0
        }
        if !trainLogs.isEmpty {
            let writer = try train()
            for (name, value) in trainLogs.sorted(by: { $0.key < $1.key }) {
                try writer.scalar("epoch_\(name)", value, step: epoch)
            }
        }
        if !validationLogs.isEmpty {
            let writer = try validation()
            for (name, value) in validationLogs.sorted(by: { $0.key < $1.key }) {
                try writer.scalar("epoch_\(name.dropFirst(4))", value, step: epoch)
            }
            writer.flush()
        }
        if histogramFreq > 0, epoch % histogramFreq == 0, let model = kerasModel {
            let writer = try train()
            for (path, variable) in Self.weightPaths(of: model) {
                try writer.histogram("\(path.replacingOccurrences(of: ":", with: "_"))/histogram", variable.value, step: epoch)
            }
        }
        trainWriter?.flush()
    }

    /// Keras's `variable.path` for each layer's weights: `<layer>/<weight>`, prefixed with the
    /// model's name in a Sequential model (whose layers are built in its name scope).
    static func weightPaths(of model: Model) -> [(String, Variable)] {
        let prefix = model is Sequential ? model.name + "/" : ""
        return model.layers.flatMap { layer in layer.weights.map { (prefix + layer.name + "/" + $0.name, $0) } }
    }
}
