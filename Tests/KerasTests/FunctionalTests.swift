import Keras
import KerasTestSupport
import Testing

@Suite("Functional API")
struct FunctionalTests {
    @Test func softmaxModelMatchesKeras() throws {
        let inputs = Input(shape: [3])
        let hidden = Dense(4, activation: .relu)(inputs)
        let outputs = Dense(5, activation: .softmax)(hidden)
        #expect(hidden.shape == [nil, 4])
        let model = try Model(inputs: inputs, outputs: outputs)
        #expect(model.className == "Functional")
        #expect(model.layers.count == 3)
        try model.setWeights(ModelFixtures.weights("functional_softmax"))
        let x = Tensor.ones([3, 3])
        let expected = ModelFixtures.tensor(ModelFixtures.models["functional_softmax"]!["output"]!)
        assertClose(model(x), expected, atol: 1e-5)

        // Recreated from Keras's own config (layer names, inbound nodes) and from ours.
        let fromKeras = try Model(functionalConfig: ModelFixtures.models["functional_softmax"]!["config"]!.objectValue!)
        try fromKeras.setWeights(ModelFixtures.weights("functional_softmax"))
        assertClose(fromKeras(x), expected, atol: 1e-5)
        let copy = try Model(functionalConfig: model.getConfig())
        try copy.setWeights(model.getWeights())
        assertClose(copy(x), model(x))
        #expect(copy.layers.map(\.name) == model.layers.map(\.name))
    }

