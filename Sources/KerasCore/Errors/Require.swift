/// Stops the program with `message` unless `condition` holds, in release builds too.
///
/// Use it instead of `precondition` for misuse of a non-throwing API in code (an op on
/// incompatible shapes): `precondition` messages are stripped under `-O`, so a user would see only
/// "precondition failure". Outside data (files, configs, training arrays) is never checked this
/// way; it gets a thrown ``KerasError``.
///
/// ```swift
/// require(a.shape == b.shape, "add: shapes differ: \(a.shape) vs \(b.shape)")
/// ```
@inline(__always)
package func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                     file: StaticString = #fileID, line: UInt = #line) {
    if _slowPath(!condition()) { fatalError(message(), file: file, line: line) }
}
