import Foundation
import Keras
import KerasTestSupport
import Testing

/// A training target whose learning rate is stored in float32, like a Keras optimizer variable,
/// and whose weights are `[epoch]` after each epoch, so restored weights name their epoch.
final class FakeTrainingTarget: TrainingTarget {
    var stopTraining = false
    private var rate: Float
    var weights: [Tensor] = [Tensor([-1.0])]
    var directions: [String: MonitorMode] = [:]

    init(learningRate: Double = 0.1) { rate = Float(learningRate) }

    var learningRate: Double? {
        get { Double(rate) }
        set { rate = Float(newValue!) }
    }
    func getWeights() -> [Tensor] { weights }
    func setWeights(_ w: [Tensor]) throws { weights = w }
    func monitorDirection(for metric: String) -> MonitorMode? { directions[metric] }
}

private func number(_ any: Any?) -> Double? {
    switch any {
    case let s as String: return flattenNumbers(s)[0]
    case let n as NSNumber: return n.doubleValue
    default: return nil
    }
}

private func logsFrom(_ any: Any) -> [String: Double] {
    (any as! [String: Any]).mapValues { number($0)! }
}

/// Builds the Swift callback named in a fixture scenario.
private func makeCallback(_ spec: [String: Any], csvPath: String, output: @escaping (String) -> Void) -> Callback {
    let a = spec["args"] as? [String: Any] ?? [:]
    func d(_ k: String, _ v: Double) -> Double { number(a[k]) ?? v }
    func i(_ k: String, _ v: Int) -> Int { (a[k] as? Int) ?? v }
    let mode = MonitorMode(rawValue: a["mode"] as? String ?? "auto")!
    switch spec["kind"] as! String {
    case "EarlyStopping":
        return EarlyStopping(monitor: a["monitor"] as? String ?? "val_loss", minDelta: d("min_delta", 0),
                             patience: i("patience", 0), verbose: i("verbose", 0), mode: mode,
                             baseline: number(a["baseline"]), restoreBestWeights: a["restore_best_weights"] as? Bool ?? false,
                             startFromEpoch: i("start_from_epoch", 0), output: output)
    case "ReduceLROnPlateau":
        return ReduceLROnPlateau(monitor: a["monitor"] as? String ?? "val_loss", factor: d("factor", 0.1),
                                 patience: i("patience", 10), verbose: i("verbose", 0), mode: mode,
                                 minDelta: d("min_delta", 1e-4), cooldown: i("cooldown", 0), minLR: d("min_lr", 0),
                                 output: output)
    case "LearningRateScheduler":
        let schedules: [String: (Int, Double) -> Double] = [
            "halve_after_2": { epoch, lr in epoch < 2 ? lr : lr * 0.5 },
            "linear_decay": { epoch, _ in 0.1 / Double(1 + epoch) },
        ]
        return LearningRateScheduler(verbose: i("verbose", 0), output: output, schedules[a["schedule"] as! String]!)
    case "CSVLogger":
        return CSVLogger(csvPath, separator: a["separator"] as? String ?? ",", append: a["append"] as? Bool ?? false)
    case "TerminateOnNaN":
        return TerminateOnNaN(output: output)
    default:
        fatalError("unknown callback \(spec)")
    }
}

@Suite("Callbacks against Keras 3")
struct CallbackFixtureTests {
    static var cases: [[String: Any]] {
        let root = try! loadFixture("callbacks.json") as! [String: Any]
        return root["cases"] as! [[String: Any]]
    }

    static var names: [String] { cases.map { ($0["scenario"] as! [String: Any])["name"] as! String } }

