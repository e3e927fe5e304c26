import KerasCore

/// A weight penalty added to the model's losses (`keras.regularizers`).
public protocol Regularizer: Sendable {
    static var className: String { get }
    /// The penalty for `weight` (a scalar tensor, differentiable).
    func callAsFunction(_ weight: Tensor) -> Tensor
    func getConfig() -> Config
}

extension Regularizer {
    public func serialize() -> ConfigValue {
        .serialized(module: "keras.regularizers", className: Self.className, config: getConfig())
    }
}
