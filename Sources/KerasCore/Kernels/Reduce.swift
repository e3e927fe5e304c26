/// Reductions over any set of axes, computed as an (outer, reduced, inner) walk over contiguous
/// memory; non-adjacent axes are first transposed to the end.

/// Normalizes possibly negative axes, checking them against `rank`; `nil` means all axes.
func normalizeAxes(_ axes: [Int]?, rank: Int, op: String) -> [Int] {
    guard let axes else { return Array(0..<rank) }
    var out: [Int] = []
    for a in axes {
        let n = a < 0 ? a + rank : a
        require(n >= 0 && n < max(rank, 1) && (rank > 0 || a == 0 || a == -1),
                "\(op): axis \(a) is out of bounds for a tensor of rank \(rank)")
        if rank == 0 { continue }
        require(!out.contains(n), "\(op): axis \(a) repeated in \(axes)")
        out.append(n)
    }
    return out.sorted()
}

/// Normalizes one axis.
func normalizeAxis(_ axis: Int, rank: Int, op: String) -> Int {
    let n = axis < 0 ? axis + rank : axis
    require(n >= 0 && n < rank, "\(op): axis \(axis) is out of bounds for a tensor of rank \(rank)")
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

/// The buffers and sizes a reduction loop reads.
struct ReduceLayout<T> {
    let src: UnsafeMutablePointer<T>, dst: UnsafeMutablePointer<T>
    let outer: Int, reduced: Int, inner: Int
    let initial: T
}

/// Folds `count` contiguous elements with `combine` into 16 independent accumulators (so the
/// loop vectorizes even for floating point, whose `+` cannot be reassociated), then folds those.
@inline(__always)
func foldContiguous<T>(_ src: UnsafeMutablePointer<T>, _ count: Int, _ initial: T, _ combine: (T, T) -> T) -> T {
    var a0 = initial, a1 = initial, a2 = initial, a3 = initial, a4 = initial, a5 = initial, a6 = initial, a7 = initial
    var a8 = initial, a9 = initial, a10 = initial, a11 = initial, a12 = initial, a13 = initial, a14 = initial, a15 = initial
    var r = 0
    while r + 16 <= count {
        let s = src + r
        a0 = combine(a0, s[0]); a1 = combine(a1, s[1]); a2 = combine(a2, s[2]); a3 = combine(a3, s[3])
        a4 = combine(a4, s[4]); a5 = combine(a5, s[5]); a6 = combine(a6, s[6]); a7 = combine(a7, s[7])
        a8 = combine(a8, s[8]); a9 = combine(a9, s[9]); a10 = combine(a10, s[10]); a11 = combine(a11, s[11])
        a12 = combine(a12, s[12]); a13 = combine(a13, s[13]); a14 = combine(a14, s[14]); a15 = combine(a15, s[15])
        r += 16
    }
    while r < count { a0 = combine(a0, src[r]); r += 1 }
    a0 = combine(a0, a8); a1 = combine(a1, a9); a2 = combine(a2, a10); a3 = combine(a3, a11)
    a4 = combine(a4, a12); a5 = combine(a5, a13); a6 = combine(a6, a14); a7 = combine(a7, a15)
    a0 = combine(a0, a4); a1 = combine(a1, a5); a2 = combine(a2, a6); a3 = combine(a3, a7)
    return combine(combine(a0, a2), combine(a1, a3))
}

/// Folds the reduced block with `combine`, starting from `initial`.
///
/// Work is split across cores by output rows when there are enough of them, otherwise along the
/// reduced axis (partial results combined at the end) or across the kept inner columns.
@inline(__always)
func reduceKernel<T>(_ x: Tensor, _: T.Type, axes: [Int], keepDims: Bool, initial: T,
                     _ combine: (T, T) -> T) -> Tensor {
    let outShape = reducedShape(x.shape, axes: axes, keepDims: keepDims)
    let (t, outer, reduced, inner) = reductionLayout(x, axes: axes)
    let out = Tensor(uninitializedShape: outShape, dtype: x.dtype)
    let layout = ReduceLayout(src: t.pointer(T.self), dst: out.pointer(T.self),
                              outer: outer, reduced: reduced, inner: inner, initial: initial)
    let total = outer * reduced * inner
    withExtendedLifetime(t) {
        if inner == 1 && (outer >= Parallel.coreCount || Parallel.pieceCount(total) == 1) {
            Parallel.chunks(outer, threshold: max(1, Parallel.elementThreshold / max(reduced, 1)), context: layout) { rows, p in
                for o in rows { p.dst[o] = foldContiguous(p.src + o * p.reduced, p.reduced, p.initial, combine) }
            }
        } else if inner == 1 {
            // Few long rows (e.g. a full sum): each core folds a slice of every row.
            let pieces = Parallel.pieceCount(reduced)
            let partials = UnsafeMutablePointer<T>.allocate(capacity: pieces)
            defer { partials.deallocate() }
            for o in 0..<outer {
                Parallel.forEachPiece(reduced, pieces: pieces, context: (layout, o, partials)) { piece, r, c in
                    let (p, o, partials) = c
                    (partials + piece).initialize(to: foldContiguous(p.src + o * p.reduced + r.lowerBound, r.count, p.initial, combine))
                }
                var acc = partials[0]
                for i in 1..<pieces { acc = combine(acc, partials[i]) }
                layout.dst[o] = acc
            }
        } else {
            // Columns stay contiguous: fold whole rows into the output row, split by outer rows
            // or, when there are few, by column ranges.
            let byRows = outer >= Parallel.coreCount
            let count = byRows ? outer : inner
            let threshold = max(1, Parallel.elementThreshold / max(byRows ? reduced * inner : reduced * outer, 1))
            Parallel.chunks(count, threshold: threshold, context: (layout, byRows)) { range, c in
                let (p, byRows) = c
                let rows = byRows ? range : 0..<p.outer
                let cols = byRows ? 0..<p.inner : range
                for o in rows {
                    let dst = p.dst + o * p.inner
                    for i in cols { dst[i] = p.initial }
                    for r in 0..<p.reduced {
                        let src = p.src + (o * p.reduced + r) * p.inner
                        for i in cols { dst[i] = combine(dst[i], src[i]) }
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
    require(reduced > 0, "argmax/argmin: axis \(axis) of shape \(x.shape) is empty")
    let values = t.cast(to: .float64)
    let out = Tensor(uninitializedShape: outShape, dtype: indexDType(forAxisLength: reduced))
    let px = values.pointer(Double.self)
    let po32 = out.dtype == .int32 ? out.pointer(Int32.self) : nil, po64 = out.dtype == .int64 ? out.pointer(Int64.self) : nil
    withExtendedLifetime(values) {
        for o in 0..<outer {
            for i in 0..<inner {
                var best = px[o * reduced * inner + i], bestIndex = 0
                for r in 1..<max(reduced, 1) {
                    let v = px[(o * reduced + r) * inner + i]
                    if best.isNaN { break }
                    if v.isNaN || (greater ? v > best : v < best) { best = v; bestIndex = r }
                }
                if let po32 { po32[o * inner + i] = Int32(bestIndex) } else { po64![o * inner + i] = Int64(bestIndex) }
            }
        }
    }
    return out
}
