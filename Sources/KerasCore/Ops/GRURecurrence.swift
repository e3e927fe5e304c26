/// The fused recurrence of a GRU layer with Keras's defaults (`reset_after=True`, sigmoid gates,
/// tanh candidate): one matrix product per step for the recurrent part, the gate arithmetic in
/// one pass over raw buffers, and a backward pass through time that computes the recurrent
/// kernel's gradient as one product over all steps.

extension Tensor {
    /// Runs `rec = h_{t−1} · recurrentKernel + recurrentBias` (blocks z, r, h in Keras's order),
    /// `z = σ(x_z + rec_z)`, `r = σ(x_r + rec_r)`, `ĥ = tanh(x_h + r·rec_h)`,
    /// `h_t = z·h_{t−1} + (1 − z)·ĥ` over the steps of `projected` `(steps, batch, 3·units)` (the
    /// input projection with its bias), from `initialH` `(batch, units)`. `recurrentBias`
    /// `(3·units,)` is optional. Returns every `h_t` `(steps, batch, units)`. Differentiable with
    /// respect to every input (float32 and float64); the batch rows are split across the cores
    /// as in ``lstmRecurrence(projected:bias:recurrentKernel:initialH:initialC:)``.
    ///
    /// ```swift
    /// let hs = Tensor.gruRecurrence(projected: x.matmul(kernel) + inputBias, recurrentBias: recurrentBias,
    ///                               recurrentKernel: r, initialH: .zeros([32, 64]))
    /// ```
    public static func gruRecurrence(projected: Tensor, recurrentBias: Tensor? = nil, recurrentKernel: Tensor,
                                     initialH: Tensor) -> Tensor {
        require(projected.rank == 3 && recurrentKernel.rank == 2, "gru_recurrence: expected projected (steps, batch, 3·units) and recurrent kernel (units, 3·units), received \(projected.shape) and \(recurrentKernel.shape)")
        let (steps, batch, width) = (projected.shape[0], projected.shape[1], projected.shape[2])
        let units = recurrentKernel.shape[0]
        require(width == 3 * units && recurrentKernel.shape[1] == width && steps > 0,
                "gru_recurrence: projected \(projected.shape) does not match recurrent kernel \(recurrentKernel.shape)")
        require(initialH.shape == [batch, units],
                "gru_recurrence: the initial state must be \([batch, units]), received \(initialH.shape)")
        require(recurrentBias.map { $0.shape == [width] } ?? true,
                "gru_recurrence: recurrent bias must have shape \([width]), received \(recurrentBias?.shape ?? [])")
        let dtype = projected.dtype
        require(dtype.isFloatingPoint && ([recurrentKernel, initialH] + (recurrentBias.map { [$0] } ?? [])).allSatisfy { $0.dtype == dtype },
                "gru_recurrence: all operands must share a float dtype")
        let hs = Tensor(uninitializedShape: [steps, batch, units], dtype: dtype, op: "gru_recurrence")
        let gates = Tensor(uninitializedShape: [steps, batch, width], dtype: dtype, op: "gru_recurrence")
        let recurrentH = Tensor(uninitializedShape: [steps, batch, units], dtype: dtype, op: "gru_recurrence")
        withExtendedLifetime((projected, recurrentBias, recurrentKernel, initialH, hs, gates, recurrentH)) {
            if dtype == .float32 {
                gruForward(Float.self, projected, recurrentBias, recurrentKernel, initialH, hs, gates, recurrentH)
            } else {
                gruForward(Double.self, projected, recurrentBias, recurrentKernel, initialH, hs, gates, recurrentH)
            }
        }
        let inputs = [projected] + (recurrentBias.map { [$0] } ?? []) + [recurrentKernel, initialH]
        return Tensor.record("gru_recurrence", inputs: inputs, output: hs) { g in
            gruBackward(g, hasBias: recurrentBias != nil, recurrentKernel: recurrentKernel, initialH: initialH,
                        hs: hs, gates: gates, recurrentH: recurrentH)
        }
    }
}

