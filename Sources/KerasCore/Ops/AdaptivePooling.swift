import CKernels

/// Adaptive max and average pooling from `keras.ops.nn` on channels-last tensors (1 to 3
/// spatial axes): the window sizes and positions follow from the input and output sizes.

/// The input positions `start..<end` that output position `i` of an adaptive pooling axis reads:
/// `start = ⌊i·n/m⌋`, `end = ⌈(i+1)·n/m⌉` for `n` inputs and `m` outputs, as Keras (and PyTorch)
/// compute them. Neighbouring windows may overlap by one position; when `n < m` an input is read
/// by several outputs.
///
/// ```swift
/// adaptivePoolingBins(inputSize: 5, outputSize: 3)   // [0..<2, 1..<4, 3..<5]
/// ```
public func adaptivePoolingBins(inputSize n: Int, outputSize m: Int) -> [Range<Int>] {
    require(n > 0 && m > 0, "adaptive pooling: expected positive input and output sizes, got \(n) and \(m)")
    return (0..<m).map { i in (i * n / m)..<(((i + 1) * n + m - 1) / m) }
}

extension Tensor {
    /// The maximum over each adaptive window (`keras.ops.adaptive_max_pool`, channels-last):
    /// `(batch, spatial…, channels)` → `(batch, outputSize…, channels)`, window `i` of an axis
    /// covering ``adaptivePoolingBins(inputSize:outputSize:)``. The gradient goes to the first
    /// maximum of each window (NaN counts as the maximum); overlapping windows add up.
    ///
    /// ```swift
    /// let y = Tensor.ones([1, 7, 7, 8]).adaptiveMaxPool(outputSize: [3, 3])   // shape (1, 3, 3, 8)
    /// ```
    public func adaptiveMaxPool(outputSize: [Int]) -> Tensor {
        let (w, x) = adaptiveWindows("adaptive_max_pool", outputSize: outputSize)
        let y = Tensor(uninitializedShape: w.outputShape, dtype: x.dtype, op: "adaptive_max_pool")
        let argmax = isRecorded ? Tensor(uninitializedShape: y.shape, dtype: .int32, op: "adaptive_max_pool") : nil
        withExtendedLifetime(x) {
            let index = argmax?.pointer(Int32.self)
            switch x.dtype {
            case .float64: w.maxForward(x: x.pointer(Double.self), y: y.pointer(Double.self), argmax: index)
            default: w.maxForward(x: x.pointer(Float.self), y: y.pointer(Float.self), argmax: index)
            }
        }
        return Tensor.record("adaptive_max_pool", inputs: [self], output: y) { dy in
            let dy = dy.cast(to: x.dtype)
            let dx = Tensor(uninitializedShape: x.shape, dtype: x.dtype, op: "adaptive_max_pool_grad")
            withExtendedLifetime((argmax, dy)) {
                let index = argmax!.pointer(Int32.self)
                switch x.dtype {
                case .float64: w.maxBackward(argmax: index, dy: dy.pointer(Double.self), dx: dx.pointer(Double.self))
                default: w.maxBackward(argmax: index, dy: dy.pointer(Float.self), dx: dx.pointer(Float.self))
                }
            }
            return [dx.cast(to: self.dtype)]
        }
    }

    /// The mean over each adaptive window (`keras.ops.adaptive_average_pool`, channels-last):
    /// `(batch, spatial…, channels)` → `(batch, outputSize…, channels)`, window `i` of an axis
    /// covering ``adaptivePoolingBins(inputSize:outputSize:)``.
    ///
    /// ```swift
    /// Tensor([1.0, 2, 3, 4, 5]).reshaped(to: [1, 5, 1]).adaptiveAveragePool(outputSize: [3])
    /// // [[[1.5], [3.0], [4.5]]]
    /// ```
    public func adaptiveAveragePool(outputSize: [Int]) -> Tensor {
        let (w, x) = adaptiveWindows("adaptive_average_pool", outputSize: outputSize)
        let y = Tensor(uninitializedShape: w.outputShape, dtype: x.dtype, op: "adaptive_average_pool")
        withExtendedLifetime(x) {
            switch x.dtype {
            case .float64: w.averageForward(x: x.pointer(Double.self), y: y.pointer(Double.self))
            default: w.averageForward(x: x.pointer(Float.self), y: y.pointer(Float.self))
            }
        }
        return Tensor.record("adaptive_average_pool", inputs: [self], output: y) { dy in
            let dy = dy.cast(to: x.dtype)
            let dx = Tensor(uninitializedShape: x.shape, dtype: x.dtype, op: "adaptive_average_pool_grad")
            withExtendedLifetime(dy) {
                switch x.dtype {
                case .float64: w.averageBackward(dy: dy.pointer(Double.self), dx: dx.pointer(Double.self))
                default: w.averageBackward(dy: dy.pointer(Float.self), dx: dx.pointer(Float.self))
                }
            }
            return [dx.cast(to: self.dtype)]
        }
    }

