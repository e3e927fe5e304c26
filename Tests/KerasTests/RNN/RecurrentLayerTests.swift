import Foundation
import Keras
import KerasTestSupport
import Testing

/// A user-written cell, as in Keras's `RNN` docstring.
final class MinimalRNNCell: RNNCell, @unchecked Sendable {
    let units: Int
    var kernel: Variable!, recurrentKernel: Variable!
    init(_ units: Int, dtype: DType = .float32) { self.units = units; super.init(dtype: dtype) }
    override var stateSize: [Int] { [units] }
    override func build(inputShape: [Int?]) {
        kernel = addWeight(name: "kernel", shape: [inputShape.last!!, units])
        recurrentKernel = addWeight(name: "recurrent_kernel", shape: [units, units])
    }
    override func call(_ x: Tensor, states: [Tensor], training: Bool) -> (output: Tensor, states: [Tensor]) {
        let h = (x.matmul(kernel.value) + states[0].matmul(recurrentKernel.value)).tanh()
        return (h, [h])
    }
}

@Suite struct RecurrentLayerTests {
    @Test func layerHelperOnEveryRecurrentLayer() throws {
        try runLayerTest({ SimpleRNN(3, dtype: $0) }, inputShapes: [[2, 4, 3]], expectedOutputShape: [2, 3],
                         expectedTrainableWeights: 3, expectedWeightShapes: [[3, 3], [3, 3], [3]])
        try runLayerTest({ LSTM(3, returnSequences: true, dtype: $0) }, inputShapes: [[2, 4, 2]], expectedOutputShape: [2, 4, 3],
                         expectedTrainableWeights: 3, expectedWeightShapes: [[2, 12], [3, 12], [12]])
        try runLayerTest({ GRU(2, resetAfter: false, goBackwards: true, dtype: $0) }, inputShapes: [[2, 3, 2]], expectedOutputShape: [2, 2],
                         expectedTrainableWeights: 3, expectedWeightShapes: [[2, 6], [2, 6], [6]])
        try runLayerTest({ GRU(2, dtype: $0) }, inputShapes: [[2, 3, 2]], expectedOutputShape: [2, 2],
                         expectedTrainableWeights: 3, expectedWeightShapes: [[2, 6], [2, 6], [2, 6]])
        try runLayerTest({ RNN(StackedRNNCells([LSTMCell(2, dtype: $0), SimpleRNNCell(3, dtype: $0)], dtype: $0), dtype: $0) },
                         inputShapes: [[2, 3, 2]], expectedOutputShape: [2, 3], expectedTrainableWeights: 6)
        try runLayerTest({ Bidirectional(LSTM(2, returnSequences: true, dtype: $0), dtype: $0) }, inputShapes: [[2, 3, 2]],
                         expectedOutputShape: [2, 3, 4], expectedTrainableWeights: 6)
        try runLayerTest({ TimeDistributed(Dense(4, dtype: $0), dtype: $0) }, inputShapes: [[2, 3, 2]],
                         expectedOutputShape: [2, 3, 4], expectedTrainableWeights: 2, expectedWeightShapes: [[2, 4], [4]])
        try runLayerTest({ Masking(maskValue: 0, dtype: $0) }, inputShapes: [[2, 3, 2]], expectedOutputShape: [2, 3, 2])
    }

    @Test func fusedLSTMRecurrenceGradientsMatchFiniteDifferences() {
        func random(_ shape: [Int], _ seed: Int) -> Tensor {
            Tensor(shape: shape, doubles: (0..<shape.reduce(1, *)).map { sin(Double($0 * 7 + seed)) * 0.8 }, dtype: .float64)
        }
        let inputs = [random([3, 2, 8], 1), random([2, 8], 2), random([2, 2], 3), random([2, 2], 4)]
        checkGradients(inputs) { xs in
            let (hs, c) = Tensor.lstmRecurrence(projected: xs[0], recurrentKernel: xs[1], initialH: xs[2], initialC: xs[3])
            return concatenate([hs.reshaped(to: [-1]), c.reshaped(to: [-1]) * 2])
        }
    }

