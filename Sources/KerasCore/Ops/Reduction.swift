/// Reductions over any axes with `keepDims` (`nil` axes = all), each with its backward rule.

extension Tensor {
    /// Sum over `axes` (`keras.ops.sum`). Bool sums as int32.
    ///
    /// ```swift
    /// Tensor([[1, 2], [3, 4]]).sum(axes: [0])   // [4 6]
    /// ```
    public func sum(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let ax = normalizeAxes(axes, rank: rank, op: "sum")
        let x = dtype == .bool ? cast(to: .int32) : self
        let out: Tensor
        switch x.dtype {
        case .float32: out = reduceKernel(x, Float.self, axes: ax, keepDims: keepDims, initial: 0, +)
        case .float64: out = reduceKernel(x, Double.self, axes: ax, keepDims: keepDims, initial: 0, +)
        case .int32: out = reduceKernel(x, Int32.self, axes: ax, keepDims: keepDims, initial: 0, &+)
        default: out = reduceKernel(x, Int64.self, axes: ax, keepDims: keepDims, initial: 0, &+)
        }
        let inShape = shape
        return Tensor.record("sum", inputs: [self], output: out) { g in
            [g.reshaped(to: reducedShape(inShape, axes: ax, keepDims: true)).broadcast(to: inShape)]
        }
    }

    /// Mean over `axes` (`keras.ops.mean`); integers average as float32.
    public func mean(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let ax = normalizeAxes(axes, rank: rank, op: "mean")
        let count = ax.reduce(1) { $0 * shape[$1] }
        let x = dtype.isFloatingPoint ? self : cast(to: .float32)
        return x.sum(axes: ax, keepDims: keepDims) / Double(count)
    }

    /// Product over `axes`.
    public func prod(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let ax = normalizeAxes(axes, rank: rank, op: "prod")
        let x = dtype == .bool ? cast(to: .int32) : self
        let out: Tensor
        switch x.dtype {
        case .float32: out = reduceKernel(x, Float.self, axes: ax, keepDims: keepDims, initial: 1, *)
        case .float64: out = reduceKernel(x, Double.self, axes: ax, keepDims: keepDims, initial: 1, *)
        case .int32: out = reduceKernel(x, Int32.self, axes: ax, keepDims: keepDims, initial: 1, &*)
        default: out = reduceKernel(x, Int64.self, axes: ax, keepDims: keepDims, initial: 1, &*)
        }
        let input = self
        return Tensor.record("prod", inputs: [self], output: out) { g in
            // d(prod)/dx_i = product of the other elements, computed without dividing by x_i.
            let kept = reducedShape(input.shape, axes: ax, keepDims: true)
            let gb = g.reshaped(to: kept).broadcast(to: input.shape)
            return [gb * input.productOfOthers(axes: ax)]
        }
    }

    /// For each element, the product of the other elements in its reduction group.
    private func productOfOthers(axes: [Int]) -> Tensor {
        let kept = (0..<rank).filter { !axes.contains($0) }
        let perm = kept + axes
        let t = transposed(perm)
        let outer = kept.reduce(1) { $0 * shape[$1] }, n = axes.reduce(1) { $0 * shape[$1] }
        var v = t.doubles, r = [Double](repeating: 0, count: v.count)
        for o in 0..<outer {
            var prefix = 1.0
            for i in 0..<n { r[o * n + i] = prefix; prefix *= v[o * n + i] }
            var suffix = 1.0
            for i in stride(from: n - 1, through: 0, by: -1) { r[o * n + i] *= suffix; suffix *= v[o * n + i] }
        }
        v = r
        var inverse = [Int](repeating: 0, count: perm.count)
        for (i, p) in perm.enumerated() { inverse[p] = i }
        return Tensor(shape: t.shape, doubles: v, dtype: dtype).transposed(inverse)
    }

    /// Maximum over `axes` (`keras.ops.max`); the gradient is shared equally between ties.
    public func max(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        extremum(axes: axes, keepDims: keepDims, name: "max", greatest: true)
    }

    /// Minimum over `axes` (`keras.ops.min`).
    public func min(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        extremum(axes: axes, keepDims: keepDims, name: "min", greatest: false)
    }

