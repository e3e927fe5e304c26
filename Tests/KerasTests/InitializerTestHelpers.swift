import Foundation
import Keras
import KerasTestSupport
import Testing

/// Helpers shared by the initializer, regularizer and constraint tests.

/// Whether two config values are equal, counting an int and a float with the same value as equal
/// (Keras writes `MaxNorm()`'s default as the int `2`; Swift stores every number as a `Double`).
func configValuesMatch(_ a: ConfigValue, _ b: ConfigValue) -> Bool {
    switch (a, b) {
    case (.int, .double), (.double, .int), (.double, .double), (.int, .int):
        return a.doubleValue == b.doubleValue
    case (.array(let x), .array(let y)):
        return x.count == y.count && zip(x, y).allSatisfy(configValuesMatch)
    case (.object(let x), .object(let y)):
        return x.keys.sorted() == y.keys.sorted() && x.allSatisfy { key, value in configValuesMatch(value, y[key]!) }
    default:
        return a == b
    }
}

/// Records an issue unless `actual` matches `expected` (see ``configValuesMatch(_:_:)``).
func expectConfig(_ actual: ConfigValue, _ expected: ConfigValue, _ label: String,
                  sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(configValuesMatch(actual, expected), "\(label): \(actual) ≠ Keras \(expected)", sourceLocation: sourceLocation)
}

/// A fixture's JSON object as a dictionary of config values.
func fixtureObject(_ name: String) throws -> Config {
    try #require(ConfigValue.from(any: try loadFixture(name)).objectValue)
}
