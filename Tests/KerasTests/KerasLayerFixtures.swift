import Keras
import KerasTestSupport
import Testing

/// The cases of `Tests/Fixtures/normalization_layers.json` (written by
/// `normalization_generate.py` from real Keras): each layer made from Keras's own config, given
/// Keras's weights, called once; output, gradients, weights after the call and config compared.
enum KerasLayerFixtures {
    static let root: Config = {
        let raw = try! loadFixture("normalization_layers.json")
        return ConfigValue.from(any: raw).objectValue!
    }()

    static func tensor(_ value: ConfigValue) -> Tensor {
        let shape = value["shape"]!.arrayValue!.map { $0.intValue! }
        func flatten(_ v: ConfigValue) -> [Double] { v.arrayValue.map { $0.flatMap(flatten) } ?? [v.doubleValue!] }
        let dtype = DType(rawValue: value["dtype"]?.stringValue ?? "float32") ?? .float32
        return Tensor(shape: shape, doubles: flatten(value["data"]!), dtype: dtype)
    }

    static func entry(_ list: String, _ id: String) -> Config {
        let found = root[list]!.arrayValue!.first { $0["id"]?.stringValue == id }
        guard let found else { fatalError("no fixture case \(id) in \(list)") }
        return found.objectValue!
    }

    /// Runs case `id` and compares everything it records.
    static func check(_ id: String, rtol: Double = 1e-5, atol: Double = 1e-5,
                      sourceLocation: SourceLocation = #_sourceLocation) throws {
        let c = entry("cases", id)
        let kerasConfig = c["config"]!.objectValue!
        let layer = try makeLayer(className: c["class_name"]!.stringValue!, config: kerasConfig)
        let x = tensor(c["input"]!)
        try layer.build(x.shape.map { Optional($0) })
        let weights = c["weights"]!.arrayValue!.map(tensor)
        if !weights.isEmpty { try layer.setWeights(weights) }
        let training = c["training"]!.boolValue!
        let tape = GradientTape()
        let watched = tape.watch(x)
        let y = tape.record { layer(watched, training: training) }
        assertClose(y, tensor(c["output"]!), rtol: rtol, atol: atol, "\(id) output", sourceLocation: sourceLocation)
        let after = c["weights_after"]!.arrayValue!.map(tensor)
        #expect(layer.weights.count == after.count, "\(id) weight count", sourceLocation: sourceLocation)
        for (w, expected) in zip(layer.getWeights(), after) {
            assertClose(w, expected, rtol: rtol, atol: atol, "\(id) weights after the call", sourceLocation: sourceLocation)
        }
        if let probe = c["probe"].map(tensor) {
            let objective = tape.record { (y * probe).sum() }
            assertClose(tape.gradient(objective, wrt: [watched])[0], tensor(c["input_grad"]!), rtol: 1e-4, atol: 1e-4,
                        "\(id) input gradient", sourceLocation: sourceLocation)
            let expected = c["weight_grads"]!.arrayValue!.map(tensor)
            let trainable = layer.trainableWeights
            #expect(trainable.count == expected.count, "\(id) trainable weights", sourceLocation: sourceLocation)
            for (g, e) in zip(tape.gradient(objective, wrt: trainable), expected) {
                assertClose(g, e, rtol: 1e-4, atol: 1e-4, "\(id) weight gradient", sourceLocation: sourceLocation)
            }
        }
        checkConfig(layer.getConfig(), kerasConfig, id, sourceLocation: sourceLocation)
    }

    /// Our config has Keras's keys and values (initializers by class name, numbers numerically).
    static func checkConfig(_ ours: Config, _ kerasConfig: Config, _ id: String, sourceLocation: SourceLocation) {
        #expect(Set(ours.keys) == Set(kerasConfig.keys), "\(id): keys \(ours.keys.sorted()) vs \(kerasConfig.keys.sorted())",
                sourceLocation: sourceLocation)
        for (key, value) in kerasConfig where ours[key] != nil && key != "seed" {
            if key.hasSuffix("_initializer") {
                #expect(ours[key]?["class_name"] == value["class_name"], "\(id).\(key)", sourceLocation: sourceLocation)
            } else {
                #expect(same(ours[key]!, value), "\(id).\(key): \(ours[key]!) vs \(value)", sourceLocation: sourceLocation)
            }
        }
    }

    static func same(_ a: ConfigValue, _ b: ConfigValue) -> Bool {
        if let x = a.doubleValue, let y = b.doubleValue { return Swift.abs(x - y) <= 1e-9 * Swift.max(1, Swift.abs(y)) }
        if let x = a.arrayValue, let y = b.arrayValue { return x.count == y.count && zip(x, y).allSatisfy(same) }
        return a == b
    }

    /// Runs shape case `id`: the layer in training mode gives Keras's output shape.
    static func checkTrainingShape(_ id: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let c = entry("shape_cases", id)
        let layer = try makeLayer(className: c["class_name"]!.stringValue!, config: c["config"]!.objectValue!)
        let shape = c["input_shape"]!.arrayValue!.map { $0.intValue! }
        let x = Tensor.randomUniform(shape, minval: 0, maxval: 255, seed: 3)
        let y = layer(x, training: true)
        #expect(y.shape == c["output_shape"]!.arrayValue!.map { $0.intValue! }, "\(id)", sourceLocation: sourceLocation)
    }
}
