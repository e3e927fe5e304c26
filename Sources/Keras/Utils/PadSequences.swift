import KerasCore

/// Which end of a sequence padding or truncation applies to.
public enum SequenceEnd: String, Sendable {
    /// The start of the sequence (Keras's default for both).
    case pre
    /// The end of the sequence.
    case post
}

/// Pads (and truncates) integer sequences to one length (`keras.utils.pad_sequences`):
/// the result is `[sequences.count, maxlen]` (default: the longest length), filled with `value`.
/// Defaults follow Keras: pad and truncate at the start (`.pre`), `int32`, value 0.
///
/// ```swift
/// try padSequences([[1, 2, 3], [4, 5], [6]])
/// // [[1, 2, 3], [0, 4, 5], [0, 0, 6]]
/// try padSequences([[1, 2, 3], [4]], maxlen: 2, padding: .post, truncating: .post)
/// // [[1, 2], [4, 0]]
/// ```
///
/// - Throws: `KerasError.invalidArgument` naming the function for a negative `maxlen`, an output
///   past 2³¹ − 1 elements, or a `value` the dtype cannot hold (NaN for an integer dtype);
///   `invalidData` for a sequence element the dtype cannot hold.
public func padSequences(_ sequences: [[Int]], maxlen: Int? = nil, dtype: DType = .int32,
                         padding: SequenceEnd = .pre, truncating: SequenceEnd = .pre,
                         value: Double = 0) throws -> Tensor {
    let length = maxlen ?? (sequences.map(\.count).max() ?? 0)
    guard length >= 0 else { throw KerasError.invalidArgument("padSequences: maxlen must be non-negative, received \(length)") }
    guard boundedElementCount([sequences.count, length]) != nil else {
        throw KerasError.invalidArgument("padSequences: \(sequences.count) sequences × maxlen \(length) would hold more than \(maxWeightElements) elements")
    }
    guard fits(value, in: dtype) else {
        throw KerasError.invalidArgument("padSequences: value \(value) cannot be stored as \(dtype)")
    }
    var out = [Double](repeating: value, count: sequences.count * length)
    for (row, sequence) in sequences.enumerated() where !sequence.isEmpty {
        let kept = sequence.count <= length ? sequence[...]
            : (truncating == .pre ? sequence[(sequence.count - length)...] : sequence[..<length])
        if let bad = kept.first(where: { !fits(Double($0), in: dtype) }) {
            throw KerasError.invalidData("padSequences: sequence \(row) holds \(bad), which cannot be stored as \(dtype)")
        }
        let start = row * length + (padding == .post ? 0 : length - kept.count)
        for (k, v) in kept.enumerated() { out[start + k] = Double(v) }
    }
    return Tensor(shape: [sequences.count, length], doubles: out, dtype: dtype)
}

/// Whether `value` converts to `dtype` without trapping or wrapping.
private func fits(_ value: Double, in dtype: DType) -> Bool {
    switch dtype {
    case .float32, .float64, .bool: true
    case .int32: Int32(exactly: value.rounded(.towardZero)) != nil
    case .int64: Int64(exactly: value.rounded(.towardZero)) != nil
    }
}
