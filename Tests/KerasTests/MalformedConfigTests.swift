import Foundation
import Keras
import Testing

/// One hostile input to an entry point: what it is called, how to run it, and the words the
/// thrown `KerasError.invalidConfig` message must contain (the class and the key).
struct MalformedCase: CustomTestStringConvertible, Sendable {
    let label: String
    let mentions: [String]
    let run: @Sendable () throws -> Void
    var testDescription: String { label }

    /// `makeLayer(className:config:)` on a bad config.
    static func layer(_ className: String, _ config: Config, _ mentions: String...) -> MalformedCase {
        MalformedCase(label: "\(className) \(ConfigValue.object(config))", mentions: mentions) {
            _ = try makeLayer(className: className, config: config)
        }
    }

    /// `deserializeLayer` of a valid layer config with a bad `build_config`.
    static func build(_ className: String, _ config: Config, inputShape: ConfigValue, _ mentions: String...) -> MalformedCase {
        MalformedCase(label: "\(className) build_config \(inputShape)", mentions: ["build_config"] + mentions) {
            _ = try deserializeLayer(["class_name": .string(className), "config": .object(config),
                                      "build_config": ["input_shape": inputShape]])
        }
    }

    /// Any deserializer on a bad value.
    static func value(_ label: String, _ mentions: [String], _ run: @escaping @Sendable () throws -> Void) -> MalformedCase {
        MalformedCase(label: label, mentions: mentions, run: run)
    }
}

/// Runs `c` and checks it throws `invalidConfig` whose message names what `c` says.
func expectInvalidConfig(_ c: MalformedCase) {
    let error = #expect(throws: KerasError.self, "\(c.label)") { try c.run() }
    guard case .invalidConfig(let message)? = error else {
        if let error { Issue.record("\(c.label): expected invalidConfig, got \(error)") }
        return
    }
    for word in c.mentions {
        #expect(message.contains(word), "\(c.label): message does not name \(word): \(message)")
    }
}

/// Every config entry point, driven with out-of-range, wrong-type, wrong-shape, NaN and huge
/// values: each must throw `KerasError.invalidConfig` naming the class and the key, never trap.
@Suite struct MalformedConfigTests {
    static let dense: Config = ["units": 3]

