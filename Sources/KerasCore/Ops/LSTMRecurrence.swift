import CKernels
import Foundation

/// The fused recurrence of an LSTM layer with Keras's standard activations (sigmoid gates, tanh
/// cell): one matrix product per step for the recurrent part, the gate arithmetic in one pass
/// over raw buffers, and a backward pass through time that reuses the saved gates and computes the
/// recurrent kernel's gradient as one product over all steps.

extension Tensor {
    /// Runs `z_t = h_{t−1} · recurrentKernel + (projected[t] + bias)`, gates `i, f, o = σ(z)`,
    /// `g = tanh(z)` (blocks in Keras's order i, f, c, o), `c_t = f·c_{t−1} + i·g`,
    /// `h_t = o·tanh(c_t)` over the steps of `projected` `(steps, batch, 4·units)` (the input
    /// projection `x_t · kernel`), from `initialH`, `initialC` `(batch, units)`. `bias` `(4·units,)`
    /// is optional. Returns every `h_t` `(steps, batch, units)` and the last cell state.
    /// Differentiable with respect to every input (float32 and float64).
    ///
    /// The batch rows are independent, so with enough work each core runs its share of the rows
    /// through every step with no synchronization between steps.
    ///
    /// ```swift
    /// let (hs, c) = Tensor.lstmRecurrence(projected: x.matmul(kernel), bias: bias, recurrentKernel: r,
    ///                                     initialH: .zeros([32, 128]), initialC: .zeros([32, 128]))
    /// ```
    public static func lstmRecurrence(projected: Tensor, bias: Tensor? = nil, recurrentKernel: Tensor, initialH: Tensor,
                                      initialC: Tensor) -> (outputs: Tensor, finalC: Tensor) {
        lstmSequence(projected, inputKernel: nil, bias: bias, recurrentKernel: recurrentKernel, initialH: initialH, initialC: initialC)
    }

    /// The same recurrence with the input projection inside it: `z_t = x_t · kernel +
    /// h_{t−1} · recurrentKernel + bias` (Keras's order of the sums) over `inputs`
    /// `(steps, batch, features)`, with `kernel` `(features, 4·units)`. Each step's projection is
    /// computed into that step's gates right before the recurrent product accumulates onto them,
    /// while they are in cache, so the projected sequence is never written out and read back.
    /// Differentiable with respect to every input; the kernel's gradient is one product over all
    /// steps.
    ///
    /// ```swift
    /// let (hs, c) = Tensor.lstmRecurrence(inputs: x, kernel: kernel, bias: bias, recurrentKernel: r,
    ///                                     initialH: .zeros([32, 128]), initialC: .zeros([32, 128]))
    /// ```
    public static func lstmRecurrence(inputs: Tensor, kernel: Tensor, bias: Tensor? = nil, recurrentKernel: Tensor,
                                      initialH: Tensor, initialC: Tensor) -> (outputs: Tensor, finalC: Tensor) {
        require(inputs.rank == 3 && kernel.rank == 2 && kernel.shape[0] == inputs.shape[2] && kernel.shape[1] == recurrentKernel.shape.last,
                "lstm_recurrence: expected inputs (steps, batch, features) and kernel (features, 4·units) matching the recurrent kernel \(recurrentKernel.shape), received \(inputs.shape) and \(kernel.shape)")
        return lstmSequence(inputs, inputKernel: kernel, bias: bias, recurrentKernel: recurrentKernel, initialH: initialH, initialC: initialC)
    }

