import KerasCore

/// The class-balancing factor `alpha` of ``CategoricalFocalCrossentropy``: one factor for every
/// class (Keras's default `0.25`), or one per class (a list, broadcast along the last axis).
///
/// ```swift
/// let balanced = CategoricalFocalCrossentropy(alpha: 0.25)
/// let perClass = CategoricalFocalCrossentropy(alpha: [0.2, 0.3, 0.5])
/// ```
public enum FocalAlpha: Sendable, Equatable, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
    /// One factor for every class.
    case scalar(Double)
    /// One factor per class, in class order.
    case perClass([Double])

    /// A scalar factor.
    public init(floatLiteral value: Double) { self = .scalar(value) }
    /// A scalar factor.
    public init(integerLiteral value: Int) { self = .scalar(Double(value)) }
    /// One factor per class.
    public init(arrayLiteral elements: Double...) { self = .perClass(elements) }

    /// The factor as Keras writes it in a config: a float, or a list of floats.
    public var configValue: ConfigValue {
        switch self {
        case .scalar(let a): .double(a)
        case .perClass(let list): .array(list.map { .double($0) })
        }
    }

    /// The factor as a tensor of `dtype`: a scalar, or a vector broadcast along the last axis.
    func tensor(dtype: DType) -> Tensor {
        switch self {
        case .scalar(let a): Tensor.full([], a, dtype: dtype)
        case .perClass(let list): Tensor(shape: [list.count], doubles: list, dtype: dtype)
        }
    }

    /// Why this factor cannot weight predictions with `classes` entries on their last axis, or `nil`.
    func problem(classes: Int) -> String? {
        guard case .perClass(let list) = self, list.count != 1, list.count != classes else { return nil }
        return "alpha has \(list.count) per-class factors, but the predictions have \(classes) classes on their last axis"
    }
}

/// Focal categorical cross-entropy per sample (`keras.losses.categorical_focal_crossentropy`):
/// `Σ α·(1 − p)^γ · (−t·log p)` along `axis`, where `p` is the prediction renormalized to sum to 1
/// and clipped to `[ε, 1 − ε]` (after a softmax when `fromLogits`). `labelSmoothing` pulls the one-hot
/// labels toward `1/classes`. Differentiable w.r.t. `yPred`.
///
/// ```swift
/// let values = categoricalFocalCrossentropy(Tensor([[0.0, 1.0, 0.0]]), Tensor([[0.05, 0.9, 0.05]]))
/// // [0.000263]
/// ```
public func categoricalFocalCrossentropy(_ yTrue: Tensor, _ yPred: Tensor, alpha: FocalAlpha = 0.25, gamma: Double = 2,
                                         fromLogits: Bool = false, labelSmoothing: Double = 0, axis: Int = -1) -> Tensor {
    var p = floatPrediction(yPred)
    var t = labels(yTrue, like: p)
    require(t.shape == p.shape, "categorical_focal_crossentropy: y_true shape \(t.shape) and y_pred shape \(p.shape) must match (one-hot labels)")
    if let problem = alpha.problem(classes: p.shape.last ?? 1) { fatalError("categorical_focal_crossentropy: \(problem)") }
    if labelSmoothing != 0 { t = smoothCategoricalLabels(t, labelSmoothing) }
    if fromLogits { p = p.softmax(axis: axis) }
    let output = normalizedClippedProbabilities(p, axis: axis)
    let crossentropy = -t * output.log()
    let weighting = (1 - output).pow(gamma) * alpha.tensor(dtype: p.dtype)
    return (weighting * crossentropy).sum(axes: [axis])
}

/// Focal cross-entropy for one-hot labels (`keras.losses.CategoricalFocalCrossentropy`): the
/// cross-entropy of each class scaled by `α·(1 − p)^γ`, so confident, correct predictions count
/// less than hard ones.
public struct CategoricalFocalCrossentropy: Loss {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "CategoricalFocalCrossentropy"
    /// The `name` this `CategoricalFocalCrossentropy` was created with.
    public var name: String, reduction: Reduction, alpha: FocalAlpha, gamma: Double
    /// The `fromLogits` this `CategoricalFocalCrossentropy` was created with.
    public var fromLogits: Bool, labelSmoothing: Double, axis: Int
    /// ```swift
    /// let loss = CategoricalFocalCrossentropy(gamma: 2)
    /// loss(Tensor([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]), Tensor([[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]))   // 0.2332
    /// ```
    public init(alpha: FocalAlpha = 0.25, gamma: Double = 2, fromLogits: Bool = false, labelSmoothing: Double = 0,
                axis: Int = -1, reduction: Reduction = .sumOverBatchSize, name: String = "categorical_focal_crossentropy") {
        (self.alpha, self.gamma, self.fromLogits, self.labelSmoothing, self.axis, self.reduction, self.name) =
            (alpha, gamma, fromLogits, labelSmoothing, axis, reduction, name)
    }
    /// The loss of each sample of `yPred` against `yTrue`, before reduction, with the mask to apply (if any).
    public func call(_ yTrue: Tensor, _ yPred: Tensor) -> (values: Tensor, mask: Tensor?) {
        (categoricalFocalCrossentropy(yTrue, yPred, alpha: alpha, gamma: gamma, fromLogits: fromLogits,
                                      labelSmoothing: labelSmoothing, axis: axis), nil)
    }
    /// The Keras config of this `CategoricalFocalCrossentropy` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config {
        ["name": .string(name), "reduction": .string(reduction.rawValue), "from_logits": .bool(fromLogits),
         "label_smoothing": .double(labelSmoothing), "axis": .int(axis), "alpha": alpha.configValue, "gamma": .double(gamma)]
    }
}

extension CategoricalFocalCrossentropy: TargetShapeRule {
    /// Why `yTrue` cannot be scored against `yPred`, or `nil` when it can: one-hot targets of the
    /// predictions' shape, `axis` inside their rank, and per-class `alpha` factors for each class.
    public func targetShapeProblem(yTrue: Tensor, yPred: Tensor) -> String? {
        let (t, p) = squeezeOrExpandToSameRank(yTrue, yPred)
        if t.shape != p.shape {
            return "categorical_focal_crossentropy expects one-hot targets of the predictions' shape \(formatShape(p.shape)), received targets of shape \(formatShape(t.shape))"
        }
        if axis < -p.rank || axis >= p.rank {
            return "categorical_focal_crossentropy's axis \(axis) is out of bounds for predictions of rank \(p.rank)"
        }
        return alpha.problem(classes: p.shape.last ?? 1).map { "categorical_focal_crossentropy: \($0)" }
    }
}
