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

    @Test func integerTensorsAreFinite() {
        #expect(Tensor([1, 2, 3]).allFinite)
        #expect(Tensor([true, false]).allFinite)
    }
}
