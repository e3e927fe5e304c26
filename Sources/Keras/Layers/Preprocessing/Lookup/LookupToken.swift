import KerasCore

/// A vocabulary entry of an ``IndexLookup``: `String` (``StringLookup``, ``TextVectorization``)
/// or `Int` (``IntegerLookup``).
///
/// ```swift
/// let order = String.sortsBefore("a", "b")   // true: Keras breaks ties between equal counts by this order, larger first
/// ```
public protocol LookupToken: Hashable, Sendable, CustomStringConvertible {
    /// The ascending order Keras sorts equal-count tokens by (bytes for strings, values for integers).
    static func sortsBefore(_ a: Self, _ b: Self) -> Bool
    /// The text hashed into an out-of-vocabulary bucket (integers in decimal, as `tf.strings.as_string`).
    var hashText: String { get }
    /// The token as a config value.
    var configValue: ConfigValue { get }
    /// The token read from a config value (`nil` when it has the wrong type).
    init?(configValue: ConfigValue)
    /// The token read from a line of a vocabulary file (`nil` when it is not one).
    init?(line: String)
}

extension String: LookupToken {
    /// Byte order of the UTF-8 encodings (as Keras compares string tokens).
    public static func sortsBefore(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
    /// The string itself.
    public var hashText: String { self }
    /// The string as a config string.
    public var configValue: ConfigValue { .string(self) }
    /// The string a config value holds (`nil` when it is not a string).
    public init?(configValue: ConfigValue) {
        guard let s = configValue.stringValue else { return nil }
        self = s
    }
    /// The whole line: every line of a vocabulary file is a string token.
    public init?(line: String) { self = line }
}

extension Int: LookupToken {
    /// Numeric order.
    public static func sortsBefore(_ a: Int, _ b: Int) -> Bool { a < b }
    /// The integer in decimal (`-12` for -12).
    public var hashText: String { String(self) }
    /// The integer as a config integer.
    public var configValue: ConfigValue { .int(self) }
    /// The integer a config value holds (`nil` when it is not an integer).
    public init?(configValue: ConfigValue) {
        guard let i = configValue.intValue else { return nil }
        self = i
    }
    /// The integer written on the line (`nil` when the line is not a decimal integer).
    public init?(line: String) {
        guard let i = Int(line) else { return nil }
        self = i
    }
}

/// What a lookup or hashing layer outputs (Keras's `output_mode`).
public enum LookupOutputMode: String, Sendable, CaseIterable {
    /// The index of each token, int64, in the input's shape.
    case int
    /// A one-hot vector per token (a trailing axis of size 1 is replaced).
    case oneHot = "one_hot"
    /// 1 for each index present in a sample (the last axis); a rank-1 input is one sample.
    case multiHot = "multi_hot"
    /// How often each index occurs in a sample.
    case count
    /// Counts weighted by inverse document frequencies.
    case tfIdf = "tf_idf"

    /// The mode named in a Keras config (`"binary"` and `"tf-idf"` are Keras's older spellings).
    static func fromConfig(_ value: ConfigValue?, allowed: [LookupOutputMode] = allCases) throws -> LookupOutputMode {
        guard let value, !value.isNull else { return .int }
        let aliases = ["binary": "multi_hot", "tf-idf": "tf_idf"]
        guard let text = value.stringValue, let mode = LookupOutputMode(rawValue: aliases[text] ?? text), allowed.contains(mode) else {
            throw KerasError.invalidConfig("expected one of \(allowed.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")), received \(value)")
        }
        return mode
    }
}

/// Turns category indices into Keras's encoded outputs (`encode_categorical_inputs`), shared by
/// the lookup layers, ``Hashing`` and ``TextVectorization``. Negative indices (masked tokens)
/// and indices past `depth` add nothing.
enum CategoricalEncoder {
    /// One-hot (`ids` of `shape`) or, for the other modes, one row per sample: a rank-1 `shape`
    /// is a single sample (`(depth,)` out), a rank-2 one is `(batch, depth)`.
    static func encode(_ ids: [Int], shape: [Int], mode: LookupOutputMode, depth: Int, weights: [Double]?,
                       layer: String) throws -> Tensor {
        if mode == .oneHot {
            var outShape = shape
            if outShape.count > 1 && outShape.last == 1 { outShape.removeLast() }
            var values = [Double](repeating: 0, count: ids.count * depth)
            for (i, id) in ids.enumerated() where id >= 0 && id < depth { values[i * depth + id] = 1 }
            return Tensor(shape: outShape + [depth], doubles: values, dtype: .float32)
        }
        switch shape.count {
        case 0, 1:
            return encodeRows([ids], mode: mode, depth: depth, weights: weights).reshaped(to: [depth])
        case 2:
            let width = shape[1]
            let rows = (0..<shape[0]).map { Array(ids[($0 * width)..<(($0 + 1) * width)]) }
            return encodeRows(rows, mode: mode, depth: depth, weights: weights)
        default:
            throw KerasError.invalidArgument("\(layer): \(mode.rawValue) encoding takes inputs of rank 1 or 2, received shape \(formatShape(shape))")
        }
    }

    /// `(rows, depth)`: each row of indices (rows may differ in length) encoded as multi-hot,
    /// counts, or counts times `weights` (`tf_idf`).
    static func encodeRows(_ rows: [[Int]], mode: LookupOutputMode, depth: Int, weights: [Double]?) -> Tensor {
        var values = [Double](repeating: 0, count: rows.count * depth)
        for (r, row) in rows.enumerated() {
            for id in row where id >= 0 && id < depth {
                if mode == .multiHot { values[r * depth + id] = 1 } else { values[r * depth + id] += 1 }
            }
            if mode == .tfIdf, let weights {
                for j in 0..<Swift.min(depth, weights.count) { values[r * depth + j] *= weights[j] }
            }
        }
        return Tensor(shape: [rows.count, depth], doubles: values, dtype: .float32)
    }
}
