import KerasCore

/// A projection applied to a weight after each optimizer step (`keras.constraints`).
///
/// ```swift
/// let dense = Dense(64, kernelConstraint: MaxNorm(maxValue: 3))
/// NonNeg()(Tensor([-1.0, 2.0]))   // [0, 2]
/// ```
public protocol Constraint: Sendable {
    /// The Keras class name, the `class_name` of the serialized config.
    static var className: String { get }
    /// The constrained value of `weight`.
    func callAsFunction(_ weight: Tensor) -> Tensor
    /// The Keras config (Keras's `get_config()`), which the deserializer reads back.
    func getConfig() -> Config
    /// Why this constraint cannot apply to a weight of `shape` (an `axis` beyond its rank), or
    /// `nil` when it can. ``Layer/addWeight(name:shape:initializer:regularizer:constraint:trainable:dtype:)``
    /// asks before creating the weight, so the build throws (naming the layer, the weight and the
    /// constraint) instead of the first optimizer step stopping. The default accepts every shape.
    ///
    /// ```swift
    /// MaxNorm(axis: 2).problem(forWeightShape: [4, 3])   // "MaxNorm: axis 2 is out of range …"
    /// ```
    func problem(forWeightShape shape: [Int]) -> String?
}

extension Constraint {
    /// Why this constraint cannot apply to a weight of `shape`, or `nil` when it can.
    public func problem(forWeightShape shape: [Int]) -> String? { nil }
}

extension Constraint {
    /// `{"module": "keras.constraints", "class_name": …, "config": …, "registered_name": null}`.
    public func serialize() -> ConfigValue {
        .serialized(module: "keras.constraints", className: Self.className, config: getConfig())
    }
}
