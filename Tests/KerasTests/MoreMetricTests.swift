import Foundation
import Keras
import KerasTestSupport
import Testing

/// The count (`TruePositives` …), IoU and correlation metrics against real Keras
/// (`metrics_more.json`, from `metrics_more_generate.py`): three updates with and without sample
/// weights, the result after each and after reset, the variables, the configs Keras writes,
/// the string names `keras.metrics.get` takes, and a compiled model's evaluate and fit logs.
@Suite struct MoreMetricTests {
    static var fixture: [String: Any] { try! loadFixture("metrics_more.json") as! [String: Any] }

    /// Whether two config values agree (numbers by value, so `1` matches `1.0`).
    static func same(_ a: ConfigValue?, _ b: ConfigValue?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        if a == b { return true }
        if let x = a.doubleValue, let y = b.doubleValue { return x == y }
        if let x = a.arrayValue, let y = b.arrayValue { return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) } }
        return false
    }

    /// The metric's state as Keras's variables hold it.
    static func variables(of metric: Metric) -> [Tensor] {
        switch metric {
        case let m as ConfusionConditionCount: [Tensor(shape: [m.accumulator.count], doubles: m.accumulator, dtype: .float32)]
        case let m as IoU: [m.totalConfusionMatrix]
        case let m as Mean: [Tensor(Float(m.total)), Tensor(Float(m.count))]
        case let m as ConfusionMetric:
            // additiveState is tp + fp + fn: Precision keeps (tp, fp), Recall (tp, fn).
            { s in let n = s.count / 3
              let pick = m is Precision ? [0, 1] : [0, 2]
              return pick.map { Tensor(shape: [n], doubles: Array(s[($0 * n)..<($0 * n + n)]), dtype: .float32) } }(m.additiveState!)
        default: []
        }
    }

    @Test func updatesResultsVariablesAndConfigsMatchKeras() throws {
        for case let c as [String: Any] in Self.fixture["cases"] as! [Any] {
            let className = c["class_name"] as! String
            let label = "\(className) \(c["kwargs"]!) weighted=\(c["weighted"]!)"
            let serialized = ConfigValue.from(any: c["serialized"]!)
            let metric = try deserializeMetric(serialized)
            #expect(metric.className == className, "\(label)")
            #expect(metric.name == c["name"] as? String, "\(label)")
            for case let call as [String: Any] in c["calls"] as! [Any] {
                let sw = (call["sample_weight"] as? [String: Any]).map(tensorFromFixture)
                metric.updateState(yTrue: tensorFromFixture(call["y_true"]!), yPred: tensorFromFixture(call["y_pred"]!), sampleWeight: sw)
                assertClose(metric.result(), tensorFromFixture(call["result"]!), rtol: 1e-5, atol: 1e-6, label)
            }
            let expectedVariables = (c["variables"] as! [[String: Any]])
            let got = Self.variables(of: metric)
            #expect(got.count == expectedVariables.count, "\(label) variables")
            for (v, e) in zip(got, expectedVariables) {
                assertClose(v.cast(to: .float64), tensorFromFixture(e["value"]!).cast(to: .float64), rtol: 1e-5, atol: 1e-5, "\(label) \(e["path"]!)")
            }
            // additiveState carries the whole state: a fresh metric given it has the same result.
            let copy = try deserializeMetric(serialized)
            copy.additiveState = metric.additiveState
            assertClose(copy.result(), metric.result(), rtol: 1e-6, atol: 1e-7, "\(label) additiveState")

            metric.resetState()
            assertClose(metric.result(), tensorFromFixture(c["after_reset"]!), rtol: 1e-5, atol: 1e-6, "\(label) after reset")

            let expectedConfig = ConfigValue.from(any: c["config"]!).objectValue!
            let config = metric.getConfig()
            #expect(Set(config.keys) == Set(expectedConfig.keys), "\(label) config keys \(config.keys.sorted()) vs \(expectedConfig.keys.sorted())")
            for (key, value) in expectedConfig {
                #expect(Self.same(config[key], value), "\(label) config \(key): \(String(describing: config[key])) vs \(value)")
            }
            // What swift-keras writes loads back to the same config.
            let reloaded = try deserializeMetric(metric.serialize())
            #expect(reloaded.getConfig() == config, "\(label) round trip")
            #expect(metric.serialize()["class_name"]?.stringValue == serialized["class_name"]?.stringValue, "\(label)")
        }
    }

    @Test func swiftInitializersWriteKerasConfigs() {
        #expect(TruePositives().getConfig() == ["name": "true_positives", "dtype": "float32", "thresholds": nil])
        #expect(FalsePositives(thresholds: [0.2, 0.7]).getConfig()["thresholds"] == [0.2, 0.7])
        #expect(TrueNegatives(thresholds: 0.3).getConfig()["thresholds"] == 0.3)
        #expect(FalseNegatives().name == "false_negatives")
        #expect(BinaryIoU().getConfig() == ["name": "binary_io_u", "dtype": "int32", "target_class_ids": [0, 1], "threshold": 0.5])
        #expect(IoU(numClasses: 3, targetClassIds: [0, 2]).getConfig() ==
            ["name": "io_u", "dtype": "int32", "num_classes": 3, "target_class_ids": [0, 2], "ignore_class": nil,
             "sparse_y_true": true, "sparse_y_pred": true, "axis": -1])
        #expect(MeanIoU(numClasses: 3).targetClassIds == [0, 1, 2])
        #expect(OneHotIoU(numClasses: 3, targetClassIds: [1]).getConfig()["sparse_y_pred"] == false)
        #expect(OneHotMeanIoU(numClasses: 3).getConfig()["sparse_y_true"] == nil)
        #expect(PearsonCorrelation().getConfig() == ["name": "pearson_correlation", "dtype": "float32", "axis": -1])
        #expect(ConcordanceCorrelation(axes: [0, 1]).getConfig()["axis"] == [0, 1])
    }

    @Test func docExamplesGiveKerasValues() {
        // The values of Keras's own docstrings.
        let tp = TruePositives()
        tp.updateState(yTrue: Tensor([0.0, 1.0, 1.0, 1.0]), yPred: Tensor([1.0, 0.0, 1.0, 1.0]))
        assertClose([tp.resultValue], [2])
        tp.resetState()
        tp.updateState(yTrue: Tensor([0.0, 1.0, 1.0, 1.0]), yPred: Tensor([1.0, 0.0, 1.0, 1.0]), sampleWeight: Tensor([0.0, 0.0, 1.0, 0.0]))
        assertClose([tp.resultValue], [1])
        let fp = FalsePositives(thresholds: [0.3, 0.7])
        fp.updateState(yTrue: Tensor([0.0, 0.0, 1.0]), yPred: Tensor([0.5, 0.9, 0.8]))
        assertClose(fp.result(), Tensor([2.0, 1.0]))
        let biou = BinaryIoU(targetClassIds: [0, 1], threshold: 0.3)
        biou.updateState(yTrue: Tensor([0, 1, 0, 1]), yPred: Tensor([0.1, 0.2, 0.4, 0.7]))
        assertClose([biou.resultValue], [0.33333334], rtol: 1e-6)
        let iou = IoU(numClasses: 2, targetClassIds: [0])
        iou.updateState(yTrue: Tensor([0, 0, 1, 1]), yPred: Tensor([0, 1, 0, 1]))
        assertClose([iou.resultValue], [0.33333334], rtol: 1e-6)
        let pcc = PearsonCorrelation()
        pcc.updateState(yTrue: Tensor([[0, 1, 0.5], [1, 1, 0.2]]), yPred: Tensor([[0.1, 0.9, 0.5], [1, 0.9, 0.2]]))
        assertClose([pcc.resultValue], [0.9966996338993913], rtol: 1e-5)
        let ccc = ConcordanceCorrelation()
        ccc.updateState(yTrue: Tensor([[0, 1, 0.5], [1, 1, 0.2]]), yPred: Tensor([[0.1, 0.9, 0.5], [1, 0.9, 0.2]]))
        assertClose([ccc.resultValue], [0.9816320385426076], rtol: 1e-5)
    }

    @Test func stringNamesFollowKerasMetricsGet() throws {
        for (name, any) in Self.fixture["names"] as! [String: [String: Any]] {
            if any["error"] != nil {
                #expect(throws: KerasError.self, "\(name)") { try metricNamed(name) }
                continue
            }
            let metric = try metricNamed(name)
            #expect(metric.className == any["class_name"] as? String, "\(name)")
            if name.first!.isLowercase { #expect(metric.name == name, "\(name)") }
        }
    }

    /// Compiled from the compile config Keras wrote (as loading a `.keras` file does), a tiny
    /// model with Keras's weights logs what Keras's evaluate and fit log; saved and loaded, it
    /// still does.
    @Test func compiledModelLogsMatchKerasEvaluateAndFit() throws {
        let m = Self.fixture["model"] as! [String: Any]
        let compileConfig = ConfigValue.from(any: m["compile_config"]!).objectValue!
        let model = Sequential([InputLayer(shape: [4]), Dense(3, activation: .sigmoid)])
        try model.setWeights([tensorFromFixture(m["kernel"]!), tensorFromFixture(m["bias"]!)])
        try model.compile(config: compileConfig)
        let x = tensorFromFixture(m["x"]!), y = tensorFromFixture(m["y"]!), sw = tensorFromFixture(m["sample_weight"]!)

        func check(_ logs: [String: Double], _ expected: [String: Double], _ label: String) {
            #expect(Set(logs.keys) == Set(expected.keys), "\(label) keys \(logs.keys.sorted()) vs \(expected.keys.sorted())")
            for (key, value) in expected {
                assertClose([logs[key] ?? .nan], [value], rtol: 1e-4, atol: 1e-5, "\(label) \(key)")
            }
        }
        func logs(_ e: Evaluation) -> [String: Double] { Dictionary(uniqueKeysWithValues: zip(e.names, e.values)) }
        check(logs(try model.evaluate(x, y, batchSize: 4, verbose: 0)), m["evaluate"] as! [String: Double], "evaluate")
        check(logs(try model.evaluate(x, y, batchSize: 4, verbose: 0, sampleWeight: sw)), m["evaluate_weighted"] as! [String: Double], "weighted evaluate")

        // The compile config lists the metrics as Keras wrote them (names as given, objects serialized).
        for key in ["metrics", "weighted_metrics"] {
            let written = model.compileConfig![key]!.arrayValue!, expected = compileConfig[key]!.arrayValue!
            #expect(written.count == expected.count, "\(key)")
            for (w, e) in zip(written, expected) {
                if let name = e.stringValue { #expect(w.stringValue == name); continue }
                #expect(w["class_name"] == e["class_name"], "\(e)")
                for (k, value) in e["config"]!.objectValue! {
                    #expect(Self.same(w["config"]?[k], value), "\(e["class_name"]!) \(k): \(String(describing: w["config"]?[k])) vs \(value)")
                }
            }
        }

        // Saved and loaded (compile config included), the model logs the same.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("more-metrics-\(UUID().uuidString).keras").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.save(to: path)
        let loaded = try loadModel(path)
        check(logs(try loaded.evaluate(x, y, batchSize: 4, verbose: 0)), m["evaluate"] as! [String: Double], "loaded evaluate")

        let history = try model.fit(x, y, batchSize: 4, epochs: 1, verbose: 0, shuffle: false)
        check(history.history.mapValues { $0.last ?? .nan }, m["fit"] as! [String: Double], "fit")
    }

    @Test func badConfigsThrowNamingTheMetricAndKey() {
        let bad: [(String, Config, String)] = [
            ("TruePositives", ["thresholds": 1.5], "thresholds"),
            ("FalsePositives", ["thresholds": .double(.nan)], "thresholds"),
            ("TrueNegatives", ["thresholds": "x"], "thresholds"),
            ("FalseNegatives", ["thresholds": []], "thresholds"),
            ("FalseNegatives", ["thresholds": [0.2, "x"]], "thresholds"),
            ("TruePositives", ["top_k": 2], "top_k"),
            ("BinaryIoU", ["target_class_ids": [2]], "target_class_ids"),
            ("BinaryIoU", ["target_class_ids": []], "target_class_ids"),
            ("BinaryIoU", ["target_class_ids": [-1]], "target_class_ids"),
            ("BinaryIoU", ["target_class_ids": 1], "target_class_ids"),
            ("BinaryIoU", ["threshold": .double(.nan)], "threshold"),
            ("BinaryIoU", ["threshold": "x"], "threshold"),
            ("BinaryIoU", ["dtype": "bool"], "dtype"),
            ("IoU", ["target_class_ids": [0]], "num_classes"),
            ("IoU", ["num_classes": 0, "target_class_ids": [0]], "num_classes"),
            ("IoU", ["num_classes": .int(1 << 40), "target_class_ids": [0]], "num_classes"),
            ("IoU", ["num_classes": 3, "target_class_ids": [3]], "target_class_ids"),
            ("IoU", ["num_classes": 3, "target_class_ids": [0], "ignore_class": 1.5], "ignore_class"),
            ("IoU", ["num_classes": 3, "target_class_ids": [0], "axis": "x"], "axis"),
            ("MeanIoU", ["num_classes": -1], "num_classes"),
            ("MeanIoU", ["num_classes": 2.5], "num_classes"),
            ("OneHotIoU", ["num_classes": 3, "target_class_ids": [0], "sparse_y_true": false], "sparse_y_true"),
            ("OneHotMeanIoU", ["num_classes": 3, "sparse_y_pred": "x"], "sparse_y_pred"),
            ("PearsonCorrelation", ["axis": "x"], "axis"),
            ("PearsonCorrelation", ["axis": 2.5], "axis"),
            ("ConcordanceCorrelation", ["axis": []], "axis"),
            ("ConcordanceCorrelation", ["axis": [0, 0]], "axis"),
            ("ConcordanceCorrelation", ["reduction": "sum"], "reduction"),
        ]
        for (className, config, key) in bad {
            do {
                _ = try deserializeMetric(.object(["class_name": .string(className), "config": .object(config)]))
                Issue.record("\(className) \(config) loaded")
            } catch let KerasError.invalidConfig(message) {
                #expect(message.contains(className) && message.contains(key), "\(className) \(config): \(message)")
            } catch {
                Issue.record("\(className) \(config): \(error)")
            }
        }
    }

    @Test func dataTheMetricsCannotTakeThrowInFit() {
        let x = Tensor.randomNormal([6, 4], seed: 3)
        let ids = Tensor([0, 1, 2, 1, 0, 2])
        let oneHot = ids.oneHot(depth: 3, dtype: .float32)
        let cases: [(Metric, Tensor)] = [
            (PearsonCorrelation(axis: 2), oneHot),             // no axis 2
            (ConcordanceCorrelation(axes: [0, 5]), oneHot),
            (OneHotIoU(numClasses: 3, targetClassIds: [0], axis: 0), oneHot),   // the batch axis
            (OneHotMeanIoU(numClasses: 3, axis: 4), oneHot),
            (MeanIoU(numClasses: 3), oneHot),                   // 3 ids per sample against 3 one-hot… fine
        ]
        for (i, (metric, y)) in cases.enumerated() {
            let model = Sequential([InputLayer(shape: [4]), Dense(3, activation: .softmax)])
            do {
                try model.compile(optimizer: "sgd", loss: "mse", metrics: [metric])
                _ = try model.fit(x, y, batchSize: 3, verbose: 0)
                #expect(i == cases.count - 1, "\(metric.className) trained")
            } catch {
                #expect(error is KerasError, "\(metric.className): \(error)")
                #expect(i < cases.count - 1, "\(metric.className): \(error)")
            }
        }
        // Sparse labels (one per sample, `[batch, 1]` or `[batch]`) against dense predictions,
        // weighted too.
        for labels in [ids.reshaped(to: [6, 1]), ids] {
            let model = Sequential([InputLayer(shape: [4]), Dense(3, activation: .softmax)])
            let iou = IoU(numClasses: 3, targetClassIds: [1], sparseYPred: false)
            #expect(throws: Never.self, "labels of shape \(labels.shape)") {
                try model.compile(optimizer: "sgd", loss: "sparse_categorical_crossentropy",
                                  metrics: [MeanIoU(numClasses: 3, sparseYPred: false)], weightedMetrics: [iou])
                _ = try model.fit(x, labels, batchSize: 3, verbose: 0, sampleWeight: Tensor([1, 2, 0, 1, 1, 1]))
            }
            #expect(iou.totalConfusionMatrix.doubles.reduce(0, +) == 6)   // the epoch's weights, 1 + 2 + 0 + 1 + 1 + 1
        }
    }

    @Test func integerConfusionMatrixTruncatesAsKeras() {
        // Labels -0.5 and 0.7 truncate to 0, 1.9 to 1; -1 and 3 fall outside and are skipped;
        // weights truncate (2.7 → 2, 0.5 → 0).
        let iou = IoU(numClasses: 3, targetClassIds: [0, 1, 2])
        iou.updateState(yTrue: Tensor([-0.5, 0.7, 1.9, -1, 3, 2]), yPred: Tensor([0, 0, 1, 0, 1, 2]),
                        sampleWeight: Tensor([1, 2.7, 3, 1, 1, 0.5]))
        #expect(iou.totalConfusionMatrix.doubles == [3, 0, 0, 0, 3, 0, 0, 0, 0])
        let floats = IoU(numClasses: 3, targetClassIds: [0, 1, 2], dtype: .float32)
        floats.updateState(yTrue: Tensor([-0.5, 0.7, 1.9, -1, 3, 2]), yPred: Tensor([0, 0, 1, 0, 1, 2]),
                           sampleWeight: Tensor([1, 2.7, 3, 1, 1, 0.5]))
        assertClose(floats.totalConfusionMatrix.doubles, [2.7, 0, 0, 0, 3, 0, 0, 0, 0.5])
    }
}
