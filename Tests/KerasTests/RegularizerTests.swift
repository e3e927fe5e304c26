import Foundation
import Keras
import KerasTestSupport
import Testing

@Suite("Regularizers")
struct RegularizerTests {
    /// The Swift regularizer for each key of `regularizers_values.json`'s "cases".
    static let cases: [String: any Regularizer] = [
        "L1": L1(), "L1(0.3)": L1(l1: 0.3), "L2": L2(), "L2(0.3)": L2(l2: 0.3),
        "L1L2": L1L2(), "L1L2(0.1,0.2)": L1L2(l1: 0.1, l2: 0.2), "L1L2(0,0.2)": L1L2(l2: 0.2),
    ]

    let fixture: Config

    init() throws { fixture = try fixtureObject("regularizers_values.json") }

    @Test func penaltiesAndConfigsMatchKeras() throws {
        let raw = try loadFixture("regularizers_values.json") as! [String: Any]
        let w = tensorFromFixture(raw["weight"]!)
        let cases = try #require(fixture["cases"]?.objectValue)
        #expect(Set(cases.keys) == Set(Self.cases.keys))
        for (key, keras) in cases {
            let ours = try #require(Self.cases[key])
            let penalty = ours(w)
            #expect(penalty.shape == [] && penalty.dtype == .float32, "\(key)")
            assertClose(penalty.doubles, [keras["penalty"]!.doubleValue!], rtol: 1e-6, atol: 1e-7, key)
            expectConfig(ours.serialize(), keras["serialized"]!, key)
            // Keras's serialized object restores to the same config.
            expectConfig(try deserializeRegularizer(keras["serialized"]!).serialize(), keras["serialized"]!, key)
            #expect(try deserializeRegularizer(ours.serialize()).serialize() == ours.serialize(), "\(key)")
        }
    }

    @Test func stringAliasesMatchKeras() throws {
        for (name, keras) in try #require(fixture["aliases"]?.objectValue) {
            let ours = try #require(regularizer(named: name), "regularizer(named: \"\(name)\")")
            expectConfig(ours.serialize(), keras, name)
            expectConfig(try deserializeRegularizer(.string(name)).serialize(), keras, name)
        }
        // `l1_l2` is Keras's exported function name; Keras's string lookup only knows "l1l2".
        #expect(regularizer(named: "l1_l2")?.serialize() == L1L2().serialize())
        #expect(regularizer(named: "l3") == nil)
    }

    @Test func penaltiesAreDifferentiable() {
        let w = Tensor([[0.5, -1.5], [2.0, -0.25]], dtype: .float64)
        checkGradients([w]) { xs in L2(l2: 0.3)(xs[0]) }
        checkGradients([w]) { xs in L1L2(l1: 0.1, l2: 0.2)(xs[0]) }
        checkGradients([w]) { xs in L1(l1: 0.25)(xs[0]) }
        // d/dw of l2·Σw² is 2·l2·w (no ½ in Keras's L2).
        let (_, grads) = valueWithGradients(at: [w]) { xs in L2(l2: 0.5)(xs[0]) }
        assertClose(grads[0], w)
    }

    @Test func penaltyKeepsTheWeightDType() {
        let w = Tensor([1.0, -2.0], dtype: .float64)
        #expect(L1L2()(w).dtype == .float64)
        #expect(L1L2()(w).doubles == [0])
        #expect(L1(l1: 0.5)(w).doubles == [1.5])
    }

    @Test func deserializationErrorsNameTheProblem() {
        func message(_ value: ConfigValue) -> String {
            do { _ = try deserializeRegularizer(value); return "no error" } catch { return "\(error)" }
        }
        #expect(message("L3").contains("Unknown regularizer 'L3'"))
        #expect(message(["class_name": "L2", "config": ["l2": -1.0]]).contains("non-negative"))
        #expect(message(["class_name": "L2", "config": ["l1": 1.0]]).contains("\"l1\""))
    }
}
