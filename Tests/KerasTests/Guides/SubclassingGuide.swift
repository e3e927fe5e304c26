// Follows the Keras guide "Making new layers and models via subclassing"
// (https://keras.io/guides/making_new_layers_and_models_via_subclassing/), in Swift.
import Keras
import KerasTestSupport
import Testing

@Suite("Guide: Making new layers and models via subclassing")
struct SubclassingGuide {
    // MARK: The Layer class: the combination of state (weights) and some computation

    /// Weights created in the initializer, for a known input dimension.
    final class Linear: Layer, @unchecked Sendable {
        var w: Variable!
        var b: Variable!
        init(units: Int = 32, inputDim: Int = 32) {
            super.init()
            w = addWeight(name: "w", shape: [inputDim, units], initializer: RandomNormal())
            b = addWeight(name: "b", shape: [units], initializer: Zeros())
        }
        override func call(_ inputs: Tensor, training: Bool) -> Tensor { inputs.matmul(w) + b }
    }

    @Test func theLayerClass() {
        let x = Tensor.ones([2, 2])
        let linearLayer = Linear(units: 4, inputDim: 2)
        let y = linearLayer(x)
        #expect(y.shape == [2, 4])
        // Weights are automatically tracked under `weights`.
        #expect(linearLayer.weights.count == 2)
        #expect(linearLayer.weights.map(\.name) == ["w", "b"])
        // With zero bias and ones as input, each output is the column sum of w.
        assertClose(y[0], linearLayer.w.value.sum(axes: [0]))
    }

    // MARK: Layers can have non-trainable weights

    final class ComputeSum: Layer, @unchecked Sendable {
        var total: Variable!
        init(inputDim: Int) {
            super.init()
            total = addWeight(name: "total", shape: [inputDim], initializer: Zeros(), trainable: false)
        }
        override func call(_ inputs: Tensor, training: Bool) -> Tensor {
            total.assignAdd(inputs.sum(axes: [0]))
            return total.value
        }
    }

    @Test func nonTrainableWeights() {
        let x = Tensor.ones([2, 2])
        let mySum = ComputeSum(inputDim: 2)
        assertClose(mySum(x), Tensor([2.0, 2.0]).cast(to: .float32))
        assertClose(mySum(x), Tensor([4.0, 4.0]).cast(to: .float32))
        #expect(mySum.weights.count == 1)
        #expect(mySum.nonTrainableWeights.count == 1)
        #expect(mySum.trainableWeights.isEmpty)
    }

    // MARK: Best practice: deferring weight creation until the shape of the inputs is known

    /// The guide's final `Linear`: weights are created in `build(inputShape:)`, on first call.
    final class LazyLinear: Layer, @unchecked Sendable {
        let units: Int
        var w: Variable!
        var b: Variable!
        init(_ units: Int = 32) { self.units = units; super.init() }
        override func build(inputShape: [Int?]) {
            w = addWeight(name: "w", shape: [inputShape.lastDimension, units], initializer: RandomNormal())
            b = addWeight(name: "b", shape: [units], initializer: RandomNormal())
        }
        override func call(_ inputs: Tensor, training: Bool) -> Tensor { inputs.matmul(w) + b }
    }

    @Test func deferredWeightCreation() {
        // At instantiation, we don't know on what inputs this is going to get called.
        let linearLayer = LazyLinear(32)
        #expect(linearLayer.weights.isEmpty && !linearLayer.built)
        // The layer's weights are created dynamically the first time the layer is called.
        let y = linearLayer(Tensor.ones([2, 2]))
        #expect(y.shape == [2, 32])
        #expect(linearLayer.weights.map(\.shape) == [[2, 32], [32]])
    }

    // MARK: Layers are recursively composable

    /// Sublayers held in stored properties are tracked automatically.
    final class MLPBlock: Layer, @unchecked Sendable {
        let linear1 = LazyLinear(32)
        let linear2 = LazyLinear(32)
        let linear3 = LazyLinear(1)
        override func call(_ inputs: Tensor, training: Bool) -> Tensor {
            var x = linear1(inputs)
            x = relu(x)
            x = linear2(x)
            x = relu(x)
            return linear3(x)
        }
    }

    @Test func layersAreRecursivelyComposable() {
        let mlp = MLPBlock()
        let y = mlp(Tensor.ones([3, 64]))   // the first call creates the weights
        #expect(y.shape == [3, 1])
        #expect(mlp.weights.count == 6)
        #expect(mlp.trainableWeights.count == 6)
        #expect(mlp.countParams() == 64 * 32 + 32 + 32 * 32 + 32 + 32 + 1)
        #expect(mlp.sublayers.count == 3)
    }

