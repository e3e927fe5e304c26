import KerasCore

/// Intersection-over-union for chosen classes, from a weighted confusion matrix accumulated over
/// batches (`keras.metrics.IoU`, with Keras's `_IoUBase` folded in): the base of ``BinaryIoU``,
/// ``MeanIoU``, ``OneHotIoU`` and ``OneHotMeanIoU``.
///
/// Per class, `iou = tp / (tp + fp + fn)`; the result is the mean over `targetClassIds` of the
/// classes seen (a class whose denominator is 0 is left out of the mean; none seen gives 0).
/// Labels and predictions are class ids (`sparseYTrue`/`sparseYPred`), or scores whose
/// `argmax` along `axis` is the class. Ids outside `0..<numClasses`, and labels equal to
/// `ignoreClass`, are skipped.
///
/// As in Keras the confusion matrix has an integer `dtype` by default (`.int32`): labels and
/// sample weights are truncated toward zero (a weight of 0.5 counts as 0), NaN becomes 0 and
/// values beyond the integer range saturate, as XLA casts them. With a floating-point `dtype`
/// weights count as given and labels are range-checked before truncation.
///
/// ```swift
/// let iou = IoU(numClasses: 2, targetClassIds: [0])
/// iou.updateState(yTrue: Tensor([0, 0, 1, 1]), yPred: Tensor([0, 1, 0, 1]))
/// iou.result()   // 0.33333334
/// ```
open class IoU: Metric, @unchecked Sendable {
    /// The number of classes (the confusion matrix is `numClasses × numClasses`).
    public let numClasses: Int
    /// The classes whose IoU the result averages.
    public let targetClassIds: [Int]
    /// A label that is skipped (a "void" class), or `nil`.
    public let ignoreClass: Int?
    /// Whether labels are class ids (else `argmax` along `axis` picks them).
    public let sparseYTrue: Bool
    /// Whether predictions are class ids (else `argmax` along `axis` picks them).
    public let sparseYPred: Bool
    /// The class axis of dense labels or predictions.
    public let axis: Int
    /// The confusion matrix's dtype (Keras's `dtype`): `.int32` truncates weights and labels.
    public let dtype: DType
    /// Row = label, column = prediction, row-major.
    var matrix: [Double]

    /// The most classes a config may ask for: the confusion matrix holds `numClasses²` counts.
    static let maxClasses = 4096

    /// Keras's rules: `numClasses` positive (at most ``maxClasses`` here), `targetClassIds`
    /// non-empty and each in `0..<numClasses`, `dtype` a number type.
    static func validate(numClasses: Int, targetClassIds: [Int], dtype: DType, owner: String) throws {
        try ensure(numClasses > 0 && numClasses <= maxClasses,
                   "\(owner): `num_classes` must be an integer in 1…\(maxClasses), received \(numClasses)")
        try ensure(!targetClassIds.isEmpty, "\(owner): `target_class_ids` must not be empty")
        try ensure(targetClassIds.allSatisfy { $0 >= 0 && $0 < numClasses },
                   "\(owner): Target class id \(targetClassIds.first { $0 < 0 || $0 >= numClasses } ?? 0) is out of range, which is [0, \(numClasses)). Received: target_class_ids=\(targetClassIds)")
        try ensure(dtype != .bool, "\(owner): `dtype` must be an integer or float type, received \(dtype.rawValue)")
    }

    /// Creates an `IoU` with Keras's arguments and defaults (the names in Swift case).
    public init(numClasses: Int, targetClassIds: [Int], name: String = "io_u", ignoreClass: Int? = nil,
                sparseYTrue: Bool = true, sparseYPred: Bool = true, axis: Int = -1, dtype: DType = .int32) {
        requireValid { try IoU.validate(numClasses: numClasses, targetClassIds: targetClassIds, dtype: dtype, owner: name) }
        (self.numClasses, self.targetClassIds, self.ignoreClass) = (numClasses, targetClassIds, ignoreClass)
        (self.sparseYTrue, self.sparseYPred, self.axis, self.dtype) = (sparseYTrue, sparseYPred, axis, dtype)
        matrix = [Double](repeating: 0, count: numClasses * numClasses)
        super.init(name: name)
    }
    open override class var className: String { "IoU" }

