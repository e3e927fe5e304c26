import Foundation
import KerasCore

/// Keras's `backend.epsilon()`.
let kerasEpsilon = 1e-7

// MARK: - Function forms (per-sample values, like `keras.losses.mean_squared_error`)

/// `mean((yTrue − yPred)², axis=-1)`.
public func meanSquaredError(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
    let (t, p) = squeezeOrExpandToSameRank(labels(yTrue, like: floatPrediction(yPred)), floatPrediction(yPred))
    return (t - p).square().mean(axes: [-1])
}

/// `mean(|yTrue − yPred|, axis=-1)`.
public func meanAbsoluteError(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
    let (t, p) = squeezeOrExpandToSameRank(labels(yTrue, like: floatPrediction(yPred)), floatPrediction(yPred))
    return (t - p).abs().mean(axes: [-1])
}

/// `100 · mean(|(yTrue − yPred) / max(|yTrue|, ε)|, axis=-1)`.
public func meanAbsolutePercentageError(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
    let (t, p) = squeezeOrExpandToSameRank(labels(yTrue, like: floatPrediction(yPred)), floatPrediction(yPred))
    return 100 * ((t - p) / t.abs().maximum(kerasEpsilon)).abs().mean(axes: [-1])
}

/// `mean((log(max(yPred, ε) + 1) − log(max(yTrue, ε) + 1))², axis=-1)`.
public func meanSquaredLogarithmicError(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
    let (t, p) = squeezeOrExpandToSameRank(labels(yTrue, like: floatPrediction(yPred)), floatPrediction(yPred))
    return ((p.maximum(kerasEpsilon) + 1).log() - (t.maximum(kerasEpsilon) + 1).log()).square().mean(axes: [-1])
}

/// Quadratic for `|error| ≤ delta`, linear beyond: `mean(where(|e| ≤ δ, ½e², δ|e| − ½δ²), axis=-1)`.
public func huber(_ yTrue: Tensor, _ yPred: Tensor, delta: Double = 1) -> Tensor {
    let (t, p) = squeezeOrExpandToSameRank(labels(yTrue, like: floatPrediction(yPred)), floatPrediction(yPred))
    let error = p - t
    let absError = error.abs()
    return `where`(absError .<= delta, 0.5 * error.square(), delta * absError - 0.5 * delta * delta).mean(axes: [-1])
}

/// `log(1 + e^x)` computed stably (`keras.ops.softplus`).
func softplus(_ x: Tensor) -> Tensor { (-x.abs()).exp().log1p() + x.relu() }

/// `mean(log(cosh(yPred − yTrue)), axis=-1)`, computed as `x + softplus(−2x) − log 2`.
public func logCosh(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
    let (t, p) = squeezeOrExpandToSameRank(labels(yTrue, like: floatPrediction(yPred)), floatPrediction(yPred))
    let x = p - t
    return (x + softplus(x * -2) - Foundation.log(2.0)).mean(axes: [-1])
}

/// `sum(t · log(t / p), axis=-1)` with both clipped to `[ε, 1]`.
public func klDivergence(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
    let p = floatPrediction(yPred).clip(kerasEpsilon, 1)
    let t = labels(yTrue, like: p).clip(kerasEpsilon, 1)
    return (t * (t / p).log()).sum(axes: [-1])
}

/// `mean(yPred − yTrue · log(yPred + ε), axis=-1)`.
public func poisson(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
    let p = floatPrediction(yPred)
    let t = labels(yTrue, like: p)
    return (p - t * (p + kerasEpsilon).log()).mean(axes: [-1])
}

/// `x / √max(Σx², 1e-12)` along `axis`.
func l2Normalize(_ x: Tensor, axis: Int) -> Tensor {
    x * x.square().sum(axes: [axis], keepDims: true).maximum(1e-12).rsqrt()
}

/// `−sum(normalize(yTrue) · normalize(yPred), axis)`: −1 for identical directions.
public func cosineSimilarity(_ yTrue: Tensor, _ yPred: Tensor, axis: Int = -1) -> Tensor {
    let (t, p) = squeezeOrExpandToSameRank(labels(yTrue, like: floatPrediction(yPred)), floatPrediction(yPred))
    return -(l2Normalize(t, axis: axis) * l2Normalize(p, axis: axis)).sum(axes: [axis])
}

// MARK: - Classes