    // MARK: Backend-agnostic layers and backend-specific layers / The add_loss() method

    /// A layer that creates an activity regularization loss.
    final class ActivityRegularizationLayer: Layer, @unchecked Sendable {
        let rate: Double
        init(rate: Double = 1e-2) { self.rate = rate; super.init() }
        override func call(_ inputs: Tensor, training: Bool) -> Tensor {
            addLoss(rate * inputs.sum())
            return inputs
        }
    }

    final class OuterLayer: Layer, @unchecked Sendable {
        let activityReg = ActivityRegularizationLayer(rate: 1e-2)
        override func call(_ inputs: Tensor, training: Bool) -> Tensor { activityReg(inputs) }
    }

    @Test func addLossInCall() {
        let layer = OuterLayer()
        // No losses yet since the layer has never been called.
        #expect(layer.losses.isEmpty)
        _ = layer(Tensor.zeros([1, 1]))
        // We created one loss value.
        #expect(layer.losses.count == 1)
        // `layer.losses` gets reset at the start of each call.
        _ = layer(Tensor.ones([1, 4]))
        #expect(layer.losses.count == 1)
        assertClose(layer.losses[0], Tensor(Float(0.04)))
    }

    final class OuterLayerWithKernelRegularizer: Layer, @unchecked Sendable {
        let dense = Dense(32, kernelRegularizer: L2(l2: 1e-3))
        override func call(_ inputs: Tensor, training: Bool) -> Tensor { dense(inputs) }
    }

    @Test func lossesIncludeWeightRegularization() {
        let layer = OuterLayerWithKernelRegularizer()
        _ = layer(Tensor.zeros([1, 1]))
        // This is `1e-3 * sum(layer.dense.kernel ** 2)`, created by the `kernelRegularizer` above.
        #expect(layer.losses.count == 1)
        let kernel = layer.dense.weights[0].value
        assertClose(layer.losses[0], 1e-3 * kernel.square().sum(), atol: 1e-7)
    }

    @Test func lossesInACustomTrainingLoop() throws {
        // The losses are meant to be added to the main loss when writing training loops.
        try withRandomSeed(2) {
            let inputs = Input(shape: [4])
            let hidden = Dense(8, activation: .relu, kernelRegularizer: L2(l2: 1e-3))(inputs)
            let outputs = Dense(1)(ActivityRegularizationLayer(rate: 1e-3)(hidden))
            let model = try Model(inputs: inputs, outputs: outputs)
            let optimizer = SGD(learningRate: 0.05)
            let lossFn = MeanSquaredError()
            let x = Tensor.randomNormal([64, 4], seed: 5)
            let y = x.sum(axes: [1], keepDims: true)
            var lossValues: [Float] = []
            for _ in 0..<20 {
                let (loss, grads) = valueWithGradients(of: model.trainableVariables) {
                    let logits = model(x, training: true)
                    // Add extra losses created during this forward pass.
                    return lossFn(y, logits) + model.losses.sum()
                }
                optimizer.apply(grads, to: model.trainableVariables)
                lossValues.append(loss.item)
            }
            #expect(model.losses.count == 2)   // one kernel penalty, one activity loss
            #expect(lossValues.last! < lossValues.first! / 2)
        }
    }

    // MARK: You can optionally enable serialization on your layers

    final class SerializableLinear: Layer, @unchecked Sendable {
        let units: Int
        init(units: Int = 32, name: String? = nil) { self.units = units; super.init(name: name) }
        override func getConfig() -> Config {
            var config = super.getConfig()
            config["units"] = .int(units)
            return config
        }
    }

    @Test func getConfig() {
        let layer = SerializableLinear(units: 64, name: "linear")
        let config = layer.getConfig()
        #expect(config["units"] == .int(64))
        #expect(config["name"] == .string("linear"))
    }

    // MARK: Privileged training argument in the call() method

    final class CustomDropout: Layer, @unchecked Sendable {
        let rate: Double
        let seedGenerator = SeedGenerator(seed: 1337)
        init(rate: Double) { self.rate = rate; super.init() }
        override func call(_ inputs: Tensor, training: Bool) -> Tensor {
            guard training else { return inputs }
            return dropout(inputs, rate: rate, seed: seedGenerator)
        }
    }

    @Test func privilegedTrainingArgument() {
        let dropout = CustomDropout(rate: 0.5)
        let x = Tensor.ones([8, 100])
        assertClose(dropout(x), x)   // inference: the identity
        let dropped = dropout(x, training: true)
        let zeros = dropped.scalars.filter { $0 == 0 }.count
        #expect(zeros > 300 && zeros < 500)
        #expect(dropped.scalars.allSatisfy { $0 == 0 || $0 == 2 })
        // The layer's seed generator makes its randomness reproducible and new on each call.
        #expect(CustomDropout(rate: 0.5)(x, training: true).scalars == dropped.scalars)
        #expect(dropout(x, training: true).scalars != dropped.scalars)
    }

