@testable import KerasCore
import KerasTestSupport
import Testing

/// A direct (loop-per-output) N-D convolution in float64, the definition the kernels must meet.
func referenceConv(_ x: Tensor, _ w: Tensor, strides: [Int], padBefore: [Int], output: [Int],
                   dilation: [Int], groups: Int) -> [Double] {
    let n = x.rank - 2, xs = x.doubles, ws = w.doubles
    let batch = x.shape[0], cin = x.shape[n + 1], filters = w.shape[n + 1], cg = cin / groups, fg = filters / groups
    let inSpatial = Array(x.shape[1...n]), kSpatial = Array(w.shape.prefix(n))
    func positions(_ dims: [Int]) -> [[Int]] {
        dims.reduce([[]]) { acc, d in acc.flatMap { p in (0..<d).map { p + [$0] } } }
    }
    func flat(_ idx: [Int], _ dims: [Int]) -> Int { zip(idx, dims).reduce(0) { $0 * $1.1 + $1.0 } }
    var out: [Double] = []
    for b in 0..<batch {
        for o in positions(output) {
            for f in 0..<filters {
                let group = f / fg
                var acc = 0.0
                for t in positions(kSpatial) {
                    let i = (0..<n).map { o[$0] * strides[$0] + t[$0] * dilation[$0] - padBefore[$0] }
                    guard (0..<n).allSatisfy({ i[$0] >= 0 && i[$0] < inSpatial[$0] }) else { continue }
                    for c in 0..<cg {
                        acc += xs[(b * inSpatial.reduce(1, *) + flat(i, inSpatial)) * cin + group * cg + c]
                            * ws[(flat(t, kSpatial) * cg + c) * filters + f]
                    }
                }
                out.append(acc)
            }
        }
    }
    return out
}

@Suite struct ConvolutionTests {
    static func normal(_ shape: [Int], seed: Int) -> Tensor { Tensor.randomNormal(shape, dtype: .float64, seed: seed) }

    /// (input shape, kernel shape, strides, padding, dilation, groups)
    static let cases: [([Int], [Int], [Int], [(Int, Int)], [Int], Int)] = [
        ([2, 7, 3], [3, 3, 4], [1], [(0, 0)], [1], 1),
        ([1, 9, 2], [2, 2, 3], [2], [(1, 2)], [2], 1),
        ([2, 5, 6, 4], [3, 2, 2, 6], [2, 1], [(1, 1), (0, 1)], [1, 2], 2),
        ([1, 6, 5, 3], [3, 3, 1, 6], [1, 2], [(1, 1), (1, 1)], [1, 1], 3),
        ([1, 4, 5, 3, 2], [2, 3, 2, 2, 3], [1, 2, 1], [(0, 1), (1, 1), (0, 0)], [1, 1, 2], 1),
    ]

    @Test(arguments: cases.indices)
    func matchesDirectDefinition(_ i: Int) {
        let (xShape, wShape, strides, pads, dilation, groups) = Self.cases[i]
        let x = Self.normal(xShape, seed: 1 + i), w = Self.normal(wShape, seed: 11 + i)
        for dtype in [DType.float32, .float64] {
            let y = x.cast(to: dtype).conv(w.cast(to: dtype), strides: strides, padding: pads.map { ($0.0, $0.1) },
                                            dilationRate: dilation, groups: groups)
            #expect(y.dtype == dtype)
            let output = Array(y.shape.dropFirst().dropLast())
            let expected = referenceConv(x, w, strides: strides, padBefore: pads.map(\.0), output: output, dilation: dilation, groups: groups)
            assertClose(y.doubles, expected, rtol: 1e-4, atol: 1e-4)
        }
    }

    @Test(arguments: cases.indices)
    func gradientsMatchFiniteDifferences(_ i: Int) {
        let (xShape, wShape, strides, pads, dilation, groups) = Self.cases[i]
        let x = Self.normal(xShape, seed: 21 + i), w = Self.normal(wShape, seed: 31 + i)
        checkGradients([x, w]) { $0[0].conv($0[1], strides: strides, padding: pads.map { ($0.0, $0.1) }, dilationRate: dilation, groups: groups) }
    }

