import KerasCore

/// One-hot rows for integer (or integral float) class indices: shape `labels.shape + [classes]`.
func oneHot(_ labels: Tensor, classes: Int, dtype: DType) -> Tensor {
    let range = Tensor.arange(0, Double(classes), dtype: .float64)
    return (labels.cast(to: .float64).expandingDims(at: -1) .== range).cast(to: dtype)
}

/// `−log(sigmoid(x))` written stably: `softplus(−x)`.
func logSigmoid(_ x: Tensor) -> Tensor { -softplus(-x) }

/// Elementwise binary cross-entropy (Keras's `ops.binary_crossentropy`): probabilities are clipped to
/// `[ε, 1−ε]`; logits use `log_sigmoid`.
func elementwiseBinaryCrossentropy(_ t: Tensor, _ p: Tensor, fromLogits: Bool) -> Tensor {
    if fromLogits { return -(t * logSigmoid(p) + (1 - t) * logSigmoid(-p)) }
    let q = p.clip(kerasEpsilon, 1 - kerasEpsilon)
    return -(t * q.log() + (1 - t) * (1 - q).log())
}

/// `mean(bce(yTrue, yPred), axis=-1)`; `labelSmoothing` pulls labels toward 0.5.
public func binaryCrossentropy(_ yTrue: Tensor, _ yPred: Tensor, fromLogits: Bool = false, labelSmoothing: Double = 0) -> Tensor {
    let p = floatPrediction(yPred)
    var t = labels(yTrue, like: p)
    if labelSmoothing != 0 { t = t * (1 - labelSmoothing) + 0.5 * labelSmoothing }
    return elementwiseBinaryCrossentropy(t, p, fromLogits: fromLogits).mean(axes: [-1])
}

/// Focal binary cross-entropy: `(1 − p_t)^γ · bce`, optionally weighted by `α` / `1 − α`.
public func binaryFocalCrossentropy(_ yTrue: Tensor, _ yPred: Tensor, applyClassBalancing: Bool = false, alpha: Double = 0.25,
                                    gamma: Double = 2, fromLogits: Bool = false, labelSmoothing: Double = 0) -> Tensor {
    var p = floatPrediction(yPred)
    var t = labels(yTrue, like: p)
    if labelSmoothing != 0 { t = t * (1 - labelSmoothing) + 0.5 * labelSmoothing }
    if fromLogits { p = p.sigmoid() }
    let bce = elementwiseBinaryCrossentropy(t, p, fromLogits: false)
    let pt = t * p + (1 - t) * (1 - p)
    var focal = (1 - pt).pow(gamma) * bce
    if applyClassBalancing { focal = (t * alpha + (1 - t) * (1 - alpha)) * focal }
    return focal.mean(axes: [-1])
}

/// `−Σ t·log p` over the class axis (probabilities renormalized and clipped, or logits through log-softmax).
public func categoricalCrossentropy(_ yTrue: Tensor, _ yPred: Tensor, fromLogits: Bool = false, labelSmoothing: Double = 0,
                                    axis: Int = -1) -> Tensor {
    let p = floatPrediction(yPred)
    var t = labels(yTrue, like: p)
    require(t.shape == p.shape, "categorical_crossentropy: y_true shape \(t.shape) and y_pred shape \(p.shape) must match (use sparse_categorical_crossentropy for integer labels)")
    if labelSmoothing != 0 { t = smoothCategoricalLabels(t, labelSmoothing) }
    if fromLogits { return -(t * p.logSoftmax(axis: axis)).sum(axes: [axis]) }
    return -(t * normalizedClippedProbabilities(p, axis: axis).log()).sum(axes: [axis])
}

/// One-hot labels pulled toward uniform: `t·(1 − s) + s / classes`, the classes counted along the
/// last axis (as Keras does, whatever the loss's `axis`).
func smoothCategoricalLabels(_ t: Tensor, _ labelSmoothing: Double) -> Tensor {
    t * (1 - labelSmoothing) + labelSmoothing / Double(t.shape[t.rank - 1])
}

/// Probabilities renormalized to sum to 1 along `axis`, then clipped to `[ε, 1 − ε]` (Keras's
/// categorical cross-entropy on probabilities).
func normalizedClippedProbabilities(_ p: Tensor, axis: Int) -> Tensor {
    (p / p.sum(axes: [axis], keepDims: true)).clip(kerasEpsilon, 1 - kerasEpsilon)
}