    // MARK: Putting it all together: an end-to-end example (a variational autoencoder)

    /// Uses (zMean, zLogVar) to sample z, the vector encoding a digit.
    final class Sampling: Layer, @unchecked Sendable {
        let seedGenerator = SeedGenerator(seed: 1337)
        func sample(zMean: Tensor, zLogVar: Tensor) -> Tensor {
            let epsilon = Tensor.randomNormal(zMean.shape, seed: seedGenerator)
            return zMean + (0.5 * zLogVar).exp() * epsilon
        }
    }

    /// Maps inputs to a triplet (zMean, zLogVar, z).
    final class Encoder: Layer, @unchecked Sendable {
        let denseProj: Dense
        let denseMean: Dense
        let denseLogVar: Dense
        let sampling = Sampling()
        init(latentDim: Int = 32, intermediateDim: Int = 64) {
            denseProj = Dense(intermediateDim, activation: .relu)
            denseMean = Dense(latentDim)
            denseLogVar = Dense(latentDim)
            super.init(name: "encoder")
        }
        func encode(_ inputs: Tensor, training: Bool) -> (zMean: Tensor, zLogVar: Tensor, z: Tensor) {
            let x = denseProj(inputs, training: training)
            let zMean = denseMean(x), zLogVar = denseLogVar(x)
            return (zMean, zLogVar, sampling.sample(zMean: zMean, zLogVar: zLogVar))
        }
        override func call(_ inputs: Tensor, training: Bool) -> Tensor { encode(inputs, training: training).z }
    }

    /// Converts z back into a readable input.
    final class Decoder: Layer, @unchecked Sendable {
        let denseProj: Dense
        let denseOutput: Dense
        init(originalDim: Int, intermediateDim: Int = 64) {
            denseProj = Dense(intermediateDim, activation: .relu)
            denseOutput = Dense(originalDim, activation: .sigmoid)
            super.init(name: "decoder")
        }
        override func call(_ inputs: Tensor, training: Bool) -> Tensor { denseOutput(denseProj(inputs)) }
    }

    /// Combines the encoder and decoder into an end-to-end model for training.
    final class VariationalAutoEncoder: Model, @unchecked Sendable {
        let encoder: Encoder
        let decoder: Decoder
        init(originalDim: Int, intermediateDim: Int = 64, latentDim: Int = 32) {
            encoder = Encoder(latentDim: latentDim, intermediateDim: intermediateDim)
            decoder = Decoder(originalDim: originalDim, intermediateDim: intermediateDim)
            super.init(name: "autoencoder")
        }
        override func call(_ inputs: Tensor, training: Bool) -> Tensor {
            let (zMean, zLogVar, z) = encoder.encode(inputs, training: training)
            let reconstructed = decoder(z)
            // Add KL divergence regularization loss.
            let kl = -0.5 * (zLogVar - zMean.square() - zLogVar.exp() + 1).mean()
            addLoss(kl)
            return reconstructed
        }
    }

    @Test func endToEndVariationalAutoEncoder() throws {
        try withRandomSeed(4) {
            // The guide trains on MNIST (784 features); here: 256 synthetic 16-pixel "images" in
            // [0, 1], made of two prototypes plus noise.
            let originalDim = 16
            let prototypes = Tensor.randomUniform([2, originalDim], seed: 7).scalars
            let noise = Tensor.randomUniform([256, originalDim], seed: 8).scalars
            let pixels = (0..<256 * originalDim).map { i in
                0.8 * prototypes[(i / originalDim) % 2 * originalDim + i % originalDim] + 0.2 * noise[i]
            }
            let xTrain = Tensor(shape: [256, originalDim], scalars: pixels)

            let vae = VariationalAutoEncoder(originalDim: originalDim, intermediateDim: 32, latentDim: 4)
            try vae.compile(optimizer: Adam(learningRate: 1e-2), loss: MeanSquaredError())
            let history = try vae.fit(xTrain, xTrain, batchSize: 64, epochs: 6, verbose: 0)
            #expect(vae.layers.count == 2)          // encoder and decoder
            #expect(vae.weights.count == 10)        // 3 encoder Dense + 2 decoder Dense
            #expect(vae.losses.count == 1)          // the KL term of the last call
            let losses = history.history["loss"]!
            #expect(losses.count == 6 && losses.last! < losses.first!)
        }
    }
}
