import KerasCore
import KerasTestSupport
import Testing

/// Leading-axis slices share storage with their base (no copy); every op must read them at the
/// right offset.
@Suite struct ViewTests {
    @Test func rowSlicesReadTheirOwnRows() {
        let base = Tensor.arange(24, dtype: .float32).reshaped(to: [6, 4])
        let rows = base.slice(axis: 0, start: 2, end: 5)
        #expect(rows.scalars == (8..<20).map(Float.init))
        assertClose(rows.matmul(Tensor.ones([4, 1])), Tensor([[38.0], [54.0], [70.0]]))
        assertClose(rows.reshaped(to: [12]).slice(axis: 0, start: 1, end: 3), Tensor([9.0, 10.0]))
        assertClose(rows.sum(axes: [0]), Tensor([36.0, 39.0, 42.0, 45.0]))
        assertClose(rows.transposed().slice(axis: 0, start: 3, end: 4), Tensor([[11.0, 15.0, 19.0]]))
        #expect(concatenate([rows, base.slice(axis: 0, start: 0, end: 1)]).scalars.suffix(4) == [0, 1, 2, 3])
        #expect(rows.toArray(of: Int32.self).first == 8)
    }

    @Test func gradientsFlowThroughViews() {
        checkGradients([Tensor.randomNormal([5, 3], seed: 4)]) { xs in
            (xs[0].slice(axis: 0, start: 1, end: 4) * xs[0].slice(axis: 0, start: 2, end: 5)).exp()
        }
    }
}
