import Foundation
import Keras
import KerasTestSupport
import Testing

/// `Config`: an insertion-ordered dictionary that prints as JSON in Keras's key order.
@Suite struct ConfigTests {
    @Test func keepsInsertionOrderAndPrintsAsJSON() {
        var config: Config = ["name": "dense", "trainable": true]
        config["units"] = .int(3)
        config["activation"] = "relu"
        config["name"] = "dense_1"              // replacing keeps the position
        #expect(config.keys == ["name", "trainable", "units", "activation"])
        #expect(config.values == ["dense_1", true, 3, "relu"])
        #expect("\(config)" == #"{"name": "dense_1", "trainable": true, "units": 3, "activation": "relu"}"#)
        #expect(config.count == 4 && !config.isEmpty && Config().isEmpty)
        var seen: [String] = []
        for (key, value) in config where value != .bool(true) { seen.append(key) }
        #expect(seen == ["name", "units", "activation"])
    }

    @Test func dictionaryOperations() {
        var config: Config = ["a": 1, "b": 2, "c": 3]
        #expect(config.removeValue(forKey: "b") == 2)
        #expect(config.removeValue(forKey: "zz") == nil)
        config["a"] = nil
        #expect(config.keys == ["c"])
        config.merge(["c": 30, "d": 4]) { _, new in new }
        #expect(config.keys == ["c", "d"] && config["c"] == 30)
        #expect(config.merging(["c": 0]) { old, _ in old }["c"] == 30)
        #expect(config.mapValues { .int(($0.intValue ?? 0) + 1) } == ["c": 31, "d": 5])
        #expect(config.filter { $0.key == "d" }.keys == ["d"])
        #expect(config["missing", default: "x"] == "x")
        config["e", default: 0] = 5
        #expect(config.keys == ["c", "d", "e"])
        #expect(config.compactMapValues(\.intValue) == ["c": 30, "d": 4, "e": 5])
        #expect(Config(["z": 1, "y": 2]).keys == ["y", "z"])
        #expect(config.dictionary == ["c": 30, "d": 4, "e": 5])
        let plain: [String: ConfigValue] = ["f": 6]
        config.merge(plain) { $1 }
        config.merge(zip(["g"], [ConfigValue.int(7)])) { $1 }
        #expect(config.keys == ["c", "d", "e", "f", "g"])
    }

    @Test func equalityIgnoresOrder() {
        let a: Config = ["x": 1, "y": ["p": 1, "q": 2]]
        let b: Config = ["y": ["q": 2, "p": 1], "x": 1]
        #expect(a == b)
        #expect(ConfigValue.object(a) == .object(b))
        #expect(a != ["x": 1])
        #expect("\(a)" != "\(b)")
    }

    @Test func jsonRoundTripKeepsOrder() throws {
        let text = #"{"zeta": 1, "alpha": [1.5, -2, true, null, "q\"\\\n\u00e9\ud83d\ude00"], "mid": {"b": {}, "a": []}}"#
        let value = try ConfigValue.parse(json: text)
        #expect(value.objectValue?.keys == ["zeta", "alpha", "mid"])
        #expect(value["mid"]?.objectValue?.keys == ["b", "a"])
        #expect(value["alpha"]?.arrayValue?[4] == .string("q\"\\\n\u{e9}\u{1F600}"))
        #expect(try ConfigValue.parse(json: value.jsonString()) == value)
        #expect(try ConfigValue.parse(json: value.jsonString()).jsonString() == value.jsonString())
        #expect(value.jsonString(sortedKeys: true).hasPrefix(#"{"alpha": "#))
        #expect(try ConfigValue.parse(json: "9223372036854775807") == .int(Int.max))
        #expect(try ConfigValue.parse(json: " -0.25e1 ") == .double(-2.5))
        #expect(try ConfigValue.parse(json: #"{"k": 1, "k": 2}"#) == ["k": 2])
    }

    @Test(arguments: ["{", "[1,]", "{\"a\" 1}", "01", "1.", "tru", "\"\\x\"", "\"\\ud800\"", "[1] 2", "{1: 2}", "\"a\nb\"", "-", "1e", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\\u12\"", "\"\\",
                      String(repeating: "{\"a\":", count: 600) + "1" + String(repeating: "}", count: 600)])
    func malformedJSONThrows(_ text: String) {
        #expect(throws: KerasError.self) { try ConfigValue.parse(json: text) }
    }

