import Keras
import KerasTestSupport
import Testing

/// The spellings that make the ported Keras guides read like Keras (issue 15).
@Suite struct GuideFrictionTests {
    /// `for batch in dataset` is a new pass each time: reshuffled, as tf.data's default.
    @Test func eachIterationIsANewPass() throws {
        let x = Tensor.arange(12).cast(to: .float32).reshaped(to: [12, 1])
        let dataset = try Dataset(x, x).shuffled(seed: 5).batched(4)
        func order(_ batches: some Sequence<DataBatch>) -> [Float] { batches.flatMap { $0.x.scalars.map { Float($0) } } }
        var passes: [[Float]] = []
        for _ in 0..<3 {
            var seen: [Float] = []
            for batch in dataset { seen += batch.x.scalars.map { Float($0) } }
            passes.append(seen)
        }
        #expect(passes[0] != passes[1] && passes[1] != passes[2])
        for (epoch, pass) in passes.enumerated() {
            #expect(pass == order(dataset.elements(epoch: epoch)), "pass \(epoch) is elements(epoch: \(epoch))")
            #expect(pass.sorted() == (0..<12).map(Float.init))
        }
        // A dataset made from it starts at pass 0 again; unshuffled data keeps its order.
        let again = dataset.map { $0 }
        #expect(order(again) == order(dataset.elements(epoch: 0)))
        let plain = try Dataset(x, x).batched(5)
        #expect(order(plain) == order(plain))
    }

    /// `valueWithGradients` can hand back the forward pass's output with the loss.
    @Test func valueWithGradientsReturnsTheOutput() {
        let model = Sequential([InputLayer(shape: [3]), Dense(2, kernelInitializer: GlorotUniform(seed: 1))])
        let x = Tensor.randomNormal([4, 3], seed: 2), y = Tensor.randomNormal([4, 2], seed: 3)
        let lossFn = MeanSquaredError()
        let (loss, output, grads) = valueWithGradients(of: model.trainableVariables) {
            let prediction = model(x, training: true)
            return (lossFn(y, prediction), prediction)
        }
        let (plainLoss, plainGrads) = valueWithGradients(of: model.trainableVariables) { lossFn(y, model(x, training: true)) }
        assertClose(output, model(x))
        assertClose(loss, plainLoss)
        for (g, p) in zip(grads, plainGrads) { assertClose(g, p) }
    }

    /// `model.losses.sum()` is Keras's `sum(model.losses)`, differentiable.
    @Test func sumOfLosses() {
        let w = Variable(Tensor([Float(1), 2]))
        let (total, grads) = valueWithGradients(of: [w]) { [w.value.sum(), (w.value * 3).sum(), Tensor(Float(1))].sum() }
        #expect(total.item == 13)
        assertClose(grads[0], Tensor([Float(4), 4]))
        #expect([Tensor]().sum().item == 0)
        let layer = Dense(2, kernelRegularizer: L2(l2: 0.1), biasRegularizer: L1(l1: 0.1))
        _ = layer(Tensor.ones([1, 3]))
        assertClose(layer.losses.sum(), layer.losses[0] + layer.losses[1])
    }

    /// The guide's `Linear` with variables used directly and `inputShape.lastDimension`.
    final class Linear: Layer, @unchecked Sendable {
        let units: Int
        var w: Variable!
        var b: Variable!
        init(_ units: Int) { self.units = units; super.init() }
        override func build(inputShape: [Int?]) {
            w = addWeight(name: "w", shape: [inputShape.lastDimension, units], initializer: RandomNormal(seed: 1))
            b = addWeight(name: "b", shape: [units], initializer: RandomNormal(seed: 2))
        }
        override func call(_ inputs: Tensor, training: Bool) -> Tensor { inputs.matmul(w) + b }
    }

