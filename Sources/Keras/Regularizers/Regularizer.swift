import KerasCore

/// A weight penalty added to the model's losses (`keras.regularizers`): a layer adds
/// `regularizer(weight)` for each regularized weight to its losses, which `fit` adds to the
/// compiled loss.
///
/// ```swift
/// let dense = Dense(64, kernelRegularizer: L2(l2: 1e-4))
/// let penalty = L1L2(l1: 0.01, l2: 0.01)(weights)   // scalar tensor
/// ```
public protocol Regularizer: Sendable {
    /// The Keras class name, the `class_name` of the serialized config.
    static var className: String { get }
    /// The penalty for `weight` (a scalar tensor, differentiable).
    func callAsFunction(_ weight: Tensor) -> Tensor
    /// The Keras config (Keras's `get_config()`), which the deserializer reads back.
    func getConfig() -> Config
    /// Why this regularizer cannot penalize a weight (or an activity) of `shape`, or `nil` when it
    /// can; checked when a layer creates the weight or is called, so that the penalty is never
    /// computed on a shape it has no meaning for.
    ///
    /// ```swift
    /// OrthogonalRegularizer().problem(forWeightShape: [3])   // "… expects a rank-2 …"
    /// ```
    func problem(forWeightShape shape: [Int?]) -> String?
}

extension Regularizer {
    /// Every shape can be penalized.
    public func problem(forWeightShape shape: [Int?]) -> String? { nil }

    /// `{"module": "keras.regularizers", "class_name": …, "config": …, "registered_name": null}`.
    public func serialize() -> ConfigValue {
        .serialized(module: "keras.regularizers", className: Self.className, config: getConfig())
    }
}
