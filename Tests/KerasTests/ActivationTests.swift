import Foundation
import Keras
import KerasTestSupport
import Testing

@Suite("Activations")
struct ActivationTests {
    /// `activations_values.json`: Keras outputs and JAX gradients for every activation.
    let fixture: [String: Any]
    let x: Tensor
    let weights: Tensor

    init() throws {
        fixture = try loadFixture("activations_values.json") as! [String: Any]
        x = tensorFromFixture(fixture["x"]!)
        weights = tensorFromFixture(fixture["weights"]!)
    }

    func entry(_ name: String) -> [String: Any] {
        (fixture["activations"] as! [String: Any])[name] as! [String: Any]
    }

    /// Fixture names, mapped to our activation (`gelu_approximate` is Keras's `gelu(approximate=True)`).
    static let names = ["linear", "relu", "relu6", "sigmoid", "hard_sigmoid", "tanh", "softmax", "log_softmax",
                        "softplus", "softsign", "elu", "selu", "gelu", "gelu_approximate", "silu", "swish", "mish",
                        "leaky_relu", "exponential"]

    @Test("every activation matches Keras within 1e-5", arguments: names)
    func valuesMatchKeras(name: String) throws {
        let activation = try #require(ActivationFunction.named(name))
        let expected = tensorFromFixture(entry(name)["y"]!)
        let y = activation(x)
        #expect(y.dtype == .float32)
        assertClose(y, expected, rtol: 1e-5, atol: 1e-5, name)
    }

    @Test("gradients match JAX's, including at kinks (0, ±3, 6) and large magnitudes", arguments: names)
    func gradientsMatchJAX(name: String) throws {
        let activation = try #require(ActivationFunction.named(name))
        let expected = tensorFromFixture(entry(name)["grad"]!)
        let (_, grads) = valueWithGradients(at: [x]) { xs in (activation(xs[0]) * weights).sum() }
        assertClose(grads[0], expected, rtol: 1e-5, atol: 1e-5, name)
    }

    @Test("gradients agree with finite differences away from kinks", arguments: names)
    func finiteDifferences(name: String) throws {
        let activation = try #require(ActivationFunction.named(name))
        // Awkward points: tiny, near the kinks (but not on them), large magnitudes.
        var points = Tensor([[-30.0, -7.0, -3.001, -2.999, -1e-4, 1e-4, 0.7, 2.999],
                             [3.001, 5.999, 6.001, 12.0, -0.3, 1.3, -5.0, 30.0]], dtype: .float64)
        // e^30 would swamp the other terms' finite differences in double precision.
        if name == "exponential" { points = points / 10 }
        checkGradients([points], rtol: 1e-5, atol: 1e-6) { xs in activation(xs[0]) }
    }

    @Test func namesRoundTrip() throws {
        for activation in ActivationFunction.builtIns {
            #expect(activation.serialize() == .string(activation.name))
            #expect(try ActivationFunction.deserialize(activation.serialize()).name == activation.name)
        }
        #expect(try ActivationFunction.deserialize("swish").name == "silu")
        #expect(try ActivationFunction.deserialize(nil).name == "linear")
        let legacy: ConfigValue = ["module": "builtins", "class_name": "function", "config": "relu", "registered_name": "function"]
        #expect(try ActivationFunction.deserialize(legacy).name == "relu")
    }

    @Test func unknownNameThrowsNamingIt() {
        #expect(ActivationFunction.named("relu7") == nil)
        do {
            _ = try ActivationFunction.deserialize("relu7")
            Issue.record("expected a KerasError")
        } catch let error as KerasError {
            #expect(error.description.contains("'relu7'"))
            #expect(error.description.contains("leaky_relu"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func customClosureKeepsItsName() {
        let scaled = ActivationFunction.custom("scaled_tanh") { 2 * $0.tanh() }
        #expect(scaled.name == "scaled_tanh")
        #expect(scaled.serialize() == "scaled_tanh")
        assertClose(scaled(Tensor([0.5])), Tensor([2 * Foundation.tanh(0.5)]))
    }

    @Test func softmaxUsesLastAxis() {
        let y = ActivationFunction.softmax(Tensor([[1.0, 2.0], [3.0, 3.0]]))
        assertClose(y.sum(axes: [-1]), Tensor([1.0, 1.0]))
        assertClose(y.slice(axis: 0, start: 1, end: 2), Tensor([[0.5, 0.5]]))
    }
}