    static let layerCases: [MalformedCase] = [
        .layer("Dense", ["units": -3], "Dense", "units", "-3"),
        .layer("Dense", ["units": 0], "Dense", "units"),
        .layer("Dense", ["units": "three"], "Dense", "units", "three"),
        .layer("Dense", ["units": 3.5], "Dense", "units"),
        .layer("Dense", ["units": 1e300], "Dense", "units"),
        .layer("Dense", ["units": .double(.nan)], "Dense", "units"),
        .layer("Dense", ["units": nil], "Dense", "units"),
        .layer("Dense", [:], "Dense", "units"),
        .layer("Dense", ["units": 3, "lora_rank": -1], "Dense", "lora_rank"),
        .layer("Dense", ["units": 3, "lora_alpha": .double(.infinity)], "Dense", "lora_alpha"),
        .layer("Dense", ["units": 3, "activation": "nope"], "Dense", "activation", "nope"),
        .layer("Dense", ["units": 3, "activation": 5], "Dense", "activation"),
        .layer("Dense", ["units": 3, "use_bias": "yes"], "Dense", "use_bias"),
        .layer("Dense", ["units": 3, "kernel_initializer": "bogus"], "Dense", "kernel_initializer", "bogus"),
        .layer("Dense", ["units": 3, "kernel_initializer": ["class_name": "VarianceScaling", "config": ["scale": -1]]],
               "Dense", "kernel_initializer", "scale"),
        .layer("Dense", ["units": 3, "kernel_regularizer": ["class_name": "L2", "config": ["l2": -1]]],
               "Dense", "kernel_regularizer", "l2"),
        .layer("Dense", ["units": 3, "bias_constraint": ["class_name": "MaxNorm", "config": ["axis": "x"]]],
               "Dense", "bias_constraint", "axis"),
        .layer("Dense", ["units": 3, "activity_regularizer": 7], "Dense", "activity_regularizer"),
        .layer("Dense", ["units": 3, "dtype": "float16"], "Dense", "dtype", "float16"),
        .layer("Dense", ["units": 3, "dtype": ["class_name": "DTypePolicy", "config": ["name": "mixed_float16"]]], "Dense", "dtype"),
        .layer("Dense", ["units": 3, "name": 7], "Dense", "name"),
        .layer("Dense", ["units": 3, "trainable": "no"], "Dense", "trainable"),
        .layer("Dense", ["units": 3, "quantization_config": ["mode": "int8"]], "Dense", "quantization"),
        .layer("Dropout", ["rate": 1.5], "Dropout", "rate", "1.5"),
        .layer("Dropout", ["rate": -0.1], "Dropout", "rate"),
        .layer("Dropout", ["rate": .double(.nan)], "Dropout", "rate"),
        .layer("Dropout", ["rate": "half"], "Dropout", "rate"),
        .layer("Dropout", [:], "Dropout", "rate"),
        .layer("Dropout", ["rate": 0.5, "noise_shape": [-1, 2]], "Dropout", "noise_shape"),
        .layer("Dropout", ["rate": 0.5, "noise_shape": 3], "Dropout", "noise_shape"),
        .layer("Dropout", ["rate": 0.5, "seed": "x"], "Dropout", "seed"),
        .layer("Reshape", ["target_shape": [-1, -1]], "Reshape", "target_shape"),
        .layer("Reshape", ["target_shape": [0, 2]], "Reshape", "target_shape"),
        .layer("Reshape", ["target_shape": [-2, 2]], "Reshape", "target_shape"),
        .layer("Reshape", ["target_shape": [2, 2.5]], "Reshape", "target_shape"),
        .layer("Reshape", ["target_shape": .int(Int.max), "name": "r"], "Reshape", "target_shape"),
        .layer("Reshape", ["target_shape": [.int(Int.max), .int(Int.max)]], "Reshape", "target_shape"),
        .layer("Reshape", [:], "Reshape", "target_shape"),
        .layer("Permute", ["dims": [1, 1]], "Permute", "dims"),
        .layer("Permute", ["dims": [0, 1]], "Permute", "dims"),
        .layer("Permute", ["dims": [3]], "Permute", "dims"),
        .layer("Permute", ["dims": ["a"]], "Permute", "dims"),
        .layer("RepeatVector", ["n": -2], "RepeatVector", "n"),
        .layer("RepeatVector", ["n": "x"], "RepeatVector", "n"),
        .layer("RepeatVector", [:], "RepeatVector", "n"),
        .layer("InputLayer", ["batch_shape": [nil, -3]], "InputLayer", "-3"),
        .layer("InputLayer", ["batch_shape": []], "InputLayer", "batch_shape"),
        .layer("InputLayer", ["batch_shape": "x"], "InputLayer", "batch_shape"),
        .layer("InputLayer", ["batch_shape": [nil, 1e20]], "InputLayer", "batch_shape"),
        .layer("InputLayer", ["batch_shape": [nil, [4]]], "InputLayer", "batch_shape"),
        .layer("InputLayer", [:], "InputLayer", "batch_shape"),
        .layer("ReLU", ["max_value": -1], "ReLU", "max_value"),
        .layer("ReLU", ["max_value": .double(.nan)], "ReLU", "max_value"),
        .layer("ReLU", ["negative_slope": -1], "ReLU", "negative_slope"),
        .layer("ReLU", ["threshold": .double(.infinity)], "ReLU", "threshold"),
        .layer("ReLU", ["threshold": "zero"], "ReLU", "threshold"),
        .layer("LeakyReLU", ["negative_slope": -0.5], "LeakyReLU", "negative_slope"),
        .layer("LeakyReLU", ["alpha": "x"], "LeakyReLU", "alpha"),
        .layer("ELU", ["alpha": .double(.nan)], "ELU", "alpha"),
        .layer("Softmax", ["axis": "last"], "Softmax", "axis"),
        .layer("Concatenate", ["axis": 1.5], "Concatenate", "axis"),
        .layer("Dot", ["axes": [1, 2, 3]], "Dot", "axes"),
        .layer("Dot", ["axes": "x"], "Dot", "axes"),
        .layer("Dot", [:], "Dot", "axes"),
        .layer("Dot", ["axes": 1, "normalize": "yes"], "Dot", "normalize"),
        .layer("PReLU", ["shared_axes": "x"], "PReLU", "shared_axes"),
        .layer("PReLU", ["alpha_initializer": 3], "PReLU", "alpha_initializer"),
        .layer("Activation", ["activation": "nope"], "Activation", "activation", "nope"),
        .layer("Activation", ["activation": ["class_name": 3]], "Activation", "activation"),
        .layer("Add", ["dtype": ["config": ["name": "int8"]]], "Add", "dtype"),
        .layer("Flatten", ["name": ["a"]], "Flatten", "name"),
        .layer("Identity", ["trainable": 1], "Identity", "trainable"),
        .layer("Lambda", ["name": "l"], "Lambda", "closure"),
        .layer("Conv9D", [:], "Conv9D"),
    ]

