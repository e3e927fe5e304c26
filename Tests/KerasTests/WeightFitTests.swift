import Keras
import KerasTestSupport
import Testing

/// An initializer or constraint that does not fit the weight it is given is a thrown error at
/// build time, naming the layer, the weight and the initializer/constraint (issue 7).
@Suite struct WeightFitTests {
    /// Builds `layer` for `shape` and returns the error message, checking the layer stayed unbuilt.
    private func buildError(_ layer: Layer, _ shape: [Int?]) -> String? {
        let error = #expect(throws: KerasError.self) { try layer.build(shape) }
        #expect(!layer.built && layer.weights.isEmpty, "a failed build leaves no weights behind")
        return error.map { "\($0)" }
    }

    @Test func constraintAxisBeyondTheWeightRank() throws {
        let cases: [(any Constraint, String)] = [
            (MaxNorm(maxValue: 2, axis: 2), "MaxNorm"), (UnitNorm(axis: -3), "UnitNorm"),
            (MinMaxNorm(axis: 5), "MinMaxNorm"), (MaxNorm(axes: [0, 1, 2]), "MaxNorm"), (UnitNorm(axes: [0, -2]), "twice"),
        ]
        for (constraint, word) in cases {
            let message = try #require(buildError(Dense(3, kernelConstraint: constraint, name: "proj"), [nil, 4]))
            for expected in ["proj", "kernel", "(4, 3)", word] { #expect(message.contains(expected), "\(message)") }
        }
        // A bias is rank 1: axis 0 and -1 fit, axis 1 does not.
        let bias = try #require(buildError(Dense(3, biasConstraint: UnitNorm(axis: 1)), [nil, 4]))
        #expect(bias.contains("bias") && bias.contains("UnitNorm"))
        let fine = Dense(3, kernelConstraint: MaxNorm(axis: -1), biasConstraint: UnitNorm(axis: 0))
        try fine.build([nil, 4])
        #expect(fine.weights.count == 2)
    }

    @Test func initializerThatDoesNotFitTheShape() throws {
        let cases: [(Dense, String)] = [
            (Dense(3, biasInitializer: IdentityInitializer(), name: "d"), "Identity"),
            (Dense(3, biasInitializer: Orthogonal(), name: "d"), "Orthogonal"),
            (Dense(3, kernelInitializer: GlorotUniform(inputAxes: [2], outputAxes: [1]), name: "d"), "GlorotUniform"),
            (Dense(3, kernelInitializer: VarianceScaling(inputAxes: [0], outputAxes: [-3]), name: "d"), "VarianceScaling"),
        ]
        for (layer, word) in cases {
            let message = try #require(buildError(layer, [nil, 4]))
            #expect(message.contains(word) && message.contains("\"d\""), "\(message)")
        }
        #expect(IdentityInitializer().problem(forShape: [2, 2, 2], dtype: .float32) != nil)
        #expect(IdentityInitializer().problem(forShape: [2, 3], dtype: .float32) == nil)
        #expect(Orthogonal().problem(forShape: [2, 2, 2], dtype: .float32) == nil)
        #expect(RandomNormal().problem(forShape: [2], dtype: .int32)?.contains("int32") == true)
        #expect(HeNormal().problem(forShape: [2], dtype: .int32) != nil)
        #expect(Zeros().problem(forShape: [2], dtype: .int32) == nil)
    }

    /// A layer asking for a weight with more elements than an `Int` counts.
    final class Outer: Layer, @unchecked Sendable {
        override func build(inputShape: [Int?]) {
            _ = addWeight(name: "table", shape: [inputShape.lastDimension, 1 << 40, 1 << 40])
        }
        override func call(_ x: Tensor, training: Bool) -> Tensor { x }
    }

    @Test func weightSizeOverflow() throws {
        let message = try #require(buildError(Outer(name: "huge"), [nil, 4]))
        #expect(message.contains("huge") && message.contains("table") && message.contains("more elements"), "\(message)")
    }

    /// The other ways in build too: `Sequential.add`, a functional graph, a `build_config`.
    @Test func everyBuildingEntryPointThrows() throws {
        let model = Sequential([InputLayer(shape: [4])])
        #expect(throws: KerasError.self) { try model.add(Dense(3, kernelConstraint: MaxNorm(axis: 3))) }
        #expect(model.layers.isEmpty)
        try model.add(Dense(3))

        let x = Input(shape: [4])
        #expect(throws: KerasError.self) { try Model(inputs: x, outputs: Dense(2, biasInitializer: IdentityInitializer())(x)) }

        let unbuilt = Sequential([Dense(2, kernelConstraint: UnitNorm(axis: 7))])
        #expect(throws: KerasError.self) { try unbuilt.callChecked(Tensor.ones([1, 4])) }

        let config: Config = ["name": "s", "layers": [
            ["module": "keras.layers", "class_name": "InputLayer", "config": ["batch_shape": [nil, 4], "name": "in"]],
            ["module": "keras.layers", "class_name": "Dense", "config": ["units": 2, "kernel_constraint":
                ["module": "keras.constraints", "class_name": "MaxNorm", "config": ["max_value": 2.0, "axis": 4]]]],
        ]]
        let error = #expect(throws: KerasError.self) { try Sequential(config: config) }
        #expect("\(error.map { "\($0)" } ?? "")".contains("MaxNorm"))
    }

    /// A plain (non-throwing) first call stops with the same message, also in release builds.
    @Test func eagerCallStopsWithTheMessage() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Dense(3, kernelConstraint: MaxNorm(axis: 2), name: "eager")(Tensor.ones([2, 4]))
        } .map { #expect(String(decoding: $0.standardErrorContent, as: UTF8.self).contains("MaxNorm: axis 2")) }
    }
}
