@testable import Keras
import KerasTestSupport
import Testing

/// A convolution followed by max pooling runs as one op in inference (`Layer.callFused`): the
/// model's outputs are those of its layers called one by one, bit for bit.
@Suite struct InferenceFusionTests {
    /// Each layer called alone (never fused).
    static func layerByLayer(_ layers: [Layer], _ x: Tensor) -> Tensor {
        layers.reduce(x) { h, layer in layer(h) }
    }

    static func bits(_ t: Tensor) -> [UInt32] { t.doubles.map { Float($0).bitPattern } }

    @Test func sequentialConvPoolPairsGiveTheLayersOutputs() throws {
        let layers: [Layer] = [
            Conv2D(16, kernelSize: [3, 3], activation: .relu), MaxPooling2D(),
            Conv2D(16, kernelSize: [3, 3], padding: .same), MaxPooling2D(poolSize: [3, 3], strides: [2, 2], padding: .same),
            Conv2D(4, kernelSize: [1, 1], activation: .tanh), MaxPooling2D(),   // tanh: runs unfused
            Flatten(), Dense(3),
        ]
        let model = Sequential([InputLayer(shape: [14, 14, 2])] + layers)
        let x = Tensor.randomNormal([5, 14, 14, 2], seed: 7)
        let expected = Self.layerByLayer(layers, x)
        #expect(Self.bits(model(x)) == Self.bits(expected))
        let predicted = try model.predict(x, batchSize: 2, verbose: 0)
        for start in stride(from: 0, to: 5, by: 2) {   // each batch as its layers give it
            let end = min(5, start + 2)
            #expect(Self.bits(predicted.slice(axis: 0, start: start, end: end))
                    == Self.bits(Self.layerByLayer(layers, x.slice(axis: 0, start: start, end: end))))
        }
        #expect(Self.bits(model(x, training: true)) == Self.bits(expected))
    }

    /// Which pairs the convolution layers fuse.
    @Test func convolutionsFuseWithMaxPoolingOfTheirRank() {
        let x = Tensor.randomNormal([2, 8, 8, 3], seed: 9)
        func fuses(_ conv: Layer, _ next: Layer) -> Bool {
            _ = next(conv(x))   // builds both
            return withoutRecording { conv.callFused(x, then: next) } != nil
        }
        #expect(fuses(Conv2D(4, kernelSize: [3, 3], activation: .relu), MaxPooling2D()))
        #expect(fuses(Conv2D(4, kernelSize: [3, 3], useBias: false), MaxPooling2D(padding: .same)))
        #expect(!fuses(Conv2D(4, kernelSize: [3, 3], activation: .sigmoid), MaxPooling2D()))
        #expect(!fuses(Conv2D(4, kernelSize: [3, 3]), AveragePooling2D()))
        #expect(!fuses(Conv2D(4, kernelSize: [3, 3], activityRegularizer: L1L2(l1: 0.1)), MaxPooling2D()))
        #expect(!fuses(DepthwiseConv2D(kernelSize: [3, 3]), MaxPooling2D()))
        let unbuilt = Conv2D(4, kernelSize: [3, 3])
        #expect(withoutRecording { unbuilt.callFused(x, then: MaxPooling2D()) } == nil)
    }

    /// A layer whose fused form with the next layer is marked: its output is negated.
    final class MarkedPair: Layer, @unchecked Sendable {
        override func call(_ x: Tensor, training: Bool) -> Tensor { x }
        override func fusedInference(_ x: Tensor, then next: Layer) -> Tensor? { -next(x) }
    }

    /// Doubles its input; no mask support, so it may end a fused pair.
    final class Twice: Layer, @unchecked Sendable {
        override func call(_ x: Tensor, training: Bool) -> Tensor { x * 2 }
    }

    /// Models run the fused form in inference only, where no mask flows and the pair's
    /// intermediate output has no other reader.
    @Test func modelsRunTheFusedFormInInferenceOnly() throws {
        let x = Tensor.randomNormal([3, 4], seed: 10)
        let dense = Twice()   // a layer that passes masks on (a Dense) would end no pair
        let sequential = Sequential([InputLayer(shape: [4]), MarkedPair(), dense])
        let plain = dense(x)
        #expect(sequential(x).doubles == (-plain).doubles)
        #expect(sequential(x, training: true).doubles == plain.doubles)
        let inputs = Input(shape: [4])
        let marked = MarkedPair()(inputs)
        let functional = try Model(inputs: inputs, outputs: dense(marked))
        #expect(functional(x).doubles == (-plain).doubles)
        let shared = try Model(inputs: inputs, outputs: [dense(marked), marked])   // a second reader
        #expect(shared.apply([x])[0].doubles == plain.doubles)
    }

    @Test func functionalPairsFuseOnlyWhenThePoolingIsTheOnlyReader() throws {
        let inputs = Input(shape: [10, 10, 3])
        let conv1 = Conv2D(8, kernelSize: [3, 3], activation: .relu), pool1 = MaxPooling2D()
        let conv2 = Conv2D(8, kernelSize: [2, 2]), pool2 = MaxPooling2D(), global = GlobalAveragePooling2D()
        let c1 = conv1(inputs), p1 = pool1(c1)
        let c2 = conv2(p1), p2 = pool2(c2)
        let side = global(c2)   // conv2's output has two readers: no fusion
        let model = try Model(inputs: inputs, outputs: [Flatten()(p2), side])
        let graph = try #require(model.graph)
        let fusable = Dictionary(uniqueKeysWithValues: zip(graph.nodes.map(\.layer.name), graph.feedsNextOnly))
        #expect(fusable[conv1.name] == true)
        #expect(fusable[conv2.name] == false)
        let x = Tensor.randomNormal([4, 10, 10, 3], seed: 8)
        let outputs = model.apply([x])
        let c2x = conv2(pool1(conv1(x)))
        #expect(Self.bits(outputs[0]) == Self.bits(Flatten()(pool2(c2x))))
        #expect(Self.bits(outputs[1]) == Self.bits(global(c2x)))
    }
}
