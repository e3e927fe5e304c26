import Foundation
import Keras
import KerasTestSupport

/// The `models` and summary goldens written by `Tests/Fixtures/layers_generate.py`.
enum ModelFixtures {
    static let models: Config = {
        let root = try! loadFixture("layers_numerics.json") as! [String: Any]
        return ConfigValue.from(any: root["models"]!).objectValue!
    }()

    static let summaryFile: Config =
        ConfigValue.from(any: try! loadFixture("summary_goldens.json")).objectValue!
    static let summaries: [String: String] = summaryFile.compactMapValues(\.stringValue)

    static func tensor(_ value: ConfigValue) -> Tensor {
        let shape = value["shape"]!.arrayValue!.map { $0.intValue! }
        func flatten(_ v: ConfigValue) -> [Double] { v.arrayValue.map { $0.flatMap(flatten) } ?? [v.doubleValue!] }
        return Tensor(shape: shape, doubles: flatten(value["data"]!), dtype: .float32)
    }

    static func weights(_ model: String) -> [Tensor] { models[model]!["weights"]!.arrayValue!.map(tensor) }
}

/// What `model.summary()` prints, as a string.
func summaryText(_ model: Model, lineLength: Int? = nil) -> String {
    var text = ""
    model.summary(lineLength: lineLength) { text += $0 }
    return text
}
