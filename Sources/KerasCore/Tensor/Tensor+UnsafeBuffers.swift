extension Tensor {
    /// Reads the elements in place, for fused kernels (optimizers, metrics, loaders).
    /// `T` must match ``dtype``.
    ///
    /// ```swift
    /// let total = t.withUnsafeBufferPointer(of: Float.self) { $0.reduce(0, +) }
    /// ```
    public func withUnsafeBufferPointer<T: TensorScalar, R>(of type: T.Type, _ body: (UnsafeBufferPointer<T>) throws -> R) rethrows -> R {
        require(T.dtype == dtype, "withUnsafeBufferPointer: tensor is \(dtype), asked for \(T.dtype)")
        return try withExtendedLifetime(storage) {
            try body(UnsafeBufferPointer(start: pointer(T.self), count: scalarCount))
        }
    }

    /// A new tensor of `shape` whose elements `body` writes (every element must be written).
    ///
    /// ```swift
    /// let squares = Tensor(shape: [4], dtype: .float32) { (out: UnsafeMutableBufferPointer<Float>) in
    ///     for i in out.indices { out[i] = Float(i * i) }
    /// }
    /// ```
    public init<T: TensorScalar>(shape: [Int], dtype: DType,
                                 initializingWith body: (UnsafeMutableBufferPointer<T>) throws -> Void) rethrows {
        require(T.dtype == dtype, "Tensor(initializingWith:): dtype \(dtype) does not match buffer element \(T.dtype)")
        self.init(uninitializedShape: shape, dtype: dtype, op: "Tensor(initializingWith:)")
        try body(UnsafeMutableBufferPointer(start: pointer(T.self), count: scalarCount))
    }
}
