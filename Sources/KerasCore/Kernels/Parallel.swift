import Dispatch
import Foundation

/// Splits large loops across cores; small ones run inline on the calling thread.
///
/// Waking the other core (`DispatchQueue.concurrentPerform`) costs several microseconds of
/// futex and scheduler work on both threads, so loops stay on one thread below
/// ``elementThreshold`` elements. Measured here: 256K rather than 64K made a batch-32 MLP training
/// step (whose weight updates are 100K-element ops) ~7% faster, and a float32 add of 128K
/// elements was no faster on two threads than on one.
enum Parallel {
    static let coreCount = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Elements below which elementwise kernels stay on one thread.
    static let elementThreshold = 1 << 18

    /// How many pieces a loop of `count` is cut into (1 below `threshold`).
    @inline(__always)
    static func pieceCount(_ count: Int, threshold: Int = elementThreshold) -> Int {
        count >= threshold && count > 1 ? Swift.min(coreCount, count) : 1
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
        withoutActuallyEscaping(body) { body in
            let box = UncheckedSendable((body, context))
            DispatchQueue.concurrentPerform(iterations: pieces) { p in
                let lo = Swift.min(count, p * size)
                let hi = Swift.min(count, lo + size)
                box.value.0(p, lo..<hi, box.value.1)
            }
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
        withoutActuallyEscaping(body) { body in
            let box = UncheckedSendable((body, context))
            DispatchQueue.concurrentPerform(iterations: pieces) { p in
                let lo = Swift.min(count, p * size)
                let hi = Swift.min(count, lo + size)
                if lo < hi { box.value.0(lo..<hi, box.value.1) }
            }
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
