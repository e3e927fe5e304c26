import Foundation

/// Image ops from `keras.ops.image` on channels-last images — one image `(height, width,
/// channels)` or a batch `(batch, height, width, channels)`: `resize` and `affine_transform`,
/// with JAX's sampling conventions (pixel centers at `i + 0.5`, SciPy's fill modes).

/// How an image op samples between pixels. ``Tensor/affineTransform(_:interpolation:fillMode:fillValue:)``
/// takes `nearest` and `bilinear`; resizing takes them all.
///
/// ```swift
/// image.resizeImages(height: 64, width: 64, interpolation: .bicubic)
/// ```
public enum ImageInterpolation: String, Sendable, CaseIterable {
    /// The closest pixel.
    case nearest
    /// The distance-weighted mean of the 2×2 closest pixels (a triangle kernel).
    case bilinear
    /// Keys's cubic convolution (a = −0.5) over the 4×4 closest pixels.
    case bicubic
    /// Lanczos resampling with a kernel of radius 3.
    case lanczos3
    /// Lanczos resampling with a kernel of radius 5.
    case lanczos5

    /// The 1-D kernel of a separable resampling method at distance `x ≥ 0` (JAX's kernels).
    func kernel(_ x: Double) -> Double {
        switch self {
        case .nearest, .bilinear: return Swift.max(0, 1 - x)
        case .bicubic:
            if x >= 2 { return 0 }
            if x >= 1 { return ((-0.5 * x + 2.5) * x - 4) * x + 2 }
            return ((1.5 * x - 2.5) * x) * x + 1
        case .lanczos3, .lanczos5:
            let radius: Double = self == .lanczos3 ? 3 : 5
            if x > radius { return 0 }
            if x <= 1e-3 { return 1 }
            return radius * _sin(Double.pi * x) * _sin(Double.pi * x / radius) / (Double.pi * Double.pi * x * x)
        }
    }
}

/// How ``Tensor/affineTransform(_:interpolation:fillMode:fillValue:)`` fills points that fall
/// outside the image (SciPy's `ndimage` modes, as `keras.ops.image.affine_transform`), shown for
/// a row `a b c d`:
///
/// ```swift
/// image.affineTransform(shift, fillMode: .reflect)
/// ```
public enum ImageFillMode: String, Sendable, CaseIterable {
    /// `k k k k | a b c d | k k k k` with `k` the fill value.
    case constant
    /// `a a a a | a b c d | d d d d`.
    case nearest
    /// `a b c d | a b c d | a b c d`.
    case wrap
    /// `d c b | a b c d | c b a` (about the edge pixels' centers).
    case mirror
    /// `d c b a | a b c d | d c b a` (about the image's edges).
    case reflect

    /// The pixel index standing in for `index` on an axis of `size` pixels, or `nil` where
    /// ``constant`` fills.
    @inline(__always)
    func resolve(_ index: Int, size: Int) -> Int? {
        if index >= 0 && index < size { return index }
        switch self {
        case .constant: return nil
        case .nearest: return Swift.min(Swift.max(index, 0), size - 1)
        case .wrap: return ((index % size) + size) % size
        case .mirror: return Self.mirrored(index, size: size)
        case .reflect: return (Self.mirrored(2 * index + 1, size: 2 * size + 1) - 1) / 2
        }
    }

    /// The triangular wave `|(i + s) mod 2s − s|` with `s = size − 1`.
    @inline(__always)
    private static func mirrored(_ index: Int, size: Int) -> Int {
        let s = size - 1
        guard s > 0 else { return 0 }
        let m = ((index + s) % (2 * s) + 2 * s) % (2 * s)
        return Swift.abs(m - s)
    }
}

