import KerasCore
import Synchronization

/// The one registry mechanism for every family of serializable objects (initializers,
/// regularizers, constraints, losses, metrics, layers, optimizers): factories by class name and
/// alias, Keras's `<family>.get(name)` and deserialization from a config value, plus classes
/// registered at run time (Keras's `register_keras_serializable`).
///
/// A factory reads its arguments through an ``ObjectConfigReader``; after it returns, keys it
/// never read are rejected (unless the table was made with `rejectsUnknownKeys: false`), as
/// Python rejects unexpected keyword arguments.
final class ObjectFactoryTable<T>: Sendable {
    typealias Factory = @Sendable (inout ObjectConfigReader) throws -> T
    /// The family in messages: "initializer", "regularizer", "constraint", "loss", "layer".
    let kind: String
    /// The built-in classes by class name and alias.
    let factories: [String: Factory]
    private let rejectsUnknownKeys: Bool
    private let custom = Mutex<[String: Factory]>([:])

    init(kind: String, factories: [String: Factory], rejectsUnknownKeys: Bool = true) {
        self.kind = kind
        self.factories = factories
        self.rejectsUnknownKeys = rejectsUnknownKeys
    }

    /// Makes `className` loadable, replacing an earlier registration of that name (custom
    /// classes win over built-ins, as in Keras).
    func register(_ className: String, _ factory: @escaping Factory) {
        custom.withLock { $0[className] = factory }
    }

    /// The factory for `name`: the custom objects of the load in progress first (see
    /// ``CustomObjects``), then a registered class, then a built-in.
    func factory(named name: String) -> Factory? {
        CustomObjects.current?.factory(kind: kind, name: name) as? Factory ?? custom.withLock { $0[name] } ?? factories[name]
    }

    /// The object a name stands for, with default arguments; `nil` for unknown names.
    func make(named name: String) -> T? {
        guard let factory = factory(named: name) else { return nil }
        var reader = ObjectConfigReader(className: name, config: [:])
        return try? factory(&reader)
    }

    /// The object a config value describes: a name or Keras's serialized-object form.
    func deserialize(_ value: ConfigValue) throws -> T {
        let (className, config) = try ObjectConfigReader.split(value, kind: kind)
        return try make(className: className, config: config)
    }

    /// The object of class `className` made from `config`.
    func make(className: String, config: Config) throws -> T {
        guard let factory = factory(named: className) else {
            let known = Set(factories.keys).union(custom.withLock { $0.keys })
            throw KerasError.invalidConfig("Unknown \(kind) '\(className)'. Expected one of: "
                + known.sorted().joined(separator: ", ") + ".")
        }
        var reader = ObjectConfigReader(className: className, config: config)
        let object = try factory(&reader)
        if rejectsUnknownKeys { try reader.finish() }
        return object
    }

    /// A factory table from `(class name, aliases, factory)` entries.
    convenience init(kind: String, entries: [(String, [String], Factory)], rejectsUnknownKeys: Bool = true) {
        var table: [String: Factory] = [:]
        for (name, aliases, factory) in entries {
            for key in [name] + aliases { table[key] = factory }
        }
        self.init(kind: kind, factories: table, rejectsUnknownKeys: rejectsUnknownKeys)
    }
}
