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
/// padSequences([[1, 2, 3], [4, 5], [6]])
/// // [[1, 2, 3], [0, 4, 5], [0, 0, 6]]
/// padSequences([[1, 2, 3], [4]], maxlen: 2, padding: .post, truncating: .post)
/// // [[1, 2], [4, 0]]
/// ```
public func padSequences(_ sequences: [[Int]], maxlen: Int? = nil, dtype: DType = .int32,
                         padding: SequenceEnd = .pre, truncating: SequenceEnd = .pre,
                         value: Double = 0) -> Tensor {
    let length = maxlen ?? (sequences.map(\.count).max() ?? 0)
    precondition(length >= 0, "padSequences: maxlen must be non-negative, got \(length)")
    var out = [Double](repeating: value, count: sequences.count * length)
    for (row, sequence) in sequences.enumerated() where !sequence.isEmpty {
        let kept = sequence.count <= length ? sequence[...]
            : (truncating == .pre ? sequence[(sequence.count - length)...] : sequence[..<length])
        let start = row * length + (padding == .post ? 0 : length - kept.count)
        for (k, v) in kept.enumerated() { out[start + k] = Double(v) }
    }
    return Tensor(shape: [sequences.count, length], doubles: out, dtype: dtype)
}
