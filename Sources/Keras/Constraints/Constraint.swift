import KerasCore

/// A projection applied to a weight after each optimizer step (`keras.constraints`).
public protocol Constraint: Sendable {
    static var className: String { get }
    /// The constrained value of `weight`.
    func callAsFunction(_ weight: Tensor) -> Tensor
    func getConfig() -> Config
}

extension Constraint {
    public func serialize() -> ConfigValue {
        .serialized(module: "keras.constraints", className: Self.className, config: getConfig())
    }
}
