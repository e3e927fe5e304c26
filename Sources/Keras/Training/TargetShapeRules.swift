import KerasCore

/// A loss or metric that needs more of its targets and predictions than broadcasting: `fit` and
/// `evaluate` ask it before the first step (with one sample of each), so data that does not fit
/// throws naming the loss or metric instead of stopping inside it — where Keras raises its
/// `ValueError` at the first batch.
///
/// ```swift
/// CategoricalCrossentropy().targetShapeProblem(yTrue: Tensor.ones([1, 1]), yPred: Tensor.ones([1, 4]))
/// // "expects targets of the predictions' shape (1, 4) (one-hot) …"
/// ```
public protocol TargetShapeRule {
    /// Why targets like `yTrue` cannot be scored against predictions like `yPred`, or `nil`.
    func targetShapeProblem(yTrue: Tensor, yPred: Tensor) -> String?
    /// Whether ``targetShapeProblem(yTrue:yPred:)`` decides on its own which target shapes fit
    /// (class ids against class scores, labels against embeddings), so `fit` does not also
    /// require targets that compare elementwise with the predictions; `false` unless a rule says so.
    var decidesTargetShapes: Bool { get }
}

extension TargetShapeRule {
    /// The rule adds to `fit`'s elementwise comparison of targets and predictions.
    public var decidesTargetShapes: Bool { false }
}

/// Categorical cross-entropy compares one-hot targets with predictions of the same shape, its
/// classes along `axis`.
private func oneHotShapeProblem(_ yTrue: Tensor, _ yPred: Tensor, axis: Int) -> String? {
    let (t, p) = squeezeOrExpandToSameRank(yTrue, yPred)
    if t.shape != p.shape {
        return "categorical_crossentropy expects one-hot targets of the predictions' shape \(formatShape(p.shape)), received targets of shape \(formatShape(t.shape)); use sparse_categorical_crossentropy for integer labels"
    }
    guard axis < -p.rank || axis >= p.rank else { return nil }
    return "categorical_crossentropy's axis \(axis) is out of bounds for predictions of rank \(p.rank)"
}

extension CategoricalCrossentropy: TargetShapeRule {
    /// Why `yTrue` cannot be scored against `yPred`, or `nil` when it can.
    public func targetShapeProblem(yTrue: Tensor, yPred: Tensor) -> String? { oneHotShapeProblem(yTrue, yPred, axis: axis) }
}

extension Metrics.CategoricalCrossentropy: TargetShapeRule {
    /// Why `yTrue` cannot be scored against `yPred`, or `nil` when it can.
    public func targetShapeProblem(yTrue: Tensor, yPred: Tensor) -> String? { oneHotShapeProblem(yTrue, yPred, axis: axis) }
}

extension R2Score: TargetShapeRule {
    /// Keras's rule: 2-D targets and predictions, `(batch_size, output_dim)`.
    public func targetShapeProblem(yTrue: Tensor, yPred: Tensor) -> String? {
        let (t, p) = squeezeOrExpandToSameRank(yTrue, yPred)
        guard t.rank != 2 || p.rank != 2 else { return nil }
        return "R2Score expects 2D inputs with shape (batch_size, output_dim). Received input shapes: y_pred.shape=\(formatShape(p.shape)) and y_true.shape=\(formatShape(t.shape))"
    }
}

extension FBetaScore: TargetShapeRule {
    /// Keras's rule: 2-D targets and predictions, `(batch_size, output_dim)`.
    public func targetShapeProblem(yTrue: Tensor, yPred: Tensor) -> String? {
        guard yTrue.rank != 2 || yPred.rank != 2 else { return nil }
        return "\(className) expects 2D inputs with shape (batch_size, output_dim). Received input shapes: y_pred.shape=\(formatShape(yPred.shape)) and y_true.shape=\(formatShape(yTrue.shape))"
    }
}

extension CategoricalAccuracy: TargetShapeRule {
    /// Targets need the predictions' rows: one one-hot row per prediction.
    public func targetShapeProblem(yTrue: Tensor, yPred: Tensor) -> String? { oneHotRowsProblem(yTrue, yPred) }
}

extension TopKCategoricalAccuracy: TargetShapeRule {
    /// Targets need the predictions' rows: one one-hot row per prediction.
    public func targetShapeProblem(yTrue: Tensor, yPred: Tensor) -> String? { oneHotRowsProblem(yTrue, yPred) }
}

