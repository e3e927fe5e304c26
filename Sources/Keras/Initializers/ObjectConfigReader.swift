import KerasCore

/// Reads the arguments of a Keras object from its config dictionary, like Python's
/// `cls(**config)`: typed look-ups with defaults, and an error for keys the class does not take.
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

    private mutating func value(_ key: String) -> ConfigValue? {
        used.insert(key)
        return config[key]
    }

    /// A number (int or float in the JSON).
    mutating func double(_ key: String, default defaultValue: Double) throws -> Double {
        guard let v = value(key), !v.isNull else { return defaultValue }
        guard let d = v.doubleValue else { throw mismatch(key, "a number", v) }
        return d
    }

    /// A non-negative finite number (`validate_float_arg` in Keras).
    mutating func nonNegative(_ key: String, default defaultValue: Double) throws -> Double {
        let d = try double(key, default: defaultValue)
        guard d.isFinite, d >= 0 else { throw mismatch(key, "a non-negative float", .double(d)) }
        return d
    }

    /// A string from `allowed`.
    mutating func string(_ key: String, default defaultValue: String, allowed: [String]) throws -> String {
        guard let v = value(key), !v.isNull else { return defaultValue }
        guard let s = v.stringValue, allowed.contains(s) else {
            throw mismatch(key, "one of \(allowed.map { "\"\($0)\"" }.joined(separator: ", "))", v)
        }
        return s
    }

    /// An integer seed, `null`, or a serialized `SeedGenerator` (`{"config": {"seed": 3}}`).
    mutating func seed() throws -> Int? {
        guard let v = value("seed"), !v.isNull else { return nil }
        if let i = v.intValue { return i }
        if let inner = v["config"]?["seed"], let i = inner.intValue { return i }
        throw mismatch("seed", "an integer or null", v)
    }

    /// An axis given as an int or a list of ints; `nil` when absent or `null`.
    mutating func axes(_ key: String) throws -> (axes: [Int], isList: Bool)? {
        guard let v = value(key), !v.isNull else { return nil }
        if let i = v.intValue { return ([i], false) }
        if let list = v.arrayValue {
            let ints = list.compactMap(\.intValue)
            if ints.count == list.count { return (ints, true) }
        }
        throw mismatch(key, "an integer or a list of integers", v)
    }

    /// Throws for keys that were never read (Python would raise `TypeError: unexpected keyword`).
    func finish() throws {
        let unknown = Set(config.keys).subtracting(used).sorted()
        guard unknown.isEmpty else {
            throw KerasError.invalidConfig("\(className): unexpected config keys \(unknown.map { "\"\($0)\"" }.joined(separator: ", ")); "
                + "accepted keys: \(used.sorted().map { "\"\($0)\"" }.joined(separator: ", "))")
        }
    }

    private func mismatch(_ key: String, _ expected: String, _ received: ConfigValue) -> KerasError {
        KerasError.invalidConfig("\(className): expected \"\(key)\" to be \(expected), received \(received)")
    }
}

/// One family's factories (initializers, regularizers, constraints) by class name and alias:
/// `keras.<family>.get(name)` and deserialization from a config value.
struct ObjectFactoryTable<T>: Sendable {
    typealias Factory = @Sendable (inout ObjectConfigReader) throws -> T
    /// The family in messages: "initializer", "regularizer", "constraint".
    let kind: String
    let factories: [String: Factory]

    /// The object a name stands for, with default arguments; `nil` for unknown names.
    func make(named name: String) -> T? {
        guard let factory = factories[name] else { return nil }
        var reader = ObjectConfigReader(className: name, config: [:])
        return try? factory(&reader)
    }

    /// The object a config value describes: a name or Keras's serialized-object form.
    func deserialize(_ value: ConfigValue) throws -> T {
        let (className, config) = try ObjectConfigReader.split(value, kind: kind)
        guard let factory = factories[className] else {
            throw KerasError.invalidConfig("Unknown \(kind) '\(className)'. Expected one of: "
                + factories.keys.sorted().joined(separator: ", ") + ".")
        }
        var reader = ObjectConfigReader(className: className, config: config)
        let object = try factory(&reader)
        try reader.finish()
        return object
    }
}
