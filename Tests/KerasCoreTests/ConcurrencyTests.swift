import Foundation
import KerasCore
import KerasTestSupport
import Synchronization
import Testing

/// Runs each closure on its own thread and waits for all of them.
private func onThreads(_ bodies: [@Sendable () -> Void]) {
    let group = DispatchGroup()
    for body in bodies {
        group.enter()
        Thread { body(); group.leave() }.start()
    }
    group.wait()
}

/// Counters shared by the threads of a test.
private final class Counters: Sendable {
    let writerDone = Atomic(false)
    let reads = Atomic(0)
    let badReads = Atomic(0)
}

@Suite struct ConcurrencyTests {
    @Test func everyIndexRunsOnceAndOpsInsideStayCorrect() {
        let a = Tensor.randomNormal([300, 200], seed: 1), b = Tensor.randomNormal([200, 300], seed: 2)
        let expected = a.matmul(b)               // large enough to be split across cores
        let big = Tensor.randomNormal([1 << 19], seed: 3)
        let expectedSum = (big * 2).sum()
        var results = [Tensor?](repeating: nil, count: 5)
        var sums = [Tensor?](repeating: nil, count: 5)
        results.withUnsafeMutableBufferPointer { out in
            sums.withUnsafeMutableBufferPointer { totals in
                forEachConcurrently(5) { i in
                    out[i] = a.matmul(b)         // runs single-threaded inside the region
                    totals[i] = (big * 2).sum()
                }
            }
        }
        for r in results { assertClose(r!, expected, rtol: 1e-5, atol: 1e-4) }
        for s in sums { assertClose(s!, expectedSum, rtol: 1e-5, atol: 1e-3) }
        #expect(availableCoreCount >= 1)
    }

    @Test func readersAlwaysSeeOneWholeAssignedValue() {
        let rounds = 20_000, width = 256
        let w = Variable(Tensor.full([width], -1), name: "shared")
        let counters = Counters()
        let writer: @Sendable () -> Void = {
            for i in 0..<rounds { w.assign(Tensor.full([width], Double(i))) }
            counters.writerDone.store(true, ordering: .releasing)
        }
        let reader: @Sendable () -> Void = {
            var done = false
            while !done {
                done = counters.writerDone.load(ordering: .acquiring)
                let v = w.value
                let first = v.doubles[0], total = v.sum().item(as: Double.self)
                if v.shape != [width] || first < -1 || first >= Double(rounds) || total != first * Double(width) {
                    counters.badReads.add(1, ordering: .relaxed)
                }
                counters.reads.add(1, ordering: .relaxed)
            }
        }
        onThreads([writer, reader, reader, reader])
        #expect(counters.badReads.load(ordering: .relaxed) == 0)
        #expect(counters.reads.load(ordering: .relaxed) >= 3)
        #expect(w.value.doubles == Array(repeating: Double(rounds - 1), count: width))
    }

    @Test func concurrentAssignAddsAllTakeEffect() {
        let w = Variable(Tensor.zeros([64], dtype: .float64), name: "counter")
        let adder: @Sendable () -> Void = {
            for _ in 0..<300 { w.assignAdd(Tensor.ones([64], dtype: .float64)) }
        }
        let flipper: @Sendable () -> Void = {
            for i in 0..<300 { w.trainable = i % 2 == 0 }
        }
        onThreads([adder, adder, adder, flipper])
        #expect(w.value.doubles == Array(repeating: 900, count: 64))
    }
}
