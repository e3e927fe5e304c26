import KerasCore
import Synchronization

/// An input pipeline over in-memory tensors, in the spirit of `tf.data.Dataset`: build it from
/// arrays of samples, then shuffle, batch, map and repeat. `fit`, `evaluate` and `predict` accept it.
///
/// ```swift
/// let train = try Dataset(xTrain, yTrain)
///     .shuffled(seed: 42)
///     .batched(32)
///     .map { batch in var b = batch; b.inputs[0] = b.x / 255; return b }
/// for epoch in 0..<3 {
///     for batch in train { … }       // DataBatch values: batch.x [32, 8, 8], batch.y [32]
/// }
/// train.count                        // batches per pass: ⌈1437 / 32⌉ = 45
/// ```
///
/// Stages apply in the order written, lazily: nothing is copied until an element is read, and a
/// batch of unshuffled samples is copied in one block. Shuffling draws a new order for every
/// pass, as tf.data does by default (`reshuffle_each_iteration=True`): each `for batch in
/// dataset` loop over the same dataset (and its copies) is the next pass — 0, 1, 2, … — so a
/// training loop over epochs sees a fresh order each epoch; each repetition of ``repeated(_:)``
/// gets its own permutation too. Orders are reproducible from the seed; ``elements(epoch:)``
/// names a pass explicitly (what `fit` uses).
public struct Dataset: Sequence, Sendable {
    /// A per-element transformation.
    public typealias Transform = @Sendable (DataBatch) -> DataBatch

    let source: DataBatch
    let sampleCount: Int
    let stages: [Stage]
    /// The pass the next `for … in dataset` loop reads, shared by copies of this dataset.
    private let nextPass = PassCounter()

    enum Stage: Sendable {
        case shuffle(seed: Int)
        case batch(size: Int, dropRemainder: Bool)
        case map(Transform)
        case repeatCount(Int)
    }

    /// Samples from tensors whose first dimension counts the samples. Throws
    /// `KerasError/mismatch(expected:got:)` when the counts differ.
    ///
    /// ```swift
    /// let ds = try Dataset(inputs: [images, metadata], targets: [labels], sampleWeight: weights)
    /// ```
    public init(inputs: [Tensor], targets: [Tensor] = [], sampleWeight: Tensor? = nil) throws {
        guard let first = inputs.first else {
            throw KerasError.mismatch(expected: "at least one input tensor", got: "none")
        }
        guard first.rank >= 1 else {
            throw KerasError.mismatch(expected: "inputs with a leading sample dimension", got: "a scalar")
        }
        let n = first.shape[0]
        let named = inputs.enumerated().map { ("input \($0.offset)", $0.element) }
            + targets.enumerated().map { ("target \($0.offset)", $0.element) }
            + (sampleWeight.map { [("sampleWeight", $0)] } ?? [])
        for (name, t) in named where t.rank == 0 || t.shape[0] != n {
            throw KerasError.mismatch(
                expected: "every array to have \(n) samples (the length of input 0, shape \(first.shape))",
                got: "\(name) with shape \(t.shape)")
        }
        if let w = sampleWeight, w.rank != 1 {
            throw KerasError.mismatch(expected: "sampleWeight of shape [\(n)]", got: "shape \(w.shape)")
        }
        self.init(source: DataBatch(inputs: inputs, targets: targets, sampleWeight: sampleWeight),
                  sampleCount: n, stages: [])
    }

    /// Samples `x` with targets `y` (omit `y` for prediction data).
    ///
    /// ```swift
    /// let ds = try Dataset(xTrain, yTrain).batched(32)
    /// ```
    public init(_ x: Tensor, _ y: Tensor? = nil, sampleWeight: Tensor? = nil) throws {
        try self.init(inputs: [x], targets: y.map { [$0] } ?? [], sampleWeight: sampleWeight)
    }

    init(source: DataBatch, sampleCount: Int, stages: [Stage]) {
        self.source = source
        self.sampleCount = sampleCount
        self.stages = stages
    }

    private func adding(_ stage: Stage) -> Dataset {
        Dataset(source: source, sampleCount: sampleCount, stages: stages + [stage])
    }

    /// The elements in a random order drawn from `seed` (a fresh order on every pass).
    ///
    /// ```swift
    /// let ds = try Dataset(x, y).shuffled(seed: 7).batched(16)
    /// ```
    public func shuffled(seed: Int) -> Dataset { adding(.shuffle(seed: seed)) }

    /// Groups consecutive elements into batches of `size` along a new leading axis; the last
    /// partial batch is kept unless `dropRemainder` (Keras's default for `fit` keeps it).
    ///
    /// ```swift
    /// try Dataset(x, y).batched(32).count   // ⌈N / 32⌉
    /// ```
    public func batched(_ size: Int, dropRemainder: Bool = false) -> Dataset {
        require(size > 0, "Dataset.batched: batch size must be positive, got \(size)")
        return adding(.batch(size: size, dropRemainder: dropRemainder))
    }

    /// Applies `transform` to every element (a sample before batching, a batch after).
    ///
    /// ```swift
    /// let scaled = ds.map { var b = $0; b.inputs[0] = b.x / 255; return b }
    /// ```
    public func map(_ transform: @escaping Transform) -> Dataset { adding(.map(transform)) }

    /// The elements `count` times over (reshuffled each time if shuffled before).
    ///
    /// ```swift
    /// try Dataset(x, y).batched(4).repeated(3).count   // 3 × ⌈N / 4⌉
    /// ```
    public func repeated(_ count: Int) -> Dataset {
        require(count >= 0, "Dataset.repeated: count must be non-negative, got \(count)")
        return adding(.repeatCount(count))
    }