/// Cross-entropy for integer labels: `−log p[label]` per sample. With `fromLogits` this runs the
/// fused `KerasCore/Tensor/sparseSoftmaxCrossEntropy(labels:)`. A trailing 1-dim on the labels is
/// squeezed; labels equal to `ignoreClass` give 0 (and are masked by the class form).
public func sparseCategoricalCrossentropy(_ yTrue: Tensor, _ yPred: Tensor, fromLogits: Bool = false,
                                          ignoreClass: Int? = nil) -> Tensor {
    sparseCrossentropyWithMask(yTrue, yPred, fromLogits: fromLogits, ignoreClass: ignoreClass).values
}

func sparseCrossentropyWithMask(_ yTrue: Tensor, _ yPred: Tensor, fromLogits: Bool, ignoreClass: Int?) -> (values: Tensor, mask: Tensor?) {
    var p = floatPrediction(yPred)
    var t = yTrue
    if t.rank == p.rank && t.shape.last == 1 { t = t.squeezing(axes: [-1]) }
    require(t.shape == Array(p.shape.dropLast()),
                 "sparse_categorical_crossentropy: labels of shape \(yTrue.shape) do not fit predictions of shape \(yPred.shape); expected labels of shape \(Array(p.shape.dropLast())) holding class indices (use categorical_crossentropy for one-hot labels)")
    var valid: Tensor? = nil
    if let ignoreClass {
        let v = t.cast(to: .float64) .!= Double(ignoreClass)
        valid = v
        t = `where`(v, t, Tensor.zeros([], dtype: t.dtype))
        p = `where`(v.expandingDims(at: -1), p, Tensor.zeros([], dtype: p.dtype))
    }
    var result: Tensor
    if fromLogits {
        result = p.sparseSoftmaxCrossEntropy(labels: t.dtype.isInteger ? t : t.cast(to: .int64))
    } else {
        let q = normalizedClippedProbabilities(p, axis: -1)
        result = -(oneHot(t, classes: p.shape[p.rank - 1], dtype: p.dtype) * q.log()).sum(axes: [-1])
    }
    if let valid { result = `where`(valid, result, Tensor.zeros([], dtype: result.dtype)) }
    return (result, valid)
}

/// Binary cross-entropy for 0/1 labels (`keras.losses.BinaryCrossentropy`).
public struct BinaryCrossentropy: Loss {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "BinaryCrossentropy"
    /// The `name` this `BinaryCrossentropy` was created with.
    public var name: String, reduction: Reduction, fromLogits: Bool, labelSmoothing: Double, axis: Int
    /// ```swift
    /// BinaryCrossentropy(fromLogits: true)(Tensor([[1.0, 0.0]]), Tensor([[2.0, -1.0]]))
    /// ```
    public init(fromLogits: Bool = false, labelSmoothing: Double = 0, axis: Int = -1, reduction: Reduction = .sumOverBatchSize,
                name: String = "binary_crossentropy") {
        (self.fromLogits, self.labelSmoothing, self.axis, self.reduction, self.name) = (fromLogits, labelSmoothing, axis, reduction, name)
    }
    /// The loss of each sample of `yPred` against `yTrue`, before reduction, with the mask to apply (if any).
    public func call(_ yTrue: Tensor, _ yPred: Tensor) -> (values: Tensor, mask: Tensor?) {
        (binaryCrossentropy(yTrue, yPred, fromLogits: fromLogits, labelSmoothing: labelSmoothing), nil)
    }
    /// The Keras config of this `BinaryCrossentropy` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config {
        ["name": .string(name), "reduction": .string(reduction.rawValue), "from_logits": .bool(fromLogits),
         "label_smoothing": .double(labelSmoothing), "axis": .int(axis)]
    }
}

