import KerasCore

/// Losses and metrics whose targets are integer class indices (one axis fewer than the
/// predictions, or a trailing axis of 1) rather than arrays shaped like the predictions.
/// `fit`/`evaluate` check every label of such targets before training.
protocol ClassLabelTargets {
    /// A label value that is skipped rather than checked (`ignoreClass`).
    var ignoredLabel: Int? { get }
}

extension ClassLabelTargets {
    var ignoredLabel: Int? { nil }
}

extension SparseCategoricalCrossentropy: ClassLabelTargets {
    var ignoredLabel: Int? { ignoreClass }
}
extension SparseCategoricalAccuracy: ClassLabelTargets {}
extension SparseTopKCategoricalAccuracy: ClassLabelTargets {}
extension Metrics.SparseCategoricalCrossentropy: ClassLabelTargets {}

/// One check on the targets of one output: class labels for a sparse loss or metric.
struct ClassLabelCheck {
    let output: Int
    let classes: Int
    let ignoredLabel: Int?
    /// The loss or metric that needs the labels, for messages.
    let consumer: String
    /// `"the model output"` or `output "name"`, for messages.
    let outputDescription: String

    /// Throws unless `targets` has the shape of class labels for `prediction`'s shape.
    func checkShape(target: [Int], prediction: [Int], op: String) throws {
        let labelShape = target.count == prediction.count && target.last == 1 ? Array(target.dropLast()) : target
        guard labelShape.count == prediction.count - 1 else {
            let hint = target.count == prediction.count && target.last == prediction.last
                ? "these look like one-hot targets; use CategoricalCrossentropy / CategoricalAccuracy for them, or pass integer labels"
                : "pass one integer class label per prediction row"
            throw KerasError.invalidData("\(op): \(consumer) expects integer class labels of shape \(formatShape([nil] + prediction.dropFirst().dropLast().map { Optional($0) })) for \(outputDescription) of shape \(formatShape([nil] + prediction.dropFirst().map { Optional($0) })), but received targets of shape \(formatShape([nil] + target.dropFirst().map { Optional($0) })); \(hint)")
        }
    }

    /// Throws at the first label that is not an integer in `0..<classes` (or the ignored label):
    /// every sample is looked at, whatever its value (NaN, huge, fractional).
    func checkLabels(_ target: Tensor, op: String, sampleOffset: Int = 0) throws {
        let perSample = target.rank > 0 && target.shape[0] > 0 ? target.scalarCount / target.shape[0] : 1
        let bad: (index: Int, value: String)?
        switch target.dtype {
        case .float32: bad = firstBad(target, Float.self) { Double($0) }
        case .float64: bad = firstBad(target, Double.self) { $0 }
        case .int32: bad = firstBad(target, Int32.self) { Double($0) }
        case .int64: bad = firstBad(target, Int64.self) { Double($0) }
        case .bool: bad = nil
        }
        guard let bad else { return }
        let sample = sampleOffset + bad.index / Swift.max(perSample, 1)
        throw KerasError.invalidData("\(op): label \(bad.value) of sample \(sample) is out of range for \(outputDescription), which has \(classes) classes (labels must be integers in 0..<\(classes)\(ignoredLabel.map { " or the ignored class \($0)" } ?? "")); \(consumer)")
    }

    private func firstBad<T: TensorScalar>(_ t: Tensor, _: T.Type, _ toDouble: (T) -> Double) -> (Int, String)? {
        let upper = Double(classes), ignored = ignoredLabel.map(Double.init)
        return t.withUnsafeBufferPointer(of: T.self) { values in
            for (i, raw) in values.enumerated() {
                let v = toDouble(raw)
                if v >= 0 && v < upper && v == v.rounded(.towardZero) { continue }
                if let ignored, v == ignored { continue }
                return (i, "\(raw)")
            }
            return nil
        }
    }
}
