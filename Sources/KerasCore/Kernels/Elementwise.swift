import CKernels
/// Tight loops over raw buffers for unary and broadcasting binary ops. The per-element function is
/// a closure literal at each call site; these helpers are always inlined, and each loop closure
/// captures nothing but that function (buffers travel through `Parallel.chunks`'s `context`), so
/// the optimizer specializes the loop with the function inlined and vectorizes it, on one thread
/// and on many.

/// `out[i] = f(x[i])` over every element.
@inline(__always)
func mapKernel<T, U>(_ x: Tensor, _ inType: T.Type, to outDType: DType, _ outType: U.Type,
                     _ f: (T) -> U) -> Tensor {
    let out = Tensor(uninitializedShape: x.shape, dtype: outDType)
    withExtendedLifetime(x) {
        Parallel.chunks(out.scalarCount, context: (x.pointer(T.self), out.pointer(U.self))) { r, p in
            for i in r { p.1[i] = f(p.0[i]) }
        }
    }
    return out
}

/// `mapKernel` for float32 → float32, chosen by overload resolution over the generic one: the
/// closure keeps its direct calling convention (no reabstraction thunk), which lets the optimizer
/// inline it into the loop even when it reaches here through another helper (`floatMap`).
@inline(__always)
func mapKernel(_ x: Tensor, _ inType: Float.Type, to outDType: DType, _ outType: Float.Type,
               _ f: (Float) -> Float) -> Tensor {
    let out = Tensor(uninitializedShape: x.shape, dtype: outDType)
    withExtendedLifetime(x) {
        Parallel.chunks(out.scalarCount, context: (x.pointer(Float.self), out.pointer(Float.self))) { r, p in
            for i in r { p.1[i] = f(p.0[i]) }
        }
    }
    return out
}

/// The buffers and the broadcast layout a `zipKernel` loop reads.
struct ZipLayout<T, U> {
    let a: UnsafeMutablePointer<T>, b: UnsafeMutablePointer<T>, out: UnsafeMutablePointer<U>
    var dims: [Int] = [], stridesA: [Int] = [], stridesB: [Int] = []
}

/// `out[i] = f(a[i], b[i])` with NumPy broadcasting; `a` and `b` must both hold `T`.
@inline(__always)
func zipKernel<T, U>(_ a: Tensor, _ b: Tensor, _ inType: T.Type, shape: [Int], to outDType: DType,
                     _ outType: U.Type, _ f: (T, T) -> U) -> Tensor {
    let out = Tensor(uninitializedShape: shape, dtype: outDType)
    let n = out.scalarCount
    if n == 0 { return out }
    var layout = ZipLayout(a: a.pointer(T.self), b: b.pointer(T.self), out: out.pointer(U.self))
    withExtendedLifetime((a, b)) {
        if a.shape == b.shape && a.scalarCount == n {
            Parallel.chunks(n, context: layout) { r, p in for i in r { p.out[i] = f(p.a[i], p.b[i]) } }
        } else if b.scalarCount == 1 && a.scalarCount == n {
            Parallel.chunks(n, context: layout) { r, p in
                let s = p.b[0]
                for i in r { p.out[i] = f(p.a[i], s) }
            }
        } else if a.scalarCount == 1 && b.scalarCount == n {
            Parallel.chunks(n, context: layout) { r, p in
                let s = p.a[0]
                for i in r { p.out[i] = f(s, p.b[i]) }
            }
        } else {
            let (dims, st) = coalesce(shape, [broadcastStrides(a.shape, to: shape),
                                              broadcastStrides(b.shape, to: shape)])
            (layout.dims, layout.stridesA, layout.stridesB) = (dims, st[0], st[1])
            let inner = dims[dims.count - 1]
            Parallel.chunks(n / inner, threshold: max(1, Parallel.elementThreshold / inner), context: layout) { rows, p in
                let last = p.dims.count - 1
                let inner = p.dims[last], sa = p.stridesA[last], sb = p.stridesB[last]
                for row in rows {
                    var rem = row, oa = 0, ob = 0
                    var d = last - 1
                    while d >= 0 {
                        let idx = rem % p.dims[d]
                        rem /= p.dims[d]
                        oa += idx * p.stridesA[d]
                        ob += idx * p.stridesB[d]
                        d -= 1
                    }
                    let o = p.out + row * inner, x = p.a + oa, y = p.b + ob
                    if sa == 1 && sb == 1 {
                        for i in 0..<inner { o[i] = f(x[i], y[i]) }
                    } else if sa == 0 && sb == 1 {
                        let s = x[0]
                        for i in 0..<inner { o[i] = f(s, y[i]) }
                    } else if sa == 1 && sb == 0 {
                        let s = y[0]
                        for i in 0..<inner { o[i] = f(x[i], s) }
                    } else {
                        for i in 0..<inner { o[i] = f(x[i &* sa], y[i &* sb]) }
                    }
                }
            }
        }
    }
    return out
}

