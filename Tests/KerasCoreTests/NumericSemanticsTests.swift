import KerasCore
import KerasTestSupport
import Testing

/// NumPy's answers where values leave the ordinary range: integer overflow wraps, integer
/// division by zero gives 0, float → int saturates, NaN propagates through max/min/relu/clip,
/// and impossible shapes are refused before anything is allocated.
@Suite struct NumericSemanticsTests {
    static func int32(_ values: [Int32]) -> Tensor { Tensor(shape: [values.count], scalars: values) }
    static func int64(_ values: [Int64]) -> Tensor { Tensor(shape: [values.count], scalars: values) }

    @Test func int32ArithmeticWraps() {
        let a: [Int32] = [.max, .min, .max, 7], b: [Int32] = [1, -1, .max, -3]
        let x = Self.int32(a), y = Self.int32(b)
        #expect((x + y).toArray(of: Int32.self) == zip(a, b).map { $0 &+ $1 })
        #expect((x - y).toArray(of: Int32.self) == zip(a, b).map { $0 &- $1 })
        #expect((x * y).toArray(of: Int32.self) == zip(a, b).map { $0 &* $1 })
        #expect((-x).toArray(of: Int32.self) == a.map { 0 &- $0 })
        #expect(x.abs().toArray(of: Int32.self) == [.max, .min, .max, 7])
        // The number-on-one-side and general broadcasting paths.
        #expect((x + 1).toArray(of: Int32.self) == a.map { $0 &+ 1 })
        #expect((2 * x).toArray(of: Int32.self) == a.map { $0 &* 2 })
        let column = x.reshaped(to: [4, 1]), row = y.reshaped(to: [1, 4])
        #expect((column + row).toArray(of: Int32.self) == a.flatMap { p in b.map { p &+ $0 } })
        #expect((column * row).toArray(of: Int32.self) == a.flatMap { p in b.map { p &* $0 } })
    }

    @Test func int64ArithmeticWraps() {
        let a: [Int64] = [.max, .min, 1 << 40], b: [Int64] = [1, -1, 1 << 40]
        let x = Self.int64(a), y = Self.int64(b)
        #expect((x + y).toArray(of: Int64.self) == zip(a, b).map { $0 &+ $1 })
        #expect((x - y).toArray(of: Int64.self) == zip(a, b).map { $0 &- $1 })
        #expect((x * y).toArray(of: Int64.self) == zip(a, b).map { $0 &* $1 })
        #expect(x.pow(Tensor(2, dtype: .int64)).toArray(of: Int64.self) == a.map { $0 &* $0 })
    }

    @Test func integerReductionsWrap() {
        let a: [Int32] = [.max, .max, 1, 2]
        #expect(Self.int32(a).sum().item(as: Int32.self) == a.reduce(0, &+))
        #expect(Self.int32(a).prod().item(as: Int32.self) == a.reduce(1, &*))
        var running: Int32 = 0
        #expect(Self.int32(a).cumsum().toArray(of: Int32.self) == a.map { running = running &+ $0; return running })
        // Long enough to be summed in pieces on several cores.
        let n = 300_000
        let big = Tensor.full([n], Double(Int32.max), dtype: .int32)
        #expect(big.sum().item(as: Int32.self) == Int32.max &* Int32(n))
        let rows = Tensor.full([3, n / 3], Double(Int64.max), dtype: .int64)
        #expect(rows.sum(axes: [1]).toArray(of: Int64.self) == Array(repeating: Int64.max &* Int64(n / 3), count: 3))
    }

    @Test func integerPowerWrapsAndNegativeExponentsTruncate() {
        let base = Self.int32([2, 3, 2, 1, -1, -1, 0]), exponent = Self.int32([31, 40, -1, -5, -3, -2, -1])
        var threeTo40: Int32 = 1
        for _ in 0..<40 { threeTo40 = threeTo40 &* 3 }
        #expect(base.pow(exponent).toArray(of: Int32.self) == [.min, threeTo40, 0, 1, -1, 1, 0])
        #expect(base.pow(exponent).dtype == .int32)
    }

    @Test func integerFloorDivideAndModByZeroGiveZero() {
        let a = Self.int32([7, -7, 7, -7, 5, .min, .min]), b = Self.int32([2, 2, -2, -2, 0, -1, 0])
        #expect(a.floorDivide(b).toArray(of: Int32.self) == [3, -4, -4, 3, 0, .min, 0])
        #expect(a.mod(b).toArray(of: Int32.self) == [1, 1, -1, -1, 0, 0, 0])
        #expect(mod(Self.int64([.min, 9]), Self.int64([-1, 0])).toArray(of: Int64.self) == [0, 0])
        #expect(floorDivide(Self.int64([.min, 9]), Self.int64([-1, 0])).toArray(of: Int64.self) == [.min, 0])
        #expect(Tensor([true, false]).floorDivide(Tensor([true, true])).dtype == .int32)
        // True division of integers is float32, so a zero divisor gives ±inf or NaN.
        #expect((Tensor([1, -1, 0]) / Tensor([0, 0, 0])).doubles.map { $0.isNaN ? 99 : $0 } == [.infinity, -.infinity, 99])
    }

