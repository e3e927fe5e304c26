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

/// The reads optimizer and schedule configs need beyond `ObjectConfigReader`'s own.
extension ObjectConfigReader {
    /// The value of `key` (`nil` when absent or `null`), recorded as read.
    private mutating func entry(_ key: String) -> ConfigValue? {
        _ = try? double(key, default: 0)   // the reader's only way to record a key as read
        guard let value = config[key], !value.isNull else { return nil }
        return value
    }

    /// A boolean option.
    mutating func flag(_ key: String, default defaultValue: Bool = false) throws -> Bool {
        guard let value = entry(key) else { return defaultValue }
        guard let b = value.boolValue else { throw mismatch(key, "true or false", value) }
        return b
    }

    /// A number that may be `null`.
    mutating func optionalNumber(_ key: String) throws -> Double? {
        guard let value = entry(key) else { return nil }
        guard let d = value.doubleValue else { throw mismatch(key, "a number or null", value) }
        return d
    }

    /// A number that must be present.
    mutating func requiredNumber(_ key: String) throws -> Double {
        guard let d = try optionalNumber(key) else { throw mismatch(key, "a number", config[key] ?? .null) }
        return d
    }

    /// An integer written as an int or a whole float (`10`, `10.0`), within `Int32`.
    mutating func wholeNumber(_ key: String, default defaultValue: Int? = nil) throws -> Int {
        guard let value = entry(key) else {
            if let defaultValue { return defaultValue }
            throw mismatch(key, "an integer", config[key] ?? .null)
        }
        guard let i = Self.integer(value) else { throw mismatch(key, "an integer", value) }
        return i
    }

    /// A list of integers.
    mutating func wholeNumbers(_ key: String) throws -> [Int] {
        let value = entry(key) ?? .null
        guard let list = value.arrayValue, case let ints = list.compactMap(Self.integer), ints.count == list.count else {
            throw mismatch(key, "a list of integers", value)
        }
        return ints
    }

    /// A list of numbers.
    mutating func numbers(_ key: String) throws -> [Double] {
        let value = entry(key) ?? .null
        guard let list = value.arrayValue, case let numbers = list.compactMap(\.doubleValue), numbers.count == list.count else {
            throw mismatch(key, "a list of numbers", value)
        }
        return numbers
    }

    /// A string (an object's `name`).
    mutating func text(_ key: String, default defaultValue: String) throws -> String {
        guard let value = entry(key) else { return defaultValue }
        guard let s = value.stringValue else { throw mismatch(key, "a string", value) }
        return s
    }

    /// The raw value of `key` (`nil` when absent or `null`), for values with their own reader.
    mutating func nested(_ key: String) -> ConfigValue? { entry(key) }

    /// `value` as an `Int` when it is a whole number within `Int32` (larger step counts are
    /// not meaningful, and converting them could trap).
    private static func integer(_ value: ConfigValue) -> Int? {
        let range = Double(Int32.min)...Double(Int32.max)
        if case .int(let i) = value { return range.contains(Double(i)) ? i : nil }
        guard let d = value.doubleValue, range.contains(d), d == d.rounded() else { return nil }
        return Int(d)
    }

    private func mismatch(_ key: String, _ expected: String, _ received: ConfigValue) -> KerasError {
        KerasError.invalidConfig("\(className): expected \"\(key)\" to be \(expected), received \(received)")
    }
}