    @Test("replays the Keras scenario", arguments: names)
    func scenario(_ name: String) throws {
        let c = Self.cases.first { ($0["scenario"] as! [String: Any])["name"] as! String == name }!
        let s = c["scenario"] as! [String: Any], e = c["expected"] as! [String: Any]
        let epochLogs = (s["logs"] as! [Any]).map(logsFrom)
        let batchLosses = (s["batch_losses"] as? [String: [Any]] ?? [:]).mapValues { $0.map { number($0)! } }

        let csvPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("callbacks-\(name)-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: csvPath) }
        if let prefill = s["csv_prefill"] as? String {
            try prefill.write(toFile: csvPath, atomically: true, encoding: .utf8)
        }

        var stdout = ""
        let model = FakeTrainingTarget(learningRate: number(s["lr"]) ?? 0.1)
        let callbacks = (s["callbacks"] as! [[String: Any]]).map {
            makeCallback($0, csvPath: csvPath, output: { stdout += $0 + "\n" })
        }
        var epochsRun = 0, batchesRun = 0
        var rates: [Double] = [], stopFlags: [Bool] = []
        var list: CallbackList!
        for _ in 0..<(s["runs"] as? Int ?? 1) {
            model.stopTraining = false
            list = CallbackList(callbacks, addHistory: true, model: model,
                                params: CallbackParams(epochs: epochLogs.count, steps: 1, verbose: 0))
            try list.onTrainBegin(logs: [:])
            for epoch in epochLogs.indices {
                try list.onEpochBegin(epoch, logs: [:])
                rates.append(model.learningRate!)
                for (b, loss) in (batchLosses[String(epoch)] ?? []).enumerated() {
                    try list.onTrainBatchEnd(b, logs: ["loss": loss])
                    batchesRun += 1
                    if model.stopTraining { break }
                }
                model.weights = [Tensor([Double(epoch)])]
                var logs = epochLogs[epoch]
                try list.onEpochEnd(epoch, logs: &logs)
                epochsRun += 1
                stopFlags.append(model.stopTraining)
                if model.stopTraining { break }
            }
            try list.onTrainEnd(logs: [:])
        }

        #expect(epochsRun == e["epochs_run"] as! Int)
        #expect(batchesRun == e["batches_run"] as! Int)
        #expect(stopFlags == e["stop_flags"] as! [Bool])
        #expect(rates == (e["learning_rates"] as! [Any]).map { number($0)! })
        #expect(model.learningRate == number(e["final_lr"]))
        #expect(model.weights[0].doubles == [number(e["final_weight"])!])
        #expect(stdout == e["stdout"] as! String)
        let history = list.history!
        #expect(history.epoch == e["history_epochs"] as! [Int])
        let expectedHistory = (e["history"] as! [String: [Any]]).mapValues { $0.map { number($0)! } }
        #expect(history.keys == expectedHistory.keys.sorted())
        for (key, values) in expectedHistory {
            let got = history.history[key] ?? []
            #expect(got.count == values.count && zip(got, values).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) },
                    "history[\(key)] = \(got), Keras \(values)")
        }
        if let stopper = callbacks.compactMap({ $0 as? EarlyStopping }).first {
            #expect(stopper.stoppedEpoch == e["stopped_epoch"] as! Int)
            #expect(stopper.bestEpoch == e["best_epoch"] as! Int)
            #expect(stopper.best == number(e["best"]))
        }
        if let csv = e["csv"] as? String {
            #expect(try String(contentsOfFile: csvPath, encoding: .utf8) == csv)
        } else {
            #expect(!FileManager.default.fileExists(atPath: csvPath))
        }
    }
}

