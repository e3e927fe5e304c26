/// Convolutions from `keras.ops.nn` on channels-last tensors: `conv` (1-D, 2-D, 3-D, strides,
/// dilation, groups, explicit or Keras padding), `depthwiseConv` and `separableConv`.

/// How a convolution or pooling window is padded (Keras's `padding` argument).
///
/// - `valid`: no padding; the output has `⌊(n − d(k−1) − 1)/s⌋ + 1` positions.
/// - `same`: zero padding so the output has `⌈n/s⌉` positions; an odd total puts the extra pad
///   at the end, as TensorFlow and Keras do.
/// - `causal`: `d(k−1)` zeros before the input only (1-D convolutions), so output `t` sees inputs
///   up to `t`.
///
/// ```swift
/// PaddingMode.same.pads(inputSize: 4, kernelSize: 2, stride: 1)   // (before: 0, after: 1)
/// ```
public enum PaddingMode: String, Sendable, CaseIterable {
    /// `valid`: no padding; `same`: pad so the output has `ceil(input / stride)` positions; `causal`: pad only at the start (1-D).
    case valid, same, causal

    /// The zeros added before and after one spatial axis of `inputSize` for a window of
    /// `kernelSize` taps `dilation` apart moved by `stride`.
    public func pads(inputSize: Int, kernelSize: Int, stride: Int, dilation: Int = 1) -> (before: Int, after: Int) {
        let span = (kernelSize - 1) * dilation + 1
        switch self {
        case .valid:
            return (0, 0)
        case .same:
            let outputs = (inputSize + stride - 1) / stride
            let total = Swift.max((outputs - 1) * stride + span - inputSize, 0)
            return (total / 2, total - total / 2)
        case .causal:
            return (span - 1, 0)
        }
    }
}

/// The number of window positions along an axis of `inputSize` padded by `pads`
/// (`⌊(n + before + after − d(k−1) − 1)/s⌋ + 1`; negative when the window does not fit).
///
/// ```swift
/// convOutputLength(inputSize: 28, kernelSize: 3, stride: 1, pads: (0, 0))   // 26
/// ```
public func convOutputLength(inputSize: Int, kernelSize: Int, stride: Int, dilation: Int = 1,
                             pads: (before: Int, after: Int)) -> Int {
    let span = (kernelSize - 1) * dilation + 1
    let padded = inputSize + pads.before + pads.after - span
    return padded < 0 ? -1 : padded / stride + 1
}

extension Tensor {
    /// The N-D convolution (`keras.ops.conv`, channels-last) with explicit zero padding per side.
    ///
    /// `self` is `(batch, spatial…, channels)` with 1 to 3 spatial axes; `kernel` is
    /// `(kernel…, channels / groups, filters)`; the result is `(batch, output…, filters)`.
    /// Groups split the channels and filters into `groups` independent convolutions (filters
    /// `i·filters/groups…` read channels `i·channels/groups…`). Differentiable with respect to both
    /// operands. Float32 runs oneDNN's convolution primitives; float64 runs im2col with a plain
    /// product (for gradient checks); other dtypes are converted to float32.
    ///
    /// ```swift
    /// let x = Tensor.ones([1, 5, 5, 2])
    /// let k = Tensor.ones([3, 3, 2, 4])
    /// let y = x.conv(k, strides: [2, 2], padding: [(1, 1), (1, 1)])   // shape (1, 3, 3, 4)
    /// ```
    public func conv(_ kernel: Tensor, strides: [Int]? = nil, padding: [(before: Int, after: Int)],
                     dilationRate: [Int]? = nil, groups: Int = 1) -> Tensor {
        let g = convolutionGeometry(kernel, strides: strides, padding: padding, dilationRate: dilationRate, groups: groups)
        let (x, w) = convolutionOperands(self, kernel)
        let y = Tensor(uninitializedShape: [shape[0]] + Array(g.output.suffix(rank - 2)) + [g.outChannels], dtype: x.dtype, op: "conv")
        withExtendedLifetime((x, w)) {
            switch x.dtype {
            case .float64: ConvolutionKernels.forward(g, x: x.pointer(Double.self), w: w.pointer(Double.self), y: y.pointer(Double.self))
            default: ConvolutionKernels.forward(g, x: x.pointer(Float.self), w: w.pointer(Float.self), y: y.pointer(Float.self))
            }
        }
        return Tensor.record("conv", inputs: [self, kernel], output: y) { dy in
            let (dx, dw) = convolutionBackward(g, x: x, w: w, dy: dy, input: self.isRecorded, kernel: kernel.isRecorded)
            return [dx?.cast(to: self.dtype), dw?.cast(to: kernel.dtype)]
        }
    }