    private func extremum(axes: [Int]?, keepDims: Bool, name: String, greatest: Bool) -> Tensor {
        let ax = normalizeAxes(axes, rank: rank, op: name)
        require(ax.allSatisfy { shape[$0] > 0 }, "\(name): cannot reduce an empty axis of shape \(shape)")
        let x = dtype == .bool ? cast(to: .int32) : self
        let out: Tensor
        // NaN-propagating: a NaN (the only value unequal to itself) wins. The two closures capture
        // nothing, so the reduction loop is specialized with them inlined.
        @inline(__always) func run<T: Comparable>(_: T.Type, lowest: T, highest: T) -> Tensor {
            greatest
                ? reduceKernel(x, T.self, axes: ax, keepDims: keepDims, initial: lowest) { a, b in a != a ? a : (b != b ? b : (a >= b ? a : b)) }
                : reduceKernel(x, T.self, axes: ax, keepDims: keepDims, initial: highest) { a, b in a != a ? a : (b != b ? b : (a <= b ? a : b)) }
        }
        switch x.dtype {
        case .float32: out = run(Float.self, lowest: -.infinity, highest: .infinity)
        case .float64: out = run(Double.self, lowest: -.infinity, highest: .infinity)
        case .int32: out = run(Int32.self, lowest: .min, highest: .max)
        default: out = run(Int64.self, lowest: .min, highest: .max)
        }
        if dtype == .bool { return out.cast(to: .bool) }
        let input = self
        return Tensor.record(name, inputs: [self], output: out) { g in
            let kept = reducedShape(input.shape, axes: ax, keepDims: true)
            let mask = input.equal(out.reshaped(to: kept)).cast(to: g.dtype)
            let count = mask.sum(axes: ax, keepDims: true)
            return [g.reshaped(to: kept) * mask / count]
        }
    }

    /// Population variance over `axes` (`keras.ops.var`).
    public func variance(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let x = dtype.isFloatingPoint ? self : cast(to: .float32)
        let centered = x - x.mean(axes: axes, keepDims: true)
        return (centered * centered).mean(axes: axes, keepDims: keepDims)
    }

    /// Population standard deviation over `axes` (`keras.ops.std`).
    public func std(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        variance(axes: axes, keepDims: keepDims).sqrt()
    }

    /// Index of the largest element along `axis` (all elements flattened when `nil`): int32, or
    /// int64 when the axis is longer than `Int32.max`, so an index never wraps.
    public func argmax(axis: Int? = nil, keepDims: Bool = false) -> Tensor {
        guard let axis else { return reshaped(to: [-1]).argmax(axis: 0) }
        return argReduceKernel(self, axis: normalizeAxis(axis, rank: rank, op: "argmax"), keepDims: keepDims, greater: true)
    }

    /// Index of the smallest element along `axis` (int32; int64 past `Int32.max`, as ``argmax(axis:keepDims:)``).
    public func argmin(axis: Int? = nil, keepDims: Bool = false) -> Tensor {
        guard let axis else { return reshaped(to: [-1]).argmin(axis: 0) }
        return argReduceKernel(self, axis: normalizeAxis(axis, rank: rank, op: "argmin"), keepDims: keepDims, greater: false)
    }

    /// `log(sum(exp(x)))` over `axes`, computed stably (`keras.ops.logsumexp`).
    public func logSumExp(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let m = max(axes: axes, keepDims: true).stopGradient()
        let safeM = `where`(m.isFinite(), m, Tensor.zeros([], dtype: m.dtype))
        let s = (self - safeM).exp().sum(axes: axes, keepDims: true).log() + safeM
        if keepDims { return s }
        let ax = normalizeAxes(axes, rank: rank, op: "logsumexp")
        return s.reshaped(to: reducedShape(shape, axes: ax, keepDims: false))
    }

    /// `true` if any element is non-zero along `axes`.
    public func any(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        notEqual(0).cast(to: .int32).max(axes: axes, keepDims: keepDims).cast(to: .bool)
    }

    /// `true` if every element is non-zero along `axes`.
    public func all(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        notEqual(0).cast(to: .int32).min(axes: axes, keepDims: keepDims).cast(to: .bool)
    }
}

/// `keras.ops.sum`: the same as `x.sum(…)`.
public func sum(_ x: Tensor, axes: [Int]? = nil, keepDims: Bool = false) -> Tensor { x.sum(axes: axes, keepDims: keepDims) }
/// `keras.ops.mean`: the same as `x.mean(…)`.
public func mean(_ x: Tensor, axes: [Int]? = nil, keepDims: Bool = false) -> Tensor { x.mean(axes: axes, keepDims: keepDims) }
