import KerasCore
import KerasTestSupport
import Testing

/// The fused dense product `Tensor.linear(kernel:bias:activation:)` against the composed ops
/// (matmul, bias add, activation) and against finite differences.
@Suite struct LinearOpTests {
    static var activations: [(LinearActivation, (Tensor) -> Tensor)] {
        [(.none, { $0 }), (.relu, { $0.relu() }), (.gelu, { $0.gelu() })]
    }

    @Test func finiteDifferenceGradients() {
        let x = Tensor.randomNormal([2, 3, 4], dtype: .float64, seed: 1)
        let w = Tensor.randomNormal([4, 5], dtype: .float64, seed: 2)
        // Offsets away from relu's kink at 0.
        let b = Tensor([0.31, -0.27, 0.45, -0.52, 0.18], dtype: .float64)
        for (activation, _) in Self.activations {
            checkGradients([x, w, b]) { $0[0].linear(kernel: $0[1], bias: $0[2], activation: activation) }
            checkGradients([x, w]) { $0[0].linear(kernel: $0[1], bias: nil, activation: activation) }
        }
        checkGradients([Tensor.randomNormal([4], dtype: .float64, seed: 7), w, b]) { $0[0].linear(kernel: $0[1], bias: $0[2]) }
    }

    @Test(arguments: [DType.float32, .float64])
    func sameAsComposed(_ dtype: DType) {
        let x = Tensor.randomNormal([3, 7, 16], dtype: dtype, seed: 3)
        let w = Tensor.randomNormal([16, 24], dtype: dtype, seed: 4)
        let b = Tensor.randomNormal([24], dtype: dtype, seed: 5)
        let weights = Tensor.randomUniform([3, 7, 24], dtype: dtype, seed: 6)
        #expect(x.linear(kernel: w, bias: b, activation: .gelu).dtype == dtype)
        for (activation, composedActivation) in Self.activations {
            for bias in [b, nil] as [Tensor?] {
                let fused: ([Tensor]) -> Tensor = { t in (t[0].linear(kernel: t[1], bias: bias == nil ? nil : t[2], activation: activation) * weights).sum() }
                let composed: ([Tensor]) -> Tensor = { t in
                    let y = t[0].matmul(t[1])
                    return (composedActivation(bias == nil ? y : y + t[2]) * weights).sum()
                }
                let inputs = [x, w, b]
                let (fv, fg) = valueWithGradients(at: inputs, fused)
                let (cv, cg) = valueWithGradients(at: inputs, composed)
                let tolerance = dtype == .float32 ? 1e-4 : 1e-10
                assertClose(fv, cv, rtol: tolerance, atol: tolerance)
                for i in 0..<(bias == nil ? 2 : 3) {
                    assertClose(fg[i], cg[i], rtol: tolerance, atol: tolerance, "gradient \(i) with \(activation)")
                }
            }
        }
    }

    @Test func shapesAndUnrecordedInputs() {
        let x = Tensor.ones([2, 5, 4]), w = Tensor.ones([4, 3])
        let b = Tensor(shape: [3], scalars: [Float(1), 2, 3])
        let y = x.linear(kernel: w, bias: b, activation: .relu)
        #expect(y.shape == [2, 5, 3])
        #expect(y.reshaped(to: [10, 3]).slice(axis: 0, start: 0, end: 1).doubles == [5, 6, 7])
        #expect(!y.isRecorded)
        // A row vector gives a vector; an empty batch gives an empty result.
        #expect(Tensor.ones([4]).linear(kernel: w, bias: nil).shape == [3])
        #expect(Tensor.ones([0, 4]).linear(kernel: w, bias: b, activation: .gelu).shape == [0, 3])
    }
}
