#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
import Darwin
#endif

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
        // A terminating zero lets strtod stop by itself at the end of the text.
        var text = bytes
        text.append(0)
        return try text.withUnsafeBufferPointer { buffer throws(ServingError) in
            var parser = JSONParser(bytes: buffer, end: buffer.count - 1, maxDepth: maxDepth)
            return try parser.parseDocument()
        }
    }
}

/// The recursive-descent parser behind ``JSONValue/parse(_:maxDepth:)``.
private struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    let end: Int
    let maxDepth: Int
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>, end: Int, maxDepth: Int) {
        self.bytes = bytes
        self.end = end
        self.maxDepth = maxDepth
    }

    mutating func parseDocument() throws(ServingError) -> JSONValue {
        skipWhitespace()
        guard index < end else { throw fail("the request body is empty; expected a JSON object") }
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard index == end else { throw fail("unexpected text after the JSON value") }
        return value
    }

    func fail(_ message: String) -> ServingError {
        .invalidArgument("JSON Parse error: \(message) at offset \(index)")
    }

    mutating func skipWhitespace() {
        while index < end {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int) throws(ServingError) -> JSONValue {
        guard depth < maxDepth else { throw fail("nesting deeper than \(maxDepth) levels") }
        guard index < end else { throw fail("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectWord("null"); return .null
        case UInt8(ascii: "N"), UInt8(ascii: "I"):
            throw fail("NaN and Infinity are not valid JSON numbers")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw fail("unexpected character '\(printable(bytes[index]))'")
        }
    }

    func printable(_ byte: UInt8) -> String {
        (0x20..<0x7F).contains(byte) ? String(UnicodeScalar(byte)) : "\\u{\(String(byte, radix: 16))}"
    }

    mutating func expectWord(_ word: StaticString) throws(ServingError) {
        let count = word.utf8CodeUnitCount
        guard index + count <= end else { throw fail("unexpected end of input") }
        for i in 0..<count where bytes[index + i] != word.utf8Start[i] {
            throw fail("invalid literal")
        }
        index += count
    }

    mutating func parseObject(depth: Int) throws(ServingError) -> JSONValue {
        index += 1
        var members: [(String, JSONValue)] = []
        skipWhitespace()
        if index < end, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard index < end, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a quoted member name") }
            let key = try parseString()
            skipWhitespace()
            guard index < end, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':' after a member name") }
            index += 1
            skipWhitespace()
            members.append((key, try parseValue(depth: depth + 1)))
            skipWhitespace()
            guard index < end else { throw fail("unterminated object") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            throw fail("expected ',' or '}' in an object")
        }
    }

    mutating func parseArray(depth: Int) throws(ServingError) -> JSONValue {
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < end, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            guard index < end else { throw fail("unterminated list") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
            throw fail("expected ',' or ']' in a list")
        }
    }

    mutating func parseString() throws(ServingError) -> String {
        index += 1
        var scalars = String.UnicodeScalarView()
        var runStart = index
        var plain = true   // no escapes so far: the string is one slice of the input
        while index < end {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let result: String
                if plain {
                    result = String(decoding: UnsafeBufferPointer(rebasing: bytes[runStart..<index]), as: UTF8.self)
                } else {
                    scalars.append(contentsOf: String(decoding: UnsafeBufferPointer(rebasing: bytes[runStart..<index]), as: UTF8.self).unicodeScalars)
                    result = String(scalars)
                }
                index += 1
                return result
            }
            if byte < 0x20 { throw fail("control character in a string") }
            if byte == UInt8(ascii: "\\") {
                plain = false
                scalars.append(contentsOf: String(decoding: UnsafeBufferPointer(rebasing: bytes[runStart..<index]), as: UTF8.self).unicodeScalars)
                index += 1
                guard index < end else { break }
                switch bytes[index] {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    var code = try parseHex4()
                    if (0xD800..<0xDC00).contains(code), index + 6 < end,
                       bytes[index + 1] == UInt8(ascii: "\\"), bytes[index + 2] == UInt8(ascii: "u") {
                        index += 2
                        let low = try parseHex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw fail("invalid surrogate pair") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    scalars.append(UnicodeScalar(code) ?? "\u{FFFD}")
                default: throw fail("invalid escape in a string")
                }
                index += 1
                runStart = index
                continue
            }
            index += 1
        }
        throw fail("unterminated string")
    }

    /// Reads the 4 hex digits after `\u` (index on the `u`); leaves index on the last digit.
    mutating func parseHex4() throws(ServingError) -> UInt32 {
        guard index + 4 < end else { throw fail("truncated \\u escape") }
        var code: UInt32 = 0
        for i in 1...4 {
            let c = bytes[index + i]
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
            default: throw fail("invalid \\u escape")
            }
            code = code << 4 | UInt32(digit)
        }
        index += 4
        return code
    }

    /// A number in JSON's grammar; the value is then read by `strtod` (correctly rounded).
    mutating func parseNumber() throws(ServingError) -> Double {
        let start = index
        func isDigit(_ i: Int) -> Bool { i < end && bytes[i] >= UInt8(ascii: "0") && bytes[i] <= UInt8(ascii: "9") }
        if bytes[index] == UInt8(ascii: "-") {
            index += 1
            if index < end, bytes[index] == UInt8(ascii: "I") || bytes[index] == UInt8(ascii: "N") {
                throw fail("NaN and Infinity are not valid JSON numbers")
            }
        }
        guard isDigit(index) else { throw fail("invalid number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if isDigit(index) { throw fail("leading zeros in a number") }
        } else {
            while isDigit(index) { index += 1 }
        }
        if index < end, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard isDigit(index) else { throw fail("invalid number") }
            while isDigit(index) { index += 1 }
        }
        if index < end, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < end, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard isDigit(index) else { throw fail("invalid number") }
            while isDigit(index) { index += 1 }
        }
        let value = bytes.baseAddress!.advanced(by: start).withMemoryRebound(to: CChar.self, capacity: index - start + 1) {
            strtod($0, nil)
        }
        guard value.isFinite else { throw fail("number out of the range of a double") }
        return value
    }
}
