import Foundation
import Keras
import KerasTestSupport
import Testing

/// CategoricalFocalCrossentropy, CategoricalGeneralizedCrossEntropy, Dice, Tversky, Circle and CTC
/// against real Keras (`losses_more.json`, from `losses_more_generate.py`): values under every
/// reduction with and without sample weights, gradients w.r.t. `yPred` (JAX's and finite
/// differences), function forms, configs and string names; then config validation and training.
@Suite struct MoreLossTests {
    nonisolated(unsafe) static let fixture = try! loadFixture("losses_more.json") as! [String: Any]
    nonisolated(unsafe) static let cases = (fixture["cases"] as! [Any]).map { $0 as! [String: Any] }

    static func serialized(_ c: [String: Any]) -> ConfigValue { ConfigValue.from(any: c["serialized"]!) }

    static func makeLoss(_ c: [String: Any], reduction: String? = nil) throws -> any Loss {
        var value = serialized(c)
        if let reduction, case .object(var outer) = value, case .object(var config)? = outer["config"] {
            config["reduction"] = .string(reduction)
            outer["config"] = .object(config)
            value = .object(outer)
        }
        return try deserializeLoss(value)
    }

    static func label(_ c: [String: Any]) -> String { "\(c["class_name"]!) \(c["kind"]!) \(c["kwargs"]!)" }

    /// The function form of a case, called with its Keras keyword arguments.
    static func function(_ c: [String: Any], _ yTrue: Tensor, _ yPred: Tensor) -> Tensor? {
        guard let name = c["function"] as? String else { return nil }
        let kwargs = ConfigValue.from(any: c["function_kwargs"]!)
        let axis = kwargs["axis"].flatMap { v in v.intValue.map { [$0] } ?? v.arrayValue?.compactMap(\.intValue) }
        switch name {
        case "categorical_focal_crossentropy":
            return categoricalFocalCrossentropy(yTrue, yPred, alpha: .scalar(kwargs["alpha"]?.doubleValue ?? 0.25),
                                                gamma: kwargs["gamma"]?.doubleValue ?? 2, fromLogits: kwargs["from_logits"]?.boolValue ?? false,
                                                labelSmoothing: kwargs["label_smoothing"]?.doubleValue ?? 0)
        case "categorical_generalized_cross_entropy":
            return categoricalGeneralizedCrossEntropy(yTrue, yPred, q: kwargs["q"]!.doubleValue!)
        case "dice": return dice(yTrue, yPred, axis: axis)
        case "tversky":
            return tversky(yTrue, yPred, alpha: kwargs["alpha"]?.doubleValue ?? 0.5, beta: kwargs["beta"]?.doubleValue ?? 0.5, axis: axis)
        case "circle":
            return circle(yTrue, yPred, removeDiagonal: kwargs["remove_diagonal"]?.boolValue ?? true,
                          gamma: kwargs["gamma"]?.doubleValue ?? 80, margin: kwargs["margin"]?.doubleValue ?? 0.4)
        case "ctc": return ctc(yTrue, yPred)
        default: Issue.record("no function form for \(name)"); return nil
        }
    }

    @Test func everyClassIsCovered() {
        let classes = Set(Self.cases.map { $0["class_name"] as! String })
        #expect(classes == ["CategoricalFocalCrossentropy", "CategoricalGeneralizedCrossEntropy", "Dice", "Tversky", "Circle", "CTC"])
    }

    @Test(arguments: cases.indices) func valuesMatchKeras(_ index: Int) throws {
        let c = Self.cases[index]
        let yTrue = tensorFromFixture(c["y_true"]!), yPred = tensorFromFixture(c["y_pred"]!)
        let sw = tensorFromFixture(c["sample_weight"]!)
        for case let r as [String: Any] in c["results"] as! [Any] {
            let reduction = r["reduction"] as! String, weighted = r["weighted"] as! Bool
            let loss = try Self.makeLoss(c, reduction: reduction)
            let value = loss(yTrue, yPred, sampleWeight: weighted ? sw : nil)
            assertClose(value, tensorFromFixture(r["value"]!), rtol: 2e-5, atol: 1e-5, "\(Self.label(c)) \(reduction) weighted=\(weighted)")
        }
        if let values = Self.function(c, yTrue, yPred) {
            assertClose(values, tensorFromFixture(c["function_value"]!), rtol: 2e-5, atol: 1e-5, "function form of \(Self.label(c))")
        }
    }

