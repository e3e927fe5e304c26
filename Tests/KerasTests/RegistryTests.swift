import Foundation
import Keras
import Testing

/// The one registry mechanism: every family resolves names and serialized forms through it, the
/// class name an object serializes under is the one its registry knows, and custom classes
/// registered at run time load like built-ins.
@Suite struct RegistryTests {
    static let lossNames = ["mse", "mae", "mape", "msle", "huber", "log_cosh", "kld", "poisson", "cosine_similarity", "hinge",
                            "squared_hinge", "categorical_hinge", "bce", "binary_focal_crossentropy",
                            "categorical_crossentropy", "sparse_categorical_crossentropy"]
    static let metricNames = ["mean", "sum", "Accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
                              "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "precision", "recall", "auc",
                              "f1_score", "fbeta_score", "mse", "mae", "mape", "msle", "root_mean_squared_error", "r2_score",
                              "cosine_similarity", "logcosh", "bce", "categorical_crossentropy", "sparse_categorical_crossentropy",
                              "kld", "poisson", "hinge", "squared_hinge", "categorical_hinge"]

    @Test(arguments: lossNames) func lossRoundTrip(_ name: String) throws {
        let loss = try lossNamed(name)
        let copy = try deserializeLoss(loss.serialize())
        #expect(type(of: copy) == type(of: loss) && copy.name == loss.name && copy.getConfig() == loss.getConfig())
    }

    @Test(arguments: metricNames) func metricRoundTrip(_ name: String) throws {
        let metric = try metricNamed(name)
        let copy = try deserializeMetric(metric.serialize())
        #expect(type(of: copy) == type(of: metric) && copy.className == metric.className && copy.getConfig() == metric.getConfig())
    }

    @Test func layerClassNamesAreTheRegisteredOnes() throws {
        let layers: [Layer] = [Dense(2), Activation(.relu), ReLU(), Flatten(), Dropout(0.1), Concatenate(), Dot(axes: 1)]
        for layer in layers {
            #expect(layer.className == type(of: layer).className)
            let copy = try deserializeLayer(serializeLayer(layer))
            #expect(type(of: copy) == type(of: layer))
        }
    }

    @Test func customClassesRegisterAtRunTime() throws {
        registerLoss(className: "RegistryTestLoss") { config in
            LossFunction(name: config["name"]?.stringValue ?? "registry_test_loss") { ($0 - $1).abs() }
        }
        let loss = try deserializeLoss(["class_name": "RegistryTestLoss", "config": ["name": "l1", "anything": 1]])
        #expect(loss.name == "l1")
        #expect(try lossNamed("RegistryTestLoss").name == "registry_test_loss")

        registerMetric(className: "RegistryTestMetric") { config in
            MeanMetricWrapper(name: config["name"]?.stringValue ?? "registry_test_metric") { ($0 - $1).abs() }
        }
        #expect(try deserializeMetric(["class_name": "RegistryTestMetric", "config": [:]]).name == "registry_test_metric")
        #expect(try metricNamed("RegistryTestMetric").name == "registry_test_metric")
    }

    @Test func unknownNamesListTheKnownOnes() {
        let error = #expect(throws: KerasError.self) { try deserializeLoss(["class_name": "Nope", "config": [:]]) }
        #expect(error?.description.contains("MeanSquaredError") == true)
        let layerError = #expect(throws: KerasError.self) { try makeLayer(className: "Nope", config: [:]) }
        #expect(layerError?.description.contains("Dense") == true)
    }

    @Test func accuracyAliasesStillDependOnShapes() throws {
        #expect(try metricNamed("accuracy", lossName: "sparse_categorical_crossentropy") is SparseCategoricalAccuracy)
        #expect(try metricNamed("accuracy", lossName: "binary_crossentropy") is BinaryAccuracy)
        #expect(try metricNamed("accuracy", lossName: "mse") is CategoricalAccuracy)
        #expect(try metricNamed("ce", yTrueShape: [4, 1], yPredShape: [4, 1]) is Metrics.BinaryCrossentropy)
    }
}
