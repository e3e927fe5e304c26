import KerasCore

/// Generalized cross-entropy per sample (`keras.losses.categorical_generalized_cross_entropy`,
/// Zhang & Sabuncu 2018): `(1 − p^q) / q`, where `p` is the predicted probability of the true
/// class. `yTrue` holds integer class indices of shape `yPred.shape.dropLast()` (a trailing 1-dim
/// is squeezed); an index outside `0..<classes` gives `p = 0`. `q` near 0 behaves like
/// cross-entropy, near 1 like mean absolute error. Differentiable w.r.t. `yPred`.
///
/// Keras 3.15 broadcasts labels of shape `(batch, 1)` against the predictions into a
/// `(batch, batch)` result; here they are squeezed to `(batch,)` as its documentation describes.
///
/// ```swift
/// let values = categoricalGeneralizedCrossEntropy(Tensor([0, 1]), Tensor([[0.7, 0.3], [0.2, 0.8]]), q: 0.5)
/// // [0.3267, 0.2111]
/// ```
public func categoricalGeneralizedCrossEntropy(_ yTrue: Tensor, _ yPred: Tensor, q: Double) -> Tensor {
    let p = floatPrediction(yPred)
    var t = yTrue
    if t.rank == p.rank && t.shape.last == 1 { t = t.squeezing(axes: [-1]) }
    require(p.rank >= 1 && t.shape == Array(p.shape.dropLast()),
            "categorical_generalized_cross_entropy: labels of shape \(yTrue.shape) do not fit predictions of shape \(yPred.shape); expected integer class indices of shape \(Array(p.shape.dropLast()))")
    let trueClass = oneHot(t.cast(to: .int32), classes: p.shape[p.rank - 1], dtype: p.dtype)
    let probability = (p * trueClass).sum(axes: [-1])
    return (1 - probability.pow(q)) / q
}

/// Generalized cross-entropy for integer labels (`keras.losses.CategoricalGeneralizedCrossEntropy`),
/// robust to noisy labels: `(1 − p^q) / q` with `q` in `(0, 1)`. Keras registers no string name for it.
public struct CategoricalGeneralizedCrossEntropy: Loss {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "CategoricalGeneralizedCrossEntropy"
    /// The `name` this `CategoricalGeneralizedCrossEntropy` was created with.
    public var name: String, reduction: Reduction
    /// The noise parameter `q`, in `(0, 1)`.
    public let q: Double
    /// `q` must lie in `(0, 1)` (Keras raises `ValueError` otherwise; here that stops the program,
    /// while a config with such a `q` throws from ``deserializeLoss(_:)``).
    ///
    /// ```swift
    /// let loss = CategoricalGeneralizedCrossEntropy(q: 0.5)
    /// loss(Tensor([0, 1]), Tensor([[0.7, 0.3], [0.2, 0.8]]))   // 0.2689
    /// ```
    public init(q: Double = 0.5, reduction: Reduction = .sumOverBatchSize, name: String = "categorical_generalized_cross_entropy") {
        require(q > 0 && q < 1, "CategoricalGeneralizedCrossEntropy: q must be in the interval (0, 1), received \(q)")
        (self.q, self.reduction, self.name) = (q, reduction, name)
    }
    /// The loss of each sample of `yPred` against `yTrue`, before reduction, with the mask to apply (if any).
    public func call(_ yTrue: Tensor, _ yPred: Tensor) -> (values: Tensor, mask: Tensor?) {
        (categoricalGeneralizedCrossEntropy(yTrue, yPred, q: q), nil)
    }
    /// The Keras config of this `CategoricalGeneralizedCrossEntropy` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config {
        ["name": .string(name), "reduction": .string(reduction.rawValue), "q": .double(q)]
    }
}

/// `fit` and `evaluate` check the labels (integers in `0..<classes`) before training.
extension CategoricalGeneralizedCrossEntropy: ClassLabelTargets {}
