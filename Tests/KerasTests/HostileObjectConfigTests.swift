import Keras
import KerasTestSupport
import Testing

/// The optimizers, losses, metrics, initializers, regularizers, constraints and learning-rate
/// schedules of `hostile_configs.json` (as Keras serializes them), with every key replaced in turn
/// by hostile values. What loads is used as outside code uses it: optimizers, losses and metrics
/// through `compile`, `fit` and `evaluate`; the others called on weights (after their own shape
/// checks) and steps. Every outcome must be a result or a thrown `KerasError`.
///
/// A stop kills the test process: the case it was running is then the last line of
/// `$TMPDIR/keras-hostile-config-case.txt`.
@Suite(.serialized) struct HostileObjectConfigTests {
    static let hostile: [ConfigValue] = [-1, 0, 1, .int(1 << 40), 1e300, -1e300, .double(.nan), .double(.infinity), "x", true, nil,
                                         [], [-1], [:], [1, 2, 3], 2.5, -0.5]

    /// A small classifier's data: 8 samples of 4 features, 3 classes as ids and one-hot rows.
    static let x = Tensor.randomNormal([8, 4], seed: 1)
    static let ids = Tensor([0, 2, 1, 2, 0, 1, 1, 0])
    static let oneHot = ids.oneHot(depth: 3, dtype: .float32)

    /// Compiles a fresh 4 → 3 softmax model and fits and evaluates it (plain and sample-weighted).
    static func train(_ label: String, optimizer: any OptimizerConvertible = "sgd", loss: any LossConvertible = "mse",
                      metrics: [any MetricConvertible] = [], sparse: Bool = false) {
        let model = Sequential([InputLayer(shape: [4]), Dense(3, activation: .softmax)])
        let y = sparse ? ids : oneHot
        HostileConfigTests.expectNoStop("\(label): fit") {
            try model.compile(optimizer: optimizer, loss: loss, metrics: metrics)
            _ = try model.fit(x, y, batchSize: 4, epochs: 2, verbose: 0)
        }
        HostileConfigTests.expectNoStop("\(label): weighted fit and evaluate") {
            _ = try model.fit(x, y, batchSize: 3, verbose: 0, sampleWeight: Tensor([1, 0, 2, 1, 1, 1, 0.5, 1]))
            _ = try model.evaluate(x, y, verbose: 0)
        }
    }

    static func exercise(_ kind: String, _ entry: ConfigValue, _ label: String) {
        HostileConfigTests.expectNoStop(label) {
            switch kind {
            case "optimizers":
                train(label, optimizer: try deserializeOptimizer(entry))
            case "losses":
                let loss = try deserializeLoss(entry)
                train(label, loss: loss, sparse: type(of: loss).className.hasPrefix("Sparse"))
            case "metrics":
                let metric = try deserializeMetric(entry)
                train(label, loss: "mse", metrics: [metric], sparse: metric.className.hasPrefix("Sparse"))
            case "initializers":
                let initializer = try deserializeInitializer(entry)
                for shape in [[3, 4], [2, 3, 4], [], [0, 3]] where initializer.problem(forShape: shape, dtype: .float32) == nil {
                    HostileConfigTests.note("\(label) on \(shape)")
                    _ = initializer(shape, dtype: .float32)
                }
            case "regularizers":
                let regularizer = try deserializeRegularizer(entry)
                for w in [Tensor.randomNormal([3, 4], seed: 1), Tensor.zeros([0, 4]), Tensor.randomNormal([5], seed: 1)] {
                    HostileConfigTests.note("\(label) on \(w.shape)")
                    _ = regularizer(w)
                }
            case "constraints":
                let constraint = try deserializeConstraint(entry)
                for w in [Tensor.randomNormal([3, 4], seed: 1), Tensor.zeros([0, 4]), Tensor.randomNormal([5], seed: 1)]
                where constraint.problem(forWeightShape: w.shape) == nil {
                    HostileConfigTests.note("\(label) on \(w.shape)")
                    _ = constraint(w)
                }
            case "schedules":
                let schedule = try deserializeLearningRateSchedule(entry)
                for step in [0, 1, 10, 1 << 40, Int.max] {
                    HostileConfigTests.note("\(label) at step \(step)")
                    _ = schedule(step: step)
                }
            default:
                Issue.record("unknown kind \(kind)")
            }
        }
    }

    @Test func everySeedLoadsAsKerasWroteIt() {
        let loaders: [String: (ConfigValue) throws -> Any] = [
            "optimizers": deserializeOptimizer, "losses": deserializeLoss, "metrics": deserializeMetric,
            "initializers": deserializeInitializer, "regularizers": deserializeRegularizer,
            "constraints": deserializeConstraint, "schedules": deserializeLearningRateSchedule,
        ]
        for (kind, load) in loaders {
            for seed in HostileConfigTests.seeds["objects"]![kind]!.arrayValue! {
                let className = seed["class_name"]!.stringValue!
                #expect(throws: Never.self, "\(kind): \(className)") { _ = try load(seed) }
            }
        }
    }

    @Test(arguments: ["optimizers", "losses", "metrics", "initializers", "regularizers", "constraints", "schedules"])
    func everyKeyOfEveryConfig(_ kind: String) {
        for seed in HostileConfigTests.seeds["objects"]![kind]!.arrayValue! {
            let className = seed["class_name"]?.stringValue ?? "?"
            Self.exercise(kind, seed, "\(className) as Keras wrote it")
            for key in (seed["config"]?.objectValue?.keys.sorted() ?? []) where key != "name" {
                for value in Self.hostile {
                    Self.exercise(kind, HostileConfigTests.replacing(seed, at: ["config", key], with: value), "\(className) with \(key)=\(value)")
                }
            }
        }
    }
}