/// Focal binary cross-entropy (`keras.losses.BinaryFocalCrossentropy`).
public struct BinaryFocalCrossentropy: Loss {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "BinaryFocalCrossentropy"
    /// The `name` this `BinaryFocalCrossentropy` was created with.
    public var name: String, reduction: Reduction, applyClassBalancing: Bool, alpha: Double, gamma: Double
    /// The `fromLogits` this `BinaryFocalCrossentropy` was created with.
    public var fromLogits: Bool, labelSmoothing: Double, axis: Int
    /// ```swift
    /// BinaryFocalCrossentropy(gamma: 2)(Tensor([[1.0, 0.0]]), Tensor([[0.9, 0.2]]))
    /// ```
    public init(applyClassBalancing: Bool = false, alpha: Double = 0.25, gamma: Double = 2, fromLogits: Bool = false,
                labelSmoothing: Double = 0, axis: Int = -1, reduction: Reduction = .sumOverBatchSize,
                name: String = "binary_focal_crossentropy") {
        (self.applyClassBalancing, self.alpha, self.gamma, self.fromLogits, self.labelSmoothing, self.axis, self.reduction, self.name) =
            (applyClassBalancing, alpha, gamma, fromLogits, labelSmoothing, axis, reduction, name)
    }
    /// The loss of each sample of `yPred` against `yTrue`, before reduction, with the mask to apply (if any).
    public func call(_ yTrue: Tensor, _ yPred: Tensor) -> (values: Tensor, mask: Tensor?) {
        (binaryFocalCrossentropy(yTrue, yPred, applyClassBalancing: applyClassBalancing, alpha: alpha, gamma: gamma,
                                 fromLogits: fromLogits, labelSmoothing: labelSmoothing), nil)
    }
    /// The Keras config of this `BinaryFocalCrossentropy` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config {
        ["name": .string(name), "reduction": .string(reduction.rawValue), "from_logits": .bool(fromLogits),
         "label_smoothing": .double(labelSmoothing), "axis": .int(axis), "apply_class_balancing": .bool(applyClassBalancing),
         "alpha": .double(alpha), "gamma": .double(gamma)]
    }
}

/// Cross-entropy for one-hot labels (`keras.losses.CategoricalCrossentropy`).
public struct CategoricalCrossentropy: Loss {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "CategoricalCrossentropy"
    /// The `name` this `CategoricalCrossentropy` was created with.
    public var name: String, reduction: Reduction, fromLogits: Bool, labelSmoothing: Double, axis: Int
    /// ```swift
    /// CategoricalCrossentropy()(Tensor([[0.0, 1.0]]), Tensor([[0.2, 0.8]]))   // 0.223
    /// ```
    public init(fromLogits: Bool = false, labelSmoothing: Double = 0, axis: Int = -1, reduction: Reduction = .sumOverBatchSize,
                name: String = "categorical_crossentropy") {
        (self.fromLogits, self.labelSmoothing, self.axis, self.reduction, self.name) = (fromLogits, labelSmoothing, axis, reduction, name)
    }
    /// The loss of each sample of `yPred` against `yTrue`, before reduction, with the mask to apply (if any).
    public func call(_ yTrue: Tensor, _ yPred: Tensor) -> (values: Tensor, mask: Tensor?) {
        (categoricalCrossentropy(yTrue, yPred, fromLogits: fromLogits, labelSmoothing: labelSmoothing, axis: axis), nil)
    }
    /// The Keras config of this `CategoricalCrossentropy` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config {
        ["name": .string(name), "reduction": .string(reduction.rawValue), "from_logits": .bool(fromLogits),
         "label_smoothing": .double(labelSmoothing), "axis": .int(axis)]
    }
}

/// Cross-entropy for integer labels (`keras.losses.SparseCategoricalCrossentropy`). With
/// `ignoreClass`, those labels are masked out and `sumOverBatchSize` averages over the rest.
public struct SparseCategoricalCrossentropy: Loss {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "SparseCategoricalCrossentropy"
    /// The `name` this `SparseCategoricalCrossentropy` was created with.
    public var name: String, reduction: Reduction, fromLogits: Bool, ignoreClass: Int?
    /// ```swift
    /// let loss = SparseCategoricalCrossentropy(fromLogits: true)
    /// loss(Tensor([1, 0]), Tensor([[0.1, 2.0], [3.0, 0.5]]))
    /// ```
    public init(fromLogits: Bool = false, ignoreClass: Int? = nil, reduction: Reduction = .sumOverBatchSize,
                name: String = "sparse_categorical_crossentropy") {
        (self.fromLogits, self.ignoreClass, self.reduction, self.name) = (fromLogits, ignoreClass, reduction, name)
    }
    /// The loss of each sample of `yPred` against `yTrue`, before reduction, with the mask to apply (if any).
    public func call(_ yTrue: Tensor, _ yPred: Tensor) -> (values: Tensor, mask: Tensor?) {
        sparseCrossentropyWithMask(yTrue, yPred, fromLogits: fromLogits, ignoreClass: ignoreClass)
    }
    /// The Keras config of this `SparseCategoricalCrossentropy` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config {
        ["name": .string(name), "reduction": .string(reduction.rawValue), "from_logits": .bool(fromLogits),
         "ignore_class": ConfigValue(ignoreClass)]
    }
}