    static let buildCases: [MalformedCase] = [
        .build("Dense", dense, inputShape: [nil, -4], "input_shape"),
        .build("Dense", dense, inputShape: [nil, "x"], "input_shape"),
        .build("Dense", dense, inputShape: "x", "input_shape"),
        .build("Dense", dense, inputShape: [nil, 1e20], "input_shape"),
        .build("Dense", dense, inputShape: [nil, 4.5], "input_shape"),
        .build("Dense", dense, inputShape: [[nil, 4], [nil, 4]], "takes one input"),
        .build("Dense", dense, inputShape: [[[nil]]], "input_shape"),
        .build("Dense", dense, inputShape: [3], "Dense", "min_ndim"),
        .build("Dense", dense, inputShape: [nil, nil], "Dense", "defined"),
        .build("Dense", dense, inputShape: [nil, .int(Int.max)], "Dense", "elements"),
        .build("Dense", ["units": .int(1 << 40)], inputShape: [nil, 1_048_576], "Dense", "elements"),
        .build("PReLU", [:], inputShape: [nil, 1_048_576, 1_048_576], "PReLU", "elements"),
        .build("Flatten", [:], inputShape: [nil, 1_099_511_627_776, 1_099_511_627_776], "Flatten", "overflows"),
        .build("Reshape", ["target_shape": [5]], inputShape: [nil, 4], "target shape"),
        .build("Reshape", ["target_shape": [-1]], inputShape: [nil, 1_099_511_627_776, 1_099_511_627_776], "target shape"),
        .build("RepeatVector", ["n": .int(1 << 40)], inputShape: [nil, 1_048_576], "RepeatVector", "elements"),
        .build("Permute", ["dims": [2, 1]], inputShape: [nil, 3], "ndim"),
        .build("Softmax", ["axis": 3], inputShape: [nil, 4], "Softmax", "axis"),
        .build("Concatenate", ["axis": 5], inputShape: [[nil, 2], [nil, 2]], "Concatenate"),
        .build("Dot", ["axes": 7], inputShape: [[nil, 2], [nil, 2]], "Dot", "out of range"),
        .build("Add", [:], inputShape: [[nil, 2], [nil, 3]], "incompatible shapes"),
        .build("Add", [:], inputShape: [nil, 2], "at least 2 inputs"),
        MalformedCase.value("build_config without input_shape", ["build_config", "input_shape"]) {
            _ = try deserializeLayer(["class_name": "Dense", "config": ["units": 3], "build_config": ["shapes_dict": [:]]])
        },
        MalformedCase.value("serialized layer that is not an object", ["class_name"]) { _ = try deserializeLayer([1, 2]) },
        MalformedCase.value("serialized layer without class_name", ["class_name"]) { _ = try deserializeLayer(["config": [:]]) },
        MalformedCase.value("serialized layer with a list config", ["config"]) {
            _ = try deserializeLayer(["class_name": "Dense", "config": [1]])
        },
    ]

