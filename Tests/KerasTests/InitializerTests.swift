import Foundation
@testable import Keras
import KerasTestSupport
import Testing

@Suite("Initializers")
struct InitializerTests {
    /// The Swift initializer for each key of `initializers_values.json`'s "configs".
    static let configCases: [String: any Initializer] = [
        "Zeros": Zeros(),
        "Ones": Ones(),
        "Constant": Constant(),
        "Constant(2.5)": Constant(2.5),
        "RandomNormal": RandomNormal(),
        "RandomNormal(1,2,seed=3)": RandomNormal(mean: 1, stddev: 2, seed: 3),
        "RandomUniform": RandomUniform(),
        "RandomUniform(-1,2,seed=3)": RandomUniform(minval: -1, maxval: 2, seed: 3),
        "TruncatedNormal": TruncatedNormal(),
        "TruncatedNormal(1,2,seed=3)": TruncatedNormal(mean: 1, stddev: 2, seed: 3),
        "VarianceScaling": VarianceScaling(),
        "VarianceScaling(2,fan_out,uniform,seed=3)": VarianceScaling(scale: 2, mode: .fanOut, distribution: .uniform, seed: 3),
        "VarianceScaling(axes)": VarianceScaling(scale: 1, mode: .fanAvg, distribution: .untruncatedNormal,
                                                 inputAxes: [0], outputAxes: [1, 2]),
        "GlorotUniform": GlorotUniform(),
        "GlorotUniform(seed=3)": GlorotUniform(seed: 3),
        "GlorotNormal": GlorotNormal(),
        "HeUniform": HeUniform(),
        "HeNormal(seed=3)": HeNormal(seed: 3),
        "LecunUniform": LecunUniform(),
        "LecunNormal": LecunNormal(),
        "Orthogonal": Orthogonal(),
        "Orthogonal(2,seed=3)": Orthogonal(gain: 2, seed: 3),
        "Identity": IdentityInitializer(),
        "Identity(2)": IdentityInitializer(gain: 2),
    ]

    /// The Swift initializer for each key of the fixture's "stats" (seed 1; Keras used its own seed 1).
    static let statsCases: [String: any Initializer] = [
        "RandomNormal": RandomNormal(seed: 1),
        "RandomUniform": RandomUniform(seed: 1),
        "TruncatedNormal": TruncatedNormal(seed: 1),
        "GlorotUniform": GlorotUniform(seed: 1),
        "GlorotNormal": GlorotNormal(seed: 1),
        "HeUniform": HeUniform(seed: 1),
        "HeNormal": HeNormal(seed: 1),
        "LecunUniform": LecunUniform(seed: 1),
        "LecunNormal": LecunNormal(seed: 1),
        "VarianceScaling(2,fan_out,untruncated_normal)": VarianceScaling(scale: 2, mode: .fanOut,
                                                                         distribution: .untruncatedNormal, seed: 1),
        "Orthogonal": Orthogonal(seed: 1),
    ]

    /// Theoretical bound of each bounded distribution for a 784×128 kernel.
    static let bounds: [String: Double] = [
        "RandomUniform": 0.05,
        "TruncatedNormal": 2 * 0.05,
        "GlorotUniform": (6.0 / (784 + 128)).squareRoot(),
        "GlorotNormal": 2 * (2.0 / (784 + 128)).squareRoot() / 0.87962566103423978,
        "HeUniform": (6.0 / 784).squareRoot(),
        "HeNormal": 2 * (2.0 / 784).squareRoot() / 0.87962566103423978,
        "LecunUniform": (3.0 / 784).squareRoot(),
        "LecunNormal": 2 * (1.0 / 784).squareRoot() / 0.87962566103423978,
    ]

    let fixture: Config

    init() throws { fixture = try fixtureObject("initializers_values.json") }

    /// Keras 3.15.1 stores no config for Identity (its `gain` is lost); ours keeps `{"gain": g}`.
    func expectMatchesKeras(_ ours: ConfigValue, _ keras: ConfigValue, _ label: String) {
        if keras["class_name"] == "Identity" {
            #expect(keras["config"] == .object([:]))
            #expect(ours["config"]?["gain"]?.doubleValue != nil, "\(label)")
            expectConfig(ours["class_name"]!, keras["class_name"]!, label)
            expectConfig(ours["module"]!, keras["module"]!, label)
        } else {
            expectConfig(ours, keras, label)
        }
    }

    @Test func configsMatchKeras() throws {
        let configs = try #require(fixture["configs"]?.objectValue)
        #expect(Set(configs.keys) == Set(Self.configCases.keys))
        for (key, keras) in configs {
            let ours = try #require(Self.configCases[key], "no Swift case for \(key)")
            expectMatchesKeras(ours.serialize(), keras, key)
        }
    }

