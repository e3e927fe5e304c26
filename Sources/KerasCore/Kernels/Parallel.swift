import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Splits large loops across cores; small ones run inline on the calling thread.
///
/// Pieces go to ``WorkerPool``'s workers, which start within a fraction of a microsecond while
/// they still spin after their last piece, and cost a futex wake-up (several microseconds on
/// both threads) once they sleep; so elementwise loops stay on one thread below
/// ``elementThreshold`` elements. Measured here (with dispatch's wake-ups): 256K rather than
/// 64K made a batch-32 MLP training step (whose weight updates are 100K-element ops) ~7%
/// faster; with the pool 64K and 256K measured alike. `KERAS_ELEMENT_SPLIT` overrides it.
enum Parallel {
    static let coreCount = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Elements below which elementwise kernels stay on one thread.
    static let elementThreshold = ProcessInfo.processInfo.environment["KERAS_ELEMENT_SPLIT"].flatMap { Int($0) } ?? (1 << 18)

    /// How many pieces a loop of `count` is cut into (1 below `threshold`, and 1 inside a piece
    /// of an enclosing parallel loop: regions do not nest, the cores are already busy).
    @inline(__always)
    static func pieceCount(_ count: Int, threshold: Int = elementThreshold) -> Int {
        count >= threshold && count > 1 && !isInsideRegion ? Swift.min(coreCount, count) : 1
    }

    /// Marks the threads running pieces of a parallel loop (thread-local, not task-local:
    /// `concurrentPerform` runs pieces on dispatch worker threads).
    private static let regionKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// `true` on a thread that is running a piece of a parallel loop.
    static var isInsideRegion: Bool { pthread_getspecific(regionKey) != nil }

    /// Runs `body` as (part of) a parallel region on this thread.
    @inline(__always)
    static func asRegion<R>(_ body: () -> R) -> R {
        let outer = pthread_getspecific(regionKey)
        pthread_setspecific(regionKey, UnsafeRawPointer(bitPattern: 1))
        defer { pthread_setspecific(regionKey, outer) }
        return body()
    }

    /// Calls `body(piece, range, context)` on the disjoint ranges that cover `0..<count`, one per
    /// piece (`pieces` of them, as ``pieceCount(_:threshold:)`` gives), in parallel when there
    /// is more than one.
    ///
    /// Kernel loops pass their buffers through `context` so the closure literal captures nothing
    /// but the element function: the optimizer then specializes the loop with that function
    /// inlined, on the multi-threaded path too (a closure capturing pointers is compiled once,
    /// calling the element function indirectly for every element).
    @inline(__always)
    static func forEachPiece<Context>(_ count: Int, pieces: Int, context: Context,
                                      _ body: (Int, Range<Int>, Context) -> Void) {
        if pieces <= 1 { body(0, 0..<count, context); return }
        let size = (count + pieces - 1) / pieces
        perform(pieces) { p in
            let lo = Swift.min(count, p * size)
            let hi = Swift.min(count, lo + size)
            body(p, lo..<hi, context)
        }
    }

    /// Runs `body(p)` for every piece `p` in `0..<pieces` in parallel, each as a region: on the
    /// ``WorkerPool`` (the calling thread takes part), or through `concurrentPerform` while
    /// the pool runs another thread's loop.
    static func perform(_ pieces: Int, _ body: (Int) -> Void) {
        if WorkerPool.shared.run(pieces, { p in asRegion { body(p) } }) { return }
        withoutActuallyEscaping(body) { body in
            let box = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: pieces) { p in asRegion { box.value(p) } }
        }
    }

    /// Calls `body(range, context)` on disjoint ranges covering `0..<count`, in parallel when
    /// `count` reaches `threshold`.
    @inline(__always)
    static func chunks<Context>(_ count: Int, threshold: Int = elementThreshold, context: Context,
                                _ body: (Range<Int>, Context) -> Void) {
        let pieces = pieceCount(count, threshold: threshold)
        if pieces == 1 { body(0..<count, context); return }
        let size = (count + pieces - 1) / pieces
        perform(pieces) { p in
            let lo = Swift.min(count, p * size)
            let hi = Swift.min(count, lo + size)
            if lo < hi { body(lo..<hi, context) }
        }
    }
}

extension Parallel {
    /// `chunks` for loops whose closure captures what it needs. Simpler to call, but a closure
    /// that captures buffers is compiled once, so an element function inside it is called
    /// indirectly per element on the multi-threaded path; hot kernels pass their buffers through
    /// ``chunks(_:threshold:context:_:)`` instead.
    @inline(__always)
    static func chunks(_ count: Int, threshold: Int = elementThreshold, _ body: (Range<Int>) -> Void) {
        chunks(count, threshold: threshold, context: ()) { r, _ in body(r) }
    }
}

/// Carries a non-Sendable value into `concurrentPerform`, whose iterations touch disjoint memory.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// Runs `body(i)` for every `i` in `0..<count`, spread over the cores; tensor ops inside `body`
/// then run single-threaded (the cores are already busy). For independent work items, such as
/// inference on separate batches; `body` must be safe to run concurrently.
///
/// ```swift
/// var outputs = [Tensor?](repeating: nil, count: 2)
/// outputs.withUnsafeMutableBufferPointer { out in
///     forEachConcurrently(2) { i in out[i] = model(batches[i]) }
/// }
/// ```
public func forEachConcurrently(_ count: Int, _ body: (Int) -> Void) {
    let pieces = Parallel.isInsideRegion ? 1 : Swift.min(Parallel.coreCount, count)
    Parallel.forEachPiece(count, pieces: pieces, context: ()) { _, range, _ in
        for i in range { body(i) }
    }
}

/// The number of cores parallel kernels and ``forEachConcurrently(_:_:)`` spread work over.
public var availableCoreCount: Int { Parallel.coreCount }
