import Foundation
import Keras
import KerasTestSupport
import Testing

/// Losses against real Keras (every reduction, with and without sample weights, function forms
/// and configs), plus finite-difference gradient checks w.r.t. `yPred`.
@Suite struct LossTests {
    var fixture: [String: Any] { try! loadFixture("training_losses.json") as! [String: Any] }

    func makeLoss(_ c: [String: Any], reduction: String = "sum_over_batch_size") throws -> any Loss {
        var config = ConfigValue.from(any: c["kwargs"]!).objectValue!
        config["reduction"] = .string(reduction)
        return try deserializeLoss(.object(["class_name": .string(c["class_name"] as! String), "config": .object(config)]))
    }

    @Test func valuesMatchKeras() throws {
        let sw = tensorFromFixture(fixture["sample_weight"]!)
        for case let c as [String: Any] in fixture["cases"] as! [Any] {
            let label = "\(c["class_name"]!) \(c["kwargs"]!)"
            let yTrue = tensorFromFixture(c["y_true"]!), yPred = tensorFromFixture(c["y_pred"]!)
            for case let r as [String: Any] in c["results"] as! [Any] {
                let reduction = r["reduction"] as! String
                let loss = try makeLoss(c, reduction: reduction)
                let weighted = r["weighted"] as! Bool
                let value = loss(yTrue, yPred, sampleWeight: weighted ? sw : nil)
                assertClose(value, tensorFromFixture(r["value"]!), rtol: 1e-5, atol: 1e-6, "\(label) \(reduction) weighted=\(weighted)")
            }
            if let fn = c["function"] as? String {
                let values: Tensor
                switch fn {
                case "mean_squared_error": values = meanSquaredError(yTrue, yPred)
                case "mean_absolute_error": values = meanAbsoluteError(yTrue, yPred)
                case "mean_absolute_percentage_error": values = meanAbsolutePercentageError(yTrue, yPred)
                case "mean_squared_logarithmic_error": values = meanSquaredLogarithmicError(yTrue, yPred)
                case "huber": values = huber(yTrue, yPred)
                case "log_cosh": values = logCosh(yTrue, yPred)
                case "binary_crossentropy": values = binaryCrossentropy(yTrue, yPred)
                case "binary_focal_crossentropy": values = binaryFocalCrossentropy(yTrue, yPred)
                case "categorical_crossentropy": values = categoricalCrossentropy(yTrue, yPred)
                case "sparse_categorical_crossentropy": values = sparseCategoricalCrossentropy(yTrue, yPred)
                case "kl_divergence": values = klDivergence(yTrue, yPred)
                case "poisson": values = poisson(yTrue, yPred)
                case "cosine_similarity": values = cosineSimilarity(yTrue, yPred)
                case "hinge": values = hinge(yTrue, yPred)
                case "squared_hinge": values = squaredHinge(yTrue, yPred)
                case "categorical_hinge": values = categoricalHinge(yTrue, yPred)
                default: Issue.record("no function form for \(fn)"); continue
                }
                assertClose(values, tensorFromFixture(c["function_value"]!), rtol: 1e-5, atol: 1e-6, "function \(fn)")
                #expect(try lossNamed(fn).name == (try makeLoss(c)).name)
            }
            let expectedConfig = ConfigValue.from(any: c["config"]!).objectValue!
            let config = try makeLoss(c).getConfig()
            for (key, value) in expectedConfig {
                #expect(config[key] == value || config[key]?.doubleValue == value.doubleValue && value.doubleValue != nil,
                        "\(label) config key \(key): \(String(describing: config[key])) vs \(value)")
            }
        }
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        let sw = tensorFromFixture(fixture["sample_weight"]!)
        for case let c as [String: Any] in fixture["cases"] as! [Any] {
            let loss = try makeLoss(c)
            var yTrue = tensorFromFixture(c["y_true"]!)
            if yTrue.dtype.isFloatingPoint { yTrue = yTrue.cast(to: .float64) }
            var yPred = tensorFromFixture(c["y_pred"]!)
            if c["kind"] as! String == "binary" { yPred = yPred.clip(0.05, 0.95) }   // away from the ε clip
            checkGradients([yPred], rtol: 1e-4, atol: 1e-6) { xs in loss(yTrue, xs[0], sampleWeight: sw) }
        }
    }

    @Test func fusedSparseCrossentropyMatchesLogSoftmax() {
        let logits = Tensor.randomNormal([32, 10], seed: 3)
        let labels = Tensor(shape: [32], scalars: (0..<32).map { Int32($0 % 10) })
        let fused = SparseCategoricalCrossentropy(fromLogits: true)(labels, logits)
        let reference = -(Tensor(shape: [32, 10], scalars: (0..<320).map { Float($0 % 10 == ($0 / 10) % 10 ? 1 : 0) }) * logits.logSoftmax()).sum(axes: [1]).mean()
        assertClose(fused, reference, rtol: 1e-5)
        checkGradients([logits]) { xs in xs[0].sparseSoftmaxCrossEntropy(labels: labels) }
    }

    @Test func namesAliasesAndErrors() throws {
        #expect(try lossNamed("mse") is MeanSquaredError)
        #expect(try lossNamed("bce") is BinaryCrossentropy)
        #expect(try lossNamed("kld") is KLDivergence)
        #expect(throws: KerasError.self) { try lossNamed("mean_squared_eror") }
        let loss = SparseCategoricalCrossentropy(fromLogits: true, ignoreClass: 2, reduction: .sum)
        let round = try deserializeLoss(loss.serialize()) as! SparseCategoricalCrossentropy
        #expect(round.fromLogits && round.ignoreClass == 2 && round.reduction == .sum)
        // Keras divides by the element count, not by Σweights ([run] MSE with weights [1, 0] → 0.5).
        let v = MeanSquaredError()(Tensor([[0.0], [0.0]]), Tensor([[1.0], [1.0]]), sampleWeight: Tensor([1.0, 0.0]))
        #expect(v.item == 0.5)
    }
}

@Suite struct LossErrorTests {
    @Test func sparseLabelShapeMismatchNamesTheShapes() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = SparseCategoricalCrossentropy(fromLogits: true)(Tensor([[0.0, 1.0, 0.0]]), Tensor([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]))
        }.map { result in
            let text = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(text.contains("sparse_categorical_crossentropy: labels of shape [1, 3] do not fit predictions of shape [2, 3]"))
        }
    }

    @Test func unsupportedOptionsAreRejected() {
        #expect(throws: KerasError.self) { try deserializeOptimizer(["class_name": "Adam", "config": ["gradient_accumulation_steps": 2]]) }
        #expect(throws: KerasError.self) { try deserializeMetric(["class_name": "Precision", "config": ["class_id": 1]]) }
        #expect(throws: KerasError.self) { try deserializeLoss(["class_name": "MeanSquaredError", "config": ["reduction": "average"]]) }
    }
}