extension RecurrenceScalar {
    /// One GRU step over `batch` rows: `z` holds `h_{t−1}·R` and is replaced by the gates z, r, ĥ;
    /// `recurrentH` gets `rec_h` (the recurrent product of the candidate block plus its bias).
    static func gruStepForward(batch: Int, units: Int, projected: UnsafePointer<Self>, bias: UnsafePointer<Self>?,
                               z: UnsafeMutablePointer<Self>, recurrentH: UnsafeMutablePointer<Self>,
                               hPrev: UnsafePointer<Self>, h: UnsafeMutablePointer<Self>) {
        let width = 3 * units
        for b in 0..<batch {
            let row = z + b * width, x = projected + b * width
            let rh = recurrentH + b * units, hp = hPrev + b * units, hb = h + b * units
            if let bias { for j in 0..<width { row[j] = row[j] + bias[j] } }
            for j in 0..<units {
                let update = sigmoid(x[j] + row[j]), reset = sigmoid(x[units + j] + row[units + j])
                let candidate = tanh(x[2 * units + j] + reset * row[2 * units + j])
                rh[j] = row[2 * units + j]
                row[j] = update; row[units + j] = reset; row[2 * units + j] = candidate
                hb[j] = update * hp[j] + (1 - update) * candidate
            }
        }
    }

    /// One GRU step's gradients: with `dh = dhOut + carry`, writes the pre-activation gradients
    /// of the projected input (`dProjected`) and of the recurrent product (`dInner`, whose
    /// candidate block is scaled by r), and replaces `carry` by `dh·z` (the direct path to `h_{t−1}`).
    static func gruStepBackward(batch: Int, units: Int, gates: UnsafePointer<Self>, recurrentH: UnsafePointer<Self>,
                                hPrev: UnsafePointer<Self>, dhOut: UnsafePointer<Self>, carry: UnsafeMutablePointer<Self>,
                                dProjected: UnsafeMutablePointer<Self>, dInner: UnsafeMutablePointer<Self>) {
        let width = 3 * units
        for b in 0..<batch {
            let row = gates + b * width, dp = dProjected + b * width, di = dInner + b * width
            for j in 0..<units {
                let k = b * units + j
                let update = row[j], reset = row[units + j], candidate = row[2 * units + j]
                let dh = dhOut[k] + carry[k]
                let dUpdate = dh * (hPrev[k] - candidate) * update * (1 - update)
                let dCandidate = dh * (1 - update) * (1 - candidate * candidate)
                let dReset = dCandidate * recurrentH[k] * reset * (1 - reset)
                dp[j] = dUpdate; dp[units + j] = dReset; dp[2 * units + j] = dCandidate
                di[j] = dUpdate; di[units + j] = dReset; di[2 * units + j] = dCandidate * reset
                carry[k] = dh * update
            }
        }
    }
}

private func gruForward<T: RecurrenceScalar>(_: T.Type, _ projected: Tensor, _ bias: Tensor?, _ kernel: Tensor, _ h0: Tensor,
                                             _ hsT: Tensor, _ gates: Tensor, _ recurrentH: Tensor) {
    let (steps, batch, width) = (projected.shape[0], projected.shape[1], projected.shape[2])
    let units = width / 3
    let stepWidth = batch * width, stepUnits = batch * units
    let buffers = (UnsafePointer(projected.pointer(T.self)), bias.map { UnsafePointer($0.pointer(T.self)) },
                   gates.pointer(T.self), hsT.pointer(T.self), recurrentH.pointer(T.self),
                   UnsafePointer(kernel.pointer(T.self)), UnsafePointer(h0.pointer(T.self)))
    Parallel.forEachPiece(batch, pieces: recurrencePieces(steps: steps, batch: batch, units: units), context: buffers) { _, rows, p in
        let (x, bias, z, hs, rh, r, h0) = p
        guard !rows.isEmpty else { return }
        let (lo, m) = (rows.lowerBound, rows.count)
        for t in 0..<steps {
            let zt = z + t * stepWidth + lo * width
            let hPrev = (t == 0 ? h0 : UnsafePointer(hs + (t - 1) * stepUnits)) + lo * units
            T.gemm(transA: false, transB: false, m: m, n: width, k: units, a: hPrev, lda: units, b: r, ldb: width,
                   accumulate: false, c: zt, ldc: width)
            T.gruStepForward(batch: m, units: units, projected: x + t * stepWidth + lo * width, bias: bias, z: zt,
                           recurrentH: rh + t * stepUnits + lo * units, hPrev: hPrev, h: hs + t * stepUnits + lo * units)
        }
    }
}

