import KerasCore

/// Keras's stand-in for `log 0` in the CTC recursion (its JAX backend, after optax): impossible
/// alignments cost about `1e5` instead of an infinite loss.
private let ctcLogEpsilon = -1e5

/// `log(eᵃ + eᵇ)` elementwise, stable, with the exact gradient `(eᵃ, eᵇ) / (eᵃ + eᵇ)` (ties
/// included, where a `max`-based form would send the whole gradient to one side).
private func logAddExp(_ a: Tensor, _ b: Tensor) -> Tensor {
    let m = a.maximum(b).stopGradient()
    return m + ((a - m).exp() + (b - m).exp()).log()
}

/// `phi[:, 1...] = logaddexp(phi[:, 1...], added)`, `phi[:, 0]` kept: a transition into every
/// blank state after a label.
private func addToLaterBlanks(_ phi: Tensor, _ added: Tensor) -> Tensor {
    let n = phi.shape[1]
    return concatenate([phi.slice(axis: 1, start: 0, end: 1), logAddExp(phi.slice(axis: 1, start: 1, end: n), added)], axis: 1)
}

/// CTC negative log-likelihoods (Keras's `ops.ctc_loss` on its JAX backend, every time step
/// used): `target` `(batch, maxLabels)` integer labels, the first `labelLengths[b]` of each row
/// read; `output` `(batch, steps, classes)`, log-softmaxed here. Blank is class `blank`.
///
/// The forward recursion of Keras (optax's `ctc_loss_with_forward_probs`) runs on the tape:
/// state `phi[b, n]` is "n labels emitted, now in a blank", `emit[b, n]` "label n being
/// emitted"; a repeated label must pass through a blank. Its gradient is the backward pass of
/// the recorded recursion, the same as JAX's.
func ctcNegativeLogLikelihood(target: Tensor, output: Tensor, labelLengths: Tensor, blank: Int) -> Tensor {
    let (batch, steps, classes) = (output.shape[0], output.shape[1], output.shape[2])
    let maxLabels = target.shape[1]
    let logProbabilities = output.logSoftmax(axis: -1)
    let blankLogProbabilities = logProbabilities.slice(axis: 2, start: blank, end: blank + 1)   // (batch, steps, 1)
    guard maxLabels > 0 else { return -blankLogProbabilities.sum(axes: [1, 2]) }
    let dtype = logProbabilities.dtype

    // repeats[b, n] = 1 where label n + 1 repeats label n.
    let repeats = concatenate([
        (target.slice(axis: 1, start: 0, end: maxLabels - 1) .== target.slice(axis: 1, start: 1, end: maxLabels)).cast(to: dtype),
        Tensor.zeros([batch, 1], dtype: dtype),
    ], axis: 1)
    let emitToBlank = repeats * ctcLogEpsilon            // only into a blank when the next label repeats
    let emitToNextBlank = (1 - repeats) * ctcLogEpsilon  // …and straight on otherwise
    // emitLogProbabilities[b, t, n] = log p(target[b, n] at step t) (0 for a label outside 0..<classes, as Keras's one-hot gives).
    let labelRows = oneHot(target, classes: classes, dtype: dtype)   // (batch, maxLabels, classes)
    let emitLogProbabilities = logProbabilities.matmul(labelRows.transposed([0, 2, 1]))   // (batch, steps, maxLabels)

    var phi = concatenate([Tensor.zeros([batch, 1], dtype: dtype), Tensor.full([batch, maxLabels], ctcLogEpsilon, dtype: dtype)], axis: 1)
    var emit = Tensor.full([batch, maxLabels], ctcLogEpsilon, dtype: dtype)
    let emitSteps = steps > 0 ? emitLogProbabilities.split(count: steps, axis: 1) : []
    let blankSteps = steps > 0 ? blankLogProbabilities.split(count: steps, axis: 1) : []
    for t in 0..<steps {
        let emitNow = emitSteps[t].reshaped(to: [batch, maxLabels])
        let blankNow = blankSteps[t].reshaped(to: [batch, 1])
        let reached = addToLaterBlanks(phi, emit + emitToBlank)
        let nextEmit = logAddExp(reached.slice(axis: 1, start: 0, end: maxLabels) + emitNow, emit + emitNow)
        phi = addToLaterBlanks(reached + blankNow, emit + blankNow + emitToNextBlank)
        emit = nextEmit
    }
    let final = addToLaterBlanks(phi, emit)   // (batch, maxLabels + 1)
    return -(final * oneHot(labelLengths, classes: maxLabels + 1, dtype: dtype)).sum(axes: [1])
}

