import Foundation

/// Fused float32 loops of a planned dense training step (Keras's `TrainStepPlan`): bias and
/// activation in one pass after the forward product, the activation gradient times the
/// upstream gradient together with the bias gradient's column sum (after transposing, in
/// cache-sized tiles, an input gradient computed as `W·gᵀ`), softmax cross-entropy with its
/// gradient, and dropout.
///
/// Each loop computes what the tape-based step computes, in the same order per element, so a
/// planned step matches an unplanned one to float rounding (sums may associate differently).
///
/// ```swift
/// DenseStepKernels.biasActivation(y, bias: b, rows: 32, cols: 128, relu: true)
/// ```
package enum DenseStepKernels {
    /// `y[i, j] = act(y[i, j] + bias[j])` in place, `act` ReLU or the identity.
    package static func biasActivation(_ y: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?,
                                       rows: Int, cols: Int, relu: Bool) {
        if bias == nil && !relu { return }
        let pieces = Parallel.pieceCount(rows * cols)
        if pieces == 1 { return biasActivationRows(y, bias: bias, rows: 0..<rows, cols: cols, relu: relu) }
        Parallel.forEachPiece(rows, pieces: pieces, context: ()) { _, range, _ in
            biasActivationRows(y, bias: bias, rows: range, cols: cols, relu: relu)
        }
    }

    @inline(__always)
    private static func biasActivationRows(_ y: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?,
                                           rows: Range<Int>, cols: Int, relu: Bool) {
        for i in rows {
            let row = y + i * cols
            if let bias {
                if relu {
                    for j in 0..<cols { let v = row[j] + bias[j]; row[j] = v < 0 ? 0 : v }
                } else {
                    for j in 0..<cols { row[j] = row[j] + bias[j] }
                }
            } else {
                for j in 0..<cols { let v = row[j]; row[j] = v < 0 ? 0 : v }
            }
        }
    }

    /// The gradient at a layer's pre-activation from the one at its output, in place:
    /// `g[i, j] = a[i, j] > 0 ? g[i, j] : 0` for ReLU (`a` the layer's output), unchanged for
    /// the identity; and, if `biasGradient` is given, its column sums `Σ_i g[i, j]`.
    package static func activationGradient(_ g: UnsafeMutablePointer<Float>, output a: UnsafePointer<Float>,
                                           rows: Int, cols: Int, relu: Bool,
                                           biasGradient: UnsafeMutablePointer<Float>?) {
        let pieces = min(Parallel.pieceCount(rows * cols), max(1, cols / 64))
        if pieces == 1 {
            return activationGradientColumns(g, output: a, rows: rows, cols: cols, columns: 0..<cols, relu: relu,
                                             biasGradient: biasGradient)
        }
        Parallel.forEachPiece(cols, pieces: pieces, context: ()) { _, range, _ in
            activationGradientColumns(g, output: a, rows: rows, cols: cols, columns: range, relu: relu,
                                      biasGradient: biasGradient)
        }
    }

    @inline(__always)
    private static func activationGradientColumns(_ g: UnsafeMutablePointer<Float>, output a: UnsafePointer<Float>,
                                                  rows: Int, cols: Int, columns: Range<Int>, relu: Bool,
                                                  biasGradient: UnsafeMutablePointer<Float>?) {
        if columns.isEmpty { return }
        let lo = columns.lowerBound, width = columns.count
        if relu {
            for i in 0..<rows {
                let grow = g + i * cols + lo, arow = a + i * cols + lo
                for j in 0..<width { grow[j] = arow[j] > 0 ? grow[j] : 0 }
            }
        }
        if let biasGradient { columnSums(g, rows: rows, cols: cols, columns: columns, into: biasGradient + lo) }
    }

    /// ``activationGradient(_:output:rows:cols:relu:biasGradient:)`` for an upstream gradient
    /// given transposed (`gt[j, i]`, `cols × rows`, as `W·gᵀ` leaves it): writes the masked
    /// gradient `g[i, j]` (`rows × cols`) and the bias gradient's sums, a column block at a time.
    package static func transposedActivationGradient(_ gt: UnsafePointer<Float>, into g: UnsafeMutablePointer<Float>,
                                                     output a: UnsafePointer<Float>, rows: Int, cols: Int, relu: Bool,
                                                     biasGradient: UnsafeMutablePointer<Float>?) {
        let pieces = min(Parallel.pieceCount(rows * cols), max(1, cols / 64))
        if pieces == 1 {
            return transposedColumns(gt, into: g, output: a, rows: rows, cols: cols, columns: 0..<cols, relu: relu,
                                     biasGradient: biasGradient)
        }
        Parallel.forEachPiece(cols, pieces: pieces, context: ()) { _, range, _ in
            transposedColumns(gt, into: g, output: a, rows: rows, cols: cols, columns: range, relu: relu,
                              biasGradient: biasGradient)
        }
    }

    /// Columns `columns` of ``transposedActivationGradient(_:into:output:rows:cols:relu:biasGradient:)``:
    /// a transpose in 16×16 tiles (both sides stay in L1), then the masked column sums.
    @inline(__always)
    private static func transposedColumns(_ gt: UnsafePointer<Float>, into g: UnsafeMutablePointer<Float>,
                                          output a: UnsafePointer<Float>, rows: Int, cols: Int, columns: Range<Int>,
                                          relu: Bool, biasGradient: UnsafeMutablePointer<Float>?) {
        let tile = 16
        for j0 in stride(from: columns.lowerBound, to: columns.upperBound, by: tile) {
            let j1 = Swift.min(j0 + tile, columns.upperBound)
            for i0 in stride(from: 0, to: rows, by: tile) {
                let i1 = Swift.min(i0 + tile, rows)
                for i in i0..<i1 {
                    let row = g + i * cols
                    for j in j0..<j1 { row[j] = gt[j * rows + i] }
                }
            }
        }
        activationGradientColumns(g, output: a, rows: rows, cols: cols, columns: columns, relu: relu,
                                  biasGradient: biasGradient)
    }

    /// Sparse softmax cross-entropy from logits with its gradient, as
    /// `Tensor.sparseSoftmaxCrossEntropy(labels:)` and its backward rule compute them, for the
    /// `rows` rows of `x` that start at row `firstRow` of `labels`:
    /// `gradient[i, c] = scale·(softmax(x_i)[c] − [c == label_i])` and `losses[i]` the row's loss.
    /// `labels` holds one class index per row, as int32, int64, float32 or float64.
    package static func sparseSoftmaxCrossEntropy(logits x: UnsafePointer<Float>, labels: Tensor, firstRow: Int, rows: Int,
                                                  classes: Int, scale: Float, gradient: UnsafeMutablePointer<Float>,
                                                  losses: UnsafeMutablePointer<Double>) {
        withExtendedLifetime(labels) {
            let raw = UnsafeRawPointer(labels.rawBytes)
            for r in 0..<rows {
                let label: Int, at = firstRow + r
                switch labels.dtype {
                case .int32: label = Int(raw.load(fromByteOffset: at * 4, as: Int32.self))
                case .int64: label = Int(raw.load(fromByteOffset: at * 8, as: Int64.self))
                case .float64: label = Int(raw.load(fromByteOffset: at * 8, as: Double.self))
                default: label = Int(raw.load(fromByteOffset: at * 4, as: Float.self))
                }
                require(label >= 0 && label < classes,
                        "sparse_softmax_cross_entropy: label \(label) at row \(at) is outside [0, \(classes))")
                let row = x + r * classes, grow = gradient + r * classes
                var m = row[0]
                for c in 1..<classes where row[c] > m { m = row[c] }
                var s: Float = 0
                for c in 0..<classes {
                    let e = Foundation.exp(row[c] - m)
                    grow[c] = e
                    s += e
                }
                let inv = 1 / s
                for c in 0..<classes { grow[c] = scale * (grow[c] * inv) }
                grow[label] -= scale
                losses[r] = Double(Foundation.log(s) - (row[label] - m))
            }
        }
    }

    /// The column sums `sums[j − lo] = Σ_i g[i, j]` (rows in order) of the columns `columns`
    /// of `g` (`rows × cols`): a Dense layer's bias gradient.
    package static func columnSums(_ g: UnsafePointer<Float>, rows: Int, cols: Int, columns: Range<Int>,
                                   into sums: UnsafeMutablePointer<Float>) {
        let lo = columns.lowerBound, width = columns.count
        if width == 0 { return }
        sums.initialize(repeating: 0, count: width)
        for i in 0..<rows {
            let grow = g + i * cols + lo
            for j in 0..<width { sums[j] += grow[j] }
        }
    }

    /// Inverted dropout as `dropout(_:rate:)` computes it: `keep[k] = uniform[k] ≥ rate`,
    /// `y[k] = x[k]·keep[k] / (1 − rate)`.
    package static func dropout(_ x: UnsafePointer<Float>, uniform u: UnsafePointer<Float>, rate: Double, count: Int,
                                keep: UnsafeMutablePointer<Float>, into y: UnsafeMutablePointer<Float>) {
        let threshold = Float(rate), divisor = Float(1 - rate)
        for k in 0..<count {
            let kept: Float = u[k] >= threshold ? 1 : 0
            keep[k] = kept
            y[k] = x[k] * kept / divisor
        }
    }

    /// Dropout's gradient in place, as the tape differentiates `x·keep / (1 − rate)`:
    /// `g[k] = (g[k] / (1 − rate))·keep[k]`.
    package static func dropoutGradient(_ g: UnsafeMutablePointer<Float>, keep: UnsafePointer<Float>, rate: Double, count: Int) {
        let divisor = Float(1 - rate)
        for k in 0..<count { g[k] = (g[k] / divisor) * keep[k] }
    }

    /// `a[k] += b[k]` (a regularizer's gradient added to a planned one).
    package static func add(_ b: Tensor, into a: UnsafeMutablePointer<Float>, count: Int) {
        let b = b.dtype == .float32 ? b : b.cast(to: .float32)
        withExtendedLifetime(b) {
            let p = b.pointer(Float.self)
            for k in 0..<count { a[k] += p[k] }
        }
    }

    /// `C[m×n] = op(A)·op(B)` on row-major float32 buffers (``Gemm/sgemm``'s thread split).
    package static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                             a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                             c: UnsafeMutablePointer<Float>, ldc: Int) {
        Gemm.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc)
    }
}

extension Tensor {
    /// The float32 elements' address, for the planned step's loops (keep the tensor alive
    /// while using it).
    package var floatPointer: UnsafeMutablePointer<Float> {
        require(dtype == .float32, "floatPointer: the tensor is \(dtype), not float32")
        return pointer(Float.self)
    }
}
