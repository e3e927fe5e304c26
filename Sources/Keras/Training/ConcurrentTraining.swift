import KerasCore

extension Model {
    /// Whether `fit` (and `trainOnBatch`) may split each batch over the cores: the rows of a
    /// batch are cut into one shard per core (each of at least
    /// ``minimumRowsPerTrainingShard`` rows), the forward pass, loss and backward pass of every
    /// shard run at the same time on their own threads, and the shards' gradients are summed in
    /// shard order before one optimizer step. On a small batch this keeps every core busy with
    /// whole layers, where the ops of one unsplit step are mostly too small to split themselves.
    ///
    /// The results are those of the unsplit step to float rounding, and the same from run to run:
    /// each output's loss is reduced over the whole batch (masks, sample weights and the
    /// reduction included), weight penalties are counted once, the metrics and the logged loss
    /// are updated once with the whole batch, and random layers (dropout, noise) draw the values
    /// of the whole batch, each shard keeping its rows, with their `SeedGenerator` advancing
    /// as in one step.
    ///
    /// It applies only where that holds and pays: a functional or ``Sequential`` model of
    /// built-in layers (``Layer/supportsConcurrentInference``: no subclass with its own `call`
    /// or ``trainStep(_:)``, no activity regularizer, no stateful RNN), no
    /// ``BatchNormalization`` being trained (its statistics are the whole batch's), no image
    /// augmentation layer, compiled losses that reduce to a scalar, no ``distribution``, no
    /// ``runEagerly``, and more than one core. Dense stacks take the planned step
    /// (`TrainStepPlan`) first. `evaluate` and `fit`'s validation split the forward pass of
    /// their batches the same way (the loss and metrics then see the whole batch) in any model
    /// with ``Layer/supportsConcurrentInference``. Defaults to `true`; set it to `false` to run
    /// every batch in one piece.
    ///
    /// ```swift
    /// model.compile(optimizer: "adam", loss: SparseCategoricalCrossentropy(fromLogits: true))
    /// model.concurrentTraining = false     // one thread per step (ops still split when large)
    /// try model.fit(x, y, batchSize: 32)
    /// ```
    public var concurrentTraining: Bool {
        get { allowsConcurrentTraining }
        set { allowsConcurrentTraining = newValue }
    }

    /// The fewest rows a shard of a concurrent training step takes: smaller batches train in one
    /// piece, since below it the per-shard overhead outweighs the second core.
    public static let minimumRowsPerTrainingShard = 8

    /// How many shards the default test step (`evaluate`, `fit`'s validation) splits the forward
    /// pass of `batch` into (1: unsplit). Inference reads no other row and writes no state in a
    /// model that supports concurrent inference, so the switch and the batch size decide.
    func inferenceShardCount(for batch: DataBatch) -> Int {
        guard allowsConcurrentTraining, compiledState?.runEagerly != true, distribution == nil else { return 1 }
        let shards = Swift.min(availableCoreCount, batch.count / Self.minimumRowsPerTrainingShard)
        return shards > 1 && supportsConcurrentInference ? shards : 1
    }

    /// The inference outputs for `inputs`, computed on `shardCount` row shards at once (each on
    /// its own thread) and concatenated in row order.
    func shardedInference(_ inputs: [Tensor], shardCount: Int) -> [Tensor] {
        let n = inputs[0].shape.first ?? 1
        var pieces = [[Tensor]?](repeating: nil, count: shardCount)
        pieces.withUnsafeMutableBufferPointer { out in
            forEachConcurrently(shardCount) { s in
                let (start, end) = (s * n / shardCount, (s + 1) * n / shardCount)
                out[s] = withoutRecording { self(inputs.map { $0.slice(axis: 0, start: start, end: end) }, training: false) }
            }
        }
        let shards = pieces.map { $0! }
        return shards[0].indices.map { i in concatenate(shards.map { $0[i] }, axis: 0) }
    }

    /// How many shards the default train step splits `batch` into (1: the unsplit step).
    func trainingShardCount(for batch: DataBatch, state: CompiledState, variables: [Variable]) -> Int {
        guard allowsConcurrentTraining, !state.runEagerly, distribution == nil, !variables.isEmpty,
              state.hasLoss, !state.losses.contains(where: { $0?.reduction == Reduction.none }) else { return 1 }
        let shards = Swift.min(availableCoreCount, batch.count / Self.minimumRowsPerTrainingShard)
        return shards > 1 && isShardableInTraining ? shards : 1
    }

