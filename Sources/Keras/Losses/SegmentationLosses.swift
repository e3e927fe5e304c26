import KerasCore

/// The Dice loss (`keras.losses.dice`): `1 − 2·Σ(t·p) / (Σt + Σp + ε)`, the sums over `axis`
/// (every axis when `nil`, giving one value for the whole batch). Differentiable w.r.t. `yPred`.
///
/// ```swift
/// let yTrue = Tensor([[1.0, 1.0, 0.0, 0.0], [1.0, 1.0, 0.0, 0.0]])
/// let yPred = Tensor([[0.0, 1.0, 0.0, 1.0], [0.4, 0.0, 0.0, 0.9]])
/// dice(yTrue, yPred, axis: [1])   // [0.5, 0.7576]
/// dice(yTrue, yPred)              // 0.6164
/// ```
public func dice(_ yTrue: Tensor, _ yPred: Tensor, axis: [Int]? = nil) -> Tensor {
    let p = floatPrediction(yPred)
    let t = labels(yTrue, like: p)
    let intersection = (t * p).sum(axes: axis)
    return 1 - 2 * intersection / (t.sum(axes: axis) + p.sum(axes: axis) + kerasEpsilon)
}

/// The Tversky loss (`keras.losses.tversky`, Salehi et al. 2017):
/// `1 − Σ(t·p) / (Σ(t·p) + α·Σ((1 − p)·t) + β·Σ(p·(1 − t)) + ε)`, the sums over `axis` (every
/// axis when `nil`). `alpha` weighs the first sum and `beta` the second, as Keras names them;
/// `alpha = beta = 0.5` is the Dice loss. Differentiable w.r.t. `yPred`.
///
/// ```swift
/// tversky(Tensor([[1.0, 0.0]]), Tensor([[0.8, 0.4]]), alpha: 0.3, beta: 0.7, axis: [1])   // [0.3265]
/// ```
public func tversky(_ yTrue: Tensor, _ yPred: Tensor, alpha: Double = 0.5, beta: Double = 0.5, axis: [Int]? = nil) -> Tensor {
    let p = floatPrediction(yPred)
    let t = labels(yTrue, like: p)
    let intersection = (t * p).sum(axes: axis)
    let fp = ((1 - p) * t).sum(axes: axis)
    let fn = (p * (1 - t)).sum(axes: axis)
    return 1 - intersection / (intersection + fp * alpha + fn * beta + kerasEpsilon)
}

/// The Dice and Tversky `axis` as Keras writes it: `null`, an int, or a list of ints.
func segmentationAxisConfig(_ axis: [Int]?, isList: Bool) -> ConfigValue {
    guard let axis else { return .null }
    return !isList && axis.count == 1 ? .int(axis[0]) : .array(axis.map { .int($0) })
}

/// Why `axis` cannot reduce targets and predictions like `yTrue` and `yPred`, or `nil`.
func segmentationAxisProblem(_ loss: String, axis: [Int]?, yTrue: Tensor, yPred: Tensor) -> String? {
    guard let axis else { return nil }
    let (t, p) = squeezeOrExpandToSameRank(yTrue, yPred)
    let rank = Swift.max(t.rank, p.rank)
    var seen: Set<Int> = []
    for a in axis {
        guard a >= -rank && a < rank else { return "\(loss)'s axis \(a) is out of bounds for predictions of rank \(rank)" }
        guard seen.insert(a < 0 ? a + rank : a).inserted else { return "\(loss)'s axis \(axis) repeats an axis" }
    }
    guard t.rank == p.rank else {
        return "\(loss) with an axis expects targets of the predictions' rank \(p.rank), received targets of shape \(formatShape(t.shape))"
    }
    return nil
}

