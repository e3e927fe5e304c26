/// Max and average pooling from `keras.ops.nn` on channels-last tensors (1 to 3 spatial axes).

extension Tensor {
    /// The maximum over each window (`keras.ops.max_pool`). `strides` default to `poolSize`;
    /// `.same` pads so the output has `⌈n/s⌉` positions, and padded positions never win.
    /// The gradient goes to the first maximum of each window (NaN counts as the maximum).
    ///
    /// ```swift
    /// let y = Tensor.ones([1, 28, 28, 8]).maxPool(poolSize: [2, 2])   // shape (1, 14, 14, 8)
    /// ```
    public func maxPool(poolSize: [Int], strides: [Int]? = nil, padding: PaddingMode = .valid) -> Tensor {
        let (g, x) = poolingGeometry("max_pool", poolSize: poolSize, strides: strides, padding: padding)
        return pooledMax("max_pool", PoolingWindows(g), x, outputShape: [shape[0]] + Array(g.output.suffix(rank - 2)) + [shape[rank - 1]])
    }

    /// The mean over each window (`keras.ops.average_pool`). `strides` default to `poolSize`;
    /// with `.same`, each window averages only the real inputs it covers (padding is ignored).
    ///
    /// ```swift
    /// Tensor([1.0, 2, 3, 4, 5]).reshaped(to: [1, 5, 1]).averagePool(poolSize: [2], padding: .same)
    /// // [[[1.5], [3.5], [5.0]]]
    /// ```
    public func averagePool(poolSize: [Int], strides: [Int]? = nil, padding: PaddingMode = .valid) -> Tensor {
        let (g, x) = poolingGeometry("average_pool", poolSize: poolSize, strides: strides, padding: padding)
        return pooledAverage("average_pool", PoolingWindows(g), x, outputShape: [shape[0]] + Array(g.output.suffix(rank - 2)) + [shape[rank - 1]])
    }

    /// The maximum of each of `windows` over `x` (this tensor in the kernels' dtype) as op `op`,
    /// with its gradient to the first maximum of each window; shared by ``maxPool(poolSize:strides:padding:)``
    /// and ``adaptiveMaxPool(outputSize:)``.
    func pooledMax(_ op: String, _ windows: PoolingWindows, _ x: Tensor, outputShape: [Int]) -> Tensor {
        let y = Tensor(uninitializedShape: outputShape, dtype: x.dtype, op: op)
        // Where each maximum came from, kept for the backward pass when it may run.
        let argmax = isRecorded ? Tensor(uninitializedShape: y.shape, dtype: .int32, op: op) : nil
        withExtendedLifetime(x) {
            let index = argmax?.pointer(Int32.self)
            switch x.dtype {
            case .float64: PoolingKernels.maxForward(windows, x: x.pointer(Double.self), y: y.pointer(Double.self), argmax: index)
            default: PoolingKernels.maxForward(windows, x: x.pointer(Float.self), y: y.pointer(Float.self), argmax: index)
            }
        }
        return Tensor.record(op, inputs: [self], output: y) { dy in
            let dy = dy.cast(to: x.dtype)
            let dx = Tensor(uninitializedShape: x.shape, dtype: x.dtype, op: op + "_grad")
            withExtendedLifetime((argmax, dy)) {
                let index = argmax!.pointer(Int32.self)
                switch x.dtype {
                case .float64: PoolingKernels.maxBackward(windows, argmax: index, dy: dy.pointer(Double.self), dx: dx.pointer(Double.self))
                default: PoolingKernels.maxBackward(windows, argmax: index, dy: dy.pointer(Float.self), dx: dx.pointer(Float.self))
                }
            }
            return [dx.cast(to: self.dtype)]
        }
    }

