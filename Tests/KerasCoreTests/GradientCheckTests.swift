import KerasCore
import KerasTestSupport
import Testing

/// Every differentiable op against central finite differences in float64.
@Suite struct GradientCheckTests {
    static func normal(_ shape: [Int], seed: Int) -> Tensor {
        Tensor.randomNormal(shape, dtype: .float64, seed: seed)
    }
    static func positive(_ shape: [Int], seed: Int) -> Tensor {
        Tensor.randomUniform(shape, minval: 0.5, maxval: 2, dtype: .float64, seed: seed)
    }

    @Test func unaryMath() {
        let x = Self.normal([2, 3], seed: 1), p = Self.positive([2, 3], seed: 2)
        let away = Tensor([[0.5, -1.2, 2.0], [-0.3, 0.8, -2.2]], dtype: .float64)
        let unary: [(Tensor) -> Tensor] = [
            { $0.exp() }, { $0.expm1() }, { $0.square() }, { $0.sin() }, { cos($0) }, { $0.tanh() },
            { sigmoid($0) }, { $0.erf() }, { -$0 }, { $0.softmax() }, { $0.softmax(axis: 0) },
            { $0.logSoftmax() }, { logSoftmax($0, axis: 0) },
        ]
        for f in unary { checkGradients([x]) { f($0[0]) } }
        let onPositive: [(Tensor) -> Tensor] = [{ $0.log() }, { $0.log1p() }, { $0.sqrt() }, { $0.rsqrt() }]
        for f in onPositive { checkGradients([p]) { f($0[0]) } }
        let awayFromKinks: [(Tensor) -> Tensor] = [{ $0.abs() }, { $0.relu() }, { $0.clip(-1, 1) }, { $0.sign() * $0 }]
        for f in awayFromKinks { checkGradients([away]) { f($0[0]) } }
    }

    @Test(arguments: [([2, 3], [2, 3]), ([2, 3], [3]), ([2, 1], [1, 3]), ([], [2, 3]), ([4, 1, 3], [2, 1]), ([1], [3])])
    func broadcastingBinary(_ shapes: ([Int], [Int])) {
        let a = Self.positive(shapes.0, seed: 3), b = Self.positive(shapes.1, seed: 4)
        let ops: [(Tensor, Tensor) -> Tensor] = [
            { $0 + $1 }, { $0 - $1 }, { $0 * $1 }, { $0 / $1 }, { pow($0, $1) }, { $0 ** $1 },
            { maximum($0, $1) }, { $0.minimum($1) },
        ]
        for f in ops { checkGradients([a, b]) { f($0[0], $0[1]) } }
    }

    @Test func numbersOnEitherSide() {
        let x = Self.positive([2, 3], seed: 5)
        let ops: [(Tensor) -> Tensor] = [
            { 2.5 - $0 }, { 3 / $0 }, { $0 / 4 }, { $0 ** 3 }, { 2 * $0 + 1 }, { $0.pow(0.5) }, { $0.maximum(1.1) },
        ]
        for f in ops { checkGradients([x]) { f($0[0]) } }
    }

    @Test func whereBroadcasting() {
        let cond = Tensor([[true, false, true], [false, false, true]])
        checkGradients([Self.normal([3], seed: 6), Self.normal([2, 1], seed: 7)]) { xs in
            `where`(cond, xs[0], xs[1])
        }
    }

    @Test(arguments: [nil, [0], [1], [-1], [0, 2], [1, 2]] as [[Int]?])
    func reductions(_ axes: [Int]?) {
        let x = Self.normal([2, 3, 4], seed: 8)
        for keep in [false, true] {
            checkGradients([x]) { $0[0].sum(axes: axes, keepDims: keep) }
            checkGradients([x]) { $0[0].mean(axes: axes, keepDims: keep) }
            checkGradients([x]) { $0[0].prod(axes: axes, keepDims: keep) }
            checkGradients([x]) { $0[0].max(axes: axes, keepDims: keep) }
            checkGradients([x]) { $0[0].min(axes: axes, keepDims: keep) }
            checkGradients([x]) { $0[0].variance(axes: axes, keepDims: keep) }
            checkGradients([x]) { $0[0].std(axes: axes, keepDims: keep) }
            checkGradients([x]) { $0[0].logSumExp(axes: axes, keepDims: keep) }
        }
    }

    @Test func maxTiesShareTheGradient() {
        // Two equal maxima: the finite difference (one-sided moves) sees 1/2 for each.
        let x = Tensor([[1.0, 3.0, 3.0], [2.0, -1.0, 0.5]], dtype: .float64)
        checkGradients([x]) { $0[0].max(axes: [1]) }
        checkGradients([x]) { $0[0].max() }
        let (_, g) = valueWithGradients(at: [x]) { $0[0].max(axes: [1]).sum() }
        #expect(g[0].doubles == [0, 0.5, 0.5, 1, 0, 0])
        let zeros = Tensor([[0.0, 2.0, 3.0], [1.5, 0.0, 0.0]], dtype: .float64)
        checkGradients([zeros]) { $0[0].prod(axes: [1]) }
    }

