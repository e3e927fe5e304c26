import Foundation
import Keras
import KerasTestSupport
import Testing

/// Optimizers against real Keras: three steps from fixed weights and gradients (fixtures from
/// `Tests/Fixtures/training_generate.py`).
@Suite struct OptimizerTests {
    var fixture: [String: Any] { try! loadFixture("training_optimizers.json") as! [String: Any] }

    static func makeOptimizer(_ c: [String: Any]) throws -> Optimizer {
        let kwargs = c["kwargs"] as! [String: Any]
        var config = ConfigValue.from(any: kwargs).objectValue!
        if var lr = config["learning_rate"]?.objectValue {
            lr["module"] = "keras.optimizers.schedules"
            config["learning_rate"] = .object(lr)
        }
        return try deserializeOptimizer(.object(["class_name": .string(c["class_name"] as! String), "config": .object(config)]))
    }

    @Test func threeStepsMatchKeras() throws {
        let weights = (fixture["weights"] as! [Any]).map(tensorFromFixture)
        let grads = (fixture["gradients"] as! [[Any]]).map { $0.map(tensorFromFixture) }
        for case let c as [String: Any] in fixture["cases"] as! [Any] {
            let label = "\(c["class_name"]!) \(c["kwargs"]!)"
            let optimizer = try Self.makeOptimizer(c)
            let vars = zip(weights, ["kernel", "bias"]).map { Variable($0, name: $1) }
            for (step, expected) in (c["steps"] as! [[Any]]).enumerated() {
                optimizer.apply(grads[step], to: vars)
                for (v, e) in zip(vars, expected) {
                    assertClose(v.value, tensorFromFixture(e), rtol: 1e-6, atol: 1e-7, "\(label) step \(step + 1)")
                }
            }
            #expect(optimizer.iterations == 3, "\(label)")
            // Slot variables: Keras's order and values.
            let names = (c["variable_names"] as! [String]).map { String($0.split(separator: "/").last!) }
            let slots = optimizer.variables
            #expect(slots.count == names.count, "\(label): \(slots.map(\.name)) vs \(names)")
            for (i, (v, e)) in zip(slots, c["final_slots"] as! [Any]).enumerated() where i > 0 {
                assertClose(v.value.cast(to: .float64), tensorFromFixture(e).cast(to: .float64), rtol: 1e-5, atol: 1e-7, "\(label) slot \(v.name)")
            }
            // Config keys and values match Keras (name aside: Keras numbers its instances).
            MoreOptimizerTests.expectConfig(optimizer.getConfig(), matches: c["config"]!, label)
        }
    }

    @Test func defaultsAndNames() throws {
        for (name, className, lr) in [("adam", "Adam", 0.001), ("sgd", "SGD", 0.01), ("rmsprop", "RMSprop", 0.001),
                                      ("adamw", "AdamW", 0.001), ("adagrad", "Adagrad", 0.001), ("adadelta", "Adadelta", 0.001),
                                      ("adamax", "Adamax", 0.001), ("nadam", "Nadam", 0.001), ("lion", "Lion", 0.001)] {
            let o = try Optimizer.named(name)
            #expect(o.className == className)
            #expect(o.getConfig()["learning_rate"]?.doubleValue == Double(Float(lr)))
            let round = try deserializeOptimizer(o.serialize())
            #expect(round.className == className && round.getConfig() == o.getConfig())
        }
        #expect(Adam().getConfig()["learning_rate"]?.doubleValue == 0.0010000000474974513)
        #expect(throws: KerasError.self) { try Optimizer.named("adamm") }
    }

    @Test func configuredOptimizersRoundTripThroughTheRegistry() throws {
        let schedule = CosineDecay(initialLearningRate: 0.1, decaySteps: 100, alpha: 0.1, warmupTarget: 0.2, warmupSteps: 5)
        let optimizers: [Optimizer] = [
            SGD(learningRate: 0.1, momentum: 0.9, nesterov: true, clipnorm: 1, name: "my_sgd"),
            Adam(learningRate: schedule, beta1: 0.8, amsgrad: true, weightDecay: 0.01, globalClipnorm: 2),
            AdamW(learningRate: 0.002, weightDecay: 0.1, clipvalue: 0.5),
            RMSprop(rho: 0.8, momentum: 0.5, centered: true),
            Adagrad(initialAccumulatorValue: 0.2, epsilon: 1e-6),
            Adadelta(learningRate: 1, rho: 0.9),
            Adamax(beta2: 0.99),
            Nadam(learningRate: PiecewiseConstantDecay(boundaries: [10, 20], values: [0.1, 0.01, 0.001])),
            Lion(beta1: 0.95, beta2: 0.98, weightDecay: 0.1),
        ]
        for o in optimizers {
            let copy = try deserializeOptimizer(o.serialize())
            #expect(type(of: copy) == type(of: o) && copy.className == type(of: o).className)
            #expect(copy.getConfig() == o.getConfig(), "\(o.className)")
            // Through JSON text too, as a saved file holds it.
            let json = try ConfigValue.parse(json: o.serialize().jsonString(sortedKeys: true))
            #expect(try deserializeOptimizer(json).getConfig() == o.getConfig(), "\(o.className) via JSON")
        }
        #expect(SGD.className == "SGD" && AdamW.className == "AdamW" && Optimizer.className == "Optimizer")
        #expect(try Optimizer.named("RMSprop").className == "RMSprop")
        #expect(try Optimizer.named("adam_w") is AdamW)
        #expect(try deserializeOptimizer(["class_name": "adamax", "config": ["beta_1": 0.5]]) is Adamax)
    }

    @Test func constraintsRunAfterTheUpdateAndFloat64Works() {
        let v = Variable(Tensor([1.0, -2.0], dtype: .float64), name: "w")
        v.constraint = { $0.maximum(0) }
        let sgd = SGD(learningRate: 0.5)
        sgd.apply([Tensor([1.0, 1.0], dtype: .float64)], to: [v])
        #expect(v.value.doubles == [0.5, 0])
        #expect(v.dtype == .float64)
        let adam = Adam(learningRate: 0.1)
        let w = Variable(Tensor([1.0], dtype: .float64))
        adam.apply([Tensor([2.0], dtype: .float64)], to: [w])
        assertClose(w.value.doubles, [0.9], rtol: 1e-12)
    }

    @Test func weightDecayExclusionAndSettingLearningRate() {
        let adam = Adam(learningRate: 0.1, weightDecay: 0.5)
        let kernel = Variable(Tensor([1.0]), name: "kernel"), bias = Variable(Tensor([1.0]), name: "bias")
        adam.excludeFromWeightDecay(names: ["bias"])
        adam.apply([Tensor([0.0]), Tensor([0.0])], to: [kernel, bias])
        assertClose(kernel.value.doubles, [0.95])
        #expect(bias.value.doubles == [1.0])
        adam.learningRate = 0.25
        #expect(adam.learningRate == 0.25)
        #expect(adam.variables.map(\.name) == ["iteration", "learning_rate", "kernel_momentum", "kernel_velocity", "bias_momentum", "bias_velocity"])
    }
}
