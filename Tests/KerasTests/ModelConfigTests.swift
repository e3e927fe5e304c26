import Keras
import KerasTestSupport
import Testing

@Suite("Model configs match Keras")
struct ModelConfigTests {
    /// Removes what Keras 3.15 adds to the variance-scaling initializer configs
    /// (`input_axes`/`output_axes`, owned by the initializers).
    static func normalized(_ value: ConfigValue) -> ConfigValue {
        switch value {
        case .object(var o):
            if o["class_name"]?.stringValue == "GlorotUniform" { o["config"] = ["seed": o["config"]?["seed"] ?? nil] }
            return .object(o.mapValues(normalized))
        case .array(let a): return .array(a.map(normalized))
        default: return value
        }
    }

    @Test func kerasConfigRoundTripsExactly() throws {
        let keras = ModelFixtures.models["functional_softmax"]!["config"]!
        let model = try Model(functionalConfig: keras.objectValue!)
        let ours = ConfigValue.object(model.getConfig())
        #expect(Self.normalized(ours) == Self.normalized(keras), "\(ours)\nvs\n\(keras)")
    }

    @Test func sequentialKerasConfigRoundTripsExactly() throws {
        let keras = ModelFixtures.models["seed_sequential"]!["config"]!
        let model = try Sequential(config: keras.objectValue!)
        let ours = ConfigValue.object(model.getConfig())
        #expect(Self.normalized(ours) == Self.normalized(keras), "\(ours)\nvs\n\(keras)")
    }
}
