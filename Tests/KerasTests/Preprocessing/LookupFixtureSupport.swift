import Foundation
import Keras
import KerasTestSupport

/// `lookup_layers.json`, written by `Tests/Fixtures/preprocessing_lookup_generate.py` from Keras 3.
enum LookupFixture {
    static func root() throws -> [String: Any] { try loadFixture("lookup_layers.json") as! [String: Any] }

    static func cases(_ key: String) -> [[String: Any]] { ((try? root())?[key] as? [[String: Any]]) ?? [] }

    static func names(_ key: String) -> [String] { cases(key).compactMap { $0["name"] as? String } }

    static func named(_ key: String, _ name: String) throws -> [String: Any] {
        try (root()[key] as! [[String: Any]]).first { $0["name"] as? String == name }!
    }

    static func config(_ kase: [String: Any]) -> Config { ConfigValue.from(any: kase["kwargs"]!).objectValue! }

    static func numbers(_ any: Any?) -> [Double] { flattenNumbers(any!) }

    static func shape(_ any: Any?) -> [Int] { (any as! [Any]).map { ($0 as! NSNumber).intValue } }

    /// A tensor of `values` with `shape` in `dtype`.
    static func tensor(_ values: [Double], _ shape: [Int], _ dtype: DType = .float32) -> Tensor {
        Tensor(shape: shape, doubles: values, dtype: dtype)
    }
}
