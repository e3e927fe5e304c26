import Foundation

extension Tensor {
    /// `conv(kernel, …) + bias` (relu when `relu` is set), then max pooling, for inference: a
    /// convolution layer followed by a max-pooling layer in `predict`. Each cache-sized
    /// micro-batch of the convolution's output is pooled as soon as the primitive has written
    /// it (in place from a Winograd primitive's blocked layout), so the full convolution output
    /// is never written to memory and read back. The results are those of ``conv(_:bias:relu:strides:padding:dilationRate:groups:)``
    /// followed by ``maxPool(poolSize:strides:padding:)``.
    ///
    /// Returns `nil`, computing nothing, when the pair cannot run fused: operands that are not
    /// float32, anything recorded for gradients, or `KERAS_CONV_POOL_FUSION=0` in the
    /// environment (for comparisons). No bias is a zero bias.
    ///
    /// ```swift
    /// let y = Tensor.ones([1, 6, 6, 1]).convMaxPool(Tensor.ones([3, 3, 1, 4]), bias: nil, relu: true,
    ///                                               padding: [(0, 0), (0, 0)], poolSize: [2, 2])   // (1, 2, 2, 4)
    /// ```
    package func convMaxPool(_ kernel: Tensor, bias: Tensor?, relu: Bool, strides: [Int]? = nil, padding: [(before: Int, after: Int)],
                             dilationRate: [Int]? = nil, groups: Int = 1, poolSize: [Int], poolStrides: [Int]? = nil,
                             poolPadding: PaddingMode = .valid) -> Tensor? {
        guard !Self.convPoolFusionDisabled, dtype == .float32, kernel.dtype == .float32, rank >= 3, kernel.rank == rank,
              bias.map({ $0.dtype == .float32 && $0.shape == [kernel.shape[rank - 1]] }) ?? true,
              !(isRecorded || kernel.isRecorded || (bias?.isRecorded ?? false)) else { return nil }
        let g = convolutionGeometry(kernel, strides: strides, padding: padding, dilationRate: dilationRate, groups: groups)
        guard DNNLConvolution.supports(g) else { return nil }
        let convShape = [shape[0]] + Array(g.output.suffix(rank - 2)) + [g.outChannels]
        let pool = poolingGeometry("max_pool", shape: convShape, poolSize: poolSize, strides: poolStrides, padding: poolPadding)
        let y = Tensor(uninitializedShape: [shape[0]] + Array(pool.output.suffix(rank - 2)) + [g.outChannels], dtype: .float32, op: "conv_max_pool")
        let b = bias ?? Tensor.zeros([g.outChannels])
        withExtendedLifetime((self, kernel, b)) {
            DNNLConvolution.forwardInference(g, x: pointer(Float.self), w: kernel.pointer(Float.self), bias: b.pointer(Float.self),
                                             relu: relu, pool: PoolingKernels.FusedMaxPool(pool), y: y.pointer(Float.self))
        }
        return y
    }

    private static let convPoolFusionDisabled = ProcessInfo.processInfo.environment["KERAS_CONV_POOL_FUSION"] == "0"
}
