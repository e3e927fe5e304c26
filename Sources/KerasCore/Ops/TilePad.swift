/// Repetition and padding: `tile` and constant-mode `pad`.

extension Tensor {
    /// The tensor repeated `repeats[i]` times along each axis (`keras.ops.tile`). A shorter
    /// `repeats` applies to the trailing axes; a longer one adds leading axes. Differentiable.
    ///
    /// ```swift
    /// Tensor([[1, 2]]).tile([2, 2])   // [[1 2 1 2] [1 2 1 2]]
    /// ```
    public func tile(_ repeats: [Int]) -> Tensor {
        require(repeats.allSatisfy { $0 >= 0 }, "tile: repeats must be non-negative, got \(repeats)")
        let r = Swift.max(rank, repeats.count)
        let dims = [Int](repeating: 1, count: r - rank) + shape
        let reps = [Int](repeating: 1, count: r - repeats.count) + repeats
        // View as [1, d0, 1, d1, …], broadcast to [r0, d0, r1, d1, …], merge pairs.
        let pairs = zip(reps, dims).flatMap { [$0, $1] }
        _ = Tensor.checkedElementCount(of: pairs, dtype: dtype, op: "tile")
        let interleaved = reshaped(to: dims.flatMap { [1, $0] })
        let expanded = interleaved.broadcast(to: pairs)
        return expanded.reshaped(to: zip(reps, dims).map { $0 * $1 })
    }

    /// The tensor surrounded by `value`: `widths[i] = (before, after)` elements on axis `i`
    /// (`keras.ops.pad` in constant mode). Differentiable; the gradient is the interior.
    ///
    /// ```swift
    /// Tensor([[1.0]]).pad([(1, 0), (0, 2)])   // [[0. 0. 0.] [1. 0. 0.]]
    /// ```
    public func pad(_ widths: [(Int, Int)], value: Double = 0) -> Tensor {
        require(widths.count == rank,
                "pad: needs one (before, after) pair per axis: got \(widths.count) for shape \(shape)")
        require(widths.allSatisfy { $0.0 >= 0 && $0.1 >= 0 },
                "pad: widths must be non-negative, got \(widths.map { [$0.0, $0.1] }) for shape \(shape)")
        var result = self
        for (axis, (before, after)) in widths.enumerated() where before > 0 || after > 0 {
            var s = result.shape
            var parts: [Tensor] = []
            if before > 0 { s[axis] = before; parts.append(Tensor.full(s, value, dtype: dtype)) }
            parts.append(result)
            if after > 0 { s[axis] = after; parts.append(Tensor.full(s, value, dtype: dtype)) }
            result = concatenate(parts, axis: axis)
        }
        return result
    }

    /// Pads every axis with the same `(before, after)` widths.
    public func pad(_ width: (Int, Int), value: Double = 0) -> Tensor {
        pad(Array(repeating: width, count: rank), value: value)
    }
}

/// `keras.ops.tile`.
public func tile(_ x: Tensor, _ repeats: [Int]) -> Tensor { x.tile(repeats) }
/// `keras.ops.pad` (constant mode).
public func pad(_ x: Tensor, _ widths: [(Int, Int)], value: Double = 0) -> Tensor { x.pad(widths, value: value) }