    /// The mean of each of `windows` over `x` (this tensor in the kernels' dtype) as op `op`,
    /// with its gradient spread evenly over each window; shared by
    /// ``averagePool(poolSize:strides:padding:)`` and ``adaptiveAveragePool(outputSize:)``.
    func pooledAverage(_ op: String, _ windows: PoolingWindows, _ x: Tensor, outputShape: [Int]) -> Tensor {
        let y = Tensor(uninitializedShape: outputShape, dtype: x.dtype, op: op)
        withExtendedLifetime(x) {
            switch x.dtype {
            case .float64: PoolingKernels.averageForward(windows, x: x.pointer(Double.self), y: y.pointer(Double.self))
            default: PoolingKernels.averageForward(windows, x: x.pointer(Float.self), y: y.pointer(Float.self))
            }
        }
        return Tensor.record(op, inputs: [self], output: y) { dy in
            let dy = dy.cast(to: x.dtype)
            let dx = Tensor(uninitializedShape: x.shape, dtype: x.dtype, op: op + "_grad")
            withExtendedLifetime(dy) {
                switch x.dtype {
                case .float64: PoolingKernels.averageBackward(windows, dy: dy.pointer(Double.self), dx: dx.pointer(Double.self))
                default: PoolingKernels.averageBackward(windows, dy: dy.pointer(Float.self), dx: dx.pointer(Float.self))
                }
            }
            return [dx.cast(to: self.dtype)]
        }
    }

    /// The window geometry of a pooling op, after checking the arguments, and the input in the
    /// dtype the kernels run in (float64 stays, anything else becomes float32).
    private func poolingGeometry(_ op: String, poolSize: [Int], strides: [Int]?, padding: PaddingMode) -> (ConvGeometry, Tensor) {
        (KerasCore.poolingGeometry(op, shape: shape, poolSize: poolSize, strides: strides, padding: padding),
         cast(to: dtype == .float64 ? .float64 : .float32))
    }
}

/// The window geometry of pooling op `op` on an input of `shape`, after checking the arguments.
func poolingGeometry(_ op: String, shape: [Int], poolSize: [Int], strides: [Int]?, padding: PaddingMode) -> ConvGeometry {
    let rank = shape.count, n = rank - 2
    require((1...3).contains(n), "\(op): expected an input of rank 3 to 5 (batch, spatial…, channels), got shape \(shape)")
    let strides = strides ?? poolSize
    require(poolSize.count == n && poolSize.allSatisfy { $0 > 0 }, "\(op): expected \(n) positive pool sizes for input shape \(shape), got \(poolSize)")
    require(strides.count == n && strides.allSatisfy { $0 > 0 }, "\(op): expected \(n) positive strides, got \(strides)")
    require(padding != .causal, "\(op): padding must be valid or same, got causal")
    let spatial = Array(shape[1...n])
    var output: [Int] = [], pads: [Int] = [], window: [Int] = []
    for i in 0..<n {
        let p = padding.pads(inputSize: spatial[i], kernelSize: poolSize[i], stride: strides[i])
        let length = convOutputLength(inputSize: spatial[i], kernelSize: poolSize[i], stride: strides[i], pads: p)
        require(length > 0, "\(op): the pool size \(formatShape(poolSize)) is larger than the input \(formatShape(spatial)) on spatial axis \(i)")
        output.append(length)
        // A window offset that lands in the padding at every output position (a window far
        // wider than the input) is dropped; neither pooling reads padding, so nothing changes.
        let first = max(0, p.before - (length - 1) * strides[i]), end = min(poolSize[i], p.before + spatial[i])
        window.append(end - first)
        pads.append(p.before - first)
    }
    let channels = shape[rank - 1]
    return ConvGeometry(batch: shape[0], input: spatial, output: output, kernel: window, strides: strides,
                        dilation: [Int](repeating: 1, count: n), padBefore: pads,
                        inChannels: channels, outChannels: channels, groups: 1)
}

/// `keras.ops.max_pool`: ``Tensor/maxPool(poolSize:strides:padding:)``.
public func maxPool(_ x: Tensor, poolSize: [Int], strides: [Int]? = nil, padding: PaddingMode = .valid) -> Tensor {
    x.maxPool(poolSize: poolSize, strides: strides, padding: padding)
}

/// `keras.ops.average_pool`: ``Tensor/averagePool(poolSize:strides:padding:)``.
public func averagePool(_ x: Tensor, poolSize: [Int], strides: [Int]? = nil, padding: PaddingMode = .valid) -> Tensor {
    x.averagePool(poolSize: poolSize, strides: strides, padding: padding)
}
