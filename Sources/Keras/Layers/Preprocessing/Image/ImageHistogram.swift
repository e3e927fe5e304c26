import KerasCore

// Shared pieces of the tone layers (RandomInvert, RandomPosterization, Solarization,
// RandomSharpness, AutoContrast, Equalization, ContrastLimitedAdaptiveHistogramEqualization):
// argument checks, Keras's value-range rescaling, and the per-image integer kernels
// (posterization, histogram equalization, CLAHE). The kernels are preprocessing, as in Keras:
// their outputs come from integer histograms and bit shifts and carry no gradient.

// MARK: - Arguments

/// A `value_range` argument: two finite numbers, `distinct` when the layer divides by their
/// difference, sorted when the layer sorts them (Keras's `_set_value_range`).
func toneValueRange(_ range: (Double, Double), layer: String, distinct: Bool, sorted: Bool) throws -> (Double, Double) {
    try ensure(range.0.isFinite && range.1.isFinite && (!distinct || range.0 != range.1),
               "\(layer): The `value_range` argument should be a list of two \(distinct ? "different " : "")finite numbers. Received: value_range=[\(range.0), \(range.1)]")
    return sorted ? (Swift.min(range.0, range.1), Swift.max(range.0, range.1)) : range
}

/// Reads `value_range` (default `[0, 255]`) from a config and checks it with ``toneValueRange``.
func readToneValueRange(_ r: inout ObjectConfigReader, layer: String, distinct: Bool, sorted: Bool) throws -> (Double, Double) {
    guard let value = r.present("value_range") else { return (0, 255) }
    guard let pair = value.arrayValue?.compactMap(\.doubleValue), pair.count == 2, value.arrayValue!.count == 2 else {
        throw r.mismatch("value_range", "a list of two numbers", value)
    }
    return try r.validated { try toneValueRange((pair[0], pair[1]), layer: layer, distinct: distinct, sorted: sorted) }
}

/// `value_range` as a config value.
func valueRangeConfig(_ range: (Double, Double)) -> ConfigValue { [.double(range.0), .double(range.1)] }

// MARK: - Value ranges

/// Rounds a `Double` to the precision of `dtype` (float32 or float64): `Double` arithmetic
/// followed by this rounding gives exactly the float32 result of one `+ − × ÷`.
struct FloatRounding {
    let single: Bool
    init(_ dtype: DType) { single = dtype != .float64 }
    @inline(__always) func callAsFunction(_ x: Double) -> Double { single ? Double(Float(x)) : x }
}

/// Keras's `_transform_value_range`: maps `images` from `source` to `target` linearly, as
/// `(x − s₀) / (s₁ − s₀) · (t₁ − t₀) + t₀` in the images' dtype; the images unchanged when the
/// two ranges are equal.
func transformValueRange(_ images: Tensor, from source: (Double, Double), to target: (Double, Double)) -> Tensor {
    if source == target { return images }
    let r = FloatRounding(images.dtype)
    let (s0, s1, t0, t1) = (r(source.0), r(source.1), r(target.0), r(target.1))
    return (images - s0) / r(s1 - s0) * r(t1 - t0) + t0
}

// MARK: - Posterization

/// Keras's posterization of pixels already in `[0, 255]`: each value converted to `uint8`
/// (truncated, saturating at 0 and 255, NaN to 0), its low `shifts[image]` bits cleared
/// (8 or more clears all), and back to the input's dtype. `images` is `(batch, h, w, c)` or one
/// image `(h, w, c)` with one shift.
func posterizePixels(_ images: Tensor, shifts: [Int]) -> Tensor {
    let values = images.doubles
    let perImage = images.rank == 4 ? images.shape.dropFirst().reduce(1, *) : values.count
    var out = [Double](repeating: 0, count: values.count)
    for i in values.indices {
        let v = values[i]
        let byte = v.isNaN ? 0 : Int(Swift.min(Swift.max(v, 0), 255))
        let shift = shifts[perImage == 0 ? 0 : i / perImage]
        out[i] = shift >= 8 ? 0 : Double((byte >> shift) << shift)
    }
    return Tensor(shape: images.shape, doubles: out, dtype: images.dtype)
}

// MARK: - Histogram equalization

