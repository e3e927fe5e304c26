import KerasCore

/// One-hot encodes integer class labels (`keras.utils.to_categorical`): the output has the input's
/// shape plus a trailing class axis of `numClasses` (default `max(y) + 1`), as `float32`.
/// A trailing axis of size 1 (labels shaped `[N, 1]`) is dropped first, as Keras does.
///
/// Throws `KerasError.invalidData` naming the function for a label that is negative, fractional,
/// NaN or infinite, or outside `0..<numClasses`, and `invalidArgument` for a `numClasses` that is
/// not positive or whose output would pass 2³¹ − 1 elements.
///
/// ```swift
/// let y = try toCategorical(Tensor([0, 2, 1]), numClasses: 3)
/// // [[1, 0, 0], [0, 0, 1], [0, 1, 0]], shape [3, 3], float32
/// ```
public func toCategorical(_ y: Tensor, numClasses: Int? = nil) throws -> Tensor {
    var shape = y.shape
    if shape.count > 1 && shape.last == 1 { shape.removeLast() }
    if let numClasses, numClasses <= 0 {
        throw KerasError.invalidArgument("toCategorical: numClasses must be a positive integer, received \(numClasses)")
    }
    let values = y.doubles
    var labels = [Int](repeating: 0, count: values.count)
    for (i, v) in values.enumerated() {
        guard let label = Int(exactly: v), label >= 0 else {
            throw KerasError.invalidData("toCategorical: expected non-negative integer class labels, got \(v) at index \(i)")
        }
        labels[i] = label
    }
    let classes = numClasses ?? ((labels.max() ?? -1) + 1)
    if let bad = labels.firstIndex(where: { $0 >= classes }) {
        throw KerasError.invalidData("toCategorical: expected class labels in 0..<\(classes), got \(labels[bad]) at index \(bad)")
    }
    guard boundedElementCount(shape + [classes]) != nil else {
        throw KerasError.invalidArgument("toCategorical: \(labels.count) labels × \(classes) classes would hold more than \(maxWeightElements) elements")
    }
    return Tensor(shape: shape + [classes], dtype: .float32) { (out: UnsafeMutableBufferPointer<Float>) in
        out.initialize(repeating: 0)
        for (i, label) in labels.enumerated() { out[i * classes + label] = 1 }
    }
}

/// ``toCategorical(_:numClasses:)`` for a plain array of labels.
///
/// ```swift
/// let y = try toCategorical([1, 0, 3])   // shape [3, 4]
/// ```
public func toCategorical(_ labels: [Int], numClasses: Int? = nil) throws -> Tensor {
    try toCategorical(Tensor(shape: [labels.count], doubles: labels.map(Double.init), dtype: .float64), numClasses: numClasses)
}
