/// Neural-network ops from `keras.ops.nn` that layers and losses build on.

extension Tensor {
    /// `max(x, 0)` (`keras.ops.relu`); NaN stays NaN, as in NumPy and JAX. Gradient 1 where
    /// `x > 0`, else 0.
    ///
    /// ```swift
    /// Tensor([-1.0, 2.0, .nan]).relu()   // [0. 2. nan]
    /// ```
    public func relu() -> Tensor {
        let x = self
        let y: Tensor
        switch dtype {
        // `x < 0 ? 0 : x` keeps NaN (it compares false) and still compiles to one SIMD max
        // (`maxps` with its operands ordered so NaN passes); like `maximum(x, 0)`, -0 stays -0.
        case .float32: y = mapKernel(self, Float.self, to: .float32, Float.self) { $0 < 0 ? 0 : $0 }
        case .float64: y = mapKernel(self, Double.self, to: .float64, Double.self) { $0 < 0 ? 0 : $0 }
        default: y = maximum(0)
        }
        return Tensor.record("relu", inputs: [self], output: y) { g in
            let gy: Tensor
            switch g.dtype {
            case .float64: gy = zipKernel(g, x.cast(to: .float64), Double.self, shape: g.shape, to: .float64, Double.self) { $1 > 0 ? $0 : 0 }
            default: gy = zipKernel(g, x.cast(to: .float32), Float.self, shape: g.shape, to: .float32, Float.self) { $1 > 0 ? $0 : 0 }
            }
            return [gy]
        }
    }

    /// `exp(x) / sum(exp(x))` along `axis`, computed stably (`keras.ops.softmax`).
    public func softmax(axis: Int = -1) -> Tensor {
        let ax = normalizeAxis(axis, rank: rank, op: "softmax")
        let x = dtype.isFloatingPoint ? self : cast(to: .float32)
        if x.scalarCount == 0 { return x }   // nothing to normalize (an empty axis has no maximum)
        let shifted = (x - x.max(axes: [ax], keepDims: true).stopGradient()).stopGradient()
        let e = shifted.exp()
        let y = e / e.sum(axes: [ax], keepDims: true)
        return Tensor.record("softmax", inputs: [x], output: y) { g in
            [y * (g - (g * y).sum(axes: [ax], keepDims: true))]
        }
    }

    /// `x - logsumexp(x)` along `axis` (`keras.ops.log_softmax`).
    public func logSoftmax(axis: Int = -1) -> Tensor {
        let ax = normalizeAxis(axis, rank: rank, op: "log_softmax")
        if scalarCount == 0 { return dtype.isFloatingPoint ? self : cast(to: .float32) }   // nothing to normalize
        let x = (dtype.isFloatingPoint ? self : cast(to: .float32)).stopGradient()
        let shifted = x - x.max(axes: [ax], keepDims: true)
        let y = shifted - shifted.exp().sum(axes: [ax], keepDims: true).log()
        let source = dtype.isFloatingPoint ? self : cast(to: .float32)
        return Tensor.record("log_softmax", inputs: [source], output: y) { g in
            [g - y.exp() * g.sum(axes: [ax], keepDims: true)]
        }
    }
}

/// `keras.ops.relu`: the same as `x.relu(…)`.
public func relu(_ x: Tensor) -> Tensor { x.relu() }
/// `keras.ops.softmax`: the same as `x.softmax(…)`.
public func softmax(_ x: Tensor, axis: Int = -1) -> Tensor { x.softmax(axis: axis) }
/// `keras.ops.log_softmax`: the same as `x.logSoftmax(…)`.
public func logSoftmax(_ x: Tensor, axis: Int = -1) -> Tensor { x.logSoftmax(axis: axis) }
