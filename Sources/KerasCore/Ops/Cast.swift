extension Tensor {
    /// The values converted to `dtype` (`keras.ops.cast`). Float→int truncates toward zero;
    /// anything→bool is `x != 0`. Differentiable between float dtypes.
    public func cast(to dtype: DType) -> Tensor {
        if dtype == self.dtype { return self }
        let out: Tensor
        @inline(__always) func from<S>(_: S.Type, _ f32: (S) -> Float, _ f64: (S) -> Double,
                                       _ i32: (S) -> Int32, _ i64: (S) -> Int64, _ b: (S) -> Bool) -> Tensor {
            switch dtype {
            case .float32: mapKernel(self, S.self, to: .float32, Float.self, f32)
            case .float64: mapKernel(self, S.self, to: .float64, Double.self, f64)
            case .int32: mapKernel(self, S.self, to: .int32, Int32.self, i32)
            case .int64: mapKernel(self, S.self, to: .int64, Int64.self, i64)
            case .bool: mapKernel(self, S.self, to: .bool, Bool.self, b)
            }
        }
        switch self.dtype {
        case .float32:
            out = from(Float.self, { $0 }, { Double($0) }, { Int32(truncatingFloat: $0) }, { Int64(truncatingFloat: $0) }, { $0 != 0 })
        case .float64:
            out = from(Double.self, { Float($0) }, { $0 }, { Int32(truncatingFloat: $0) }, { Int64(truncatingFloat: $0) }, { $0 != 0 })
        case .int32:
            out = from(Int32.self, { Float($0) }, { Double($0) }, { $0 }, { Int64($0) }, { $0 != 0 })
        case .int64:
            out = from(Int64.self, { Float($0) }, { Double($0) }, { Int32(truncatingIfNeeded: $0) }, { $0 }, { $0 != 0 })
        case .bool:
            out = from(Bool.self, { $0 ? 1 : 0 }, { $0 ? 1 : 0 }, { $0 ? 1 : 0 }, { $0 ? 1 : 0 }, { $0 })
        }
        let source = self.dtype
        return Tensor.record("cast", inputs: [self], output: out) { g in [g.cast(to: source)] }
    }
}

extension FixedWidthInteger {
    /// Converts like C: truncation toward zero, NaN → 0, saturating at the type's bounds.
    @inline(__always)
    init<F: BinaryFloatingPoint>(truncatingFloat f: F) {
        if f.isNaN { self = 0 } else if f >= F(Self.max) { self = .max } else if f <= F(Self.min) { self = .min } else {
            self.init(f.rounded(.towardZero))
        }
    }
}