    @Test(arguments: cases.indices) func gradientsMatchJAX(_ index: Int) throws {
        let c = Self.cases[index]
        let loss = try Self.makeLoss(c)
        let yTrue = tensorFromFixture(c["y_true"]!), sw = tensorFromFixture(c["sample_weight"]!)
        let (_, gradients) = valueWithGradients(at: [tensorFromFixture(c["y_pred"]!)]) { xs in loss(yTrue, xs[0], sampleWeight: sw) }
        // An impossible CTC alignment costs ~1e5, where float32 steps are ~0.008: JAX's gradient and
        // this one both carry rounding of ~1e-4 there (in float64 it matches finite differences, below).
        let atol = c["kind"] as! String == "ctc_short" ? 3e-4 : 2e-5
        assertClose(gradients[0], tensorFromFixture(c["gradient"]!), rtol: 1e-4, atol: atol, "gradient of \(Self.label(c))")
    }

    @Test(arguments: cases.indices) func gradientsMatchFiniteDifferences(_ index: Int) throws {
        let c = Self.cases[index]
        let loss = try Self.makeLoss(c)
        var yTrue = tensorFromFixture(c["y_true"]!)
        if yTrue.dtype.isFloatingPoint { yTrue = yTrue.cast(to: .float64) }
        let sw = tensorFromFixture(c["sample_weight"]!).cast(to: .float64)
        checkGradients([tensorFromFixture(c["y_pred"]!)], rtol: 1e-4, atol: 1e-6) { xs in loss(yTrue, xs[0], sampleWeight: sw) }
    }

    @Test(arguments: cases.indices) func configsRoundTripAsKerasWritesThem(_ index: Int) throws {
        let c = Self.cases[index]
        let expected = Self.serialized(c)
        let loss = try deserializeLoss(expected)
        #expect(type(of: loss).className == c["class_name"] as! String)
        #expect(loss.getConfig() == expected["config"]!.objectValue!, "\(Self.label(c))")
        #expect(loss.serialize()["class_name"] == expected["class_name"] && loss.serialize()["module"] == expected["module"])
        #expect(try deserializeLoss(loss.serialize()).getConfig() == loss.getConfig())
    }

    @Test func stringNamesAreKeras() throws {
        for case (let name, let accepted as Bool) in Self.fixture["names"] as! [String: Any] {
            if accepted {
                let loss = try lossNamed(name)
                #expect(name.lowercased().replacingOccurrences(of: "_", with: "") == type(of: loss).className.lowercased(), "\(name)")
            } else if name != "CategoricalGeneralizedCrossEntropy" {   // class names load here (a saved config needs them)
                #expect(throws: KerasError.self, "\(name)") { _ = try lossNamed(name) }
            }
        }
        #expect(try lossNamed("dice").getConfig() == Dice().getConfig())
        #expect(try lossNamed("circle").name == "circle")
    }