    @Test func stringAliasesMatchKeras() throws {
        let aliases = try #require(fixture["aliases"]?.objectValue)
        for (name, keras) in aliases {
            let ours = try #require(initializer(named: name), "initializer(named: \"\(name)\")")
            expectMatchesKeras(ours.serialize(), keras, name)
            expectMatchesKeras(try deserializeInitializer(.string(name)).serialize(), keras, name)
        }
        // Keras's get("constant") raises (Constant.from_config needs "value"); we default to 0.
        #expect(initializer(named: "constant")?.getConfig() == ["value": 0.0])
        #expect(initializer(named: "glorot") == nil)
    }

    @Test func deserializingKerasObjectsRoundTrips() throws {
        let configs = try #require(fixture["configs"]?.objectValue)
        for (key, keras) in configs {
            let restored = try deserializeInitializer(keras)
            expectMatchesKeras(restored.serialize(), keras, key)
            let ours = Self.configCases[key]!.serialize()
            #expect(try deserializeInitializer(ours).serialize() == ours, "\(key)")
        }
        // Keras accepts the old "normal" distribution name, stored as truncated normal.
        let legacy: ConfigValue = ["class_name": "VarianceScaling", "config": ["distribution": "normal", "seed": 5]]
        let restored = try deserializeInitializer(legacy)
        #expect(restored.getConfig()["distribution"] == "truncated_normal")
        #expect(restored.getConfig()["seed"] == 5)
    }

    @Test func deserializationErrorsNameTheProblem() {
        func message(_ value: ConfigValue) -> String {
            do { _ = try deserializeInitializer(value); return "no error" } catch { return "\(error)" }
        }
        #expect(message("GlorotUniformm").contains("Unknown initializer 'GlorotUniformm'"))
        #expect(message(["class_name": "Orthogonal", "config": ["gain": 1.0, "scale": 2.0]]).contains("\"scale\""))
        #expect(message(["class_name": "RandomNormal", "config": ["stddev": "wide"]]).contains("\"stddev\""))
        #expect(message(["class_name": "VarianceScaling", "config": ["mode": "fan_sideways"]]).contains("fan_sideways"))
        #expect(message(["config": [:]]).contains("class_name"))
        #expect(message(3).contains("initializer"))
    }

