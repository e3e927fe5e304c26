import Keras
import KerasTestSupport
import Testing

@Suite struct WeightOrderTests {
    /// A layer with a trainable and a non-trainable weight, like BatchNormalization.
    final class WithStatistics: Layer, @unchecked Sendable {
        var scale: Variable!, count: Variable!
        override func build(inputShape: [Int?]) {
            count = addWeight(name: "count", shape: [1], initializer: Zeros(), trainable: false)
            scale = addWeight(name: "scale", shape: [inputShape.last!!], initializer: Ones())
        }
        override func call(_ x: Tensor, training: Bool) -> Tensor { x * scale.value }
    }

    /// Keras 3's `get_weights()` order: layer by layer, each layer's trainable then non-trainable.
    @Test func weightsAreListedLayerByLayer() throws {
        let model = Sequential([InputLayer(shape: [3]), Dense(2, name: "a"), WithStatistics(name: "s"), Dense(1, name: "b")])
        #expect(model.weights.map(\.name) == ["kernel", "bias", "scale", "count", "kernel", "bias"])
        #expect(model.getWeights().map(\.shape) == [[3, 2], [2], [2], [1], [2, 1], [1]])
        #expect(model.trainableWeights.map(\.name) == ["kernel", "bias", "scale", "kernel", "bias"])
        #expect(model.nonTrainableWeights.map(\.name) == ["count"])
        // setWeights takes the same order, as Python's model.set_weights(other.get_weights()).
        let values = model.getWeights().map { $0 + 1 }
        try model.setWeights(values)
        #expect(model.getWeights().map(\.scalars) == values.map(\.scalars))
    }
}

@Suite struct CheckedCallTests {
    @Test func callCheckedThrowsWhereACallWouldStop() throws {
        let inputs = Input(shape: [4])
        let model = try Model(inputs: inputs, outputs: Dense(2, name: "out")(inputs))
        #expect(try model.callChecked(Tensor.ones([3, 4])).shape == [3, 2])
        #expect(throws: KerasError.self) { try model.callChecked(Tensor.ones([3, 5])) }
        #expect(throws: KerasError.self) { try model.applyChecked([Tensor.ones([3, 4]), Tensor.ones([3, 4])]) }
        let dense = Dense(3)
        #expect(throws: KerasError.self) { try dense.callChecked(Tensor.ones([4])) }   // needs rank ≥ 2
        #expect(!dense.built)
        #expect(throws: KerasError.self) { try dense.build([nil, -2]) }
        #expect(!dense.built)
    }
}