    /// An all-true mask sends LSTM through the step-by-step cell; without a mask it runs the fused
    /// recurrence (bias added inside it). Outputs, states and weight gradients agree.
    @Test func fusedLSTMMatchesTheComposedCellSteps() throws {
        let x = Tensor(shape: [3, 5, 4], doubles: (0..<60).map { sin(Double($0) * 1.3) }, dtype: .float32)
        let mask = Tensor.ones([3, 5], dtype: .bool)
        for goBackwards in [false, true] {
            let layer = LSTM(6, biasInitializer: RandomNormal(stddev: 0.5, seed: 3),
                             returnSequences: true, returnState: true, goBackwards: goBackwards)
            func run(_ masks: [Tensor?]) -> ([Tensor], [Tensor]) {
                let probes = [Tensor.ones([3, 5, 6]), Tensor.ones([3, 6]) * 0.5, Tensor.ones([3, 6]) * 2]
                var outputs: [Tensor] = []
                let (_, grads) = valueWithGradients(of: layer.trainableWeights) {
                    outputs = layer.applyMasked([x], masks: masks, training: true).outputs
                    return zip(outputs, probes).map { ($0 * $1 * $0).sum() }.reduce(Tensor(Float(0)), +)
                }
                return (outputs, grads)
            }
            _ = layer.applyMasked([x], masks: [nil])
            let (fused, fusedGrads) = run([nil]), (composed, composedGrads) = run([mask])
            for (a, b) in zip(fused, composed) { assertClose(a, b, rtol: 1e-5, atol: 1e-6, "outputs, goBackwards \(goBackwards)") }
            #expect(fusedGrads.count == 3)
            for (a, b) in zip(fusedGrads, composedGrads) { assertClose(a, b, rtol: 1e-4, atol: 1e-5, "gradients, goBackwards \(goBackwards)") }
        }
    }

    /// The same for GRU (`resetAfter`, its default): fused without a mask, cell steps with one.
    @Test func fusedGRUMatchesTheComposedCellSteps() throws {
        let x = Tensor(shape: [3, 5, 4], doubles: (0..<60).map { sin(Double($0) * 1.3) }, dtype: .float32)
        let mask = Tensor.ones([3, 5], dtype: .bool)
        for goBackwards in [false, true] {
            let layer = GRU(6, biasInitializer: RandomNormal(stddev: 0.5, seed: 3),
                            returnSequences: true, returnState: true, goBackwards: goBackwards)
            func run(_ masks: [Tensor?]) -> ([Tensor], [Tensor]) {
                let probes = [Tensor.ones([3, 5, 6]), Tensor.ones([3, 6]) * 0.5]
                var outputs: [Tensor] = []
                let (_, grads) = valueWithGradients(of: layer.trainableWeights) {
                    outputs = layer.applyMasked([x], masks: masks, training: true).outputs
                    return zip(outputs, probes).map { ($0 * $1 * $0).sum() }.reduce(Tensor(Float(0)), +)
                }
                return (outputs, grads)
            }
            _ = layer.applyMasked([x], masks: [nil])
            let (fused, fusedGrads) = run([nil]), (composed, composedGrads) = run([mask])
            for (a, b) in zip(fused, composed) { assertClose(a, b, rtol: 1e-5, atol: 1e-6, "outputs, goBackwards \(goBackwards)") }
            #expect(fusedGrads.count == 3)
            for (a, b) in zip(fusedGrads, composedGrads) { assertClose(a, b, rtol: 1e-4, atol: 1e-5, "gradients, goBackwards \(goBackwards)") }
        }
    }

    @Test func userCellRunsInTheGenericWrapper() throws {
        let layer = RNN(MinimalRNNCell(4), returnSequences: true)
        let y = layer(Tensor.ones([2, 5, 3]))
        #expect(y.shape == [2, 5, 4])
        #expect(layer.weights.map(\.name) == ["kernel", "recurrent_kernel"])
        let x = Tensor(shape: [2, 3, 2], doubles: (0..<12).map { sin(Double($0)) }, dtype: .float64)
        let cell = MinimalRNNCell(2, dtype: .float64)
        let rnn = RNN(cell, dtype: .float64)
        checkGradients([x]) { rnn($0[0]) }
        // Keras's state handling: a masked step keeps the state; the last output is the last kept step's.
        let mask = Tensor([[true, true, false], [true, false, false]])
        let masked = rnn(x, mask: mask)
        let truncated = RNN(cell, dtype: .float64)
        assertClose(masked.slice(axis: 0, start: 1, end: 2), truncated(x.slice(axis: 0, start: 1, end: 2).slice(axis: 1, start: 0, end: 1)))
    }

    @Test func maskPassesThroughLayersThatSupportMasking() throws {
        let embedding = Embedding(inputDim: 5, outputDim: 3, maskZero: true), dense = Dense(3), lstm = LSTM(2)
        let model = Sequential([InputLayer(shape: [4], dtype: .int32), embedding, dense, Dropout(0.5), lstm])
        let ids = Tensor([[1, 2, 0, 0], [3, 0, 4, 0]]).cast(to: .int32)
        let manual = lstm(dense(embedding(ids)), mask: ids.notEqual(Tensor.zeros([], dtype: .int32)))
        assertClose(model(ids), manual)
        #expect(manual.doubles != lstm(dense(embedding(ids))).doubles)
        // A Flatten does not support masking: the mask stops there, as in Keras.
        #expect(!Flatten().supportsMasking)
    }

