import Synchronization

/// Recycles large tensor buffers.
///
/// A fresh multi-megabyte buffer comes from `mmap` (or from heap top that `free` gave back to
/// the system), so the kernel that fills it first takes one page fault per 4 KiB page: measured
/// here, the `ops` benchmark spent more time in page faults than in arithmetic. Buffers of at
/// least ``minimumBytes`` are therefore kept when freed, up to ``capacityBytes`` in all, and handed
/// back for the next request of the same (rounded) size. When a freed buffer does not fit, the
/// buffers already held are released first, so the pool follows the sizes in current use.
enum BufferPool {
    /// Buffers smaller than this go straight to `malloc`/`free`.
    static let minimumBytes = 1 << 16
    /// The most memory the pool holds while no tensor uses it.
    static let capacityBytes = 256 << 20
    /// Sizes are rounded up to this, so nearby shapes share buffers.
    static let granularity = 1 << 16

    /// Free buffers by rounded size (addresses, so the state is `Sendable`), and their total.
    private struct State {
        var free: [Int: [UInt]] = [:]
        var heldBytes = 0
    }
    private static let state = Mutex(State())

    static func roundedSize(_ byteCount: Int) -> Int {
        (byteCount + granularity - 1) & ~(granularity - 1)
    }

    /// A 64-byte aligned buffer of at least `byteCount` (≥ ``minimumBytes``) bytes.
    static func take(byteCount: Int) -> UnsafeMutableRawPointer {
        let size = roundedSize(byteCount)
        let reused = state.withLock { s -> UInt? in
            guard let address = s.free[size]?.popLast() else { return nil }
            s.heldBytes -= size
            return address
        }
        if let reused, let pointer = UnsafeMutableRawPointer(bitPattern: reused) { return pointer }
        return UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
    }

    /// Returns a buffer from ``take(byteCount:)`` (same `byteCount`).
    static func give(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        let size = roundedSize(byteCount)
        let address = UInt(bitPattern: pointer)
        let released = state.withLock { s -> [UInt] in
            var released: [UInt] = []
            if s.heldBytes + size > capacityBytes {
                for (_, addresses) in s.free { released += addresses }
                s.free = [:]
                s.heldBytes = 0
            }
            if size <= capacityBytes {
                s.free[size, default: []].append(address)
                s.heldBytes += size
            } else {
                released.append(address)
            }
            return released
        }
        for a in released { UnsafeMutableRawPointer(bitPattern: a)?.deallocate() }
    }
}

/// Counts the tensor buffers allocated by the task that binds it, to prove that a loop runs
/// without allocating (the planned training step's steady state); other tasks are not counted.
///
/// ```swift
/// let counter = AllocationCounter()
/// AllocationCounter.$current.withValue(counter) { _ = Tensor.ones([4]) + 1 }
/// counter.count   // 2
/// ```
public final class AllocationCounter: Sendable {
    /// The counter of the current task, if one is bound.
    @TaskLocal public static var current: AllocationCounter?
    private let allocations = Atomic<Int>(0)
    /// How many counters exist. A bound counter exists, so while this is zero (no test is
    /// counting) ``note()`` skips the task-local lookup, which costs more than the atomic load.
    private static let alive = Atomic<Int>(0)

    /// A counter at zero; bind it with `AllocationCounter.$current.withValue(_:)`.
    public init() { Self.alive.add(1, ordering: .relaxed) }

    deinit { Self.alive.subtract(1, ordering: .relaxed) }

    /// Tensor buffers allocated so far under this counter.
    public var count: Int { allocations.load(ordering: .relaxed) }

    @inline(__always)
    static func note() {
        guard alive.load(ordering: .relaxed) != 0, let counter = current else { return }
        counter.allocations.add(1, ordering: .relaxed)
    }
}