    /// `dtype`, `num_classes`, `target_class_ids`, `ignore_class`, `sparse_y_true`, `sparse_y_pred`, `axis`.
    open override func metricConfig() -> Config {
        ["dtype": .string(dtype.rawValue), "num_classes": .int(numClasses), "target_class_ids": .array(targetClassIds.map(ConfigValue.int)),
         "ignore_class": ConfigValue(ignoreClass), "sparse_y_true": .bool(sparseYTrue), "sparse_y_pred": .bool(sparseYPred), "axis": .int(axis)]
    }

    /// The accumulated confusion matrix, `[numClasses, numClasses]` (Keras's
    /// `total_confusion_matrix`; rows are labels, columns predictions).
    public var totalConfusionMatrix: Tensor {
        Tensor(shape: [numClasses, numClasses], doubles: matrix, dtype: dtype)
    }

    /// `x` as the confusion matrix's dtype stores it: truncated and saturated for an integer
    /// dtype (NaN → 0, as XLA's cast), unchanged for a float one.
    func stored(_ x: Double) -> Double {
        guard dtype.isInteger else { return x }
        if x.isNaN { return 0 }
        let (low, high) = dtype == .int32 ? (Double(Int32.min), Double(Int32.max)) : (-9.223372036854776e18, 9.223372036854776e18)
        return Swift.min(Swift.max(x.rounded(.towardZero), low), high)
    }

    /// Why `yTrue` and `yPred` cannot be compared class by class, or `nil`: after the `argmax`
    /// of dense inputs they need as many elements, and `axis` must be a class axis.
    func classIdsProblem(yTrue: [Int], yPred: [Int]) -> String? {
        func reduced(_ shape: [Int], sparse: Bool, what: String) -> ([Int]?, String?) {
            if sparse { return (shape, nil) }
            let rank = shape.count
            guard axis >= -rank && axis < rank else {
                return (nil, "\(className): axis \(axis) is out of bounds for \(what) of rank \(rank) (shape \(formatShape(shape)))")
            }
            let a = axis < 0 ? axis + rank : axis
            guard a != 0 || rank == 1 else { return (nil, "\(className): axis \(axis) is the batch axis of \(what) of shape \(formatShape(shape))") }
            guard shape[a] > 0 else { return (nil, "\(className): cannot take the argmax of an empty axis of \(what) of shape \(formatShape(shape))") }
            var s = shape
            s.remove(at: a)
            return (s, nil)
        }
        let (t, tProblem) = reduced(yTrue, sparse: sparseYTrue, what: "targets")
        if let tProblem { return tProblem }
        let (p, pProblem) = reduced(yPred, sparse: sparseYPred, what: "predictions")
        if let pProblem { return pProblem }
        let nt = t!.reduce(1, *), np = p!.reduce(1, *)
        guard nt != np else { return nil }
        return "\(className): targets of shape \(formatShape(yTrue)) give \(nt) class ids but predictions of shape \(formatShape(yPred)) give \(np); they must match one for one"
    }

    /// Keras's `_IoUBase.update_state`: `yTrue`/`yPred` hold class ids (or scores, when not
    /// sparse); `sampleWeight` is broadcast to the labels (per-sample weights apply to each of a
    /// sample's ids).
    open override func updateState(yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor? = nil) {
        accumulate(yTrue: sparseYTrue ? yTrue : yTrue.argmax(axis: axis),
                   yPred: sparseYPred ? yPred : yPred.argmax(axis: axis), sampleWeight: sampleWeight)
    }

    /// Adds class ids `yTrue`/`yPred` (any shapes with as many elements) to the matrix.
    func accumulate(yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor?) {
        let labels = yTrue.doubles.map(stored), predictions = yPred.doubles.map(stored)
        require(labels.count == predictions.count,
                "\(className): \(labels.count) labels (shape \(yTrue.shape)) for \(predictions.count) predictions (shape \(yPred.shape))")
        var weights: [Double]? = nil
        if let sampleWeight {
            let w = sampleWeight.doubles.map(stored)
            if w.count == labels.count {
                weights = w
            } else if w.count == 1 {
                weights = Array(repeating: w[0], count: labels.count)
            } else {
                // One weight per sample (Keras requires weights broadcastable to the flat labels).
                require(!w.isEmpty && labels.count % w.count == 0,
                        "\(className): sample weights of shape \(sampleWeight.shape) do not broadcast to \(labels.count) labels (shape \(yTrue.shape))")
                let per = labels.count / w.count
                weights = w.flatMap { Array(repeating: $0, count: per) }
            }
        }
        let n = Double(numClasses), ignored = ignoreClass.map(Double.init)
        for i in labels.indices {
            let t = labels[i], p = predictions[i]
            guard t >= 0 && t < n && p >= 0 && p < n && t != ignored else { continue }
            matrix[Int(t) * numClasses + Int(p)] += weights?[i] ?? 1
        }
    }

