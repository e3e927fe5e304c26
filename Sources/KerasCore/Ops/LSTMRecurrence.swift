import Foundation

/// The fused recurrence of an LSTM layer with Keras's standard activations (sigmoid gates, tanh
/// cell): one matrix product per step for the recurrent part, the gate arithmetic in one pass
/// over raw buffers, and a backward pass through time that reuses the saved gates and computes the
/// recurrent kernel's gradient as one product over all steps.

extension Tensor {
    /// Runs `z_t = projected[t] + h_{t−1} · recurrentKernel`, gates `i, f, o = σ(z)`, `g = tanh(z)`
    /// (blocks in Keras's order i, f, c, o), `c_t = f·c_{t−1} + i·g`, `h_t = o·tanh(c_t)` over the
    /// steps of `projected` `(steps, batch, 4·units)` (the input projection plus bias), from
    /// `initialH`, `initialC` `(batch, units)`. Returns every `h_t` `(steps, batch, units)` and the
    /// last cell state. Differentiable with respect to all four inputs (float32 and float64).
    ///
    /// ```swift
    /// let (hs, c) = Tensor.lstmRecurrence(projected: x.matmul(kernel) + bias, recurrentKernel: r,
    ///                                     initialH: .zeros([32, 128]), initialC: .zeros([32, 128]))
    /// ```
    public static func lstmRecurrence(projected: Tensor, recurrentKernel: Tensor, initialH: Tensor,
                                      initialC: Tensor) -> (outputs: Tensor, finalC: Tensor) {
        require(projected.rank == 3 && recurrentKernel.rank == 2, "lstm_recurrence: expected projected (steps, batch, 4·units) and recurrent kernel (units, 4·units), received \(projected.shape) and \(recurrentKernel.shape)")
        let (steps, batch, width) = (projected.shape[0], projected.shape[1], projected.shape[2])
        let units = recurrentKernel.shape[0]
        require(width == 4 * units && recurrentKernel.shape[1] == width && steps > 0,
                "lstm_recurrence: projected \(projected.shape) does not match recurrent kernel \(recurrentKernel.shape)")
        require(initialH.shape == [batch, units] && initialC.shape == [batch, units],
                "lstm_recurrence: initial states must be \([batch, units]), received \(initialH.shape) and \(initialC.shape)")
        let dtype = projected.dtype
        require(dtype.isFloatingPoint && [recurrentKernel, initialH, initialC].allSatisfy { $0.dtype == dtype },
                "lstm_recurrence: all operands must share a float dtype")
        let packed = Tensor(uninitializedShape: [steps + 1, batch, units], dtype: dtype, op: "lstm_recurrence")
        let gates = Tensor(uninitializedShape: [steps, batch, width], dtype: dtype, op: "lstm_recurrence")
        let cells = Tensor(uninitializedShape: [steps, batch, units], dtype: dtype, op: "lstm_recurrence")
        withExtendedLifetime((projected, recurrentKernel, initialH, initialC, packed, gates, cells)) {
            if dtype == .float32 {
                lstmForward(Float.self, projected, recurrentKernel, initialH, initialC, packed, gates, cells)
            } else {
                lstmForward(Double.self, projected, recurrentKernel, initialH, initialC, packed, gates, cells)
            }
        }
        let result = Tensor.record("lstm_recurrence", inputs: [projected, recurrentKernel, initialH, initialC], output: packed) { g in
            lstmBackward(g, projected: projected, recurrentKernel: recurrentKernel, initialH: initialH,
                         initialC: initialC, packed: packed, gates: gates, cells: cells)
        }
        return (result.slice(axis: 0, start: 0, end: steps),
                result.slice(axis: 0, start: steps, end: steps + 1).reshaped(to: [batch, units]))
    }
}

/// The float types the fused recurrence runs in.
protocol RecurrenceScalar: BinaryFloatingPoint, TensorScalar {
    static func sigmoid(_ x: Self) -> Self
    static func tanh(_ x: Self) -> Self
    /// `C = op(A)·op(B) + (accumulate ? C : 0)`, row-major.
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, a: UnsafePointer<Self>, lda: Int,
                     b: UnsafePointer<Self>, ldb: Int, accumulate: Bool, c: UnsafeMutablePointer<Self>, ldc: Int)
}