    @Test func multipleInputsAndOutputs() throws {
        let a = Input(shape: [4], name: "a"), b = Input(shape: [2], name: "b")
        let merged = Concatenate()([Dense(3, name: "da")(a), b])
        let out1 = Dense(1, name: "out1")(merged)
        let out2 = Dense(2, activation: .softmax, name: "out2")(merged)
        let model = try Model(inputs: [a, b], outputs: [out1, out2], name: "two_heads")
        #expect(model.inputNames == ["a", "b"])
        #expect(model.outputNames == ["out1", "out2"])
        #expect(model.inputShapes == [[nil, 4], [nil, 2]])
        let xa = Tensor.randomNormal([5, 4], seed: 1), xb = Tensor.randomNormal([5, 2], seed: 2)
        let ys = model([xa, xb], training: false)
        #expect(ys.map(\.shape) == [[5, 1], [5, 2]])
        let da = try model.getLayer(name: "da"), o1 = try model.getLayer(name: "out1")
        assertClose(ys[0], o1(concatenate([da(xa), xb], axis: -1)))
        #expect(throws: KerasError.self) { try model.getLayer(name: "nope") }
        #expect(model.checkInputs([[5, 4], [5, 3]])?.description ==
                "Input 1 of layer \"two_heads\" is incompatible with the layer: expected shape=(None, 2), found shape=(5, 3)")
    }

    @Test func sharedLayerAndSkipConnection() throws {
        let a = Input(shape: [8]), b = Input(shape: [8])
        let shared = Dense(8, activation: .relu, name: "shared")
        let sa = shared(a), sb = shared(b)
        let sum = Add()([sa, sb, a])        // skip connection from an input
        let out = Dense(1, name: "head")(sum)
        let model = try Model(inputs: [a, b], outputs: out)
        #expect(model.layers.filter { $0 === shared }.count == 1)
        #expect(model.trainableVariables.count == 4)
        let xa = Tensor.randomNormal([2, 8], seed: 3), xb = Tensor.randomNormal([2, 8], seed: 4)
        let head = try model.getLayer(name: "head")
        assertClose(model([xa, xb], training: false)[0], head(shared(xa) + shared(xb) + xa))
        // Gradients reach the shared weights through both branches.
        let (_, grads) = valueWithGradients(of: model.trainableVariables) { model([xa, xb], training: true)[0].sum() }
        #expect(grads.map(\.shape) == [[8, 8], [8], [8, 1], [1]])
    }

    @Test func modelCalledOnSymbolicTensors() throws {
        let inner: Model = try {
            let i = Input(shape: [3])
            return try Model(inputs: i, outputs: Dense(2, name: "inner_dense")(i), name: "inner")
        }()
        let x = Input(shape: [3])
        let y = Softmax()(inner(x))
        let outer = try Model(inputs: x, outputs: y, name: "outer")
        #expect(y.shape == [nil, 2])
        let t = Tensor.randomNormal([4, 3], seed: 5)
        assertClose(outer(t), inner(t).softmax(axis: -1))
        #expect(outer.weights.count == 2)
    }

    @Test func disconnectedGraphThrows() throws {
        let a = Input(shape: [3], name: "a"), b = Input(shape: [3], name: "b")
        let out = Add(name: "add_ab")([a, Dense(3)(b)])
        do {
            _ = try Model(inputs: a, outputs: out)
            Issue.record("expected a disconnected-graph error")
        } catch let error as KerasError {
            guard case .graphDisconnected(let message) = error else { Issue.record("\(error)"); return }
            #expect(message.hasPrefix("Graph disconnected: cannot find parent for tensor"))
        }
    }

    @Test func incompatibleShapeThrowsNamingTheLayer() throws {
        let dense = Dense(2, name: "picky")
        _ = dense(Tensor.ones([1, 4]))
        let inputs = Input(shape: [5])
        let outputs = Dense(1)(dense(inputs))     // the error travels with the tensors
        #expect(throws: KerasError.incompatibleInput(layer: "picky", message: "Input 0 of layer \"picky\" is incompatible with the layer: expected axis -1 of input shape to have value 4, but received input with shape (None, 5)")) {
            try Model(inputs: inputs, outputs: outputs)
        }
        let x = Input(shape: [2]), y = Input(shape: [3])
        #expect(throws: KerasError.self) { try Model(inputs: [x, y], outputs: Add()([x, y])) }
    }

    @Test func subclassedModelFindsItsLayers() throws {
        final class MLP: Model, @unchecked Sendable {
            let hidden = Dense(4, activation: .relu)
            let head = Dense(2)
            override func call(_ x: Tensor, training: Bool) -> Tensor { head(hidden(x, training: training), training: training) }
        }
        let model = MLP()
        try model.build([nil, 3])
        #expect(model.layers.count == 2)
        #expect(model.weights.map(\.shape) == [[3, 4], [4], [4, 2], [2]])
        #expect(model(Tensor.ones([5, 3])).shape == [5, 2])
    }

    @Test func featureExtractionFromASequential() throws {
        let initial = Sequential([InputLayer(shape: [6]), Dense(8, activation: .relu), Dense(4, name: "last")])
        #expect(initial.layers.map { $0.output?.shape } == [[nil, 8], [nil, 4]])
        #expect(initial.layers[1].input === initial.layers[0].output)
        let extractor = try Model(inputs: initial.inputs, outputs: initial.layers.map { $0.output! })
        let x = Tensor.randomNormal([2, 6], seed: 8)
        let features = extractor([x], training: false)
        assertClose(features[1], initial(x))
        assertClose(features[0], initial.layers[0](x))
    }

    @Test func modelLossesCollectRegularizers() throws {
        struct L1: Regularizer {
            static let className = "L1"
            func callAsFunction(_ weight: Tensor) -> Tensor { weight.abs().sum() * 0.1 }
            func getConfig() -> Config { ["l1": 0.1] }
        }
        let inputs = Input(shape: [2])
        let outputs = Dense(1, kernelInitializer: Ones(), kernelRegularizer: L1(), activityRegularizer: L1())(inputs)
        let model = try Model(inputs: inputs, outputs: outputs)
        #expect(model.losses.count == 1)   // no call yet: weight penalty only
        _ = model(Tensor.ones([4, 2]))
        let losses = model.losses
        #expect(losses.count == 2)
        assertClose(losses[0], Tensor(Float(0.2)))
        assertClose(losses[1], Tensor(Float(0.1 * 8 / 4)))   // Σ|2| over 4 rows · 0.1, ÷ batch 4
    }
}