    @Test func onlyStatelessRecurrentModelsPredictBatchesConcurrently() throws {
        let plain = Sequential([InputLayer(shape: [3, 2]), Bidirectional(LSTM(2)), Dense(1)])
        #expect(plain.supportsConcurrentInference)
        let stateful = Sequential([InputLayer(shape: [3, 2], batchSize: 4), GRU(2, stateful: true)])
        #expect(!stateful.supportsConcurrentInference)
        let custom = Sequential([InputLayer(shape: [3, 2]), RNN(MinimalRNNCell(2))])
        #expect(!custom.supportsConcurrentInference)
        let x = Tensor.randomUniform([40, 3, 2], seed: 3)
        assertClose(try plain.predict(x, batchSize: 8, verbose: 0), plain(x))
    }

    @Test func returnStateAndInitialStatesInAFunctionalModel() throws {
        let inputs = Input(shape: [5, 3])
        let h0 = Input(shape: [4]), c0 = Input(shape: [4])
        let outputs = LSTM(4, returnState: true).applySymbolic([inputs, h0, c0])
        #expect(outputs.map(\.shape) == [[nil, 4], [nil, 4], [nil, 4]])
        let model = try Model(inputs: [inputs, h0, c0], outputs: outputs)
        let ys = model.apply([Tensor.ones([2, 5, 3]), Tensor.zeros([2, 4]), Tensor.zeros([2, 4])])
        #expect(ys.map(\.shape) == [[2, 4], [2, 4], [2, 4]])
        assertClose(ys[0], ys[1])
    }

    @Test func badShapesAndConfigsThrow() throws {
        #expect(throws: KerasError.self) { try LSTM(3).callChecked(Tensor.ones([2, 3])) }
        let mismatched = LSTM(3).applySymbolic([Input(shape: [5, 2]), Input(shape: [4]), Input(shape: [3])])
        #expect(mismatched[0].error != nil)
        #expect(LSTM(3, stateful: true).applySymbolic([Input(shape: [5, 2])])[0].error != nil)
        #expect(throws: KerasError.self) { try LSTM(config: ["units": -1]) }
        #expect(throws: KerasError.self) { try GRU(config: ["units": 2, "dropout": "x"]) }
        #expect(throws: KerasError.self) { try Bidirectional(config: ["layer": ["class_name": "Dense", "config": ["units": 2]]]) }
        #expect(throws: KerasError.self) { try Bidirectional(config: ["layer": serializeLayer(LSTM(2)), "merge_mode": "max"]) }
        #expect(throws: KerasError.self) { try RNN(config: ["cell": ["class_name": "Dense", "config": ["units": 2]]]) }
        #expect(throws: KerasError.self) { try LSTM(2).resetStates() }
    }

    @Test func dropoutOnlyInTrainingAndFixedOverSteps() throws {
        let layer = LSTM(4, dropout: 0.5, recurrentDropout: 0.5, seed: 3, returnSequences: true)
        let x = Tensor.ones([3, 6, 2])
        let inference = layer(x)
        assertClose(layer(x), inference)
        let trained = layer(x, training: true)
        #expect(trained.shape == [3, 6, 4])
        #expect(trained.doubles != inference.doubles)
    }

    @Test func embeddingLooksUpRowsMasksZerosAndTakesAnyIntDType() throws {
        let embedding = Embedding(inputDim: 5, outputDim: 2, maskZero: true)
        let ids32 = Tensor([[1, 0, 4]]).cast(to: .int32)
        let y = embedding(ids32)
        #expect(y.shape == [1, 3, 2])
        let table = embedding.embeddings.value
        assertClose(y.reshaped(to: [3, 2]), table.take(Tensor([1, 0, 4]).cast(to: .int32), axis: 0))
        assertClose(embedding(ids32.cast(to: .int64)), y)
        #expect(embedding.computeMask(ids32, mask: nil)!.doubles == [1, 0, 1])
        #expect(Embedding(inputDim: 5, outputDim: 2).computeMask(ids32, mask: nil) == nil)
        // gradient: rows read twice get twice the gradient
        let (_, grads) = valueWithGradients(of: [embedding.embeddings]) { embedding(Tensor([[1, 1, 3]]).cast(to: .int32)).sum() }
        #expect(grads[0].doubles == [0, 0, 2, 2, 0, 0, 1, 1, 0, 0])
        let symbolic = embedding(Input(shape: [7], dtype: .int32))
        #expect(symbolic.shape == [nil, 7, 2])
        #expect(throws: KerasError.self) { try Embedding(config: ["input_dim": 0, "output_dim": 2]) }
        #expect(throws: KerasError.self) { try Embedding(config: ["input_dim": 3]) }
        let copy = try Embedding(config: embedding.getConfig())
        #expect(ConfigValue.object(copy.getConfig()) == ConfigValue.object(embedding.getConfig()))
        let regularized = Embedding(inputDim: 3, outputDim: 2, embeddingsRegularizer: L2(l2: 0.1), embeddingsConstraint: NonNeg())
        _ = regularized(Tensor([[0, 2]]).cast(to: .int32))
        #expect(regularized.losses.count == 1)
    }
}