/// The Dice loss for segmentation masks (`keras.losses.Dice`): one minus the overlap
/// `2·Σ(t·p) / (Σt + Σp)` over `axis` (the whole batch when `nil`).
public struct Dice: Loss {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "Dice"
    /// The `name` this `Dice` was created with.
    public var name: String, reduction: Reduction
    /// The axes the sums run over; `nil` for all of them (one value per batch).
    public var axis: [Int]?
    /// Whether the config writes `axis` as a list (else a single axis is written as an int).
    var axisIsList: Bool
    /// ```swift
    /// let loss = Dice(axis: [1, 2, 3], reduction: .none)
    /// let perImage = loss(masks, predictions)   // one value per image
    /// ```
    public init(axis: [Int]? = nil, reduction: Reduction = .sumOverBatchSize, name: String = "dice") {
        (self.axis, self.axisIsList, self.reduction, self.name) = (axis, true, reduction, name)
    }
    /// A Dice loss summing over one axis (written as an int in its config).
    ///
    /// ```swift
    /// let loss = Dice(axis: -1)
    /// ```
    public init(axis: Int, reduction: Reduction = .sumOverBatchSize, name: String = "dice") {
        (self.axis, self.axisIsList, self.reduction, self.name) = ([axis], false, reduction, name)
    }
    /// The loss of each sample of `yPred` against `yTrue`, before reduction, with the mask to apply (if any).
    public func call(_ yTrue: Tensor, _ yPred: Tensor) -> (values: Tensor, mask: Tensor?) { (dice(yTrue, yPred, axis: axis), nil) }
    /// The Keras config of this `Dice` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config {
        ["name": .string(name), "reduction": .string(reduction.rawValue), "axis": segmentationAxisConfig(axis, isList: axisIsList)]
    }
}

extension Dice: TargetShapeRule {
    /// Why `yTrue` cannot be scored against `yPred`, or `nil` when it can: every `axis` inside
    /// their rank, none repeated.
    public func targetShapeProblem(yTrue: Tensor, yPred: Tensor) -> String? {
        segmentationAxisProblem("dice", axis: axis, yTrue: yTrue, yPred: yPred)
    }
}

/// The Tversky loss for segmentation masks (`keras.losses.Tversky`): a Dice loss whose two kinds of
/// error are weighted by `alpha` and `beta`.
public struct Tversky: Loss {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "Tversky"
    /// The `name` this `Tversky` was created with.
    public var name: String, reduction: Reduction, alpha: Double, beta: Double
    /// The axes the sums run over; `nil` for all of them (one value per batch).
    public var axis: [Int]?
    /// Whether the config writes `axis` as a list (else a single axis is written as an int).
    var axisIsList: Bool
    /// ```swift
    /// let loss = Tversky(alpha: 0.3, beta: 0.7, axis: [1])
    /// loss(Tensor([[1.0, 0.0]]), Tensor([[0.8, 0.4]]))   // 0.3265
    /// ```
    public init(alpha: Double = 0.5, beta: Double = 0.5, axis: [Int]? = nil, reduction: Reduction = .sumOverBatchSize,
                name: String = "tversky") {
        (self.alpha, self.beta, self.axis, self.axisIsList, self.reduction, self.name) = (alpha, beta, axis, true, reduction, name)
    }
    /// A Tversky loss summing over one axis (written as an int in its config).
    ///
    /// ```swift
    /// let loss = Tversky(alpha: 0.7, beta: 0.3, axis: -1)
    /// ```
    public init(alpha: Double = 0.5, beta: Double = 0.5, axis: Int, reduction: Reduction = .sumOverBatchSize, name: String = "tversky") {
        (self.alpha, self.beta, self.axis, self.axisIsList, self.reduction, self.name) = (alpha, beta, [axis], false, reduction, name)
    }
    /// The loss of each sample of `yPred` against `yTrue`, before reduction, with the mask to apply (if any).
    public func call(_ yTrue: Tensor, _ yPred: Tensor) -> (values: Tensor, mask: Tensor?) {
        (tversky(yTrue, yPred, alpha: alpha, beta: beta, axis: axis), nil)
    }
    /// The Keras config of this `Tversky` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config {
        ["name": .string(name), "reduction": .string(reduction.rawValue), "alpha": .double(alpha), "beta": .double(beta),
         "axis": segmentationAxisConfig(axis, isList: axisIsList)]
    }
}

extension Tversky: TargetShapeRule {
    /// Why `yTrue` cannot be scored against `yPred`, or `nil` when it can: every `axis` inside
    /// their rank, none repeated.
    public func targetShapeProblem(yTrue: Tensor, yPred: Tensor) -> String? {
        segmentationAxisProblem("tversky", axis: axis, yTrue: yTrue, yPred: yPred)
    }
}
