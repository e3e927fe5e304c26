import KerasCore
import KerasTestSupport
import Testing

/// Index arithmetic at the ends of `Int` never overflows (issue 7).
@Suite struct IndexEdgeTests {
    /// Index tensors switch to int64 once an axis has more elements than int32 can count.
    @Test func indexDTypeWidensPastInt32() {
        #expect(indexDType(forAxisLength: 10) == .int32)
        #expect(indexDType(forAxisLength: Int(Int32.max) + 1) == .int32)   // last index is Int32.max
        #expect(indexDType(forAxisLength: Int(Int32.max) + 2) == .int64)
        #expect(indexDType(forAxisLength: Int.max) == .int64)
        let x = Tensor([3.0, 1.0, 2.0])
        #expect(x.argmax().dtype == .int32 && x.argsort().dtype == .int32 && x.topK(1).indices.dtype == .int32)
    }

    /// Python clamps slice bounds; so do subscripts, whatever the bounds and steps.
    @Test func extremeSliceBoundsClampLikePython() {
        let x = Tensor.arange(5)
        let all = x[.all]
        #expect(x[0...Int.max].scalars == all.scalars)
        #expect(x[...Int.max].scalars == all.scalars)
        #expect(x[Int.min...].scalars == all.scalars)
        #expect(x[Int.min..<Int.max].scalars == all.scalars)
        #expect(x[2...Int.max].scalars == x[2...].scalars)
        #expect(x[Int.max...].shape == [0])
        #expect(x[.stride(Int.max, nil, by: Int.min)].scalars == x[(-1)...].scalars)   // x[maxsize::-maxsize-1]
        #expect(x[.stride(Int.min, Int.max, by: Int.max)].scalars == x[0...0].scalars)
        #expect(x[.stride(nil, nil, by: -2)].scalars == x[.stride(4, Int.min, by: -2)].scalars)
        #expect(x[.stride(nil, nil, by: Int.min)].scalars == x[(-1)...].scalars)
    }
}
