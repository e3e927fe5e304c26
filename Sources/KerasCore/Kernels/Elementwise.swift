/// Tight loops over raw buffers for unary and broadcasting binary ops. The per-element function is
/// a closure literal at each call site; these helpers are always inlined, so it compiles to a
/// straight loop (no call per element).

/// `out[i] = f(x[i])` over every element.
@inline(__always)
func mapKernel<T, U>(_ x: Tensor, _ inType: T.Type, to outDType: DType, _ outType: U.Type,
                     _ f: (T) -> U) -> Tensor {
    let out = Tensor(uninitializedShape: x.shape, dtype: outDType)
    let px = x.pointer(T.self), po = out.pointer(U.self)
    withExtendedLifetime(x) {
        Parallel.chunks(out.scalarCount) { r in
            for i in r { po[i] = f(px[i]) }
        }
    }
    return out
}

/// `out[i] = f(a[i], b[i])` with NumPy broadcasting; `a` and `b` must both hold `T`.
@inline(__always)
func zipKernel<T, U>(_ a: Tensor, _ b: Tensor, _ inType: T.Type, shape: [Int], to outDType: DType,
                     _ outType: U.Type, _ f: (T, T) -> U) -> Tensor {
    let out = Tensor(uninitializedShape: shape, dtype: outDType)
    let n = out.scalarCount
    if n == 0 { return out }
    let pa = a.pointer(T.self), pb = b.pointer(T.self), po = out.pointer(U.self)
    withExtendedLifetime((a, b)) {
        if a.shape == shape && b.shape == shape {
            Parallel.chunks(n) { r in for i in r { po[i] = f(pa[i], pb[i]) } }
        } else if b.scalarCount == 1 && a.scalarCount == n {
            let s = pb[0]
            Parallel.chunks(n) { r in for i in r { po[i] = f(pa[i], s) } }
        } else if a.scalarCount == 1 && b.scalarCount == n {
            let s = pa[0]
            Parallel.chunks(n) { r in for i in r { po[i] = f(s, pb[i]) } }
        } else {
            let (dims, st) = coalesce(shape, [broadcastStrides(a.shape, to: shape),
                                              broadcastStrides(b.shape, to: shape)])
            let inner = dims[dims.count - 1]
            let sa = st[0][dims.count - 1], sb = st[1][dims.count - 1]
            let outer = n / inner
            Parallel.chunks(outer, threshold: max(1, Parallel.elementThreshold / inner)) { rows in
                for row in rows {
                    var rem = row, oa = 0, ob = 0
                    var d = dims.count - 2
                    while d >= 0 {
                        let idx = rem % dims[d]
                        rem /= dims[d]
                        oa += idx * st[0][d]
                        ob += idx * st[1][d]
                        d -= 1
                    }
                    let o = po + row * inner, x = pa + oa, y = pb + ob
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
        let px = x.pointer(T.self), po = out.pointer(T.self)
        let inner = dims[dims.count - 1], si = st[0][dims.count - 1]
        let outer = n / inner
        withExtendedLifetime(x) {
            Parallel.chunks(outer, threshold: max(1, Parallel.elementThreshold / inner)) { rows in
                for row in rows {
                    var rem = row, oi = 0
                    var d = dims.count - 2
                    while d >= 0 {
                        oi += (rem % dims[d]) * st[0][d]
                        rem /= dims[d]
                        d -= 1
                    }
                    let o = po + row * inner, src = px + oi
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