    @Test func floatFloorDivideAndModFollowPython() {
        let a = Tensor([7.0, -7.0, 7.0, 1.0, -1.0, 5.5, 5.5], dtype: .float64)
        let b = Tensor([2.0, 2.0, -2.0, 0.1, 3.0, 0.0, -0.0], dtype: .float64)
        let q = a.floorDivide(b).doubles, r = a.mod(b).doubles
        #expect(Array(q.prefix(5)) == [3, -4, -4, 9, -1])   // Python: 1 // 0.1 == 9.0
        #expect(q[5] == .infinity && q[6] == -.infinity)
        #expect(Array(r.prefix(5)) == [1, 1, -1, 1.0.truncatingRemainder(dividingBy: 0.1), 2])
        #expect(r[5].isNaN && r[6].isNaN)
        #expect(Tensor([-4.0], dtype: .float64).mod(2).doubles[0].sign == .plus)
        #expect(Tensor([4.0], dtype: .float64).mod(-2).doubles[0].sign == .minus)
    }

    @Test func floatToIntegerSaturates() {
        let values: [Double] = [3e9, -3e9, .nan, .infinity, -.infinity, 2.7, -2.7, 1e19]
        let as32: [Int32] = [.max, .min, 0, .max, .min, 2, -2, .max]
        let as64: [Int64] = [3_000_000_000, -3_000_000_000, 0, .max, .min, 2, -2, .max]
        let f64 = Tensor(shape: [values.count], scalars: values)
        #expect(f64.cast(to: .int32).toArray(of: Int32.self) == as32)
        #expect(f64.cast(to: .int64).toArray(of: Int64.self) == as64)
        #expect(f64.cast(to: .float32).cast(to: .int32).toArray(of: Int32.self) == as32)
        #expect(Tensor(values, dtype: .int32).toArray(of: Int32.self) == as32)
        #expect(Tensor(shape: [values.count], doubles: values, dtype: .int64).toArray(of: Int64.self) == as64)
        #expect(Tensor([3e9], dtype: .int32).item(as: Int32.self) == .max)
        #expect(Tensor(Double.nan).item(as: Int64.self) == 0)
        #expect(Tensor.full([2], -.infinity, dtype: .int32).toArray(of: Int32.self) == [.min, .min])
        #expect((Tensor([1, 2]) + 3e9).toArray(of: Int32.self) == [.min, Int32.min &+ 1])
        #expect(Tensor(shape: [1], scalars: [Int64.max]).description.contains("9223372036854775807"))
    }

    @Test func elementCountValidatesOutsideShapes() throws {
        #expect(try Tensor.elementCount(of: [2, 3, 4]) == 24)
        #expect(try Tensor.elementCount(of: []) == 1)
        #expect(try Tensor.elementCount(of: [0, 1 << 62, 1 << 62]) == 0)
        #expect(try Tensor.elementCount(of: [1 << 61], dtype: .bool) == 1 << 61)
        for (shape, dtype, words) in [([1 << 62, 8], DType.float32, "more elements"),
                                      ([3, -1], .float32, "negative dimension (-1)"),
                                      ([1 << 62], .float32, "more bytes"),
                                      ([1 << 61], .int64, "more bytes")] {
            let error = #expect(throws: KerasError.self) { try Tensor.elementCount(of: shape, dtype: dtype) }
            guard case .invalidArgument(let message)? = error else {
                Issue.record("expected invalidArgument for \(shape), got \(String(describing: error))")
                continue
            }
            #expect(message.contains(words), "\(message)")
        }
    }

    @Test func nanPropagatesThroughMaxMinReluClip() {
        for dtype in [DType.float32, .float64] {
            let x = Tensor([.nan, -1, 2, .nan], dtype: dtype), y = Tensor([0, .nan, 1, .nan], dtype: dtype)
            let nanPattern = [true, true, false, true]
            #expect(x.maximum(y).doubles.map(\.isNaN) == nanPattern)
            #expect(minimum(x, y).doubles.map(\.isNaN) == nanPattern)
            #expect(x.maximum(0).doubles.map(\.isNaN) == [true, false, false, true])
            #expect(x.minimum(0).doubles.map(\.isNaN) == [true, false, false, true])
            let r = x.relu().doubles
            #expect(r[0].isNaN && r[1] == 0 && r[2] == 2 && r[3].isNaN)
            let c = clip(x, -0.5, 1.5).doubles
            #expect(c[0].isNaN && c[1] == -0.5 && c[2] == 1.5 && c[3].isNaN)
            #expect(x.max().doubles[0].isNaN && x.min().doubles[0].isNaN)
        }
        // Long enough for the multi-threaded loop.
        let big = Tensor.full([1 << 19], .nan)
        #expect(big.relu().isNaN().all().item(as: Bool.self))
        #expect(big.maximum(0).isNaN().all().item(as: Bool.self))
    }

    @Test func gradientsThroughNaNSafeOpsAndMod() {
        let x = Tensor([[0.5, -1.2, 2.0], [-0.3, 0.8, -2.2]], dtype: .float64)
        checkGradients([x]) { $0[0].relu() }
        checkGradients([x]) { clip($0[0], -1, 1) }
        checkGradients([x, x * 0.5 + 3]) { maximum($0[0], $0[1]) - minimum($0[0], $0[1] - 4) }
        // Away from the jumps of floor(a / b).
        let a = Tensor([[2.3, -4.1, 7.6], [0.4, 5.2, -1.3]], dtype: .float64)
        let b = Tensor([1.5, -2.2, 3.1], dtype: .float64)
        checkGradients([a, b]) { $0[0].mod($0[1]) }
        let (_, g) = valueWithGradients(at: [Tensor([.nan, 2.0], dtype: .float64)]) { $0[0].relu().sum() }
        #expect(g[0].doubles == [0, 1])
    }
}
