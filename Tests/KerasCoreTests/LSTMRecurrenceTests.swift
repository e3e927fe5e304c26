import Foundation
import KerasCore
import KerasTestSupport
import Testing

/// The fused LSTM recurrence with its bias input, and its batch split across threads: the split
/// run equals running each batch row on its own, and repeats bit for bit.
@Suite struct LSTMRecurrenceTests {
    static func random(_ shape: [Int], _ seed: Int, scale: Double = 0.8, dtype: DType = .float64) -> Tensor {
        Tensor(shape: shape, doubles: (0..<shape.reduce(1, *)).map { sin(Double($0 * 7 + seed)) * scale }, dtype: dtype)
    }

    /// Every h_t and the final c, as one vector.
    static func run(_ xs: [Tensor]) -> Tensor {
        let (hs, c) = Tensor.lstmRecurrence(projected: xs[0], bias: xs[1], recurrentKernel: xs[2], initialH: xs[3], initialC: xs[4])
        return concatenate([hs.reshaped(to: [-1]), c.reshaped(to: [-1]) * 2])
    }

    @Test func biasGradientsMatchFiniteDifferences() {
        let inputs = [Self.random([3, 2, 8], 1), Self.random([8], 9), Self.random([2, 8], 2),
                      Self.random([2, 2], 3), Self.random([2, 2], 4)]
        checkGradients(inputs) { Self.run($0) }
    }

    /// Zero initial states skip the first recurrent product; the gradients still reach them.
    @Test func zeroInitialStatesMatchFiniteDifferences() {
        let inputs = [Self.random([3, 2, 8], 5), Self.random([8], 6), Self.random([2, 8], 7),
                      Tensor.zeros([2, 2], dtype: .float64), Tensor.zeros([2, 2], dtype: .float64)]
        checkGradients(inputs) { Self.run($0) }
    }

    /// Pieces of 32 rows or more add the projected input and bias in the gate kernel instead of
    /// accumulating the recurrent product onto them: finite differences (float64) and the float32
    /// C kernel against float64.
    @Test func largePiecesMatchFiniteDifferencesAndFloat64() {
        let inputs = [Self.random([3, 32, 8], 11), Self.random([8], 12), Self.random([2, 8], 13),
                      Self.random([32, 2], 14), Self.random([32, 2], 15)]
        checkGradients(inputs) { Self.run($0) }
        let (y64, g64) = Self.valueAndGradients(inputs)
        let (y32, g32) = Self.valueAndGradients(inputs.map { $0.cast(to: .float32) })
        assertClose(y32.cast(to: .float64), y64, rtol: 2e-4, atol: 2e-5, "value")
        for (k, (a, b)) in zip(g32, g64).enumerated() {
            assertClose(a.cast(to: .float64), b, rtol: 2e-4, atol: 2e-5, "gradient of input \(k)")
        }
    }

    /// Outputs and the gradients of a weighted sum with respect to every input.
    static func valueAndGradients(_ inputs: [Tensor]) -> (Tensor, [Tensor]) {
        let probe = withoutRecording { run(inputs) }
        let weights = Tensor(shape: probe.shape, doubles: (0..<probe.scalarCount).map { cos(Double($0)) + 1.5 }, dtype: probe.dtype)
        var output = probe
        let (_, grads) = valueWithGradients(at: inputs) { xs in
            output = run(xs)
            return (output * weights).sum()
        }
        return (output, grads)
    }

