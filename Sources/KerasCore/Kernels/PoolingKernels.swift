import CKernels

/// Max and average pooling on channels-last buffers, forward and backward, over the window
/// geometry the convolution kernels use (``ConvGeometry`` with `inChannels == outChannels`).
/// Positions in the padding are skipped: they never win a max, and an average divides by the
/// number of real inputs in its window (Keras's "average pooling ignores padding").
enum PoolingKernels {
    /// The real (unpadded) taps of each output position along one axis: `lo..<hi`.
    private static func tapRanges(_ g: ConvGeometry, axis: Int) -> [(lo: Int, hi: Int)] {
        (0..<g.output[axis]).map { o in
            let start = o * g.strides[axis] - g.padBefore[axis]
            return (Swift.max(0, -start), Swift.min(g.kernel[axis], g.input[axis] - start))
        }
    }

    /// The real (unpadded) input positions of every output position's window, the same for
    /// every sample: output `row` reads `positions[starts[row] ..< starts[row + 1]]`.
    fileprivate struct Windows {
        var starts: [Int] = [0]
        var positions: [Int] = []

        init(_ g: ConvGeometry) {
            let rd = tapRanges(g, axis: 0), rh = tapRanges(g, axis: 1), rw = tapRanges(g, axis: 2)
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
    }

    /// Runs `body(n)` for every sample, spread over the cores when the work is large.
    @inline(__always)
    private static func forEachSample(_ g: ConvGeometry, _ body: (Int) -> Void) {
        let work = g.batch * g.outputPositions * g.taps * g.inChannels
        let pieces = Swift.min(Parallel.pieceCount(work), g.batch)
        withoutActuallyEscaping(body) { body in
            Parallel.forEachPiece(g.batch, pieces: pieces, context: body) { _, range, body in
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
    static func maxForward<T: ConvolutionScalar>(_ g: ConvGeometry, x: UnsafePointer<T>, y: UnsafeMutablePointer<T>,
                                                 argmax: UnsafeMutablePointer<Int32>?) {
        let C = g.inChannels, inStride = g.inputPositions * C, outStride = g.outputPositions * C
        let windows = Windows(g)
        windows.starts.withUnsafeBufferPointer { starts in
            windows.positions.withUnsafeBufferPointer { positions in
                forEachSample(g) { n in
                    let xs = x + n * inStride, ys = y + n * outStride
                    if T.self == Float.self {
                        keras_max_pool_f32(g.outputPositions, C, UnsafeRawPointer(xs).assumingMemoryBound(to: Float.self),
                                           starts.baseAddress!, positions.baseAddress!,
                                           UnsafeMutableRawPointer(ys).assumingMemoryBound(to: Float.self), argmax.map { $0 + n * outStride })
                        return
                    }
                    for row in 0..<g.outputPositions {
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
        fileprivate let windows: Windows

        init(_ g: ConvGeometry) {
            geometry = g
            windows = Windows(g)
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
    static func maxBackward<T: ConvolutionScalar>(_ g: ConvGeometry, argmax: UnsafePointer<Int32>,
                                                  dy: UnsafePointer<T>, dx: UnsafeMutablePointer<T>) {
        let inStride = g.inputPositions * g.inChannels, outStride = g.outputPositions * g.inChannels
        forEachSample(g) { n in
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
    static func averageForward<T: ConvolutionScalar>(_ g: ConvGeometry, x: UnsafePointer<T>, y: UnsafeMutablePointer<T>) {
        let C = g.inChannels, inStride = g.inputPositions * C, outStride = g.outputPositions * C
        let windows = Windows(g)
        windows.starts.withUnsafeBufferPointer { starts in
            windows.positions.withUnsafeBufferPointer { positions in
                forEachSample(g) { n in
                    let xs = x + n * inStride, ys = y + n * outStride
                    if T.self == Float.self {
                        keras_average_pool_f32(g.outputPositions, C, UnsafeRawPointer(xs).assumingMemoryBound(to: Float.self),
                                               starts.baseAddress!, positions.baseAddress!,
                                               UnsafeMutableRawPointer(ys).assumingMemoryBound(to: Float.self))
                        return
                    }
                    for row in 0..<g.outputPositions {
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
    static func averageBackward<T: ConvolutionScalar>(_ g: ConvGeometry, dy: UnsafePointer<T>, dx: UnsafeMutablePointer<T>) {
        let C = g.inChannels, inStride = g.inputPositions * C, outStride = g.outputPositions * C
        let windows = Windows(g)
        windows.starts.withUnsafeBufferPointer { starts in
            windows.positions.withUnsafeBufferPointer { positions in
                forEachSample(g) { n in
                    let gs = dy + n * outStride, dxs = dx + n * inStride
                    if T.self == Float.self {
                        keras_average_pool_backward_f32(g.outputPositions, C, inStride, starts.baseAddress!, positions.baseAddress!,
                                                        UnsafeRawPointer(gs).assumingMemoryBound(to: Float.self),
                                                        UnsafeMutableRawPointer(dxs).assumingMemoryBound(to: Float.self))
                        return
                    }
                    dxs.initialize(repeating: 0, count: inStride)
                    for row in 0..<g.outputPositions {
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
