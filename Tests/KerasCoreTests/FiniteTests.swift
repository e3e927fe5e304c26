import KerasCore
import Testing

@Suite struct FiniteTests {
    @Test(arguments: [DType.float32, .float64])
    func findsEveryNonFiniteValueAnywhere(dtype: DType) {
        #expect(Tensor.zeros([10_000], dtype: dtype).allFinite)
        #expect(Tensor(shape: [3], doubles: [-.greatestFiniteMagnitude, 0, 1e-300], dtype: .float64).allFinite)
        for bad in [Double.nan, .infinity, -.infinity] {
            for position in [0, 4095, 4096, 9_999] {
                var values = [Double](repeating: 1.5, count: 10_000)
                values[position] = bad
                #expect(!Tensor(shape: [10_000], doubles: values, dtype: dtype).allFinite, "\(bad) at \(position)")
            }
        }
    }

    /// Buffers of 1M elements and more are checked in pieces on all cores: a bad value is found
    /// in any piece, at its seams and at the ends.
    @Test(arguments: [DType.float32, .float64])
    func findsNonFiniteValuesInLargeBuffers(dtype: DType) {
        let count = (1 << 20) + 3
        #expect(Tensor.zeros([count], dtype: dtype).allFinite)
        for position in [0, count / 2 - 1, count / 2, count / 2 + 1, count - 1] {
            var values = [Double](repeating: -2.5, count: count)
            values[position] = .nan
            #expect(!Tensor(shape: [count], doubles: values, dtype: dtype).allFinite, "NaN at \(position)")
        }
    }

    @Test func integerTensorsAreFinite() {
        #expect(Tensor([1, 2, 3]).allFinite)
        #expect(Tensor([true, false]).allFinite)
    }
}
