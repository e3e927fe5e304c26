/// Fused batch normalization in training mode over the last (channels) axis: one pass for the
/// statistics, one for the output, and a two-pass backward rule — instead of the dozen
/// broadcasting ops (and their gradients) the formula takes when written with tensor ops.

extension Tensor {
    /// Normalizes each channel (last axis) with the biased mean and variance over all other
    /// axes, then scales by `scale` and shifts by `offset` (`keras.ops.batch_normalization` with
    /// `keras.ops.moments` of the batch, channels last):
    /// `y = scale · (x − mean) / √(variance + epsilon) + offset`.
    ///
    /// Returns the output and the batch statistics `(channels,)` (not differentiable; Keras uses
    /// them only to update moving averages). Differentiable with respect to `self`, `scale` and
    /// `offset`. Statistics are accumulated in double precision.
    ///
    /// With `crossReplicaSum` (synchronized batch normalization in data-parallel training, where
    /// `self` is one replica's shard of the global batch), the statistics are those of the global
    /// batch: the per-channel sums go through `crossReplicaSum`, which sums a buffer elementwise
    /// over the replicas in place (every replica calls it in the same order). The backward rule
    /// sums the gradient terms the same way, each replica's weighted by its row count, which is
    /// right when the replicas' gradients are then averaged weighted by their sample counts (as
    /// data-parallel `fit` does).
    ///
    /// ```swift
    /// let x = Tensor.randomNormal([32, 8, 8, 16])
    /// let (y, mean, variance) = x.batchNormalizationTraining(scale: gamma, offset: beta, epsilon: 1e-3)
    /// ```
    public func batchNormalizationTraining(scale: Tensor?, offset: Tensor?, epsilon: Double,
                                           crossReplicaSum: (@Sendable (inout [Double]) -> Void)? = nil)
        -> (output: Tensor, mean: Tensor, variance: Tensor) {
        require(rank >= 1 && dtype.isFloatingPoint,
                "batch_normalization: expected a float tensor with a channels axis, got \(dtype) of shape \(shape)")
        let channels = shape[rank - 1]
        for (name, t) in [("scale", scale), ("offset", offset)] {
            if let t {
                require(t.shape == [channels], "batch_normalization: \(name) must have shape (\(channels),) for inputs of shape \(shape), got \(t.shape)")
            }
        }
        require(epsilon > 0 && epsilon.isFinite, "batch_normalization: epsilon must be positive, got \(epsilon)")
        let rows = channels == 0 ? 0 : scalarCount / channels
        let x = self
        let gamma = scale.map { $0.cast(to: .float64).doubles } ?? [Double](repeating: 1, count: channels)
        let beta = offset.map { $0.cast(to: .float64).doubles } ?? [Double](repeating: 0, count: channels)
        var mean = [Double](repeating: 0, count: channels), variance = mean
        // The rows the statistics are over: this tensor's, or every replica's.
        var totalRows = Double(rows)
        let out = Tensor(uninitializedShape: shape, dtype: dtype)
        func forward<T: BinaryFloatingPoint>(_: T.Type) {
            let src = x.pointer(T.self), dst = out.pointer(T.self)
            for r in 0..<rows {
                let row = src + r * channels
                for c in 0..<channels { mean[c] += Double(row[c]) }
            }
            if let crossReplicaSum {
                mean.append(totalRows)
                crossReplicaSum(&mean)
                totalRows = mean.removeLast()
            }
            for c in 0..<channels { mean[c] /= Swift.max(totalRows, 1) }
            for r in 0..<rows {
                let row = src + r * channels
                for c in 0..<channels { let d = Double(row[c]) - mean[c]; variance[c] += d * d }
            }
            crossReplicaSum?(&variance)
            for c in 0..<channels { variance[c] /= Swift.max(totalRows, 1) }
            let a = (0..<channels).map { T(gamma[$0] / (variance[$0] + epsilon).squareRoot()) }
            let b = (0..<channels).map { T(beta[$0]) - T(mean[$0]) * a[$0] }
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    for r in 0..<rows {
                        let row = src + r * channels, o = dst + r * channels
                        for c in 0..<channels { o[c] = row[c] * a[c] + b[c] }
                    }
                }
            }
        }
        withExtendedLifetime(x) {
            if dtype == .float64 { forward(Double.self) } else { forward(Float.self) }
        }
        let meanTensor = Tensor(shape: [channels], doubles: mean, dtype: dtype)
        let varianceTensor = Tensor(shape: [channels], doubles: variance, dtype: dtype)
        var inputs = [x]
        if let scale { inputs.append(scale) }
        if let offset { inputs.append(offset) }
        let hasScale = scale != nil, hasOffset = offset != nil
        let replicas = crossReplicaSum.map { sum in (sum: sum, totalRows: totalRows) }
        let y = Tensor.record("batch_normalization", inputs: inputs, output: out) { g in
            let (dx, dGamma, dBeta) = batchNormBackward(g, x: x, mean: mean, variance: variance, gamma: gamma,
                                                        epsilon: epsilon, rows: rows, channels: channels, replicas: replicas)
            var grads: [Tensor?] = [dx]
            if hasScale { grads.append(Tensor(shape: [channels], doubles: dGamma, dtype: scale!.dtype)) }
            if hasOffset { grads.append(Tensor(shape: [channels], doubles: dBeta, dtype: offset!.dtype)) }
            return grads
        }
        return (y, meanTensor, varianceTensor)
    }
}