    /// The mean IoU of the target classes seen, in float32 as Keras computes it.
    open override func result() -> Tensor {
        let n = numClasses
        let eps = Float(kerasEpsilon)
        var total: Float = 0, valid: Float = 0
        for c in targetClassIds {
            var predicted = 0.0, actual = 0.0
            for k in 0..<n { predicted += matrix[k * n + c]; actual += matrix[c * n + k] }
            let tp = matrix[c * n + c]
            let denominator = Float(stored(predicted + actual - tp))
            guard denominator > 1e-9 else { continue }
            valid += 1
            total += Float(tp) / (denominator + eps)
        }
        return Tensor(total / (valid + eps))
    }

    open override func resetState() {
        for i in matrix.indices { matrix[i] = 0 }
    }

    /// The confusion matrix, row-major (Keras's `total_confusion_matrix`).
    open override var additiveState: [Double]? {
        get { matrix }
        set { if let v = newValue, v.count == matrix.count { matrix = v } }
    }
}

extension IoU: TargetShapeRule {
    /// Targets and predictions must give one class id each (after the `argmax` of dense ones).
    public func targetShapeProblem(yTrue: Tensor, yPred: Tensor) -> String? {
        classIdsProblem(yTrue: yTrue.shape, yPred: yPred.shape)
    }

    /// Labels need not have the predictions' shape: the rule checks them.
    public var decidesTargetShapes: Bool { true }
}

/// IoU of a binary task: predictions at or above `threshold` are class 1, below it class 0
/// (`keras.metrics.BinaryIoU`); the result averages the IoU of `targetClassIds` (`[0]`, `[1]`
/// or `[0, 1]`). Labels are truncated to integers, as Keras's int32 confusion matrix does
/// (with its sample weights).
///
/// ```swift
/// let m = BinaryIoU(targetClassIds: [0, 1], threshold: 0.3)
/// m.updateState(yTrue: Tensor([0, 1, 0, 1]), yPred: Tensor([0.1, 0.2, 0.4, 0.7]))
/// m.result()   // 0.33333334
/// ```
public final class BinaryIoU: IoU, @unchecked Sendable {
    /// The decision threshold: predictions `>= threshold` are class 1.
    public let threshold: Double

    /// Keras's rules: ids in {0, 1}; the threshold any number but NaN (it may apply to logits).
    static func validate(targetClassIds: [Int], threshold: Double) throws {
        try IoU.validate(numClasses: 2, targetClassIds: targetClassIds, dtype: .int32, owner: "BinaryIoU")
        try ensure(!threshold.isNaN, "BinaryIoU: `threshold` must be a number, received nan")
    }

    /// Creates a `BinaryIoU` with Keras's arguments and defaults (the names in Swift case).
    public init(targetClassIds: [Int] = [0, 1], threshold: Double = 0.5, name: String = "binary_io_u", dtype: DType = .int32) {
        requireValid { try BinaryIoU.validate(targetClassIds: targetClassIds, threshold: threshold) }
        self.threshold = threshold
        super.init(numClasses: 2, targetClassIds: targetClassIds, name: name, dtype: dtype)
    }
    public override class var className: String { "BinaryIoU" }

    /// `target_class_ids`, `threshold` and `dtype` (Keras's `BinaryIoU.get_config`).
    public override func metricConfig() -> Config {
        ["target_class_ids": .array(targetClassIds.map(ConfigValue.int)), "threshold": .double(threshold), "dtype": .string(dtype.rawValue)]
    }

    public override func updateState(yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor? = nil) {
        let th = Float(threshold)
        let predicted = yPred.cast(to: .float32).toArray(of: Float.self).map { $0 >= th ? 1.0 : 0.0 }
        accumulate(yTrue: yTrue, yPred: Tensor(shape: yPred.shape, doubles: predicted, dtype: .float32), sampleWeight: sampleWeight)
    }
}

