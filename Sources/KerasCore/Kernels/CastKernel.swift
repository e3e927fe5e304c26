/// Elementwise dtype conversion, one specialized loop per (source, target) pair: each conversion
/// is a closure literal with no captures, so it is inlined into the loop (a conversion passed in
/// as a parameter through a generic helper would be called indirectly per element).
///
/// Float → int truncates toward zero (NaN → 0, saturating); anything → bool is `x != 0`.
func castKernel(_ x: Tensor, to dtype: DType) -> Tensor {
    switch x.dtype {
    case .float32: castFloatingPoint(x, Float.self, to: dtype)
    case .float64: castFloatingPoint(x, Double.self, to: dtype)
    case .int32: castInteger(x, Int32.self, to: dtype)
    case .int64: castInteger(x, Int64.self, to: dtype)
    case .bool:
        switch dtype {
        case .float32: mapKernel(x, Bool.self, to: .float32, Float.self) { $0 ? 1 : 0 }
        case .float64: mapKernel(x, Bool.self, to: .float64, Double.self) { $0 ? 1 : 0 }
        case .int32: mapKernel(x, Bool.self, to: .int32, Int32.self) { $0 ? 1 : 0 }
        case .int64: mapKernel(x, Bool.self, to: .int64, Int64.self) { $0 ? 1 : 0 }
        case .bool: mapKernel(x, Bool.self, to: .bool, Bool.self) { $0 }
        }
    }
}

@inline(__always)
private func castFloatingPoint<S: BinaryFloatingPoint>(_ x: Tensor, _: S.Type, to dtype: DType) -> Tensor {
    switch dtype {
    case .float32: mapKernel(x, S.self, to: .float32, Float.self) { Float($0) }
    case .float64: mapKernel(x, S.self, to: .float64, Double.self) { Double($0) }
    case .int32: mapKernel(x, S.self, to: .int32, Int32.self) { Int32(saturating: $0) }
    case .int64: mapKernel(x, S.self, to: .int64, Int64.self) { Int64(saturating: $0) }
    case .bool: mapKernel(x, S.self, to: .bool, Bool.self) { $0 != 0 }
    }
}

@inline(__always)
private func castInteger<S: FixedWidthInteger>(_ x: Tensor, _: S.Type, to dtype: DType) -> Tensor {
    switch dtype {
    case .float32: mapKernel(x, S.self, to: .float32, Float.self) { Float($0) }
    case .float64: mapKernel(x, S.self, to: .float64, Double.self) { Double($0) }
    case .int32: mapKernel(x, S.self, to: .int32, Int32.self) { Int32(truncatingIfNeeded: $0) }
    case .int64: mapKernel(x, S.self, to: .int64, Int64.self) { Int64(truncatingIfNeeded: $0) }
    case .bool: mapKernel(x, S.self, to: .bool, Bool.self) { $0 != 0 }
    }
}

extension FixedWidthInteger {
    /// `f` truncated toward zero, clamped to the type's range (±∞ included), NaN → 0: the one
    /// float → integer conversion of tensor creation and ``Tensor/cast(to:)``, which never traps.
    ///
    /// ```swift
    /// Int32(saturating: 3e9)          // 2147483647
    /// Int32(saturating: Double.nan)   // 0
    /// ```
    @inline(__always)
    init<F: BinaryFloatingPoint>(saturating f: F) {
        if f.isNaN { self = 0 } else if f >= F(Self.max) { self = .max } else if f <= F(Self.min) { self = .min } else {
            self.init(f.rounded(.towardZero))
        }
    }
}