/// Copies `x` into a new contiguous tensor whose element `[i0, …]` is `x[i_perm[0], …]`.
func transposeKernel(_ x: Tensor, _ perm: [Int]) -> Tensor {
    let outShape = perm.map { x.shape[$0] }
    let inStrides = contiguousStrides(x.shape)
    let (dims, st) = coalesce(outShape, [perm.map { inStrides[$0] }, contiguousStrides(outShape)])
    let out = Tensor(uninitializedShape: outShape, dtype: x.dtype)
    let n = x.scalarCount
    if n == 0 { return out }
    func run<T>(_: T.Type) {
        let layout = ZipLayout(a: x.pointer(T.self), b: x.pointer(T.self), out: out.pointer(T.self),
                               dims: dims, stridesA: st[0], stridesB: [])
        let inner = dims[dims.count - 1]
        let last = dims.count - 1
        if last >= 1 && st[0][last - 1] == 1 && st[0][last] != 1 {
            // The two innermost output axes are swapped in the source (a matrix transpose per
            // outer index): copy in square tiles so reads and writes both stay within cache lines.
            withExtendedLifetime(x) { tiledTranspose(layout) }
            return
        }
        withExtendedLifetime(x) {
            Parallel.chunks(n / inner, threshold: max(1, Parallel.elementThreshold / inner), context: layout) { rows, p in
                let last = p.dims.count - 1
                let inner = p.dims[last], si = p.stridesA[last]
                for row in rows {
                    var rem = row, oi = 0
                    var d = last - 1
                    while d >= 0 {
                        oi += (rem % p.dims[d]) * p.stridesA[d]
                        rem /= p.dims[d]
                        d -= 1
                    }
                    let o = p.out + row * inner, src = p.a + oi
                    if si == 1 { for i in 0..<inner { o[i] = src[i] } } else {
                        for i in 0..<inner { o[i] = src[i &* si] }
                    }
                }
            }
        }
    }
    switch x.dtype {
    case .float32: run(Float.self)
    case .float64: run(Double.self)
    case .int32: run(Int32.self)
    case .int64: run(Int64.self)
    case .bool: run(Bool.self)
    }
    return out
}

/// `out[o, r, c] = src[offset(o) + r + c·stride]` for the last two (coalesced) output axes `r`,
/// `c`, whose source strides are 1 and `stride`: a batch of matrix transposes, in 32×32 tiles
/// (each tile's source rows and destination rows are a few cache lines), split across cores by
/// tile rows.
private func tiledTranspose<T>(_ layout: ZipLayout<T, T>) {
    let tile = 32
    let last = layout.dims.count - 1
    let rows = layout.dims[last - 1], cols = layout.dims[last]
    let outer = layout.dims[..<(last - 1)].reduce(1, *)
    let tileRows = (rows + tile - 1) / tile
    Parallel.chunks(outer * tileRows, threshold: max(1, Parallel.elementThreshold / (tile * cols)), context: layout) { units, p in
        let last = p.dims.count - 1
        let rows = p.dims[last - 1], cols = p.dims[last], stride = p.stridesA[last]
        let tileRows = (rows + tile - 1) / tile
        for unit in units {
            let o = unit / tileRows, r0 = (unit % tileRows) * tile
            var rem = o, offset = 0
            var d = last - 2
            while d >= 0 {
                offset += (rem % p.dims[d]) * p.stridesA[d]
                rem /= p.dims[d]
                d -= 1
            }
            let src = p.a + offset, dst = p.out + o * rows * cols
            let r1 = min(r0 + tile, rows)
            if T.self == Float.self {
                // float32: 16 × 16 blocks through vector registers (4× the loops below on the LSTM
                // backward's 128 × 512 kernel).
                keras_transpose_f32(cols, r1 - r0, UnsafeRawPointer(src + r0).assumingMemoryBound(to: Float.self), stride,
                                    UnsafeMutableRawPointer(dst + r0 * cols).assumingMemoryBound(to: Float.self), cols)
                continue
            }
            // Through a contiguous tile buffer: with power-of-two strides, the tile's source
            // columns or destination rows all map to the same cache set, so neither side is
            // walked across lines directly.
            withUnsafeTemporaryAllocation(of: T.self, capacity: tile * tile) { buffer in
                let b = buffer.baseAddress!
                var c0 = 0
                while c0 < cols {
                    let c1 = min(c0 + tile, cols)
                    for c in c0..<c1 {
                        let column = src + c * stride, slot = b + (c - c0) * tile - r0
                        for r in r0..<r1 { slot[r] = column[r] }
                    }
                    for r in r0..<r1 {
                        let row = dst + r * cols
                        for c in c0..<c1 { row[c] = b[(c - c0) * tile + (r - r0)] }
                    }
                    c0 = c1
                }
            }
        }
    }
}