    /// The windows of an adaptive pooling op, after checking the arguments, and the input in the
    /// dtype the kernels run in (float64 stays, anything else becomes float32).
    private func adaptiveWindows(_ op: String, outputSize: [Int]) -> (AdaptiveWindows, Tensor) {
        let n = rank - 2
        require((1...3).contains(n), "\(op): expected an input of rank 3 to 5 (batch, spatial…, channels), got shape \(shape)")
        require(outputSize.count == n && outputSize.allSatisfy { $0 > 0 }, "\(op): expected \(n) positive output sizes for input shape \(shape), got \(outputSize)")
        require(shape[1...n].allSatisfy { $0 > 0 }, "\(op): expected non-empty spatial axes, got shape \(shape)")
        return (AdaptiveWindows(shape: shape, outputSize: outputSize), cast(to: dtype == .float64 ? .float64 : .float32))
    }
}

/// `keras.ops.adaptive_max_pool` (channels-last): ``Tensor/adaptiveMaxPool(outputSize:)``.
public func adaptiveMaxPool(_ x: Tensor, outputSize: [Int]) -> Tensor { x.adaptiveMaxPool(outputSize: outputSize) }

/// `keras.ops.adaptive_average_pool` (channels-last): ``Tensor/adaptiveAveragePool(outputSize:)``.
public func adaptiveAveragePool(_ x: Tensor, outputSize: [Int]) -> Tensor { x.adaptiveAveragePool(outputSize: outputSize) }

/// The windows of adaptive pooling on one channels-last sample, in the list form the pooling C
/// kernels take: output row `r` reads input positions `positions[starts[r] ..< starts[r + 1]]`.
/// The lists are built once per call; the kernels run over contiguous channels.
struct AdaptiveWindows: Sendable {
    let batch: Int, channels: Int, inputPositions: Int, outputPositions: Int
    let outputShape: [Int]
    let starts: [Int], positions: [Int]

    init(shape: [Int], outputSize: [Int]) {
        let n = shape.count - 2
        // Pad to three spatial axes (leading size-1 axes) so one loop nest serves 1D to 3D.
        let input = [Int](repeating: 1, count: 3 - n) + Array(shape[1...n])
        let output = [Int](repeating: 1, count: 3 - n) + outputSize
        let bins = (0..<3).map { adaptivePoolingBins(inputSize: input[$0], outputSize: output[$0]) }
        var starts = [0], positions: [Int] = []
        for bd in bins[0] {
            for bh in bins[1] {
                for bw in bins[2] {
                    for d in bd { for h in bh { for w in bw { positions.append((d * input[1] + h) * input[2] + w) } } }
                    starts.append(positions.count)
                }
            }
        }
        batch = shape[0]
        channels = shape[n + 1]
        inputPositions = input.reduce(1, *)
        outputPositions = output.reduce(1, *)
        outputShape = [shape[0]] + outputSize + [channels]
        self.starts = starts
        self.positions = positions
    }

    /// Runs `body(n)` for every sample, spread over the cores when the work is large.
    private func forEachSample(_ body: (Int) -> Void) {
        let pieces = Swift.min(Parallel.pieceCount(batch * positions.count * channels), batch)
        withoutActuallyEscaping(body) { body in
            Parallel.forEachPiece(batch, pieces: pieces, context: body) { _, range, body in
                for n in range { body(n) }
            }
        }
    }