    /// 20 rows × 8 steps × 128 units is enough work to split the rows across the cores; the
    /// result equals each row run alone (float32 rounding) and repeats exactly.
    @Test func batchSplitEqualsRowByRowAndRepeats() {
        let (steps, batch, units) = (8, 20, 128)
        let inputs = [Self.random([steps, batch, 4 * units], 1, scale: 1.2, dtype: .float32),
                      Self.random([4 * units], 2, scale: 0.3, dtype: .float32),
                      Self.random([units, 4 * units], 3, scale: 0.1, dtype: .float32),
                      Self.random([batch, units], 4, dtype: .float32), Self.random([batch, units], 5, dtype: .float32)]
        let (y, grads) = Self.valueAndGradients(inputs)
        let (again, gradsAgain) = Self.valueAndGradients(inputs)
        #expect(y.scalars == again.scalars)
        #expect(zip(grads, gradsAgain).allSatisfy { $0.scalars == $1.scalars })

        var rowOutputs: [Tensor] = [], rowCells: [Tensor] = []
        var dProjected: [Tensor] = [], dH: [Tensor] = [], dC: [Tensor] = []
        var dBias = Tensor.zeros([4 * units], dtype: .float64), dR = Tensor.zeros([units, 4 * units], dtype: .float64)
        for b in 0..<batch {
            let row = [inputs[0].slice(axis: 1, start: b, end: b + 1), inputs[1], inputs[2],
                       inputs[3].slice(axis: 0, start: b, end: b + 1), inputs[4].slice(axis: 0, start: b, end: b + 1)]
            let (hs, c) = Tensor.lstmRecurrence(projected: row[0], bias: row[1], recurrentKernel: row[2], initialH: row[3], initialC: row[4])
            rowOutputs.append(hs)
            rowCells.append(c)
            // The weighted sum's gradient for this row: the same weights, picked out of the batch layout.
            let weights = Tensor(shape: [steps * batch * units + batch * units],
                                 doubles: (0..<(steps * batch * units + batch * units)).map { cos(Double($0)) + 1.5 }, dtype: .float32)
            let hWeights = weights.slice(axis: 0, start: 0, end: steps * batch * units).reshaped(to: [steps, batch, units])
                .slice(axis: 1, start: b, end: b + 1)
            let cWeights = weights.slice(axis: 0, start: steps * batch * units, end: steps * batch * units + batch * units)
                .reshaped(to: [batch, units]).slice(axis: 0, start: b, end: b + 1)
            let (_, g) = valueWithGradients(at: row) { xs in
                let (hs, c) = Tensor.lstmRecurrence(projected: xs[0], bias: xs[1], recurrentKernel: xs[2], initialH: xs[3], initialC: xs[4])
                return (hs * hWeights).sum() + (c * cWeights * 2).sum()
            }
            dProjected.append(g[0]); dBias = dBias + g[1].cast(to: .float64); dR = dR + g[2].cast(to: .float64)
            dH.append(g[3]); dC.append(g[4])
        }
        let expected = concatenate([concatenate(rowOutputs, axis: 1).reshaped(to: [-1]), concatenate(rowCells, axis: 0).reshaped(to: [-1]) * 2])
        assertClose(y.cast(to: .float64), expected.cast(to: .float64), rtol: 1e-5, atol: 1e-6, "outputs")
        assertClose(grads[0].cast(to: .float64), concatenate(dProjected, axis: 1).cast(to: .float64), rtol: 1e-4, atol: 1e-5, "projected")
        assertClose(grads[1].cast(to: .float64), dBias, rtol: 1e-4, atol: 1e-4, "bias")
        assertClose(grads[2].cast(to: .float64), dR, rtol: 1e-4, atol: 1e-4, "recurrent kernel")
        assertClose(grads[3].cast(to: .float64), concatenate(dH, axis: 0).cast(to: .float64), rtol: 1e-4, atol: 1e-5, "initial h")
        assertClose(grads[4].cast(to: .float64), concatenate(dC, axis: 0).cast(to: .float64), rtol: 1e-4, atol: 1e-5, "initial c")
    }

    /// The form with the input projection inside (`inputs`, `kernel`): every h_t and the final c.
    static func runProjecting(_ xs: [Tensor]) -> Tensor {
        let (hs, c) = Tensor.lstmRecurrence(inputs: xs[0], kernel: xs[1], bias: xs[2], recurrentKernel: xs[3],
                                            initialH: xs[4], initialC: xs[5])
        return concatenate([hs.reshaped(to: [-1]), c.reshaped(to: [-1]) * 2])
    }

    /// The projection inside the recurrence: finite differences for every input (inputs, kernel,
    /// bias, recurrent kernel, initial states) with small and 32-row pieces and zero initial
    /// states, and the same values and gradients as the projected form fed `x.matmul(kernel)`,
    /// in float64 and in the float32 C kernels.
    @Test(arguments: [(2, false), (2, true), (32, false)])
    func projectionInsideMatchesFiniteDifferencesAndTheProjectedForm(batch: Int, zeroStart: Bool) {
        let state = { (seed: Int) in zeroStart ? Tensor.zeros([batch, 2], dtype: .float64) : Self.random([batch, 2], seed) }
        let inputs = [Self.random([3, batch, 5], 21), Self.random([5, 8], 22, scale: 0.5), Self.random([8], 23),
                      Self.random([2, 8], 24), state(25), state(26)]
        checkGradients(inputs) { Self.runProjecting($0) }
        for dtype in [DType.float64, .float32] {
            let xs = inputs.map { $0.cast(to: dtype) }
            let (inside, gInside) = valueWithGradients(at: xs) { (Self.runProjecting($0) * 1.5).sum() }
            let (projected, gProjected) = valueWithGradients(at: xs) { xs in
                (Self.run([xs[0].matmul(xs[1])] + Array(xs[2...])) * 1.5).sum()
            }
            let tolerance = dtype == .float64 ? 1e-12 : 1e-5
            assertClose(inside.cast(to: .float64), projected.cast(to: .float64), rtol: tolerance, atol: tolerance, "value")
            for (k, (a, b)) in zip(gInside, gProjected).enumerated() {
                assertClose(a.cast(to: .float64), b.cast(to: .float64), rtol: tolerance * 10, atol: tolerance, "gradient of input \(k)")
            }
        }
    }

    /// Inputs that are not differentiated get no gradient computed, and a mismatched kernel stops.
    @Test func projectionInsideSkipsTheInputGradientOfConstants() {
        let x = Self.random([4, 3, 5], 31, dtype: .float32), kernel = Self.random([5, 8], 32, dtype: .float32)
        let r = Self.random([2, 8], 33, dtype: .float32), h = Tensor.zeros([3, 2]), c = Tensor.zeros([3, 2])
        let (_, grads) = valueWithGradients(at: [kernel, r]) { ws in
            Tensor.lstmRecurrence(inputs: x, kernel: ws[0], recurrentKernel: ws[1], initialH: h, initialC: c).outputs.sum()
        }
        let (_, expected) = valueWithGradients(at: [kernel, r]) { ws in
            Tensor.lstmRecurrence(projected: x.matmul(ws[0]), recurrentKernel: ws[1], initialH: h, initialC: c).outputs.sum()
        }
        for (a, b) in zip(grads, expected) { assertClose(a, b, rtol: 1e-5, atol: 1e-6) }
    }
}
