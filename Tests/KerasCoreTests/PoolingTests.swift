import KerasCore
import KerasTestSupport
import Testing

@Suite struct PoolingTests {
    /// A direct pooling over the real (unpadded) inputs of each window, in float64.
    static func reference(_ x: Tensor, poolSize: [Int], strides: [Int], padding: PaddingMode, max: Bool) -> (shape: [Int], values: [Double]) {
        let n = x.rank - 2, xs = x.doubles, channels = x.shape[n + 1], spatial = Array(x.shape[1...n])
        let pads = (0..<n).map { padding.pads(inputSize: spatial[$0], kernelSize: poolSize[$0], stride: strides[$0]) }
        let output = (0..<n).map { convOutputLength(inputSize: spatial[$0], kernelSize: poolSize[$0], stride: strides[$0], pads: pads[$0]) }
        func positions(_ dims: [Int]) -> [[Int]] { dims.reduce([[]]) { acc, d in acc.flatMap { p in (0..<d).map { p + [$0] } } } }
        func flat(_ idx: [Int]) -> Int { zip(idx, spatial).reduce(0) { $0 * $1.1 + $1.0 } }
        var values: [Double] = []
        for b in 0..<x.shape[0] {
            for o in positions(output) {
                for c in 0..<channels {
                    var taken: [Double] = []
                    for t in positions(poolSize) {
                        let i = (0..<n).map { o[$0] * strides[$0] + t[$0] - pads[$0].before }
                        guard (0..<n).allSatisfy({ i[$0] >= 0 && i[$0] < spatial[$0] }) else { continue }
                        taken.append(xs[(b * spatial.reduce(1, *) + flat(i)) * channels + c])
                    }
                    values.append(max ? taken.max()! : taken.reduce(0, +) / Double(taken.count))
                }
            }
        }
        return ([x.shape[0]] + output + [channels], values)
    }

    /// (input shape, pool size, strides, padding)
    static let cases: [([Int], [Int], [Int]?, PaddingMode)] = [
        ([2, 5, 3], [2], nil, .valid),
        ([1, 5, 2], [2], [2], .same),
        ([2, 6, 7, 3], [3, 2], [2, 2], .same),
        ([1, 5, 5, 2], [2, 2], [1, 1], .valid),
        ([1, 4, 5, 3, 2], [2, 2, 3], [2, 1, 2], .same),
        ([2, 5, 4, 32], [2, 2], nil, .same),
    ]

    @Test(arguments: cases.indices)
    func matchesDirectDefinitionAndFiniteDifferences(_ i: Int) {
        let (shape, poolSize, strides, padding) = Self.cases[i]
        // Distinct values, so every window has a single maximum.
        let count = shape.reduce(1, *)
        var g = RandomGenerator(seed: UInt64(3 + i))
        let values = (0..<count).map { Double($0) * 0.01 + g.nextUnit() * 0.001 }.shuffled(using: &g)
        let x = Tensor(shape: shape, doubles: values, dtype: .float64)
        for isMax in [true, false] {
            let expected = Self.reference(x, poolSize: poolSize, strides: strides ?? poolSize, padding: padding, max: isMax)
            for dtype in [DType.float32, .float64] {
                let xt = x.cast(to: dtype)
                let y = isMax ? xt.maxPool(poolSize: poolSize, strides: strides, padding: padding)
                              : xt.averagePool(poolSize: poolSize, strides: strides, padding: padding)
                #expect(y.shape == expected.shape)
                #expect(y.dtype == dtype)
                assertClose(y.doubles, expected.values, rtol: 1e-6, atol: 1e-6)
            }
            // The float32 gradient (vectorized for 16-channel multiples) routes like the float64 one.
            let pool: (Tensor) -> Tensor = { isMax ? $0.maxPool(poolSize: poolSize, strides: strides, padding: padding)
                                                   : $0.averagePool(poolSize: poolSize, strides: strides, padding: padding) }
            let g32 = valueWithGradients(at: [x.cast(to: .float32)]) { pool($0[0]).sum() }.gradients[0]
            let g64 = valueWithGradients(at: [x]) { pool($0[0]).sum() }.gradients[0]
            assertClose(g32.doubles, g64.doubles, rtol: 1e-6, atol: 1e-6)
            checkGradients([x]) {
                isMax ? $0[0].maxPool(poolSize: poolSize, strides: strides, padding: padding)
                      : averagePool($0[0], poolSize: poolSize, strides: strides, padding: padding)
            }
        }
    }

    /// NaN wins a max window (as in NumPy) on the vectorized float32 path (16-channel multiples)
    /// as on the scalar one, wherever it sits in the window; infinities of both signs in a
    /// window (whose sum, which the vectorized path checks, is NaN too) give +∞.
    @Test func nanWinsMaxPool() {
        for channels in [16, 48, 5] {
            var values = (0..<(4 * channels)).map { Double($0) }
            values[2 * channels + 1] = .nan
            values[0 * channels + 2] = .nan
            values[0 * channels + 3] = -.infinity
            values[1 * channels + 3] = .infinity
            for p in 0..<4 { values[p * channels + 4] = -.infinity }
            let x = Tensor(shape: [1, 2, 2, channels], doubles: values, dtype: .float64).cast(to: .float32)
            let y = x.maxPool(poolSize: [2, 2]).doubles
            for c in 0..<channels {
                switch c {
                case 1, 2: #expect(y[c].isNaN, "channel \(c) of \(channels)")
                case 3: #expect(y[c] == .infinity)
                case 4: #expect(y[c] == -.infinity)
                default: #expect(y[c] == Double(3 * channels + c))
                }
            }
        }
    }
}
