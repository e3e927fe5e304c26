import Foundation
import Keras
import KerasTestSupport
import Testing

@Suite("Layers: run_layer_test for every layer")
struct LayerContractTests {
    @Test func dense() throws {
        try runLayerTest({ Dense(3, activation: .tanh, dtype: $0) }, inputShapes: [[2, 4]], expectedOutputShape: [2, 3],
                         expectedTrainableWeights: 2, expectedWeightShapes: [[4, 3], [3]])
        try runLayerTest({ Dense(2, useBias: false, dtype: $0) }, inputShapes: [[2, 3, 4]], expectedOutputShape: [2, 3, 2],
                         expectedTrainableWeights: 1, expectedWeightShapes: [[4, 2]])
    }

    @Test func activationLayers() throws {
        try runLayerTest({ Activation(.sigmoid, dtype: $0) }, inputShapes: [[2, 3]], expectedOutputShape: [2, 3])
        try runLayerTest({ ReLU(maxValue: 1.5, negativeSlope: 0.2, threshold: 0.3, dtype: $0) }, inputShapes: [[3, 4]], expectedOutputShape: [3, 4])
        try runLayerTest({ LeakyReLU(dtype: $0) }, inputShapes: [[2, 5]], expectedOutputShape: [2, 5])
        try runLayerTest({ PReLU(alphaInitializer: Constant(0.25), dtype: $0) }, inputShapes: [[2, 4]], expectedOutputShape: [2, 4],
                         expectedTrainableWeights: 1, expectedWeightShapes: [[4]])
        try runLayerTest({ PReLU(sharedAxes: [1], dtype: $0) }, inputShapes: [[2, 3, 4]], expectedOutputShape: [2, 3, 4],
                         expectedTrainableWeights: 1, expectedWeightShapes: [[1, 4]])
        try runLayerTest({ ELU(alpha: 0.5, dtype: $0) }, inputShapes: [[2, 5]], expectedOutputShape: [2, 5])
        try runLayerTest({ Softmax(axis: 1, dtype: $0) }, inputShapes: [[2, 3, 4]], expectedOutputShape: [2, 3, 4])
    }

    @Test func reshapingLayers() throws {
        try runLayerTest({ Flatten(dtype: $0) }, inputShapes: [[2, 3, 2]], expectedOutputShape: [2, 6])
        try runLayerTest({ Reshape([3, 2], dtype: $0) }, inputShapes: [[2, 6]], expectedOutputShape: [2, 3, 2])
        try runLayerTest({ Reshape([-1, 2], dtype: $0) }, inputShapes: [[2, 3, 4]], expectedOutputShape: [2, 6, 2])
        try runLayerTest({ Permute([2, 1], dtype: $0) }, inputShapes: [[2, 3, 4]], expectedOutputShape: [2, 4, 3])
        try runLayerTest({ RepeatVector(3, dtype: $0) }, inputShapes: [[2, 4]], expectedOutputShape: [2, 3, 4])
    }

    @Test func coreLayers() throws {
        try runLayerTest({ Dropout(0.5, seed: 3, dtype: $0) }, inputShapes: [[2, 4]], expectedOutputShape: [2, 4])
        try runLayerTest({ Identity(dtype: $0) }, inputShapes: [[2, 4]], expectedOutputShape: [2, 4])
        try runLayerTest({ Lambda(dtype: $0) { ($0 * $0).sum(axes: [1], keepDims: true) } }, inputShapes: [[2, 4]],
                         expectedOutputShape: [2, 1], checkRoundTrip: false)
    }

