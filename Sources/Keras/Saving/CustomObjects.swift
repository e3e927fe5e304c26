import KerasCore

/// Classes and functions one load may meet that the library does not know (Keras's
/// `custom_objects` argument of `load_model` and `model_from_json`): factories by the name the
/// file stores, in effect only during that load. Names found here win over classes registered
/// globally with ``registerLayer(className:_:)``, ``registerLoss(className:_:)`` and
/// ``registerMetric(className:_:)``, which remain the fallback, and over built-ins.
///
/// ```swift
/// let model = try loadModel("model.keras", customObjects: CustomObjects(
///     layers: ["Scale": { config in Scale(factor: config["factor"]?.doubleValue ?? 1, name: config["name"]?.stringValue) }],
///     losses: ["ScaledMSE": { config in ScaledMSE(name: config["name"]?.stringValue ?? "scaled_mse") }],
///     activations: ["scaled_tanh": .custom("scaled_tanh") { 2 * $0.tanh() }]))
/// ```
public struct CustomObjects: Sendable {
    /// Layer (and model) classes by `class_name`: the factory receives the layer's `config`.
    public var layers: [String: @Sendable (Config) throws -> Layer]
    /// Loss classes by `class_name` (or by the name a compile config gives as a string).
    public var losses: [String: @Sendable (Config) throws -> any Loss]
    /// Metric classes by `class_name` (or by the name a compile config gives as a string).
    public var metrics: [String: @Sendable (Config) throws -> Metric]
    /// Activation functions by the name layer configs store (`"activation": "scaled_tanh"`).
    public var activations: [String: ActivationFunction]

    /// Custom objects of each kind; all empty by default.
    public init(layers: [String: @Sendable (Config) throws -> Layer] = [:],
                losses: [String: @Sendable (Config) throws -> any Loss] = [:],
                metrics: [String: @Sendable (Config) throws -> Metric] = [:],
                activations: [String: ActivationFunction] = [:]) {
        self.layers = layers
        self.losses = losses
        self.metrics = metrics
        self.activations = activations
    }

    /// The custom objects of the load in progress in this task.
    @TaskLocal static var current: CustomObjects?

    /// The factory of kind `kind` (an ``ObjectFactoryTable`` family) for `name`, typed as that
    /// table's factory, or `nil`.
    func factory(kind: String, name: String) -> Any? {
        switch kind {
        case "layer":
            return layers[name].map { make in { @Sendable (reader: inout ObjectConfigReader) throws -> Layer in try make(reader.config) } }
        case "loss":
            return losses[name].map { make in { @Sendable (reader: inout ObjectConfigReader) throws -> any Loss in
                reader.acceptAllKeys()
                return try make(reader.config)
            } }
        case "metric":
            return metrics[name].map { make in { @Sendable (reader: inout ObjectConfigReader) throws -> Metric in
                reader.acceptAllKeys()
                return try make(reader.config)
            } }
        default:
            return nil
        }
    }

    /// Runs `body` with these custom objects in effect (nested scopes see the outer ones' names
    /// too, the inner ones winning).
    func scoped<R>(_ body: () throws -> R) rethrows -> R {
        guard var merged = Self.current else { return try Self.$current.withValue(self, operation: body) }
        merged.layers.merge(layers) { $1 }
        merged.losses.merge(losses) { $1 }
        merged.metrics.merge(metrics) { $1 }
        merged.activations.merge(activations) { $1 }
        return try Self.$current.withValue(merged, operation: body)
    }
}
