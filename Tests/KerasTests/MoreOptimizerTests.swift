import Foundation
@testable import Keras
import KerasTestSupport
import Testing

/// Ftrl, Lamb, Adafactor, the base optimizer's moving averages (`use_ema`) and
/// OrthogonalRegularizer against real Keras (fixtures from
/// `Tests/Fixtures/optimizers_more_generate.py`, JAX backend).
@Suite struct MoreOptimizerTests {
    static func fixture() throws -> [String: Any] { try loadFixture("optimizers_more.json") as! [String: Any] }

    static func cases(_ fixture: [String: Any]) -> [[String: Any]] { (fixture["cases"] as! [Any]).map { $0 as! [String: Any] } }

    /// The optimizer Keras built from `kwargs`, rebuilt from the same kwargs here.
    static func makeOptimizer(_ c: [String: Any]) throws -> Optimizer {
        var config = ConfigValue.from(any: c["kwargs"]!).objectValue!
        if var lr = config["learning_rate"]?.objectValue {
            lr["module"] = "keras.optimizers.schedules"
            config["learning_rate"] = .object(lr)
        }
        return try deserializeOptimizer(.object(["class_name": .string(c["class_name"] as! String), "config": .object(config)]))
    }

    static func label(_ c: [String: Any]) -> String { "\(c["class_name"]!) \(c["kwargs"]!)" }

