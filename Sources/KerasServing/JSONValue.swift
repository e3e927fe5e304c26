import Keras

/// A parsed JSON document, as the REST API receives it.
///
/// The parser is strict (RFC 8259): `NaN`, `Infinity`, trailing commas, comments and numbers
/// beyond the range of a double are refused with a message saying where, so no request is ever
/// answered from a guess.
///
/// ```swift
/// let body = try JSONValue.parse(Array(#"{"instances": [[1, 2]]}"#.utf8))
/// body["instances"]   // .array([.array([.number(1), .number(2)])])
/// ```
public enum JSONValue: Sendable, Equatable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number.
    case number(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// Members in document order.
    case object([(String, JSONValue)])

    /// Whether the two values are equal.
    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case let (.bool(x), .bool(y)): x == y
        case let (.number(x), .number(y)): x == y
        case let (.string(x), .string(y)): x == y
        case let (.array(x), .array(y)): x == y
        case let (.object(x), .object(y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    /// The member named `key` of an object, else `nil`.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    /// A short name of the value's kind, for error messages.
    var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "a list"
        case .object: "an object"
        }
    }

    /// Parses a complete JSON document (UTF-8 bytes).
    ///
    /// ```swift
    /// let value = try JSONValue.parse(Array("[1, 2.5e3, null]".utf8))
    /// ```
    ///
    /// - Throws: ``ServingError`` (400) naming the byte offset of the first error.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = 64) throws(ServingError) -> JSONValue {
        guard bytes.contains(where: { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }) else {
            throw .invalidArgument("JSON Parse error: the request body is empty; expected a JSON object at offset \(bytes.count)")
        }
        var parser = JSONParser(bytes, maxDepth: maxDepth)
        do {
            return JSONValue(try parser.parseDocument())
        } catch {
            throw .invalidArgument("JSON Parse error: \(error.reason) at offset \(error.offset)")
        }
    }

    /// The value of a parsed document (`.int` and `.double` both become `.number`).
    init(_ value: ConfigValue) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .number(Double(i))
        case .double(let d): self = .number(d)
        case .string(let s): self = .string(s)
        case .array(let a): self = .array(a.map(JSONValue.init))
        case .object(let o): self = .object(o.map { ($0.key, JSONValue($0.value)) })
        }
    }
}
