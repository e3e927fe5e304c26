import Keras
import KerasTestSupport
import Testing

/// The API points the Keras guides rely on (subclassing, functional multi-output, transfer learning).
@Suite struct GuideFeatureTests {
    /// "Making new layers and models via subclassing": child layers in properties, arrays and
    /// dictionaries are tracked; their weights and losses belong to the parent.
    final class Block: Layer, @unchecked Sendable {
        let linear1 = Dense(32)
        let stack = [Dense(4), Dense(4)]
        let heads: [String: Layer] = ["b": Dense(1, kernelRegularizer: L2(l2: 0.1)), "a": Dense(2)]
        var optional: Dense? = Dense(3)
        override func call(_ x: Tensor, training: Bool) -> Tensor {
            let h = stack[1](stack[0](linear1(x)))
            _ = heads["a"]!(h)
            _ = optional!(h)
            return heads["b"]!(h)
        }
    }

    @Test func layerSubclassesTrackTheirChildren() {
        let block = Block()
        _ = block(Tensor.ones([2, 8]))
        #expect(block.sublayers.count == 6)
        #expect(block.weights.count == 12)
        #expect(block.trainableWeights.count == 12)
        #expect(block.losses.count == 1)   // heads["b"]'s kernel regularizer
        block.trainable = false
        #expect(block.trainableWeights.isEmpty && block.sublayers.allSatisfy { !$0.trainable })
    }

    /// Keras's ActivityRegularizationLayer from the guide: `add_loss` in `call`.
    final class ActivityRegularization: Layer, @unchecked Sendable {
        let rate: Double
        init(rate: Double) { self.rate = rate; super.init() }
        override func call(_ x: Tensor, training: Bool) -> Tensor {
            addLoss(rate * x.sum())
            return x
        }
    }

    @Test func addLossTrainsWithoutACompiledLoss() throws {
        let inputs = Input(shape: [3])
        let outputs = ActivityRegularization(rate: 1)(Dense(1, kernelInitializer: Ones(), biasInitializer: Ones())(inputs))
        let model = try Model(inputs: inputs, outputs: outputs)
        let x = Tensor.ones([4, 3])
        _ = model(x)
        // One call, one loss: 1 · Σ(x·1 + 1) = 4 · 4 = 16.
        #expect(model.losses.count == 1)
        assertClose(model.losses[0], Tensor(Float(16)))
        _ = model(x)
        #expect(model.losses.count == 1)   // replaced, not accumulated, by the next call
        try model.compile(optimizer: SGD(learningRate: 0.01))   // no loss argument
        let history = try model.fit(x, Tensor.zeros([4, 1]), epochs: 3, verbose: 0)
        let losses = history.history["loss"]!
        #expect(Swift.abs(losses[0] - 16) < 1e-4)
        #expect(losses[2] < losses[0])
    }

    @Test func outputsByName() throws {
        let title = Input(shape: [5], name: "title"), body = Input(shape: [4], name: "body")
        let features = Concatenate()([title, body])
        let model = try Model(inputs: [title, body], outputs: [
            "priority": Dense(1, name: "priority_head")(features),
            "department": Dense(3, name: "department_head")(features),
        ])
        #expect(model.outputNames == ["department", "priority"])
        try model.compile(optimizer: "rmsprop",
                          loss: ["priority": "mse", "department": SparseCategoricalCrossentropy(fromLogits: true)],
                          lossWeights: ["priority": 1.0, "department": 0.2])
        let t = Tensor.randomNormal([8, 5], seed: 1), b = Tensor.randomNormal([8, 4], seed: 2)
        let history = try model.fit(["title": t, "body": b],
                                    ["priority": Tensor.zeros([8, 1]), "department": Tensor((0..<8).map { $0 % 3 })],
                                    epochs: 1, verbose: 0)
        #expect(history.keys == ["department_loss", "loss", "priority_loss"])
        let outputs = try model.predictOutputs(["title": t, "body": b], verbose: 0)
        #expect(outputs["priority"]!.shape == [8, 1] && outputs["department"]!.shape == [8, 3])
        #expect(outputs.names == ["department", "priority"])
        // predict (one tensor) refuses a two-output model before running any batch.
        do {
            _ = try model.predict(["title": t, "body": b], verbose: 0)
            Issue.record("predict should throw")
        } catch let error as KerasError {
            #expect(error.description.contains("use predictOutputs"))
        }
    }

    /// "Transfer learning & fine-tuning": `base(inputs, training: false)` keeps the base in
    /// inference mode inside a model that trains.
    @Test func symbolicCallsPinTheTrainingMode() throws {
        let baseInputs = Input(shape: [16])
        let base = try Model(inputs: baseInputs, outputs: Dropout(0.9)(baseInputs))
        let inputs = Input(shape: [16])
        let pinned = try Model(inputs: inputs, outputs: base(inputs, training: false))
        let free = try Model(inputs: inputs, outputs: base(inputs))
        let x = Tensor.ones([4, 16])
        withRandomSeed(1) {
            assertClose(pinned(x, training: true), x)
            #expect(free(x, training: true).scalars != x.scalars)
        }
    }
}

@Suite struct SmallMismatchTests {
    @Test func sequentialAddThrowsAndLeavesTheModelUnchanged() throws {
        let model = Sequential()
        try model.add(Input(shape: [4]))
        try model.add(Dense(2))
        #expect(throws: KerasError.self) { try model.add(Reshape([3])) }   // 2 elements cannot become 3
        #expect(throws: KerasError.self) { try model.add(InputLayer(shape: [4])) }
        #expect(model.layers.count == 1)
        #expect(try model.outputShape == [nil, 2])
    }

    @Test func activationsByKerasName() {
        let dense = Dense(2, activation: "relu")
        #expect(dense.getConfig()["activation"] == "relu")
    }

    @Test func fitRunsInADetachedTask() async throws {
        let inputs = Input(shape: [2])
        let model = try Model(inputs: inputs, outputs: Dense(1)(inputs))
        try model.compile(optimizer: "sgd", loss: "mse")
        let history = try await Task.detached {
            try model.fit(Tensor.ones([4, 2]), Tensor.zeros([4, 1]), epochs: 2, verbose: 0, callbacks: [EarlyStopping()])
        }.value
        #expect(history.history["loss"]?.count == 2)
    }
}
