extension Config {
    /// A copy with `key` set to `value` and placed right after `anchor` (at the end when `anchor`
    /// is absent), so a subclass can add its keys where Keras lists them.
    ///
    /// ```swift
    /// let config: Config = ["units": 2, "use_bias": true]
    /// config.placing("activation", "tanh", after: "units")   // units, activation, use_bias
    /// ```
    func placing(_ key: String, _ value: ConfigValue, after anchor: String) -> Config {
        var pairs = filter { $0.key != key }.map { ($0.key, $0.value) }
        let position = pairs.firstIndex { $0.0 == anchor }.map { $0 + 1 } ?? pairs.count
        pairs.insert((key, value), at: position)
        return Config(uniqueKeysWithValues: pairs)
    }
}
