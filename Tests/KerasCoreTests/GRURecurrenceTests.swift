import Foundation
import KerasCore
import KerasTestSupport
import Testing

/// The fused GRU recurrence (`reset_after`): finite differences in float64, the float32 path
/// against float64 with the batch split across threads, and run-to-run repeatability.
@Suite struct GRURecurrenceTests {
    static func random(_ shape: [Int], _ seed: Int, scale: Double = 0.8, dtype: DType = .float64) -> Tensor {
        Tensor(shape: shape, doubles: (0..<shape.reduce(1, *)).map { sin(Double($0 * 7 + seed)) * scale }, dtype: dtype)
    }

    @Test func gradientsMatchFiniteDifferences() {
        let inputs = [Self.random([3, 2, 6], 1), Self.random([6], 2), Self.random([2, 6], 3), Self.random([2, 2], 4)]
        checkGradients(inputs) { xs in
            Tensor.gruRecurrence(projected: xs[0], recurrentBias: xs[1], recurrentKernel: xs[2], initialH: xs[3]).reshaped(to: [-1])
        }
        checkGradients([inputs[0], inputs[2], inputs[3]]) { xs in
            Tensor.gruRecurrence(projected: xs[0], recurrentKernel: xs[1], initialH: xs[2]).reshaped(to: [-1])
        }
    }

    /// Outputs and the gradients of a weighted sum with respect to every input.
    static func valueAndGradients(_ inputs: [Tensor]) -> (Tensor, [Tensor]) {
        let run = { (xs: [Tensor]) in
            Tensor.gruRecurrence(projected: xs[0], recurrentBias: xs[1], recurrentKernel: xs[2], initialH: xs[3])
        }
        let probe = withoutRecording { run(inputs) }
        let weights = Tensor(shape: probe.shape, doubles: (0..<probe.scalarCount).map { cos(Double($0)) + 1.5 }, dtype: probe.dtype)
        var output = probe
        let (_, grads) = valueWithGradients(at: inputs) { xs in
            output = run(xs)
            return (output * weights).sum()
        }
        return (output, grads)
    }

    /// Two steps of the gate arithmetic (gru.c: vector σ and tanh with fused multiply-adds) over
    /// pre-activations from −40 to 40, for 24 units (a full vector and a zero-padded tail):
    /// values and gradients within float32 rounding of float64; a NaN gate makes only its own
    /// unit's state NaN.
    @Test func stepGatesMatchFloat64AcrossTheRange() {
        let units = 24, count = 2 * 2 * 3 * units
        let spread: [Double] = (0..<count).map { i in
            let amplitude = Double(i % 5) / 4
            return 40 * sin(Double(i) * 1.7) * amplitude
        }
        let projected = Tensor(shape: [2, 2, 3 * units], doubles: spread, dtype: .float64)
        let inputs = [projected, Self.random([3 * units], 2, scale: 0.5), Self.random([units, 3 * units], 3, scale: 0.2),
                      Self.random([2, units], 4)]
        let (y64, g64) = Self.valueAndGradients(inputs)
        let (y32, g32) = Self.valueAndGradients(inputs.map { $0.cast(to: DType.float32) })
        assertClose(y32.cast(to: .float64), y64, rtol: 1e-5, atol: 1e-6, "value")
        for (k, (a, b)) in zip(g32, g64).enumerated() {
            assertClose(a.cast(to: .float64), b, rtol: 1e-5, atol: 1e-5, "gradient of input \(k)")
        }
        var values: [Double] = spread
        values[3 * units + 5] = Double.nan   // the second row's update gate of unit 5, first step
        let single = inputs.map { $0.cast(to: DType.float32) }
        let poisoned = Tensor(shape: projected.shape, doubles: values, dtype: DType.float32)
        let h = Tensor.gruRecurrence(projected: poisoned, recurrentBias: single[1], recurrentKernel: single[2],
                                     initialH: single[3]).doubles
        #expect(h[units + 5].isNaN)
        #expect((0..<(2 * units)).filter { $0 != units + 5 }.allSatisfy { !h[$0].isNaN })
    }

    /// 20 rows × 8 steps × 128 units: the rows are split across the cores.
    @Test func splitFloat32MatchesFloat64AndRepeats() {
        let (steps, batch, units) = (8, 20, 128)
        let inputs = [Self.random([steps, batch, 3 * units], 1, scale: 1.2), Self.random([3 * units], 2, scale: 0.3),
                      Self.random([units, 3 * units], 3, scale: 0.1), Self.random([batch, units], 4)]
        let (y64, g64) = Self.valueAndGradients(inputs)
        let floats = inputs.map { $0.cast(to: .float32) }
        let (y32, g32) = Self.valueAndGradients(floats)
        let (again, gAgain) = Self.valueAndGradients(floats)
        #expect(y32.scalars == again.scalars)
        #expect(zip(g32, gAgain).allSatisfy { $0.scalars == $1.scalars })
        assertClose(y32.cast(to: .float64), y64, rtol: 1e-3, atol: 1e-4, "value")
        for (k, (a, b)) in zip(g32, g64).enumerated() {
            assertClose(a.cast(to: .float64), b, rtol: 1e-3, atol: 1e-3, "gradient of input \(k)")
        }
    }
}
