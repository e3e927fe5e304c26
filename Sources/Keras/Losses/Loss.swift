import KerasCore

/// How a loss turns per-sample values into the value it returns (Keras's `reduction`).
public enum Reduction: String, Sendable, CaseIterable {
    /// Sum divided by the number of elements (Keras's default; not divided by Σweights).
    case sumOverBatchSize = "sum_over_batch_size"
    /// Sum of the weighted values.
    case sum
    /// The weighted values, unreduced.
    case none
    /// Same as ``sumOverBatchSize``.
    case mean
    /// Sum divided by the sum of the sample weights.
    case meanWithSampleWeight = "mean_with_sample_weight"
}

/// A loss function (`keras.losses.Loss`): per-sample values from ``call(_:_:)``, weighted and
/// reduced by ``callAsFunction(_:_:sampleWeight:)``. The result is differentiable w.r.t. `yPred`.
///
/// ```swift
/// let loss = SparseCategoricalCrossentropy(fromLogits: true)
/// let value = loss(labels, logits)                        // scalar
/// let weighted = loss(labels, logits, sampleWeight: w)
/// ```
public protocol Loss: LossConvertible, Sendable {
    /// Keras's class name (`"MeanSquaredError"`).
    static var className: String { get }
    /// The loss's name (`"mean_squared_error"`), used in logs.
    var name: String { get }
    /// How the per-sample losses are reduced to the loss value.
    var reduction: Reduction { get }
    /// Unreduced per-sample losses, and a mask of valid entries where the loss has one
    /// (`ignoreClass`).
    func call(_ yTrue: Tensor, _ yPred: Tensor) -> (values: Tensor, mask: Tensor?)
    /// Keras's config (`name`, `reduction` and the loss's options).
    func getConfig() -> Config
}

extension Loss {
    /// The weighted, reduced loss.
    public func callAsFunction(_ yTrue: Tensor, _ yPred: Tensor, sampleWeight: Tensor? = nil) -> Tensor {
        let (yTrue, yPred) = squeezeOrExpandToSameRank(yTrue, floatPrediction(yPred))
        let (values, mask) = call(yTrue, yPred)
        return reduceWeightedValues(values, sampleWeight: sampleWeight, mask: mask, reduction: reduction)
    }

    /// `{"module": "keras.losses", "class_name": …, "config": …}`.
    public func serialize() -> ConfigValue {
        .serialized(module: "keras.losses", className: Self.className, config: getConfig())
    }
}

/// Integer or bool predictions are computed as float32, as Keras converts them.
func floatPrediction(_ yPred: Tensor) -> Tensor { yPred.dtype.isFloatingPoint ? yPred : yPred.cast(to: .float32) }

/// Labels cast to the prediction's dtype.
func labels(_ yTrue: Tensor, like yPred: Tensor) -> Tensor { yTrue.dtype == yPred.dtype ? yTrue : yTrue.cast(to: yPred.dtype) }

/// Squeezes or expands a trailing 1-dim so the ranks match (Keras's `squeeze_or_expand_to_same_rank`).
public func squeezeOrExpandToSameRank(_ x1: Tensor, _ x2: Tensor, expandRank1: Bool = true) -> (Tensor, Tensor) {
    var (a, b) = (x1, x2)
    if a.rank == b.rank + 1, a.shape.last == 1 {
        if b.rank == 1 && expandRank1 { b = b.expandingDims(at: -1) } else { a = a.squeezing(axes: [-1]) }
    }
    if b.rank == a.rank + 1, b.shape.last == 1 {
        if a.rank == 1 && expandRank1 { a = a.expandingDims(at: -1) } else { b = b.squeezing(axes: [-1]) }
    }
    return (a, b)
}

/// Keras's `reduce_weighted_values`: applies the mask and sample weights, then the reduction.
public func reduceWeightedValues(_ values: Tensor, sampleWeight: Tensor?, mask: Tensor? = nil,
                                 reduction: Reduction) -> Tensor {
    var weight = sampleWeight.map { $0.cast(to: values.dtype) }
    if let mask {
        var floatMask = mask.cast(to: values.dtype)
        if reduction == .sumOverBatchSize || reduction == .mean {
            let valid = floatMask.sum().item(as: Double.self)
            let scale = valid == 0 ? 0 : Double(mask.scalarCount) / valid
            floatMask = floatMask * scale
        }
        if let w = weight {
            let (m, w2) = squeezeOrExpandToSameRank(floatMask, w)
            weight = w2 * m
        } else {
            weight = floatMask
        }
    }
    var values = values
    if let w = weight {
        let (v, w2) = squeezeOrExpandToSameRank(values, w)
        values = v * w2
    }
    if reduction == .none || values.rank == 0 || values.shape == [0] { return values }
    let total = values.sum()
    switch reduction {
    case .sum, .none: return total
    case .meanWithSampleWeight where weight != nil:
        let divisor = weight!.sum()
        return `where`(divisor .== 0, Tensor.zeros([], dtype: total.dtype), total / divisor)
    default:
        let count = values.scalarCount
        return count == 0 ? Tensor.zeros([], dtype: total.dtype) : total / Double(count)
    }
}

/// A loss from a per-sample function (Keras's `LossFunctionWrapper`), for custom losses.
///
/// ```swift
/// let loss = LossFunction(name: "my_mse") { yTrue, yPred in ((yPred - yTrue) ** 2).mean(axes: [-1]) }
/// ```
public struct LossFunction: Loss {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "LossFunctionWrapper"
    /// The `name` this `LossFunction` was created with.
    public let name: String
    /// The `reduction` this `LossFunction` was created with.
    public let reduction: Reduction
    /// The `function` this `LossFunction` was created with.
    public let function: @Sendable (Tensor, Tensor) -> Tensor
    /// A loss from `function(yTrue, yPred)` (one value per sample), reduced by `reduction`.
    public init(name: String, reduction: Reduction = .sumOverBatchSize, _ function: @escaping @Sendable (Tensor, Tensor) -> Tensor) {
        (self.name, self.reduction, self.function) = (name, reduction, function)
    }
    /// The loss of each sample of `yPred` against `yTrue`, before reduction, with the mask to apply (if any).
    public func call(_ yTrue: Tensor, _ yPred: Tensor) -> (values: Tensor, mask: Tensor?) { (function(yTrue, yPred), nil) }
    /// The Keras config of this `LossFunction` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config { ["name": .string(name), "reduction": .string(reduction.rawValue)] }
}
