/// A Keras config dictionary (`get_config()`): string keys in insertion order, printed as JSON
/// the way Keras lists them (`{"name": "dense", "trainable": true, ...}`).
///
/// It reads and writes like a Swift dictionary — literals, `config["key"]` get and set,
/// `keys`, `values`, `for (key, value) in config`, `removeValue(forKey:)`, `merge` — and keeps
/// the order keys were first inserted, so printed configs and written JSON files list keys as
/// Keras does. Two configs are equal when they hold the same keys and values in any order.
///
/// ```swift
/// var config: Config = ["name": "dense", "trainable": true]
/// config["units"] = .int(3)
/// print(config)           // {"name": "dense", "trainable": true, "units": 3}
/// config.keys             // ["name", "trainable", "units"]
/// ```
public struct Config: Sendable, Equatable, RandomAccessCollection, ExpressibleByDictionaryLiteral,
    CustomStringConvertible, CustomDebugStringConvertible {
    /// The element type (`Collection`).
    public typealias Element = (key: String, value: ConfigValue)
    /// The index type (`Collection`).
    public typealias Index = Int

    private var storage: [String: ConfigValue] = [:]
    /// The keys in insertion order.
    public private(set) var keys: [String] = []

    /// An empty config.
    public init() {}

    /// A config with the dictionary's entries, keys sorted (a plain dictionary has no order).
    ///
    /// ```swift
    /// let config = Config(["b": 1, "a": 2])   // {"a": 2, "b": 1}
    /// ```
    public init(_ dictionary: [String: ConfigValue]) {
        storage = dictionary
        keys = dictionary.keys.sorted()
    }

    /// A config with the pairs in order; a repeated key keeps its first position and last value.
    ///
    /// ```swift
    /// let config = Config(uniqueKeysWithValues: [("units", .int(3)), ("use_bias", .bool(true))])
    /// ```
    public init<S: Sequence>(uniqueKeysWithValues pairs: S) where S.Element == (String, ConfigValue) {
        for (key, value) in pairs { self[key] = value }
    }

    /// Creates a value from a Swift literal.
    public init(dictionaryLiteral elements: (String, ConfigValue)...) {
        self.init(uniqueKeysWithValues: elements)
    }

    // MARK: Dictionary-style access

    /// The value for `key`; setting `nil` removes the key, setting a new key appends it.
    public subscript(key: String) -> ConfigValue? {
        get { storage[key] }
        set {
            if let newValue { updateValue(newValue, forKey: key) } else { removeValue(forKey: key) }
        }
    }

    /// The value for `key`, or `defaultValue` when absent (a set stores it).
    public subscript(key: String, default defaultValue: @autoclosure () -> ConfigValue) -> ConfigValue {
        get { storage[key] ?? defaultValue() }
        set { updateValue(newValue, forKey: key) }
    }

    /// The values in key order.
    public var values: [ConfigValue] { keys.map { storage[$0]! } }

    /// The entries as a plain (unordered) Swift dictionary.
    public var dictionary: [String: ConfigValue] { storage }

    /// Stores `value` under `key` (appended when new, in place otherwise); returns the old value.
    ///
    /// ```swift
    /// config.updateValue(.int(3), forKey: "units")
    /// ```
    @discardableResult
    public mutating func updateValue(_ value: ConfigValue, forKey key: String) -> ConfigValue? {
        let old = storage.updateValue(value, forKey: key)
        if old == nil { keys.append(key) }
        return old
    }

    /// Removes `key`; returns its value, `nil` when it was absent.
    ///
    /// ```swift
    /// config.removeValue(forKey: "quantization_config")
    /// ```
    @discardableResult
    public mutating func removeValue(forKey key: String) -> ConfigValue? {
        guard let old = storage.removeValue(forKey: key) else { return nil }
        keys.removeAll { $0 == key }
        return old
    }

    /// Adds `other`'s entries in their order; `combine` picks the value for keys in both.
    ///
    /// ```swift
    /// config.merge(optimizerConfig()) { _, new in new }
    /// ```
    public mutating func merge(_ other: Config, uniquingKeysWith combine: (ConfigValue, ConfigValue) throws -> ConfigValue) rethrows {
        for (key, value) in other {
            if let mine = storage[key] { storage[key] = try combine(mine, value) } else { updateValue(value, forKey: key) }
        }
    }

    /// Adds the pairs in order (`zip(keys, values)`); `combine` picks the value for keys already
    /// present.
    public mutating func merge<S: Sequence>(_ other: S, uniquingKeysWith combine: (ConfigValue, ConfigValue) throws -> ConfigValue) rethrows
        where S.Element == (String, ConfigValue) {
        for (key, value) in other {
            if let mine = storage[key] { storage[key] = try combine(mine, value) } else { updateValue(value, forKey: key) }
        }
    }

    /// Adds the entries of a Swift dictionary (in its own order); `combine` picks the value for
    /// keys already present.
    public mutating func merge<S: Sequence>(_ other: S, uniquingKeysWith combine: (ConfigValue, ConfigValue) throws -> ConfigValue) rethrows
        where S.Element == (key: String, value: ConfigValue) {
        try merge(other.lazy.map { ($0.key, $0.value) }, uniquingKeysWith: combine)
    }

    /// A copy with `other` merged in (see `merge(_:uniquingKeysWith:)-swift.method`).
    public func merging(_ other: Config, uniquingKeysWith combine: (ConfigValue, ConfigValue) throws -> ConfigValue) rethrows -> Config {
        var copy = self
        try copy.merge(other, uniquingKeysWith: combine)
        return copy
    }

    /// The same keys in the same order with transformed values.
    ///
    /// ```swift
    /// let cleared = config.mapValues { $0.isNull ? .string("none") : $0 }
    /// ```
    public func mapValues(_ transform: (ConfigValue) throws -> ConfigValue) rethrows -> Config {
        var copy = self
        for key in keys { copy.storage[key] = try transform(storage[key]!) }
        return copy
    }

    /// Transformed values by key, as a plain dictionary (for values that are not config values).
    ///
    /// ```swift
    /// let weights = try config.mapValues { v -> Double in v.doubleValue ?? 1 }   // [String: Double]
    /// ```
    public func mapValues<T>(_ transform: (ConfigValue) throws -> T) rethrows -> [String: T] {
        try storage.mapValues(transform)
    }

    /// The non-`nil` results of `transform` by key (a plain dictionary, as Swift's
    /// `compactMapValues` gives).
    ///
    /// ```swift
    /// let names = config.compactMapValues(\.stringValue)   // ["name": "dense"]
    /// ```
    public func compactMapValues<T>(_ transform: (ConfigValue) throws -> T?) rethrows -> [String: T] {
        try storage.compactMapValues(transform)
    }

    /// The entries `isIncluded` keeps, in order.
    ///
    /// ```swift
    /// let set = config.filter { !$0.value.isNull }
    /// ```
    public func filter(_ isIncluded: (Element) throws -> Bool) rethrows -> Config {
        var kept = Config()
        for entry in self where try isIncluded(entry) { kept.updateValue(entry.value, forKey: entry.key) }
        return kept
    }

    // MARK: Collection

    /// The position of the first element (`Collection`).
    public var startIndex: Int { 0 }
    /// The position after the last element (`Collection`).
    public var endIndex: Int { keys.count }
    /// The element at `position` (`Collection`).
    public subscript(position: Int) -> Element {
        let key = keys[position]
        return (key, storage[key]!)
    }

    // MARK: Equality and printing

    /// Equal when both hold the same keys with equal values, whatever the order.
    public static func == (lhs: Config, rhs: Config) -> Bool { lhs.storage == rhs.storage }

    /// Compact JSON, keys in insertion order.
    public var description: String { ConfigValue.object(self).description }
    /// The same text as `description`.
    public var debugDescription: String { description }
}
