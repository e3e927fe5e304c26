import Keras
import KerasTestSupport
import Testing

/// `summary()` text against goldens printed by Keras 3 (Tests/Fixtures/layers_generate.py, which
/// builds the same models after `clear_session()`, matching `withNameScope`).
@Suite("summary() matches Keras 3")
struct SummaryTests {
    func expectGolden(_ key: String, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let golden = ModelFixtures.summaries[key]!
        #expect(text == golden, "\(key):\n\(text)\nexpected:\n\(golden)", sourceLocation: sourceLocation)
    }

    @Test func seedModelUnbuiltAndBuilt() {
        withNameScope {
            let model = SequentialTests.seedModel()
            expectGolden("seed_unbuilt", summaryText(model))
            _ = model(Tensor.ones([3, 3]))
            expectGolden("seed_built", summaryText(model))
        }
    }

    @Test func sequentialWithInput() throws {
        try withNameScope {
            let model = Sequential()
            try model.add(Input(shape: [4]))
            try model.add(Dense(2, activation: .relu))
            expectGolden("sequential_input", summaryText(model))
        }
    }

    @Test func thousandsSeparatorsAndWidth() {
        withNameScope {
            let model = Sequential([InputLayer(shape: [784]), Dense(64, activation: .relu),
                                    Dense(64, activation: .relu), Dense(10)], name: "mlp")
            expectGolden("mlp", summaryText(model))
            expectGolden("mlp_88", summaryText(model, lineLength: 88))
        }
    }

    @Test func optimizerParamsLine() throws {
        try withNameScope {
            let model = Sequential([InputLayer(shape: [784]), Dense(64, activation: .relu),
                                    Dense(64, activation: .relu), Dense(10)], name: "mlp")
            try model.compile(optimizer: "adam", loss: "mse")
            expectGolden("mlp", summaryText(model))   // the optimizer is not built before training
            try model.trainOnBatch(Tensor.zeros([2, 784]), Tensor.zeros([2, 10]))
            // Adam's variables as Keras lists them: iteration, learning rate, then m and v per weight.
            let specs = ModelFixtures.summaryFile["mlp_adam_variables"]!.arrayValue!.map { spec in
                (spec.arrayValue![0].arrayValue!.map { $0.intValue! }, spec.arrayValue![1].stringValue!)
            }
            let variables = model.optimizer!.variables
            #expect(variables.map(\.shape) == specs.map(\.0))
            #expect(variables.map(\.dtype.rawValue) == specs.map(\.1))
            expectGolden("mlp_adam_built", summaryText(model))
        }
    }

    @Test func functionalModel() throws {
        try withNameScope {
            let inputs = Input(shape: [3])
            let hidden = Dense(4, activation: .relu)(inputs)
            let outputs = Dense(5, activation: .softmax)(hidden)
            expectGolden("functional_softmax", summaryText(try Model(inputs: inputs, outputs: outputs)))
        }
    }

    @Test func sharedLayers() throws {
        try withNameScope {
            let a = Input(shape: [8], name: "a"), b = Input(shape: [8], name: "b")
            let shared = Dense(4, activation: .relu, name: "shared")
            let merged = Concatenate()([shared(a), shared(b)])
            let out = Dense(1, name: "head")(merged)
            expectGolden("shared_layers", summaryText(try Model(inputs: [a, b], outputs: out, name: "siamese")))
        }
    }

    @Test func residualModel() throws {
        try withNameScope {
            let inputs = Input(shape: [16])
            let x1 = Dense(16, activation: .relu)(inputs)
            let x2 = Dense(16)(x1)
            let added = Add()([inputs, x2])
            let outputs = Dense(3, activation: .softmax)(added)
            let model = try Model(inputs: inputs, outputs: outputs, name: "residual")
            expectGolden("residual", summaryText(model))
            expectGolden("residual_108", summaryText(model, lineLength: 108))
        }
    }

    @Test func nestedSequentialInFunctional() throws {
        try withNameScope {
            let inputs = Input(shape: [5])
            let inner = Sequential([Dense(3, activation: .relu), Dense(2)])
            let outputs = Softmax()(inner(inputs))
            expectGolden("nested", summaryText(try Model(inputs: inputs, outputs: outputs)))
        }
    }

    @Test func memorySizes() {
        let model = Sequential([InputLayer(shape: [1000]), Dense(1000)])
        #expect(summaryText(model).contains(" Total params: 1,001,000 (3.82 MB)\n"))
    }
}