    /// The geometry of `conv(kernel, …)` on this input, after checking the arguments.
    func convolutionGeometry(_ kernel: Tensor, strides: [Int]?, padding: [(before: Int, after: Int)],
                                     dilationRate: [Int]?, groups: Int) -> ConvGeometry {
        let n = rank - 2
        require((1...3).contains(n), "conv: expected an input of rank 3 to 5 (batch, spatial…, channels), got shape \(shape)")
        require(kernel.rank == rank, "conv: expected a kernel of rank \(rank) (kernel…, in_channels, filters) for input shape \(shape), got kernel shape \(kernel.shape)")
        let strides = strides ?? [Int](repeating: 1, count: n), dilation = dilationRate ?? [Int](repeating: 1, count: n)
        require(strides.count == n && strides.allSatisfy { $0 > 0 }, "conv: expected \(n) positive strides, got \(strides)")
        require(dilation.count == n && dilation.allSatisfy { $0 > 0 }, "conv: expected \(n) positive dilation rates, got \(dilation)")
        require(padding.count == n && padding.allSatisfy { $0.before >= 0 && $0.after >= 0 },
                "conv: expected \(n) non-negative (before, after) paddings, got \(padding)")
        let channels = shape[rank - 1], filters = kernel.shape[rank - 1]
        require(groups > 0 && channels % groups == 0 && filters % groups == 0 && kernel.shape[rank - 2] * groups == channels,
                "conv: kernel shape \(kernel.shape) with groups=\(groups) does not fit \(channels) input channels (expected kernel in_channels \(channels) / groups and filters divisible by groups)")
        let kernelSpatial = Array(kernel.shape.prefix(n)), inputSpatial = Array(shape[1...n])
        var output: [Int] = []
        for i in 0..<n {
            let length = convOutputLength(inputSize: inputSpatial[i], kernelSize: kernelSpatial[i], stride: strides[i],
                                          dilation: dilation[i], pads: padding[i])
            require(length > 0, "conv: the kernel \(formatShape(kernelSpatial)) (dilation \(dilation)) is larger than the padded input \(formatShape(inputSpatial)) on spatial axis \(i)")
            output.append(length)
        }
        return ConvGeometry(batch: shape[0], input: inputSpatial, output: output, kernel: kernelSpatial, strides: strides,
                            dilation: dilation, padBefore: padding.map(\.before), inChannels: channels,
                            outChannels: filters, groups: groups)
    }