/// The gradients of the fused training batch norm: with `x̂ = (x − mean)·inv`,
/// `dβ = Σg`, `dγ = Σg·x̂`, `dx = γ·inv/M · (M·g − Σg − x̂·Σg·x̂)` (sums over the `M` rows).
/// Across `replicas`, `M` counts every replica's rows and the two sums in `dx` are the replicas'
/// sums weighted by their row counts, over this replica's (`dβ`, `dγ` stay this replica's).
private func batchNormBackward(_ g: Tensor, x: Tensor, mean: [Double], variance: [Double], gamma: [Double],
                               epsilon: Double, rows: Int, channels: Int,
                               replicas: (sum: @Sendable (inout [Double]) -> Void, totalRows: Double)?) -> (Tensor, [Double], [Double]) {
    let grad = g.dtype == x.dtype ? g : g.cast(to: x.dtype)
    let inv = variance.map { 1 / ($0 + epsilon).squareRoot() }
    var sumG = [Double](repeating: 0, count: channels), sumGX = sumG
    let dx = Tensor(uninitializedShape: x.shape, dtype: x.dtype)
    func run<T: BinaryFloatingPoint>(_: T.Type) {
        let xs = x.pointer(T.self), gs = grad.pointer(T.self), out = dx.pointer(T.self)
        for r in 0..<rows {
            let xr = xs + r * channels, gr = gs + r * channels
            for c in 0..<channels {
                let gv = Double(gr[c])
                sumG[c] += gv
                sumGX[c] += gv * (Double(xr[c]) - mean[c]) * inv[c]
            }
        }
        var m = Double(Swift.max(rows, 1))
        var (globalG, globalGX) = (sumG, sumGX)
        if let replicas {
            // Σ_r rows_r·S_r / rows: the sums of the global loss, in this replica's gradient scale.
            let own = Double(Swift.max(rows, 1))
            var both = (sumG + sumGX).map { $0 * Double(rows) }
            replicas.sum(&both)
            globalG = both[0..<channels].map { $0 / own }
            globalGX = both[channels...].map { $0 / own }
            m = Swift.max(replicas.totalRows, 1)
        }
        let k = (0..<channels).map { T(gamma[$0] * inv[$0] / m) }
        let mt = T(m)
        let meanT = mean.map { T($0) }, invT = inv.map { T($0) }
        let sG = globalG.map { T($0) }, sGX = globalGX.map { T($0) }
        for r in 0..<rows {
            let xr = xs + r * channels, gr = gs + r * channels, o = out + r * channels
            for c in 0..<channels {
                let xhat = (xr[c] - meanT[c]) * invT[c]
                o[c] = k[c] * (mt * gr[c] - sG[c] - xhat * sGX[c])
            }
        }
    }
    withExtendedLifetime((x, grad)) {
        if x.dtype == .float64 { run(Double.self) } else { run(Float.self) }
    }
    return (dx, sumGX, sumG)
}