    /// Our configs list their keys in the order Keras 3 writes them (`config_order.json`).
    @Test func keyOrderMatchesKeras() throws {
        let text = try String(contentsOf: fixturesDirectory.appendingPathComponent("config_order.json"), encoding: .utf8)
        let keras = try #require(try ConfigValue.parse(json: text).objectValue)

        let sequential = Sequential([InputLayer(shape: [3]), Dense(2, activation: .relu, name: "d1"), Dropout(0.5, name: "dr")], name: "seq")
        expectSameOrder(serializeLayer(sequential), keras["sequential"]!, path: "sequential", ignoring: ["build_config", "compile_config"])

        let x = Input(shape: [3], name: "x")
        let functional = try Model(inputs: x, outputs: Dense(2, name: "d")(x), name: "f")
        expectSameOrder(.object(functional.getConfig()), keras["functional_config"]!, path: "functional")

        expectSameOrder(serializeLayer(Dense(4, useBias: false, name: "dense")), keras["dense"]!, path: "dense")
        expectSameOrder(MaxNorm(maxValue: 2, axis: 1).serialize(), keras["max_norm"]!, path: "max_norm")
        expectSameOrder(Adam().serialize(), keras["adam"]!, path: "adam")

        let compiled = Sequential([InputLayer(shape: [3]), Dense(2)], name: "compiled")
        try compiled.compile(optimizer: "adam", loss: "mse", metrics: ["mae"])
        expectSameOrder(.object(try #require(compiled.compileConfig)), keras["compile_config"]!, path: "compile_config")
    }

    /// Every object family, recreated from Keras's own config, lists its keys in Keras's order.
    @Test func everyFamilyKeepsKerasKeyOrder() throws {
        let text = try String(contentsOf: fixturesDirectory.appendingPathComponent("config_order.json"), encoding: .utf8)
        let keras = try #require(try ConfigValue.parse(json: text).objectValue)
        let families: [(String, (ConfigValue) throws -> ConfigValue)] = [
            ("layers", { serializeLayer(try deserializeLayer($0)) }),
            ("initializers", { try deserializeInitializer($0).serialize() }),
            ("regularizers", { try deserializeRegularizer($0).serialize() }),
            ("constraints", { try deserializeConstraint($0).serialize() }),
            ("optimizers", { try deserializeOptimizer($0).serialize() }),
            ("losses", { try deserializeLoss($0).serialize() }),
            ("metrics", { try deserializeMetric($0).serialize() }),
        ]
        for (family, roundTrip) in families {
            let entries = try #require(keras[family]?.arrayValue, "\(family) in config_order.json")
            for entry in entries {
                let name = entry["class_name"]?.stringValue ?? "?"
                do {
                    expectSameOrder(try roundTrip(entry), entry, path: "\(family).\(name)")
                } catch {
                    Issue.record("\(family).\(name): \(error)")
                }
            }
        }
    }

    /// Checks that every object in `ours` lists the keys it shares with Keras's in Keras's order.
    /// Keys only one side has (Keras's `quantization_config`, a model's top-level `build_config`)
    /// are skipped, listed in `ignoring` when they must be.
    private func expectSameOrder(_ ours: ConfigValue, _ keras: ConfigValue, path: String, ignoring: Set<String> = []) {
        switch (ours, keras) {
        case (.object(let a), .object(let b)):
            let common = a.keys.filter { b[$0] != nil && !ignoring.contains($0) }
            let kerasOrder = b.keys.filter { a[$0] != nil && !ignoring.contains($0) }
            #expect(common == kerasOrder, "key order at \(path)")
            #expect(Set(b.keys).subtracting(a.keys).subtracting(ignoring).subtracting(["quantization_config"]).isEmpty,
                    "keys Keras writes that we do not at \(path): \(Set(b.keys).subtracting(a.keys))")
            for key in common { expectSameOrder(a[key]!, b[key]!, path: path + "." + key) }
        case (.array(let a), .array(let b)) where a.count == b.count:
            for (i, (x, y)) in zip(a, b).enumerated() { expectSameOrder(x, y, path: "\(path)[\(i)]") }
        default:
            break
        }
    }
}