/// The mean IoU over all `numClasses` classes (`keras.metrics.MeanIoU`): ``IoU`` with every
/// class as a target.
///
/// ```swift
/// let m = MeanIoU(numClasses: 2)
/// m.updateState(yTrue: Tensor([0, 0, 1, 1]), yPred: Tensor([0, 1, 0, 1]))
/// m.result()   // 0.33333334
/// ```
open class MeanIoU: IoU, @unchecked Sendable {
    /// Creates a `MeanIoU` with Keras's arguments and defaults (the names in Swift case).
    public init(numClasses: Int, name: String = "mean_io_u", ignoreClass: Int? = nil, sparseYTrue: Bool = true,
                sparseYPred: Bool = true, axis: Int = -1, dtype: DType = .int32) {
        super.init(numClasses: numClasses, targetClassIds: Array(0..<Swift.max(numClasses, 1)), name: name, ignoreClass: ignoreClass,
                   sparseYTrue: sparseYTrue, sparseYPred: sparseYPred, axis: axis, dtype: dtype)
    }
    open override class var className: String { "MeanIoU" }

    /// `num_classes`, `dtype`, `ignore_class`, `sparse_y_true`, `sparse_y_pred`, `axis`.
    open override func metricConfig() -> Config {
        ["num_classes": .int(numClasses), "dtype": .string(dtype.rawValue), "ignore_class": ConfigValue(ignoreClass),
         "sparse_y_true": .bool(sparseYTrue), "sparse_y_pred": .bool(sparseYPred), "axis": .int(axis)]
    }
}

/// IoU for one-hot labels (`keras.metrics.OneHotIoU`): labels, and predictions unless
/// `sparseYPred`, are turned into class ids by `argmax` along `axis`.
///
/// ```swift
/// let m = OneHotIoU(numClasses: 3, targetClassIds: [0, 2])
/// m.updateState(yTrue: Tensor([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]), yPred: Tensor([[0.2, 0.3, 0.5], [0.1, 0.2, 0.7]]))
/// ```
public final class OneHotIoU: IoU, @unchecked Sendable {
    /// Creates a `OneHotIoU` with Keras's arguments and defaults (the names in Swift case).
    public init(numClasses: Int, targetClassIds: [Int], name: String = "one_hot_io_u", ignoreClass: Int? = nil,
                sparseYPred: Bool = false, axis: Int = -1, dtype: DType = .int32) {
        super.init(numClasses: numClasses, targetClassIds: targetClassIds, name: name, ignoreClass: ignoreClass,
                   sparseYTrue: false, sparseYPred: sparseYPred, axis: axis, dtype: dtype)
    }
    public override class var className: String { "OneHotIoU" }

    /// `num_classes`, `target_class_ids`, `dtype`, `ignore_class`, `sparse_y_pred`, `axis`.
    public override func metricConfig() -> Config {
        ["num_classes": .int(numClasses), "target_class_ids": .array(targetClassIds.map(ConfigValue.int)), "dtype": .string(dtype.rawValue),
         "ignore_class": ConfigValue(ignoreClass), "sparse_y_pred": .bool(sparseYPred), "axis": .int(axis)]
    }
}

/// The mean IoU over all classes for one-hot labels (`keras.metrics.OneHotMeanIoU`).
///
/// ```swift
/// let m = OneHotMeanIoU(numClasses: 3)
/// m.updateState(yTrue: Tensor([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]), yPred: Tensor([[0.2, 0.3, 0.5], [0.1, 0.2, 0.7]]))
/// ```
public final class OneHotMeanIoU: MeanIoU, @unchecked Sendable {
    /// Creates a `OneHotMeanIoU` with Keras's arguments and defaults (the names in Swift case).
    public init(numClasses: Int, name: String = "one_hot_mean_io_u", ignoreClass: Int? = nil, sparseYPred: Bool = false,
                axis: Int = -1, dtype: DType = .int32) {
        super.init(numClasses: numClasses, name: name, ignoreClass: ignoreClass, sparseYTrue: false, sparseYPred: sparseYPred,
                   axis: axis, dtype: dtype)
    }
    public override class var className: String { "OneHotMeanIoU" }

    /// `num_classes`, `dtype`, `ignore_class`, `sparse_y_pred`, `axis`.
    public override func metricConfig() -> Config {
        ["num_classes": .int(numClasses), "dtype": .string(dtype.rawValue), "ignore_class": ConfigValue(ignoreClass),
         "sparse_y_pred": .bool(sparseYPred), "axis": .int(axis)]
    }
}