extension Tensor {
    /// The images resized to `height × width` (`keras.ops.image.resize`, without antialiasing).
    /// Output pixel `i` samples the input at `(i + 0.5) · in / out − 0.5`; bilinear sampling
    /// clamps at the edges, nearest takes pixel `⌊(i + 0.5) · in / out⌋`.
    ///
    /// `cropToAspectRatio` first crops the largest centered window with the target's aspect
    /// ratio; `padToAspectRatio` instead pads the image evenly with `fillValue` to that ratio.
    /// Bicubic and Lanczos sampling weigh more neighbours with their kernels; `antialias` widens
    /// the kernel by the downsampling factor when shrinking (a low-pass filter), as JAX's
    /// `scale_and_translate` does. Differentiable with respect to the images.
    ///
    /// ```swift
    /// let small = Tensor.ones([2, 8, 8, 3]).resizeImages(height: 4, width: 4)   // (2, 4, 4, 3)
    /// let smooth = photos.resizeImages(height: 64, width: 64, interpolation: .bicubic, antialias: true)
    /// ```
    public func resizeImages(height: Int, width: Int, interpolation: ImageInterpolation = .bilinear,
                             antialias: Bool = false, cropToAspectRatio: Bool = false, padToAspectRatio: Bool = false,
                             fillValue: Double = 0) -> Tensor {
        let (hAxis, wAxis) = imageAxes(op: "resize")
        require(height > 0 && width > 0, "resize: the target size must be positive, got (\(height), \(width))")
        require(!(cropToAspectRatio && padToAspectRatio), "resize: Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be `True`.")
        var images = dtype.isFloatingPoint ? self : cast(to: .float32)
        let h = shape[hAxis], w = shape[wAxis]
        if cropToAspectRatio {
            let cropH = Swift.max(Swift.min(h, Int(Double(w * height) / Double(width))), 1)
            let cropW = Swift.max(Swift.min(w, Int(Double(h * width) / Double(height))), 1)
            let top = (h - cropH) / 2, left = (w - cropW) / 2
            images = images.slice(axis: hAxis, start: top, end: top + cropH).slice(axis: wAxis, start: left, end: left + cropW)
        } else if padToAspectRatio {
            let padH = Swift.max(h, Int(Double(w * height) / Double(width)))
            let padW = Swift.max(w, Int(Double(h * width) / Double(height)))
            let top = (padH - h) / 2, left = (padW - w) / 2
            // Keras pads the same amount on both sides, rows first (so an odd one-pixel gap stays unpadded).
            var widths = [(Int, Int)](repeating: (0, 0), count: rank)
            widths[hAxis] = (top, top)
            widths[wAxis] = top > 0 ? (0, 0) : (left, left)
            images = images.pad(widths, value: fillValue)
        }
        return images.resizedAxis(hAxis, to: height, interpolation: interpolation, antialias: antialias)
            .resizedAxis(wAxis, to: width, interpolation: interpolation, antialias: antialias)
    }

    /// The (height, width) axes of a channels-last image or batch of images.
    func imageAxes(op: String) -> (Int, Int) {
        require(rank == 3 || rank == 4, "\(op): Invalid images rank: expected rank 3 (single image) or rank 4 (batch of images). Received input with shape: images.shape=\(shape)")
        return rank == 4 ? (1, 2) : (0, 1)
    }

    /// One axis resampled to `size` entries: a gather (nearest), a blend of two gathers
    /// (bilinear without antialiasing), or a product with the kernel's weight matrix.
    private func resizedAxis(_ axis: Int, to size: Int, interpolation: ImageInterpolation, antialias: Bool) -> Tensor {
        let n = shape[axis]
        guard n != size else { return self }
        require(n > 0, "resize: cannot resize an image with an empty axis (shape \(shape))")
        let scale = Double(n) / Double(size)
        switch interpolation {
        case .bicubic, .lanczos3, .lanczos5:
            return resampledAxis(axis, to: size, interpolation: interpolation, antialias: antialias)
        case .bilinear where antialias:
            return resampledAxis(axis, to: size, interpolation: interpolation, antialias: antialias)
        case .nearest:
            let indices = (0..<size).map { Swift.min(Int(((Double($0) + 0.5) * scale).rounded(.down)), n - 1) }
            return gatherAxis(axis, indices: indices)
        case .bilinear:
            var lower = [Int](), upper = [Int](), weights = [Double]()
            for i in 0..<size {
                let s = (Double(i) + 0.5) * scale - 0.5
                let f = s.rounded(.down)
                lower.append(Swift.min(Swift.max(Int(f), 0), n - 1))
                upper.append(Swift.min(Swift.max(Int(f) + 1, 0), n - 1))
                weights.append(s - f)
            }
            var weightShape = [Int](repeating: 1, count: rank)
            weightShape[axis] = size
            let t = Tensor(shape: weightShape, doubles: weights, dtype: dtype)
            let a = gatherAxis(axis, indices: lower), b = gatherAxis(axis, indices: upper)
            return a + (b - a) * t
        }
    }

