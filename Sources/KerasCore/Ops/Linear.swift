import CKernels
import Foundation

/// The activations ``Tensor/linear(kernel:bias:activation:)`` applies in the same pass as its bias.
///
/// ```swift
/// let y = x.linear(kernel: w, bias: b, activation: .gelu)
/// ```
public enum LinearActivation: Sendable {
    /// No activation: `x·W + b`.
    case none
    /// `relu` (`x < 0 ? 0 : x`, as ``Tensor/relu()``).
    case relu
    /// The exact GELU, as ``Tensor/gelu()``.
    case gelu

    var kernelCode: keras_linear_activation {
        switch self {
        case .none: KERAS_LINEAR_NONE
        case .relu: KERAS_LINEAR_RELU
        case .gelu: KERAS_LINEAR_GELU
        }
    }
}

extension Tensor {
    /// The dense product `activation(x·kernel + bias)` over the last axis as one op: every leading
    /// axis is folded into the rows of a single matrix product, the bias and activation are
    /// applied to each row of the product while it is in cache, and the backward rule makes the
    /// activation's derivative, the bias gradient (column sums) and the two products in one step.
    /// The result equals `(x.matmul(kernel) + bias)` followed by the activation, to float rounding.
    ///
    /// - Parameters:
    ///   - kernel: `(features, units)`, the dtype of `self` (float32 or float64).
    ///   - bias: `(units,)` or `nil`.
    ///   - activation: applied after the bias.
    /// - Returns: `self.shape.dropLast() + [units]`, differentiable with respect to all inputs.
    ///
    /// ```swift
    /// let x = Tensor.ones([2, 5, 4]), w = Tensor.ones([4, 3]), b = Tensor([1.0, 2.0, 3.0]).cast(to: .float32)
    /// let y = x.linear(kernel: w, bias: b, activation: .relu)   // (2, 5, 3): 5, 6, 7 in each row
    /// ```
    public func linear(kernel: Tensor, bias: Tensor?, activation: LinearActivation = .none) -> Tensor {
        let op = "linear"
        require(rank >= 1 && kernel.rank == 2 && shape[rank - 1] == kernel.shape[0],
                "\(op): expected inputs (…, k) and a kernel (k, units), received \(shape) and \(kernel.shape)")
        require((dtype == .float32 || dtype == .float64) && kernel.dtype == dtype,
                "\(op): inputs and kernel must share a float32 or float64 dtype, received \(dtype) and \(kernel.dtype)")
        let (k, n) = (kernel.shape[0], kernel.shape[1])
        if let bias {
            require(bias.shape == [n] && bias.dtype == dtype, "\(op): bias must be \(dtype) of shape [\(n)], received \(bias.dtype) \(bias.shape)")
        }
        let rows = shape.dropLast().reduce(1, *)
        let outShape = Array(shape.dropLast()) + [n]
        // `z` is the pre-activation, kept for the backward rule; without activation it is the output.
        let z = Tensor(uninitializedShape: outShape, dtype: dtype, op: op)
        let y = activation == .none ? z : Tensor(uninitializedShape: outShape, dtype: dtype, op: op)
        withExtendedLifetime((self, kernel, bias, z, y)) {
            if dtype == .float32 {
                Gemm.sgemm(transA: false, transB: false, m: rows, n: n, k: k, a: pointer(Float.self), lda: k,
                           b: kernel.pointer(Float.self), ldb: n, c: z.pointer(Float.self), ldc: n)
                guard bias != nil || activation != .none else { return }
                let buffers = (z.pointer(Float.self), bias.map { UnsafePointer($0.pointer(Float.self)) },
                               activation == .none ? nil : y.pointer(Float.self), n, activation.kernelCode)
                Parallel.forEachPiece(rows, pieces: Parallel.pieceCount(rows * n), context: buffers) { _, range, p in
                    let (z, bias, y, n, code) = p
                    let offset = range.lowerBound * n
                    keras_linear_epilogue_f32(range.count, n, z + offset, bias, code, y.map { $0 + offset })
                }
            } else {
                Gemm.dgemm(transA: false, transB: false, m: rows, n: n, k: k, a: pointer(Double.self), lda: k,
                           b: kernel.pointer(Double.self), ldb: n, c: z.pointer(Double.self), ldc: n)
                linearEpilogue(rows: rows, n: n, z: z.pointer(Double.self), bias: bias?.pointer(Double.self),
                               activation: activation, y: y.pointer(Double.self))
            }
        }
        let x = self
        let inputs = bias.map { [x, kernel, $0] } ?? [x, kernel]
        return Tensor.record(op, inputs: inputs, output: y) { g in
            let g = g.dtype == z.dtype ? g : g.cast(to: z.dtype)
            let dz = (activation == .none ? g : linearActivationBackward(activation, z: z, g: g)).reshaped(to: [rows, n])
            let (dx, dKernel) = projectionGradients(x: x, kernel: kernel, dz: dz, name: "linear_grad")
            guard let bias else { return [dx, dKernel] }
            return [dx, dKernel, bias.isRecorded ? columnSums(dz) : nil]
        }
    }
}

