/// Keras-style dtype promotion for binary ops: bool < int32 < int64 < float32 < float64.
func promotedType(_ a: DType, _ b: DType) -> DType {
    if a == b { return a }
    func rank(_ d: DType) -> Int {
        switch d { case .bool: 0; case .int32: 1; case .int64: 2; case .float32: 3; case .float64: 4 }
    }
    return rank(a) >= rank(b) ? a : b
}

/// Both operands converted to their common dtype (at least `minimum` when given).
func promote(_ a: Tensor, _ b: Tensor, atLeast minimum: DType? = nil) -> (Tensor, Tensor, DType) {
    var dt = promotedType(a.dtype, b.dtype)
    if let minimum { dt = promotedType(dt, minimum) }
    return (a.cast(to: dt), b.cast(to: dt), dt)
}

extension Tensor {
    /// Sums `self` (a gradient of a broadcast result) back down to `shape`.
    func unbroadcast(to shape: [Int]) -> Tensor {
        if self.shape == shape { return self }
        let offset = rank - shape.count
        var axes = Array(0..<offset)
        for (i, d) in shape.enumerated() where d == 1 && self.shape[i + offset] != 1 { axes.append(i + offset) }
        return sum(axes: axes).reshaped(to: shape)
    }
}
