import Foundation
import Keras
import KerasTestSupport
import Testing

/// One optimizer or schedule config from `Tests/Fixtures/optimizers_validation_generate.py`, with
/// whether real Keras rejected it.
struct ValidationCase: Sendable, CustomTestStringConvertible {
    let group: String
    let kind: String
    let className: String
    let config: ConfigValue
    let kerasRaises: Bool

    var testDescription: String { "\(className) \(config.jsonString(sortedKeys: true))" }

    /// swift-keras rejects what Keras rejects, and (group "beyond_keras") what Keras accepts but
    /// cannot train with.
    var mustBeRejected: Bool { group == "beyond_keras" || kerasRaises }

    static let all: [ValidationCase] = {
        let fixture = try! loadFixture("optimizers_validation.json") as! [String: Any]
        return (fixture["cases"] as! [[String: Any]]).map {
            ValidationCase(group: $0["group"] as! String, kind: $0["kind"] as! String, className: $0["class_name"] as! String,
                           config: ConfigValue.from(any: $0["config"]!), kerasRaises: $0["keras_raises"] as! Bool)
        }
    }()

    /// Deserializes the case through the public config path.
    func deserialize() throws {
        let value = ConfigValue.object(["class_name": .string(className), "config": config])
        if kind == "optimizer" { _ = try deserializeOptimizer(value) } else { _ = try deserializeLearningRateSchedule(value) }
    }
}

/// Optimizer and schedule arguments: the config path throws `KerasError.invalidConfig` (never
/// traps) for what Keras rejects and for values that cannot train; initializers stop with the
/// same message.
@Suite struct OptimizerValidationTests {
    @Test(arguments: ValidationCase.all)
    func configsAreAcceptedOrRejectedAsKerasDoes(_ c: ValidationCase) {
        do {
            try c.deserialize()
            #expect(!c.mustBeRejected, "accepted a config Keras rejects")
        } catch let error as KerasError {
            guard case .invalidConfig(let message) = error else {
                Issue.record("expected invalidConfig, got \(error)")
                return
            }
            #expect(c.mustBeRejected, "rejected a config Keras accepts: \(message)")
        } catch {
            Issue.record("unexpected error type: \(error)")
        }
    }

    /// Values JSON from Keras cannot hold but a hand-built or hostile config can: wrong types,
    /// NaN, infinities, integers past Int32.
    @Test(arguments: [
        ("SGD", ["momentum": ConfigValue.double(.nan)]),
        ("Adam", ["learning_rate": .double(.infinity)]),
        ("Adam", ["learning_rate": .double(-.infinity)]),
        ("Adam", ["epsilon": .double(.nan)]),
        ("RMSprop", ["rho": .string("0.9")]),
        ("Adam", ["amsgrad": .int(1)]),
        ("SGD", ["nesterov": .string("true")]),
        ("Adam", ["name": .int(3)]),
        ("Adam", ["clipnorm": .array([.double(1)])]),
        ("Adam", ["learning_rate": .bool(true)]),
        ("Adam", ["learning_rate": .object(["class_name": "NoSuchSchedule", "config": [:]])]),
        ("Adam", ["learning_rate": .object(["class_name": "ExponentialDecay",
                                            "config": ["initial_learning_rate": 0.1, "decay_steps": .int(Int.max), "decay_rate": 0.5]])]),
        ("Adam", ["learning_rate": .object(["class_name": "ExponentialDecay",
                                            "config": ["initial_learning_rate": .double(.nan), "decay_steps": 10, "decay_rate": 0.5]])]),
        ("Adam", ["learning_rate": .object(["class_name": "PiecewiseConstantDecay",
                                            "config": ["boundaries": [.double(1e300)], "values": [1.0, 0.5]]])]),
        ("Adam", ["learning_rate": .object(["class_name": "CosineDecay", "config": ["decay_steps": 10]])]),
        ("SGD", ["decay": .double(0.01)]),
        ("Adam", ["loss_scale_factor": .double(128)]),
    ] as [(String, Config)])
    func hostileConfigsThrow(_ className: String, _ config: Config) {
        let value = ConfigValue.object(["class_name": .string(className), "config": .object(config)])
        #expect {
            _ = try deserializeOptimizer(value)
        } throws: { error in
            guard case KerasError.invalidConfig = error else { return false }
            return true
        }
    }

    @Test func messagesNameTheClassTheArgumentAndTheValue() {
        func message(_ config: ConfigValue) -> String {
            do { _ = try deserializeOptimizer(config); return "" } catch { return "\(error)" }
        }
        #expect(message(["class_name": "SGD", "config": ["momentum": 5]]) == "SGD: `momentum` must be in [0, 1], received 5.0")
        #expect(message(["class_name": "Adam", "config": ["clipnorm": 1, "clipvalue": 0.5]])
                == "Adam: only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set, received clipnorm=1.0, clipvalue=0.5, global_clipnorm=None")
        #expect(message(["class_name": "SGD", "config": ["momentun": 0.9]]).contains("unexpected config keys \"momentun\""))
        #expect(message(["class_name": "AdamW", "config": ["learning_rate": -1]])
                == "AdamW: `learning_rate` must be a finite number ≥ 0, received -1.0")
    }

    @Test func initializersAcceptTheEdgesOfEachRange() {
        #expect(SGD(momentum: 1).momentum == 1)
        #expect(Lion(beta1: 1).beta1 == 1)
        #expect(Adam(beta1: 0, epsilon: 0).epsilon == 0)
        #expect(Adagrad(initialAccumulatorValue: 0).initialAccumulatorValue == 0)
        #expect(ExponentialDecay(initialLearningRate: 0, decaySteps: 1, decayRate: 0)(step: 0) == 0)
    }

    @Test func initializerStopsWithKerasMessage() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = SGD(momentum: 5)
        }
        if let result {
            let stderr = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(stderr.contains("SGD: `momentum` must be in [0, 1], received 5.0"), "stderr was: \(stderr)")
        }
    }

    @Test func clipnormWithGlobalClipnormStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Adam(clipnorm: 1, globalClipnorm: 1)
        }
        if let result {
            let stderr = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(stderr.contains("Adam: only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set"), "stderr was: \(stderr)")
        }
    }

    @Test func applyWithMismatchedGradientsStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            SGD().apply([Tensor([1.0, 2.0])], to: [Variable(Tensor([1.0, 2.0, 3.0]), name: "w")])
        }
        if let result {
            let stderr = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(stderr.contains("SGD.apply: gradient of shape (2,) for variable 'w' of shape (3,)"), "stderr was: \(stderr)")
        }
    }
}