    /// Number of samples in the source tensors.
    public var sourceCount: Int { sampleCount }

    /// Number of elements one pass yields (batches once batched).
    public var count: Int { items(stageCount: stages.count, pass: 0).count }

    /// Whether ``batched(_:dropRemainder:)`` has been applied (elements carry a batch axis).
    public var isBatched: Bool {
        stages.contains { if case .batch = $0 { return true } else { return false } }
    }

    /// The elements of pass `epoch`: shuffled stages draw their order from their seed and the epoch,
    /// so `fit` gets a new, reproducible order every epoch.
    ///
    /// ```swift
    /// for epoch in 0..<3 { for batch in ds.elements(epoch: epoch) { … } }
    /// ```
    public func elements(epoch: Int) -> Elements {
        Elements(dataset: self, items: items(stageCount: stages.count, pass: epoch))
    }

    /// Iterates over the next pass: 0 for the first loop over this dataset, then 1, 2, … (see
    /// ``elements(epoch:)``), so a shuffled dataset is reshuffled on each new iteration.
    ///
    /// ```swift
    /// let ds = try Dataset(x, y).shuffled(seed: 1).batched(32)
    /// for epoch in 0..<3 {
    ///     for batch in ds { … }          // epoch 0, 1, 2: three different orders
    /// }
    /// ```
    public func makeIterator() -> Elements.Iterator { elements(epoch: nextPass.take()).makeIterator() }

    /// The elements of one pass, produced lazily.
    public struct Elements: Sequence, Sendable {
        let dataset: Dataset
        let items: [Item]

        /// Number of elements in this pass.
        public var count: Int { items.count }

        /// Iterates over the batches of this pass.
        public func makeIterator() -> Iterator { Iterator(dataset: dataset, items: items, position: 0) }

        /// The batches of one pass over a dataset.
        public struct Iterator: IteratorProtocol {
            let dataset: Dataset
            let items: [Item]
            var position: Int

            /// The next batch, or `nil` at the end of the pass.
            public mutating func next() -> DataBatch? {
                guard position < items.count else { return nil }
                defer { position += 1 }
                return dataset.materialize(items[position])
            }
        }
    }

    // MARK: Lazy element plan

    /// An element before it is read: source rows, a transformed element, or a stack of samples.
    indirect enum Item: Sendable {
        case rows([Int], batched: Bool)
        case mapped(Item, Transform)
        case stacked([Item])

        var isBatched: Bool {
            switch self {
            case let .rows(_, batched): return batched
            case let .mapped(inner, _): return inner.isBatched
            case .stacked: return true
            }
        }
    }

    /// The element plan after the first `stageCount` stages, for pass `pass`.
    func items(stageCount: Int, pass: Int) -> [Item] {
        guard stageCount > 0 else { return (0..<sampleCount).map { .rows([$0], batched: false) } }
        let stage = stages[stageCount - 1]
        if case let .repeatCount(n) = stage {
            // Each repetition is its own pass of everything upstream.
            return (0..<n).flatMap { r in items(stageCount: stageCount - 1, pass: pass &* n &+ r) }
        }
        var upstream = items(stageCount: stageCount - 1, pass: pass)
        switch stage {
        case let .shuffle(seed):
            var rng = makeRandomGenerator(seed: seed &+ pass &* 1_000_003)
            if upstream.count > 1 {
                for i in stride(from: upstream.count - 1, to: 0, by: -1) {
                    let j = Int(rng.nextUnit() * Double(i + 1))
                    upstream.swapAt(i, Swift.min(j, i))
                }
            }
            return upstream
        case let .batch(size, dropRemainder):
            var batches: [Item] = []
            var start = 0
            while start < upstream.count {
                let end = Swift.min(start + size, upstream.count)
                if end - start < size && dropRemainder { break }
                let group = Array(upstream[start..<end])
                var rows: [Int] = []
                let plain = group.allSatisfy {
                    if case let .rows(r, false) = $0 { rows.append(contentsOf: r); return true }
                    return false
                }
                batches.append(plain ? .rows(rows, batched: true) : .stacked(group))
                start = end
            }
            return batches
        case let .map(f):
            return upstream.map { .mapped($0, f) }
        case .repeatCount:
            fatalError("unreachable")
        }
    }

    func materialize(_ item: Item) -> DataBatch {
        switch item {
        case let .rows(rows, batched):
            var b = DataBatch(inputs: source.inputs.map { gatherRows($0, rows) },
                              targets: source.targets.map { gatherRows($0, rows) },
                              sampleWeight: source.sampleWeight.map { gatherRows($0, rows) })
            if !batched {
                b.inputs = b.inputs.map { $0.squeezing(axes: [0]) }
                b.targets = b.targets.map { $0.squeezing(axes: [0]) }
                b.sampleWeight = b.sampleWeight.map { $0.squeezing(axes: [0]) }
            }
            return b
        case let .mapped(inner, f):
            return f(materialize(inner))
        case let .stacked(group):
            let parts = group.map(materialize)
            let first = parts[0]
            return DataBatch(
                inputs: first.inputs.indices.map { i in stack(parts.map { $0.inputs[i] }) },
                targets: first.targets.indices.map { i in stack(parts.map { $0.targets[i] }) },
                sampleWeight: first.sampleWeight == nil ? nil : stack(parts.map { $0.sampleWeight! }))
        }
    }
}

/// Counts the passes made with `for … in dataset`.
private final class PassCounter: Sendable {
    private let value = Atomic<Int>(0)
    /// The current pass, advancing to the next.
    func take() -> Int { value.add(1, ordering: .relaxed).oldValue }
}
