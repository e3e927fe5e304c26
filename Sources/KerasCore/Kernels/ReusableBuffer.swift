/// A float32 buffer kept across the steps of a planned computation (a training step's
/// activations and gradients): written in place step after step, and lent out as a ``Tensor``
/// (a gradient handed to the optimizer, predictions handed to the metrics) without a copy.
///
/// A tensor once published never changes (``Tensor`` is a value), so before each write the
/// buffer checks that no tensor lent earlier is still alive; if one is (a caller kept it), the
/// write goes to a fresh buffer and the old one stays with that tensor. The buffer also grows
/// when a step needs more elements than it holds (a larger batch), and serves smaller steps
/// (the last partial batch) from its first elements.
///
/// ```swift
/// let buffer = ReusableBuffer()
/// let p = buffer.writable(count: 6)
/// for k in 0..<6 { p[k] = Float(k) }
/// let t = buffer.tensor(shape: [2, 3])   // shares the buffer
/// ```
package final class ReusableBuffer: @unchecked Sendable {
    private var storage: TensorStorage
    private var capacity: Int
    /// How many times the buffer was (re)allocated: once, plus once per growth or per write
    /// that found a lent tensor still alive.
    package private(set) var allocations = 0

    package init(capacity: Int = 0) {
        self.capacity = capacity
        self.storage = TensorStorage(byteCount: capacity * 4)
        allocations = 1
    }

    /// The buffer's first `count` elements, for writing.
    package func writable(count: Int) -> UnsafeMutablePointer<Float> {
        if count > capacity || !isKnownUniquelyReferenced(&storage) {
            capacity = Swift.max(count, capacity)
            storage = TensorStorage(byteCount: capacity * 4)
            allocations += 1
        }
        return storage.bytes.assumingMemoryBound(to: Float.self)
    }

    /// The buffer's elements, for reading what the last write left.
    package var pointer: UnsafeMutablePointer<Float> { storage.bytes.assumingMemoryBound(to: Float.self) }

    /// The first `shape`-many elements as a float32 tensor that shares the buffer (pass a
    /// shape array kept by the caller, so lending allocates nothing).
    package func tensor(shape: [Int]) -> Tensor {
        require(shape.reduce(1, *) <= capacity, "ReusableBuffer: shape \(shape) exceeds the \(capacity) elements held")
        return Tensor(storage: storage, shape: shape, dtype: .float32)
    }
}
