import Foundation

/// A JSON value: what Keras's `get_config()` dictionaries and `.keras` `config.json` files hold.
///
/// ```swift
/// let config: Config = ["units": 3, "activation": "relu", "use_bias": true, "kernel_regularizer": nil]
/// config["units"]?.intValue   // 3
/// ```
public enum ConfigValue: Sendable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([ConfigValue])
    case object([String: ConfigValue])

    public var intValue: Int? {
        switch self {
        case .int(let i): i
        case .double(let d) where d == d.rounded(): Int(d)
        default: nil
        }
    }
    public var doubleValue: Double? {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }
    public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }
    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    public var arrayValue: [ConfigValue]? { if case .array(let a) = self { a } else { nil } }
    public var objectValue: [String: ConfigValue]? { if case .object(let o) = self { o } else { nil } }
    public var isNull: Bool { self == .null }

    /// A list of optional ints (shapes with `None`).
    public var shapeValue: [Int?]? { arrayValue?.map { $0.intValue } }

    public subscript(key: String) -> ConfigValue? { objectValue?[key] }

    /// Compact JSON with sorted keys.
    public var description: String { jsonString(sortedKeys: true) }

    /// Serializes to JSON text.
    public func jsonString(sortedKeys: Bool = true) -> String {
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
            let keys = sortedKeys ? o.keys.sorted() : Array(o.keys)
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

    /// Parses JSON text (as written by Keras).
    public static func parse(json: String) throws -> ConfigValue {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])
        return from(any: object)
    }

    /// Converts a `JSONSerialization` result.
    public static func from(any: Any) -> ConfigValue {
        switch any {
        case is NSNull: return .null
        case let s as String: return .string(s)
        case let n as NSNumber:
            let type = String(cString: n.objCType)
            if type == "c" { return .bool(n.boolValue) }
            if type == "d" || type == "f" { return .double(n.doubleValue) }
            return .int(n.intValue)
        case let a as [Any]: return .array(a.map(from(any:)))
        case let o as [String: Any]: return .object(o.mapValues(from(any:)))
        default: return .null
        }
    }
}

/// A Keras config dictionary.
public typealias Config = [String: ConfigValue]

extension ConfigValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: ConfigValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, ConfigValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { $1 }))
    }
}

extension ConfigValue {
    /// A shape with `None` for unknown dimensions.
    public init(shape: [Int?]) { self = .array(shape.map { $0.map(ConfigValue.int) ?? .null }) }
    public init(_ value: Int?) { self = value.map(ConfigValue.int) ?? .null }
    public init(_ value: Double?) { self = value.map(ConfigValue.double) ?? .null }
    public init(_ value: String?) { self = value.map(ConfigValue.string) ?? .null }

    /// Keras's serialized-object form: `{"module", "class_name", "config", "registered_name"}`.
    public static func serialized(module: String, className: String, config: Config) -> ConfigValue {
        .object(["module": .string(module), "class_name": .string(className), "config": .object(config), "registered_name": .null])
    }
}
