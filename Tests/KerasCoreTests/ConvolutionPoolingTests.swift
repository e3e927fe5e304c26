@testable import KerasCore
import KerasTestSupport
import Testing

/// The inference op a convolution layer followed by max pooling runs as
/// (`convMaxPool`): the same values, bit for bit, as the convolution and the pooling run apart.
struct ConvolutionPoolingTests {
    /// (input shape, filters, kernel, conv strides, conv padding, pool size, pool strides, pool padding)
    static let cases: [([Int], Int, [Int], [Int], Int, [Int], [Int]?, PaddingMode)] = [
        // One input channel, 8 filters (the channels-last pooling loop with a partial vector).
        ([5, 12, 10, 1], 8, [3, 3], [1, 1], 0, [2, 2], nil, .valid),
        // 32 filters, overlapping "same" windows, a strided convolution.
        ([3, 11, 9, 2], 32, [3, 2], [2, 1], 1, [3, 3], [2, 2], .same),
        // Winograd-eligible: pooled from the primitive's blocked layout where the CPU has AVX-512.
        ([6, 9, 9, 16], 32, [3, 3], [1, 1], 1, [2, 2], nil, .valid),
        ([2, 8, 8, 32], 48, [3, 3], [1, 1], 0, [3, 3], [1, 1], .same),
        // A batch cut into several micro-batches on each core (28×28×1 → 32 is ~90 kB a sample).
        ([70, 28, 28, 1], 32, [3, 3], [1, 1], 0, [2, 2], nil, .valid),
        // 1-D and 3-D.
        ([4, 17, 3], 16, [3], [1], 1, [2], nil, .valid),
        ([2, 5, 6, 4, 3], 16, [2, 3, 3], [1, 1, 1], 0, [2, 2, 2], nil, .same),
    ]

    @Test(arguments: cases.indices)
    func equalsTheConvolutionThenThePooling(_ i: Int) throws {
        let (shape, filters, kernelSize, strides, pad, poolSize, poolStrides, poolPadding) = Self.cases[i]
        let n = shape.count - 2
        var values = Tensor.randomNormal(shape, dtype: .float64, seed: 300 + i).doubles
        values[values.count / 3] = .nan   // NaN reaches the pooled windows it feeds, as unfused
        let x = Tensor(shape: shape, doubles: values, dtype: .float32)
        let w = Tensor.randomNormal(kernelSize + [shape[n + 1], filters], seed: 310 + i)
        let b = Tensor.randomNormal([filters], seed: 320 + i)
        let padding = [(before: Int, after: Int)](repeating: (pad, pad), count: n)
        for (bias, relu) in [(b, true), (b, false), (nil, true)] as [(Tensor?, Bool)] {
            let fused = try #require(withoutRecording {
                x.convMaxPool(w, bias: bias, relu: relu, strides: strides, padding: padding, poolSize: poolSize,
                              poolStrides: poolStrides, poolPadding: poolPadding)
            })
            let unfused = withoutRecording {
                x.conv(w, bias: bias ?? Tensor.zeros([filters]), relu: relu, strides: strides, padding: padding)
                    .maxPool(poolSize: poolSize, strides: poolStrides, padding: poolPadding)
            }
            #expect(fused.shape == unfused.shape)
            let bits = { (t: Tensor) in t.doubles.map { $0.isNaN ? UInt64.max : Float($0).bitPattern.asUInt64 } }
            #expect(bits(fused) == bits(unfused), "case \(i), bias \(bias != nil), relu \(relu)")
            if !relu { #expect(fused.doubles.contains { $0.isNaN }, "case \(i): the NaN input reaches the output") }
        }
    }

    /// The Winograd cases pool in place from oneDNN's 16-channel blocked layout on AVX-512.
    @Test func winogradOutputsArePooledInTheirBlockedLayout() {
        let cpuInfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let g = ConvGeometry(batch: 3, input: [9, 9], output: [9, 9], kernel: [3, 3], strides: [1, 1], dilation: [1, 1],
                             padBefore: [1, 1], inChannels: 16, outChannels: 32, groups: 1)
        #expect(DNNLConvolution.poolsWinogradOutputInPlace(g) == cpuInfo.contains(" avx512f"))
    }

    /// Nothing is fused when the op would have to be differentiated, or for other dtypes.
    @Test func declinesRecordedAndNonFloat32Operands() {
        let x = Tensor.randomNormal([2, 6, 6, 1], seed: 1), w = Tensor.randomNormal([3, 3, 1, 4], seed: 2)
        let pads = [(before: 0, after: 0), (before: 0, after: 0)]
        #expect(x.cast(to: .float64).convMaxPool(w, bias: nil, relu: true, padding: pads, poolSize: [2, 2]) == nil)
        let recorded = valueWithGradients(at: [w]) { ws in
            #expect(x.convMaxPool(ws[0], bias: nil, relu: true, padding: pads, poolSize: [2, 2]) == nil)
            return ws[0].sum()
        }
        #expect(recorded.gradients.count == 1)
    }
}

private extension UInt32 {
    var asUInt64: UInt64 { UInt64(self) }
}