    /// `conv(kernel, …) + bias`, then relu when `relu` is set: a convolution layer's forward
    /// pass. With float32 operands it runs as one oneDNN primitive with the bias and relu fused,
    /// sparing two passes over the output; when recorded for gradients, the backward pass takes
    /// relu's gradient from the output and computes the bias gradient inside the
    /// backward-weights primitive (sparing the bias-add's reduction). Other dtypes run as the
    /// separate ops.
    ///
    /// ```swift
    /// let y = Tensor.ones([1, 5, 5, 2]).conv(Tensor.ones([3, 3, 2, 4]), bias: Tensor.zeros([4]), relu: true,
    ///                                        strides: [1, 1], padding: [(0, 0), (0, 0)])   // shape (1, 3, 3, 4)
    /// ```
    package func conv(_ kernel: Tensor, bias: Tensor, relu: Bool, strides: [Int]? = nil, padding: [(before: Int, after: Int)],
                      dilationRate: [Int]? = nil, groups: Int = 1) -> Tensor {
        let fusable = dtype == .float32 && kernel.dtype == .float32 && bias.dtype == .float32
            && rank >= 3 && bias.shape == [kernel.shape[kernel.rank - 1]]
        let g = fusable ? convolutionGeometry(kernel, strides: strides, padding: padding, dilationRate: dilationRate, groups: groups) : nil
        guard let g, DNNLConvolution.supports(g) else {
            let y = conv(kernel, strides: strides, padding: padding, dilationRate: dilationRate, groups: groups) + bias
            return relu ? y.relu() : y
        }
        let y = Tensor(uninitializedShape: [shape[0]] + Array(g.output.suffix(rank - 2)) + [g.outChannels], dtype: .float32, op: "conv")
        let x = self.stopGradient(), w = kernel.stopGradient(), b = bias.stopGradient()
        let training = isRecorded || kernel.isRecorded || bias.isRecorded
        withExtendedLifetime((x, w, b)) {
            if training {
                DNNLConvolution.forwardTraining(g, x: x.pointer(Float.self), w: w.pointer(Float.self), bias: b.pointer(Float.self),
                                                relu: relu, y: y.pointer(Float.self))
            } else {
                DNNLConvolution.forwardInference(g, x: x.pointer(Float.self), w: w.pointer(Float.self), bias: b.pointer(Float.self),
                                                 relu: relu, y: y.pointer(Float.self))
            }
        }
        if !training { return y }
        let (needInput, needKernel, needBias) = (isRecorded, kernel.isRecorded, bias.isRecorded)
        return Tensor.record("conv", inputs: [self, kernel, bias], output: y) { dy in
            let dy = dy.cast(to: .float32)
            // relu's gradient from its output: y > 0 exactly where the pre-activation is.
            let dz = relu ? zipKernel(dy, y, Float.self, shape: dy.shape, to: .float32, Float.self) { $1 > 0 ? $0 : 0 } : dy
            let dx = needInput ? Tensor(uninitializedShape: x.shape, dtype: .float32, op: "conv_grad") : nil
            let dw = needKernel ? Tensor(uninitializedShape: w.shape, dtype: .float32, op: "conv_grad") : nil
            let db = needBias ? Tensor(uninitializedShape: b.shape, dtype: .float32, op: "conv_grad") : nil
            withExtendedLifetime((x, w, dz)) {
                DNNLConvolution.backward(g, relu: relu, x: x.pointer(Float.self), w: w.pointer(Float.self), dy: dz.pointer(Float.self),
                                         dx: dx?.pointer(Float.self), dw: dw?.pointer(Float.self), db: db?.pointer(Float.self))
            }
            return [dx, dw, db]
        }
    }

    /// The convolution with Keras's `padding` (`keras.ops.conv`): `.valid`, `.same` (extra pad
    /// at the end) or `.causal` (1-D). The groups follow from the shapes, as in Keras:
    /// `channels / kernel in_channels`.
    ///
    /// ```swift
    /// let y = Tensor.ones([2, 28, 28, 1]).conv(Tensor.ones([3, 3, 1, 8]), padding: .same)   // (2, 28, 28, 8)
    /// ```
    public func conv(_ kernel: Tensor, strides: [Int]? = nil, padding: PaddingMode = .valid,
                     dilationRate: [Int]? = nil) -> Tensor {
        let n = rank - 2
        require(n >= 1 && kernel.rank == rank, "conv: expected an input of rank 3 to 5 and a kernel of the same rank, got \(shape) and \(kernel.shape)")
        require(padding != .causal || n == 1, "conv: causal padding is only defined for 1-D convolutions, got input shape \(shape)")
        let strides = strides ?? [Int](repeating: 1, count: n), dilation = dilationRate ?? [Int](repeating: 1, count: n)
        require(strides.count == n && dilation.count == n, "conv: expected \(n) strides and dilation rates, got \(strides) and \(dilation)")
        let pads = (0..<n).map { padding.pads(inputSize: shape[$0 + 1], kernelSize: kernel.shape[$0], stride: strides[$0], dilation: dilation[$0]) }
        let kernelChannels = kernel.shape[rank - 2]
        require(kernelChannels > 0 && shape[rank - 1] % kernelChannels == 0,
                "conv: input channels \(shape[rank - 1]) are not a multiple of the kernel's in_channels \(kernelChannels)")
        return conv(kernel, strides: strides, padding: pads, dilationRate: dilation, groups: shape[rank - 1] / kernelChannels)
    }

    /// The depthwise convolution (`keras.ops.depthwise_conv`): each input channel convolved with
    /// its own `multiplier` filters. `kernel` is `(kernel…, channels, multiplier)`; output
    /// channel `c·multiplier + m` is channel `c` through filter `m`.
    ///
    /// ```swift
    /// let y = Tensor.ones([1, 6, 6, 3]).depthwiseConv(Tensor.ones([3, 3, 3, 2]))   // (1, 4, 4, 6)
    /// ```
    public func depthwiseConv(_ kernel: Tensor, strides: [Int]? = nil, padding: PaddingMode = .valid,
                              dilationRate: [Int]? = nil) -> Tensor {
        require(kernel.rank == rank && rank >= 3 && kernel.shape[rank - 2] == shape[rank - 1],
                "depthwise_conv: expected a kernel (kernel…, \(rank >= 1 ? shape[rank - 1] : 0), multiplier) for input shape \(shape), got \(kernel.shape)")
        let spatial = Array(kernel.shape.prefix(rank - 2))
        let grouped = kernel.reshaped(to: spatial + [1, kernel.shape[rank - 2] * kernel.shape[rank - 1]])
        return conv(grouped, strides: strides, padding: padding, dilationRate: dilationRate)
    }

