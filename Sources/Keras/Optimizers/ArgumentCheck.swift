import KerasCore

/// The range checks behind the optimizer and learning-rate-schedule arguments. Each rule is
/// written once, in a throwing `validate` of its type: the initializers run it through
/// ``requireValid(_:file:line:)`` (stopping with the message), the config readers let it throw.
///
/// Numbers must be finite in float32, the precision the updates run in; messages name the owner
/// and the argument as Keras spells it: "SGD: `momentum` must be in [0, 1], received 5.0".
enum ArgumentCheck {
    /// `value` is finite in float32 (`Float(1e300)` is infinite).
    static func finite(_ value: Double, _ argument: String, of owner: String) throws {
        guard Float(value).isFinite else { throw failure(owner, argument, "a finite number", value) }
    }

    /// `value` is finite and ≥ 0.
    static func nonNegative(_ value: Double, _ argument: String, of owner: String) throws {
        guard Float(value).isFinite, value >= 0 else { throw failure(owner, argument, "a finite number ≥ 0", value) }
    }

    /// `value` is finite and > 0.
    static func positive(_ value: Double, _ argument: String, of owner: String) throws {
        guard Float(value).isFinite, value > 0 else { throw failure(owner, argument, "a finite number > 0", value) }
    }

    /// `value` lies in `range` (`0...1`, `0..<1`); NaN never does.
    static func within<R: RangeExpression<Double>>(_ range: R, _ value: Double, _ argument: String,
                                                   of owner: String, _ rangeText: String) throws {
        guard range.contains(value) else { throw failure(owner, argument, "in \(rangeText)", value) }
    }

    /// `value` is an integer ≥ `minimum` (step counts).
    static func atLeast(_ minimum: Int, _ value: Int, _ argument: String, of owner: String) throws {
        guard value >= minimum else {
            throw KerasError.invalidArgument("\(owner): `\(argument)` must be ≥ \(minimum), received \(value)")
        }
    }

    /// `value` is an integer ≤ `maximum`.
    static func atMost(_ maximum: Int, _ value: Int, _ argument: String, of owner: String) throws {
        guard value <= maximum else {
            throw KerasError.invalidArgument("\(owner): `\(argument)` must be ≤ \(maximum), received \(value)")
        }
    }

    /// `value` is finite and ≤ 0 (Ftrl's `learning_rate_power`, Adafactor's `beta_2_decay`).
    static func nonPositive(_ value: Double, _ argument: String, of owner: String) throws {
        guard Float(value).isFinite, value <= 0 else { throw failure(owner, argument, "a finite number ≤ 0", value) }
    }

    /// The Adam family's moment decays and epsilon (Adam, AdamW, Adamax, Nadam): `beta_1`,
    /// `beta_2` in [0, 1) (the bias corrections divide by `1 − βᵗ`), `epsilon` ≥ 0.
    static func moments(beta1: Double, beta2: Double, epsilon: Double, of owner: String) throws {
        try within(0..<1, beta1, "beta_1", of: owner, "[0, 1)")
        try within(0..<1, beta2, "beta_2", of: owner, "[0, 1)")
        try nonNegative(epsilon, "epsilon", of: owner)
    }

    private static func failure(_ owner: String, _ argument: String, _ expected: String, _ value: Double) -> KerasError {
        KerasError.invalidArgument("\(owner): `\(argument)` must be \(expected), received \(value)")
    }
}

/// Runs a config reader, reporting argument errors as config errors (the value came from a file).
func readingConfig<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch KerasError.invalidArgument(let message) {
        throw KerasError.invalidConfig(message)
    }
}

/// Step counts in optimizer and schedule configs: integers within `Int32` (larger counts are not
/// meaningful, and the schedules compute with them in float32).
extension ObjectConfigReader {
    /// A step count, `defaultValue` when absent or `null` (required when `defaultValue` is nil).
    mutating func stepCount(_ key: String, default defaultValue: Int? = nil) throws -> Int {
        let i = try defaultValue.map { try int(key, default: $0) } ?? int(key)
        guard Int32(exactly: i) != nil else { throw mismatch(key, "an integer within Int32", .int(i)) }
        return i
    }

    /// A list of step counts.
    mutating func stepCounts(_ key: String) throws -> [Int] {
        let list = try intList(key)
        if let bad = list.first(where: { Int32(exactly: $0) == nil }) {
            throw mismatch(key, "a list of integers within Int32", .int(bad))
        }
        return list
    }
}
