import KerasCore

/// One element of a ``Dataset``: a batch (or, before ``Dataset/batched(_:dropRemainder:)``, one
/// sample) of model inputs, targets and optional per-sample weights.
///
/// ```swift
/// for batch in try Dataset(x, y).batched(32) {
///     print(batch.x.shape, batch.y!.shape)   // [32, 784] [32]
/// }
/// ```
public struct DataBatch: Sendable {
    /// The model inputs (one tensor per model input).
    public var inputs: [Tensor]
    /// The targets (one per model output; empty for prediction data).
    public var targets: [Tensor]
    /// Per-sample weights, if any.
    public var sampleWeight: Tensor?

    /// A batch of model inputs, their targets (none for prediction) and optional sample weights.
    public init(inputs: [Tensor], targets: [Tensor] = [], sampleWeight: Tensor? = nil) {
        self.inputs = inputs
        self.targets = targets
        self.sampleWeight = sampleWeight
    }

    /// The first (usually only) input.
    public var x: Tensor { inputs[0] }
    /// The first target, or `nil` for input-only data.
    public var y: Tensor? { targets.first }
    /// Number of samples (the leading dimension of the first input; 1 for an unbatched sample).
    public var count: Int { inputs[0].shape.first ?? 1 }
}

/// Copies the rows `indices` (along axis 0) of `t` into a new tensor.
func gatherRows(_ t: Tensor, _ indices: [Int]) -> Tensor {
    switch t.dtype {
    case .float32: return gatherRows(t, indices, Float.self)
    case .float64: return gatherRows(t, indices, Double.self)
    case .int32: return gatherRows(t, indices, Int32.self)
    case .int64: return gatherRows(t, indices, Int64.self)
    case .bool: return gatherRows(t, indices, Bool.self)
    }
}

private func gatherRows<T: TensorScalar>(_ t: Tensor, _ indices: [Int], _: T.Type) -> Tensor {
    let rows = t.shape[0]
    let rowSize = rows == 0 ? 0 : t.scalarCount / rows
    var shape = t.shape
    shape[0] = indices.count
    for i in indices { require(i >= 0 && i < rows, "Dataset: row index \(i) out of range for \(rows) samples") }
    // Shuffled rows come from all over the arrays, mostly from memory rather than cache: a
    // large batch is gathered by all cores at once (`keras-bench mlp` fit spent 6% of its
    // time in a one-core copy of 32 rows of 3 kB).
    let pieces = indices.count * rowSize * MemoryLayout<T>.stride >= gatherSplitBytes ? min(availableCoreCount, indices.count) : 1
    return t.withUnsafeBufferPointer(of: T.self) { src in
        Tensor(shape: shape, dtype: T.dtype) { (out: UnsafeMutableBufferPointer<T>) in
            guard rowSize > 0, let srcBase = src.baseAddress, let outBase = out.baseAddress else { return }
            forEachConcurrently(pieces) { piece in
                var k = piece * indices.count / pieces
                let end = (piece + 1) * indices.count / pieces
                while k < end {
                    // Copy runs of consecutive rows in one go (unshuffled data is one run per batch).
                    var run = 1
                    while k + run < end && indices[k + run] == indices[k] + run { run += 1 }
                    (outBase + k * rowSize).update(from: srcBase + indices[k] * rowSize, count: run * rowSize)
                    k += run
                }
            }
        }
    }
}

/// The batch size in bytes from which ``gatherRows(_:_:)`` splits the copy over the cores.
private let gatherSplitBytes = 32 << 10