/// The gradients of a projection `x·kernel` (`x` of any rank, its last axis the kernel's rows)
/// from the gradient `dz` `(rows, n)` of its output, each only when its operand is recorded:
/// `dx = dz·kernelᵀ` in `x`'s shape and `dKernel = xᵀ·dz`, one product over all rows.
func projectionGradients(x: Tensor, kernel: Tensor, dz: Tensor, name: String) -> (dx: Tensor?, dKernel: Tensor?) {
    let dx = x.isRecorded ? matmulCore(dz, kernel, transposeA: false, transposeB: true, name: name).reshaped(to: x.shape) : nil
    let dKernel = kernel.isRecorded
        ? matmulCore(x.reshaped(to: [dz.shape[0], kernel.shape[0]]), dz, transposeA: true, transposeB: false, name: name) : nil
    return (dx, dKernel)
}

/// float64: `z += bias` per row, then `y = activation(z)` (`y` is `z` without activation).
private func linearEpilogue(rows: Int, n: Int, z: UnsafeMutablePointer<Double>, bias: UnsafeMutablePointer<Double>?,
                            activation: LinearActivation, y: UnsafeMutablePointer<Double>) {
    for i in 0..<rows * n {
        if let bias { z[i] += bias[i % n] }
        switch activation {
        case .none: break
        case .relu: y[i] = z[i] < 0 ? 0 : z[i]
        case .gelu: y[i] = 0.5 * z[i] * (1 + Foundation.erf(z[i] / 2.0.squareRoot()))
        }
    }
}

/// `g · activation′(z)`.
private func linearActivationBackward(_ activation: LinearActivation, z: Tensor, g: Tensor) -> Tensor {
    let dz = Tensor(uninitializedShape: z.shape, dtype: z.dtype, op: "linear gradient")
    withExtendedLifetime((z, g, dz)) {
        if z.dtype == .float32 {
            let buffers = (UnsafePointer(z.pointer(Float.self)), UnsafePointer(g.pointer(Float.self)), dz.pointer(Float.self),
                           activation.kernelCode)
            Parallel.chunks(z.scalarCount, context: buffers) { range, p in
                let start = range.lowerBound
                keras_linear_activation_backward_f32(range.count, p.3, p.0 + start, p.1 + start, p.2 + start)
            }
        } else {
            let pz = z.pointer(Double.self), pg = g.pointer(Double.self), pd = dz.pointer(Double.self)
            for i in 0..<z.scalarCount {
                let v = pz[i]
                switch activation {
                case .none: pd[i] = pg[i]
                case .relu: pd[i] = v > 0 ? pg[i] : 0
                case .gelu:
                    let cdf = 0.5 * (1 + Foundation.erf(v / 2.0.squareRoot()))
                    pd[i] = pg[i] * (cdf + v * Foundation.exp(-0.5 * v * v) / (2 * Double.pi).squareRoot())
                }
            }
        }
    }
    return dz
}

/// The column sums of a `(rows, n)` matrix: the bias gradient.
private func columnSums(_ m: Tensor) -> Tensor {
    let (rows, n) = (m.shape[0], m.shape[1])
    let out = Tensor(uninitializedShape: [n], dtype: m.dtype, op: "linear gradient")
    withExtendedLifetime((m, out)) {
        if m.dtype == .float32 {
            keras_column_sum_f32(rows, n, m.pointer(Float.self), out.pointer(Float.self))
        } else {
            let pm = m.pointer(Double.self), po = out.pointer(Double.self)
            po.initialize(repeating: 0, count: n)
            for r in 0..<rows { for j in 0..<n { po[j] += pm[r * n + j] } }
        }
    }
    return out
}
