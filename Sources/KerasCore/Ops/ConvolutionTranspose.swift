/// The transposed convolution (`keras.ops.conv_transpose`): the gradient of a convolution with
/// respect to its input, used as a learnable upsampling.

extension Tensor {
    /// The transposed convolution with explicit geometry: output position `o` along an axis sums
    /// `x[i] · kernel[t]` over every input position `i` and tap `t` with
    /// `i·stride + t·dilation − padBefore = o`, for `o` in `0..<outputSize`.
    ///
    /// `self` is `(batch, spatial…, channels)`, `kernel` is `(kernel…, filters, channels)` (Keras's
    /// transposed layout); the result is `(batch, outputSize…, filters)`. Differentiable with
    /// respect to both operands.
    ///
    /// ```swift
    /// let y = Tensor.ones([1, 3, 3, 2]).convTranspose(Tensor.ones([2, 2, 4, 2]), strides: [2, 2],
    ///                                                 padBefore: [0, 0], outputSize: [6, 6])   // (1, 6, 6, 4)
    /// ```
    public func convTranspose(_ kernel: Tensor, strides: [Int], padBefore: [Int], outputSize: [Int],
                              dilationRate: [Int]? = nil) -> Tensor {
        let n = rank - 2
        require((1...3).contains(n), "conv_transpose: expected an input of rank 3 to 5 (batch, spatial…, channels), got shape \(shape)")
        require(kernel.rank == rank && kernel.shape[rank - 1] == shape[rank - 1],
                "conv_transpose: expected a kernel (kernel…, filters, \(shape[rank - 1])) of rank \(rank) for input shape \(shape), got \(kernel.shape)")
        let dilation = dilationRate ?? [Int](repeating: 1, count: n)
        require(strides.count == n && strides.allSatisfy { $0 > 0 }, "conv_transpose: expected \(n) positive strides, got \(strides)")
        require(dilation.count == n && dilation.allSatisfy { $0 > 0 }, "conv_transpose: expected \(n) positive dilation rates, got \(dilation)")
        require(padBefore.count == n && padBefore.allSatisfy { $0 >= 0 }, "conv_transpose: expected \(n) non-negative paddings, got \(padBefore)")
        require(outputSize.count == n && outputSize.allSatisfy { $0 > 0 }, "conv_transpose: expected \(n) positive output sizes, got \(outputSize)")
        let filters = kernel.shape[rank - 2], channels = shape[rank - 1]
        // The convolution whose input gradient this is: input `outputSize`, output `self`'s size.
        let g = ConvGeometry(batch: shape[0], input: outputSize, output: Array(shape[1...n]), kernel: Array(kernel.shape.prefix(n)),
                             strides: strides, dilation: dilation, padBefore: padBefore,
                             inChannels: filters, outChannels: channels, groups: 1)
        let (x, w) = convolutionOperands(self, kernel)
        let y = Tensor(uninitializedShape: [shape[0]] + outputSize + [filters], dtype: x.dtype, op: "conv_transpose")
        withExtendedLifetime((x, w)) {
            switch x.dtype {
            case .float64:
                ConvolutionKernels.backward(g, x: x.pointer(Double.self), w: w.pointer(Double.self), dy: x.pointer(Double.self),
                                            dx: y.pointer(Double.self), dw: nil)
            default:
                ConvolutionKernels.backward(g, x: x.pointer(Float.self), w: w.pointer(Float.self), dy: x.pointer(Float.self),
                                            dx: y.pointer(Float.self), dw: nil)
            }
        }
        return Tensor.record("conv_transpose", inputs: [self, kernel], output: y) { dy in
            let dy = dy.cast(to: x.dtype)
            // d/dx is the forward convolution of dy; d/dkernel correlates dy (as the convolution's
            // input) with x (as its output gradient).
            var dx: Tensor? = nil
            if self.isRecorded {
                let out = Tensor(uninitializedShape: x.shape, dtype: x.dtype, op: "conv_transpose_grad")
                withExtendedLifetime((dy, w)) {
                    switch x.dtype {
                    case .float64: ConvolutionKernels.forward(g, x: dy.pointer(Double.self), w: w.pointer(Double.self), y: out.pointer(Double.self))
                    default: ConvolutionKernels.forward(g, x: dy.pointer(Float.self), w: w.pointer(Float.self), y: out.pointer(Float.self))
                    }
                }
                dx = out.cast(to: self.dtype)
            }
            let dw = kernel.isRecorded
                ? convolutionBackward(g, x: dy, w: w, dy: x, input: false, kernel: true).1?.cast(to: kernel.dtype) : nil
            return [dx, dw]
        }
    }

