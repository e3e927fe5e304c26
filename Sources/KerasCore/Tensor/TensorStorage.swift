/// The contiguous buffer behind a ``Tensor``: 64-byte aligned from 16 KiB up (whole cache lines
/// for the BLAS kernels), 16-byte aligned below, where plain `malloc` (its per-thread cache) is
/// several times cheaper than an aligned allocation and small tensors are allocated per op.
/// Large buffers are recycled through ``BufferPool`` to spare their page faults.
///
/// Storage is shared between tensors (reshape, stopGradient, casts to the same dtype) and never
/// mutated once published; in-place kernels first check that they hold the only reference.
@usableFromInline
final class TensorStorage: @unchecked Sendable {
    @usableFromInline let bytes: UnsafeMutableRawPointer
    @usableFromInline let byteCount: Int

    @usableFromInline
    init(byteCount: Int) {
        self.byteCount = byteCount
        AllocationCounter.note()
        self.bytes = byteCount >= BufferPool.minimumBytes
            ? BufferPool.take(byteCount: byteCount)
            : UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: byteCount >= 1 << 14 ? 64 : 16)
    }

    /// A zero-filled buffer.
    static func zeroed(byteCount: Int) -> TensorStorage {
        let s = TensorStorage(byteCount: byteCount)
        s.bytes.initializeMemory(as: UInt8.self, repeating: 0, count: max(byteCount, 1))
        return s
    }

    deinit {
        if byteCount >= BufferPool.minimumBytes { BufferPool.give(bytes, byteCount: byteCount) } else { bytes.deallocate() }
    }
}