    /// Both forms: `source` is the projected sequence, or with `inputKernel` the inputs it projects.
    private static func lstmSequence(_ source: Tensor, inputKernel: Tensor?, bias: Tensor?, recurrentKernel: Tensor,
                                     initialH: Tensor, initialC: Tensor) -> (outputs: Tensor, finalC: Tensor) {
        require(source.rank == 3 && recurrentKernel.rank == 2, "lstm_recurrence: expected projected (steps, batch, 4·units) and recurrent kernel (units, 4·units), received \(source.shape) and \(recurrentKernel.shape)")
        let (steps, batch) = (source.shape[0], source.shape[1])
        let units = recurrentKernel.shape[0], width = recurrentKernel.shape[1]
        require(width == 4 * units && (inputKernel != nil || source.shape[2] == width) && steps > 0,
                "lstm_recurrence: projected \(source.shape) does not match recurrent kernel \(recurrentKernel.shape)")
        require(initialH.shape == [batch, units] && initialC.shape == [batch, units],
                "lstm_recurrence: initial states must be \([batch, units]), received \(initialH.shape) and \(initialC.shape)")
        require(bias.map { $0.shape == [width] } ?? true,
                "lstm_recurrence: bias must have shape \([width]), received \(bias?.shape ?? [])")
        let dtype = source.dtype
        let operands = [recurrentKernel, initialH, initialC] + [inputKernel, bias].compactMap { $0 }
        require(dtype.isFloatingPoint && operands.allSatisfy { $0.dtype == dtype }, "lstm_recurrence: all operands must share a float dtype")
        let packed = Tensor(uninitializedShape: [steps + 1, batch, units], dtype: dtype, op: "lstm_recurrence")
        let gates = Tensor(uninitializedShape: [steps, batch, width], dtype: dtype, op: "lstm_recurrence")
        let cells = Tensor(uninitializedShape: [steps, batch, units], dtype: dtype, op: "lstm_recurrence")
        withExtendedLifetime((source, inputKernel, bias, recurrentKernel, initialH, initialC, packed, gates, cells)) {
            if dtype == .float32 {
                lstmForward(Float.self, source, inputKernel, bias, recurrentKernel, initialH, initialC, packed, gates, cells)
            } else {
                lstmForward(Double.self, source, inputKernel, bias, recurrentKernel, initialH, initialC, packed, gates, cells)
            }
        }
        let inputs = [source] + [inputKernel, bias].compactMap { $0 } + [recurrentKernel, initialH, initialC]
        let result = Tensor.record("lstm_recurrence", inputs: inputs, output: packed) { g in
            var grads = lstmBackward(g, hasBias: bias != nil, recurrentKernel: recurrentKernel, initialH: initialH,
                                     initialC: initialC, packed: packed, gates: gates, cells: cells)
            guard let inputKernel else { return grads }
            // dz is the projection's gradient: dx = dz · kernelᵀ, dKernel = xᵀ · dz over all steps.
            let dz = grads.removeFirst()!.reshaped(to: [steps * batch, width])
            let (dInputs, dKernel) = projectionGradients(x: source, kernel: inputKernel, dz: dz, name: "lstm_recurrence gradient")
            return [dInputs, dKernel] + grads
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
    /// One step's gate arithmetic over the batch (see `keras_lstm_step_forward_f32`).
    static func lstmStepForward(batch: Int, units: Int, projected: UnsafePointer<Self>?, bias: UnsafePointer<Self>?,
                                z: UnsafeMutablePointer<Self>, cPrev: UnsafePointer<Self>,
                                c: UnsafeMutablePointer<Self>, h: UnsafeMutablePointer<Self>)
    /// One step's gate gradients over the batch (see `keras_lstm_step_backward_f32`).
    static func lstmStepBackward(batch: Int, units: Int, gates: UnsafePointer<Self>, c: UnsafePointer<Self>,
                                 cPrev: UnsafePointer<Self>, dhOut: UnsafePointer<Self>, dhNext: UnsafePointer<Self>,
                                 dc: UnsafeMutablePointer<Self>, dz: UnsafeMutablePointer<Self>)
    /// One GRU step's gate arithmetic over the batch (see `keras_gru_step_forward_f32`).
    static func gruStepForward(batch: Int, units: Int, projected: UnsafePointer<Self>, bias: UnsafePointer<Self>?,
                               z: UnsafeMutablePointer<Self>, recurrentH: UnsafeMutablePointer<Self>,
                               hPrev: UnsafePointer<Self>, h: UnsafeMutablePointer<Self>)
    /// One GRU step's gradients over the batch (see `keras_gru_step_backward_f32`).
    static func gruStepBackward(batch: Int, units: Int, gates: UnsafePointer<Self>, recurrentH: UnsafePointer<Self>,
                                hPrev: UnsafePointer<Self>, dhOut: UnsafePointer<Self>, carry: UnsafeMutablePointer<Self>,
                                dProjected: UnsafeMutablePointer<Self>, dInner: UnsafeMutablePointer<Self>)
}

extension RecurrenceScalar {
    static func lstmStepForward(batch: Int, units: Int, projected: UnsafePointer<Self>?, bias: UnsafePointer<Self>?,
                                z: UnsafeMutablePointer<Self>, cPrev: UnsafePointer<Self>,
                                c: UnsafeMutablePointer<Self>, h: UnsafeMutablePointer<Self>) {
        let width = 4 * units
        for b in 0..<batch {
            let row = z + b * width
            let cb = c + b * units, hb = h + b * units, previous = cPrev + b * units
            if let x = projected.map({ $0 + b * width }) {
                for j in 0..<width { row[j] = row[j] + (bias.map { x[j] + $0[j] } ?? x[j]) }
            } else if let bias {
                for j in 0..<width { row[j] = row[j] + bias[j] }
            }
            for j in 0..<units {
                let i = sigmoid(row[j]), f = sigmoid(row[units + j]), g = tanh(row[2 * units + j]), o = sigmoid(row[3 * units + j])
                row[j] = i; row[units + j] = f; row[2 * units + j] = g; row[3 * units + j] = o
                cb[j] = f * previous[j] + i * g
                hb[j] = tanh(cb[j]) * o
            }
        }
    }

    static func lstmStepBackward(batch: Int, units: Int, gates: UnsafePointer<Self>, c: UnsafePointer<Self>,
                                 cPrev: UnsafePointer<Self>, dhOut: UnsafePointer<Self>, dhNext: UnsafePointer<Self>,
                                 dc: UnsafeMutablePointer<Self>, dz: UnsafeMutablePointer<Self>) {
        let width = 4 * units
        for b in 0..<batch {
            let row = gates + b * width, drow = dz + b * width
            for j in 0..<units {
                let k = b * units + j
                let i = row[j], f = row[units + j], gg = row[2 * units + j], o = row[3 * units + j]
                let h = dhOut[k] + dhNext[k]
                let tc = tanh(c[k])
                let dcell = dc[k] + h * o * (1 - tc * tc)
                drow[j] = dcell * gg * i * (1 - i)
                drow[units + j] = dcell * cPrev[k] * f * (1 - f)
                drow[2 * units + j] = dcell * i * (1 - gg * gg)
                drow[3 * units + j] = h * tc * o * (1 - o)
                dc[k] = dcell * f
            }
        }
    }
}

extension Float: RecurrenceScalar {
    @inline(__always) static func sigmoid(_ x: Float) -> Float { fastSigmoid(x) }
    @inline(__always) static func tanh(_ x: Float) -> Float { fastTanh(x) }
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                     b: UnsafePointer<Float>, ldb: Int, accumulate: Bool, c: UnsafeMutablePointer<Float>, ldc: Int) {
        Gemm.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                   beta: accumulate ? 1 : 0, c: c, ldc: ldc)
    }
    static func lstmStepForward(batch: Int, units: Int, projected: UnsafePointer<Float>?, bias: UnsafePointer<Float>?,
                                z: UnsafeMutablePointer<Float>, cPrev: UnsafePointer<Float>,
                                c: UnsafeMutablePointer<Float>, h: UnsafeMutablePointer<Float>) {
        keras_lstm_step_forward_f32(batch, units, projected, bias, z, cPrev, c, h)
    }
    static func lstmStepBackward(batch: Int, units: Int, gates: UnsafePointer<Float>, c: UnsafePointer<Float>,
                                 cPrev: UnsafePointer<Float>, dhOut: UnsafePointer<Float>, dhNext: UnsafePointer<Float>,
                                 dc: UnsafeMutablePointer<Float>, dz: UnsafeMutablePointer<Float>) {
        keras_lstm_step_backward_f32(batch, units, gates, c, cPrev, dhOut, dhNext, dc, dz)
    }
    static func gruStepForward(batch: Int, units: Int, projected: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                               z: UnsafeMutablePointer<Float>, recurrentH: UnsafeMutablePointer<Float>,
                               hPrev: UnsafePointer<Float>, h: UnsafeMutablePointer<Float>) {
        keras_gru_step_forward_f32(batch, units, projected, bias, z, recurrentH, hPrev, h)
    }
    static func gruStepBackward(batch: Int, units: Int, gates: UnsafePointer<Float>, recurrentH: UnsafePointer<Float>,
                                hPrev: UnsafePointer<Float>, dhOut: UnsafePointer<Float>, carry: UnsafeMutablePointer<Float>,
                                dProjected: UnsafeMutablePointer<Float>, dInner: UnsafeMutablePointer<Float>) {
        keras_gru_step_backward_f32(batch, units, gates, recurrentH, hPrev, dhOut, carry, dProjected, dInner)
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

/// How many threads run the recurrence: the batch rows are independent, so each piece runs its
/// rows through every step on its own (one synchronization for the whole sequence).
func recurrencePieces(steps: Int, batch: Int, units: Int) -> Int {
    min(Parallel.pieceCount(steps * batch * 4 * units * units, threshold: Gemm.parallelThreshold), max(1, batch / 8))
}

/// Forward pass: `packed` gets `h_1 … h_T` then `c_T`; `gates` the activated gates, `cells` every `c_t`.
/// `projected` is the projected sequence, or with `inputKernel` the inputs each step projects.
private func lstmForward<T: RecurrenceScalar>(_: T.Type, _ projected: Tensor, _ inputKernel: Tensor?, _ bias: Tensor?, _ kernel: Tensor,
                                              _ h0: Tensor, _ c0: Tensor, _ packed: Tensor, _ gates: Tensor, _ cells: Tensor) {
    let (steps, batch, features) = (projected.shape[0], projected.shape[1], projected.shape[2])
    let width = kernel.shape[1], units = width / 4
    let z = gates.pointer(T.self), hs = packed.pointer(T.self), cs = cells.pointer(T.self)
    let r = UnsafePointer(kernel.pointer(T.self)), h0p = UnsafePointer(h0.pointer(T.self))
    let stepWidth = batch * width, stepUnits = batch * units
    // Zero initial states (the usual case) make the first recurrent product zero.
    let zeroStart = UnsafeBufferPointer(start: h0p, count: stepUnits).allSatisfy { $0 == 0 }
    let buffers = (UnsafePointer(projected.pointer(T.self)), inputKernel.map { UnsafePointer($0.pointer(T.self)) },
                   bias.map { UnsafePointer($0.pointer(T.self)) }, z, hs, cs, r, h0p, UnsafePointer(c0.pointer(T.self)), zeroStart)
    Parallel.forEachPiece(batch, pieces: recurrencePieces(steps: steps, batch: batch, units: units), context: buffers) { _, rows, p in
        let (x, w, bias, z, hs, cs, r, h0, c0, zeroStart) = p
        guard !rows.isEmpty else { return }
        let (lo, m) = (rows.lowerBound, rows.count)
        for t in 0..<steps {
            let zt = z + t * stepWidth + lo * width
            let hPrev = (t == 0 ? h0 : UnsafePointer(hs + (t - 1) * stepUnits)) + lo * units
            let cPrev = (t == 0 ? c0 : UnsafePointer(cs + (t - 1) * stepUnits)) + lo * units
            let xt = x + t * batch * features + lo * features
            if let w {
                // z_t = x_t·W, then += h_{t−1}·R, then the gate kernel adds the bias.
                T.gemm(transA: false, transB: false, m: m, n: width, k: features, a: xt, lda: features, b: w, ldb: width,
                       accumulate: false, c: zt, ldc: width)
                if t > 0 || !zeroStart {
                    T.gemm(transA: false, transB: false, m: m, n: width, k: units, a: hPrev, lda: units, b: r, ldb: width,
                           accumulate: true, c: zt, ldc: width)
                }
                T.lstmStepForward(batch: m, units: units, projected: nil, bias: bias, z: zt,
                                  cPrev: cPrev, c: cs + t * stepUnits + lo * units, h: hs + t * stepUnits + lo * units)
                continue
            }
            // oneDNN's sgemm runs 16-row products ~20% faster accumulating onto C than with
            // beta = 0 (measured here; no difference from 32 rows on): small pieces start z_t as
            // projected + bias and accumulate, larger ones add them in the gate kernel.
            let accumulate = m < 32
            if accumulate {
                if let bias {
                    for i in 0..<m {
                        let row = zt + i * width, source = xt + i * width
                        for j in 0..<width { row[j] = source[j] + bias[j] }
                    }
                } else {
                    zt.update(from: xt, count: m * width)
                }
            }
            if t == 0 && zeroStart {
                if !accumulate { zt.update(repeating: 0, count: m * width) }
            } else {
                T.gemm(transA: false, transB: false, m: m, n: width, k: units, a: hPrev, lda: units, b: r, ldb: width,
                       accumulate: accumulate, c: zt, ldc: width)
            }
            T.lstmStepForward(batch: m, units: units, projected: accumulate ? nil : xt, bias: accumulate ? nil : bias, z: zt,
                              cPrev: cPrev, c: cs + t * stepUnits + lo * units, h: hs + t * stepUnits + lo * units)
        }
    }
    (hs + steps * stepUnits).update(from: cs + (steps - 1) * stepUnits, count: stepUnits)
}

/// Backward pass through time: gradients for projected, bias (when there is one), recurrent
/// kernel, initial h and c.
private func lstmBackward(_ g: Tensor, hasBias: Bool, recurrentKernel: Tensor, initialH: Tensor,
                          initialC: Tensor, packed: Tensor, gates: Tensor, cells: Tensor) -> [Tensor?] {
    let dtype = gates.dtype
    let g = g.dtype == dtype ? g : g.cast(to: dtype)
    let dz = Tensor(uninitializedShape: gates.shape, dtype: dtype, op: "lstm_recurrence gradient")
    let dR = Tensor(uninitializedShape: recurrentKernel.shape, dtype: dtype, op: "lstm_recurrence gradient")
    let dh0 = Tensor(uninitializedShape: initialH.shape, dtype: dtype, op: "lstm_recurrence gradient")
    let dc0 = Tensor(uninitializedShape: initialC.shape, dtype: dtype, op: "lstm_recurrence gradient")
    let dBias = hasBias ? Tensor(uninitializedShape: [gates.shape[2]], dtype: dtype, op: "lstm_recurrence gradient") : nil
    // Rᵀ once per sequence: dh_{t−1} = dz_t · Rᵀ then reads a plain (4·units, units) operand,
    // which oneDNN's small-batch products run at ~1.5× the speed of the transposed form.
    let transposedKernel = transposeKernel(recurrentKernel, [1, 0])
    withExtendedLifetime((g, transposedKernel, initialH, initialC, packed, gates, cells, dz, dR, dh0, dc0, dBias)) {
        func run<T: RecurrenceScalar>(_: T.Type) {
            lstmBackwardKernel(T.self, g, transposedKernel, initialH, initialC, packed, gates, cells, dz, dR, dh0, dc0)
            if let dBias { columnSums(T.self, dz, into: dBias) }
        }
        if dtype == .float32 { run(Float.self) } else { run(Double.self) }
    }
    return [dz] + (hasBias ? [dBias] : []) + [dR, dh0, dc0]
}

/// `sums[j] = Σ_rows matrix[…, j]` over every leading index, in row order (deterministic).
func columnSums<T: RecurrenceScalar>(_: T.Type, _ matrix: Tensor, into sums: Tensor) {
    let width = sums.scalarCount, rows = matrix.scalarCount / width
    let x = matrix.pointer(T.self), s = sums.pointer(T.self)
    s.update(repeating: 0, count: width)
    for r in 0..<rows {
        let row = x + r * width
        for j in 0..<width { s[j] += row[j] }
    }
}

private func lstmBackwardKernel<T: RecurrenceScalar>(_: T.Type, _ g: Tensor, _ transposedKernel: Tensor, _ h0: Tensor, _ c0: Tensor,
                                                     _ packed: Tensor, _ gates: Tensor, _ cells: Tensor, _ dzT: Tensor,
                                                     _ dRT: Tensor, _ dh0T: Tensor, _ dc0T: Tensor) {
    let (steps, batch, width) = (gates.shape[0], gates.shape[1], gates.shape[2])
    let units = width / 4
    let stepWidth = batch * width, stepUnits = batch * units
    let gp = g.pointer(T.self), z = gates.pointer(T.self), cs = cells.pointer(T.self), hs = packed.pointer(T.self)
    let rt = transposedKernel.pointer(T.self), dz = dzT.pointer(T.self)
    let buffers = (gp, UnsafePointer(z), UnsafePointer(cs), rt, dz, UnsafePointer(c0.pointer(T.self)),
                   dh0T.pointer(T.self), dc0T.pointer(T.self))
    Parallel.forEachPiece(batch, pieces: recurrencePieces(steps: steps, batch: batch, units: units), context: buffers) { _, rows, p in
        let (gp, z, cs, rt, dz, c0, dh0, dc0) = p
        guard !rows.isEmpty else { return }
        let (lo, m) = (rows.lowerBound, rows.count)
        let dh = UnsafeMutablePointer<T>.allocate(capacity: m * units)
        let dc = UnsafeMutablePointer<T>.allocate(capacity: m * units)
        defer { dh.deallocate(); dc.deallocate() }
        dh.initialize(repeating: 0, count: m * units)
        dc.update(from: gp + steps * stepUnits + lo * units, count: m * units)   // gradient of the returned c_T
        for t in stride(from: steps - 1, through: 0, by: -1) {
            let dzt = dz + t * stepWidth + lo * width
            let cPrev = (t == 0 ? c0 : cs + (t - 1) * stepUnits) + lo * units
            T.lstmStepBackward(batch: m, units: units, gates: z + t * stepWidth + lo * width, c: cs + t * stepUnits + lo * units,
                               cPrev: cPrev, dhOut: gp + t * stepUnits + lo * units, dhNext: dh, dc: dc, dz: dzt)
            // dh_{t−1} = dz_t · Rᵀ
            T.gemm(transA: false, transB: false, m: m, n: units, k: width, a: dzt, lda: width, b: rt, ldb: units,
                   accumulate: false, c: dh, ldc: units)
        }
        (dh0 + lo * units).update(from: dh, count: m * units)
        (dc0 + lo * units).update(from: dc, count: m * units)
    }
    // dR = Σ_t h_{t−1}ᵀ · dz_t: h_0 with dz_0, then h_1…h_{T−1} with dz_1…dz_{T−1} in one product.
    let dR = dRT.pointer(T.self)
    T.gemm(transA: true, transB: false, m: units, n: width, k: batch, a: h0.pointer(T.self), lda: units, b: dz, ldb: width,
           accumulate: false, c: dR, ldc: width)
    if steps > 1 {
        T.gemm(transA: true, transB: false, m: units, n: width, k: (steps - 1) * batch, a: hs, lda: units,
               b: dz + stepWidth, ldb: width, accumulate: true, c: dR, ldc: width)
    }
}