@Suite("Callbacks")
struct CallbackTests {
    @Test("TerminateOnNaN(raiseError:) throws and names the batch")
    func terminateRaises() throws {
        let cb = TerminateOnNaN(raiseError: true)
        cb.setModel(FakeTrainingTarget())
        try cb.onTrainBatchEnd(0, logs: ["loss": 1])
        #expect(throws: KerasError.nonFiniteLoss(batch: 3, loss: .infinity)) {
            try cb.onTrainBatchEnd(3, logs: ["loss": .infinity])
        }
    }

    @Test("auto mode asks the model, then Keras's names, else throws")
    func autoMode() throws {
        let model = FakeTrainingTarget()
        let byName = EarlyStopping(monitor: "val_accuracy", patience: 0)
        byName.setModel(model)
        var logs: [String: Double] = ["val_accuracy": 0.5]
        try byName.onEpochEnd(0, logs: &logs)
        #expect(byName.direction == .max)

        model.directions["custom"] = .max
        let fromModel = EarlyStopping(monitor: "val_custom")
        fromModel.setModel(model)
        logs = ["val_custom": 1]
        try fromModel.onEpochEnd(0, logs: &logs)
        #expect(fromModel.direction == .max)

        let unknown = ReduceLROnPlateau(monitor: "mystery")
        unknown.setModel(model)
        logs = ["mystery": 1]
        #expect(throws: KerasError.self) { try unknown.onEpochEnd(0, logs: &logs) }
    }

    @Test("learning-rate callbacks need an optimizer")
    func noOptimizer() throws {
        final class NoOptimizer: TrainingTarget {
            var stopTraining = false
            var learningRate: Double? = nil
            func getWeights() -> [Tensor] { [] }
            func setWeights(_ w: [Tensor]) throws {}
        }
        let scheduler = LearningRateScheduler { _, lr in lr }
        scheduler.setModel(NoOptimizer())
        #expect(throws: KerasError.self) { try scheduler.onEpochBegin(0, logs: [:]) }
    }

    @Test("LambdaCallback and CallbackList call every hook in order")
    func lambdaHooks() throws {
        var calls: [String] = []
        let lambda = LambdaCallback(
            onEpochBegin: { e, _ in calls.append("epochBegin \(e)") },
            onEpochEnd: { e, logs in calls.append("epochEnd \(e) \(logs["loss"]!)") },
            onTrainBegin: { _ in calls.append("trainBegin") }, onTrainEnd: { _ in calls.append("trainEnd") },
            onTrainBatchBegin: { b, _ in calls.append("batchBegin \(b)") },
            onTrainBatchEnd: { b, _ in calls.append("batchEnd \(b)") },
            onTestBegin: { _ in calls.append("testBegin") }, onTestEnd: { _ in calls.append("testEnd") },
            onTestBatchBegin: { b, _ in calls.append("testBatchBegin \(b)") },
            onTestBatchEnd: { b, _ in calls.append("testBatchEnd \(b)") },
            onPredictBegin: { _ in calls.append("predictBegin") }, onPredictEnd: { _ in calls.append("predictEnd") },
            onPredictBatchBegin: { b, _ in calls.append("predictBatchBegin \(b)") },
            onPredictBatchEnd: { b, _ in calls.append("predictBatchEnd \(b)") })
        let list = CallbackList([lambda], addHistory: true, model: FakeTrainingTarget(),
                                params: CallbackParams(epochs: 1, steps: 1, verbose: 0))
        try list.onTrainBegin(logs: [:])
        try list.onEpochBegin(0, logs: [:])
        try list.onTrainBatchBegin(0, logs: [:])
        try list.onTrainBatchEnd(0, logs: ["loss": 2])
        try list.onTestBegin(logs: [:])
        try list.onTestBatchBegin(0, logs: [:])
        try list.onTestBatchEnd(0, logs: [:])
        try list.onTestEnd(logs: [:])
        var logs: [String: Double] = ["loss": 1.5]
        try list.onEpochEnd(0, logs: &logs)
        try list.onTrainEnd(logs: [:])
        try list.onPredictBegin(logs: [:])
        try list.onPredictBatchBegin(0, logs: [:])
        try list.onPredictBatchEnd(0, logs: [:])
        try list.onPredictEnd(logs: [:])
        #expect(calls == ["trainBegin", "epochBegin 0", "batchBegin 0", "batchEnd 0", "testBegin", "testBatchBegin 0",
                          "testBatchEnd 0", "testEnd", "epochEnd 0 1.5", "trainEnd", "predictBegin",
                          "predictBatchBegin 0", "predictBatchEnd 0", "predictEnd"])
        #expect(list.history!.history == ["loss": [1.5]])
        #expect(list.callbacks.count == 2)
        #expect(lambda.params == CallbackParams(epochs: 1, steps: 1, verbose: 0))
    }

    @Test("CSVLogger reports an unwritable path")
    func csvUnwritable() {
        let logger = CSVLogger("/nonexistent-dir-\(UUID().uuidString)/log.csv")
        #expect(throws: KerasError.self) { try logger.onTrainBegin(logs: [:]) }
    }
}