    /// One axis resampled with the `(n, size)` weight matrix of `interpolation`'s kernel: sample
    /// `j` sits at `(j + 0.5)·n/size − 0.5`; each column is normalized to sum 1 over the pixels
    /// inside the image, and samples outside `[−0.5, n − 0.5]` get no weight.
    private func resampledAxis(_ axis: Int, to size: Int, interpolation: ImageInterpolation, antialias: Bool) -> Tensor {
        let n = shape[axis]
        let inverseScale = Double(n) / Double(size)
        let kernelScale = antialias ? Swift.max(inverseScale, 1) : 1
        var weights = [Double](repeating: 0, count: n * size)
        for j in 0..<size {
            let sample = (Double(j) + 0.5) * inverseScale - 0.5
            guard sample >= -0.5 && sample <= Double(n) - 0.5 else { continue }
            var total = 0.0
            for i in 0..<n { total += interpolation.kernel(Swift.abs(sample - Double(i)) / kernelScale) }
            guard Swift.abs(total) > 1000 * Double(Float.ulpOfOne) else { continue }
            for i in 0..<n { weights[i * size + j] = interpolation.kernel(Swift.abs(sample - Double(i)) / kernelScale) / total }
        }
        let matrix = Tensor(shape: [n, size], doubles: weights, dtype: dtype)
        // Move the axis last, contract it with the matrix, move it back.
        var perm = Array(0..<rank)
        perm.remove(at: axis)
        perm.append(axis)
        let moved = transposed(perm)
        let rows = moved.shape.dropLast().reduce(1, *)
        let resampled = moved.reshaped(to: [rows, n]).matmul(matrix).reshaped(to: Array(moved.shape.dropLast()) + [size])
        var inverse = [Int](repeating: 0, count: rank)
        for (i, p) in perm.enumerated() { inverse[p] = i }
        return resampled.transposed(inverse)
    }

    /// The images sampled through projective transforms (`keras.ops.image.affine_transform`):
    /// each transform `[a0, a1, a2, b0, b1, b2, c0, c1]` maps output pixel `(x, y)` (column, row)
    /// to the input point `((a0·x + a1·y + a2) / k, (b0·x + b1·y + b2) / k)` with
    /// `k = c0·x + c1·y + 1`. `transforms` is `(8,)` for one image or `(batch, 8)`. Points
    /// outside the image are filled as `fillMode` says. Differentiable with respect to the images.
    ///
    /// ```swift
    /// // Shift every image one pixel to the right, filling the first column with zeros.
    /// let shifted = images.affineTransform(Tensor([1, 0, -1, 0, 1, 0, 0, 0] as [Float]),
    ///                                      fillMode: .constant)
    /// ```
    public func affineTransform(_ transforms: Tensor, interpolation: ImageInterpolation = .bilinear,
                                fillMode: ImageFillMode = .constant, fillValue: Double = 0) -> Tensor {
        let batched = rank == 4
        _ = imageAxes(op: "affine_transform")
        require(interpolation == .nearest || interpolation == .bilinear,
                "affine_transform: Invalid value for argument `interpolation`. Expected of one ['nearest', 'bilinear']. Received: interpolation=\(interpolation.rawValue)")
        let images = dtype.isFloatingPoint ? self : cast(to: .float32)
        let batch = batched ? shape[0] : 1
        let expected = batched ? [batch, 8] : [8]
        require(transforms.shape == expected || (batched && transforms.shape == [8]),
                "affine_transform: transform must be of shape \(formatShapeTuple(expected)) for images of shape \(formatShapeTuple(shape)), received \(formatShapeTuple(transforms.shape))")
        let coefficients = transforms.doubles
        let perImage = transforms.rank == 2 ? 8 : 0
        let height = images.shape[batched ? 1 : 0], width = images.shape[batched ? 2 : 1]
        let plan = PointSampling(batch: batch, height: height, width: width, interpolation: interpolation, fillMode: fillMode) { taps in
            for b in 0..<batch {
                let t = Array(coefficients[(b * perImage)..<(b * perImage + 8)])
                for y in 0..<height {
                    for x in 0..<width {
                        let fx = Double(x), fy = Double(y)
                        let k = t[6] * fx + t[7] * fy + 1
                        taps.sample((b * height + y) * width + x, row: (t[3] * fx + t[4] * fy + t[5]) / k,
                                    col: (t[0] * fx + t[1] * fy + t[2]) / k)
                    }
                }
            }
        }
        let channels = images.shape[images.rank - 1]
        let out = plan.gather(images, channels: channels, fillValue: fillValue, outShape: images.shape)
        return Tensor.record("affine_transform", inputs: [images], output: out) { g in
            [plan.scatter(g, like: images, channels: channels)]
        }
    }
}