    static let dropoutEntry: ConfigValue = ["class_name": "Dropout", "config": ["rate": 0.5, "name": "drop"]]
    static let inputEntry: ConfigValue = ["class_name": "InputLayer", "config": ["batch_shape": [nil, 4], "name": "in"],
                                          "inbound_nodes": []]

    static let modelCases: [MalformedCase] = [
        .layer("Sequential", ["layers": "x"], "Sequential", "layers"),
        .layer("Sequential", ["layers": [5]], "class_name"),
        .layer("Sequential", ["layers": [["class_name": "Dense", "config": ["units": -1]]]], "Dense", "units"),
        .layer("Sequential", ["layers": [dropoutEntry, ["class_name": "InputLayer", "config": ["batch_shape": [nil, 4]]]]],
               "Sequential", "InputLayer"),
        .layer("Sequential", ["layers": [["class_name": "InputLayer", "config": ["batch_shape": [nil, 4]]],
                                         ["class_name": "Reshape", "config": ["target_shape": [3]]]]], "Sequential", "target shape"),
        .layer("Sequential", ["layers": [["class_name": "Dense", "config": ["units": 2]]], "build_input_shape": [nil, -1]],
               "Sequential", "build_input_shape"),
        .layer("Sequential", ["layers": [["class_name": "Permute", "config": ["dims": [2, 1]]]], "build_input_shape": [nil, 4]],
               "Sequential", "build_input_shape", "ndim"),
        .layer("Sequential", ["layers": [], "name": 3], "Sequential", "name"),
        MalformedCase.value("nested Sequential whose build_config a later layer rejects", ["build_config", "ndim"]) {
            _ = try deserializeLayer(["class_name": "Sequential",
                                      "config": ["layers": [["class_name": "Dense", "config": ["units": 2]],
                                                            ["class_name": "Permute", "config": ["dims": [2, 1]]]]],
                                      "build_config": ["input_shape": [nil, 4]]])
        },
        .layer("Sequential", ["layers": [["class_name": "InputLayer", "config": ["batch_shape": [nil, 4]]],
                                         ["class_name": "Sequential", "config": ["layers": [
                                             ["class_name": "Dense", "config": ["units": 2]],
                                             ["class_name": "Permute", "config": ["dims": [2, 1]]]]]]]],
               "Sequential", "ndim"),
        .layer("Functional", [:], "Functional", "layers"),
        .layer("Functional", ["layers": 5], "Functional", "layers"),
        .layer("Functional", ["layers": [inputEntry, inputEntry], "input_layers": [["in", 0, 0]], "output_layers": [["in", 0, 0]]],
               "Functional", "more than once"),
        .layer("Functional", ["layers": [inputEntry], "input_layers": "in", "output_layers": [["in", 0, 0]]],
               "Functional", "input_layers"),
        .layer("Functional", ["layers": [inputEntry], "input_layers": [], "output_layers": [["in", 0, 0]]],
               "Functional", "input_layers"),
        .layer("Functional", ["layers": [inputEntry], "input_layers": [["in", 0, 9]], "output_layers": [["in", 0, 0]]],
               "Functional", "input_layers"),
        .layer("Functional", ["layers": [inputEntry], "input_layers": [["in", -1, -1]], "output_layers": [["in", 0, 0]]],
               "Functional", "input_layers"),
        .layer("Functional", ["layers": [inputEntry], "input_layers": [["in", 0, 0]], "output_layers": [["nowhere", 0, 0]]],
               "Functional", "output_layers"),
        .layer("Functional", ["layers": [inputEntry, ["class_name": "Dense", "config": ["units": 2, "name": "d"], "inbound_nodes": "x"]],
                              "input_layers": [["in", 0, 0]], "output_layers": [["d", 0, 0]]],
               "Functional", "inbound_nodes"),
        .layer("Functional", ["layers": [inputEntry, ["class_name": "Dense", "config": ["units": 2, "name": "d"], "inbound_nodes": [[1, 2]]]],
                              "input_layers": [["in", 0, 0]], "output_layers": [["d", 0, 0]]],
               "Functional", "inbound_nodes"),
        .layer("Functional", ["layers": [inputEntry, ["class_name": "Dense", "config": ["units": 2, "name": "d"],
                                                      "inbound_nodes": [["args": [["config": ["keras_history": ["ghost", 0, 0]]]]]]]],
                              "input_layers": [["in", 0, 0]], "output_layers": [["d", 0, 0]]],
               "Functional", "ghost"),
        .layer("Functional", ["layers": [inputEntry, ["class_name": "Dense", "config": ["units": 2, "name": "d"],
                                                      "inbound_nodes": [["args": [[["config": ["keras_history": ["in", 0, 0]]],
                                                                                   ["config": ["keras_history": ["in", 0, 0]]]]]]]]],
                              "input_layers": [["in", 0, 0]], "output_layers": [["d", 0, 0]]],
               "Functional", "takes one input"),
        .layer("Functional", ["layers": [inputEntry, ["class_name": "Permute", "config": ["dims": [2, 1], "name": "p"],
                                                      "inbound_nodes": [["args": [["config": ["keras_history": ["in", 0, 0]]]]]]]],
                              "input_layers": [["in", 0, 0]], "output_layers": [["p", 0, 0]]],
               "Functional", "ndim"),
    ]

