import Foundation
import Keras
import KerasTestSupport
import Testing

/// `summary(expandNested:showTrainable:)` against Keras 3's text (Tests/Fixtures/summary_options_generate.py).
@Suite("summary() options match Keras 3")
struct SummaryOptionsTests {
    static let goldens: [String: String] = {
        let text = try! String(contentsOf: fixturesDirectory.appendingPathComponent("summary_options.json"), encoding: .utf8)
        return (try! ConfigValue.parse(json: text)).objectValue!.compactMapValues(\.stringValue)
    }()

    static func models() throws -> (Sequential, Model) {
        let inner = Sequential([InputLayer(shape: [4]), Dense(3, name: "inner_dense"), Dropout(0.1, name: "inner_drop")], name: "inner")
        let frozen = Dense(2, name: "frozen")
        frozen.trainable = false
        let sequential = Sequential([InputLayer(shape: [4]), inner, frozen], name: "outer_seq")
        let x = Input(shape: [4], name: "x"), y = Input(shape: [3], name: "y")
        let h = Concatenate(name: "cat")([inner(x), y])
        let functional = try Model(inputs: [x, y], outputs: Dense(1, name: "head")(h), name: "outer_fn")
        return (sequential, functional)
    }

    func text(_ model: Model, expandNested: Bool = false, showTrainable: Bool = false) -> String {
        var out = ""
        model.summary(expandNested: expandNested, showTrainable: showTrainable) { out += $0 }
        return out
    }

    @Test func expandNestedAndShowTrainable() throws {
        let (sequential, functional) = try Self.models()
        let cases = [
            ("sequential_expanded", text(sequential, expandNested: true)),
            ("sequential_trainable", text(sequential, showTrainable: true)),
            ("sequential_both", text(sequential, expandNested: true, showTrainable: true)),
            ("functional_both", text(functional, expandNested: true, showTrainable: true)),
        ]
        for (key, got) in cases {
            let golden = try #require(Self.goldens[key])
            #expect(got == golden, "\(key):\n\(got)\nexpected:\n\(golden)")
        }
    }
}
