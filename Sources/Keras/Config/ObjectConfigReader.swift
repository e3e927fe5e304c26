import KerasCore

/// Reads the arguments of a Keras object from its config dictionary, like Python's
/// `cls(**config)`: typed look-ups with defaults, and errors (`KerasError.invalidConfig`) that
/// name the class, the key, what was expected and what was received.
struct ObjectConfigReader {
    /// The class being read, for error messages (`"MaxNorm"`).
    let className: String
    let config: Config
    private var used: Set<String> = []

    init(className: String, config: Config) {
        self.className = className
        self.config = config
    }

    /// `(class_name, config)` from a string name or a serialized object
    /// `{"module", "class_name", "config", "registered_name"}`; `kind` names the family in errors.
    static func split(_ value: ConfigValue, kind: String) throws -> (className: String, config: Config) {
        switch value {
        case .string(let name):
            return (name, [:])
        case .object(let object):
            guard case .string(let name)? = object["class_name"] else {
                throw KerasError.invalidConfig("Could not interpret \(kind) identifier: expected a \"class_name\" string, received \(value)")
            }
            switch object["config"] {
            case nil, .null?: return (name, [:])
            case .object(let config)?: return (name, config)
            case let other?:
                throw KerasError.invalidConfig("\(kind) '\(name)': expected \"config\" to be an object, received \(other)")
            }
        default:
            throw KerasError.invalidConfig("Could not interpret \(kind) identifier: expected a string or an object, received \(value)")
        }
    }

    /// The raw value of `key` (`nil` when absent), marking the key as read.
    mutating func value(_ key: String) -> ConfigValue? {
        used.insert(key)
        return config[key]
    }

    /// The raw value of `key`, or `nil` when it is absent or `null`, marking the key as read.
    mutating func present(_ key: String) -> ConfigValue? {
        guard let v = value(key), !v.isNull else { return nil }
        return v
    }

    // MARK: Numbers

    /// A number (int or float in the JSON).
    mutating func double(_ key: String, default defaultValue: Double) throws -> Double {
        try optionalDouble(key) ?? defaultValue
    }

    /// A required number.
    mutating func double(_ key: String) throws -> Double {
        guard let d = try optionalDouble(key) else { throw mismatch(key, "a number", .null, absent: config[key] == nil) }
        return d
    }

    /// A list of numbers.
    mutating func doubleList(_ key: String) throws -> [Double] {
        guard let v = present(key) else { throw mismatch(key, "a list of numbers", config[key] ?? .null, absent: config[key] == nil) }
        guard let numbers = v.arrayValue?.map(\.doubleValue), !numbers.contains(nil) else { throw mismatch(key, "a list of numbers", v) }
        return numbers.map { $0! }
    }

    /// A number, or `nil` when absent or `null`.
    mutating func optionalDouble(_ key: String) throws -> Double? {
        guard let v = present(key) else { return nil }
        guard let d = v.doubleValue else { throw mismatch(key, "a number", v) }
        return d
    }

    /// A non-negative finite number (`validate_float_arg` in Keras).
    mutating func nonNegative(_ key: String, default defaultValue: Double) throws -> Double {
        let d = try double(key, default: defaultValue)
        guard d.isFinite, d >= 0 else { throw mismatch(key, "a non-negative float", .double(d)) }
        return d
    }

    /// A required integer (a JSON int, or a float with an integral value that fits an `Int`).
    mutating func int(_ key: String) throws -> Int {
        guard let v = present(key) else { throw mismatch(key, "an integer", config[key] ?? .null, absent: config[key] == nil) }
        guard let i = v.intValue else { throw mismatch(key, "an integer", v) }
        return i
    }

    /// An integer, `defaultValue` when absent or `null`.
    mutating func int(_ key: String, default defaultValue: Int) throws -> Int {
        try optionalInt(key) ?? defaultValue
    }

    /// An integer, or `nil` when absent or `null`.
    mutating func optionalInt(_ key: String) throws -> Int? {
        guard let v = present(key) else { return nil }
        guard let i = v.intValue else { throw mismatch(key, "an integer", v) }
        return i
    }

    /// A required list of integers.
    mutating func intList(_ key: String) throws -> [Int] {
        guard let v = present(key) else { throw mismatch(key, "a list of integers", config[key] ?? .null, absent: config[key] == nil) }
        guard let ints = v.arrayValue?.map(\.intValue), !ints.contains(nil) else { throw mismatch(key, "a list of integers", v) }
        return ints.map { $0! }
    }

    /// A list of integers, or `nil` when absent or `null`.
    mutating func optionalIntList(_ key: String) throws -> [Int]? {
        guard present(key) != nil else { return nil }
        return try intList(key)
    }

    /// A shape: a list of non-negative integers or `null`s (unknown sizes), or `nil` when absent
    /// or `null`.
    mutating func optionalShape(_ key: String) throws -> [Int?]? {
        guard let v = present(key) else { return nil }
        guard let shape = try? ConfigValue.shape(v) else {
            throw mismatch(key, "a shape (a list of non-negative integers or nulls)", v)
        }
        return shape
    }

    /// An integer seed, `null`, or a serialized `SeedGenerator` (`{"config": {"seed": 3}}`).
    mutating func seed() throws -> Int? {
        guard let v = present("seed") else { return nil }
        if let i = v.intValue { return i }
        if let inner = v["config"]?["seed"], let i = inner.intValue { return i }
        throw mismatch("seed", "an integer or null", v)
    }

