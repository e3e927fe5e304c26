import Foundation
import KerasCore
import KerasTestSupport
import Testing

/// The sequence-model ops: their float32 kernels (C, vectorized) against the float64 Swift paths,
/// which are checked against finite differences; the fused attention against the composition
/// of elementary ops it replaces.
@Suite struct SequenceKernelTests {
    static func random(_ shape: [Int], _ seed: Int, scale: Double = 0.8) -> Tensor {
        Tensor(shape: shape, doubles: (0..<shape.reduce(1, *)).map { sin(Double($0 * 7 + seed)) * scale }, dtype: .float64)
    }

    /// `f`'s value and gradients of a weighted sum, in float32 and in float64, agree.
    static func float32MatchesFloat64(_ inputs: [Tensor], rtol: Double = 2e-4, atol: Double = 2e-5,
                                      sourceLocation: SourceLocation = #_sourceLocation, _ f: @escaping ([Tensor]) -> Tensor) {
        func run(_ dtype: DType) -> (Tensor, [Tensor]) {
            let xs = inputs.map { $0.cast(to: dtype) }
            let probe = withoutRecording { f(xs) }
            let weights = Tensor(shape: probe.shape, doubles: (0..<probe.scalarCount).map { cos(Double($0)) + 1.5 }, dtype: dtype)
            var output = probe
            let (_, grads) = valueWithGradients(at: xs) { xs in
                output = f(xs)
                return (output * weights).sum()
            }
            return (output, grads)
        }
        let (y32, g32) = run(.float32), (y64, g64) = run(.float64)
        #expect(y32.dtype == .float32 && y64.dtype == .float64)
        assertClose(y32.cast(to: .float64), y64, rtol: rtol, atol: atol, "value", sourceLocation: sourceLocation)
        for (k, (a, b)) in zip(g32, g64).enumerated() {
            assertClose(a.cast(to: .float64), b, rtol: rtol, atol: atol, "gradient of input \(k)", sourceLocation: sourceLocation)
        }
    }

    @Test func lstmRecurrenceFloat32KernelMatchesFloat64() {
        let inputs = [Self.random([5, 3, 32], 1, scale: 1.5), Self.random([8, 32], 2, scale: 0.4),
                      Self.random([3, 8], 3), Self.random([3, 8], 4)]
        Self.float32MatchesFloat64(inputs) { xs in
            let (hs, c) = Tensor.lstmRecurrence(projected: xs[0], recurrentKernel: xs[1], initialH: xs[2], initialC: xs[3])
            return concatenate([hs.reshaped(to: [-1]), c.reshaped(to: [-1]) * 2])
        }
    }

    /// One step's gate arithmetic (lstm.c: vector σ and tanh with fused multiply-adds) over gate
    /// pre-activations from −40 to 40, across tanh's switch at |x| = 0.625, for 24 units (a full
    /// vector and a zero-padded tail): values and gradients within float32 rounding of float64;
    /// a NaN gate makes only its own unit's state NaN.
    @Test func lstmStepGatesMatchFloat64AcrossTheRange() {
        let units = 24, count = 2 * 4 * units
        let spread: [Double] = (0..<count).map { i in
            let amplitude = Double(i % 5) / 4
            return 40 * sin(Double(i) * 1.7) * amplitude
        }
        let projected = Tensor(shape: [1, 2, 4 * units], doubles: spread, dtype: .float64)
        let inputs = [projected, Tensor.zeros([units, 4 * units], dtype: .float64), Self.random([2, units], 3, scale: 0.1),
                      Self.random([2, units], 4, scale: 3)]
        Self.float32MatchesFloat64(inputs, rtol: 1e-5, atol: 1e-6) { xs in
            let (hs, c) = Tensor.lstmRecurrence(projected: xs[0], recurrentKernel: xs[1], initialH: xs[2], initialC: xs[3])
            return concatenate([hs.reshaped(to: [-1]), c.reshaped(to: [-1])])
        }
        var values: [Double] = spread
        values[20] = Double.nan   // unit 20's input gate, first row
        let single = inputs.map { $0.cast(to: DType.float32) }
        let poisoned = Tensor(shape: projected.shape, doubles: values, dtype: DType.float32)
        let (hs, c) = Tensor.lstmRecurrence(projected: poisoned, recurrentKernel: single[1], initialH: single[2], initialC: single[3])
        let h = hs.doubles, cell = c.doubles
        #expect(h[20].isNaN && cell[20].isNaN)
        #expect((0..<(2 * units)).filter { $0 != 20 }.allSatisfy { !h[$0].isNaN && !cell[$0].isNaN })
    }

