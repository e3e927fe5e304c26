/// Convolution kernels on channels-last buffers: im2col + GEMM for the forward pass, the gradient
/// with respect to the input (GEMM + col2im) and the gradient with respect to the kernel
/// (im2colᵀ · GEMM). Every rank (1-D, 2-D, 3-D) runs as 3-D with leading spatial sizes of 1.
///
/// Samples are processed in chunks whose column matrix stays cache-sized, and the chunks are
/// spread over the cores, each thread with its own column buffer (its GEMMs then run on that
/// thread). float64 (gradient checks) runs here with a plain-loop product; float32 runs through
/// oneDNN's convolution primitives (``DNNLConvolution``), faster than im2col + sgemm on the
/// benchmark CNN (`KERAS_CONV_IM2COL=1` sends float32 back here, with oneDNN's sgemm).

/// The shapes of one convolution, with every spatial list padded to three entries.
struct ConvGeometry: Hashable {
    var batch: Int
    /// Input, output and kernel spatial sizes (depth, height, width).
    var input: [Int], output: [Int], kernel: [Int]
    var strides: [Int], dilation: [Int]
    /// Zero padding before each spatial axis (the padding after is implied by ``output``).
    var padBefore: [Int]
    var inChannels: Int, outChannels: Int, groups: Int

    /// Builds the 3-D form of an `n`-D geometry (`n` ≤ 3).
    init(batch: Int, input: [Int], output: [Int], kernel: [Int], strides: [Int], dilation: [Int],
         padBefore: [Int], inChannels: Int, outChannels: Int, groups: Int) {
        func lift(_ a: [Int], _ fill: Int) -> [Int] { [Int](repeating: fill, count: 3 - a.count) + a }
        self.batch = batch
        self.input = lift(input, 1)
        self.output = lift(output, 1)
        self.kernel = lift(kernel, 1)
        self.strides = lift(strides, 1)
        self.dilation = lift(dilation, 1)
        self.padBefore = lift(padBefore, 0)
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.groups = groups
    }

    var groupIn: Int { inChannels / groups }
    var groupOut: Int { outChannels / groups }
    var taps: Int { kernel[0] * kernel[1] * kernel[2] }
    /// Columns of the im2col matrix for one group: taps × input channels of the group.
    var groupDepth: Int { taps * groupIn }
    /// Columns of the whole im2col row (all groups side by side).
    var rowDepth: Int { groups * groupDepth }
    var outputPositions: Int { output[0] * output[1] * output[2] }
    var inputPositions: Int { input[0] * input[1] * input[2] }

    /// Samples per chunk: enough rows for the GEMM to run at full width, few enough that the
    /// column matrix (about 1 MiB of float32) stays in cache between im2col and GEMM, and at
    /// least one chunk per thread.
    var chunkSamples: Int {
        let cached = Swift.max(1, (1 << 18) / Swift.max(1, outputPositions * rowDepth))
        return Swift.max(1, Swift.min(cached, (batch + threads - 1) / threads))
    }

    /// How many threads share the work (one per core for large problems, never more than samples).
    var threads: Int {
        Swift.min(Parallel.pieceCount(batch * outputPositions * rowDepth * groupOut, threshold: 1 << 20), batch)
    }

    /// The chunks of samples, and how many pieces (threads) they are spread over.
    var pieces: Int { Swift.min(threads, (batch + chunkSamples - 1) / chunkSamples) }
}

/// The scalar types the convolution kernels run in, with their matrix product.
protocol ConvolutionScalar: TensorScalar, BinaryFloatingPoint {
    /// `C = op(A)·op(B) + beta·C`, row-major, on the calling thread or split as the type sees fit.
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                     a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
                     beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
}

extension Float: ConvolutionScalar {
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                     a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                     beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        Gemm.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                   beta: beta, c: c, ldc: ldc)
    }
}

extension Double: ConvolutionScalar {
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                     a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
                     beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        for i in 0..<m {
            let row = c + i * ldc
            if beta == 0 { row.initialize(repeating: 0, count: n) }
            for p in 0..<k {
                let av = transA ? a[p * lda + i] : a[i * lda + p]
                if transB {
                    for j in 0..<n { row[j] += av * b[j * ldb + p] }
                } else {
                    let brow = b + p * ldb
                    for j in 0..<n { row[j] += av * brow[j] }
                }
            }
        }
    }
}