/// Declares a regression-style loss struct over a per-sample function.
public struct MeanSquaredError: Loss {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "MeanSquaredError"
    /// The `name` this `MeanSquaredError` was created with.
    public var name: String, reduction: Reduction
    /// ```swift
    /// MeanSquaredError()(Tensor([[0.0, 1.0]]), Tensor([[1.0, 1.0]]))   // 0.5
    /// ```
    public init(reduction: Reduction = .sumOverBatchSize, name: String = "mean_squared_error") { (self.reduction, self.name) = (reduction, name) }
    /// The loss of each sample of `yPred` against `yTrue`, before reduction, with the mask to apply (if any).
    public func call(_ yTrue: Tensor, _ yPred: Tensor) -> (values: Tensor, mask: Tensor?) { (meanSquaredError(yTrue, yPred), nil) }
    /// The Keras config of this `MeanSquaredError` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config { ["name": .string(name), "reduction": .string(reduction.rawValue)] }
}

/// `mean(|yTrue − yPred|)`.
public struct MeanAbsoluteError: Loss {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "MeanAbsoluteError"
    /// The `name` this `MeanAbsoluteError` was created with.
    public var name: String, reduction: Reduction
    /// ```swift
    /// MeanAbsoluteError()(Tensor([[0.0, 1.0]]), Tensor([[1.0, 1.0]]))   // 0.5
    /// ```
    public init(reduction: Reduction = .sumOverBatchSize, name: String = "mean_absolute_error") { (self.reduction, self.name) = (reduction, name) }
    /// The loss of each sample of `yPred` against `yTrue`, before reduction, with the mask to apply (if any).
    public func call(_ yTrue: Tensor, _ yPred: Tensor) -> (values: Tensor, mask: Tensor?) { (meanAbsoluteError(yTrue, yPred), nil) }
    /// The Keras config of this `MeanAbsoluteError` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config { ["name": .string(name), "reduction": .string(reduction.rawValue)] }
}

/// `100 · mean(|(yTrue − yPred) / yTrue|)`.
public struct MeanAbsolutePercentageError: Loss {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "MeanAbsolutePercentageError"
    /// The `name` this `MeanAbsolutePercentageError` was created with.
    public var name: String, reduction: Reduction
    /// ```swift
    /// MeanAbsolutePercentageError()(Tensor([[2.0]]), Tensor([[1.0]]))   // 50
    /// ```
    public init(reduction: Reduction = .sumOverBatchSize, name: String = "mean_absolute_percentage_error") { (self.reduction, self.name) = (reduction, name) }
    /// The loss of each sample of `yPred` against `yTrue`, before reduction, with the mask to apply (if any).
    public func call(_ yTrue: Tensor, _ yPred: Tensor) -> (values: Tensor, mask: Tensor?) { (meanAbsolutePercentageError(yTrue, yPred), nil) }
    /// The Keras config of this `MeanAbsolutePercentageError` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config { ["name": .string(name), "reduction": .string(reduction.rawValue)] }
}

/// `mean((log(yPred + 1) − log(yTrue + 1))²)`.
public struct MeanSquaredLogarithmicError: Loss {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "MeanSquaredLogarithmicError"
    /// The `name` this `MeanSquaredLogarithmicError` was created with.
    public var name: String, reduction: Reduction
    /// ```swift
    /// MeanSquaredLogarithmicError()(Tensor([[0.0]]), Tensor([[1.0]]))   // 0.48
    /// ```
    public init(reduction: Reduction = .sumOverBatchSize, name: String = "mean_squared_logarithmic_error") { (self.reduction, self.name) = (reduction, name) }
    /// The loss of each sample of `yPred` against `yTrue`, before reduction, with the mask to apply (if any).
    public func call(_ yTrue: Tensor, _ yPred: Tensor) -> (values: Tensor, mask: Tensor?) { (meanSquaredLogarithmicError(yTrue, yPred), nil) }
    /// The Keras config of this `MeanSquaredLogarithmicError` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config { ["name": .string(name), "reduction": .string(reduction.rawValue)] }
}

