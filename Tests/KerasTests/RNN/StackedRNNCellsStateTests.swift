import Foundation
import Keras
import KerasTestSupport
import Testing

/// StackedRNNCells' per-cell state lists against real Keras (`lookup_layers.json`, `stacked_cells`):
/// an RNN over LSTMCell(3), GRUCell(2), SimpleRNNCell(4) with `return_state`.
@Suite struct StackedRNNCellsStateTests {
    @Test func nestedStatesMatchKeras() throws {
        let f = try #require(try LookupFixture.root()["stacked_cells"] as? [String: Any])
        let stack = StackedRNNCells([LSTMCell(3), GRUCell(2), SimpleRNNCell(4)])
        let expectedSizes = (f["state_size"] as! [Any]).map { ($0 as? [Int]) ?? [$0 as! Int] }
        #expect(stack.cellStateSizes == expectedSizes)
        let layer = RNN(stack, returnState: true)
        let x = LookupFixture.tensor(LookupFixture.numbers(f["x"]), LookupFixture.shape(f["x_shape"]))
        _ = layer.apply([x])
        let weights = zip(f["weights"] as! [Any], f["weight_shapes"] as! [Any]).map {
            LookupFixture.tensor(LookupFixture.numbers($0), LookupFixture.shape($1))
        }
        try layer.setWeights(weights)
        let outputs = layer.apply([x])
        assertClose(outputs[0], LookupFixture.tensor(LookupFixture.numbers(f["output"]), [2, 4]), rtol: 1e-5, atol: 1e-6, "output")
        let nested = try stack.nestedStates(Array(outputs.dropFirst()))
        let expected = f["states"] as! [[Any]]
        #expect(nested.map(\.count) == expected.map(\.count))
        for (cell, (got, want)) in zip(expectedSizes, zip(nested, expected)) {
            for (size, (g, w)) in zip(cell, zip(got, want)) {
                assertClose(g, LookupFixture.tensor(LookupFixture.numbers(w), [2, size]), rtol: 1e-5, atol: 1e-6, "state")
            }
        }
        // One step with nested states equals the flat step.
        let zeros = stack.initialCellStates(batchSize: 2)
        let x0 = x.slice(axis: 1, start: 0, end: 1).reshaped(to: [2, 3])
        let step = stack.call(x0, cellStates: zeros, training: false)
        let flat = stack.call(x0, states: zeros.flatMap { $0 }, training: false)
        assertClose(step.output, flat.output)
        #expect(step.cellStates.flatMap { $0 }.count == flat.states.count)
        #expect(throws: KerasError.self) { try stack.nestedStates(Array(outputs.dropFirst(2))) }
        #expect(throws: KerasError.self) { try stack.nestedStates([Tensor.zeros([2, 5])] + Array(outputs.dropFirst(2))) }
    }
}
