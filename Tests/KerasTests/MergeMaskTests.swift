import Foundation
import Keras
import KerasTestSupport
import Testing

/// Maximum and Minimum with masks against real Keras: masked values are replaced by the other
/// inputs' before merging (`lookup_layers.json`, `merge_masks`).
@Suite struct MergeMaskTests {
    @Test func maskedMaximumAndMinimumMatchKeras() throws {
        for kase in LookupFixture.cases("merge_masks") {
            let shape = LookupFixture.shape(kase["shape"])
            let inputs = (kase["inputs"] as! [Any]).map { LookupFixture.tensor(LookupFixture.numbers($0), shape) }
            let masks: [Tensor?] = (kase["masks"] as! [Any]).map {
                $0 is NSNull ? nil : LookupFixture.tensor(LookupFixture.numbers($0), Array(shape.prefix(2)), .bool)
            }
            let layer: Merge = kase["layer"] as! String == "Maximum" ? Maximum() : Minimum()
            let result = layer.applyMasked(inputs, masks: masks)
            let label = "\(kase["layer"]!) masks \(masks.map { $0 == nil ? "-" : "m" })"
            assertClose(result.outputs[0], LookupFixture.tensor(LookupFixture.numbers(kase["y"]), shape), rtol: 1e-6, atol: 1e-7, label)
            if kase["mask"] is NSNull {
                #expect(result.masks[0] == nil, "\(label) mask")
            } else {
                let mask = try #require(result.masks[0])
                #expect(mask.cast(to: .float64).doubles == LookupFixture.numbers(kase["mask"]), "\(label) mask")
            }
        }
    }

    @Test func maskedMaximumGradientsFlowToTheKeptValues() throws {
        let a = Tensor([[[1.0], [5.0]]]), b = Tensor([[[3.0], [2.0]]])
        let masks: [Tensor?] = [Tensor([[true, false]]).cast(to: .bool), Tensor([[false, true]]).cast(to: .bool)]
        let (_, grads) = valueWithGradients(at: [a, b]) { xs in Maximum().applyMasked(xs, masks: masks).outputs[0].sum() }
        // Step 0 keeps a (b is masked), step 1 keeps b (a is masked): all gradient goes to the kept values.
        #expect(grads[0].doubles == [1, 0])
        #expect(grads[1].doubles == [0, 1])
    }
}
