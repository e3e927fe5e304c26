import KerasCore

/// Labels in {0, 1} become {−1, 1}; other labels pass through (Keras's `convert_binary_labels_to_hinge`).
func hingeLabels(_ yTrue: Tensor) -> Tensor {
    let binary = withoutRecording { yTrue.doubles.allSatisfy { $0 == 0 || $0 == 1 } }
    return binary ? 2 * yTrue - 1 : yTrue
}

/// `mean(max(1 − t·p, 0), axis=-1)` with {0,1} labels mapped to {−1,1}.
public func hinge(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
    let p = floatPrediction(yPred)
    return (1 - hingeLabels(labels(yTrue, like: p)) * p).maximum(0).mean(axes: [-1])
}

/// `mean(max(1 − t·p, 0)², axis=-1)`.
public func squaredHinge(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
    let p = floatPrediction(yPred)
    return (1 - hingeLabels(labels(yTrue, like: p)) * p).maximum(0).square().mean(axes: [-1])
}

/// `max(max((1 − t)·p) − Σ t·p + 1, 0)` per sample.
public func categoricalHinge(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
    let p = floatPrediction(yPred)
    let t = labels(yTrue, like: p)
    let pos = (t * p).sum(axes: [-1])
    let neg = ((1 - t) * p).max(axes: [-1])
    return (neg - pos + 1).maximum(0)
}

/// The hinge loss for labels in {−1, 1} (or {0, 1}).
public struct Hinge: Loss {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "Hinge"
    /// The `name` this `Hinge` was created with.
    public var name: String, reduction: Reduction
    /// ```swift
    /// Hinge()(Tensor([[1.0]]), Tensor([[0.25]]))   // 0.75
    /// ```
    public init(reduction: Reduction = .sumOverBatchSize, name: String = "hinge") { (self.reduction, self.name) = (reduction, name) }
    /// The loss of each sample of `yPred` against `yTrue`, before reduction, with the mask to apply (if any).
    public func call(_ yTrue: Tensor, _ yPred: Tensor) -> (values: Tensor, mask: Tensor?) { (hinge(yTrue, yPred), nil) }
    /// The Keras config of this `Hinge` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config { ["name": .string(name), "reduction": .string(reduction.rawValue)] }
}

/// The squared hinge loss.
public struct SquaredHinge: Loss {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "SquaredHinge"
    /// The `name` this `SquaredHinge` was created with.
    public var name: String, reduction: Reduction
    /// ```swift
    /// SquaredHinge()(Tensor([[1.0]]), Tensor([[0.5]]))   // 0.25
    /// ```
    public init(reduction: Reduction = .sumOverBatchSize, name: String = "squared_hinge") { (self.reduction, self.name) = (reduction, name) }
    /// The loss of each sample of `yPred` against `yTrue`, before reduction, with the mask to apply (if any).
    public func call(_ yTrue: Tensor, _ yPred: Tensor) -> (values: Tensor, mask: Tensor?) { (squaredHinge(yTrue, yPred), nil) }
    /// The Keras config of this `SquaredHinge` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config { ["name": .string(name), "reduction": .string(reduction.rawValue)] }
}

/// The categorical hinge loss for one-hot labels.
public struct CategoricalHinge: Loss {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "CategoricalHinge"
    /// The `name` this `CategoricalHinge` was created with.
    public var name: String, reduction: Reduction
    /// ```swift
    /// CategoricalHinge()(Tensor([[0.0, 1.0]]), Tensor([[0.6, 0.4]]))   // 1.2
    /// ```
    public init(reduction: Reduction = .sumOverBatchSize, name: String = "categorical_hinge") { (self.reduction, self.name) = (reduction, name) }
    /// The loss of each sample of `yPred` against `yTrue`, before reduction, with the mask to apply (if any).
    public func call(_ yTrue: Tensor, _ yPred: Tensor) -> (values: Tensor, mask: Tensor?) { (categoricalHinge(yTrue, yPred), nil) }
    /// The Keras config of this `CategoricalHinge` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config { ["name": .string(name), "reduction": .string(reduction.rawValue)] }
}