extension Float: RecurrenceScalar {
    @inline(__always) static func sigmoid(_ x: Float) -> Float { fastSigmoid(x) }
    @inline(__always) static func tanh(_ x: Float) -> Float { fastTanh(x) }
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                     b: UnsafePointer<Float>, ldb: Int, accumulate: Bool, c: UnsafeMutablePointer<Float>, ldc: Int) {
        Gemm.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                   beta: accumulate ? 1 : 0, c: c, ldc: ldc)
    }
}

extension Double: RecurrenceScalar {
    static func sigmoid(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }
    static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, a: UnsafePointer<Double>, lda: Int,
                     b: UnsafePointer<Double>, ldb: Int, accumulate: Bool, c: UnsafeMutablePointer<Double>, ldc: Int) {
        if !accumulate {
            Gemm.dgemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc)
            return
        }
        let temp = UnsafeMutablePointer<Double>.allocate(capacity: m * n)
        defer { temp.deallocate() }
        Gemm.dgemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: temp, ldc: n)
        for i in 0..<m { for j in 0..<n { c[i * ldc + j] += temp[i * n + j] } }
    }
}

/// Forward pass: `packed` gets `h_1 … h_T` then `c_T`; `gates` the activated gates, `cells` every `c_t`.
private func lstmForward<T: RecurrenceScalar>(_: T.Type, _ projected: Tensor, _ kernel: Tensor, _ h0: Tensor, _ c0: Tensor,
                                              _ packed: Tensor, _ gates: Tensor, _ cells: Tensor) {
    let (steps, batch, width) = (projected.shape[0], projected.shape[1], projected.shape[2])
    let units = width / 4
    let z = gates.pointer(T.self), hs = packed.pointer(T.self), cs = cells.pointer(T.self)
    let x = projected.pointer(T.self), r = kernel.pointer(T.self)
    let stepWidth = batch * width, stepUnits = batch * units
    z.update(from: x, count: steps * stepWidth)
    for t in 0..<steps {
        let zt = z + t * stepWidth
        let hPrev = t == 0 ? UnsafePointer(h0.pointer(T.self)) : UnsafePointer(hs + (t - 1) * stepUnits)
        let cPrev = t == 0 ? UnsafePointer(c0.pointer(T.self)) : UnsafePointer(cs + (t - 1) * stepUnits)
        T.gemm(transA: false, transB: false, m: batch, n: width, k: units, a: hPrev, lda: units, b: r, ldb: width,
               accumulate: true, c: zt, ldc: width)
        let ht = hs + t * stepUnits, ct = cs + t * stepUnits
        for b in 0..<batch {
            // Simple loops over contiguous blocks, so each vectorizes: σ on i, f; tanh on g; σ on o.
            let row = zt + b * width
            activate(row, count: 2 * units, T.sigmoid)
            activate(row + 2 * units, count: units, T.tanh)
            activate(row + 3 * units, count: units, T.sigmoid)
            let c = ct + b * units, h = ht + b * units, previous = cPrev + b * units
            combineCell(i: row, f: row + units, g: row + 2 * units, previous: previous, c: c, count: units)
            for j in 0..<units { h[j] = T.tanh(c[j]) }
            multiply(h, by: row + 3 * units, count: units)
        }
    }
    (hs + steps * stepUnits).update(from: cs + (steps - 1) * stepUnits, count: stepUnits)
}

@inline(__always)
private func activate<T: RecurrenceScalar>(_ p: UnsafeMutablePointer<T>, count: Int, _ f: (T) -> T) {
    for j in 0..<count { p[j] = f(p[j]) }
}

/// `c = f·previous + i·g`.
@inline(__always)
private func combineCell<T: RecurrenceScalar>(i: UnsafePointer<T>, f: UnsafePointer<T>, g: UnsafePointer<T>,
                                              previous: UnsafePointer<T>, c: UnsafeMutablePointer<T>, count: Int) {
    for j in 0..<count { c[j] = f[j] * previous[j] + i[j] * g[j] }
}

@inline(__always)
private func multiply<T: RecurrenceScalar>(_ p: UnsafeMutablePointer<T>, by q: UnsafePointer<T>, count: Int) {
    for j in 0..<count { p[j] *= q[j] }
}

