import Foundation
import Keras
import KerasTestSupport
import Testing

@Suite("Constraints")
struct ConstraintTests {
    /// The Swift constraint for each key of `constraints_values.json`'s "cases".
    static let cases: [String: any Constraint] = [
        "MaxNorm": MaxNorm(),
        "MaxNorm(1.5,axis=1)": MaxNorm(maxValue: 1.5, axis: 1),
        "MaxNorm(2,axis=[0,1,2])": MaxNorm(maxValue: 2, axes: [0, 1, 2]),
        "MinMaxNorm": MinMaxNorm(),
        "MinMaxNorm(0.5,2,0.5,axis=1)": MinMaxNorm(minValue: 0.5, maxValue: 2, rate: 0.5, axis: 1),
        "UnitNorm": UnitNorm(),
        "UnitNorm(axis=-1)": UnitNorm(axis: -1),
        "UnitNorm(axis=[0,1,2])": UnitNorm(axes: [0, 1, 2]),
        "NonNeg": NonNeg(),
    ]

    @Test func valuesAndConfigsMatchKeras() throws {
        let raw = try loadFixture("constraints_values.json") as! [String: Any]
        let rawCases = raw["cases"] as! [String: Any]
        let cases = try #require(try fixtureObject("constraints_values.json")["cases"]?.objectValue)
        #expect(Set(cases.keys) == Set(Self.cases.keys))
        for (key, keras) in cases {
            let ours = try #require(Self.cases[key])
            let entry = rawCases[key] as! [String: Any]
            let w = tensorFromFixture(entry["input"]!)
            assertClose(ours(w), tensorFromFixture(entry["output"]!), rtol: 1e-6, atol: 1e-7, key)
            expectConfig(ours.serialize(), keras["serialized"]!, key)
            expectConfig(try deserializeConstraint(keras["serialized"]!).serialize(), keras["serialized"]!, key)
            #expect(try deserializeConstraint(ours.serialize()).serialize() == ours.serialize(), "\(key)")
        }
    }

    @Test func stringAliasesMatchKeras() throws {
        for (name, keras) in try #require(try fixtureObject("constraints_values.json")["aliases"]?.objectValue) {
            let ours = try #require(constraint(named: name), "constraint(named: \"\(name)\")")
            expectConfig(ours.serialize(), keras, name)
            expectConfig(try deserializeConstraint(.string(name)).serialize(), keras, name)
        }
        #expect(constraint(named: "positive") == nil)
    }

    @Test func maxNormLeavesSmallColumnsAndScalesLargeOnes() {
        let w = Tensor([[3.0, 0.3], [4.0, 0.4]], dtype: .float64)
        let c = MaxNorm(maxValue: 2)(w)
        // Column 0 has norm 5 → scaled to norm 2; column 1 (norm 0.5) unchanged up to ε.
        assertClose(c, Tensor([[1.2, 0.3], [1.6, 0.4]], dtype: .float64), rtol: 1e-6, atol: 1e-6)
    }

    @Test func deserializationErrorsNameTheProblem() {
        func message(_ value: ConfigValue) -> String {
            do { _ = try deserializeConstraint(value); return "no error" } catch { return "\(error)" }
        }
        #expect(message("MaxNorn").contains("Unknown constraint 'MaxNorn'"))
        #expect(message(["class_name": "UnitNorm", "config": ["axis": "rows"]]).contains("\"axis\""))
        #expect(message(["class_name": "NonNeg", "config": ["axis": 0]]).contains("\"axis\""))
    }
}
