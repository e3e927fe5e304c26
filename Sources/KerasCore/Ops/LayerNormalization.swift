import CKernels
import Foundation

extension Tensor {
    /// Layer normalization over the last axis in one pass (`keras.ops.layer_normalization` with
    /// `axis=-1`): `(x − mean) / √(variance + epsilon) · gamma + beta` per row, the biased variance,
    /// `gamma` and `beta` of shape `(features,)` (either may be `nil`). Differentiable with respect
    /// to all three (float32 and float64).
    ///
    /// ```swift
    /// let y = Tensor([[1.0, 2.0, 3.0]]).layerNormalized(gamma: nil, beta: nil, epsilon: 1e-3)
    /// // ≈ [[-1.2238, 0, 1.2238]]
    /// ```
    public func layerNormalized(gamma: Tensor?, beta: Tensor?, epsilon: Double) -> Tensor {
        require(rank >= 1 && dtype.isFloatingPoint, "layer_normalization: expected a float tensor of rank ≥ 1, received \(dtype) \(shape)")
        let features = shape[rank - 1]
        for p in [gamma, beta].compactMap({ $0 }) {
            require(p.shape == [features] && p.dtype == dtype, "layer_normalization: gamma and beta must be \(dtype) of shape [\(features)], received \(p.dtype) \(p.shape)")
        }
        let rows = features == 0 ? 0 : scalarCount / features
        let out = Tensor(uninitializedShape: shape, dtype: dtype, op: "layer_normalization")
        // The C kernel takes ones for no gamma and zeros for no beta (the same values, exactly).
        func float32Kernel(normalized: Tensor?, inverse: Tensor?) {
            let scale = gamma ?? Tensor.ones([features], dtype: .float32), offset = beta ?? Tensor.zeros([features], dtype: .float32)
            withExtendedLifetime((self, scale, offset, out, normalized, inverse)) {
                keras_layer_norm_f32(rows, features, pointer(Float.self), scale.pointer(Float.self), offset.pointer(Float.self),
                                     Float(epsilon), out.pointer(Float.self), normalized?.pointer(Float.self),
                                     inverse?.pointer(Float.self))
            }
        }
        if dtype == .float32 && !(isRecorded || gamma?.isRecorded == true || beta?.isRecorded == true) {
            // Inference: the backward's normalized rows and inverse deviations are not written.
            float32Kernel(normalized: nil, inverse: nil)
            return out
        }
        let normalized = Tensor(uninitializedShape: shape, dtype: dtype, op: "layer_normalization")
        let inverse = Tensor(uninitializedShape: [rows], dtype: dtype, op: "layer_normalization")
        if dtype == .float32 {
            float32Kernel(normalized: normalized, inverse: inverse)
        } else {
            withExtendedLifetime((self, gamma, beta, out, normalized, inverse)) {
                layerNormForward(Double.self, self, gamma, beta, epsilon, out, normalized, inverse)
            }
        }
        let inputs = [self] + [gamma, beta].compactMap { $0 }
        return Tensor.record("layer_normalization", inputs: inputs, output: out) { g in
            let grads = layerNormBackward(g.dtype == normalized.dtype ? g : g.cast(to: normalized.dtype),
                                          normalized: normalized, inverse: inverse, gamma: gamma, beta: beta)
            return [grads.dx] + (gamma != nil ? [grads.dGamma] : []) + (beta != nil ? [grads.dBeta] : [])
        }
    }
}

private func layerNormForward<T: RecurrenceScalar>(_: T.Type, _ x: Tensor, _ gamma: Tensor?, _ beta: Tensor?, _ epsilon: Double,
                                                   _ out: Tensor, _ normalized: Tensor, _ inverse: Tensor) {
    let n = x.shape[x.rank - 1], rows = inverse.shape[0]
    let px = x.pointer(T.self), po = out.pointer(T.self), pn = normalized.pointer(T.self), pi = inverse.pointer(T.self)
    let pg = gamma?.pointer(T.self), pb = beta?.pointer(T.self)
    let eps = T(epsilon), count = T(n)
    for r in 0..<rows {
        let row = px + r * n, nrow = pn + r * n, orow = po + r * n
        var sum: T = 0
        for j in 0..<n { sum += row[j] }
        let mean = sum / count
        var squares: T = 0
        for j in 0..<n { let d = row[j] - mean; squares += d * d }
        let inv = 1 / (squares / count + eps).squareRoot()
        pi[r] = inv
        for j in 0..<n {
            let v = (row[j] - mean) * inv
            nrow[j] = v
            var y = v
            if let pg { y *= pg[j] }
            if let pb { y += pb[j] }
            orow[j] = y
        }
    }
}

private func layerNormBackward(_ g: Tensor, normalized: Tensor, inverse: Tensor, gamma: Tensor?, beta: Tensor?)
    -> (dx: Tensor, dGamma: Tensor, dBeta: Tensor) {
    let n = normalized.shape[normalized.rank - 1]
    let dx = Tensor(uninitializedShape: normalized.shape, dtype: normalized.dtype, op: "layer_normalization gradient")
    let dGamma = Tensor(uninitializedShape: [n], dtype: normalized.dtype, op: "layer_normalization gradient")
    let dBeta = Tensor(uninitializedShape: [n], dtype: normalized.dtype, op: "layer_normalization gradient")
    func run<T: RecurrenceScalar>(_: T.Type) {
        let rows = inverse.shape[0]
        let pg = g.pointer(T.self), pn = normalized.pointer(T.self), pi = inverse.pointer(T.self), pdx = dx.pointer(T.self)
        let gammaP = gamma?.pointer(T.self)
        let dg = dGamma.pointer(T.self), db = dBeta.pointer(T.self)
        dg.initialize(repeating: 0, count: n)
        db.initialize(repeating: 0, count: n)
        let count = T(n)
        for r in 0..<rows {
            let grow = pg + r * n, nrow = pn + r * n, drow = pdx + r * n
            var sumD: T = 0, sumDN: T = 0
            for j in 0..<n {
                dg[j] += grow[j] * nrow[j]
                db[j] += grow[j]
                let d = gammaP.map { grow[j] * $0[j] } ?? grow[j]
                drow[j] = d
                sumD += d
                sumDN += d * nrow[j]
            }
            let scale = pi[r] / count
            for j in 0..<n { drow[j] = scale * (count * drow[j] - sumD - nrow[j] * sumDN) }
        }
    }
    withExtendedLifetime((g, normalized, inverse, gamma, dx, dGamma, dBeta)) {
        if normalized.dtype == .float32 {
            keras_layer_norm_backward_f32(inverse.shape[0], n, g.pointer(Float.self), normalized.pointer(Float.self),
                                          inverse.pointer(Float.self), gamma?.pointer(Float.self), dx.pointer(Float.self),
                                          dGamma.pointer(Float.self), dBeta.pointer(Float.self))
        } else {
            run(Double.self)
        }
    }
    return (dx, dGamma, dBeta)
}
