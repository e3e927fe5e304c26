import KerasCore

/// Row-major values of a tensor with its leading rows and trailing width (`[..., C]` → rows × C).
private func rowsOf(_ t: Tensor) -> (rows: Int, width: Int, data: [Double]) {
    let width = t.rank == 0 ? 1 : t.shape[t.rank - 1]
    return (width == 0 ? 0 : t.scalarCount / width, width, t.doubles)
}

/// Index of the first maximum of each row.
private func rowArgmax(_ data: [Double], rows: Int, width: Int) -> [Int] {
    (0..<rows).map { r in
        var best = 0
        for c in 1..<max(width, 1) where data[r * width + c] > data[r * width + best] { best = c }
        return best
    }
}

/// `1` where `yTrue == yPred` elementwise, else `0` (`keras.metrics.accuracy`).
public func accuracy(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
    let (t, p) = squeezeOrExpandToSameRank(yTrue.cast(to: .float64), yPred.cast(to: .float64))
    return (t .== p).cast(to: .float32)
}

/// `1` where `(yPred > threshold) == yTrue` elementwise (`keras.metrics.binary_accuracy`).
public func binaryAccuracy(_ yTrue: Tensor, _ yPred: Tensor, threshold: Double = 0.5) -> Tensor {
    let (t, p) = squeezeOrExpandToSameRank(yTrue, yPred)
    let predicted = (p.cast(to: .float32) .> Double(Float(threshold))).cast(to: .float64)
    return (t.cast(to: .float64) .== predicted).cast(to: .float32)
}

/// `1` per sample where `argmax(yPred) == argmax(yTrue)` (`keras.metrics.categorical_accuracy`).
public func categoricalAccuracy(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
    requireSameRows(yTrue, yPred, "categorical_accuracy")
    let (rows, width, truth) = rowsOf(yTrue)
    let (_, predWidth, pred) = rowsOf(yPred)
    let a = rowArgmax(truth, rows: rows, width: width), b = rowArgmax(pred, rows: rows, width: predWidth)
    return Tensor(shape: Array(yTrue.shape.dropLast()), scalars: zip(a, b).map { Float($0 == $1 ? 1 : 0) })
}

/// `1` per sample where `argmax(yPred)` equals the integer label (`keras.metrics.sparse_categorical_accuracy`).
public func sparseCategoricalAccuracy(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
    var labels = yTrue
    if labels.rank == yPred.rank && labels.shape.last == 1 { labels = labels.squeezing(axes: [-1]) }
    let (rows, width, pred) = rowsOf(yPred)
    require(labels.scalarCount == rows,
                 "sparse_categorical_accuracy: \(labels.scalarCount) labels (shape \(yTrue.shape)) for \(rows) predictions (shape \(yPred.shape))")
    let truth = labels.doubles
    let predicted = rowArgmax(pred, rows: rows, width: width)
    return Tensor(shape: [rows], scalars: (0..<rows).map { Float(Double(predicted[$0]) == truth[$0] ? 1 : 0) })
}

/// Stops unless one-hot targets and predictions have the same rows (every axis but the last).
private func requireSameRows(_ yTrue: Tensor, _ yPred: Tensor, _ metric: String) {
    require(oneHotRowsProblem(yTrue, yPred) == nil, "\(metric): \(oneHotRowsProblem(yTrue, yPred) ?? "")")
}

/// Why one-hot targets `yTrue` and predictions `yPred` do not have the same rows (every axis
/// but the last, one row per sample and position), or `nil`.
func oneHotRowsProblem(_ yTrue: Tensor, _ yPred: Tensor) -> String? {
    guard Array(yTrue.shape.dropLast()) != Array(yPred.shape.dropLast()) else { return nil }
    return "expects one-hot targets with the predictions' rows (shape \(formatShape(Array(yPred.shape.dropLast()) + [nil])) with any last axis), received targets of shape \(formatShape(yTrue.shape))"
}

/// Whether each label's score is among the `k` largest of its row (ties count as in); a label
/// outside the row is not (as TensorFlow's `in_top_k`).
private func inTopK(_ labels: [Int], _ pred: [Double], rows: Int, width: Int, k: Int) -> [Float] {
    (0..<rows).map { r in
        guard labels[r] >= 0 && labels[r] < width else { return 0 }
        let target = pred[r * width + labels[r]]
        var greater = 0
        for c in 0..<width where pred[r * width + c] > target { greater += 1 }
        return greater < k ? 1 : 0
    }
}

/// `1` where the true class is among the top `k` predictions (`keras.metrics.top_k_categorical_accuracy`).
public func topKCategoricalAccuracy(_ yTrue: Tensor, _ yPred: Tensor, k: Int = 5) -> Tensor {
    requireSameRows(yTrue, yPred, "top_k_categorical_accuracy")
    let (rows, width, truth) = rowsOf(yTrue)
    let (_, predWidth, pred) = rowsOf(yPred)
    let labels = rowArgmax(truth, rows: rows, width: width)
    return Tensor(shape: [rows], scalars: inTopK(labels, pred, rows: rows, width: predWidth, k: k))
}

