import Foundation

/// Keras's automatic layer names: `snake_case(ClassName)` made unique with a counter
/// (`dense`, `dense_1`, `dense_2`, …).
///
/// Counters live in a ``NameScope``. By default the process-wide scope is used (lock-protected,
/// so layers may be created from parallel tasks); ``withNameScope(_:)`` runs code with a fresh,
/// task-local scope so names are deterministic, as after Keras's `clear_session()`:
///
/// ```swift
/// let names = withNameScope { [Dense(2).name, Dense(2).name] }   // ["dense", "dense_1"]
/// ```
public final class NameScope: @unchecked Sendable {
    private let lock = NSLock()
    private var counters: [String: Int] = [:]

    /// A name scope with no names used yet.
    public init() {}

    /// The process-wide scope.
    public static let global = NameScope()
    @TaskLocal static var current: NameScope?

    /// `prefix` the first time, then `prefix_1`, `prefix_2`, …
    public func uniqueName(_ prefix: String) -> String {
        lock.lock()
        defer { lock.unlock() }
        let uid = (counters[prefix] ?? 0) + 1
        counters[prefix] = uid
        return uid == 1 ? prefix : "\(prefix)_\(uid - 1)"
    }
}

/// Runs `body` with fresh automatic-name counters (Keras's `clear_session()` for names), scoped
/// to the current task so parallel tests do not interfere.
public func withNameScope<R>(_ body: () throws -> R) rethrows -> R {
    try NameScope.$current.withValue(NameScope(), operation: body)
}

/// A unique automatic name for `prefix` in the current name scope.
public func uniqueLayerName(_ prefix: String) -> String {
    (NameScope.current ?? NameScope.global).uniqueName(prefix)
}

/// Keras's `to_snake_case`: `"Dense"` → `"dense"`, `"ReLU"` → `"re_lu"`, `"PReLU"` → `"p_re_lu"`.
public func toSnakeCase(_ name: String) -> String {
    var chars = Array(name.filter { $0.isLetter || $0.isNumber || $0 == "_" })
    // (.)([A-Z][a-z]+) → \1_\2
    var out: [Character] = []
    var i = 0
    while i < chars.count {
        if i > 0, chars[i].isUppercase, i + 1 < chars.count, chars[i + 1].isLowercase, out.last != nil {
            out.append("_")
            out.append(chars[i])
            i += 1
            while i < chars.count, chars[i].isLowercase { out.append(chars[i]); i += 1 }
            continue
        }
        out.append(chars[i])
        i += 1
    }
    chars = out
    // ([a-z])([A-Z]) → \1_\2
    out = []
    for (j, c) in chars.enumerated() {
        if j > 0, chars[j - 1].isLowercase, c.isUppercase { out.append("_") }
        out.append(c)
    }
    return String(out).lowercased()
}