    /// Enough work that the batch rows are split across threads (8 steps × 16 rows × 128 units).
    @Test func lstmRecurrenceSplitAcrossThreadsMatchesFloat64() {
        let inputs = [Self.random([8, 16, 512], 5, scale: 1.2), Self.random([128, 512], 6, scale: 0.1),
                      Self.random([16, 128], 7), Self.random([16, 128], 8)]
        Self.float32MatchesFloat64(inputs, rtol: 1e-3, atol: 1e-4) { xs in
            let (hs, c) = Tensor.lstmRecurrence(projected: xs[0], recurrentKernel: xs[1], initialH: xs[2], initialC: xs[3])
            return concatenate([hs.reshaped(to: [-1]), c.reshaped(to: [-1])])
        }
    }

    /// The attention the fused op replaces, from elementary ops.
    static func composedAttention(_ q: Tensor, _ k: Tensor, _ v: Tensor, mask: Tensor?, scale: Double) -> Tensor {
        var scores = (q * scale).transposed([0, 2, 1, 3]).matmul(k.transposed([0, 2, 3, 1]))
        if let mask { scores = `where`(mask.expandingDims(at: -3), scores, Tensor.full([], -1e9, dtype: scores.dtype)) }
        return scores.softmax(axis: -1).matmul(v.transposed([0, 2, 1, 3])).transposed([0, 2, 1, 3])
    }

    static let batchMask = Tensor(shape: [2, 3, 4], scalars: (0..<24).map { $0 % 5 != 2 && $0 % 4 != 3 || $0 % 4 == 0 })
    static let causalMask = Tensor(shape: [1, 3, 4], scalars: (0..<12).map { $0 % 4 <= $0 / 4 })

    @Test func fusedAttentionMatchesComposedOpsAndFiniteDifferences() {
        let q = Self.random([2, 3, 2, 4], 1), k = Self.random([2, 4, 2, 4], 2), v = Self.random([2, 4, 2, 5], 3)
        for mask in [nil, Self.batchMask, Self.causalMask] {
            let (out, probabilities) = Tensor.scaledDotProductAttention(query: q, key: k, value: v, mask: mask, scale: 0.5)
            assertClose(out, Self.composedAttention(q, k, v, mask: mask, scale: 0.5), rtol: 1e-12, atol: 1e-12)
            #expect(probabilities.shape == [2, 2, 3, 4])
            assertClose(probabilities.sum(axes: [3]), Tensor.ones([2, 2, 3], dtype: .float64), rtol: 1e-12, atol: 1e-12)
            checkGradients([q, k, v]) { xs in
                Tensor.scaledDotProductAttention(query: xs[0], key: xs[1], value: xs[2], mask: mask, scale: 0.5).output
            }
            Self.float32MatchesFloat64([q, k, v]) { xs in
                Tensor.scaledDotProductAttention(query: xs[0], key: xs[1], value: xs[2], mask: mask, scale: 0.5).output
            }
        }
    }