    /// The transposed convolution with Keras's `padding` and `output_padding`
    /// (`keras.ops.conv_transpose`). Without `outputPadding` the output has `n·s` positions for
    /// `.same` and `(n−1)·s + max(k', s)` for `.valid` (`k' = d(k−1)+1`); with it,
    /// `(n−1)·s + k' − 2·pad + outputPadding` where `pad` is `k'/2` for `.same` and 0 for `.valid`.
    ///
    /// ```swift
    /// let y = Tensor.ones([1, 4, 4, 3]).convTranspose(Tensor.ones([3, 3, 8, 3]), strides: [2, 2], padding: .same)   // (1, 8, 8, 8)
    /// ```
    public func convTranspose(_ kernel: Tensor, strides: [Int]? = nil, padding: PaddingMode = .valid,
                              outputPadding: [Int]? = nil, dilationRate: [Int]? = nil) -> Tensor {
        let n = rank - 2
        require(n >= 1 && kernel.rank == rank, "conv_transpose: expected an input of rank 3 to 5 and a kernel of the same rank, got \(shape) and \(kernel.shape)")
        require(padding != .causal, "conv_transpose: padding must be valid or same, got causal")
        let strides = strides ?? [Int](repeating: 1, count: n), dilation = dilationRate ?? [Int](repeating: 1, count: n)
        require(strides.count == n && dilation.count == n && (outputPadding?.count ?? n) == n,
                "conv_transpose: expected \(n) strides, dilation rates and output paddings, got \(strides), \(dilation), \(outputPadding ?? [])")
        var padBefore: [Int] = [], outputSize: [Int] = []
        for i in 0..<n {
            let geometry = convTransposeGeometry(inputSize: shape[i + 1], kernelSize: kernel.shape[i], stride: strides[i],
                                                 dilation: dilation[i], padding: padding, outputPadding: outputPadding?[i])
            padBefore.append(geometry.padBefore)
            outputSize.append(geometry.outputSize)
        }
        return convTranspose(kernel, strides: strides, padBefore: padBefore, outputSize: outputSize, dilationRate: dilation)
    }
}

/// Keras's transposed-convolution geometry along one axis: the output size, and how many leading
/// positions of the full (unpadded) transposed result are cut off (`padBefore`). The output size is
/// not positive when the arguments cannot produce an output.
///
/// ```swift
/// convTransposeGeometry(inputSize: 4, kernelSize: 3, stride: 2, padding: .same)   // (padBefore: 1, outputSize: 8)
/// ```
public func convTransposeGeometry(inputSize: Int, kernelSize: Int, stride: Int, dilation: Int = 1,
                                  padding: PaddingMode, outputPadding: Int? = nil) -> (padBefore: Int, outputSize: Int) {
    // Arguments whose output would pass 2⁶² positions (hostile ones) give `Int.max`, which no
    // size check accepts, instead of overflowing.
    let estimate = Double(Swift.max(inputSize, 1)) * Double(stride) + 4 * Double(kernelSize) * Double(dilation) + Double(outputPadding ?? 0)
    if estimate > 0x1p62 { return (0, Int.max) }
    let span = (kernelSize - 1) * dilation + 1
    // Keras pads the stride-dilated input by (left, right) and runs a plain convolution over it.
    let left: Int, right: Int
    if padding == .same {
        let total = outputPadding.map { span + span % 2 - 2 + $0 } ?? stride + span - 2
        left = Swift.min(total / 2 + total % 2, span - 1)
        right = total - left
    } else {
        left = span - 1
        right = span - 1 + (outputPadding ?? Swift.max(span, stride) - span)
    }
    return (span - 1 - left, (inputSize - 1) * stride + 1 + left + right - span + 1)
}

/// `keras.ops.conv_transpose`: ``Tensor/convTranspose(_:strides:padding:outputPadding:dilationRate:)``.
public func convTranspose(_ x: Tensor, _ kernel: Tensor, strides: [Int]? = nil, padding: PaddingMode = .valid,
                          outputPadding: [Int]? = nil, dilationRate: [Int]? = nil) -> Tensor {
    x.convTranspose(kernel, strides: strides, padding: padding, outputPadding: outputPadding, dilationRate: dilationRate)
}