    @Test func matrixProducts() {
        let pairs: [([Int], [Int])] = [([2, 3], [3, 4]), ([2, 2, 3], [2, 3, 4]), ([2, 1, 2, 3], [3, 3, 4]),
                                       ([3, 2, 3], [3, 4]), ([3], [3, 4]), ([2, 3], [3]), ([3], [3])]
        for (i, (sa, sb)) in pairs.enumerated() {
            checkGradients([Self.normal(sa, seed: 10 + i), Self.normal(sb, seed: 20 + i)]) { matmul($0[0], $0[1]) }
        }
        checkGradients([Self.normal([2, 3], seed: 30), Self.normal([3, 2], seed: 31)]) { dot($0[0], $0[1]).T }
        checkGradients([Self.normal([2, 3, 4], seed: 32), Self.normal([4, 3, 5], seed: 33)]) {
            tensordot($0[0], $0[1], axes: ([1, 2], [1, 0]))
        }
        let equations: [(String, [[Int]])] = [
            ("ij,jk->ik", [[2, 3], [3, 4]]), ("bij,bjk->bik", [[2, 2, 3], [2, 3, 4]]), ("ij->j", [[2, 3]]),
            ("ii->i", [[3, 3]]), ("i,j->ij", [[2], [3]]), ("ij,ij->i", [[2, 3], [2, 3]]),
            ("...ij,...jk->...ik", [[2, 2, 3], [2, 3, 4]]), ("ij,jk,kl->il", [[2, 3], [3, 4], [4, 2]]),
        ]
        for (k, (eq, shapes)) in equations.enumerated() {
            let inputs = shapes.enumerated().map { Self.normal($1, seed: 40 + 3 * k + $0) }
            checkGradients(inputs) { einsum(eq, $0) }
        }
    }

    @Test func shapeOps() {
        let x = Self.normal([2, 3, 4], seed: 50)
        checkGradients([x]) { $0[0].reshaped(to: [4, -1]) }
        checkGradients([x]) { $0[0].transposed([2, 0, 1]) }
        checkGradients([x]) { $0[0].expandingDims(at: 1).squeezing(axes: [1]) }
        checkGradients([Self.normal([3, 1], seed: 51)]) { $0[0].broadcast(to: [2, 3, 4]) }
        checkGradients([Self.normal([2, 3], seed: 52), Self.normal([2, 1], seed: 53), Self.normal([2, 2], seed: 54)]) {
            concatenate($0, axis: -1)
        }
        checkGradients([Self.normal([2, 3], seed: 55), Self.normal([2, 3], seed: 56)]) { stack($0, axis: 1) }
        checkGradients([Self.normal([6, 2], seed: 57)]) { xs in
            let parts = xs[0].split(sizes: [1, 2, 3])
            return concatenate([parts[2] * 2, parts[0], parts[1].exp()])
        }
        checkGradients([x]) { $0[0].slice(axis: 1, start: 1, end: 3) }
        checkGradients([Self.normal([2, 3], seed: 58)]) { $0[0].tile([2, 1, 3]) }
        checkGradients([Self.normal([2, 3], seed: 59)]) { $0[0].pad([(1, 2), (0, 1)], value: 0.5) }
    }

    @Test func subscripts() {
        let x = Self.normal([2, 3, 4], seed: 60)
        let views: [(Tensor) -> Tensor] = [
            { $0[0] }, { $0[-1, 1..<3] }, { $0[.all, 0] }, { $0[..., 1] }, { $0[1, ...] }, { $0[.ellipsis, 2] }, { $0[0, 1...] },
            { $0[.all, .stride(nil, nil, by: -1)] }, { $0[.all, .all, .stride(1, nil, by: 2)] },
            { $0[.newAxis, 1, .newAxis] }, { $0[1, 2, 3] }, { $0[.all, -3 ... -2, ..<1] },
        ]
        for f in views { checkGradients([x]) { f($0[0]) } }
    }

    @Test func gathering() {
        let table = Self.normal([4, 3], seed: 61)
        checkGradients([table]) { $0[0].take(Tensor([2, 0, 2, -1]), axis: 0) }
        checkGradients([table]) { $0[0].take(Tensor([[0, 1], [2, 2]]), axis: 1) }
        checkGradients([table]) { $0[0].take(Tensor([11, 3, 3])) }
        checkGradients([table]) { $0[0].takeAlongAxis(Tensor([[0], [2], [1], [1]]), axis: 1) }
        checkGradients([table]) { $0[0].takeAlongAxis(Tensor([[0, 1, 1]]), axis: 0) }
        checkGradients([Self.normal([1, 3], seed: 62)]) { $0[0].takeAlongAxis(Tensor([[0, 2], [1, 1], [2, 0], [0, 0]]), axis: 1) }
    }

    @Test func sortingAndScans() {
        let x = Tensor([[0.3, -1.2, 2.5, 0.9], [1.1, 0.2, -0.7, 1.9]], dtype: .float64)
        checkGradients([x]) { $0[0].sort() }
        checkGradients([x]) { $0[0].sort(axis: 0) }
        checkGradients([x]) { $0[0].topK(2).values }
        checkGradients([x]) { $0[0].topK(3, sorted: false).values }
        checkGradients([x]) { $0[0].cumsum(axis: 1) }
        checkGradients([x]) { $0[0].cumsum() }
        checkGradients([x]) { $0[0].cumprod(axis: 0) }
        let withZero = Tensor([[0.5, 0.0, 2.0, -1.5]], dtype: .float64)
        checkGradients([withZero]) { $0[0].cumprod(axis: 1) }
    }

    @Test func castsBetweenFloats() {
        // The function is linear, so a large step keeps float32 rounding out of the difference.
        checkGradients([Self.normal([3], seed: 70)], eps: 1e-2, rtol: 1e-4) { $0[0].cast(to: .float32).cast(to: .float64) * 2 }
    }
}
