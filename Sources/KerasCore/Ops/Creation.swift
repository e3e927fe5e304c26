extension Tensor {
    /// A tensor of `shape` filled with `value` (`keras.ops.full`); `value` saturates to an
    /// integer dtype's range as in ``cast(to:)``.
    ///
    /// ```swift
    /// Tensor.full([2, 3], 7)                 // float32 sevens
    /// Tensor.full([2], 1, dtype: .int32)
    /// ```
    public static func full(_ shape: [Int], _ value: Double, dtype: DType = .float32) -> Tensor {
        let t = Tensor(uninitializedShape: shape, dtype: dtype, op: "full")
        let n = t.scalarCount
        switch dtype {
        case .float32: t.pointer(Float.self).initialize(repeating: Float(value), count: n)
        case .float64: t.pointer(Double.self).initialize(repeating: value, count: n)
        case .int32: t.pointer(Int32.self).initialize(repeating: Int32(saturating: value), count: n)
        case .int64: t.pointer(Int64.self).initialize(repeating: Int64(saturating: value), count: n)
        case .bool: t.pointer(Bool.self).initialize(repeating: value != 0, count: n)
        }
        return t
    }

    /// Zeros of `shape` (`keras.ops.zeros`).
    public static func zeros(_ shape: [Int], dtype: DType = .float32) -> Tensor {
        let count = checkedElementCount(of: shape, dtype: dtype, op: "zeros")
        return Tensor(storage: .zeroed(byteCount: count * dtype.byteSize), shape: shape, dtype: dtype)
    }

    /// Ones of `shape` (`keras.ops.ones`).
    public static func ones(_ shape: [Int], dtype: DType = .float32) -> Tensor { full(shape, 1, dtype: dtype) }

    /// Zeros with the shape and dtype of `other`.
    public static func zeros(like other: Tensor) -> Tensor { zeros(other.shape, dtype: other.dtype) }

    /// Ones with the shape and dtype of `other`.
    public static func ones(like other: Tensor) -> Tensor { ones(other.shape, dtype: other.dtype) }

    /// A rank-0 tensor holding `value` with the dtype of `other` (float32 if `other` is integer and
    /// `value` is not a whole number; int32 for a whole number next to a bool tensor): how Swift
    /// number literals join tensor arithmetic, as Python numbers do in Keras.
    static func scalar(_ value: Double, like other: Tensor) -> Tensor {
        var dtype = other.dtype
        if !dtype.isFloatingPoint && value != value.rounded(.towardZero) { dtype = .float32 }
        if dtype == .bool { dtype = value == value.rounded(.towardZero) ? .int32 : .float32 }
        return full([], value, dtype: dtype)
    }

    /// Evenly spaced values in `[start, stop)` (`keras.ops.arange`). Integer arguments give int32
    /// unless `dtype` is set.
    ///
    /// ```swift
    /// Tensor.arange(5)                  // [0 1 2 3 4] int32
    /// Tensor.arange(0, 1, step: 0.25)   // [0.   0.25 0.5  0.75] float32
    /// ```
    public static func arange(_ start: Double, _ stop: Double? = nil, step: Double = 1, dtype: DType? = nil) -> Tensor {
        require(step != 0, "arange: step must not be 0")
        let (lo, hi) = stop.map { (start, $0) } ?? (0, start)
        let steps = ((hi - lo) / step).rounded(.up)
        require(steps.isFinite, "arange: start \(lo), stop \(hi) and step \(step) must give a finite number of values")
        let count = Swift.max(0, Int(saturating: steps))
        let allIntegral = [lo, hi, step].allSatisfy { $0 == $0.rounded() }
        _ = checkedElementCount(of: [count], dtype: .float64, op: "arange")
        let values = (0..<count).map { lo + Double($0) * step }
        return Tensor(shape: [count], doubles: values, dtype: dtype ?? (allIntegral ? .int32 : .float32))
    }

    /// `num` evenly spaced values from `start` to `stop` (`keras.ops.linspace`).
    public static func linspace(_ start: Double, _ stop: Double, count num: Int = 50, endpoint: Bool = true,
                                dtype: DType = .float32) -> Tensor {
        require(num >= 0, "linspace: count must be non-negative, got \(num)")
        let divisor = Double(endpoint ? Swift.max(num - 1, 1) : Swift.max(num, 1))
        let step = (stop - start) / divisor
        var values = (0..<num).map { start + Double($0) * step }
        if endpoint && num > 1 { values[num - 1] = stop }
        return Tensor(shape: [num], doubles: values, dtype: dtype)
    }

    /// The identity matrix, or ones on diagonal `k` of an `n`×`m` matrix (`keras.ops.eye`).
    public static func eye(_ n: Int, _ m: Int? = nil, k: Int = 0, dtype: DType = .float32) -> Tensor {
        let cols = m ?? n
        _ = checkedElementCount(of: [n, cols], dtype: dtype, op: "eye")
        var values = [Double](repeating: 0, count: n * cols)
        for i in 0..<n where i + k >= 0 && i + k < cols { values[i * cols + i + k] = 1 }
        return Tensor(shape: [n, cols], doubles: values, dtype: dtype)
    }
}