enum ConvolutionKernels {
    /// Visits, for every output position of sample `n` (in row order) and every kernel tap, the
    /// input position it reads (`nil` in the padding): `body(row, tap, inputOffset?)`, with
    /// `inputOffset` counted in positions from the sample's first position.
    @inline(__always)
    static func forEachTap(_ g: ConvGeometry, _ body: (Int, Int, Int?) -> Void) {
        let (OD, OH, OW) = (g.output[0], g.output[1], g.output[2])
        let (KD, KH, KW) = (g.kernel[0], g.kernel[1], g.kernel[2])
        let (ID, IH, IW) = (g.input[0], g.input[1], g.input[2])
        var row = 0
        for od in 0..<OD { for oh in 0..<OH { for ow in 0..<OW {
            var tap = 0
            for td in 0..<KD {
                let id = od * g.strides[0] + td * g.dilation[0] - g.padBefore[0]
                for th in 0..<KH {
                    let ih = oh * g.strides[1] + th * g.dilation[1] - g.padBefore[1]
                    for tw in 0..<KW {
                        let iw = ow * g.strides[2] + tw * g.dilation[2] - g.padBefore[2]
                        let inside = id >= 0 && id < ID && ih >= 0 && ih < IH && iw >= 0 && iw < IW
                        body(row, tap, inside ? (id * IH + ih) * IW + iw : nil)
                        tap += 1
                    }
                }
            }
            row += 1
        } } }
    }

    /// One contiguous copy between a sample's input and its im2col rows: `count` elements from
    /// input offset `source` to column offset `target`.
    struct CopyRun {
        var target: Int, source: Int, count: Int
    }

    /// The copies that make the im2col rows of one sample (the same for every sample): one per
    /// real (unpadded) tap and channel group, with neighbours merged (a kernel row of a
    /// stride-agnostic, undilated, ungrouped convolution is one copy). Padded taps have no copy;
    /// their columns stay zero.
    static func copyRuns(_ g: ConvGeometry) -> [CopyRun] {
        let C = g.inChannels, cg = g.groupIn, depth = g.rowDepth, gd = g.groupDepth, groups = g.groups
        var runs: [CopyRun] = []
        runs.reserveCapacity(g.outputPositions * g.kernel[0] * g.kernel[1] * (groups == 1 ? 1 : g.kernel[2] * groups))
        forEachTap(g) { row, tap, offset in
            guard let offset else { return }
            for j in 0..<groups {
                let run = CopyRun(target: row * depth + j * gd + tap * cg, source: offset * C + j * cg, count: cg)
                if let last = runs.last, last.target + last.count == run.target, last.source + last.count == run.source {
                    runs[runs.count - 1].count += run.count
                } else {
                    runs.append(run)
                }
            }
        }
        return runs
    }

    /// Writes the im2col rows of sample `x` (channels-last, one sample) into `col`
    /// (`outputPositions × rowDepth`, laid out `[group][tap][channel of the group]`), whose
    /// padded entries the caller has zeroed.
    @inline(__always)
    static func im2col<T: ConvolutionScalar>(_ runs: UnsafeBufferPointer<CopyRun>, x: UnsafePointer<T>, col: UnsafeMutablePointer<T>) {
        for run in runs {
            let src = x + run.source, dst = col + run.target
            for i in 0..<run.count { dst[i] = src[i] }
        }
    }

    /// The adjoint of ``im2col(_:x:col:)``: adds each column entry into the input position it was
    /// read from (`dx` must be zeroed by the caller).
    @inline(__always)
    static func col2im<T: ConvolutionScalar>(_ runs: UnsafeBufferPointer<CopyRun>, col: UnsafePointer<T>, dx: UnsafeMutablePointer<T>) {
        for run in runs {
            let src = col + run.target, dst = dx + run.source
            for i in 0..<run.count { dst[i] += src[i] }
        }
    }

