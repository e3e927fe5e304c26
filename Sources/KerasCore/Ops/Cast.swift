extension Tensor {
    /// The values converted to `dtype` (`keras.ops.cast`); differentiable between float dtypes.
    ///
    /// - Float → int truncates toward zero and saturates: values beyond the integer range become
    ///   its minimum or maximum (±∞ too), and NaN becomes 0. NumPy leaves these cases undefined;
    ///   saturating never fails and gives the nearest representable value.
    /// - Int → narrower int wraps (keeps the low bits), as NumPy's `astype` does.
    /// - Anything → bool is `x != 0` (NaN → `true`).
    ///
    /// ```swift
    /// Tensor([2.7, -2.7, 3e9, .nan]).cast(to: .int32)   // [2 -2 2147483647 0]
    /// ```
    public func cast(to dtype: DType) -> Tensor {
        if dtype == self.dtype { return self }
        let out = castKernel(self, to: dtype)
        let source = self.dtype
        return Tensor.record("cast", inputs: [self], output: out) { g in [g.cast(to: source)] }
    }
}