/// Backward pass through time: gradients for projected, recurrent bias (when there is one),
/// recurrent kernel and initial h.
private func gruBackward(_ g: Tensor, hasBias: Bool, recurrentKernel: Tensor, initialH: Tensor, hs: Tensor, gates: Tensor,
                         recurrentH: Tensor) -> [Tensor?] {
    let dtype = gates.dtype
    let g = g.dtype == dtype ? g : g.cast(to: dtype)
    let dProjected = Tensor(uninitializedShape: gates.shape, dtype: dtype, op: "gru_recurrence gradient")
    let dInner = Tensor(uninitializedShape: gates.shape, dtype: dtype, op: "gru_recurrence gradient")
    let dR = Tensor(uninitializedShape: recurrentKernel.shape, dtype: dtype, op: "gru_recurrence gradient")
    let dh0 = Tensor(uninitializedShape: initialH.shape, dtype: dtype, op: "gru_recurrence gradient")
    let dBias = hasBias ? Tensor(uninitializedShape: [gates.shape[2]], dtype: dtype, op: "gru_recurrence gradient") : nil
    let transposedKernel = transposeKernel(recurrentKernel, [1, 0])
    withExtendedLifetime((g, transposedKernel, initialH, hs, gates, recurrentH, dProjected, dInner, dR, dh0, dBias)) {
        func run<T: RecurrenceScalar>(_: T.Type) {
            gruBackwardKernel(T.self, g, transposedKernel, initialH, hs, gates, recurrentH, dProjected, dInner, dR, dh0)
            if let dBias { columnSums(T.self, dInner, into: dBias) }
        }
        if dtype == .float32 { run(Float.self) } else { run(Double.self) }
    }
    return [dProjected] + (hasBias ? [dBias] : []) + [dR, dh0]
}

private func gruBackwardKernel<T: RecurrenceScalar>(_: T.Type, _ g: Tensor, _ transposedKernel: Tensor, _ h0: Tensor, _ hsT: Tensor,
                                                    _ gates: Tensor, _ recurrentH: Tensor, _ dProjectedT: Tensor,
                                                    _ dInnerT: Tensor, _ dRT: Tensor, _ dh0T: Tensor) {
    let (steps, batch, width) = (gates.shape[0], gates.shape[1], gates.shape[2])
    let units = width / 3
    let stepWidth = batch * width, stepUnits = batch * units
    let hs = hsT.pointer(T.self), dInner = dInnerT.pointer(T.self)
    let buffers = (UnsafePointer(g.pointer(T.self)), UnsafePointer(gates.pointer(T.self)), UnsafePointer(recurrentH.pointer(T.self)),
                   UnsafePointer(hs), UnsafePointer(h0.pointer(T.self)), UnsafePointer(transposedKernel.pointer(T.self)),
                   dProjectedT.pointer(T.self), dInner, dh0T.pointer(T.self))
    Parallel.forEachPiece(batch, pieces: recurrencePieces(steps: steps, batch: batch, units: units), context: buffers) { _, rows, p in
        let (gp, z, rh, hs, h0, rt, dp, di, dh0) = p
        guard !rows.isEmpty else { return }
        let (lo, m) = (rows.lowerBound, rows.count)
        let carry = dh0 + lo * units
        carry.update(repeating: 0, count: m * units)
        for t in stride(from: steps - 1, through: 0, by: -1) {
            let hPrev = (t == 0 ? h0 : hs + (t - 1) * stepUnits) + lo * units
            let dit = di + t * stepWidth + lo * width
            T.gruStepBackward(batch: m, units: units, gates: z + t * stepWidth + lo * width, recurrentH: rh + t * stepUnits + lo * units,
                            hPrev: hPrev, dhOut: gp + t * stepUnits + lo * units, carry: carry,
                            dProjected: dp + t * stepWidth + lo * width, dInner: dit)
            // dh_{t−1} = dh·z + dInner_t · Rᵀ
            T.gemm(transA: false, transB: false, m: m, n: units, k: width, a: dit, lda: width, b: rt, ldb: units,
                   accumulate: true, c: carry, ldc: units)
        }
    }
    // dR = Σ_t h_{t−1}ᵀ · dInner_t: h_0 with step 0, then h_1…h_{T−1} with steps 1…T−1 in one product.
    let dR = dRT.pointer(T.self)
    T.gemm(transA: true, transB: false, m: units, n: width, k: batch, a: h0.pointer(T.self), lda: units, b: dInner, ldb: width,
           accumulate: false, c: dR, ldc: width)
    if steps > 1 {
        T.gemm(transA: true, transB: false, m: units, n: width, k: (steps - 1) * batch, a: hs, lda: units,
               b: dInner + stepWidth, ldb: width, accumulate: true, c: dR, ldc: width)
    }
}