/// Backward pass through time: gradients for projected, recurrent kernel, initial h and c.
private func lstmBackward(_ g: Tensor, projected: Tensor, recurrentKernel: Tensor, initialH: Tensor, initialC: Tensor,
                          packed: Tensor, gates: Tensor, cells: Tensor) -> [Tensor?] {
    let g = g.dtype == projected.dtype ? g : g.cast(to: projected.dtype)
    let dz = Tensor(uninitializedShape: projected.shape, dtype: projected.dtype, op: "lstm_recurrence gradient")
    let dR = Tensor(uninitializedShape: recurrentKernel.shape, dtype: projected.dtype, op: "lstm_recurrence gradient")
    let dh0 = Tensor(uninitializedShape: initialH.shape, dtype: projected.dtype, op: "lstm_recurrence gradient")
    let dc0 = Tensor(uninitializedShape: initialC.shape, dtype: projected.dtype, op: "lstm_recurrence gradient")
    withExtendedLifetime((g, recurrentKernel, initialH, initialC, packed, gates, cells, dz, dR, dh0, dc0)) {
        func run<T: RecurrenceScalar>(_: T.Type) {
            lstmBackwardKernel(T.self, g, recurrentKernel, initialH, initialC, packed, gates, cells, dz, dR, dh0, dc0)
        }
        if projected.dtype == .float32 { run(Float.self) } else { run(Double.self) }
    }
    return [dz, dR, dh0, dc0]
}

private func lstmBackwardKernel<T: RecurrenceScalar>(_: T.Type, _ g: Tensor, _ kernel: Tensor, _ h0: Tensor, _ c0: Tensor,
                                                     _ packed: Tensor, _ gates: Tensor, _ cells: Tensor, _ dzT: Tensor,
                                                     _ dRT: Tensor, _ dh0T: Tensor, _ dc0T: Tensor) {
    let (steps, batch, width) = (gates.shape[0], gates.shape[1], gates.shape[2])
    let units = width / 4
    let stepWidth = batch * width, stepUnits = batch * units
    let gp = g.pointer(T.self), z = gates.pointer(T.self), cs = cells.pointer(T.self), hs = packed.pointer(T.self)
    let r = kernel.pointer(T.self), dz = dzT.pointer(T.self)
    let dh = UnsafeMutablePointer<T>.allocate(capacity: stepUnits)
    let dc = UnsafeMutablePointer<T>.allocate(capacity: stepUnits)
    let tanhC = UnsafeMutablePointer<T>.allocate(capacity: stepUnits)
    defer { dh.deallocate(); dc.deallocate(); tanhC.deallocate() }
    dh.initialize(repeating: 0, count: stepUnits)
    dc.update(from: gp + steps * stepUnits, count: stepUnits)   // gradient of the returned c_T
    for t in stride(from: steps - 1, through: 0, by: -1) {
        let zt = z + t * stepWidth, dzt = dz + t * stepWidth, ct = cs + t * stepUnits, gt = gp + t * stepUnits
        let cPrev = t == 0 ? c0.pointer(T.self) : cs + (t - 1) * stepUnits
        for k in 0..<stepUnits { tanhC[k] = T.tanh(ct[k]) }
        for b in 0..<batch {
            let row = zt + b * width, drow = dzt + b * width
            for j in 0..<units {
                let k = b * units + j
                let i = row[j], f = row[units + j], gg = row[2 * units + j], o = row[3 * units + j]
                let h = dh[k] + gt[k]
                let tc = tanhC[k]
                let dcell = dc[k] + h * o * (1 - tc * tc)
                drow[j] = dcell * gg * i * (1 - i)
                drow[units + j] = dcell * cPrev[k] * f * (1 - f)
                drow[2 * units + j] = dcell * i * (1 - gg * gg)
                drow[3 * units + j] = h * tc * o * (1 - o)
                dc[k] = dcell * f
            }
        }
        // dh_{t−1} = dz_t · Rᵀ
        T.gemm(transA: false, transB: true, m: batch, n: units, k: width, a: dzt, lda: width, b: r, ldb: width,
               accumulate: false, c: dh, ldc: units)
    }
    dh0T.pointer(T.self).update(from: dh, count: stepUnits)
    dc0T.pointer(T.self).update(from: dc, count: stepUnits)
    // dR = Σ_t h_{t−1}ᵀ · dz_t: h_0 with dz_0, then h_1…h_{T−1} with dz_1…dz_{T−1} in one product.
    let dR = dRT.pointer(T.self)
    T.gemm(transA: true, transB: false, m: units, n: width, k: batch, a: h0.pointer(T.self), lda: units, b: dz, ldb: width,
           accumulate: false, c: dR, ldc: width)
    if steps > 1 {
        T.gemm(transA: true, transB: false, m: units, n: width, k: (steps - 1) * batch, a: hs, lda: units,
               b: dz + stepWidth, ldb: width, accumulate: true, c: dR, ldc: width)
    }
}
