import Foundation
import Keras
import KerasTestSupport
import Testing

/// `loadModel(_:customObjects:)` (Keras's `custom_objects`): a custom layer, loss and activation
/// saved in `.keras` and legacy `.h5` files load with factories scoped to that load, with the
/// global registry as the fallback.
@Suite("Saving custom objects") struct SavingCustomObjectsTests {
    /// A layer with a weight: `x * gain + factor`.
    final class ScaleShift: Layer, @unchecked Sendable {
        override class var className: String { "SavingTestScaleShift" }
        let factor: Double
        var gain: Variable!
        init(factor: Double, name: String? = nil) { self.factor = factor; super.init(name: name) }
        override func build(inputShape: [Int?]) {
            gain = addWeight(name: "gain", shape: [inputShape.last!!], initializer: RandomNormal(seed: 1))
        }
        override func call(_ x: Tensor, training: Bool) -> Tensor { x * gain.value + factor }
        override func getConfig() -> Config { var c = super.getConfig(); c["factor"] = .double(factor); return c }
    }

    /// A layer found through the global registry only.
    final class Negate: Layer, @unchecked Sendable {
        override class var className: String { "SavingTestNegate" }
        override func call(_ x: Tensor, training: Bool) -> Tensor { -x }
    }

    /// Mean squared error times `scale`.
    struct ScaledMSE: Loss {
        static let className = "SavingTestScaledMSE"
        let name: String
        let scale: Double
        var reduction: Reduction { .sumOverBatchSize }
        func call(_ yTrue: Tensor, _ yPred: Tensor) -> (values: Tensor, mask: Tensor?) { (((yPred - yTrue) * (yPred - yTrue)).mean(axes: [-1]) * scale, nil) }
        func getConfig() -> Config { ["name": .string(name), "reduction": "sum_over_batch_size", "scale": .double(scale)] }
    }

    static let custom = CustomObjects(
        layers: ["SavingTestScaleShift": { config in ScaleShift(factor: config["factor"]?.doubleValue ?? 0, name: config["name"]?.stringValue) }],
        losses: ["SavingTestScaledMSE": { config in ScaledMSE(name: config["name"]?.stringValue ?? "scaled_mse", scale: config["scale"]?.doubleValue ?? 1) }],
        activations: ["saving_test_softsign2": .custom("saving_test_softsign2") { 2 * $0 / ($0.abs() + 1) }])

    @Test(arguments: ["m.keras", "m.h5"])
    func customLayerLossAndActivationLoadInTheirScope(_ file: String) throws {
        registerLayer(className: "SavingTestNegate") { Negate(name: $0["name"]?.stringValue) }
        let model = Sequential([InputLayer(shape: [3]), Dense(4, activation: Self.custom.activations["saving_test_softsign2"]!),
                                ScaleShift(factor: 0.5), Negate(), Dense(2)])
        try model.compile(optimizer: "adam", loss: ScaledMSE(name: "scaled", scale: 3))
        let x = Tensor.randomNormal([5, 3], seed: 2), y = Tensor.randomNormal([5, 2], seed: 3)
        try model.trainOnBatch(x, y)
        let dir = try SavingTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try model.save(to: dir + "/" + file)

        // Without the custom objects the load names the missing class.
        let error = #expect(throws: KerasError.self) { try loadModel(dir + "/" + file) }
        #expect(error?.description.contains("saving_test_softsign2") == true, "\(String(describing: error))")

        let loaded = try loadModel(dir + "/" + file, customObjects: Self.custom)
        assertClose(try loaded.predict(x, verbose: 0), try model.predict(x, verbose: 0), rtol: 1e-6, atol: 1e-6)
        #expect(loaded.compileConfig?["loss"]?["class_name"]?.stringValue == "SavingTestScaledMSE")
        #expect(loaded.compileConfig?["loss"]?["config"]?["scale"]?.doubleValue == 3)
        let (loadedLoss, loss) = (try loaded.testOnBatch(x, y)[0], try model.testOnBatch(x, y)[0])
        #expect(abs(loadedLoss - loss) <= 1e-6 * abs(loss), "\(loadedLoss) vs \(loss)")

        // The custom objects were scoped to that load.
        #expect(throws: KerasError.self) { try modelFromJSON(model.toJSON()) }
        #expect(try modelFromJSON(model.toJSON(), customObjects: Self.custom).layers.count == 4)
    }

    @Test func customObjectsWinOverRegisteredClasses() throws {
        registerLayer(className: "SavingTestShadowed") { _ in Negate() }
        let json = #"{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "InputLayer", "config": {"batch_shape": [null, 2]}}, {"class_name": "SavingTestShadowed", "config": {"name": "shadowed", "factor": 1}}]}}"#
        #expect(try modelFromJSON(json).layers[0] is Negate)
        let scoped = CustomObjects(layers: ["SavingTestShadowed": { ScaleShift(factor: $0["factor"]?.doubleValue ?? 0, name: $0["name"]?.stringValue) }])
        #expect(try modelFromJSON(json, customObjects: scoped).layers[0] is ScaleShift)
    }
}