    /// The separable convolution (`keras.ops.separable_conv`): ``depthwiseConv(_:strides:padding:dilationRate:)``
    /// followed by a 1×1 convolution with `pointwiseKernel` `(1…, channels·multiplier, filters)`.
    ///
    /// ```swift
    /// let y = Tensor.ones([1, 6, 6, 3]).separableConv(Tensor.ones([3, 3, 3, 1]), Tensor.ones([1, 1, 3, 8]))   // (1, 4, 4, 8)
    /// ```
    public func separableConv(_ depthwiseKernel: Tensor, _ pointwiseKernel: Tensor, strides: [Int]? = nil,
                              padding: PaddingMode = .valid, dilationRate: [Int]? = nil) -> Tensor {
        depthwiseConv(depthwiseKernel, strides: strides, padding: padding, dilationRate: dilationRate)
            .conv(pointwiseKernel, padding: .valid)
    }
}

/// `keras.ops.conv`: ``Tensor/conv(_:strides:padding:dilationRate:)``.
public func conv(_ x: Tensor, _ kernel: Tensor, strides: [Int]? = nil, padding: PaddingMode = .valid,
                 dilationRate: [Int]? = nil) -> Tensor {
    x.conv(kernel, strides: strides, padding: padding, dilationRate: dilationRate)
}

/// `keras.ops.depthwise_conv`: ``Tensor/depthwiseConv(_:strides:padding:dilationRate:)``.
public func depthwiseConv(_ x: Tensor, _ kernel: Tensor, strides: [Int]? = nil, padding: PaddingMode = .valid,
                          dilationRate: [Int]? = nil) -> Tensor {
    x.depthwiseConv(kernel, strides: strides, padding: padding, dilationRate: dilationRate)
}

/// `keras.ops.separable_conv`: ``Tensor/separableConv(_:_:strides:padding:dilationRate:)``.
public func separableConv(_ x: Tensor, _ depthwiseKernel: Tensor, _ pointwiseKernel: Tensor, strides: [Int]? = nil,
                          padding: PaddingMode = .valid, dilationRate: [Int]? = nil) -> Tensor {
    x.separableConv(depthwiseKernel, pointwiseKernel, strides: strides, padding: padding, dilationRate: dilationRate)
}

/// Both operands in the dtype the kernels run in: float64 if either is float64, else float32.
func convolutionOperands(_ x: Tensor, _ w: Tensor) -> (Tensor, Tensor) {
    let dtype: DType = x.dtype == .float64 || w.dtype == .float64 ? .float64 : .float32
    return (x.cast(to: dtype), w.cast(to: dtype))
}

/// The gradients of `conv(x, w)` for `dy`, with respect to the input and/or the kernel.
func convolutionBackward(_ g: ConvGeometry, x: Tensor, w: Tensor, dy: Tensor, input: Bool, kernel: Bool) -> (Tensor?, Tensor?) {
    let dy = dy.cast(to: x.dtype)
    let dx = input ? Tensor(uninitializedShape: x.shape, dtype: x.dtype, op: "conv_grad") : nil
    let dw = kernel ? Tensor(uninitializedShape: w.shape, dtype: w.dtype, op: "conv_grad") : nil
    withExtendedLifetime((x, w, dy)) {
        switch x.dtype {
        case .float64:
            ConvolutionKernels.backward(g, x: x.pointer(Double.self), w: w.pointer(Double.self), dy: dy.pointer(Double.self),
                                        dx: dx?.pointer(Double.self), dw: dw?.pointer(Double.self))
        default:
            ConvolutionKernels.backward(g, x: x.pointer(Float.self), w: w.pointer(Float.self), dy: dy.pointer(Float.self),
                                        dx: dx?.pointer(Float.self), dw: dw?.pointer(Float.self))
        }
    }
    return (dx, dw)
}
