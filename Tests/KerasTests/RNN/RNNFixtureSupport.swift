import Foundation
import Keras
import KerasTestSupport
import Testing

/// One layer case of `rnn_layers.json` / `attention_layers.json`: a Keras layer rebuilt from its
/// config, given Keras's weights, run on the fixture's inputs (with its mask), and its outputs and
/// gradients of `sum(outputs · probes)` compared with Keras's.
struct KerasLayerCase {
    let name: String
    let className: String
    let config: Config
    let weights: [Tensor]
    let inputs: [Tensor]
    let mask: Tensor?
    let outputs: [Tensor]
    let probes: [Tensor]
    let gradInputs: [Tensor]
    let gradWeights: [Tensor]

    init(_ entry: [String: Any]) {
        name = entry["name"] as! String
        className = entry["class_name"] as! String
        config = ConfigValue.from(any: entry["config"]!).objectValue!
        func list(_ key: String) -> [Tensor] { (entry[key] as! [Any]).map(tensorFromFixture) }
        weights = list("weights")
        inputs = list("inputs")
        mask = (entry["mask"] is NSNull) ? nil : entry["mask"].map(tensorFromFixture)
        outputs = list("outputs")
        probes = list("probes")
        gradInputs = list("grad_inputs")
        gradWeights = list("grad_weights")
    }

    static func load(_ file: String) throws -> [KerasLayerCase] {
        let root = try loadFixture(file) as! [String: Any]
        return (root["cases"] as! [[String: Any]]).map(KerasLayerCase.init)
    }

    /// Runs the case: config round trip, forward values and both gradients.
    func check(rtol: Double = 1e-4, atol: Double = 1e-5, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let layer = try makeLayer(className: className, config: config)
        expectConfig(.object(layer.getConfig()), .object(config), "\(name) config", sourceLocation: sourceLocation)
        let masks: [Tensor?] = [mask] + inputs.dropFirst().map { _ in nil }
        _ = layer.applyMasked(inputs, masks: masks)
        try layer.setWeights(weights)
        let got = layer.applyMasked(inputs, masks: masks).outputs
        #expect(got.count == outputs.count, "\(name): \(got.count) outputs", sourceLocation: sourceLocation)
        for (a, e) in zip(got, outputs) { assertClose(a, e, rtol: rtol, atol: atol, "\(name) output", sourceLocation: sourceLocation) }

        let objective: ([Tensor]) -> Tensor = { xs in
            zip(layer.applyMasked(xs, masks: masks).outputs, probes).map { ($0 * $1).sum() }.reduce(Tensor(Float(0)), +)
        }
        let (_, gx) = valueWithGradients(at: inputs, objective)
        for (a, e) in zip(gx, gradInputs) { assertClose(a, e, rtol: rtol, atol: atol, "\(name) input gradient", sourceLocation: sourceLocation) }
        let (_, gw) = valueWithGradients(of: layer.trainableWeights) { objective(inputs) }
        #expect(gw.count == gradWeights.count, "\(name): \(gw.count) weight gradients", sourceLocation: sourceLocation)
        for (a, e) in zip(gw, gradWeights) { assertClose(a, e, rtol: rtol, atol: atol, "\(name) weight gradient", sourceLocation: sourceLocation) }
    }
}
