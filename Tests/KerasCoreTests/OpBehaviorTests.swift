import KerasCore
import KerasTestSupport
import Testing

/// Contracts of the indexing, sorting and contraction ops that fixtures do not spell out:
/// dtypes, argument forms and equivalences between spellings.
@Suite struct OpBehaviorTests {
    @Test func subscriptForms() {
        let x = Tensor.arange(24).reshaped(to: [2, 3, 4])
        #expect(x[...].shape == [2, 3, 4])
        #expect(x[0, ...].doubles == x[0].doubles)
        #expect(x[..., 0].shape == [2, 3])
        #expect(x[.all, 0].shape == [2, 4])
        #expect(x[1, ..., 2].doubles == [14, 18, 22])
        #expect(x[.newAxis, ..., .newAxis].shape == [1, 2, 3, 4, 1])
        #expect(x[-1, -1, -1].shape == [] && x[-1, -1, -1].item(as: Int32.self) == 23)
        #expect(x[0, 0, .stride(nil, nil, by: -1)].doubles == [3, 2, 1, 0])
        #expect(x[0, 0, .stride(nil, nil, by: -3)].doubles == [3, 0])
        #expect(x[0, 0, (-2)...].doubles == [2, 3])
        #expect(x[0, 0, ..<(-1)].doubles == [0, 1, 2])
        #expect(x[0, 0, ...(-2)].doubles == [0, 1, 2])
        #expect(x[indices: [.index(1), .all]].shape == [3, 4])
        #expect(x.dtype == x[0].dtype)
    }

    @Test func takeAndOneHot() {
        let table = Tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
        #expect(table.take(Tensor([-1, 0]), axis: 0).doubles == [5, 6, 1, 2])
        #expect(take(table, Tensor([[1], [0]], dtype: .int64), axis: 1).shape == [3, 2, 1])
        #expect(table.take(Tensor([0]), axis: -1).doubles == [1, 3, 5])
        let labels = Tensor([2, 0])
        #expect(labels.oneHot(depth: 3, dtype: .int32).dtype == .int32)
        #expect(oneHot(labels, depth: 3).doubles == [0, 0, 1, 1, 0, 0])
        #expect(oneHot(Tensor(1), depth: 2).shape == [2])
    }

    @Test func sortingContracts() {
        let x = Tensor([[4, 1, 3, 1]])
        #expect(x.sort().dtype == .int32 && x.sort().doubles == [1, 1, 3, 4])
        #expect(x.argsort().doubles == [1, 3, 2, 0], "stable: equal keys keep their order")
        let (values, indices) = x.topK(3)
        #expect(values.doubles == [4, 3, 1] && indices.doubles == [0, 2, 1] && indices.dtype == .int32)
        let unsorted = x.topK(3, sorted: false)
        #expect(unsorted.indices.doubles == [0, 1, 2] && unsorted.values.doubles == [4, 1, 3])
        #expect(Tensor(5.0).argsort().shape == [])
        #expect(Tensor([3, 2, 4]).cumprod().doubles == [3, 6, 24])
        #expect(Tensor([true, true, false]).cumsum().dtype == .int32)
    }

    @Test func tilePadAndContractions() {
        let x = Tensor([[1, 2]])
        #expect(x.tile([2]).doubles == [1, 2, 1, 2])
        #expect(x.pad([(0, 1), (1, 0)], value: 9).doubles == [9, 1, 2, 9, 9, 9])
        #expect(x.pad([(0, 1), (1, 0)], value: 9).dtype == .int32)
        let a = Tensor.randomNormal([2, 3], seed: 1), b = Tensor.randomNormal([3, 4], seed: 2)
        assertClose(einsum("ij,jk", a, b), a.matmul(b))
        assertClose(einsum("ij,jk->ki", [a, b]), a.matmul(b).T)
        assertClose(a.tensordot(b, axes: 1), a.matmul(b))
        assertClose(einsum("ij->", a), a.sum())
    }
}
