/// Reductions over any set of axes, computed as an (outer, reduced, inner) walk over contiguous
/// memory; non-adjacent axes are first transposed to the end.

/// Normalizes possibly negative axes, checking them against `rank`; `nil` means all axes.
func normalizeAxes(_ axes: [Int]?, rank: Int, op: String) -> [Int] {
    guard let axes else { return Array(0..<rank) }
    var out: [Int] = []
    for a in axes {
        let n = a < 0 ? a + rank : a
        precondition(n >= 0 && n < max(rank, 1) && (rank > 0 || a == 0 || a == -1),
                     "\(op): axis \(a) is out of bounds for a tensor of rank \(rank)")
        if rank == 0 { continue }
        precondition(!out.contains(n), "\(op): axis \(a) repeated in \(axes)")
        out.append(n)
    }
    return out.sorted()
}

/// Normalizes one axis.
func normalizeAxis(_ axis: Int, rank: Int, op: String) -> Int {
    let n = axis < 0 ? axis + rank : axis
    precondition(n >= 0 && n < rank, "\(op): axis \(axis) is out of bounds for a tensor of rank \(rank)")
    return n
}

/// The shape after reducing `axes`.
func reducedShape(_ shape: [Int], axes: [Int], keepDims: Bool) -> [Int] {
    var out: [Int] = []
    for (i, d) in shape.enumerated() {
        if axes.contains(i) { if keepDims { out.append(1) } } else { out.append(d) }
    }
    return out
}

/// Arranges `x` so the reduced axes form one contiguous block: returns the (possibly transposed)
/// tensor and the (outer, reduced, inner) sizes.
func reductionLayout(_ x: Tensor, axes: [Int]) -> (Tensor, outer: Int, reduced: Int, inner: Int) {
    let shape = x.shape
    if axes.isEmpty { return (x, x.scalarCount, 1, 1) }
    let contiguous = axes.last! - axes.first! + 1 == axes.count
    if contiguous {
        let outer = shape[..<axes.first!].reduce(1, *)
        let reduced = axes.reduce(1) { $0 * shape[$1] }
        let inner = shape[(axes.last! + 1)...].reduce(1, *)
        return (x, outer, reduced, inner)
    }
    let kept = (0..<shape.count).filter { !axes.contains($0) }
    let t = transposeKernel(x, kept + axes)
    return (t, kept.reduce(1) { $0 * shape[$1] }, axes.reduce(1) { $0 * shape[$1] }, 1)
}

/// Folds the reduced block with `combine`, starting from `initial`.
@inline(__always)
func reduceKernel<T>(_ x: Tensor, _: T.Type, axes: [Int], keepDims: Bool, initial: T,
                     _ combine: (T, T) -> T) -> Tensor {
    let outShape = reducedShape(x.shape, axes: axes, keepDims: keepDims)
    let (t, outer, reduced, inner) = reductionLayout(x, axes: axes)
    let out = Tensor(uninitializedShape: outShape, dtype: x.dtype)
    let px = t.pointer(T.self), po = out.pointer(T.self)
    withExtendedLifetime(t) {
        if inner == 1 {
            Parallel.chunks(outer, threshold: max(1, Parallel.elementThreshold / max(reduced, 1))) { rows in
                for o in rows {
                    let src = px + o * reduced
                    var a0 = initial, a1 = initial, a2 = initial, a3 = initial
                    var r = 0
                    while r + 4 <= reduced {
                        a0 = combine(a0, src[r]); a1 = combine(a1, src[r + 1])
                        a2 = combine(a2, src[r + 2]); a3 = combine(a3, src[r + 3])
                        r += 4
                    }
                    while r < reduced { a0 = combine(a0, src[r]); r += 1 }
                    po[o] = combine(combine(a0, a1), combine(a2, a3))
                }
            }
        } else {
            Parallel.chunks(outer, threshold: max(1, Parallel.elementThreshold / max(reduced * inner, 1))) { rows in
                for o in rows {
                    let dst = po + o * inner
                    for i in 0..<inner { dst[i] = initial }
                    for r in 0..<reduced {
                        let src = px + (o * reduced + r) * inner
                        for i in 0..<inner { dst[i] = combine(dst[i], src[i]) }
                    }
                }
            }
        }
    }
    return out
}

/// Index of the largest (`greater` = true) or smallest element along `axis`; ties keep the first.
func argReduceKernel(_ x: Tensor, axis: Int, keepDims: Bool, greater: Bool) -> Tensor {
    let outShape = reducedShape(x.shape, axes: [axis], keepDims: keepDims)
    let (t, outer, reduced, inner) = reductionLayout(x, axes: [axis])
    precondition(reduced > 0, "argmax/argmin: axis \(axis) of shape \(x.shape) is empty")
    let values = t.cast(to: .float64)
    let out = Tensor(uninitializedShape: outShape, dtype: .int32)
    let px = values.pointer(Double.self), po = out.pointer(Int32.self)
    withExtendedLifetime(values) {
        for o in 0..<outer {
            for i in 0..<inner {
                var best = px[o * reduced * inner + i], bestIndex = 0
                for r in 1..<max(reduced, 1) {
                    let v = px[(o * reduced + r) * inner + i]
                    if best.isNaN { break }
                    if v.isNaN || (greater ? v > best : v < best) { best = v; bestIndex = r }
                }
                po[o * inner + i] = Int32(bestIndex)
            }
        }
    }
    return out
}
