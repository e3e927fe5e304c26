import Dispatch
import Foundation

/// Splits large loops across cores; small ones run inline.
enum Parallel {
    static let coreCount = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Elements below which elementwise kernels stay on one thread.
    static let elementThreshold = 1 << 16

    /// Calls `body` on disjoint ranges covering `0..<count`, in parallel when `count` is large.
    @inline(__always)
    static func chunks(_ count: Int, threshold: Int = elementThreshold, _ body: (Range<Int>) -> Void) {
        let pieces = count >= threshold ? coreCount : 1
        if pieces == 1 { body(0..<count); return }
        let size = (count + pieces - 1) / pieces
        withoutActuallyEscaping(body) { body in
            let box = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: pieces) { p in
                let lo = p * size
                let hi = min(count, lo + size)
                if lo < hi { box.value(lo..<hi) }
            }
        }
    }
}

/// Carries a non-Sendable closure into `concurrentPerform`, whose iterations touch disjoint memory.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