    /// Whether training calls on disjoint rows of a batch give, together, what one call on the
    /// batch gives: built-in layers whose training calls read no other row and write no state.
    var isShardableInTraining: Bool {
        guard supportsConcurrentInference else { return false }
        func rowwise(_ layer: Layer) -> Bool {
            // A trained BatchNormalization normalizes with the batch's statistics and updates its
            // moving averages; augmentation layers may draw per-batch values of any shape.
            if let norm = layer as? BatchNormalization, norm.trainable { return false }
            if layer is BaseImagePreprocessingLayer { return false }
            return layer.sublayers.allSatisfy(rowwise)
        }
        return rowwise(self)
    }

    /// The default train step on `shardCount` row shards of `batch`, run concurrently (see
    /// ``concurrentTraining``): the forward passes and each shard's part of every loss first,
    /// then, with every output's divisor over the whole batch known, each shard's loss and
    /// gradients; the gradients are summed in shard order and applied once, and the trackers and
    /// metrics are updated with the whole batch. `nil` (nothing applied) when a loss returns one
    /// value for a whole batch, which shards cannot add up to.
    func concurrentTrainStep(_ batch: DataBatch, shardCount: Int, state: CompiledState,
                             variables: [Variable]) throws -> [String: Double]? {
        let n = batch.count
        let ranges = (0..<shardCount).map { s in s * n / shardCount..<(s + 1) * n / shardCount }
        let seeds = ShardSeeds.Step()
        let tapes = ranges.map { _ in GradientTape() }
        var forwards = [ShardForward?](repeating: nil, count: shardCount)
        forwards.withUnsafeMutableBufferPointer { out in
            forEachConcurrently(shardCount) { s in
                let rows = ranges[s]
                let cut = { (t: Tensor) in t.slice(axis: 0, start: rows.lowerBound, end: rows.upperBound) }
                let shard = BatchShard(start: rows.lowerBound, count: rows.count, globalCount: n,
                                       seeds: ShardSeeds(step: seeds))
                out[s] = BatchShard.$current.withValue(shard) {
                    tapes[s].record {
                        let predictions = self(batch.inputs.map(cut), training: true)
                        let weight = batch.sampleWeight.map(cut)
                        let parts = state.losses.enumerated().map { i, loss in
                            loss.map { ShardLossPart($0, target: cut(batch.targets[i]), prediction: predictions[i], sampleWeight: weight) }
                        }
                        return ShardForward(predictions: predictions, parts: parts)
                    }
                }
            }
        }
        var shards = forwards.map { $0! }
        forwards = []
        guard !shards.contains(where: { $0.parts.contains { $0?.isBatchScalar == true } }) else { return nil }
        let divisors = state.losses.indices.map { i in
            state.losses[i].map { ShardLossPart.divisor(of: shards.map { $0.parts[i]! }, reduction: $0.reduction) }
        }

        var backwards = [ShardBackward?](repeating: nil, count: shardCount)
        backwards.withUnsafeMutableBufferPointer { out in
            forEachConcurrently(shardCount) { s in
                let (total, outputLosses) = tapes[s].record { () -> (Tensor, [Tensor?]) in
                    var total: Tensor? = nil
                    var outputLosses = [Tensor?](repeating: nil, count: state.losses.count)
                    for (i, part) in shards[s].parts.enumerated() {
                        guard let part, let divisor = divisors[i] else { continue }
                        let value = divisor == 0 ? part.numerator * 0 : part.numerator / divisor
                        outputLosses[i] = value
                        let weighted = state.lossWeights[i] == 1 ? value : value * state.lossWeights[i]
                        total = total.map { $0 + weighted } ?? weighted
                    }
                    // Penalties (weight regularizers) belong to the whole batch: counted once.
                    if s == 0 { for penalty in self.losses { total = total.map { $0 + penalty } ?? penalty } }
                    return (total!, outputLosses)
                }
                out[s] = ShardBackward(loss: total.stopGradient(), outputLosses: outputLosses.map { $0?.stopGradient() },
                                       gradients: tapes[s].gradient(total, wrt: variables))
            }
        }
        let results = backwards.map { $0! }
        let loss = results.dropFirst().reduce(results[0].loss) { $0 + $1.loss }
        let predictions = withoutRecording {
            shards[0].predictions.indices.map { i in concatenate(shards.map { $0.predictions[i].stopGradient() }, axis: 0) }
        }
        // The shards' recorded graphs hold the weights' values: without them the optimizer
        // updates the weights in place instead of copying each one first.
        shards = []
        weightUpdateLock.write {
            if !state.optimizer.applySumInPlace(results.map(\.gradients), to: variables, scratch: state.gradientSums) {
                var gradients = results[0].gradients
                for result in results.dropFirst() { gradients = zip(gradients, result.gradients).map { $0 + $1 } }
                state.optimizer.apply(gradients, to: variables)
            }
        }
        state.lossTracker.add(Double(loss.item), weight: Double(batch.sampleCount))
        if state.outputNames.count > 1 {
            for i in state.losses.indices where state.losses[i] != nil {
                let value = results.dropFirst().reduce(results[0].outputLosses[i]!) { $0 + $1.outputLosses[i]! }
                state.outputLossTrackers[i].add(Double(value.item), weight: Double(n))
            }
        }
        try state.buildMetrics(targets: batch.targets, predictions: predictions)
        state.updateMetrics(targets: batch.targets, predictions: predictions, sampleWeight: batch.sampleWeight)
        return state.logs()
    }
}