    /// Configs from outside are checked key by key; the error names the class, the key and the value.
    @Test func badConfigsThrowNamingTheKey() {
        let bad: [(String, String, ConfigValue)] = [
            ("CategoricalFocalCrossentropy", "alpha", .double(.nan)), ("CategoricalFocalCrossentropy", "alpha", []),
            ("CategoricalFocalCrossentropy", "alpha", [1, "x"]), ("CategoricalFocalCrossentropy", "alpha", [.double(.infinity)]),
            ("CategoricalFocalCrossentropy", "gamma", .double(.infinity)), ("CategoricalFocalCrossentropy", "gamma", "x"),
            ("CategoricalFocalCrossentropy", "label_smoothing", 1.5), ("CategoricalFocalCrossentropy", "axis", 2.5),
            ("CategoricalFocalCrossentropy", "from_logits", 1),
            ("CategoricalGeneralizedCrossEntropy", "q", 0), ("CategoricalGeneralizedCrossEntropy", "q", 1),
            ("CategoricalGeneralizedCrossEntropy", "q", -0.5), ("CategoricalGeneralizedCrossEntropy", "q", .double(.nan)),
            ("CategoricalGeneralizedCrossEntropy", "q", "x"), ("CategoricalGeneralizedCrossEntropy", "q", 1e300),
            ("Dice", "axis", [1, 1]), ("Dice", "axis", "x"), ("Dice", "axis", [1, 2.5]), ("Dice", "axis", [:]),
            ("Tversky", "alpha", .double(.nan)), ("Tversky", "beta", .double(-.infinity)), ("Tversky", "axis", true),
            ("Circle", "gamma", .double(.infinity)), ("Circle", "margin", .double(.nan)), ("Circle", "remove_diagonal", "yes"),
            ("CTC", "reduction", "average"), ("Dice", "reduction", 3),
        ]
        for (className, key, value) in bad {
            do {
                _ = try deserializeLoss(["class_name": .string(className), "config": .object([key: value])])
                Issue.record("\(className) accepted \(key)=\(value)")
            } catch let error as KerasError {
                let message = "\(error)"
                #expect(message.contains(className) && message.contains(key), "\(className) \(key)=\(value): \(message)")
            } catch {
                Issue.record("\(className) threw \(error)")
            }
        }
        #expect(throws: KerasError.self) { _ = try deserializeLoss(["class_name": "Dice", "config": ["axes": 1]]) }
        #expect(throws: KerasError.self) { _ = try deserializeLoss(["class_name": "CTC", "config": ["blank_index": 0]]) }
    }

    @Test func focalAlphaListsRoundTrip() throws {
        let loss = try deserializeLoss(["class_name": "CategoricalFocalCrossentropy", "config": ["alpha": [0.2, 0.3, 0.5]]])
        #expect(loss.getConfig()["alpha"] == [0.2, 0.3, 0.5])
        #expect(CategoricalFocalCrossentropy(alpha: 0.5).getConfig()["alpha"] == 0.5)
        #expect(Dice(axis: 1).getConfig()["axis"] == 1 && Dice(axis: [1]).getConfig()["axis"] == [1] && Dice().getConfig()["axis"] == .null)
    }

    /// Each loss compiles by string name (the class for Keras's unnamed CategoricalGeneralizedCrossEntropy)
    /// and trains a tiny model with a finite loss.
    @Test func compilesByNameAndFits() throws {
        let x = Tensor.randomNormal([6, 4], seed: 3)
        let ids = Tensor([0, 2, 1, 2, 0, 1])
        let oneHot = ids.oneHot(depth: 3, dtype: .float32)
        let runs: [(any LossConvertible, Layer, Tensor)] = [
            ("categorical_focal_crossentropy", Dense(3, activation: .softmax), oneHot),
            (CategoricalGeneralizedCrossEntropy(q: 0.7), Dense(3, activation: .softmax), ids),
            ("dice", Dense(3, activation: .sigmoid), oneHot),
            ("tversky", Dense(3, activation: .sigmoid), oneHot),
            ("circle", Dense(5), ids.reshaped(to: [6, 1]).cast(to: .float32)),
            ("circle", Dense(5), ids),   // (batch,) labels against (batch, dim) embeddings
        ]
        for (loss, head, y) in runs {
            let model = Sequential([InputLayer(shape: [4]), head])
            try model.compile(optimizer: "sgd", loss: loss)
            let history = try model.fit(x, y, batchSize: 6, epochs: 2, verbose: 0)
            let values = history.history["loss"] ?? []
            #expect(values.count == 2 && values.allSatisfy(\.isFinite), "\(loss): \(values)")
            let evaluated = try model.evaluate(x, y, verbose: 0)
            #expect(evaluated.values.allSatisfy { $0.isFinite }, "\(loss)")
        }
        // CTC: 6 sequences of 7 steps, 4 classes (blank + 3), labels padded with 0.
        let sequences = Tensor.randomNormal([6, 7, 2], seed: 4)
        let labels = Tensor([[1, 2, 0], [3, 0, 0], [1, 1, 2], [2, 3, 1], [0, 0, 0], [3, 3, 0]])
        let model = Sequential([InputLayer(shape: [7, 2]), Dense(4, activation: .softmax)])
        try model.compile(optimizer: Adam(learningRate: 0.05), loss: "ctc")
        let history = try model.fit(sequences, labels, batchSize: 3, epochs: 3, verbose: 0)
        let values = history.history["loss"] ?? []
        #expect(values.count == 3 && values.allSatisfy(\.isFinite) && values.last! < values.first!, "ctc: \(values)")
        try model.compile(optimizer: "adam", loss: CTC())
        _ = try model.fit(sequences, labels, batchSize: 6, verbose: 0, sampleWeight: Tensor([1, 0.5, 2, 1, 1, 0]))
    }

