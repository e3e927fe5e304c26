import KerasCore

/// Inputs, targets and sample weights for `fit`/`evaluate`/`predict`, checked once up front:
/// every array has the same number of samples, floats are finite. Batches are row slices.
struct TrainingArrays {
    var inputs: [Tensor]
    var targets: [Tensor]
    var sampleWeight: Tensor?
    let count: Int

    /// Checks counts and, when `checkFinite` (training and evaluation data), NaN/∞ values.
    init(inputs: [Tensor], targets: [Tensor], sampleWeight: Tensor?, op: String, checkFinite: Bool = true) throws {
        guard let first = inputs.first else { throw KerasError.invalidData("\(op): no input data was given") }
        for (i, t) in inputs.enumerated() where t.rank == 0 {
            throw KerasError.invalidData("\(op): input \(i) is a scalar; inputs need a leading sample dimension")
        }
        let count = first.shape[0]
        guard count > 0 else { throw KerasError.invalidData("\(op): x has no samples (shape \(formatShape(first.shape)))") }
        func check(_ t: Tensor, _ what: String) throws {
            guard t.rank > 0, t.shape[0] == count else {
                throw KerasError.invalidData("\(op): x has \(count) samples but \(what) has \(t.rank == 0 ? "no sample dimension" : "\(t.shape[0])") (shape \(formatShape(t.shape))); every input, target and sample weight needs the same count")
            }
            if checkFinite && !t.allFinite {
                throw KerasError.invalidData("\(op): \(what) contains NaN or infinite values; clean the data before training")
            }
        }
        for (i, t) in inputs.enumerated() { try check(t, inputs.count == 1 ? "x" : "input \(i)") }
        for (i, t) in targets.enumerated() { try check(t, targets.count == 1 ? "y" : "target \(i)") }
        if let sampleWeight {
            try check(sampleWeight, "sampleWeight")
            guard sampleWeight.rank == 1 else {
                throw KerasError.invalidData("\(op): sampleWeight must be 1-D with one weight per sample, got shape \(formatShape(sampleWeight.shape))")
            }
        }
        self.inputs = inputs
        self.targets = targets
        self.sampleWeight = sampleWeight.map { $0.cast(to: .float32) }
        self.count = count
    }

    private init(inputs: [Tensor], targets: [Tensor], sampleWeight: Tensor?, count: Int) {
        self.inputs = inputs
        self.targets = targets
        self.sampleWeight = sampleWeight
        self.count = count
    }

    /// The samples at `indices`, in that order.
    func rows(_ indices: [Int]) -> TrainingArrays {
        TrainingArrays(inputs: inputs.map { gatherRows($0, indices) }, targets: targets.map { gatherRows($0, indices) },
                       sampleWeight: sampleWeight.map { gatherRows($0, indices) }, count: indices.count)
    }

    /// The samples `range`, as a batch.
    func batch(_ range: Range<Int>) -> DataBatch {
        if range == 0..<count { return DataBatch(inputs: inputs, targets: targets, sampleWeight: sampleWeight) }
        return DataBatch(inputs: inputs.map { $0.slice(axis: 0, start: range.lowerBound, end: range.upperBound) },
                         targets: targets.map { $0.slice(axis: 0, start: range.lowerBound, end: range.upperBound) },
                         sampleWeight: sampleWeight?.slice(axis: 0, start: range.lowerBound, end: range.upperBound))
    }

    /// Keras's `validation_split`: the last `N − ⌊N·(1 − fraction)⌋` samples, before any shuffling.
    func split(validationFraction fraction: Double) throws -> (train: TrainingArrays, validation: TrainingArrays) {
        guard fraction > 0 && fraction < 1 else {
            throw KerasError.invalidData("fit: validationSplit must be in (0, 1), got \(fraction)")
        }
        let trainCount = Int((Double(count) * (1 - fraction)).rounded(.down))
        guard trainCount > 0 && trainCount < count else {
            throw KerasError.invalidData("fit: validationSplit \(fraction) of \(count) samples leaves \(trainCount) for training and \(count - trainCount) for validation; both need at least one")
        }
        return (rows(Array(0..<trainCount)), rows(Array(trainCount..<count)))
    }

    /// Sample weights `classWeight[label]` (labels: ints, or one-hot rows → argmax).
    func applyingClassWeight(_ classWeight: [Int: Double]) throws -> TrainingArrays {
        guard targets.count == 1 else {
            throw KerasError.invalidData("fit: classWeight is only supported for models with one output; this model has \(targets.count)")
        }
        let y = targets[0]
        guard y.rank <= 2 else {
            throw KerasError.invalidData("fit: `class_weight` not supported for 3+ dimensional targets (targets of shape \(formatShape(y.shape))); pass sampleWeight instead")
        }
        if let (label, weight) = classWeight.first(where: { !$0.value.isFinite }) {
            throw KerasError.invalidData("fit: classWeight must hold finite numbers; class \(label) has weight \(weight)")
        }
        let labels: [Int32] = (y.rank >= 2 && y.shape[y.rank - 1] > 1)
            ? y.argmax(axis: -1).reshaped(to: [-1]).toArray(of: Int32.self)
            : y.reshaped(to: [count, -1]).slice(axis: 1, start: 0, end: 1).toArray(of: Int32.self)
        var weights = [Float](repeating: 1, count: count)
        for (i, label) in labels.enumerated() {
            guard let w = classWeight[Int(label)] else {
                throw KerasError.invalidData("fit: classWeight has no entry for class \(label) (sample \(i)); it covers classes \(classWeight.keys.sorted())")
            }
            weights[i] = Float(w)
        }
        var result = self
        let cw = Tensor(shape: [count], scalars: weights)
        result.sampleWeight = cw
        return result
    }
}

extension DataBatch {
    /// Number of samples in the batch.
    var sampleCount: Int { inputs.first?.shape.first ?? 0 }
}