    func maxForward<T: BinaryFloatingPoint>(x: UnsafePointer<T>, y: UnsafeMutablePointer<T>, argmax: UnsafeMutablePointer<Int32>?) {
        let C = channels, inStride = inputPositions * C, outStride = outputPositions * C
        starts.withUnsafeBufferPointer { starts in
            positions.withUnsafeBufferPointer { positions in
                forEachSample { n in
                    let xs = x + n * inStride, ys = y + n * outStride, index = argmax.map { $0 + n * outStride }
                    if T.self == Float.self {
                        keras_max_pool_f32(outputPositions, C, UnsafeRawPointer(xs).assumingMemoryBound(to: Float.self),
                                           starts.baseAddress!, positions.baseAddress!,
                                           UnsafeMutableRawPointer(ys).assumingMemoryBound(to: Float.self), index)
                        return
                    }
                    for row in 0..<outputPositions {
                        let best = ys + row * C, first = positions[starts[row]]
                        best.update(from: xs + first * C, count: C)
                        let rowIndex = index.map { $0 + row * C }
                        if let rowIndex { for c in 0..<C { rowIndex[c] = Int32(truncatingIfNeeded: first * C + c) } }
                        for k in (starts[row] + 1)..<starts[row + 1] {
                            let src = xs + positions[k] * C, start = Int32(truncatingIfNeeded: positions[k] * C)
                            for c in 0..<C {
                                let v = src[c], b = best[c]
                                let take = v > b || (v != v && b == b)
                                best[c] = take ? v : b
                                if let rowIndex, take { rowIndex[c] = start &+ Int32(truncatingIfNeeded: c) }
                            }
                        }
                    }
                }
            }
        }
    }

    func maxBackward<T: BinaryFloatingPoint>(argmax: UnsafePointer<Int32>, dy: UnsafePointer<T>, dx: UnsafeMutablePointer<T>) {
        let inStride = inputPositions * channels, outStride = outputPositions * channels
        forEachSample { n in
            let gs = dy + n * outStride, dxs = dx + n * inStride, index = argmax + n * outStride
            if T.self == Float.self {
                keras_max_pool_backward_f32(outStride, inStride, index, UnsafeRawPointer(gs).assumingMemoryBound(to: Float.self),
                                            UnsafeMutableRawPointer(dxs).assumingMemoryBound(to: Float.self))
                return
            }
            dxs.initialize(repeating: 0, count: inStride)
            for i in 0..<outStride { dxs[Int(index[i])] += gs[i] }
        }
    }

    func averageForward<T: BinaryFloatingPoint>(x: UnsafePointer<T>, y: UnsafeMutablePointer<T>) {
        let C = channels, inStride = inputPositions * C, outStride = outputPositions * C
        starts.withUnsafeBufferPointer { starts in
            positions.withUnsafeBufferPointer { positions in
                forEachSample { n in
                    let xs = x + n * inStride, ys = y + n * outStride
                    if T.self == Float.self {
                        keras_average_pool_f32(outputPositions, C, UnsafeRawPointer(xs).assumingMemoryBound(to: Float.self),
                                               starts.baseAddress!, positions.baseAddress!,
                                               UnsafeMutableRawPointer(ys).assumingMemoryBound(to: Float.self))
                        return
                    }
                    for row in 0..<outputPositions {
                        let dst = ys + row * C
                        dst.update(repeating: 0, count: C)
                        for k in starts[row]..<starts[row + 1] {
                            let src = xs + positions[k] * C
                            for c in 0..<C { dst[c] += src[c] }
                        }
                        let scale = 1 / T(starts[row + 1] - starts[row])
                        for c in 0..<C { dst[c] *= scale }
                    }
                }
            }
        }
    }

    func averageBackward<T: BinaryFloatingPoint>(dy: UnsafePointer<T>, dx: UnsafeMutablePointer<T>) {
        let C = channels, inStride = inputPositions * C, outStride = outputPositions * C
        starts.withUnsafeBufferPointer { starts in
            positions.withUnsafeBufferPointer { positions in
                forEachSample { n in
                    let gs = dy + n * outStride, dxs = dx + n * inStride
                    if T.self == Float.self {
                        keras_average_pool_backward_f32(outputPositions, C, inStride, starts.baseAddress!, positions.baseAddress!,
                                                        UnsafeRawPointer(gs).assumingMemoryBound(to: Float.self),
                                                        UnsafeMutableRawPointer(dxs).assumingMemoryBound(to: Float.self))
                        return
                    }
                    dxs.initialize(repeating: 0, count: inStride)
                    for row in 0..<outputPositions {
                        let scale = 1 / T(starts[row + 1] - starts[row]), grad = gs + row * C
                        for k in starts[row]..<starts[row + 1] {
                            let dst = dxs + positions[k] * C
                            for c in 0..<C { dst[c] += grad[c] * scale }
                        }
                    }
                }
            }
        }
    }
}
