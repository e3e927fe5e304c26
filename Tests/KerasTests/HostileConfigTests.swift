import Foundation
import Keras
import KerasTestSupport
import Testing

/// Layers and models as real Keras serializes them (`hostile_configs.json`, written by
/// `hostile_configs_generate.py`), with every key, and every value nested inside, replaced in
/// turn by hostile values (negative, zero, huge, NaN, wrong types, wrong shapes); what still
/// loads is called through the checked entry point on edge inputs (another rank, other sizes,
/// empty axes, NaNs, integers). Every outcome must be a result or a thrown `KerasError`.
///
/// A stop kills the test process: the case it was running is then the last line of
/// `$TMPDIR/keras-hostile-config-case.txt`.
@Suite(.serialized) struct HostileConfigTests {
    static let seeds: Config = ConfigValue.from(any: try! loadFixture("hostile_configs.json")).objectValue!

    /// What replaces a top-level key of a layer's config.
    static let hostile: [ConfigValue] = [-1, 0, 1, .int(1 << 40), 1e300, .double(.nan), .double(.infinity), "x", true, nil,
                                         [], [-1], [0, 0], [1_000_000_000, 1_000_000_000], [:], [-1, -1, -1], 2.5]
    /// What replaces each value nested anywhere in a config.
    static let nestedHostile: [ConfigValue] = [-1, 0, .int(1 << 40), .double(.nan), "x", nil, [], [:], [-1, -1]]

    /// The inputs a seed is called on: as built, with an extra axis, without the last, with the
    /// last one longer, an empty batch, an empty first axis after the batch, a length-one axis,
    /// NaNs (negative ids for integer inputs), integers where floats are expected.
    enum Edge: Int, CaseIterable { case asBuilt, extraAxis, missingAxis, longerLastAxis, emptyBatch, emptyAxis, unitAxis, nan, integers }

    static func inputs(_ shapes: [[Int?]], dtypes: [DType], edge: Edge) -> [Tensor] {
        zip(shapes, dtypes).enumerated().map { i, pair in
            var shape = pair.0.map { $0 ?? 2 }
            switch edge {
            case .extraAxis: shape.append(2)
            case .missingAxis: if shape.count > 1 { shape.removeLast() }
            case .longerLastAxis: shape[shape.count - 1] += 1
            case .emptyBatch: shape[0] = 0
            case .emptyAxis: if shape.count > 1 { shape[1] = 0 }
            case .unitAxis: if shape.count > 1 { shape[1] = 1 }
            case .asBuilt, .nan, .integers: break
            }
            // Ids: in range, or (the NaN case of integer inputs) negative.
            if pair.1.isInteger && edge == .nan { return Tensor.full(shape, -5).cast(to: .int32) }
            if pair.1.isInteger || edge == .integers { return Tensor.randomUniform(shape, maxval: 3, seed: i + 1).cast(to: .int32) }
            return edge == .nan ? Tensor.full(shape, .nan) : Tensor.randomNormal(shape, seed: i + 1)
        }
    }

    /// Where the case about to run is written (kept open: one write a case).
    static let caseFile = open(NSTemporaryDirectory() + "keras-hostile-config-case.txt", O_WRONLY | O_CREAT, 0o644)

    /// Records the case about to run where a crashed run leaves it.
    static func note(_ label: String) {
        guard caseFile >= 0 else { return }
        var line = label + "\n"
        _ = ftruncate(caseFile, 0)
        _ = line.withUTF8 { pwrite(caseFile, $0.baseAddress, $0.count, 0) }
    }

    /// Runs `body` (noted as `label`), which must return or throw a `KerasError`.
    static func expectNoStop(_ label: String, _ body: () throws -> Void) {
        note(label)
        do { try body() } catch is KerasError {} catch { Issue.record("\(label): threw \(error), not a KerasError") }
    }

    /// The layer `entry` describes (its `build_config` builds it), or `nil` when loading throws
    /// a `KerasError`.
    static func load(_ label: String, _ entry: ConfigValue) -> Layer? {
        var layer: Layer?
        expectNoStop(label) { layer = try deserializeLayer(entry) }
        return layer
    }