/// A float32 value converted to `Int32` as XLA does: truncated toward zero, saturating, NaN to 0.
@inline(__always) func truncatedInt32(_ v: Float) -> Int {
    v.isNaN ? 0 : Int(Swift.min(Swift.max(v, -2_147_483_648), 2_147_483_520).rounded(.towardZero))
}

/// Keras's `Equalization` transform of a channels-last batch (or one image) in the layer's
/// dtype: for each channel, one `bins`-bin histogram over every image of the batch (as Keras
/// computes it), its cumulative lookup table rounded to `[0, 255]`, and each pixel replaced by
/// its bin's entry; a channel whose histogram has at most one non-empty bin is unchanged.
/// Formulas and float32 rounding steps follow Keras's `_equalize_channel`.
func equalizeImages(_ images: Tensor, valueRange: (Double, Double), bins: Int) -> Tensor {
    let r = FloatRounding(images.dtype)
    let values = images.doubles
    let channels = images.shape.last ?? 1
    let count = channels == 0 ? 0 : values.count / channels
    // To [0, 255], then back, with Python-float scale and offset (weak-typed constants).
    let toScale = r(255 / (valueRange.1 - valueRange.0)), toOffset = r(0 - valueRange.0 * (255 / (valueRange.1 - valueRange.0)))
    let backScale = r((valueRange.1 - valueRange.0) / 255), backOffset = r(valueRange.0)
    let lastBin = bins - 1
    var out = [Double](repeating: 0, count: values.count)
    var channel = [Double](repeating: 0, count: count)
    var histogram = [Int](repeating: 0, count: Swift.max(bins, 0))
    for c in 0..<channels {
        for k in 0..<count { channel[k] = r(r(values[k * channels + c] * toScale) + toOffset) }
        for b in histogram.indices { histogram[b] = 0 }
        for k in 0..<count {
            // ((v − 0) · (bins − 1)) / (255 − 0) in float32, truncated, clipped.
            let scaled = (Float(channel[k]) * Float(lastBin)) / Float(255)
            histogram[Swift.min(Swift.max(truncatedInt32(scaled), 0), Swift.max(lastBin, 0))] += 1
        }
        let nonEmpty = histogram.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
        var lookup = [Double](repeating: 0, count: histogram.count)
        if nonEmpty > 1 {
            var cdf = [Int](repeating: 0, count: histogram.count)
            var running = 0
            for b in histogram.indices { running += histogram[b]; cdf[b] = running }
            let cdfMin = cdf.first { $0 > 0 } ?? cdf[0]
            let span = cdf[cdf.count - 1] - cdfMin
            let denominator = Float(span == 0 ? 1 : span)
            for b in cdf.indices {
                let entry = (Float((cdf[b] - cdfMin) * 255) / denominator).rounded(.toNearestOrEven)
                lookup[b] = Double(Swift.min(Swift.max(entry, 0), 255))
            }
        }
        for k in 0..<count {
            var equalized = channel[k]
            if nonEmpty > 1 {
                // (v / 255) · (bins − 1), clipped to [0, bins − 1], truncated.
                let scaled = r(r(channel[k] / 255) * Double(lastBin))
                let index = scaled.isNaN ? 0 : Int(Swift.min(Swift.max(scaled, 0), Double(lastBin)))
                equalized = lookup[index]
            }
            out[k * channels + c] = r(r(equalized * backScale) + backOffset)
        }
    }
    return Tensor(shape: images.shape, doubles: out, dtype: images.dtype)
}

// MARK: - CLAHE