/// One shard's forward pass: its predictions and its part of each output's loss.
private struct ShardForward {
    let predictions: [Tensor]
    /// Aligned with the model's outputs; `nil` for an output without a loss.
    let parts: [ShardLossPart?]
}

/// One shard's loss, its per-output losses (for the trackers) and its gradients.
private struct ShardBackward {
    let loss: Tensor
    let outputLosses: [Tensor?]
    let gradients: [Tensor]
}

/// A shard's share of one output's loss: the sum of its weighted per-sample values (recorded)
/// and the counts the whole batch's divisor is made of, as ``reduceWeightedValues(_:sampleWeight:mask:reduction:)``
/// reduces the whole batch.
private struct ShardLossPart {
    /// Σ values × sample weights × mask, recorded for differentiation.
    let numerator: Tensor
    /// The number of weighted values.
    let valueCount: Int
    /// The number of mask entries (0 without a mask) and how many of them are set.
    let maskCount: Int, maskSet: Double
    /// Σ sample weights × mask, where there are weights.
    let weightSum: Double?
    /// Whether the loss gave one value for the whole shard (reduced inside `call`).
    let isBatchScalar: Bool

    init(_ loss: any Loss, target: Tensor, prediction: Tensor, sampleWeight: Tensor?) {
        let (yTrue, yPred) = squeezeOrExpandToSameRank(target, floatPrediction(prediction))
        let (values, mask) = loss.call(yTrue, yPred)
        var weight = sampleWeight.map { $0.cast(to: values.dtype) }
        var maskCount = 0, maskSet = 0.0
        if let mask {
            let floatMask = mask.cast(to: values.dtype)
            maskCount = mask.scalarCount
            maskSet = floatMask.sum().item(as: Double.self)
            if let w = weight {
                let (m, w2) = squeezeOrExpandToSameRank(floatMask, w)
                weight = w2 * m
            } else {
                weight = floatMask
            }
        }
        var weighted = values
        if let w = weight {
            let (v, w2) = squeezeOrExpandToSameRank(values, w)
            weighted = v * w2
        }
        numerator = weighted.sum()
        valueCount = weighted.scalarCount
        (self.maskCount, self.maskSet) = (maskCount, maskSet)
        weightSum = loss.reduction == .meanWithSampleWeight ? weight.map { $0.sum().item(as: Double.self) } : nil
        isBatchScalar = weighted.rank == 0
    }

    /// What the whole batch's weighted sum is divided by (0: the loss is 0), given every shard's part.
    static func divisor(of parts: [ShardLossPart], reduction: Reduction) -> Double {
        switch reduction {
        case .sum, .none:
            return 1
        case .meanWithSampleWeight where parts[0].weightSum != nil:
            return parts.reduce(0) { $0 + $1.weightSum! }
        default:
            let count = Double(parts.reduce(0) { $0 + $1.valueCount })
            let maskCount = parts.reduce(0) { $0 + $1.maskCount }
            guard maskCount > 0 else { return count }
            // The unsplit reduction scales the mask by entries / set entries, then divides by the count.
            let set = parts.reduce(0) { $0 + $1.maskSet }
            return set == 0 ? 0 : count * set / Double(maskCount)
        }
    }
}