    /// Loads `entry` and calls it on each edge input, training and not.
    static func attempt(_ label: String, _ entry: ConfigValue, _ seed: ConfigValue, edges: [Edge]) {
        guard let layer = load(label, entry) else { return }
        let shapes = seed["input_shapes"]!.arrayValue!.map { $0.arrayValue!.map(\.intValue) }
        let dtypes = seed["input_dtypes"]!.arrayValue!.map { DType(rawValue: $0.stringValue!)! }
        for edge in edges {
            for training in [false, true] {
                expectNoStop("\(label), called on \(edge)") {
                    _ = try layer.applyChecked(inputs(shapes, dtypes: dtypes, edge: edge), training: training)
                }
            }
        }
    }

    /// The seed without its test-only keys.
    static func entry(_ seed: ConfigValue) -> ConfigValue {
        var entry = seed.objectValue!
        entry["input_shapes"] = nil
        entry["input_dtypes"] = nil
        entry["weight_shapes"] = nil
        return .object(entry)
    }

    /// Every path to a value inside `value` (object keys, `#i` for list items).
    static func paths(_ value: ConfigValue, _ prefix: [String] = []) -> [[String]] {
        if let object = value.objectValue {
            return object.keys.sorted().flatMap { [prefix + [$0]] + paths(object[$0]!, prefix + [$0]) }
        }
        if let list = value.arrayValue {
            return list.indices.flatMap { [prefix + ["#\($0)"]] + paths(list[$0], prefix + ["#\($0)"]) }
        }
        return []
    }

    /// `value` with the value at `path` replaced by `new`.
    static func replacing(_ value: ConfigValue, at path: ArraySlice<String>, with new: ConfigValue) -> ConfigValue {
        guard let head = path.first else { return new }
        if head.hasPrefix("#"), var list = value.arrayValue, let i = Int(head.dropFirst()) {
            list[i] = replacing(list[i], at: path.dropFirst(), with: new)
            return .array(list)
        }
        guard var object = value.objectValue else { return value }
        object[head] = replacing(object[head] ?? .null, at: path.dropFirst(), with: new)
        return .object(object)
    }

    @Test func everySeedLoadsAsKerasWroteItAndRuns() throws {
        for list in ["layers", "models"] {
            for seed in Self.seeds[list]!.arrayValue! {
                let className = seed["class_name"]!.stringValue!
                let layer = try deserializeLayer(Self.entry(seed))
                #expect(layer.built, "\(className) is built by its build_config")
                let kerasShapes = seed["weight_shapes"]!.arrayValue!.map { $0.arrayValue!.map { $0.intValue! } }
                #expect(layer.weights.map(\.shape) == kerasShapes, "\(className): weights in Keras's order and shapes")
                let shapes = seed["input_shapes"]!.arrayValue!.map { $0.arrayValue!.map(\.intValue) }
                let dtypes = seed["input_dtypes"]!.arrayValue!.map { DType(rawValue: $0.stringValue!)! }
                _ = try layer.applyChecked(Self.inputs(shapes, dtypes: dtypes, edge: .asBuilt))
            }
        }
        for seed in Self.seeds["text"]!.arrayValue! { _ = try deserializeLayer(seed) }
    }

    @Test func everyKeyOfEveryLayerConfig() {
        for seed in Self.seeds["layers"]!.arrayValue! {
            let entry = Self.entry(seed), className = entry["class_name"]!.stringValue!
            Self.attempt("\(className) as Keras wrote it", entry, seed, edges: Edge.allCases)
            let config = entry["config"]!.objectValue!
            for key in config.keys.sorted() where key != "name" {
                for value in Self.hostile {
                    Self.attempt("\(className) with \(key)=\(value)", Self.replacing(entry, at: ["config", key], with: value), seed,
                                 edges: [.asBuilt, .nan])
                }
            }
        }
    }

