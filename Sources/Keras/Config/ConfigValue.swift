import Foundation

/// A JSON value: what Keras's `get_config()` dictionaries and `.keras` `config.json` files hold.
///
/// ```swift
/// let config: Config = ["units": 3, "activation": "relu", "use_bias": true, "kernel_regularizer": nil]
/// config["units"]?.intValue   // 3
/// ```
public enum ConfigValue: Sendable, Equatable, CustomStringConvertible {
    /// JSON `null` (Python `None`).
    case null
    /// A boolean.
    case bool(Bool)
    /// An integer.
    case int(Int)
    /// A floating-point number.
    case double(Double)
    /// A string.
    case string(String)
    /// A list (Python lists and tuples).
    case array([ConfigValue])
    /// A nested dictionary, keys in their order.
    case object(Config)

    /// The value as an `Int`: an int, or a float with an integral value that fits (`3.0`, not
    /// `3.5`, `1e300` or NaN); `nil` otherwise.
    public var intValue: Int? {
        switch self {
        case .int(let i): i
        case .double(let d): Int(exactly: d)
        default: nil
        }
    }
    /// The number as a `Double` (integers too), or `nil`.
    public var doubleValue: Double? {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }
    /// The boolean, or `nil` for any other case.
    public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }
    /// The string, or `nil` for any other case.
    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    /// The list, or `nil` for any other case.
    public var arrayValue: [ConfigValue]? { if case .array(let a) = self { a } else { nil } }
    /// The dictionary, or `nil` for any other case.
    public var objectValue: Config? { if case .object(let o) = self { o } else { nil } }
    /// Whether this is `null`.
    public var isNull: Bool { self == .null }

    /// A list of optional ints (shapes with `None`); `nil` unless every entry is an int or `null`.
    public var shapeValue: [Int?]? {
        guard let list = arrayValue else { return nil }
        var shape: [Int?] = []
        for entry in list {
            if entry.isNull { shape.append(nil) } else if let i = entry.intValue { shape.append(i) } else { return nil }
        }
        return shape
    }

    /// The value at `key` of a dictionary; `nil` for a missing key or a value that is not a dictionary.
    public subscript(key: String) -> ConfigValue? { objectValue?[key] }

    /// Compact JSON, object keys in insertion order (`{"name": "dense", "trainable": true}`).
    public var description: String { jsonString() }

    /// Serializes to JSON text, object keys in insertion order unless `sortedKeys` is set.
    ///
    /// ```swift
    /// ConfigValue.object(["b": 1, "a": 2]).jsonString()                   // {"b": 1, "a": 2}
    /// ConfigValue.object(["b": 1, "a": 2]).jsonString(sortedKeys: true)   // {"a": 2, "b": 1}
    /// ```
    public func jsonString(sortedKeys: Bool = false) -> String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d):
            if d.isNaN { return "NaN" }
            if d.isInfinite { return d > 0 ? "Infinity" : "-Infinity" }
            return d == d.rounded() && Swift.abs(d) < 1e16 ? String(format: "%.1f", d) : "\(d)"
        case .string(let s): return Self.quote(s)
        case .array(let a): return "[" + a.map { $0.jsonString(sortedKeys: sortedKeys) }.joined(separator: ", ") + "]"
        case .object(let o):
            let keys = sortedKeys ? o.keys.sorted() : o.keys
            return "{" + keys.map { Self.quote($0) + ": " + o[$0]!.jsonString(sortedKeys: sortedKeys) }.joined(separator: ", ") + "}"
        }
    }

    private static func quote(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if c.value < 0x20 { out += String(format: "\\u%04x", c.value) } else { out.unicodeScalars.append(c) }
            }
        }
        return out + "\""
    }

    /// Parses JSON text (as written by Keras), keeping object keys in file order.
    ///
    /// ```swift
    /// let config = try ConfigValue.parse(json: #"{"units": 3, "activation": "relu"}"#)
    /// config.objectValue?.keys   // ["units", "activation"]
    /// ```
    ///
    /// - Throws: `KerasError.invalidConfig` for text that is not JSON (the message names the byte
    ///   offset), numbers too large for a double, or nesting deeper than 512 levels.
    public static func parse(json: String) throws -> ConfigValue {
        var parser = JSONParser(json)
        do {
            return try parser.parseDocument()
        } catch {
            throw KerasError.invalidConfig("Invalid JSON config (\(json.utf8.count) bytes): \(error.reason) at byte \(error.offset)")
        }
    }

    /// Converts a `JSONSerialization` result (object keys sorted: a Foundation dictionary has no
    /// order; ``parse(json:)`` keeps the file's order).
    public static func from(any: Any) -> ConfigValue {
        switch any {
        case is NSNull: return .null
        case let s as String: return .string(s)
        case let n as NSNumber:
            let type = String(cString: n.objCType)
            if type == "c" { return .bool(n.boolValue) }
            if type == "d" || type == "f" { return .double(n.doubleValue) }
            // An unsigned integer past Int.max keeps its magnitude as a double instead of wrapping.
            if type == "Q" && n.uint64Value > UInt64(Int.max) { return .double(n.doubleValue) }
            return .int(n.intValue)
        case let a as [Any]: return .array(a.map(from(any:)))
        case let o as [String: Any]: return .object(Config(o.mapValues(from(any:))))
        default: return .null
        }
    }
}

extension ConfigValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    /// `null`, from the `nil` literal.
    public init(nilLiteral: ()) { self = .null }
    /// Creates a value from a Swift literal.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// Creates a value from a Swift literal.
    public init(integerLiteral value: Int) { self = .int(value) }
    /// Creates a value from a Swift literal.
    public init(floatLiteral value: Double) { self = .double(value) }
    /// Creates a value from a Swift literal.
    public init(stringLiteral value: String) { self = .string(value) }
    /// Creates a value from a Swift literal.
    public init(arrayLiteral elements: ConfigValue...) { self = .array(elements) }
    /// Creates a value from a Swift literal.
    public init(dictionaryLiteral elements: (String, ConfigValue)...) {
        self = .object(Config(uniqueKeysWithValues: elements))
    }
}

extension ConfigValue {
    /// A shape with `None` for unknown dimensions.
    public init(shape: [Int?]) { self = .array(shape.map { $0.map(ConfigValue.int) ?? .null }) }
    /// The integer, or `null` for `nil`.
    public init(_ value: Int?) { self = value.map(ConfigValue.int) ?? .null }
    /// The number, or `null` for `nil`.
    public init(_ value: Double?) { self = value.map(ConfigValue.double) ?? .null }
    /// The string, or `null` for `nil`.
    public init(_ value: String?) { self = value.map(ConfigValue.string) ?? .null }

    /// Keras's serialized-object form: `{"module", "class_name", "config", "registered_name"}`.
    public static func serialized(module: String, className: String, config: Config) -> ConfigValue {
        .object(["module": .string(module), "class_name": .string(className), "config": .object(config), "registered_name": .null])
    }
}