    @Test("samples have Keras's bounds and moments (784×128, seed 1)", arguments: Array(statsCases.keys).sorted())
    func statistics(name: String) throws {
        let keras = try #require(fixture["stats"]?[name])
        let w = Self.statsCases[name]!([784, 128], dtype: .float32)
        #expect(w.shape == [784, 128] && w.dtype == .float32)
        let values = w.doubles
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        let std = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n).squareRoot()
        let kerasStd = keras["std"]!.doubleValue!, kerasMean = keras["mean"]!.doubleValue!
        // Means agree to within sampling error (4 standard errors of both samples), stds within 1.5%.
        #expect(Swift.abs(mean - kerasMean) < 4 * 2.0.squareRoot() * kerasStd / n.squareRoot(), "\(name) mean \(mean) vs \(kerasMean)")
        #expect(Swift.abs(std / kerasStd - 1) < 0.015, "\(name) std \(std) vs Keras \(kerasStd)")
        let maxAbs = values.map(Swift.abs).max()!
        let kerasMaxAbs = Swift.max(-keras["min"]!.doubleValue!, keras["max"]!.doubleValue!)
        if let bound = Self.bounds[name] {
            // Bounded: never past the bound (float32 rounding aside), and reaching close to it like Keras.
            #expect(maxAbs <= bound * (1 + 1e-6), "\(name) max |w| \(maxAbs) > bound \(bound)")
            #expect(kerasMaxAbs <= bound * (1 + 1e-6), "fixture: Keras's \(name) max |w| \(kerasMaxAbs) > bound \(bound)")
            #expect(maxAbs > 0.99 * bound, "\(name) max |w| \(maxAbs) far below bound \(bound)")
        } else {
            // Unbounded normals: the extremes of 100k samples sit around 4–5 σ.
            #expect(maxAbs > 3.5 * std && maxAbs < 6 * std, "\(name) max |w| \(maxAbs), std \(std)")
        }
    }

    @Test func truncatedNormalStaysWithinTwoStddevOfItsMean() {
        let w = TruncatedNormal(mean: 1, stddev: 2, seed: 4)([200, 50], dtype: .float64).doubles
        #expect(w.allSatisfy { Swift.abs($0 - 1) <= 4 })
        #expect(w.min()! < -2.9 && w.max()! > 4.9)
    }

    @Test func seededInitializersAreReproducible() {
        let cases: [(any Initializer, any Initializer)] = [
            (RandomNormal(seed: 7), RandomNormal(seed: 8)), (RandomUniform(seed: 7), RandomUniform(seed: 8)),
            (TruncatedNormal(seed: 7), TruncatedNormal(seed: 8)), (GlorotUniform(seed: 7), GlorotUniform(seed: 8)),
            (HeNormal(seed: 7), HeNormal(seed: 8)), (Orthogonal(seed: 7), Orthogonal(seed: 8)),
        ]
        for (a, b) in cases {
            let first = a([5, 3], dtype: .float32), again = a([5, 3], dtype: .float32), other = b([5, 3], dtype: .float32)
            #expect(first.doubles == again.doubles, "\(type(of: a)) with the same seed")
            #expect(first.doubles != other.doubles, "\(type(of: a)) with different seeds")
        }
    }

    @Test func orthogonalQRMatchesKerasOnFixedMatrices() throws {
        for case let entry? in try #require(fixture["orthogonal"]?.arrayValue).map(\.objectValue) {
            let rows = entry["rows"]!.intValue!, cols = entry["cols"]!.intValue!
            let a = entry["a"]!.arrayValue!.map { $0.doubleValue! }
            var q = Orthogonal.signCorrectedQ(a, rows: Swift.max(rows, cols), cols: Swift.min(rows, cols))
            if rows < cols { q = Orthogonal.transpose(q, rows: cols, cols: rows) }
            assertClose(q, entry["q"]!.arrayValue!.map { $0.doubleValue! }, rtol: 1e-9, atol: 1e-12, "\(rows)×\(cols)")
        }
    }

    @Test(arguments: [[6, 4], [4, 6], [5, 5], [3, 3, 2, 8], [1, 7]])
    func orthogonalHasOrthonormalRowsOrColumns(shape: [Int]) {
        let gain = 2.0
        let w = Orthogonal(gain: gain, seed: 11)(shape, dtype: .float64)
        #expect(w.shape == shape)
        let rows = shape.dropLast().reduce(1, *), cols = shape.last!
        let m = w.reshaped(to: [rows, cols]) / gain
        // Columns orthonormal when rows ≥ cols (QᵀQ = I), rows orthonormal otherwise (QQᵀ = I).
        let gram = rows >= cols ? m.T.matmul(m) : m.matmul(m.T)
        assertClose(gram, Tensor.eye(Swift.min(rows, cols), dtype: .float64), rtol: 0, atol: 1e-12)
    }

    @Test func identityAndConstantMatchKeras() throws {
        let identity = try #require(fixture["identity"])
        let i = IdentityInitializer(gain: identity["gain"]!.doubleValue!)(identity["shape"]!.shapeValue!.map { $0! }, dtype: .float32)
        assertClose(i.doubles, identity["data"]!.arrayValue!.map { $0.doubleValue! })
        let constant = try #require(fixture["constant"])
        let c = Constant(constant["value"]!.doubleValue!)(constant["shape"]!.shapeValue!.map { $0! }, dtype: .float32)
        assertClose(c.doubles, constant["data"]!.arrayValue!.map { $0.doubleValue! })
        #expect(Zeros()([2, 2], dtype: .int32).dtype == .int32)
        #expect(Ones()([3], dtype: .float64).doubles == [1, 1, 1])
    }

    @Test func identityRejectsNon2DShapes() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = IdentityInitializer()([2, 2, 2], dtype: .float32)
        }.map { result in
            let stderr = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(stderr.contains("Identity matrix initializer can only be used for 2D matrices"))
        }
    }

    @Test func fansFollowKerasIncludingExplicitAxes() {
        #expect(computeFans([784, 128]) == (784, 128))
        #expect(computeFans([3, 3, 16, 32]) == (144, 288))
        #expect(computeFans([5]) == (5, 5))
        #expect(computeFans([]) == (1, 1))
        #expect(computeFans([8, 4, 16], inputAxes: [0], outputAxes: [1, -1]) == (8, 64))
        // Only one of the two axis lists: ignored, like Keras.
        #expect(computeFans([8, 4, 16], inputAxes: [0]) == (32, 128))
        let w = VarianceScaling(scale: 1, mode: .fanAvg, distribution: .uniform, seed: 2, inputAxes: [0], outputAxes: [1, 2])(
            [8, 4, 16], dtype: .float64)
        let limit = (3.0 / ((8.0 + 64) / 2)).squareRoot()
        #expect(w.doubles.allSatisfy { Swift.abs($0) <= limit } && w.doubles.map(Swift.abs).max()! > 0.95 * limit)
    }
}