    @Test(arguments: ["layers", "models"]) func everyValueInside(_ list: String) {
        let skipped: Set = ["name", "module", "registered_name"]
        for seed in Self.seeds[list]!.arrayValue! {
            let entry = Self.entry(seed), className = entry["class_name"]!.stringValue!
            if list == "models" { Self.attempt("\(className) as Keras wrote it", entry, seed, edges: Edge.allCases) }
            for path in Self.paths(entry) where !skipped.contains(path.last!) {
                for value in Self.nestedHostile {
                    Self.attempt("\(className) with \(path.joined(separator: "."))=\(value)",
                                 Self.replacing(entry, at: path[...], with: value), seed, edges: [.asBuilt])
                }
            }
        }
    }

    /// Texts from outside: none, empty, blank, punctuation only, control characters, mixed
    /// scripts and emoji, one of 5,000 tokens, special tokens.
    static let texts: [[String]] = [[], [""], ["   "], ["the cat"], ["!!!", "the"], ["\u{0}", "\u{FFFF}"], ["é à ñ 中文 😀"],
                                    [String(repeating: "a ", count: 5000)], ["THE CAT SAT ON THE MAT the the"], ["\n\t\r"],
                                    ["[UNK]", "[MASK]", ""]]
    /// Integers from outside for IntegerLookup and Hashing.
    static let integers: [Tensor] = [Tensor([3, 5, -1]), Tensor([[0, 7], [9, 3]]), Tensor.zeros([0], dtype: .int32),
                                     Tensor([1e30, .nan]), Tensor.zeros([2, 0], dtype: .int64)]

    @Test func everyKeyOfEveryTextLayerConfig() {
        let hostile: [ConfigValue] = [-1, 0, 1, .int(1 << 40), .double(.nan), "x", "", true, nil, [], [""], ["a", "a"], [-1], [:],
                                      [1, 2, 3], ["the", "[UNK]"], 2.5]
        for seed in Self.seeds["text"]!.arrayValue! {
            let className = seed["class_name"]!.stringValue!
            var variants: [(String, ConfigValue)] = [("\(className) as Keras wrote it", seed)]
            for key in seed["config"]!.objectValue!.keys.sorted() where key != "name" {
                variants += hostile.map { ("\(className) with \(key)=\($0)", Self.replacing(seed, at: ["config", key], with: $0)) }
            }
            for (label, entry) in variants {
                guard let layer = Self.load(label, entry) else { continue }
                for texts in Self.texts {
                    Self.note("\(label), called on \(texts.map { $0.prefix(12) })")
                    if let vectorizer = layer as? TextVectorization {
                        _ = vectorizer(texts)
                        try? vectorizer.adapt(texts)
                        _ = vectorizer(texts)
                    }
                    if let lookup = layer as? StringLookup {
                        _ = try? lookup(texts)
                        _ = try? lookup(texts.map { [$0] })
                        try? lookup.adapt(texts)
                        _ = try? lookup(texts)
                    }
                    if let hashing = layer as? Hashing {
                        _ = hashing(texts)
                        _ = hashing(texts.map { [$0] })
                    }
                    if let crossing = layer as? HashedCrossing {
                        _ = try? crossing([.strings(texts), .strings(texts)])
                        _ = try? crossing([.strings(texts), .integers(Tensor(texts.indices.map(Float.init)))])
                        _ = try? crossing([.strings(texts)])
                    }
                }
                for x in Self.integers where layer is Discretization {
                    Self.expectNoStop("\(label), called on \(x.shape)") { _ = try layer.callChecked(x) }
                    try? (layer as! Discretization).adapt(x.cast(to: .float32))
                    _ = try? layer.callChecked(x)
                }
                for x in Self.integers where layer is IntegerLookup || layer is Hashing || layer is HashedCrossing {
                    Self.expectNoStop("\(label), called on integers \(x.shape)") { _ = try layer.callChecked(x) }
                    if let lookup = layer as? IntegerLookup {
                        try? lookup.adapt(x)
                        _ = try? lookup.callChecked(x)
                    }
                }
            }
        }
    }
}
