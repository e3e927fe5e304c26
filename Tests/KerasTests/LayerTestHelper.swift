import Keras
import KerasTestSupport
import Testing

/// Keras's `run_layer_test` in Swift: for a layer made by `make(dtype)` it checks
/// 1. the eager output shape on random inputs of `inputShapes`,
/// 2. the number of trainable / non-trainable weights (and their shapes, if given),
/// 3. the symbolic output shape (batch unknown) from `Input`s,
/// 4. the config round trip: `makeLayer(className:config:)` of `getConfig()` gives the same
///    config and, with the same weights, the same outputs,
/// 5. gradients of the call (float64) with respect to the inputs and to every trainable weight,
///    against central finite differences.
func runLayerTest(_ make: (DType) -> Layer, inputShapes: [[Int]], expectedOutputShape: [Int],
                  expectedTrainableWeights: Int = 0, expectedNonTrainableWeights: Int = 0,
                  expectedWeightShapes: [[Int]]? = nil, checkRoundTrip: Bool = true,
                  checkInputGradients: Bool = true, sourceLocation: SourceLocation = #_sourceLocation) throws {
    var g = RandomGenerator(seed: 42)
    func random(_ shape: [Int], _ dtype: DType) -> Tensor {
        Tensor(shape: shape, doubles: (0..<shape.reduce(1, *)).map { _ in g.nextUnit() * 4 - 2 }, dtype: dtype)
    }
    let inputs = inputShapes.map { random($0, .float32) }

    // 1–2. eager call, weights
    let layer = make(.float32)
    let output = layer.apply(inputs)[0]
    #expect(output.shape == expectedOutputShape, "output shape", sourceLocation: sourceLocation)
    #expect(layer.built, sourceLocation: sourceLocation)
    #expect(layer.trainableWeights.count == expectedTrainableWeights, "trainable weights", sourceLocation: sourceLocation)
    #expect(layer.nonTrainableWeights.count == expectedNonTrainableWeights, "non-trainable weights", sourceLocation: sourceLocation)
    if let expectedWeightShapes {
        #expect(layer.weights.map(\.shape) == expectedWeightShapes, sourceLocation: sourceLocation)
    }
    #expect(layer.countParams() == layer.weights.reduce(0) { $0 + $1.shape.reduce(1, *) }, sourceLocation: sourceLocation)

    // 3. symbolic call
    let symbolic = make(.float32).applySymbolic(inputShapes.map { Input(shape: $0.dropFirst().map { Optional($0) }) })
    #expect(symbolic[0].error == nil, "\(symbolic[0])", sourceLocation: sourceLocation)
    #expect(symbolic[0].shape == [nil] + expectedOutputShape.dropFirst().map { Optional($0) },
            "symbolic output shape", sourceLocation: sourceLocation)

    // 4. config round trip
    if checkRoundTrip {
        let copy = try makeLayer(className: layer.className, config: layer.getConfig())
        #expect(ConfigValue.object(copy.getConfig()) == ConfigValue.object(layer.getConfig()), "config round trip", sourceLocation: sourceLocation)
        _ = copy.apply(inputs)
        try copy.setWeights(layer.getWeights())
        assertClose(copy.apply(inputs)[0], output, sourceLocation: sourceLocation)
    }

    // 5. gradients (float64)
    let layer64 = make(.float64)
    let inputs64 = inputs.map { $0.cast(to: .float64) }
    if checkInputGradients {
        checkGradients(inputs64, sourceLocation: sourceLocation) { xs in layer64.apply(xs)[0] }
    }
    _ = layer64.apply(inputs64)
    for variable in layer64.trainableWeights {
        checkWeightGradient(variable, sourceLocation: sourceLocation) { layer64.apply(inputs64)[0] }
    }
}

/// Compares the gradient of `sum(f() · w)` (fixed pseudo-random `w`) with respect to `variable`
/// with central finite differences, perturbing the variable in place.
func checkWeightGradient(_ variable: Variable, eps: Double = 1e-6, sourceLocation: SourceLocation = #_sourceLocation,
                         _ f: @escaping () -> Tensor) {
    let probe = withoutRecording { f() }
    var g = RandomGenerator(seed: 9)
    let weights = Tensor(shape: probe.shape, doubles: (0..<probe.scalarCount).map { _ in g.nextUnit() + 0.5 }, dtype: probe.dtype)
    let objective = { (f() * weights).sum() }
    let (_, grads) = valueWithGradients(of: [variable], objective)
    let original = withoutRecording { variable.value }
    var values = original.doubles
    var numeric: [Double] = []
    for i in values.indices {
        let v = values[i]
        values[i] = v + eps
        variable.assign(Tensor(shape: original.shape, doubles: values, dtype: original.dtype))
        let up = withoutRecording { objective() }.doubles[0]
        values[i] = v - eps
        variable.assign(Tensor(shape: original.shape, doubles: values, dtype: original.dtype))
        let down = withoutRecording { objective() }.doubles[0]
        values[i] = v
        numeric.append((up - down) / (2 * eps))
    }
    variable.assign(original)
    assertClose(grads[0].doubles, numeric, rtol: 1e-5, atol: 1e-7, "gradient of weight \(variable.name)", sourceLocation: sourceLocation)
}
