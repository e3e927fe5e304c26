import Keras
import KerasTestSupport
import Testing

@Suite("Sequential")
struct SequentialTests {
    static func seedModel() -> Sequential {
        Sequential([
            Dense(2, activation: .relu, name: "layer1"),
            Dense(3, activation: .relu, name: "layer2"),
            Dense(4, name: "layer3"),
        ])
    }

    @Test func seedModelMatchesKeras() throws {
        let model = Self.seedModel()
        let x = Tensor.ones([3, 3])
        _ = model(x)
        try model.setWeights(ModelFixtures.weights("seed_sequential"))
        assertClose(model(x), ModelFixtures.tensor(ModelFixtures.models["seed_sequential"]!["output"]!), atol: 1e-5)
        // The same three layers called by hand give the same result.
        let (l1, l2, l3) = (model.layers[0], model.layers[1], model.layers[2])
        assertClose(l3(l2(l1(x))), model(x))
    }

    @Test func seedConfigMatchesKerasStructure() throws {
        try withNameScope {
            let model = Self.seedModel()
            _ = model(Tensor.ones([3, 3]))
            let ours = model.getConfig()
            let keras = ModelFixtures.models["seed_sequential"]!["config"]!.objectValue!
            #expect(Set(ours.keys) == Set(keras.keys))
            #expect(ours["build_input_shape"] == keras["build_input_shape"])
            let ourLayers = ours["layers"]!.arrayValue!, kerasLayers = keras["layers"]!.arrayValue!
            #expect(ourLayers.map { $0["class_name"] } == kerasLayers.map { $0["class_name"] })
            #expect(ourLayers[0]["config"]?["batch_shape"] == kerasLayers[0]["config"]?["batch_shape"])
            #expect(ourLayers.dropFirst().map { $0["config"]?["name"] } == kerasLayers.dropFirst().map { $0["config"]?["name"] })
            // Round trip through the config, and from Keras's own config.
            let copy = try Sequential(config: ours)
            #expect(ConfigValue.object(copy.getConfig()) == ConfigValue.object(ours))
            let fromKeras = try Sequential(config: keras)
            #expect(fromKeras.layers.map(\.name) == ["layer1", "layer2", "layer3"])
            try fromKeras.setWeights(ModelFixtures.weights("seed_sequential"))
            assertClose(fromKeras(Tensor.ones([3, 3])), ModelFixtures.tensor(ModelFixtures.models["seed_sequential"]!["output"]!), atol: 1e-5)
        }
    }

    @Test func buildsOnFirstCall() throws {
        let model = Sequential([Dense(2, activation: .relu), Dense(3, activation: .relu), Dense(4)])
        #expect(!model.built && model.weights.isEmpty)
        _ = model(Tensor.ones([1, 4]))
        #expect(model.built)
        #expect(model.weights.count == 6)
        #expect(try model.layers.map { try $0.outputShape } == [[1, 2], [1, 3], [1, 4]])
        #expect(model.inputShapes == [[nil, 4]])
        #expect(model(Tensor.ones([7, 4])).shape == [7, 4])
    }

    @Test func addPopAndInputFirst() throws {
        let model = Sequential()
        try model.add(Input(shape: [4]))
        #expect(model.layers.isEmpty)
        try model.add(Dense(2, activation: .relu))
        #expect(model.built)
        #expect(model.weights.map(\.shape) == [[4, 2], [2]])   // built at once
        try model.add(Dense(3))
        #expect(model.layers.count == 2)
        #expect(model.outputs.first?.shape == [nil, 3])
        model.pop()
        #expect(model.layers.count == 1)
        #expect(model.outputs.first?.shape == [nil, 2])
        #expect(model(Tensor.ones([5, 4])).shape == [5, 2])
        #expect(model.inputShapes == [[nil, 4]])
        #expect(model.outputNames == [model.layers[0].name])
    }

    @Test func inputLayerInTheList() {
        let model = Sequential([InputLayer(shape: [3]), Dense(2)])
        #expect(model.built && model.countParams() == 8)
        #expect(model.layers.count == 1)
    }

    @Test func modelAsALayer() {
        let inner = Sequential([Dense(3, activation: .relu), Dense(2)])
        let outer = Sequential([inner, Softmax()])
        let y = outer(Tensor.ones([4, 5]))
        #expect(y.shape == [4, 2])
        assertClose(y.sum(axes: [1]), Tensor.ones([4]))
        #expect(outer.weights.count == 4)
        #expect(outer.trainableVariables.count == 4)
        inner.trainable = false
        #expect(outer.trainableVariables.isEmpty)
        #expect(outer.nonTrainableVariables.count == 4)
    }

    @Test func incompatibleLayerStopsWithKerasMessage() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let model = Sequential([Dense(4, name: "dense_a")])
            _ = model(Tensor.ones([3, 5]))
            _ = model.layers[0](Tensor.ones([3, 6]))
        } .map { result in
            let text = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(text.contains("Input 0 of layer \"dense_a\" is incompatible with the layer: expected axis -1 of input shape to have value 5, but received input with shape (3, 6)"))
        }
    }

    @Test func symbolicValidationNamesTheLayer() {
        let model = Sequential([Dense(4, name: "first"), Dense(2, name: "second")])
        _ = model(Tensor.ones([1, 3]))
        let error = model.validateSymbolic([[nil, 7]])
        #expect(error?.description == "Input 0 of layer \"first\" is incompatible with the layer: expected axis -1 of input shape to have value 3, but received input with shape (None, 7)")
    }

    @Test func trainsThroughGradients() {
        let model = Sequential([Dense(3, activation: .relu), Dense(1)])
        let x = Tensor.randomNormal([4, 2], seed: 1), y = Tensor.randomNormal([4, 1], seed: 2)
        _ = model(x)
        func loss() -> Tensor { ((model(x, training: true) - y) ** 2).mean() }
        let before = withoutRecording { loss() }.item
        for _ in 0..<20 {
            let (_, grads) = valueWithGradients(of: model.trainableVariables) { loss() }
            for (v, g) in zip(model.trainableVariables, grads) { v.assignSub(0.05 * g) }
        }
        #expect(withoutRecording { loss() }.item < before)
    }
}