/// The CTC (connectionist temporal classification) loss per sample (`keras.losses.ctc`):
/// `−log p(labels | yPred)` summed over every alignment of the labels to the time steps.
///
/// - `yTrue`: `(batch, maxLength)` integer labels, padded with `0`. Class `0` is the blank (and
///   the padding), so labels run `1..<classes`; each row's label count is its number of non-zero
///   entries, and its first that many entries are read.
/// - `yPred`: `(batch, steps, classes)` scores, put through a log-softmax here as Keras does
///   (so logits are expected; softmax probabilities, as a `softmax` output layer gives them, are
///   log-softmaxed again, exactly as in Keras). Every time step is used.
///
/// Impossible alignments (more labels and repeats than steps) cost about `1e5`, as in Keras's JAX
/// backend. Differentiable w.r.t. `yPred`.
///
/// ```swift
/// let labels = Tensor([[1, 2, 0], [3, 3, 1]])          // "1 2", "3 3 1"
/// let logits = Tensor.randomNormal([2, 8, 4], seed: 1)  // 8 steps, blank + 3 classes
/// let perSample = ctc(labels, logits)                   // shape [2]
/// ```
public func ctc(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
    require(yTrue.rank == 2, "ctc: targets y_true are expected to be a tensor of shape (batch_size, max_length) in integer format, received y_true.shape=\(yTrue.shape)")
    require(yPred.rank == 3, "ctc: logits y_pred are expected to be a tensor of shape (batch_size, max_length, num_classes), received y_pred.shape=\(yPred.shape)")
    require(yTrue.shape[0] == yPred.shape[0] && yPred.shape[2] > 0,
            "ctc: y_true of shape \(yTrue.shape) and y_pred of shape \(yPred.shape) need the same batch size and at least one class")
    let target = yTrue.cast(to: .int32)
    let labelLengths = (target .!= 0).cast(to: .int32).sum(axes: [1])
    return ctcNegativeLogLikelihood(target: target, output: floatPrediction(yPred), labelLengths: labelLengths, blank: 0)
}

/// The CTC loss (`keras.losses.CTC`) for sequence outputs such as speech or handwriting
/// recognition: integer label sequences padded with the blank `0` against per-step class scores.
public struct CTC: Loss {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "CTC"
    /// The `name` this `CTC` was created with.
    public var name: String, reduction: Reduction
    /// ```swift
    /// model.compile(optimizer: "adam", loss: CTC())   // outputs (batch, steps, classes), targets (batch, maxLength)
    /// ```
    public init(reduction: Reduction = .sumOverBatchSize, name: String = "ctc") { (self.reduction, self.name) = (reduction, name) }
    /// The loss of each sample of `yPred` against `yTrue`, before reduction, with the mask to apply (if any).
    public func call(_ yTrue: Tensor, _ yPred: Tensor) -> (values: Tensor, mask: Tensor?) { (ctc(yTrue, yPred), nil) }
    /// The Keras config of this `CTC` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config { ["name": .string(name), "reduction": .string(reduction.rawValue)] }
}

/// `fit` and `evaluate` check every label (an integer in `0..<classes`) before training.
extension CTC: ClassLabelTargets {}

extension CTC: TargetShapeRule {
    /// Why `yTrue` cannot be scored against `yPred`, or `nil` when it can: label sequences
    /// `(batch, maxLength)` against per-step scores `(batch, steps, classes)` with a blank and at
    /// least one label class.
    public func targetShapeProblem(yTrue: Tensor, yPred: Tensor) -> String? {
        guard yPred.rank == 3, yPred.shape[2] >= 2 else {
            return "ctc expects predictions of shape (batch, steps, classes) with at least 2 classes (the blank 0 and the labels), received \(formatShape(yPred.shape))"
        }
        guard yTrue.rank == 2 else {
            return "ctc expects integer label sequences of shape (batch, max_length), padded with 0, received targets of shape \(formatShape(yTrue.shape))"
        }
        return nil
    }
}