@inline(__always) private func _sin(_ x: Double) -> Double { Foundation.sin(x) }

/// Python's tuple spelling of a shape, for messages.
private func formatShapeTuple(_ shape: [Int]) -> String {
    shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
}

/// For each output point, the (at most `corners`) input elements it blends and their weights;
/// `-1` marks an element outside the input under the constant fill mode, which contributes the
/// fill value instead. The points come in `groups` equal runs (the images of a batch), run `g`
/// sampling only the `g`-th equal slice of the input; sources index groups of `channels`
/// contiguous elements within that slice.
struct PointSampling {
    let points: Int
    let corners: Int
    var groups = 1
    let sources: [Int32]
    let weights: [Double]

    /// The sampled values, `channels` per point: Σ weight · (input or `fillValue`).
    func gather(_ input: Tensor, channels: Int, fillValue: Double, outShape: [Int]) -> Tensor {
        let out = Tensor(uninitializedShape: outShape, dtype: input.dtype)
        func run<T: BinaryFloatingPoint>(_: T.Type) {
            let src = input.pointer(T.self), dst = out.pointer(T.self)
            let fill = T(fillValue)
            forEachGroup(inputCount: input.scalarCount) { points, offset, sources, weights in
                let slice = src + offset
                for p in points {
                    let o = dst + p * channels
                    for ch in 0..<channels { o[ch] = 0 }
                    for k in (p * corners)..<(p * corners + corners) {
                        let w = T(weights[k])
                        guard w != 0 else { continue }
                        let s = Int(sources[k])
                        if s < 0 {
                            for ch in 0..<channels { o[ch] += w * fill }
                        } else {
                            let pixel = slice + s * channels
                            for ch in 0..<channels { o[ch] += w * pixel[ch] }
                        }
                    }
                }
            }
        }
        withExtendedLifetime(input) {
            if input.dtype == .float64 { run(Double.self) } else { run(Float.self) }
        }
        return out
    }

    /// The adjoint of ``gather(_:channels:fillValue:outShape:)`` with respect to the input.
    func scatter(_ g: Tensor, like input: Tensor, channels: Int) -> Tensor {
        let grad = g.dtype == input.dtype ? g : g.cast(to: input.dtype)
        let out = Tensor.zeros(input.shape, dtype: input.dtype)
        func run<T: BinaryFloatingPoint>(_: T.Type) {
            let src = grad.pointer(T.self), dst = out.pointer(T.self)
            forEachGroup(inputCount: input.scalarCount) { points, offset, sources, weights in
                let slice = dst + offset
                for p in points {
                    let gp = src + p * channels
                    for k in (p * corners)..<(p * corners + corners) {
                        let s = Int(sources[k]), w = T(weights[k])
                        guard s >= 0, w != 0 else { continue }
                        let pixel = slice + s * channels
                        for ch in 0..<channels { pixel[ch] += w * gp[ch] }
                    }
                }
            }
        }
        withExtendedLifetime(grad) {
            if input.dtype == .float64 { run(Double.self) } else { run(Float.self) }
        }
        return out
    }