    @Test func mergeLayers() throws {
        try runLayerTest({ Add(dtype: $0) }, inputShapes: [[2, 3], [2, 3], [2, 3]], expectedOutputShape: [2, 3])
        try runLayerTest({ Subtract(dtype: $0) }, inputShapes: [[2, 3], [2, 3]], expectedOutputShape: [2, 3])
        try runLayerTest({ Multiply(dtype: $0) }, inputShapes: [[2, 3], [2, 3]], expectedOutputShape: [2, 3])
        try runLayerTest({ Average(dtype: $0) }, inputShapes: [[2, 3], [2, 3]], expectedOutputShape: [2, 3])
        try runLayerTest({ Maximum(dtype: $0) }, inputShapes: [[2, 3], [2, 3]], expectedOutputShape: [2, 3])
        try runLayerTest({ Minimum(dtype: $0) }, inputShapes: [[2, 3], [2, 3]], expectedOutputShape: [2, 3])
        try runLayerTest({ Concatenate(axis: 1, dtype: $0) }, inputShapes: [[2, 2, 3], [2, 1, 3]], expectedOutputShape: [2, 3, 3])
        try runLayerTest({ Dot(axes: 1, normalize: true, dtype: $0) }, inputShapes: [[2, 3], [2, 3]], expectedOutputShape: [2, 1])
        try runLayerTest({ Dot(axes: [2, 2], dtype: $0) }, inputShapes: [[2, 3, 4], [2, 5, 4]], expectedOutputShape: [2, 3, 5])
    }
}

@Suite("Layers: numbers and configs against Keras fixtures")
struct LayerFixtureTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let id: String
        let raw: Config
        var testDescription: String { id }
    }

    static let cases: [Case] = {
        let root = try! loadFixture("layers_numerics.json") as! [String: Any]
        return (root["cases"] as! [[String: Any]]).map { c in
            Case(id: c["id"] as! String, raw: ConfigValue.from(any: c).objectValue!)
        }
    }()

    static func tensor(_ value: ConfigValue) -> Tensor {
        let shape = value["shape"]!.arrayValue!.map { $0.intValue! }
        func flatten(_ v: ConfigValue) -> [Double] { v.arrayValue.map { $0.flatMap(flatten) } ?? [v.doubleValue!] }
        return Tensor(shape: shape, doubles: flatten(value["data"]!), dtype: .float32)
    }

    @Test(arguments: cases)
    func matchesKeras(_ c: Case) throws {
        let className = c.raw["class_name"]!.stringValue!
        let kerasConfig = c.raw["config"]!.objectValue!
        // The layer is made from Keras's own get_config() output.
        let layer = try makeLayer(className: className, config: kerasConfig)
        let inputs = c.raw["inputs"]!.arrayValue!.map(Self.tensor)
        _ = layer.apply(inputs)
        try layer.setWeights(c.raw["weights"]!.arrayValue!.map(Self.tensor))
        let expected = Self.tensor(c.raw["output"]!)
        assertClose(layer.apply(inputs)[0], expected, rtol: 1e-5, atol: 1e-5, c.id)
        #expect(layer.trainableWeights.count == c.raw["num_trainable_weights"]!.intValue!)
        #expect(layer.weights.map { $0.shape } == c.raw["weight_shapes"]!.arrayValue!.map { $0.arrayValue!.map { $0.intValue! } })

        // Symbolic output shape, batch unknown.
        let symbolicInputs = inputs.map { Input(shape: $0.shape.dropFirst().map { Optional($0) }) }
        let fresh = try makeLayer(className: className, config: kerasConfig)
        #expect(fresh.applySymbolic(symbolicInputs)[0].shape == c.raw["symbolic_output_shape"]!.shapeValue!)

        // Our config has Keras's keys and values (initializer configs compared by class name:
        // Keras 3.15 adds input_axes/output_axes to the variance-scaling family).
        let ours = layer.getConfig()
        #expect(Set(ours.keys) == Set(kerasConfig.keys), "\(c.id): keys \(ours.keys.sorted()) vs \(kerasConfig.keys.sorted())")
        for (key, value) in kerasConfig where ours[key] != nil {
            if key.hasSuffix("_initializer") {
                #expect(ours[key]?["class_name"] == value["class_name"], "\(c.id).\(key)")
            } else if key == "function" {
                continue
            } else {
                #expect(ours[key] == value || ours[key]?.doubleValue == value.doubleValue && value.doubleValue != nil,
                        "\(c.id).\(key): \(ours[key]!) vs \(value)")
            }
        }
    }
}