    /// Targets that cannot go with a loss are refused by fit with a KerasError, never a crash.
    @Test func fitRefusesTargetsTheLossCannotRead() throws {
        let x = Tensor.randomNormal([4, 4], seed: 5)
        let ids = Tensor([0, 2, 1, 2]), oneHot = ids.oneHot(depth: 3, dtype: .float32)
        let runs: [(any LossConvertible, Tensor)] = [
            (CategoricalFocalCrossentropy(alpha: [0.5, 0.5]), oneHot),   // 2 factors, 3 classes
            (CategoricalFocalCrossentropy(axis: 2), oneHot),
            (CategoricalFocalCrossentropy(), ids),
            (CategoricalGeneralizedCrossEntropy(), oneHot),
            (CategoricalGeneralizedCrossEntropy(), Tensor([0, 3, 1, 2])),   // label 3 of 3 classes
            (Dice(axis: [2]), oneHot), (Tversky(axis: [1, -1]), oneHot),
            (Circle(), oneHot),
            ("ctc", ids.reshaped(to: [4, 1])),   // predictions are not (batch, steps, classes)
        ]
        for (loss, y) in runs {
            let model = Sequential([InputLayer(shape: [4]), Dense(3, activation: .softmax)])
            try model.compile(optimizer: "sgd", loss: loss)
            #expect(throws: KerasError.self, "\(loss)") { _ = try model.fit(x, y, verbose: 0) }
        }
        let model = Sequential([InputLayer(shape: [5, 2]), Dense(3)])
        try model.compile(optimizer: "sgd", loss: CTC())
        #expect(throws: KerasError.self) { _ = try model.fit(Tensor.randomNormal([2, 5, 2], seed: 1), Tensor([[1, 3], [2, 0]]), verbose: 0) }
    }

    /// Keras's documented examples.
    @Test func kerasDocstringExamples() {
        let focal = CategoricalFocalCrossentropy()
        let yTrue = Tensor([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]), yPred = Tensor([[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
        assertClose(focal(yTrue, yPred), Tensor(Float(0.23315276)), rtol: 1e-5)
        assertClose(CategoricalFocalCrossentropy(reduction: .sum)(yTrue, yPred), Tensor(Float(0.46631)), rtol: 1e-4)
        let masks = Tensor([1.0, 1, 0, 0, 1, 1, 0, 0]).reshaped(to: [2, 2, 2, 1])
        let predictions = Tensor([0.0, 1, 0, 1, 0.4, 0, 0, 0.9]).reshaped(to: [2, 2, 2, 1])
        assertClose(Dice(axis: [1, 2, 3], reduction: .none)(masks, predictions), Tensor([0.5, 0.75757575] as [Float]), rtol: 1e-5)
        assertClose(Dice()(masks, predictions), Tensor(Float(0.6164384)), rtol: 1e-5)
    }
}