    /// Every key of Keras's config, compared with `config` (the name aside: Keras numbers its instances).
    static func expectConfig(_ config: Config, matches keras: Any, _ label: String) {
        let expected = ConfigValue.from(any: keras).objectValue!
        #expect(Set(config.keys) == Set(expected.keys), "\(label): keys \(config.keys.sorted()) vs \(expected.keys.sorted())")
        for (key, value) in expected where key != "name" {
            if key == "learning_rate", let d = value.doubleValue {
                // (Foundation's JSON reader is off by an ulp on long decimals: compare as float32.)
                #expect(config[key]?.doubleValue.map(Float.init) == Float(d), "\(label) learning_rate")
            } else if key == "learning_rate" {
                #expect(config[key]?["config"] == value["config"], "\(label) schedule config")
            } else {
                #expect(config[key]?.doubleValue == value.doubleValue && config[key]?.boolValue == value.boolValue
                        && config[key]?.isNull == value.isNull, "\(label) key \(key): \(String(describing: config[key])) vs \(value)")
            }
        }
    }

    // MARK: - Steps

    @Test func fourStepsMatchKeras() throws {
        let fixture = try Self.fixture()
        let weights = (fixture["weights"] as! [Any]).map(tensorFromFixture)
        let names = fixture["weight_names"] as! [String]
        let grads = (fixture["gradients"] as! [[Any]]).map { $0.map(tensorFromFixture) }
        for c in Self.cases(fixture) {
            let label = Self.label(c)
            let optimizer = try Self.makeOptimizer(c)
            let vars = zip(weights, names).map { Variable($0, name: $1) }
            for (step, expected) in (c["steps"] as! [[Any]]).enumerated() {
                optimizer.apply(grads[step], to: vars)
                for (v, e) in zip(vars, expected) {
                    assertClose(v.value, tensorFromFixture(e), rtol: 2e-6, atol: 2e-7, "\(label) step \(step + 1) \(v.name)")
                }
            }
            #expect(optimizer.iterations == 4, "\(label)")
            // Optimizer variables: Keras's order, names, shapes, dtypes and values.
            let expectedNames = (c["variable_names"] as! [String]).map { String($0.split(separator: "/").last!) }
            let own = optimizer.variables
            #expect(own.map(\.name) == expectedNames, "\(label)")
            #expect(own.map(\.shape) == (c["variable_shapes"] as! [[Int]]), "\(label)")
            for (v, e) in zip(own, c["final_slots"] as! [Any]) {
                let expected = tensorFromFixture(e)
                #expect(v.dtype == expected.dtype, "\(label) \(v.name) dtype")
                assertClose(v.value.cast(to: .float64), expected.cast(to: .float64), rtol: 1e-5, atol: 1e-7, "\(label) \(v.name)")
            }
            Self.expectConfig(optimizer.getConfig(), matches: c["config"]!, label)
        }
    }

    /// `deserializeOptimizer` on the very config Keras wrote, and back through `getConfig`.
    @Test func kerasConfigsLoadAndRoundTrip() throws {
        let fixture = try Self.fixture()
        let fits = ((fixture["fit"] as! [String: Any])["cases"] as! [Any]).map { $0 as! [String: Any] }
        for c in Self.cases(fixture) + fits {
            let label = Self.label(c)
            var config = ConfigValue.from(any: c["config"]!).objectValue!
            if var lr = config["learning_rate"]?.objectValue {
                lr["module"] = "keras.optimizers.schedules"
                config["learning_rate"] = .object(lr)
            }
            let optimizer = try deserializeOptimizer(.serialized(module: "keras.optimizers", className: c["class_name"] as! String,
                                                                  config: config))
            #expect(optimizer.className == c["class_name"] as! String)
            Self.expectConfig(optimizer.getConfig(), matches: c["config"]!, "\(label) from Keras's config")
            #expect(optimizer.name == config["name"]?.stringValue, "\(label)")
            let json = try ConfigValue.parse(json: optimizer.serialize().jsonString(sortedKeys: true))
            #expect(try deserializeOptimizer(json).getConfig() == optimizer.getConfig(), "\(label) via JSON")
        }
    }

    @Test func namesAndDefaults() throws {
        for (name, type) in [("ftrl", Ftrl.self), ("lamb", Lamb.self), ("adafactor", Adafactor.self)] as [(String, Optimizer.Type)] {
            let o = try Optimizer.named(name)
            #expect(Swift.type(of: o) == type && o.name == name)
            #expect(o.getConfig()["learning_rate"]?.doubleValue == 0.0010000000474974513)
            #expect(try Optimizer.named(type.className).className == type.className)
        }
        let ftrl = Ftrl()
        #expect(ftrl.learningRatePower == -0.5 && ftrl.initialAccumulatorValue == 0.1 && ftrl.beta == 0)
        let adafactor = Adafactor()
        #expect(adafactor.beta2Decay == -0.8 && adafactor.epsilon1 == 1e-30 && adafactor.epsilon2 == 1e-3
                && adafactor.clipThreshold == 1 && adafactor.relativeStep)
        let adam = Adam()
        #expect(!adam.useEMA && adam.emaMomentum == 0.99 && adam.emaOverwriteFrequency == nil)
        #expect(adam.getConfig()["use_ema"] == false && adam.getConfig()["ema_overwrite_frequency"] == .null)
    }

    /// Empty and scalar variables: nothing to update, or one element.
    @Test func emptyAndScalarVariables() {
        for optimizer in [Ftrl(learningRate: 0.1), Lamb(learningRate: 0.1), Adafactor(learningRate: 0.1)] as [Optimizer] {
            let empty = Variable(Tensor.zeros([0, 4]), name: "empty"), scalar = Variable(Tensor(2.0), name: "scalar")
            optimizer.apply([Tensor.zeros([0, 4]), Tensor(0.5)], to: [empty, scalar])
            #expect(empty.shape == [0, 4] && scalar.value.item.isFinite && scalar.value.item != 2, "\(optimizer.className)")
        }
    }

    /// Float64 variables train with the same formulas (close to the float32 results).
    @Test func float64VariablesWork() throws {
        for make in [{ Ftrl(learningRate: 0.1, l1RegularizationStrength: 0.01) }, { Lamb(learningRate: 0.1) },
                     { Adafactor(learningRate: 0.1) }] as [() -> Optimizer] {
            let a = make(), b = make()
            let w64 = Variable(Tensor.randomNormal([3, 4], seed: 5).cast(to: .float64), name: "w")
            let w32 = Variable(Tensor.randomNormal([3, 4], seed: 5), name: "w")
            for step in 0..<3 {
                let g = Tensor.randomNormal([3, 4], seed: 10 + step)
                a.apply([g.cast(to: .float64)], to: [w64])
                b.apply([g], to: [w32])
            }
            #expect(w64.dtype == .float64)
            assertClose(w64.value.cast(to: .float32), w32.value, rtol: 1e-4, atol: 1e-5, a.className)
        }
    }

    // MARK: - Moving averages and fit

    static func tinyModel() -> Sequential {
        Sequential([InputLayer(shape: [4]), Dense(3, activation: .tanh), Dense(2)])
    }

    /// `fit` with each optimizer (EMA ones among them) from Keras's own config: the losses, the
    /// final weights (with EMA, the averages `finalize_variable_values` copies in) and the
    /// optimizer's variables match Keras, with the planned step and with the tape.
    @Test(arguments: [false, true]) func fitMatchesKeras(eager: Bool) throws {
        let fit = try Self.fixture()["fit"] as! [String: Any]
        let x = tensorFromFixture(fit["x"]!), y = tensorFromFixture(fit["y"]!)
        let initial = (fit["initial_weights"] as! [Any]).map(tensorFromFixture)
        for case let c as [String: Any] in fit["cases"] as! [Any] {
            let label = "\(Self.label(c)) eager=\(eager)"
            let model = Self.tinyModel()
            _ = model(Tensor.zeros([1, 4]))
            try model.setWeights(initial)
            let optimizer = try deserializeOptimizer(.serialized(module: "keras.optimizers", className: c["class_name"] as! String,
                                                                  config: ConfigValue.from(any: c["config"]!).objectValue!))
            try model.compile(optimizer: optimizer, loss: "mse")
            model.runEagerly = eager
            let history = try model.fit(x, y, batchSize: fit["batch_size"] as! Int, epochs: fit["epochs"] as! Int,
                                        verbose: 0, shuffle: false)
            assertClose(history.history["loss"]!, c["loss"] as! [Double], rtol: 1e-5, atol: 1e-6, label)
            for (w, e) in zip(model.getWeights(), c["final_weights"] as! [Any]) {
                assertClose(w, tensorFromFixture(e), rtol: 1e-5, atol: 1e-6, label)
            }
            let own = optimizer.variables
            let expected = c["optimizer_variables"] as! [Any]
            #expect(own.count == expected.count, "\(label): \(own.map(\.name))")
            for (v, e) in zip(own, expected) {
                assertClose(v.value.cast(to: .float64), tensorFromFixture(e).cast(to: .float64), rtol: 1e-5, atol: 1e-6,
                            "\(label) \(v.name)")
            }
        }
    }

    /// The planned step (fused in-place update for Ftrl and EMA, `apply` for Lamb and Adafactor)
    /// reaches the tape's weights, split over the cores or not.
    @Test(arguments: ["ftrl", "lamb", "adafactor", "adam-ema", "ftrl-ema", "lamb-ema"], [false, true])
    func plannedStepsMatchTheTape(name: String, split: Bool) throws {
        let make: () throws -> Optimizer = {
            let base = name.split(separator: "-")
            let optimizer = try Optimizer.named(String(base[0]))
            optimizer.learningRate = 0.05
            if base.count > 1 {
                optimizer.useEMA = true
                optimizer.emaMomentum = 0.5
                optimizer.emaOverwriteFrequency = 2
            }
            return optimizer
        }
        try TrainStepPlanTests().comparePlannedWithTape(optimizer: make, metrics: ["accuracy"], split: split)
    }

    @Test func emaStepByHandAndFinalize() {
        let sgd = SGD(learningRate: 1)
        sgd.useEMA = true
        sgd.emaMomentum = 0.5
        let w = Variable(Tensor([1.0, 2.0]), name: "w")
        sgd.apply([Tensor([1.0, 1.0])], to: [w])   // w = [0, 1]; first step: average = w
        #expect(sgd.movingAverage(of: w).value.doubles == [0, 1])
        sgd.apply([Tensor([1.0, 1.0])], to: [w])   // w = [-1, 0]; average = ½·[0, 1] + ½·[-1, 0]
        #expect(sgd.movingAverage(of: w).value.doubles == [-0.5, 0.5])
        #expect(sgd.variables.map(\.name) == ["iteration", "learning_rate", "w_average"])
        sgd.finalizeVariableValues([w])
        #expect(w.value.doubles == [-0.5, 0.5])
        // Turned on after the first step: the average starts at the weights of the next step.
        let late = SGD(learningRate: 1), u = Variable(Tensor([1.0]), name: "u")
        late.apply([Tensor([1.0])], to: [u])
        late.useEMA = true
        late.apply([Tensor([1.0])], to: [u])
        #expect(late.movingAverage(of: u).value.doubles == [-1])
        #expect(late.variables.map(\.name) == ["iteration", "learning_rate", "u_average"])
        // Without EMA, finalizing changes nothing.
        let plain = SGD(learningRate: 1), v = Variable(Tensor([3.0]))
        plain.apply([Tensor([1.0])], to: [v])
        plain.finalizeVariableValues([v])
        #expect(v.value.doubles == [2])
        #expect(plain.variables.count == 2)
    }

    /// A `.keras` file of a model trained with EMA holds the averages where Keras puts them
    /// (after `learning_rate`, before the slots) and loads back with the same optimizer state.
    @Test func emaOptimizerStateSavesAndLoads() throws {
        let model = Self.tinyModel()
        let optimizer = Adam(learningRate: 0.01)
        optimizer.useEMA = true
        optimizer.emaOverwriteFrequency = 2
        try model.compile(optimizer: optimizer, loss: "mse")
        try model.fit(Tensor.randomNormal([8, 4], seed: 1), Tensor.randomNormal([8, 2], seed: 2), batchSize: 4, epochs: 1, verbose: 0)
        #expect(optimizer.variables.count == 2 + 4 + 8)
        #expect(optimizer.variables[2].name.hasSuffix("_average") && optimizer.variables[6].name.hasSuffix("_momentum"))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ema-\(UUID().uuidString).keras").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.save(to: path)
        let loaded = try loadModel(path)
        let restored = try #require(loaded.optimizer)
        #expect(restored.useEMA && restored.emaOverwriteFrequency == 2)
        #expect(restored.variables.count == optimizer.variables.count)
        for (a, b) in zip(restored.variables, optimizer.variables) { #expect(Self.same(a.value, b.value), "\(b.name)") }
        // Adafactor's per-variable r, c, velocity (and int32 placeholders) round-trip too.
        let factored = Self.tinyModel()
        try factored.compile(optimizer: Adafactor(learningRate: 0.1), loss: "mse")
        try factored.fit(Tensor.randomNormal([8, 4], seed: 1), Tensor.randomNormal([8, 2], seed: 2), batchSize: 4, verbose: 0)
        try factored.save(to: path)
        let again = try #require(try loadModel(path).optimizer)
        #expect(again.variables.map(\.shape) == factored.optimizer!.variables.map(\.shape))
        for (a, b) in zip(again.variables, factored.optimizer!.variables) { #expect(Self.same(a.value, b.value), "\(b.name)") }
    }

    /// Same dtype, shape and values.
    static func same(_ a: Tensor, _ b: Tensor) -> Bool {
        a.dtype == b.dtype && a.shape == b.shape && a.cast(to: .float64).doubles == b.cast(to: .float64).doubles
    }

    // MARK: - Validation

    /// Hostile arguments in configs throw `KerasError` naming the optimizer, the key and the value.
    @Test func badConfigsThrowNamingTheKey() {
        let cases: [(String, Config, String)] = [
            ("Ftrl", ["learning_rate_power": 0.5], "learning_rate_power"),
            ("Ftrl", ["initial_accumulator_value": -1], "initial_accumulator_value"),
            ("Ftrl", ["l1_regularization_strength": .double(.nan)], "l1_regularization_strength"),
            ("Ftrl", ["l2_regularization_strength": 1e300], "l2_regularization_strength"),
            ("Ftrl", ["l2_shrinkage_regularization_strength": "x"], "l2_shrinkage_regularization_strength"),
            ("Ftrl", ["beta": -1], "beta"),
            ("Ftrl", ["learning_rate": 0], "learning_rate"),
            ("Lamb", ["beta_1": 1], "beta_1"),
            ("Lamb", ["beta_2": -0.5], "beta_2"),
            ("Lamb", ["epsilon": .double(.infinity)], "epsilon"),
            ("Adafactor", ["beta_2_decay": 0.5], "beta_2_decay"),
            ("Adafactor", ["epsilon_1": -1], "epsilon_1"),
            ("Adafactor", ["epsilon_2": .double(.nan)], "epsilon_2"),
            ("Adafactor", ["clip_threshold": 0], "clip_threshold"),
            ("Adafactor", ["relative_step": "x"], "relative_step"),
            ("Adam", ["use_ema": true, "ema_momentum": 2], "ema_momentum"),
            ("SGD", ["use_ema": true, "ema_momentum": .double(.nan)], "ema_momentum"),
            ("Adam", ["use_ema": true, "ema_overwrite_frequency": -1], "ema_overwrite_frequency"),
            ("Adam", ["use_ema": true, "ema_overwrite_frequency": 2.5], "ema_overwrite_frequency"),
            ("Adam", ["use_ema": true, "ema_overwrite_frequency": .int(1 << 40)], "ema_overwrite_frequency"),
            ("Lamb", ["use_ema": "yes"], "use_ema"),
        ]
        for (className, config, key) in cases {
            do {
                _ = try deserializeOptimizer(.serialized(module: "keras.optimizers", className: className, config: config))
                Issue.record("\(className) \(config) loaded")
            } catch let error as KerasError {
                let text = "\(error)"
                #expect(text.contains(className) && text.contains(key), "\(className) \(config): \(text)")
            } catch {
                Issue.record("\(className): not a KerasError: \(error)")
            }
        }
        // Keras's own values load: `ema_overwrite_frequency` 0 (never overwrites) and 1.
        for frequency in [0, 1] {
            #expect(throws: Never.self) {
                _ = try deserializeOptimizer(.serialized(module: "keras.optimizers", className: "Adam",
                                                         config: ["use_ema": true, "ema_overwrite_frequency": .int(frequency)]))
            }
        }
    }

    // MARK: - Files Keras saved

    /// A model Keras compiled with Adafactor, Ftrl, Lamb or Adam with EMA (focal loss, confusion
    /// and correlation metrics), trained and saved: it loads with its optimizer state, predicts
    /// as Keras does from the file, and one more `trainOnBatch` gives Keras's weights and
    /// optimizer variables (`saving_optimizers_generate.py`).
    @Test(arguments: ["adafactor", "ftrl", "lamb", "adam_ema"])
    func kerasSavedOptimizerStateContinuesLikeKeras(_ name: String) throws {
        let all = try loadFixture("saving_optimizers.json") as! [String: Any]
        let c = all[name] as! [String: Any]
        let model = try loadModel(fixturesDirectory.appendingPathComponent("saving/optimizer_\(name).keras").path)
        let optimizer = try #require(model.optimizer)
        assertClose(try model.predict(tensorFromFixture(c["x"]!), verbose: 0), tensorFromFixture(c["y"]!), rtol: 1e-5, atol: 1e-6, name)
        _ = try model.trainOnBatch(tensorFromFixture(c["x_next"]!), tensorFromFixture(c["y_next"]!))
        let weights = (c["weights_after"] as! [Any]).map(tensorFromFixture)
        #expect(model.getWeights().count == weights.count)
        for (w, e) in zip(model.getWeights(), weights) { assertClose(w, e, rtol: 1e-4, atol: 1e-6, "\(name) weights") }
        let variables = c["optimizer_after"] as! [[String: Any]]
        // Keras's order; its slot names carry the layer's name in front (`dense_kernel_momentum`).
        #expect(optimizer.variables.count == variables.count)
        for (v, e) in zip(optimizer.variables, variables) { #expect((e["name"] as! String).hasSuffix(v.name), "\(name): \(v.name) vs \(e["name"]!)") }
        for (v, e) in zip(optimizer.variables, variables) {
            assertClose(v.value.cast(to: .float64), tensorFromFixture(e["value"]!).cast(to: .float64), rtol: 1e-4, atol: 1e-6, "\(name) \(v.name)")
        }
    }

    // MARK: - OrthogonalRegularizer

    @Test func orthogonalRegularizerMatchesKeras() throws {
        let ortho = try Self.fixture()["orthogonal"] as! [String: Any]
        let matrices = (ortho["matrices"] as! [Any]).map(tensorFromFixture)
        for case let c as [String: Any] in ortho["cases"] as! [Any] {
            let serialized = ConfigValue.from(any: c["serialized"]!)
            let regularizer = try deserializeRegularizer(serialized)
            // (Foundation's JSON reader is off by an ulp on long decimals: the factor compares as float32.)
            let config = regularizer.getConfig()
            #expect(config["mode"] == serialized["config"]?["mode"], "\(c["kwargs"]!)")
            #expect(config["factor"]?.doubleValue.map(Float.init) == serialized["config"]?["factor"]?.doubleValue.map(Float.init))
            #expect(regularizer.serialize()["class_name"] == serialized["class_name"] && Set(config.keys) == ["factor", "mode"])
            let penalties = c["penalties"] as! [Double], gradients = (c["gradients"] as! [Any]).map(tensorFromFixture)
            for (i, m) in matrices.enumerated() {
                let w = Variable(m)
                let (value, grads) = valueWithGradients(of: [w]) { regularizer(w.value) }
                assertClose([Double(value.item)], [penalties[i]], rtol: 1e-5, atol: 1e-8, "\(c["kwargs"]!) matrix \(i)")
                // The identity's off-diagonal products are exactly 0, where JAX takes |x|' = 1 and
                // this package (as TensorFlow and PyTorch) sign(0) = 0: only the others compare.
                if i != 3 { assertClose(grads[0], gradients[i], rtol: 1e-4, atol: 1e-7, "\(c["kwargs"]!) gradient \(i)") }
            }
        }
        #expect(regularizer(named: "orthogonal_regularizer")!.serialize() == ConfigValue.from(any: ortho["alias"]!))
        let r = OrthogonalRegularizer(factor: 0.3, mode: .columns)
        #expect(r.factor == Double(Float(0.3)) && r.mode == .columns)
        #expect(r(Tensor([1.0, 2.0])).item.isNaN)   // Keras raises for rank ≠ 2
        for bad: Config in [["mode": "diagonal"], ["factor": -1], ["factor": .double(.nan)], ["factor": "x"], ["extra": 1]] {
            #expect(throws: KerasError.self, "\(bad)") {
                _ = try deserializeRegularizer(.serialized(module: "keras.regularizers", className: "OrthogonalRegularizer", config: bad))
            }
        }
    }

    /// A Dense kernel regularized with it trains (the penalty and its gradient enter the loss).
    @Test func orthogonalRegularizerInALayerTrains() throws {
        let model = Sequential([InputLayer(shape: [4]), Dense(3, kernelRegularizer: OrthogonalRegularizer(factor: 0.1))])
        try model.compile(optimizer: "sgd", loss: "mse")
        let history = try model.fit(Tensor.randomNormal([8, 4], seed: 1), Tensor.randomNormal([8, 3], seed: 2),
                                    batchSize: 4, epochs: 2, verbose: 0)
        #expect(history.history["loss"]!.allSatisfy { $0.isFinite })
        #expect(model.losses.count == 1)
    }

    /// Keras raises for a tensor of rank ≠ 2: a layer given it for a conv kernel or a rank-3
    /// activity throws when the model is built, naming the layer and the shape.
    @Test func orthogonalRegularizerRefusesOtherRanks() throws {
        #expect(OrthogonalRegularizer().problem(forWeightShape: [3, 3, 1, 2]) != nil)
        #expect(OrthogonalRegularizer().problem(forWeightShape: [nil, 4]) == nil)
        let conv = Conv2D(2, kernelSize: [3, 3], kernelRegularizer: OrthogonalRegularizer(), name: "conv")
        let error = #expect(throws: KerasError.self) { _ = try Sequential([conv]).applyChecked([Tensor.zeros([1, 5, 5, 1])]) }
        #expect("\(error!)".contains("conv") && "\(error!)".contains("(3, 3, 1, 2)") && "\(error!)".contains("rank-2"))
        let dense = Dense(3, name: "dense")
        dense.activityRegularizer = OrthogonalRegularizer()
        let input = Input(shape: [4, 5])
        #expect(throws: KerasError.self) { _ = try Model(inputs: input, outputs: dense(input)) }
        let flat = Dense(3)
        flat.activityRegularizer = OrthogonalRegularizer()
        let output = try flat.applyChecked([Tensor.ones([2, 5])])[0]
        #expect(output.shape == [2, 3] && flat.losses.count == 1)
    }
}