    /// float32 (oneDNN's convolution primitives) against float64 (the reference kernels): the
    /// output and both gradients, for every case above plus a batch large enough to be split
    /// unevenly over threads, and one whose samples (2.2 MB of activations each) run in several
    /// cache-sized micro-batches per thread, whose kernel and bias gradients are summed.
    static let float32Cases = cases + [([5, 16, 16, 8], [3, 3, 8, 16], [1, 1], [(0, 0), (1, 0)], [1, 1], 1),
                                       ([3, 64, 64, 8], [1, 1, 8, 128], [1, 1], [(0, 0), (0, 0)], [1, 1], 1)]

    @Test(arguments: float32Cases.indices)
    func float32MatchesFloat64(_ i: Int) {
        let (xShape, wShape, strides, pads, dilation, groups) = Self.float32Cases[i]
        let x = Self.normal(xShape, seed: 71 + i), w = Self.normal(wShape, seed: 81 + i)
        func conv(_ t: [Tensor]) -> Tensor {
            t[0].conv(t[1], strides: strides, padding: pads.map { ($0.0, $0.1) }, dilationRate: dilation, groups: groups)
        }
        let z = Self.normal(withoutRecording { conv([x, w]) }.shape, seed: 91 + i)
        func run(_ dtype: DType) -> (Tensor, [Tensor]) {
            let inputs = [x.cast(to: dtype), w.cast(to: dtype)], weights = z.cast(to: dtype)
            return (withoutRecording { conv(inputs) }, valueWithGradients(at: inputs) { (conv($0) * weights).sum() }.1)
        }
        let (y32, g32) = run(.float32), (y64, g64) = run(.float64)
        #expect(y32.dtype == .float32 && g32.allSatisfy { $0.dtype == .float32 })
        assertClose(y32.doubles, y64.doubles, rtol: 1e-4, atol: 1e-4)
        assertClose(g32[0].doubles, g64[0].doubles, rtol: 1e-4, atol: 1e-4, "input gradient")
        assertClose(g32[1].doubles, g64[1].doubles, rtol: 1e-4, atol: 1e-3, "kernel gradient")
    }

