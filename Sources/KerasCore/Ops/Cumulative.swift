/// Running sums and products along an axis: `cumsum` and `cumprod`.

/// The (outer, n, inner) scan of `x` along `axis`: `out[k] = combine(out[k-1], x[k])`, from the
/// end when `reverse`.
@inline(__always)
private func scanKernel<T>(_ x: Tensor, _: T.Type, axis: Int, reverse: Bool, _ combine: (T, T) -> T) -> Tensor {
    let out = Tensor(uninitializedShape: x.shape, dtype: x.dtype)
    let n = x.shape[axis]
    let outer = x.shape[..<axis].reduce(1, *), inner = x.shape[(axis + 1)...].reduce(1, *)
    if out.scalarCount == 0 { return out }
    let src = x.pointer(T.self), dst = out.pointer(T.self)
    withExtendedLifetime(x) {
        for o in 0..<outer {
            let s = src + o * n * inner, d = dst + o * n * inner
            let first = reverse ? n - 1 : 0
            for i in 0..<inner { d[first * inner + i] = s[first * inner + i] }
            for step in 1..<max(n, 1) {
                let k = reverse ? n - 1 - step : step
                let prev = reverse ? k + 1 : k - 1
                for i in 0..<inner { d[k * inner + i] = combine(d[prev * inner + i], s[k * inner + i]) }
            }
        }
    }
    return out
}

extension Tensor {
    private func scan(axis: Int?, reverse: Bool, product: Bool, op: String) -> Tensor {
        guard let axis else { return flattened().scan(axis: 0, reverse: reverse, product: product, op: op) }
        let ax = normalizeAxis(axis, rank: rank, op: op)
        let x = dtype == .bool ? cast(to: .int32) : self
        switch x.dtype {
        case .float32: return product ? scanKernel(x, Float.self, axis: ax, reverse: reverse, *) : scanKernel(x, Float.self, axis: ax, reverse: reverse, +)
        case .float64: return product ? scanKernel(x, Double.self, axis: ax, reverse: reverse, *) : scanKernel(x, Double.self, axis: ax, reverse: reverse, +)
        case .int32: return product ? scanKernel(x, Int32.self, axis: ax, reverse: reverse, &*) : scanKernel(x, Int32.self, axis: ax, reverse: reverse, &+)
        default: return product ? scanKernel(x, Int64.self, axis: ax, reverse: reverse, &*) : scanKernel(x, Int64.self, axis: ax, reverse: reverse, &+)
        }
    }

    /// Running sum along `axis`, or over the flattened tensor when `axis` is `nil` (`keras.ops.cumsum`).
    ///
    /// ```swift
    /// Tensor([1, 2, 3]).cumsum()   // [1 3 6]
    /// ```
    public func cumsum(axis: Int? = nil) -> Tensor {
        guard let axis else { return flattened().cumsum(axis: 0) }
        let out = scan(axis: axis, reverse: false, product: false, op: "cumsum")
        return Tensor.record("cumsum", inputs: [self], output: out) { g in
            // Each input element feeds every later output: the gradient is a reversed running sum.
            [g.scan(axis: axis, reverse: true, product: false, op: "cumsum")]
        }
    }

    /// Running product along `axis`, or over the flattened tensor when `axis` is `nil`
    /// (`keras.ops.cumprod`). The gradient is exact even where elements are zero.
    ///
    /// ```swift
    /// Tensor([1, 2, 3]).cumprod()   // [1 2 6]
    /// ```
    public func cumprod(axis: Int? = nil) -> Tensor {
        guard let axis else { return flattened().cumprod(axis: 0) }
        let out = scan(axis: axis, reverse: false, product: true, op: "cumprod")
        let input = self
        return Tensor.record("cumprod", inputs: [self], output: out) { g in
            [input.cumprodGradient(g, axis: normalizeAxis(axis, rank: input.rank, op: "cumprod"))]
        }
    }

    /// `dx_i = Σ_{j ≥ i} g_j · Π_{k ≤ j, k ≠ i} x_k`, by an O(n²) walk per line (no division).
    private func cumprodGradient(_ g: Tensor, axis: Int) -> Tensor {
        let n = shape[axis]
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
        let x = doubles, gv = g.doubles
        var r = [Double](repeating: 0, count: x.count)
        for o in 0..<outer {
            for i in 0..<inner {
                @inline(__always) func at(_ k: Int) -> Int { (o * n + k) * inner + i }
                for m in 0..<n {
                    var prefix = 1.0
                    for k in 0..<m { prefix *= x[at(k)] }
                    var total = 0.0, running = prefix
                    for j in m..<n {
                        if j > m { running *= x[at(j)] }
                        total += gv[at(j)] * running
                    }
                    r[at(m)] = total
                }
            }
        }
        return Tensor(shape: shape, doubles: r, dtype: g.dtype)
    }
}

/// `keras.ops.cumsum`.
public func cumsum(_ x: Tensor, axis: Int? = nil) -> Tensor { x.cumsum(axis: axis) }
/// `keras.ops.cumprod`.
public func cumprod(_ x: Tensor, axis: Int? = nil) -> Tensor { x.cumprod(axis: axis) }
