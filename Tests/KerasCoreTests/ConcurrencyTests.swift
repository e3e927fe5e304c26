import KerasCore
import KerasTestSupport
import Testing

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
}