    /// The fused op (one oneDNN primitive with bias and relu; in training, relu's gradient from
    /// the output and the bias gradient from the backward-weights primitive) equals the separate
    /// ops, outputs and the three gradients, with each operand recorded alone too.
    @Test(arguments: float32Cases.indices)
    func fusedBiasReluMatchesSeparateOps(_ i: Int) {
        let (xShape, wShape, strides, pads, dilation, groups) = Self.float32Cases[i]
        let x = Self.normal(xShape, seed: 101 + i).cast(to: .float32), w = Self.normal(wShape, seed: 111 + i).cast(to: .float32)
        let b = Self.normal([wShape[wShape.count - 1]], seed: 121 + i).cast(to: .float32)
        let padding = pads.map { (before: $0.0, after: $0.1) }
        for relu in [false, true] {
            let separate = x.conv(w, strides: strides, padding: padding, dilationRate: dilation, groups: groups) + b
            let expected = relu ? separate.relu() : separate
            let fused = x.conv(w, bias: b, relu: relu, strides: strides, padding: padding, dilationRate: dilation, groups: groups)
            #expect(fused.shape == expected.shape && fused.dtype == .float32)
            assertClose(fused.doubles, expected.doubles, rtol: 1e-5, atol: 1e-5)
            let z = Self.normal(expected.shape, seed: 131 + i).cast(to: .float32)
            let (loss, grads) = valueWithGradients(at: [x, w, b]) {
                ($0[0].conv($0[1], bias: $0[2], relu: relu, strides: strides, padding: padding, dilationRate: dilation, groups: groups) * z).sum()
            }
            // The reference runs the separate ops in float64: the kernel and bias gradients sum
            // up to 12,288 products, which float32 rounds differently in each summation order.
            let z64 = z.cast(to: .float64)
            let (referenceLoss, reference) = valueWithGradients(at: [x, w, b].map { $0.cast(to: .float64) }) {
                let y = $0[0].conv($0[1], strides: strides, padding: padding, dilationRate: dilation, groups: groups) + $0[2]
                return ((relu ? y.relu() : y) * z64).sum()
            }
            assertClose(loss.doubles, referenceLoss.doubles, rtol: 1e-4, atol: 1e-2)
            for (g, r) in zip(grads, reference) { assertClose(g.doubles, r.doubles, rtol: 1e-4, atol: 1e-3) }
            // Only the bias, or only the input, recorded.
            let biasOnly = valueWithGradients(at: [b]) {
                (x.conv(w, bias: $0[0], relu: relu, strides: strides, padding: padding, dilationRate: dilation, groups: groups) * z).sum()
            }.1
            assertClose(biasOnly[0].doubles, grads[2].doubles, rtol: 1e-5, atol: 1e-5, "bias alone")
            // The split into threads and micro-batches is fixed, so a rerun is bit-identical.
            let rerun = valueWithGradients(at: [x, w, b]) {
                ($0[0].conv($0[1], bias: $0[2], relu: relu, strides: strides, padding: padding, dilationRate: dilation, groups: groups) * z).sum()
            }.1
            for (g, r) in zip(grads, rerun) { #expect(g.doubles == r.doubles, "rerun") }
            let inputOnly = valueWithGradients(at: [x]) {
                ($0[0].conv(w, bias: b, relu: relu, strides: strides, padding: padding, dilationRate: dilation, groups: groups) * z).sum()
            }.1
            assertClose(inputOnly[0].doubles, grads[0].doubles, rtol: 1e-5, atol: 1e-5, "input alone")
        }
    }

    /// Inference through oneDNN's Winograd primitive (3×3 kernels, unit strides, channels in
    /// multiples of 16, on CPUs with AVX-512): outputs match float64 within float rounding, valid
    /// and "same" padding (partial output tiles), with and without relu; for a batch whose two
    /// halves run at once on one plan (the demo convnet's second layer: both threads transform
    /// the kernel, which once shared the reorder's scratchpad); the transformed kernel it caches
    /// follows a new kernel and a change of one value; with no room in the cache, the kernel is
    /// transformed per op.
    @Test func winogradInferenceMatchesFloat64AndFollowsKernelChanges() throws {
        let cpuInfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        // (input shape, filters, paddings)
        let cases: [([Int], Int, [Int])] = [([2, 9, 7, 16], 16, [0, 1]), ([8, 4, 4, 32], 64, [1])]
        for (shape, filters, pads) in cases {
            let channels = shape[3]
            let x = Self.normal(shape, seed: 141).cast(to: .float32)
            let b = Self.normal([filters], seed: 143).cast(to: .float32)
            let first = Self.normal([3, 3, channels, filters], seed: 142).cast(to: .float32)
            var values = first.doubles
            values[values.count - 1] += 0.5
            let changed = Tensor(shape: first.shape, doubles: values, dtype: .float32)
            let other = Self.normal([3, 3, channels, filters], seed: 144).cast(to: .float32)
            for budget in [nil, 0] {
                let saved = DNNLConvolution.kernelCache.withLock { cache in
                    defer { if let budget { cache.budget = budget } }
                    return cache.budget
                }
                defer { DNNLConvolution.kernelCache.withLock { $0.budget = saved } }
                for pad in pads {
                    let padding = [(before: pad, after: pad), (before: pad, after: pad)]
                    let output = [shape[1] - 2 + 2 * pad, shape[2] - 2 + 2 * pad]
                    let g = ConvGeometry(batch: shape[0], input: [shape[1], shape[2]], output: output, kernel: [3, 3], strides: [1, 1],
                                         dilation: [1, 1], padBefore: [pad, pad], inChannels: channels, outChannels: filters, groups: 1)
                    #expect(DNNLConvolution.isWinograd(g) == cpuInfo.contains(" avx512f"))
                    for (w, relu) in [(first, false), (changed, true), (other, false), (first, true)] {
                        let y = withoutRecording { x.conv(w, bias: b, relu: relu, strides: [1, 1], padding: padding) }
                        #expect(Array(y.shape.dropFirst().dropLast()) == output)
                        let sums = x.cast(to: .float64).conv(w.cast(to: .float64), strides: [1, 1], padding: padding) + b.cast(to: .float64)
                        // Outputs are sums of 9 · channels unit-normal products (12 to 17 in size);
                        // Winograd's transforms round to within 1e-4 of them.
                        assertClose(y.doubles, (relu ? sums.relu() : sums).doubles, rtol: 1e-5, atol: 1e-4, "\(shape) pad \(pad)")
                    }
                }
            }
        }
    }

    /// Training computes the kernel gradient of 3×3 convolutions with channels in multiples of
    /// 16 with oneDNN's Winograd primitive (on AVX-512): the same gradients as the float64 sums
    /// to float rounding, over micro-batches and threads (40 samples of 28×28×16 are several
    /// micro-batches a core), with and without relu, and the input and bias gradients too.
    @Test func winogradKernelGradientMatchesFloat64() {
        let cpuInfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        for (shape, filters, pad) in [([3, 9, 7, 16], 32, 1), ([40, 28, 28, 16], 16, 0)] {
            let channels = shape[3]
            let output = [shape[1] - 2 + 2 * pad, shape[2] - 2 + 2 * pad]
            let g = ConvGeometry(batch: shape[0], input: [shape[1], shape[2]], output: output, kernel: [3, 3], strides: [1, 1],
                                 dilation: [1, 1], padBefore: [pad, pad], inChannels: channels, outChannels: filters, groups: 1)
            let x = Self.normal(shape, seed: 151), w = Self.normal([3, 3, channels, filters], seed: 152)
            let b = Self.normal([filters], seed: 153), upstream = Self.normal([shape[0]] + output + [filters], seed: 154)
            let padding = [(before: pad, after: pad), (before: pad, after: pad)]
            for relu in [false, true] {
                let f32 = valueWithGradients(at: [x, w, b].map { $0.cast(to: .float32) }) { v in
                    (v[0].conv(v[1], bias: v[2], relu: relu, strides: [1, 1], padding: padding) * upstream.cast(to: .float32)).sum()
                }.gradients
                #expect(DNNLConvolution.usesWinogradWeightGradient(g) == cpuInfo.contains(" avx512f"))
                let f64 = valueWithGradients(at: [x, w, b]) { v in
                    let z = v[0].conv(v[1], strides: [1, 1], padding: padding) + v[2]
                    return ((relu ? z.relu() : z) * upstream).sum()
                }.gradients
                // Kernel gradients sum batch · positions products of unit normals (up to ~700 in size).
                for (k, name) in ["input", "kernel", "bias"].enumerated() {
                    assertClose(f32[k].doubles, f64[k].doubles, rtol: 1e-4, atol: 2e-3, "\(shape) relu \(relu) \(name)")
                }
            }
            // The plain op (no bias: a primitive without a bias gradient).
            let plain32 = valueWithGradients(at: [x, w].map { $0.cast(to: .float32) }) { v in
                (v[0].conv(v[1], strides: [1, 1], padding: padding) * upstream.cast(to: .float32)).sum()
            }.gradients
            let plain64 = valueWithGradients(at: [x, w]) { v in (v[0].conv(v[1], strides: [1, 1], padding: padding) * upstream).sum() }.gradients
            assertClose(plain32[1].doubles, plain64[1].doubles, rtol: 1e-4, atol: 2e-3, "\(shape) no bias: kernel")
        }
    }

    @Test func kerasPaddingModes() {
        #expect(PaddingMode.same.pads(inputSize: 4, kernelSize: 2, stride: 1) == (0, 1))
        #expect(PaddingMode.same.pads(inputSize: 5, kernelSize: 3, stride: 2) == (1, 1))
        #expect(PaddingMode.same.pads(inputSize: 6, kernelSize: 3, stride: 2) == (0, 1))
        #expect(PaddingMode.causal.pads(inputSize: 6, kernelSize: 3, stride: 1, dilation: 2) == (4, 0))
        let x = Self.normal([2, 6, 3], seed: 3), w = Self.normal([3, 3, 2], seed: 4)
        #expect(x.conv(w, strides: [2], padding: .same).shape == [2, 3, 2])
        #expect(x.conv(w, padding: .causal, dilationRate: [2]).shape == [2, 6, 2])
        #expect(x.conv(w, padding: .valid).shape == [2, 4, 2])
        // Causal output t only reads inputs ≤ t: changing the last input changes only the last output.
        let y1 = x.conv(w, padding: .causal).doubles
        var values = x.doubles
        values[5 * 3] += 1
        let y2 = Tensor(shape: x.shape, doubles: values, dtype: .float64).conv(w, padding: .causal).doubles
        for t in 0..<5 { #expect(y1[t * 2] == y2[t * 2]) }
    }

    @Test func depthwiseAndSeparable() {
        let x = Self.normal([2, 5, 5, 3], seed: 5), dw = Self.normal([3, 3, 3, 2], seed: 6), pw = Self.normal([1, 1, 6, 4], seed: 7)
        let y = x.depthwiseConv(dw, strides: [2, 2], padding: .same)
        #expect(y.shape == [2, 3, 3, 6])
        // Output channel c·2 + m is input channel c through filter m.
        for c in 0..<3 {
            let xc = Tensor(shape: [2, 5, 5, 1], doubles: stride(from: c, to: x.scalarCount, by: 3).map { x.doubles[$0] }, dtype: .float64)
            let wc = Tensor(shape: [3, 3, 1, 2], doubles: (0..<18).map { dw.doubles[($0 / 2) * 6 + c * 2 + $0 % 2] }, dtype: .float64)
            let yc = xc.conv(wc, strides: [2, 2], padding: .same).doubles
            let got = (0..<yc.count).map { y.doubles[($0 / 2) * 6 + c * 2 + $0 % 2] }
            assertClose(got, yc, rtol: 1e-12, atol: 1e-12)
        }
        checkGradients([x, dw]) { $0[0].depthwiseConv($0[1], padding: .same) }
        checkGradients([x, dw, pw]) { separableConv($0[0], $0[1], $0[2], strides: [2, 1]) }
    }

    /// (input, kernel (k…, filters, channels), strides, padding, output padding, dilation, expected output spatial)
    static let transposeCases: [([Int], [Int], [Int], PaddingMode, [Int]?, [Int], [Int])] = [
        ([2, 4, 3], [3, 2, 3], [2], .valid, nil, [1], [9]),
        ([1, 4, 2], [3, 2, 2], [2], .same, nil, [1], [8]),
        ([1, 3, 4, 2], [3, 2, 3, 2], [2, 3], .same, [1, 2], [1, 1], [6, 11]),
        ([1, 3, 3, 2], [2, 2, 2, 2], [1, 1], .valid, nil, [2, 1], [5, 4]),
        ([1, 2, 3, 2, 1], [2, 2, 2, 2, 1], [2, 1, 2], .valid, [1, 0, 0], [1, 1, 1], [5, 4, 4]),
    ]

    @Test(arguments: transposeCases.indices)
    func transposedConvolutionIsTheInputGradient(_ i: Int) {
        let (xShape, wShape, strides, padding, outputPadding, dilation, expected) = Self.transposeCases[i]
        let x = Self.normal(xShape, seed: 41 + i), w = Self.normal(wShape, seed: 51 + i)
        let y = x.convTranspose(w, strides: strides, padding: padding, outputPadding: outputPadding, dilationRate: dilation)
        #expect(Array(y.shape.dropFirst().dropLast()) == expected)
        // ⟨convT(x), z⟩ = ⟨x, conv(z)⟩ for the convolution it transposes.
        let n = xShape.count - 2
        let pads = (0..<n).map { a in
            convTransposeGeometry(inputSize: xShape[a + 1], kernelSize: wShape[a], stride: strides[a], dilation: dilation[a],
                                  padding: padding, outputPadding: outputPadding?[a]).padBefore
        }
        let z = Self.normal(y.shape, seed: 61 + i)
        var after: [Int] = []
        for a in 0..<n {
            // Enough padding after that the convolution of z has x's spatial size.
            let span = (wShape[a] - 1) * dilation[a] + 1
            let needed: Int = (xShape[a + 1] - 1) * strides[a] + span - pads[a] - expected[a]
            after.append(max(0, needed))
        }
        let convPads: [(before: Int, after: Int)] = (0..<n).map { (pads[$0], after[$0]) }
        let cz = z.conv(w, strides: strides, padding: convPads, dilationRate: dilation)
        #expect(cz.shape == x.shape, "conv(z) shape \(cz.shape) vs x \(x.shape)")
        let lhs: Double = (y * z).sum().doubles[0]
        var rhs = 0.0
        for (a, b) in zip(x.doubles, cz.doubles) { rhs += a * b }
        #expect(abs(lhs - rhs) < 1e-9 * max(1, abs(lhs)))
        checkGradients([x, w]) { $0[0].convTranspose($0[1], strides: strides, padding: padding, outputPadding: outputPadding, dilationRate: dilation) }
        let y32 = x.cast(to: .float32).convTranspose(w.cast(to: .float32), strides: strides, padding: padding,
                                                      outputPadding: outputPadding, dilationRate: dilation)
        assertClose(y32.doubles, y.doubles, rtol: 1e-4, atol: 1e-4)
    }
}
