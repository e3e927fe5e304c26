extension Tensor {
    /// The values converted to `dtype` (`keras.ops.cast`). Float→int truncates toward zero;
    /// anything→bool is `x != 0`. Differentiable between float dtypes.
    public func cast(to dtype: DType) -> Tensor {
        if dtype == self.dtype { return self }
        let out = castKernel(self, to: dtype)
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