    /// Calls `body` once per group with its points, the offset of its slice of an input of
    /// `inputCount` elements, and the taps.
    @inline(__always)
    private func forEachGroup(inputCount: Int, _ body: (_ points: Range<Int>, _ offset: Int, _ sources: UnsafeBufferPointer<Int32>,
                                                         _ weights: UnsafeBufferPointer<Double>) -> Void) {
        guard groups > 0 else { return }
        let perGroup = points / groups, stride = inputCount / groups
        sources.withUnsafeBufferPointer { sources in
            weights.withUnsafeBufferPointer { weights in
                for group in 0..<groups {
                    body((group * perGroup)..<(group * perGroup + perGroup), group * stride, sources, weights)
                }
            }
        }
    }
}

extension PointSampling {
    /// The sampling of `batch` images of `height × width` pixels, one group per image: nearest
    /// (one tap) or bilinear (four taps), taps outside the image resolved as `fillMode` says.
    /// `place` gives every output pixel its input point with ``ImageTaps/sample(_:row:col:)``;
    /// points not finite, or `bound` or more from the origin on an axis, blend nothing.
    init(batch: Int, height: Int, width: Int, interpolation: ImageInterpolation, fillMode: ImageFillMode,
         bound: Double = .infinity, place: (ImageTaps) -> Void) {
        let points = batch * height * width
        let corners = interpolation == .nearest ? 1 : 4   // else bilinear: the image ops take no other method
        var sources = [Int32](repeating: -1, count: points * corners)
        var weights = [Double](repeating: 0, count: points * corners)
        sources.withUnsafeMutableBufferPointer { sources in
            weights.withUnsafeMutableBufferPointer { weights in
                place(ImageTaps(height: height, width: width, corners: corners, fillMode: fillMode, bound: bound,
                                sources: sources, weights: weights))
            }
        }
        self.init(points: points, corners: corners, groups: batch, sources: sources, weights: weights)
    }
}

/// The taps of an image ``PointSampling`` under construction.
struct ImageTaps {
    let height: Int
    let width: Int
    let corners: Int
    let fillMode: ImageFillMode
    let bound: Double
    let sources: UnsafeMutableBufferPointer<Int32>
    let weights: UnsafeMutableBufferPointer<Double>

    /// A distance, in pixels, past which a coordinate is clamped: 2^52, where a `Double` has no
    /// fraction left. A clamped point still lies outside any image, so the fill mode's rule applies
    /// to it as before, and its index stays far inside `Int`'s range (a transform coefficient of
    /// 1e30 stopped the program converting the coordinate).
    static let farthest = 0x1p52

    /// Output pixel `p` (images, then rows, then columns) samples its image at row `row`, column `col`.
    @inline(__always)
    func sample(_ p: Int, row: Double, col: Double) {
        guard row.isFinite, col.isFinite, Swift.abs(row) < bound, Swift.abs(col) < bound else { return }
        let row = Swift.min(Swift.max(row, -Self.farthest), Self.farthest)
        let col = Swift.min(Swift.max(col, -Self.farthest), Self.farthest)
        let base = p * corners
        if corners == 1 {
            set(base, Int(row.rounded(.toNearestOrAwayFromZero)), Int(col.rounded(.toNearestOrAwayFromZero)), 1)
        } else {
            let r0 = row.rounded(.down), c0 = col.rounded(.down)
            let wr = row - r0, wc = col - c0
            let ri = Int(r0), ci = Int(c0)
            set(base, ri, ci, (1 - wr) * (1 - wc))
            set(base + 1, ri, ci + 1, (1 - wr) * wc)
            set(base + 2, ri + 1, ci, wr * (1 - wc))
            set(base + 3, ri + 1, ci + 1, wr * wc)
        }
    }

    @inline(__always)
    private func set(_ tap: Int, _ r: Int, _ c: Int, _ weight: Double) {
        weights[tap] = weight
        if let rr = fillMode.resolve(r, size: height), let cc = fillMode.resolve(c, size: width) {
            sources[tap] = Int32(rr * width + cc)
        }
    }
}