/// `1` where the integer label is among the top `k` predictions.
public func sparseTopKCategoricalAccuracy(_ yTrue: Tensor, _ yPred: Tensor, k: Int = 5) -> Tensor {
    let (rows, width, pred) = rowsOf(yPred)
    let labels = yTrue.doubles.map { Int($0) }
    require(labels.count == rows, "sparse_top_k_categorical_accuracy: \(labels.count) labels for \(rows) predictions")
    return Tensor(shape: [rows], scalars: inTopK(labels, pred, rows: rows, width: width, k: k))
}

/// How often predictions equal labels exactly (`keras.metrics.Accuracy`).
///
/// ```swift
/// let m = Accuracy()
/// m.updateState(yTrue: Tensor([[1], [2]]), yPred: Tensor([[1], [3]]))   // 0.5
/// ```
public final class Accuracy: MeanMetricWrapper, @unchecked Sendable {
    /// Creates an `Accuracy` with Keras's arguments and defaults (the names in Swift case).
    public init(name: String = "accuracy") { super.init(name: name) { accuracy($0, $1) } }
    public override class var className: String { "Accuracy" }
}

/// How often `yPred > threshold` matches binary labels (`keras.metrics.BinaryAccuracy`).
///
/// ```swift
/// let m = BinaryAccuracy(threshold: 0.5)
/// m.updateState(yTrue: Tensor([[1.0], [0.0]]), yPred: Tensor([[0.9], [0.6]]))   // 0.5
/// ```
public final class BinaryAccuracy: MeanMetricWrapper, @unchecked Sendable {
    /// The `threshold` this `BinaryAccuracy` was created with.
    public let threshold: Double
    /// Creates a `BinaryAccuracy` with Keras's arguments and defaults (the names in Swift case).
    public init(name: String = "binary_accuracy", threshold: Double = 0.5) {
        self.threshold = threshold
        super.init(name: name) { binaryAccuracy($0, $1, threshold: threshold) }
    }
    public override class var className: String { "BinaryAccuracy" }
    public override func metricConfig() -> Config { ["threshold": .double(threshold)] }
}

/// How often `argmax(yPred)` matches one-hot labels (`keras.metrics.CategoricalAccuracy`).
///
/// ```swift
/// let m = CategoricalAccuracy()
/// m.updateState(yTrue: Tensor([[0.0, 1.0]]), yPred: Tensor([[0.3, 0.7]]))   // 1
/// ```
public final class CategoricalAccuracy: MeanMetricWrapper, @unchecked Sendable {
    /// Creates a `CategoricalAccuracy` with Keras's arguments and defaults (the names in Swift case).
    public init(name: String = "categorical_accuracy") { super.init(name: name) { categoricalAccuracy($0, $1) } }
    public override class var className: String { "CategoricalAccuracy" }
}

/// How often `argmax(yPred)` matches integer labels (`keras.metrics.SparseCategoricalAccuracy`).
///
/// ```swift
/// let m = SparseCategoricalAccuracy()
/// m.updateState(yTrue: Tensor([1]), yPred: Tensor([[0.3, 0.7]]))   // 1
/// ```
public final class SparseCategoricalAccuracy: MeanMetricWrapper, @unchecked Sendable {
    /// Creates a `SparseCategoricalAccuracy` with Keras's arguments and defaults (the names in Swift case).
    public init(name: String = "sparse_categorical_accuracy") { super.init(name: name) { sparseCategoricalAccuracy($0, $1) } }
    public override class var className: String { "SparseCategoricalAccuracy" }
}

/// How often the one-hot class is in the top `k` predictions (`keras.metrics.TopKCategoricalAccuracy`).
///
/// ```swift
/// let m = TopKCategoricalAccuracy(k: 2)
/// ```
public final class TopKCategoricalAccuracy: MeanMetricWrapper, @unchecked Sendable {
    /// The `k` this `TopKCategoricalAccuracy` was created with.
    public let k: Int
    /// Creates a `TopKCategoricalAccuracy` with Keras's arguments and defaults (the names in Swift case).
    public init(k: Int = 5, name: String = "top_k_categorical_accuracy") {
        self.k = k
        super.init(name: name) { topKCategoricalAccuracy($0, $1, k: k) }
    }
    public override class var className: String { "TopKCategoricalAccuracy" }
    public override func metricConfig() -> Config { ["k": .int(k)] }
}

/// How often the integer label is in the top `k` predictions (`keras.metrics.SparseTopKCategoricalAccuracy`).
///
/// ```swift
/// let m = SparseTopKCategoricalAccuracy(k: 2)
/// ```
public final class SparseTopKCategoricalAccuracy: MeanMetricWrapper, @unchecked Sendable {
    /// The `k` this `SparseTopKCategoricalAccuracy` was created with.
    public let k: Int
    /// Creates a `SparseTopKCategoricalAccuracy` with Keras's arguments and defaults (the names in Swift case).
    public init(k: Int = 5, name: String = "sparse_top_k_categorical_accuracy") {
        self.k = k
        super.init(name: name) { sparseTopKCategoricalAccuracy($0, $1, k: k) }
    }
    public override class var className: String { "SparseTopKCategoricalAccuracy" }
    public override func metricConfig() -> Config { ["k": .int(k)] }
}