    /// The output-only op, unrecorded (probabilities in a per-thread block, float32 and float64,
    /// one thread and several) and recorded (the same gradients), equals the full op bit for bit;
    /// except unrecorded float32 without a mask, which runs by columns (within float rounding).
    @Test func attentionOutputOnlyEqualsFullOp() {
        for (shape, dtype) in [([2, 3, 2, 4], DType.float64), ([8, 64, 4, 64], .float32)] {
            let q = Self.random(shape, 7).cast(to: dtype), k = Self.random(shape, 8).cast(to: dtype), v = Self.random(shape, 9).cast(to: dtype)
            let mask = shape[1] == 3 ? Self.causalMask.slice(axis: 2, start: 0, end: 3) : nil
            let full = Tensor.scaledDotProductAttention(query: q, key: k, value: v, mask: mask, scale: 0.5).output
            let outputOnly = Tensor.scaledDotProductAttentionOutput(query: q, key: k, value: v, mask: mask, scale: 0.5)
            if dtype == .float64 {
                #expect(outputOnly.doubles == full.doubles)
            } else {
                assertClose(outputOnly, full, rtol: 1e-5, atol: 1e-6)
            }
            let (value, grads) = valueWithGradients(at: [q, k, v]) { xs in
                Tensor.scaledDotProductAttentionOutput(query: xs[0], key: xs[1], value: xs[2], mask: mask, scale: 0.5).square().sum()
            }
            let (fullValue, fullGrads) = valueWithGradients(at: [q, k, v]) { xs in
                Tensor.scaledDotProductAttention(query: xs[0], key: xs[1], value: xs[2], mask: mask, scale: 0.5).output.square().sum()
            }
            #expect(value.doubles == fullValue.doubles)
            for (a, b) in zip(grads, fullGrads) { #expect(a.doubles == b.doubles) }
        }
    }

    /// float32 sizes in multiples of 16 run the C kernels (scores and softmax in registers up to
    /// 64 keys, tiled products beyond; query lengths not a multiple of the 4-row tile): output
    /// and gradients, with and without a mask, agree with the float64 loops.
    @Test func attentionCKernelsMatchFloat64() {
        for (t, s, d, dv) in [(5, 16, 16, 32), (9, 48, 32, 16), (7, 80, 16, 48), (3, 128, 64, 64), (4, 64, 16, 16)] {
            let q = Self.random([2, t, 2, d], 1), k = Self.random([2, s, 2, d], 2), v = Self.random([2, s, 2, dv], 3)
            let mask = Tensor(shape: [2, t, s], scalars: (0..<(2 * t * s)).map { $0 % 7 != 3 && $0 % 11 != 5 })
            for mask in [nil, mask] {
                Self.float32MatchesFloat64([q, k, v]) { xs in
                    Tensor.scaledDotProductAttention(query: xs[0], key: xs[1], value: xs[2], mask: mask, scale: 0.5).output
                }
                Self.float32MatchesFloat64([q, k, v]) { xs in
                    Tensor.scaledDotProductAttentionOutput(query: xs[0], key: xs[1], value: xs[2], mask: mask, scale: 0.5)
                }
            }
        }
    }

    /// Inference without a mask and with query lengths in multiples of 16 runs by columns of
    /// transposed scores (`keras_attention_output_f32`); it agrees with the float64 loops.
    @Test func attentionOutputByColumnsMatchesFloat64() {
        for (t, s, d, dv) in [(16, 16, 16, 16), (32, 48, 32, 16), (64, 64, 16, 16), (16, 128, 64, 32)] {
            let q = Self.random([2, t, 2, d], 1), k = Self.random([2, s, 2, d], 2), v = Self.random([2, s, 2, dv], 3)
            func output(_ dtype: DType) -> Tensor {
                withoutRecording {
                    Tensor.scaledDotProductAttentionOutput(query: q.cast(to: dtype), key: k.cast(to: dtype), value: v.cast(to: dtype),
                                                           mask: nil, scale: 0.3)
                }
            }
            assertClose(output(.float32).cast(to: .float64), output(.float64), rtol: 2e-5, atol: 2e-6)
        }
    }

    /// A NaN in a float32 query row (C kernels, by rows and by columns) makes that row's output
    /// NaN and leaves the other rows finite: never a silently finite answer.
    @Test(arguments: [4, 16])
    func attentionCKernelsPropagateNaN(steps: Int) {
        var values = Self.random([1, steps, 1, 16], 1).doubles
        values[16 + 3] = .nan   // query step 1
        let q = Tensor(shape: [1, steps, 1, 16], doubles: values, dtype: .float32)
        let k = Self.random([1, 16, 1, 16], 2).cast(to: .float32), v = Self.random([1, 16, 1, 16], 3).cast(to: .float32)
        let out = Tensor.scaledDotProductAttentionOutput(query: q, key: k, value: v, mask: nil, scale: 0.25).doubles
        #expect(out[16..<32].allSatisfy { $0.isNaN })
        #expect((out[0..<16] + out[32...]).allSatisfy { $0.isFinite })
    }

    /// Enough (batch, head) pairs that they are split across threads.
    @Test func fusedAttentionSplitAcrossThreadsMatchesComposedOps() {
        let q = Self.random([8, 64, 4, 64], 4).cast(to: .float32), k = Self.random([8, 64, 4, 64], 5).cast(to: .float32)
        let v = Self.random([8, 64, 4, 16], 6).cast(to: .float32)
        let (fused, _) = Tensor.scaledDotProductAttention(query: q, key: k, value: v, mask: nil, scale: 0.125)
        assertClose(fused, Self.composedAttention(q, k, v, mask: nil, scale: 0.125), rtol: 1e-4, atol: 1e-5)
        let objective: ([Tensor]) -> Tensor = { xs in
            Tensor.scaledDotProductAttention(query: xs[0], key: xs[1], value: xs[2], mask: nil, scale: 0.125).output.square().sum()
        }
        let (_, fusedGrads) = valueWithGradients(at: [q, k, v], objective)
        let (_, composedGrads) = valueWithGradients(at: [q, k, v]) { xs in
            Self.composedAttention(xs[0], xs[1], xs[2], mask: nil, scale: 0.125).square().sum()
        }
        for (a, b) in zip(fusedGrads, composedGrads) { assertClose(a, b, rtol: 1e-3, atol: 1e-5) }
    }

    @Test func geluMatchesErfFormulaAndFiniteDifferences() {
        let x = Self.random([3, 7], 1, scale: 4)
        let formula = 0.5 * x * ((x / 2.0.squareRoot()).erf() + 1)
        assertClose(x.gelu(), formula, rtol: 1e-12, atol: 1e-12)
        assertClose(x.cast(to: .float32).gelu().cast(to: .float64), formula, rtol: 1e-6, atol: 1e-6)
        checkGradients([x]) { $0[0].gelu() }
        Self.float32MatchesFloat64([x], rtol: 1e-5, atol: 1e-6) { $0[0].gelu() }
        #expect(Tensor([1, -2]).gelu().dtype == .float32)
        // Far tails, zero and a length with a partial last vector: value and gradient.
        let wide = Tensor(shape: [37], doubles: (0..<37).map { Double($0 - 18) * 30 / 18 }, dtype: .float64)
        assertClose(wide.cast(to: .float32).gelu().cast(to: .float64), 0.5 * wide * ((wide / 2.0.squareRoot()).erf() + 1),
                    rtol: 1e-6, atol: 1e-6)
        Self.float32MatchesFloat64([wide], rtol: 1e-5, atol: 1e-6) { $0[0].gelu() }
        let special = Tensor([Float.nan, .infinity, 0]).gelu().scalars
        #expect(special[0].isNaN && special[1] == .infinity && special[2] == 0)
    }

    @Test func layerNormalizationFloat32KernelMatchesFloat64() {
        let inputs = [Self.random([4, 3, 10], 1, scale: 3), Self.random([10], 2), Self.random([10], 3)]
        Self.float32MatchesFloat64(inputs, rtol: 1e-4, atol: 1e-5) { xs in
            xs[0].layerNormalized(gamma: xs[1], beta: xs[2], epsilon: 1e-3)
        }
        Self.float32MatchesFloat64([inputs[0]], rtol: 1e-4, atol: 1e-5) { xs in
            xs[0].layerNormalized(gamma: nil, beta: nil, epsilon: 1e-3)
        }
    }

    /// Inference (nothing recorded) writes only the output, through the row bodies specialized
    /// for widths 32…256: the same bits as the recorded path, which also keeps the backward's rows.
    @Test func layerNormalizationInferenceMatchesTheRecordedPath() {
        for n in [10, 32, 64, 128, 256] {
            let x = Self.random([5, n], n, scale: 3).cast(to: .float32)
            let gamma = Self.random([n], 2).cast(to: .float32), beta = Self.random([n], 3).cast(to: .float32)
            for (g, b) in [(gamma, beta), (nil, nil), (gamma, nil)] as [(Tensor?, Tensor?)] {
                let inference = withoutRecording { x.layerNormalized(gamma: g, beta: b, epsilon: 1e-3) }
                var recorded = inference
                _ = valueWithGradients(at: [x]) { xs in
                    recorded = xs[0].layerNormalized(gamma: g, beta: b, epsilon: 1e-3)
                    return recorded.sum()
                }
                #expect(inference.scalars == recorded.scalars, "width \(n)")
                assertClose(inference.cast(to: .float64), x.cast(to: .float64).layerNormalized(gamma: g?.cast(to: .float64), beta: b?.cast(to: .float64), epsilon: 1e-3), rtol: 1e-4, atol: 1e-5)
            }
        }
    }
}