    static let deserializerCases: [MalformedCase] = [
        .value("initializer bogus", ["initializer", "bogus"]) { _ = try deserializeInitializer("bogus") },
        .value("initializer number", ["initializer"]) { _ = try deserializeInitializer(3) },
        .value("initializer class_name number", ["class_name"]) { _ = try deserializeInitializer(["class_name": 5]) },
        .value("initializer config list", ["config"]) { _ = try deserializeInitializer(["class_name": "Zeros", "config": [1]]) },
        .value("initializer unknown key", ["Zeros", "extra"]) { _ = try deserializeInitializer(["class_name": "Zeros", "config": ["extra": 1]]) },
        .value("VarianceScaling scale -1", ["VarianceScaling", "scale"]) {
            _ = try deserializeInitializer(["class_name": "VarianceScaling", "config": ["scale": -1]])
        },
        .value("VarianceScaling scale NaN", ["VarianceScaling", "scale"]) {
            _ = try deserializeInitializer(["class_name": "VarianceScaling", "config": ["scale": .double(.nan)]])
        },
        .value("VarianceScaling mode", ["VarianceScaling", "mode", "fan_x"]) {
            _ = try deserializeInitializer(["class_name": "VarianceScaling", "config": ["mode": "fan_x"]])
        },
        .value("RandomNormal mean string", ["RandomNormal", "mean"]) {
            _ = try deserializeInitializer(["class_name": "RandomNormal", "config": ["mean": "x"]])
        },
        .value("GlorotUniform seed", ["GlorotUniform", "seed"]) {
            _ = try deserializeInitializer(["class_name": "GlorotUniform", "config": ["seed": 1.5]])
        },
        .value("regularizer bogus", ["regularizer", "bogus"]) { _ = try deserializeRegularizer("bogus") },
        .value("L1 negative", ["L1", "l1"]) { _ = try deserializeRegularizer(["class_name": "L1", "config": ["l1": -1]]) },
        .value("L2 NaN", ["L2", "l2"]) { _ = try deserializeRegularizer(["class_name": "L2", "config": ["l2": .double(.nan)]]) },
        .value("L1L2 string", ["L1L2", "l1"]) { _ = try deserializeRegularizer(["class_name": "L1L2", "config": ["l1": "x"]]) },
        .value("constraint bogus", ["constraint", "bogus"]) { _ = try deserializeConstraint("bogus") },
        .value("MaxNorm axis", ["MaxNorm", "axis"]) { _ = try deserializeConstraint(["class_name": "MaxNorm", "config": ["axis": [1, "x"]]]) },
        .value("UnitNorm unknown key", ["UnitNorm", "rate"]) { _ = try deserializeConstraint(["class_name": "UnitNorm", "config": ["rate": 1]]) },
        .value("activation bogus", ["activation", "bogus"]) { _ = try ActivationFunction.deserialize("bogus") },
        .value("activation number", ["activation"]) { _ = try ActivationFunction.deserialize(3) },
        .value("loss bogus", ["loss", "bogus"]) { _ = try deserializeLoss("bogus") },
        .value("loss list", ["loss"]) { _ = try deserializeLoss([1]) },
        .value("Huber delta", ["Huber", "delta"]) { _ = try deserializeLoss(["class_name": "Huber", "config": ["delta": "x"]]) },
        .value("Huber delta inf", ["Huber", "delta"]) { _ = try deserializeLoss(["class_name": "Huber", "config": ["delta": .double(.infinity)]]) },
        .value("BCE label_smoothing", ["BinaryCrossentropy", "label_smoothing"]) {
            _ = try deserializeLoss(["class_name": "BinaryCrossentropy", "config": ["label_smoothing": 2]])
        },
        .value("BCE from_logits", ["BinaryCrossentropy", "from_logits"]) {
            _ = try deserializeLoss(["class_name": "BinaryCrossentropy", "config": ["from_logits": "yes"]])
        },
        .value("MSE reduction", ["MeanSquaredError", "reduction", "average"]) {
            _ = try deserializeLoss(["class_name": "MeanSquaredError", "config": ["reduction": "average"]])
        },
        .value("SCCE ignore_class", ["SparseCategoricalCrossentropy", "ignore_class"]) {
            _ = try deserializeLoss(["class_name": "SparseCategoricalCrossentropy", "config": ["ignore_class": 1.5]])
        },
        .value("loss unknown key", ["MeanSquaredError", "foo"]) {
            _ = try deserializeLoss(["class_name": "MeanSquaredError", "config": ["foo": 1]])
        },
        .value("metric bogus", ["metric", "bogus"]) { _ = try deserializeMetric("bogus") },
        .value("metric number", ["metric"]) { _ = try deserializeMetric(3) },
        .value("AUC num_thresholds 1", ["AUC", "num_thresholds"]) {
            _ = try deserializeMetric(["class_name": "AUC", "config": ["num_thresholds": 1]])
        },
        .value("AUC num_thresholds huge", ["AUC", "num_thresholds"]) {
            _ = try deserializeMetric(["class_name": "AUC", "config": ["num_thresholds": 1_000_000_000_000]])
        },
        .value("AUC curve", ["AUC", "curve", "XY"]) { _ = try deserializeMetric(["class_name": "AUC", "config": ["curve": "XY"]]) },
        .value("AUC multi_label", ["AUC", "multi_label"]) { _ = try deserializeMetric(["class_name": "AUC", "config": ["multi_label": true]]) },
        .value("TopK k 0", ["TopKCategoricalAccuracy", "k"]) {
            _ = try deserializeMetric(["class_name": "TopKCategoricalAccuracy", "config": ["k": 0]])
        },
        .value("Precision thresholds 2", ["Precision", "thresholds"]) {
            _ = try deserializeMetric(["class_name": "Precision", "config": ["thresholds": [0.5, 2]]])
        },
        .value("Precision thresholds empty", ["Precision", "thresholds"]) {
            _ = try deserializeMetric(["class_name": "Precision", "config": ["thresholds": []]])
        },
        .value("Recall class_id", ["Recall", "class_id"]) { _ = try deserializeMetric(["class_name": "Recall", "config": ["class_id": 1]]) },
        .value("F1 threshold", ["F1Score", "threshold"]) { _ = try deserializeMetric(["class_name": "F1Score", "config": ["threshold": 5]]) },
        .value("F1 average", ["F1Score", "average"]) { _ = try deserializeMetric(["class_name": "F1Score", "config": ["average": "mean"]]) },
        .value("FBeta beta", ["FBetaScore", "beta"]) { _ = try deserializeMetric(["class_name": "FBetaScore", "config": ["beta": -1]]) },
        .value("R2 num_regressors", ["R2Score", "num_regressors"]) {
            _ = try deserializeMetric(["class_name": "R2Score", "config": ["num_regressors": -1]])
        },
        .value("BinaryAccuracy threshold", ["BinaryAccuracy", "threshold"]) {
            _ = try deserializeMetric(["class_name": "BinaryAccuracy", "config": ["threshold": "x"]])
        },
        .value("metric unknown key", ["Mean", "foo"]) { _ = try deserializeMetric(["class_name": "Mean", "config": ["foo": 1]]) },
        .value("metric name number", ["Mean", "name"]) { _ = try deserializeMetric(["class_name": "Mean", "config": ["name": 1]]) },
    ]

