import CKernels

/// Max and average pooling on channels-last buffers, forward and backward, over window lists
/// (``PoolingWindows``): those of a sliding window (``ConvGeometry`` with `inChannels ==
/// outChannels`) or of adaptive pooling. Positions in the padding are skipped: they never win a
/// max, and an average divides by the number of real inputs in its window (Keras's "average
/// pooling ignores padding").
enum PoolingKernels {
    /// Runs `body(n)` for every sample of `w`, spread over the cores when the work is large.
    @inline(__always)
    private static func forEachSample(_ w: PoolingWindows, _ body: (Int) -> Void) {
        let pieces = Swift.min(Parallel.pieceCount(w.batch * w.positions.count * w.channels), w.batch)
        withoutActuallyEscaping(body) { body in
            Parallel.forEachPiece(w.batch, pieces: pieces, context: body) { _, range, body in
                for n in range { body(n) }
            }
        }
    }

    /// The maximum of each window (NaN wins, as in NumPy); with `argmax`, also the flat input
    /// index (within the sample) of the first maximum of each output element, for the backward
    /// pass. float32 runs the C kernel (`keras_max_pool_f32`, compiled for AVX-512/AVX2): with
    /// it `keras-bench cnn` predict ran 5–9% faster than with Swift's SIMD16 loops (built for
    /// baseline x86-64, where the NaN-aware selects spent their time converting masks);
    /// float64 runs the Swift loop below.
    static func maxForward<T: ConvolutionScalar>(_ w: PoolingWindows, x: UnsafePointer<T>, y: UnsafeMutablePointer<T>,
                                                 argmax: UnsafeMutablePointer<Int32>?) {
        let C = w.channels, inStride = w.inputPositions * C, outStride = w.outputPositions * C
        w.starts.withUnsafeBufferPointer { starts in
            w.positions.withUnsafeBufferPointer { positions in
                forEachSample(w) { n in
                    let xs = x + n * inStride, ys = y + n * outStride
                    if T.self == Float.self {
                        keras_max_pool_f32(w.outputPositions, C, UnsafeRawPointer(xs).assumingMemoryBound(to: Float.self),
                                           starts.baseAddress!, positions.baseAddress!,
                                           UnsafeMutableRawPointer(ys).assumingMemoryBound(to: Float.self), argmax.map { $0 + n * outStride })
                        return
                    }
                    for row in 0..<w.outputPositions {
                        let best = ys + row * C
                        let first = positions[starts[row]]
                        best.update(from: xs + first * C, count: C)
                        let index = argmax.map { $0 + n * outStride + row * C }
                        if let index { for c in 0..<C { index[c] = Int32(truncatingIfNeeded: first * C + c) } }
                        for k in (starts[row] + 1)..<starts[row + 1] {
                            let src = xs + positions[k] * C, start = Int32(truncatingIfNeeded: positions[k] * C)
                            for c in 0..<C {
                                let v = src[c], b = best[c]
                                let take = v > b || (v != v && b == b)
                                best[c] = take ? v : b
                                if let index, take { index[c] = start &+ Int32(truncatingIfNeeded: c) }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Max pooling run inside a convolution's inference (``DNNLConvolution``): each
    /// micro-batch of the convolution's output is pooled while it is still in the core's cache,
    /// so the whole output is never written to memory and read back. Same windows, kernel and
    /// results as ``maxForward(_:x:y:argmax:)``.
    struct FusedMaxPool {
        /// The pooling geometry (its `batch` is not used).
        let geometry: ConvGeometry
        let windows: PoolingWindows

        init(_ g: ConvGeometry) {
            geometry = g
            windows = PoolingWindows(g)
        }

        /// Pools `samples` samples of `x` into channels-last `y`. `x` is channels-last, or with
        /// `blocked` in oneDNN's 16-channel blocked layout (`nChw16c`; the channels are then a
        /// multiple of 16).
        func run(samples: Int, x: UnsafePointer<Float>, blocked: Bool, y: UnsafeMutablePointer<Float>) {
            let g = geometry, C = g.inChannels, inStride = g.inputPositions * C, outStride = g.outputPositions * C
            windows.starts.withUnsafeBufferPointer { starts in
                windows.positions.withUnsafeBufferPointer { positions in
                    for n in 0..<samples {
                        if blocked {
                            keras_max_pool_blocked_f32(g.outputPositions, C, g.inputPositions, x + n * inStride,
                                                       starts.baseAddress!, positions.baseAddress!, y + n * outStride)
                        } else {
                            keras_max_pool_f32(g.outputPositions, C, x + n * inStride, starts.baseAddress!, positions.baseAddress!,
                                               y + n * outStride, nil)
                        }
                    }
                }
            }
        }
    }

    /// Sends each output gradient to the input that won its window (float32 in C,
    /// `keras_max_pool_backward_f32`).
    static func maxBackward<T: ConvolutionScalar>(_ w: PoolingWindows, argmax: UnsafePointer<Int32>,
                                                  dy: UnsafePointer<T>, dx: UnsafeMutablePointer<T>) {
        let inStride = w.inputPositions * w.channels, outStride = w.outputPositions * w.channels
        forEachSample(w) { n in
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

    /// The mean of each window over its real inputs (float32 in C, `keras_average_pool_f32`,
    /// with the same rounding as the loop below).
    static func averageForward<T: ConvolutionScalar>(_ w: PoolingWindows, x: UnsafePointer<T>, y: UnsafeMutablePointer<T>) {
        let C = w.channels, inStride = w.inputPositions * C, outStride = w.outputPositions * C
        w.starts.withUnsafeBufferPointer { starts in
            w.positions.withUnsafeBufferPointer { positions in
                forEachSample(w) { n in
                    let xs = x + n * inStride, ys = y + n * outStride
                    if T.self == Float.self {
                        keras_average_pool_f32(w.outputPositions, C, UnsafeRawPointer(xs).assumingMemoryBound(to: Float.self),
                                               starts.baseAddress!, positions.baseAddress!,
                                               UnsafeMutableRawPointer(ys).assumingMemoryBound(to: Float.self))
                        return
                    }
                    for row in 0..<w.outputPositions {
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

    /// Spreads each window's gradient evenly over its real inputs (float32 in C,
    /// `keras_average_pool_backward_f32`, with the same rounding as the loop below).
    static func averageBackward<T: ConvolutionScalar>(_ w: PoolingWindows, dy: UnsafePointer<T>, dx: UnsafeMutablePointer<T>) {
        let C = w.channels, inStride = w.inputPositions * C, outStride = w.outputPositions * C
        w.starts.withUnsafeBufferPointer { starts in
            w.positions.withUnsafeBufferPointer { positions in
                forEachSample(w) { n in
                    let gs = dy + n * outStride, dxs = dx + n * inStride
                    if T.self == Float.self {
                        keras_average_pool_backward_f32(w.outputPositions, C, inStride, starts.baseAddress!, positions.baseAddress!,
                                                        UnsafeRawPointer(gs).assumingMemoryBound(to: Float.self),
                                                        UnsafeMutableRawPointer(dxs).assumingMemoryBound(to: Float.self))
                        return
                    }
                    dxs.initialize(repeating: 0, count: inStride)
                    for row in 0..<w.outputPositions {
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

/// The windows of a pooling op on one channels-last sample, the same for every sample: output
/// position `row` reads the input positions `positions[starts[row] ..< starts[row + 1]]` (only
/// real ones: padding has none), each over `channels` contiguous values.
struct PoolingWindows: Sendable {
    let batch: Int, channels: Int, inputPositions: Int, outputPositions: Int
    private(set) var starts: [Int] = [0]
    private(set) var positions: [Int] = []

    /// The windows of a sliding-window geometry (``ConvGeometry``, three spatial axes).
    init(_ g: ConvGeometry) {
        (batch, channels, inputPositions, outputPositions) = (g.batch, g.inChannels, g.inputPositions, g.outputPositions)
        // The real (unpadded) taps of each output position along an axis: `lo..<hi`.
        func tapRanges(_ axis: Int) -> [(lo: Int, hi: Int)] {
            (0..<g.output[axis]).map { o in
                let start = o * g.strides[axis] - g.padBefore[axis]
                return (Swift.max(0, -start), Swift.min(g.kernel[axis], g.input[axis] - start))
            }
        }
        let rd = tapRanges(0), rh = tapRanges(1), rw = tapRanges(2)
        let (IH, IW) = (g.input[1], g.input[2])
        positions.reserveCapacity(g.outputPositions * g.taps)
        for od in 0..<g.output[0] {
            let d0 = od * g.strides[0] - g.padBefore[0]
            for oh in 0..<g.output[1] {
                let h0 = oh * g.strides[1] - g.padBefore[1]
                for ow in 0..<g.output[2] {
                    let w0 = ow * g.strides[2] - g.padBefore[2]
                    for td in rd[od].lo..<rd[od].hi {
                        for th in rh[oh].lo..<rh[oh].hi {
                            let base = ((d0 + td) * IH + h0 + th) * IW + w0
                            for tw in rw[ow].lo..<rw[ow].hi { positions.append(base + tw) }
                        }
                    }
                    starts.append(positions.count)
                }
            }
        }
    }

    /// The windows of adaptive pooling of a `(batch, spatial…, channels)` input (1 to 3 spatial
    /// axes) to `outputSize`: along each axis, the ranges of ``adaptivePoolingBins(inputSize:outputSize:)``.
    init(adaptiveInput shape: [Int], outputSize: [Int]) {
        let n = shape.count - 2
        // Leading size-1 axes make three spatial axes, so that one loop nest serves 1D to 3D.
        let input = [Int](repeating: 1, count: 3 - n) + Array(shape[1...n])
        let output = [Int](repeating: 1, count: 3 - n) + outputSize
        (batch, channels, inputPositions, outputPositions) = (shape[0], shape[n + 1], input.reduce(1, *), output.reduce(1, *))
        let bins = (0..<3).map { adaptivePoolingBins(inputSize: input[$0], outputSize: output[$0]) }
        for bd in bins[0] {
            for bh in bins[1] {
                for bw in bins[2] {
                    for d in bd { for h in bh { for w in bw { positions.append((d * input[1] + h) * input[2] + w) } } }
                    starts.append(positions.count)
                }
            }
        }
    }
}