/// The Huber loss with threshold `delta`.
public struct Huber: Loss {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "Huber"
    /// The `name` this `Huber` was created with.
    public var name: String, reduction: Reduction, delta: Double
    /// ```swift
    /// Huber(delta: 1)(Tensor([[0.0]]), Tensor([[3.0]]))   // 2.5
    /// ```
    public init(delta: Double = 1, reduction: Reduction = .sumOverBatchSize, name: String = "huber_loss") { (self.delta, self.reduction, self.name) = (delta, reduction, name) }
    /// The loss of each sample of `yPred` against `yTrue`, before reduction, with the mask to apply (if any).
    public func call(_ yTrue: Tensor, _ yPred: Tensor) -> (values: Tensor, mask: Tensor?) { (huber(yTrue, yPred, delta: delta), nil) }
    /// The Keras config of this `Huber` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config { ["name": .string(name), "reduction": .string(reduction.rawValue), "delta": .double(delta)] }
}

/// `mean(log(cosh(yPred − yTrue)))`.
public struct LogCosh: Loss {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "LogCosh"
    /// The `name` this `LogCosh` was created with.
    public var name: String, reduction: Reduction
    /// ```swift
    /// LogCosh()(Tensor([[0.0]]), Tensor([[1.0]]))   // 0.4338
    /// ```
    public init(reduction: Reduction = .sumOverBatchSize, name: String = "log_cosh") { (self.reduction, self.name) = (reduction, name) }
    /// The loss of each sample of `yPred` against `yTrue`, before reduction, with the mask to apply (if any).
    public func call(_ yTrue: Tensor, _ yPred: Tensor) -> (values: Tensor, mask: Tensor?) { (logCosh(yTrue, yPred), nil) }
    /// The Keras config of this `LogCosh` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config { ["name": .string(name), "reduction": .string(reduction.rawValue)] }
}

/// Kullback–Leibler divergence `Σ t·log(t/p)`.
public struct KLDivergence: Loss {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "KLDivergence"
    /// The `name` this `KLDivergence` was created with.
    public var name: String, reduction: Reduction
    /// ```swift
    /// KLDivergence()(Tensor([[0.5, 0.5]]), Tensor([[0.9, 0.1]]))   // 0.5108
    /// ```
    public init(reduction: Reduction = .sumOverBatchSize, name: String = "kl_divergence") { (self.reduction, self.name) = (reduction, name) }
    /// The loss of each sample of `yPred` against `yTrue`, before reduction, with the mask to apply (if any).
    public func call(_ yTrue: Tensor, _ yPred: Tensor) -> (values: Tensor, mask: Tensor?) { (klDivergence(yTrue, yPred), nil) }
    /// The Keras config of this `KLDivergence` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config { ["name": .string(name), "reduction": .string(reduction.rawValue)] }
}

/// The Poisson loss `mean(yPred − yTrue·log(yPred))`.
public struct Poisson: Loss {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "Poisson"
    /// The `name` this `Poisson` was created with.
    public var name: String, reduction: Reduction
    /// ```swift
    /// Poisson()(Tensor([[1.0]]), Tensor([[1.0]]))   // 1
    /// ```
    public init(reduction: Reduction = .sumOverBatchSize, name: String = "poisson") { (self.reduction, self.name) = (reduction, name) }
    /// The loss of each sample of `yPred` against `yTrue`, before reduction, with the mask to apply (if any).
    public func call(_ yTrue: Tensor, _ yPred: Tensor) -> (values: Tensor, mask: Tensor?) { (poisson(yTrue, yPred), nil) }
    /// The Keras config of this `Poisson` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config { ["name": .string(name), "reduction": .string(reduction.rawValue)] }
}

/// Negative cosine similarity along `axis`.
public struct CosineSimilarity: Loss {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "CosineSimilarity"
    /// The `name` this `CosineSimilarity` was created with.
    public var name: String, reduction: Reduction, axis: Int
    /// ```swift
    /// CosineSimilarity()(Tensor([[1.0, 0.0]]), Tensor([[2.0, 0.0]]))   // -1
    /// ```
    public init(axis: Int = -1, reduction: Reduction = .sumOverBatchSize, name: String = "cosine_similarity") { (self.axis, self.reduction, self.name) = (axis, reduction, name) }
    /// The loss of each sample of `yPred` against `yTrue`, before reduction, with the mask to apply (if any).
    public func call(_ yTrue: Tensor, _ yPred: Tensor) -> (values: Tensor, mask: Tensor?) { (cosineSimilarity(yTrue, yPred, axis: axis), nil) }
    /// The Keras config of this `CosineSimilarity` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config { ["name": .string(name), "reduction": .string(reduction.rawValue)] }
}