    static let jsonCases: [MalformedCase] = [
        .value("JSON empty", ["JSON"]) { _ = try ConfigValue.parse(json: "") },
        .value("JSON truncated object", ["JSON"]) { _ = try ConfigValue.parse(json: #"{"units": "#) },
        .value("JSON truncated list", ["JSON"]) { _ = try ConfigValue.parse(json: "[1, 2") },
        .value("JSON number past double", ["JSON"]) { _ = try ConfigValue.parse(json: "1e400") },
        .value("JSON 10000 nested lists", ["JSON"]) {
            _ = try ConfigValue.parse(json: String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000))
        },
        .value("JSON NaN", ["JSON"]) { _ = try ConfigValue.parse(json: "[NaN]") },
        .value("JSON units past UInt64", ["Dense", "units"]) {
            guard case .object(let config) = try ConfigValue.parse(json: #"{"units": 99999999999999999999}"#) else { return }
            _ = try makeLayer(className: "Dense", config: config)
        },
        .value("JSON units past Int64", ["Dense", "units"]) {
            guard case .object(let config) = try ConfigValue.parse(json: #"{"units": 18446744073709551615}"#) else { return }
            _ = try makeLayer(className: "Dense", config: config)
        },
        .value("JSON units negative past Int64", ["Dense", "units"]) {
            guard case .object(let config) = try ConfigValue.parse(json: #"{"units": -9223372036854775809}"#) else { return }
            _ = try makeLayer(className: "Dense", config: config)
        },
    ]

    @Test(arguments: layerCases) func layerConfig(_ c: MalformedCase) { expectInvalidConfig(c) }
    @Test(arguments: buildCases) func buildConfig(_ c: MalformedCase) { expectInvalidConfig(c) }
    @Test(arguments: modelCases) func modelConfig(_ c: MalformedCase) { expectInvalidConfig(c) }
    @Test(arguments: deserializerCases) func deserializer(_ c: MalformedCase) { expectInvalidConfig(c) }
    @Test(arguments: jsonCases) func json(_ c: MalformedCase) { expectInvalidConfig(c) }

    @Test func hugeNumbersNeverTrap() throws {
        #expect(ConfigValue.double(1e300).intValue == nil)
        #expect(ConfigValue.double(-9.3e18).intValue == nil)
        #expect(ConfigValue.double(.nan).intValue == nil)
        #expect(ConfigValue.double(3).intValue == 3)
        #expect(try ConfigValue.parse(json: "18446744073709551615").intValue == nil)
        #expect(ConfigValue.array([1, "x"]).shapeValue == nil)
    }

    /// Non-throwing constructors stop with their message (misuse in code), in release builds too.
    @Test func constructorsStopWithTheirMessage() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Dense(-3)
        } .map { #expect(String(decoding: $0.standardErrorContent, as: UTF8.self).contains("units=-3")) }
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Reshape([-1, -1])
        } .map { #expect(String(decoding: $0.standardErrorContent, as: UTF8.self).contains("target_shape=(-1, -1)")) }
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Input(shape: [-3])
        } .map { #expect(String(decoding: $0.standardErrorContent, as: UTF8.self).contains("Negative dimensions")) }
        await #expect(processExitsWith: .failure) { _ = Dropout(1.5) }
        await #expect(processExitsWith: .failure) { _ = RepeatVector(-2) }
        await #expect(processExitsWith: .failure) { _ = Permute([1, 1]) }
    }
}
