import KerasCore

/// The Circle loss per sample (`keras.losses.circle`, Sun et al. 2020) for metric learning:
/// `yTrue` holds integer labels (shape `(batch,)` or `(batch, 1)`), `yPred` embeddings of shape
/// `(batch, dim)`. Similarities are dot products of the embeddings with `refEmbeddings` (default
/// `yPred`), read as cosine distances `d = max(1 − x·r, 0)`, so the embeddings should be
/// L2-normalized beforehand (a `UnitNormalization` layer) — Keras does not normalize them here.
/// With `O⁺ = m`, `O⁻ = 1 + m`, `Δ⁺ = m`, `Δ⁻ = 1 − m` (`m` = `margin`):
/// `softplus(logsumexp₊(−γ·max(O⁺ + d, 0)·(Δ⁺ − d)) + logsumexp₋(γ·max(O⁻ − d, 0)·(Δ⁻ − d)))`,
/// the first over pairs with the same label (minus the pair with itself when `removeDiagonal`),
/// the second over pairs with different labels. Samples with no positive pair give 0.
/// Differentiable w.r.t. `yPred`.
///
/// ```swift
/// let embeddings = Tensor([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0]])
/// let values = circle(Tensor([0, 0, 1]), embeddings)   // one value per sample
/// ```
public func circle(_ yTrue: Tensor, _ yPred: Tensor, refLabels: Tensor? = nil, refEmbeddings: Tensor? = nil,
                   removeDiagonal: Bool = true, gamma: Double = 80, margin: Double = 0.4) -> Tensor {
    let x = floatPrediction(yPred)
    let reference = refEmbeddings.map(floatPrediction) ?? x
    require(x.rank == 2 && reference.rank == 2 && x.shape[1] == reference.shape[1],
            "circle: expected embeddings of shape (batch, dim), received y_pred of shape \(x.shape) and reference embeddings of shape \(reference.shape)")
    let queryLabels = yTrue.cast(to: .int32), keyLabels = refLabels?.cast(to: .int32) ?? queryLabels
    require(queryLabels.scalarCount == x.shape[0] && keyLabels.scalarCount == reference.shape[0]
                && [queryLabels, keyLabels].allSatisfy { $0.rank == 1 || ($0.rank == 2 && $0.shape[1] == 1) },
            "circle: expected one integer label per embedding, shape (batch,) or (batch, 1); received labels of shape \(yTrue.shape) for embeddings of shape \(x.shape)")
    let (positive, negative) = positiveNegativeMasks(queryLabels, keyLabels, removeDiagonal: removeDiagonal)

    let (optimPositive, optimNegative, deltaPositive, deltaNegative) = (margin, 1 + margin, margin, 1 - margin)
    let distances = (1 - x.matmul(reference.transposed())).maximum(0)
    let positiveWeights = ((optimPositive + distances) * positive.cast(to: x.dtype)).maximum(0)
    let negativeWeights = ((optimNegative - distances) * negative.cast(to: x.dtype)).maximum(0)
    let positiveTerms = -gamma * positiveWeights * (deltaPositive - distances)
    let negativeTerms = gamma * negativeWeights * (deltaNegative - distances)
    let minusInfinity = Tensor.full([], -.infinity, dtype: x.dtype)
    let positiveLoss = `where`(positive, positiveTerms, minusInfinity).logSumExp(axes: [1])
    let negativeLoss = `where`(negative, negativeTerms, minusInfinity).logSumExp(axes: [1])
    return softplus(positiveLoss + negativeLoss)
}

/// Keras's `build_pos_neg_masks`: `positive[i, j]` where query label `i` equals key label `j`
/// (not `i == j` when `removeDiagonal`), `negative` where they differ.
func positiveNegativeMasks(_ queryLabels: Tensor, _ keyLabels: Tensor, removeDiagonal: Bool) -> (positive: Tensor, negative: Tensor) {
    let query = queryLabels.reshaped(to: [-1, 1]), key = keyLabels.reshaped(to: [1, -1])
    var positive = query .== key
    let negative = positive.logicalNot()
    if removeDiagonal {
        positive = positive .&& Tensor.eye(query.shape[0], key.shape[1], dtype: .bool).logicalNot()
    }
    return (positive, negative)
}

/// The Circle loss for metric learning (`keras.losses.Circle`): pulls embeddings with the same
/// integer label together and pushes others apart, weighting each pair by how far it is from its
/// optimum. Feed it L2-normalized embeddings (end the model with `UnitNormalization`); samples
/// without a positive pair are left out of the mean (Keras masks losses that are 0).
public struct Circle: Loss {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "Circle"
    /// The `name` this `Circle` was created with.
    public var name: String, reduction: Reduction
    /// The scale `γ` of the similarity scores (Keras's default 80).
    public var gamma: Double
    /// The relaxation margin `m` (Keras's default 0.4).
    public var margin: Double
    /// Whether a sample's similarity with itself is left out of its positive pairs.
    public var removeDiagonal: Bool
    /// ```swift
    /// let loss = Circle(gamma: 80, margin: 0.4)
    /// loss(Tensor([0, 0, 1, 1]), embeddings)
    /// ```
    public init(gamma: Double = 80, margin: Double = 0.4, removeDiagonal: Bool = true, reduction: Reduction = .sumOverBatchSize,
                name: String = "circle") {
        (self.gamma, self.margin, self.removeDiagonal, self.reduction, self.name) = (gamma, margin, removeDiagonal, reduction, name)
    }
    /// The loss of each sample of `yPred` against `yTrue`, before reduction, with the mask to apply:
    /// the samples whose loss is positive (those with a positive pair), as Keras masks them.
    public func call(_ yTrue: Tensor, _ yPred: Tensor) -> (values: Tensor, mask: Tensor?) {
        let values = circle(yTrue, yPred, removeDiagonal: removeDiagonal, gamma: gamma, margin: margin)
        return (values, withoutRecording { values .> 0 })
    }
    /// The Keras config of this `Circle` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config {
        ["name": .string(name), "reduction": .string(reduction.rawValue), "gamma": .double(gamma), "margin": .double(margin),
         "remove_diagonal": .bool(removeDiagonal)]
    }
}

extension Circle: TargetShapeRule {
    /// Why `yTrue` cannot be scored against `yPred`, or `nil` when it can: embeddings of shape
    /// `(batch, dim)` and one integer label per sample.
    public func targetShapeProblem(yTrue: Tensor, yPred: Tensor) -> String? {
        guard yPred.rank == 2 else {
            return "circle expects embeddings of shape (batch, dim), received predictions of shape \(formatShape(yPred.shape))"
        }
        guard yTrue.rank == 1 || (yTrue.rank == 2 && yTrue.shape[1] == 1), yTrue.shape[0] == yPred.shape[0] else {
            return "circle expects one integer label per sample, shape (batch,) or (batch, 1), received targets of shape \(formatShape(yTrue.shape))"
        }
        return nil
    }

    /// Labels need not have the predictions' shape: the rule checks them.
    public var decidesTargetShapes: Bool { true }
}