    @Test func variablesInArithmeticAndKnownDimensions() throws {
        let layer = Linear(3)
        let x = Tensor.randomNormal([2, 4], seed: 4)
        let y = layer(x)
        assertClose(y, x.matmul(layer.w.value) + layer.b.value)
        let (_, viaVariables) = valueWithGradients(of: layer.trainableWeights) { (x.matmul(layer.w) * layer.b - layer.b / layer.w.value.sum()).sum() }
        let (_, viaValues) = valueWithGradients(of: layer.trainableWeights) {
            (x.matmul(layer.w.value) * layer.b.value - layer.b.value / layer.w.value.sum()).sum()
        }
        for (a, b) in zip(viaVariables, viaValues) { assertClose(a, b) }
        assertClose(matmul(x, layer.w), x.matmul(layer.w.value))
        #expect([Int?](arrayLiteral: nil, 7).lastDimension == 7)
        #expect(Shape([nil, 5, 6]).dimension(1) == 5)

        let unknown = Linear(3)
        let error = #expect(throws: KerasError.self) { try unknown.build([nil, nil]) }
        #expect("\(error.map { "\($0)" } ?? "")".contains("must be known"))
        #expect(!unknown.built)
    }

    /// A per-layer ``SeedGenerator`` (Keras's `keras.random.SeedGenerator`) for a dropout-like layer.
    final class CustomDropout: Layer, @unchecked Sendable {
        let rate: Double
        let seedGenerator = SeedGenerator(seed: 1337)
        init(rate: Double) { self.rate = rate; super.init() }
        override func call(_ inputs: Tensor, training: Bool) -> Tensor {
            training ? dropout(inputs, rate: rate, seed: seedGenerator) : inputs
        }
    }

    @Test func seedGeneratorsMakeLayersReproducible() {
        let x = Tensor.ones([8, 50])
        let a = CustomDropout(rate: 0.5), b = CustomDropout(rate: 0.5)
        let (a1, a2, b1) = (a(x, training: true), a(x, training: true), b(x, training: true))
        #expect(a1.scalars == b1.scalars, "the same seed gives the same masks")
        #expect(a1.scalars != a2.scalars, "each call draws new randomness")
        #expect(a1.scalars.allSatisfy { $0 == 0 || $0 == 2 })
        let zeros = a1.scalars.filter { $0 == 0 }.count
        #expect(zeros > 150 && zeros < 250)
        assertClose(a(x), x)

        let g1 = SeedGenerator(seed: 7), g2 = SeedGenerator(seed: 7)
        #expect(Tensor.randomNormal([3], seed: g1).scalars == Tensor.randomNormal([3], seed: g2).scalars)
        #expect(Tensor.randomUniform([3], seed: g1).scalars != Tensor.randomUniform([3], seed: g1).scalars)
        #expect(withRandomSeed(3) { SeedGenerator().nextSeed() } == withRandomSeed(3) { SeedGenerator().nextSeed() })

        // A noise shape shares one mask along the axes it gives as 1.
        let perRow = dropout(Tensor.ones([4, 6]), rate: 0.5, noiseShape: [nil, 1], seed: SeedGenerator(seed: 2))
        for row in 0..<4 { #expect(Set(perRow[row].scalars).count == 1) }
        // Differentiable: the gradient of the sum is the mask scaled by 1 / (1 - rate).
        let v = Variable(Tensor.ones([2, 10]))
        let gen = SeedGenerator(seed: 9), replay = SeedGenerator(seed: 9)
        let (_, grads) = valueWithGradients(of: [v]) { dropout(v.value, rate: 0.25, seed: gen).sum() }
        assertClose(grads[0], dropout(Tensor.ones([2, 10]), rate: 0.25, seed: replay))
        #expect(dropout(x, rate: 0).scalars == x.scalars && dropout(x, rate: 1).scalars.allSatisfy { $0 == 0 })
    }

    /// The doc comment's `where` example, as written.
    @Test func whereDocExampleCompiles() {
        let x = Tensor([Float(-1), 2, -3])
        let r = `where`(x .> 0, x, Tensor.zeros(like: x))   // relu
        assertClose(r, x.relu())
    }
}