@Suite("Layer base behaviour")
struct LayerBaseTests {
    @Test func autoNamesAreSnakeCaseAndUnique() {
        withNameScope {
            #expect(Dense(1).name == "dense")
            #expect(Dense(1).name == "dense_1")
            #expect(ReLU().name == "re_lu")
            #expect(PReLU().name == "p_re_lu")
            #expect(LeakyReLU().name == "leaky_re_lu")
            #expect(RepeatVector(2).name == "repeat_vector")
            #expect(Activation(.relu).name == "activation")
            #expect(Dense(1, name: "custom").name == "custom")
            #expect(Dense(1).name == "dense_2")
        }
        #expect(toSnakeCase("BatchNormalization") == "batch_normalization")
        #expect(toSnakeCase("ELU") == "elu")
    }

    @Test func globalNamesStayUniqueUnderConcurrency() async {
        let names = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<8 { group.addTask { (0..<50).map { _ in Dense(1).name } } }
            var all: [String] = []
            for await chunk in group { all += chunk }
            return all
        }
        #expect(Set(names).count == 400)
    }

    @Test func inputLayerAndLambdaConfigs() throws {
        let input = InputLayer(shape: [nil, 4], batchSize: 2, name: "x")
        let config = input.getConfig()
        #expect(config["batch_shape"] == [2, nil, 4])
        let copy = try makeLayer(className: "InputLayer", config: config) as! InputLayer
        #expect(copy.batchShape == [2, nil, 4] && copy.name == "x")
        let lambda = Lambda(outputShape: [1], name: "norm") { ($0 * $0).sum(axes: [1], keepDims: true) }
        #expect(lambda(Input(shape: [3])).shape == [nil, 1])
        let rebuilt = try Lambda(config: lambda.getConfig(), function: lambda.function)
        assertClose(rebuilt(Tensor([[1.0, 2.0]])), Tensor([[5.0]]))
        #expect(throws: KerasError.self) { try makeLayer(className: "Lambda", config: lambda.getConfig()) }
        #expect(throws: KerasError.self) { try makeLayer(className: "Conv9D", config: [:]) }
        #expect(throws: KerasError.self) { try makeLayer(className: "Dense", config: ["units": "three"]) }
    }

    @Test func fromConfigAndCustomRegistration() throws {
        let dense = try Dense.fromConfig(Dense(3, activation: .relu, name: "d3").getConfig())
        #expect(dense.units == 3 && dense.name == "d3")
        let act = try Activation.fromConfig(["name": "a", "activation": "tanh"])
        #expect(act.className == "Activation")
        #expect(throws: KerasError.self) { try Dense.fromConfig(["name": "x"]) }

        final class Scale: Layer, @unchecked Sendable {
            let factor: Double
            init(factor: Double, name: String? = nil) { self.factor = factor; super.init(name: name) }
            override func call(_ x: Tensor, training: Bool) -> Tensor { x * factor }
            override func getConfig() -> Config { var c = super.getConfig(); c["factor"] = .double(factor); return c }
        }
        registerLayer(className: "Scale") { Scale(factor: $0["factor"]?.doubleValue ?? 1, name: $0["name"]?.stringValue) }
        let model = Sequential([InputLayer(shape: [2]), Scale(factor: 3)])
        let copy = try deserializeLayer(serializeLayer(model)) as! Sequential
        assertClose(copy(Tensor([[1.0, 2.0]])), Tensor([[3.0, 6.0]]))
    }

    @Test func symbolicShapeErrors() {
        #expect(Reshape([4, 2]).applySymbolic([Input(shape: [6])])[0].error != nil)
        #expect(Permute([2, 1]).applySymbolic([Input(shape: [6])])[0].error?.description.contains("expected ndim=3, found ndim=2") == true)
        #expect(Dense(2).applySymbolic([Input(shape: [nil])])[0].error != nil)
        #expect(Concatenate(axis: 1).applySymbolic([Input(shape: [2, 3]), Input(shape: [2, 4])])[0].error != nil)
        #expect(Dot(axes: 1).applySymbolic([Input(shape: [3]), Input(shape: [4])])[0].error != nil)
        #expect(Add().applySymbolic([Input(shape: [3]), Input(shape: [4])])[0].error != nil)
        #expect(Add().applySymbolic([Input(shape: [3]), Input(shape: [1])])[0].shape == [nil, 3])
    }

    @Test func deferredBuild() throws {
        let layer = Dense(3)
        #expect(!layer.built && layer.weights.isEmpty)
        _ = layer(Tensor.ones([1, 4]))
        #expect(layer.built)
        #expect(layer.weights.map(\.shape) == [[4, 3], [3]])
        #expect(try layer.inputShape == [1, 4])
        #expect(try layer.outputShape == [1, 3])
        #expect(layer.countParams() == 15)
    }

    @Test func setWeightsIsShapeChecked() throws {
        let layer = Dense(2, name: "d")
        _ = layer(Tensor.ones([1, 3]))
        #expect(throws: KerasError.self) { try layer.setWeights([Tensor.ones([3, 2])]) }
        do {
            try layer.setWeights([Tensor.ones([2, 3]), Tensor.ones([2])])
            Issue.record("expected a shape mismatch")
        } catch let error as KerasError {
            #expect(error.description == "Layer \"d\" weight shape mismatch: expected (3, 2) for weight 0 (kernel), received (2, 3)")
        }
        try layer.setWeights([Tensor.ones([3, 2]), Tensor.zeros([2])])
        assertClose(layer(Tensor.ones([1, 3])), Tensor([[3.0, 3.0]]))
    }

    @Test func trainableFlagMovesWeights() {
        let layer = Dense(2)
        _ = layer(Tensor.ones([1, 3]))
        layer.trainable = false
        #expect(layer.trainableWeights.isEmpty)
        #expect(layer.nonTrainableWeights.count == 2)
        #expect(layer.getConfig()["trainable"] == false)
    }

    @Test func dropoutOnlyInTraining() {
        let drop = Dropout(0.5, seed: 1)
        let x = Tensor.ones([4, 50])
        assertClose(drop(x), x)
        let y = drop(x, training: true).doubles
        #expect(Set(y).isSubset(of: [0, 2]))
        let kept = y.filter { $0 != 0 }.count
        #expect(kept > 60 && kept < 140)
    }

    @Test func dropoutReproducibleWithSeed() {
        let a = Dropout(0.3, seed: 7)(Tensor.ones([3, 4]), training: true)
        let b = Dropout(0.3, seed: 7)(Tensor.ones([3, 4]), training: true)
        assertClose(a, b)
    }

    @Test func incompatibleShapeErrorNamesTheLayer() {
        let layer = Dense(3, name: "dense_1")
        _ = layer(Tensor.ones([3, 4]))
        #expect(layer.checkInputs([[3, 5]])?.description ==
                "Input 0 of layer \"dense_1\" is incompatible with the layer: expected axis -1 of input shape to have value 4, but received input with shape (3, 5)")
    }

    @Test func incompatibleEagerCallStops() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let layer = Dense(3, name: "dense_1")
            _ = layer(Tensor.ones([3, 4]))
            _ = layer(Tensor.ones([3, 5]))
        } .map { result in
            let text = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(text.contains("Input 0 of layer \"dense_1\" is incompatible with the layer: expected axis -1 of input shape to have value 4, but received input with shape (3, 5)"))
        }
    }

    @Test func regularizationLosses() {
        struct L2: Regularizer {
            static let className = "L2"
            func callAsFunction(_ weight: Tensor) -> Tensor { (weight * weight).sum() * 0.01 }
            func getConfig() -> Config { ["l2": 0.01] }
        }
        let layer = Dense(2, kernelInitializer: Ones(), kernelRegularizer: L2(), activityRegularizer: L2())
        let y = layer(Tensor.ones([2, 3]))
        let losses = layer.losses
        #expect(losses.count == 2)
        assertClose(losses[0], Tensor(Float(0.06)))   // 6 ones · 0.01
        assertClose(losses[1], (y * y).sum() * 0.01 / 2)   // activity ÷ batch
    }

    @Test func activityAndWeightGradientFlowThroughModels() {
        let model = Sequential([Dense(3, activation: .relu), Dense(1)])
        _ = model(Tensor.ones([2, 4]))
        let (_, grads) = valueWithGradients(of: model.trainableVariables) {
            model(Tensor.ones([2, 4]), training: true).sum()
        }
        #expect(grads.map(\.shape) == [[4, 3], [3], [3, 1], [1]])
    }
}