/// Keras's `ContrastLimitedAdaptiveHistogramEqualization` kernel (`_clahe`) on a channels-last
/// batch (or one image) already in `[0, 255]`, in float32 as Keras computes it: the image padded
/// symmetrically to a multiple of `grid` tiles, a 256-bin histogram per tile and channel clipped
/// at `clipLimit · tileArea / 256` with the excess spread evenly, its normalized cumulative sum
/// as the tile's mapping, and each pixel mapped by bilinear interpolation between the four
/// nearest tile mappings (edge tiles repeated).
func claheImages(_ images: Tensor, clipLimit: Double, grid: (Int, Int)) -> Tensor {
    let unbatched = images.rank == 3
    let shape = unbatched ? [1] + images.shape : images.shape
    let (batch, height, width, channels) = (shape[0], shape[1], shape[2], shape[3])
    let values = images.toArray(of: Float.self)
    let (gridH, gridW) = grid
    guard height > 0, width > 0, channels > 0, batch > 0 else { return images.cast(to: .float32) }
    let tileH = (height + gridH - 1) / gridH, tileW = (width + gridW - 1) / gridW
    let paddedH = tileH * gridH, paddedW = tileW * gridW
    /// NumPy's "symmetric" padding (the edge repeated, then reflected) for indices past the end.
    func symmetric(_ i: Int, _ n: Int) -> Int {
        if i < n { return i }
        let j = i % (2 * n)
        return j < n ? j : 2 * n - 1 - j
    }
    let rowSource = (0..<paddedH).map { symmetric($0, height) }, colSource = (0..<paddedW).map { symmetric($0, width) }
    let tileArea = tileH * tileW
    let limit = Float(clipLimit * Double(tileArea) / 256.0)
    // mapping[((b·gridH + ty)·gridW + tx)·channels + c][256]
    var mapping = [Float](repeating: 0, count: batch * gridH * gridW * channels * 256)
    var histogram = [Float](repeating: 0, count: 256)
    for b in 0..<batch {
        for ty in 0..<gridH {
            for tx in 0..<gridW {
                for c in 0..<channels {
                    for k in 0..<256 { histogram[k] = 0 }
                    for y in ty * tileH..<(ty + 1) * tileH {
                        let row = ((b * height + rowSource[y]) * width)
                        for x in tx * tileW..<(tx + 1) * tileW {
                            let v = values[(row + colSource[x]) * channels + c]
                            histogram[Swift.min(Swift.max(truncatedInt32(v), 0), 255)] += 1
                        }
                    }
                    if clipLimit > 0 {
                        var excess: Float = 0
                        for k in 0..<256 {
                            let clipped = Swift.min(Swift.max(histogram[k], 0), limit)
                            excess += histogram[k] - clipped
                            histogram[k] = clipped
                        }
                        let share = excess / 256
                        for k in 0..<256 { histogram[k] += share }
                    }
                    var cdf = [Float](repeating: 0, count: 256)
                    var running: Float = 0
                    for k in 0..<256 { running += histogram[k]; cdf[k] = running }
                    let cdfMin = cdf.min()!
                    var denominator = Float(tileArea) - cdfMin
                    if denominator == 0 { denominator = 1 }
                    let base = (((b * gridH + ty) * gridW + tx) * channels + c) * 256
                    for k in 0..<256 {
                        mapping[base + k] = Swift.min(Swift.max(((cdf[k] - cdfMin) * 255) / denominator, 0), 255)
                    }
                }
            }
        }
    }
    /// The interpolation grid along one axis: the lower and upper tile (−1 and `grid` stand for
    /// the repeated edge tiles) and the weight of the upper one, in float32 as Keras computes it.
    func axisWeights(_ n: Int, tile: Int, grid: Int) -> [(Int, Int, Float)] {
        (0..<n).map { i in
            let g = (Float(i) - Float(Double(tile) / 2)) / Float(tile) + 1
            let lower = g.rounded(.down)
            let weight = g - lower
            func tileIndex(_ padded: Float) -> Int { Swift.min(Swift.max(Int(Swift.min(Swift.max(padded, 0), Float(grid + 1))) - 1, 0), grid - 1) }
            return (tileIndex(lower), tileIndex(lower + 1), weight)
        }
    }
    let rows = axisWeights(height, tile: tileH, grid: gridH), cols = axisWeights(width, tile: tileW, grid: gridW)
    var out = [Float](repeating: 0, count: values.count)
    for b in 0..<batch {
        for y in 0..<height {
            let (y0, y1, wy) = rows[y]
            for x in 0..<width {
                let (x0, x1, wx) = cols[x]
                for c in 0..<channels {
                    let i = ((b * height + y) * width + x) * channels + c
                    let v = values[i]
                    let pixel = v.isNaN ? 0 : Int(Swift.min(Swift.max(v, 0), 255))
                    func entry(_ ty: Int, _ tx: Int) -> Float { mapping[(((b * gridH + ty) * gridW + tx) * channels + c) * 256 + pixel] }
                    let top = entry(y0, x0) * (1 - wx) + entry(y0, x1) * wx
                    let bottom = entry(y1, x0) * (1 - wx) + entry(y1, x1) * wx
                    out[i] = top * (1 - wy) + bottom * wy
                }
            }
        }
    }
    return Tensor(shape: images.shape, scalars: out)
}
