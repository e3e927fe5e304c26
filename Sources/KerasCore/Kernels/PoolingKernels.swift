/// Max and average pooling on channels-last buffers, forward and backward, over the window
/// geometry the convolution kernels use (``ConvGeometry`` with `inChannels == outChannels`).
/// Positions in the padding are skipped: they never win a max, and an average divides by the
/// number of real inputs in its window (Keras's "average pooling ignores padding").
enum PoolingKernels {
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

    static func maxForward<T: ConvolutionScalar>(_ g: ConvGeometry, x: UnsafePointer<T>, y: UnsafeMutablePointer<T>) {
        let C = g.inChannels, inStride = g.inputPositions * C, outStride = g.outputPositions * C
        forEachSample(g) { n in
            let xs = x + n * inStride, ys = y + n * outStride
            ys.initialize(repeating: -.infinity, count: outStride)
            ConvolutionKernels.forEachTap(g) { row, _, offset in
                guard let offset else { return }
                let src = xs + offset * C, dst = ys + row * C
                for c in 0..<C {
                    let v = src[c], current = dst[c]
                    dst[c] = v > current || v.isNaN ? v : current
                }
            }
        }
    }

    /// Sends each output gradient to the first input of its window that holds the maximum.
    static func maxBackward<T: ConvolutionScalar>(_ g: ConvGeometry, x: UnsafePointer<T>, y: UnsafePointer<T>,
                                                  dy: UnsafePointer<T>, dx: UnsafeMutablePointer<T>) {
        let C = g.inChannels, inStride = g.inputPositions * C, outStride = g.outputPositions * C
        forEachSample(g) { n in
            let xs = x + n * inStride, ys = y + n * outStride, gs = dy + n * outStride, dxs = dx + n * inStride
            dxs.initialize(repeating: 0, count: inStride)
            let taken = UnsafeMutablePointer<Bool>.allocate(capacity: C)
            defer { taken.deallocate() }
            ConvolutionKernels.forEachTap(g) { row, tap, offset in
                if tap == 0 { taken.initialize(repeating: false, count: C) }
                guard let offset else { return }
                let src = xs + offset * C, best = ys + row * C, grad = gs + row * C, dst = dxs + offset * C
                for c in 0..<C where !taken[c] && src[c] == best[c] {
                    dst[c] += grad[c]
                    taken[c] = true
                }
            }
        }
    }

    /// The number of real (unpadded) inputs in each output position's window.
    private static func windowCounts<T: ConvolutionScalar>(_ g: ConvGeometry, _: T.Type) -> [T] {
        var counts = [T](repeating: 0, count: g.outputPositions)
        counts.withUnsafeMutableBufferPointer { counts in
            ConvolutionKernels.forEachTap(g) { row, _, offset in if offset != nil { counts[row] += 1 } }
        }
        return counts
    }

    static func averageForward<T: ConvolutionScalar>(_ g: ConvGeometry, x: UnsafePointer<T>, y: UnsafeMutablePointer<T>) {
        let C = g.inChannels, inStride = g.inputPositions * C, outStride = g.outputPositions * C
        let counts = windowCounts(g, T.self)
        counts.withUnsafeBufferPointer { counts in
            forEachSample(g) { n in
                let xs = x + n * inStride, ys = y + n * outStride
                ys.initialize(repeating: 0, count: outStride)
                ConvolutionKernels.forEachTap(g) { row, _, offset in
                    guard let offset else { return }
                    let src = xs + offset * C, dst = ys + row * C
                    for c in 0..<C { dst[c] += src[c] }
                }
                for row in 0..<g.outputPositions {
                    let scale = 1 / counts[row], dst = ys + row * C
                    for c in 0..<C { dst[c] *= scale }
                }
            }
        }
    }

    static func averageBackward<T: ConvolutionScalar>(_ g: ConvGeometry, dy: UnsafePointer<T>, dx: UnsafeMutablePointer<T>) {
        let C = g.inChannels, inStride = g.inputPositions * C, outStride = g.outputPositions * C
        let counts = windowCounts(g, T.self)
        counts.withUnsafeBufferPointer { counts in
            forEachSample(g) { n in
                let gs = dy + n * outStride, dxs = dx + n * inStride
                dxs.initialize(repeating: 0, count: inStride)
                ConvolutionKernels.forEachTap(g) { row, _, offset in
                    guard let offset else { return }
                    let scale = 1 / counts[row], grad = gs + row * C, dst = dxs + offset * C
                    for c in 0..<C { dst[c] += grad[c] * scale }
                }
            }
        }
    }
}