    /// `y = conv(x, w)`: `x` (batch, input…, inChannels), `w` (kernel…, groupIn, outChannels),
    /// `y` (batch, output…, outChannels).
    static func forward<T: ConvolutionScalar>(_ g: ConvGeometry, x: UnsafePointer<T>, w: UnsafePointer<T>,
                                              y: UnsafeMutablePointer<T>) {
        if T.self == Float.self, DNNLConvolution.supports(g) {
            return DNNLConvolution.forward(g, x: UnsafeRawPointer(x).assumingMemoryBound(to: Float.self),
                                           w: UnsafeRawPointer(w).assumingMemoryBound(to: Float.self),
                                           y: UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self))
        }
        if g.batch == 0 { return }   // an empty batch: `y` is empty too
        let chunk = g.chunkSamples, chunks = (g.batch + chunk - 1) / chunk
        let rowsPerSample = g.outputPositions, depth = g.rowDepth
        let pieces = g.pieces
        let runs = copyRuns(g)
        runs.withUnsafeBufferPointer { runs in
            Parallel.forEachPiece(chunks, pieces: pieces, context: ()) { _, range, _ in
                if range.isEmpty { return }
                let col = UnsafeMutablePointer<T>.allocate(capacity: chunk * rowsPerSample * depth)
                col.initialize(repeating: 0, count: chunk * rowsPerSample * depth)
                defer { col.deallocate() }
                for c in range {
                    let n0 = c * chunk, n1 = Swift.min(g.batch, n0 + chunk)
                    for n in n0..<n1 {
                        im2col(runs, x: x + n * g.inputPositions * g.inChannels, col: col + (n - n0) * rowsPerSample * depth)
                    }
                    let rows = (n1 - n0) * rowsPerSample
                    for j in 0..<g.groups {
                        T.gemm(transA: false, transB: false, m: rows, n: g.groupOut, k: g.groupDepth,
                               a: col + j * g.groupDepth, lda: depth, b: w + j * g.groupOut, ldb: g.outChannels,
                               beta: 0, c: y + n0 * rowsPerSample * g.outChannels + j * g.groupOut, ldc: g.outChannels)
                    }
                }
            }
        }
    }

    /// The gradients of `y = conv(x, w)` given `dy`: into `dx` (same shape as `x`) and/or `dw`
    /// (same shape as `w`) when they are given. Both are overwritten.
    static func backward<T: ConvolutionScalar>(_ g: ConvGeometry, x: UnsafePointer<T>, w: UnsafePointer<T>,
                                               dy: UnsafePointer<T>, dx: UnsafeMutablePointer<T>?,
                                               dw: UnsafeMutablePointer<T>?) {
        if T.self == Float.self, DNNLConvolution.supports(g) {
            return DNNLConvolution.backward(g, x: UnsafeRawPointer(x).assumingMemoryBound(to: Float.self),
                                            w: UnsafeRawPointer(w).assumingMemoryBound(to: Float.self),
                                            dy: UnsafeRawPointer(dy).assumingMemoryBound(to: Float.self),
                                            dx: dx.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: Float.self) },
                                            dw: dw.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: Float.self) })
        }
        if g.batch == 0 {
            // An empty batch: `dx` is empty and the kernel gradient, a sum over no samples, zero.
            dw?.initialize(repeating: 0, count: g.groupDepth * g.outChannels)
            return
        }
        let chunk = g.chunkSamples, chunks = (g.batch + chunk - 1) / chunk
        let rowsPerSample = g.outputPositions, depth = g.rowDepth
        let pieces = g.pieces
        let weightCount = g.groupDepth * g.outChannels
        // Each piece but the first sums its kernel gradient into its own buffer.
        let partials: UnsafeMutablePointer<T>? = dw != nil && pieces > 1
            ? .allocate(capacity: (pieces - 1) * weightCount) : nil
        defer { partials?.deallocate() }
        if let dw { dw.initialize(repeating: 0, count: weightCount) }
        if let partials { partials.initialize(repeating: 0, count: (pieces - 1) * weightCount) }
        if let dx { dx.initialize(repeating: 0, count: g.batch * g.inputPositions * g.inChannels) }
        let runs = copyRuns(g)
        runs.withUnsafeBufferPointer { runs in
            Parallel.forEachPiece(chunks, pieces: pieces, context: ()) { piece, range, _ in
                if range.isEmpty { return }
                // The im2col rows (padding kept zero) and, separately, the column gradient.
                let size = chunk * rowsPerSample * depth
                let col = UnsafeMutablePointer<T>.allocate(capacity: dw == nil ? 0 : size)
                let dcol = UnsafeMutablePointer<T>.allocate(capacity: dx == nil ? 0 : size)
                if dw != nil { col.initialize(repeating: 0, count: size) }
                defer { col.deallocate(); dcol.deallocate() }
                let pieceDW = piece == 0 ? dw : partials.map { $0 + (piece - 1) * weightCount }
                for c in range {
                    let n0 = c * chunk, n1 = Swift.min(g.batch, n0 + chunk)
                    let rows = (n1 - n0) * rowsPerSample
                    let dyChunk = dy + n0 * rowsPerSample * g.outChannels
                    if let pieceDW {
                        for n in n0..<n1 {
                            im2col(runs, x: x + n * g.inputPositions * g.inChannels, col: col + (n - n0) * rowsPerSample * depth)
                        }
                        for j in 0..<g.groups {
                            T.gemm(transA: true, transB: false, m: g.groupDepth, n: g.groupOut, k: rows,
                                   a: col + j * g.groupDepth, lda: depth, b: dyChunk + j * g.groupOut, ldb: g.outChannels,
                                   beta: 1, c: pieceDW + j * g.groupOut, ldc: g.outChannels)
                        }
                    }
                    if let dx {
                        for j in 0..<g.groups {
                            T.gemm(transA: false, transB: true, m: rows, n: g.groupDepth, k: g.groupOut,
                                   a: dyChunk + j * g.groupOut, lda: g.outChannels, b: w + j * g.groupOut, ldb: g.outChannels,
                                   beta: 0, c: dcol + j * g.groupDepth, ldc: depth)
                        }
                        for n in n0..<n1 {
                            col2im(runs, col: dcol + (n - n0) * rowsPerSample * depth, dx: dx + n * g.inputPositions * g.inChannels)
                        }
                    }
                }
            }
            }
            if let dw, let partials {
                for p in 0..<(pieces - 1) {
                    let src = partials + p * weightCount
                    for i in 0..<weightCount { dw[i] += src[i] }
                }
        }
    }
}