    /// An axis given as an int or a list of ints; `nil` when absent or `null`.
    mutating func axes(_ key: String) throws -> (axes: [Int], isList: Bool)? {
        guard let v = present(key) else { return nil }
        if let i = v.intValue { return ([i], false) }
        if let list = v.arrayValue {
            let ints = list.compactMap(\.intValue)
            if ints.count == list.count { return (ints, true) }
        }
        throw mismatch(key, "an integer or a list of integers", v)
    }

    // MARK: Other values

    /// A boolean, `defaultValue` when absent or `null`.
    mutating func bool(_ key: String, default defaultValue: Bool) throws -> Bool {
        guard let v = present(key) else { return defaultValue }
        guard let b = v.boolValue else { throw mismatch(key, "a boolean", v) }
        return b
    }

    /// A string, or `nil` when absent or `null`.
    mutating func optionalString(_ key: String) throws -> String? {
        guard let v = present(key) else { return nil }
        guard let s = v.stringValue else { throw mismatch(key, "a string", v) }
        return s
    }

    /// A string from `allowed`.
    mutating func string(_ key: String, default defaultValue: String, allowed: [String]) throws -> String {
        guard let v = present(key) else { return defaultValue }
        guard let s = v.stringValue, allowed.contains(s) else {
            throw mismatch(key, "one of \(allowed.map { "\"\($0)\"" }.joined(separator: ", "))", v)
        }
        return s
    }

    /// A `RawRepresentable` value spelled by its raw string, `defaultValue` when absent or `null`.
    mutating func choice<E: RawRepresentable>(_ key: String, default defaultValue: E, allowed: [E]) throws -> E
        where E.RawValue == String {
        guard let raw = try optionalChoice(key, allowed: allowed) else { return defaultValue }
        return raw
    }

    /// A `RawRepresentable` value spelled by its raw string, or `nil` when absent or `null`.
    mutating func optionalChoice<E: RawRepresentable>(_ key: String, allowed: [E]) throws -> E? where E.RawValue == String {
        guard let v = present(key) else { return nil }
        guard let s = v.stringValue, let e = E(rawValue: s), allowed.contains(where: { $0.rawValue == s }) else {
            throw mismatch(key, "one of \(allowed.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))", v)
        }
        return e
    }

    /// A nested value read by `read` (a deserializer), its errors prefixed with this class and key.
    mutating func nested<T>(_ key: String, _ read: (ConfigValue?) throws -> T) throws -> T {
        do { return try read(value(key)) } catch let KerasError.invalidConfig(message) {
            throw KerasError.invalidConfig("\(className): \"\(key)\": \(message)")
        }
    }

    // MARK: Layers

    /// The keys every layer takes: `name`, `trainable` and `dtype` (a policy object or a name).
    mutating func layerBase() throws -> (name: String?, trainable: Bool, dtype: DType) {
        let name = try optionalString("name")
        let trainable = try bool("trainable", default: true)
        guard let v = present("dtype") else { return (name, trainable, .float32) }
        guard let dtypeName = v.stringValue ?? v["config"]?["name"]?.stringValue, let dtype = DType(rawValue: dtypeName) else {
            throw mismatch("dtype", "one of \(DType.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")) or a DTypePolicy", v)
        }
        return (name, trainable, dtype)
    }

    /// Runs a shared argument check (`Dense.validate(units:)`), turning its
    /// `KerasError.invalidArgument` into `invalidConfig` naming this class.
    func validated<T>(_ check: () throws -> T) throws -> T {
        do { return try check() } catch let KerasError.invalidArgument(message) {
            throw KerasError.invalidConfig("\(className) config: \(message)")
        }
    }

    /// Marks every key as read, for factories that take the whole config (custom classes).
    mutating func acceptAllKeys() { used.formUnion(config.keys) }

    /// Throws for keys that were never read (Python would raise `TypeError: unexpected keyword`).
    func finish() throws {
        let unknown = Set(config.keys).subtracting(used).sorted()
        guard unknown.isEmpty else {
            throw KerasError.invalidConfig("\(className): unexpected config keys \(unknown.map { "\"\($0)\"" }.joined(separator: ", ")); "
                + "accepted keys: \(used.sorted().map { "\"\($0)\"" }.joined(separator: ", "))")
        }
    }

    /// The error for `key` holding `received` where `expected` was needed.
    func mismatch(_ key: String, _ expected: String, _ received: ConfigValue, absent: Bool = false) -> KerasError {
        KerasError.invalidConfig("\(className): expected \"\(key)\" to be \(expected), received \(absent ? "nothing" : received.description)")
    }
}

extension ConfigValue {
    /// A shape from a config value: a list of non-negative ints or `null`s.
    static func shape(_ value: ConfigValue) throws -> [Int?] {
        guard let list = value.arrayValue else { throw KerasError.invalidConfig("expected a shape, received \(value)") }
        return try list.map { dim in
            if dim.isNull { return nil }
            guard let d = dim.intValue, d >= 0 else {
                throw KerasError.invalidConfig("expected a shape of non-negative integers or nulls, received \(value)")
            }
            return d
        }
    }
}
