import Foundation

/// Signal-processing ops for the audio layers: `arctan2`, reflection padding, window functions
/// and the short-time Fourier transform (`keras.ops.stft`).
///
/// The transform is a discrete Fourier transform written as a matrix product: every frame of
/// `fftLength` samples is multiplied by a fixed `(fftLength, 2·bins)` matrix of windowed cosines
/// and sines, computed as one strided 1-D convolution (framing and product in one oneDNN
/// primitive, GEMM-backed). For the sizes audio models use (256–2048 samples per frame) that runs
/// at the GEMM rate of several hundred GFLOP/s and processes all frames of a batch in one call,
/// which beats a scalar FFT written in Swift by a wide margin per frame; it takes any
/// `fftLength` (not only powers of two), gives exact float32 sums, and its gradient is the
/// transposed product, which the convolution already provides.

extension Tensor {
    /// The angle of the point `(other, self)`, elementwise with broadcasting
    /// (`keras.ops.arctan2(self, other)`, NumPy's `arctan2(y, x)`), in `[-π, π]`. Integer inputs
    /// are computed as float32. Differentiable: `d/dy = x / (x² + y²)`, `d/dx = −y / (x² + y²)`
    /// (NaN at the origin, as in JAX).
    ///
    /// ```swift
    /// Tensor([1.0, -1.0]).arctan2(Tensor([0.0, 0.0]))   // [1.5707964 -1.5707964]
    /// ```
    public func arctan2(_ other: Tensor) -> Tensor {
        let (y, x, promoted) = promote(self, other, atLeast: .float32)
        let shape = broadcastShape(y.shape, x.shape, op: "arctan2")
        let out = promoted == .float64
            ? zipKernel(y, x, Double.self, shape: shape, to: .float64, Double.self) { Foundation.atan2($0, $1) }
            : zipKernel(y, x, Float.self, shape: shape, to: .float32, Float.self) { Foundation.atan2($0, $1) }
        let a = self, b = other
        return Tensor.record("arctan2", inputs: [a, b], output: out) { g in
            let denominator = x * x + y * y
            return [a.isRecorded ? (g * x / denominator).unbroadcast(to: a.shape).cast(to: a.dtype) : nil,
                    b.isRecorded ? (-g * y / denominator).unbroadcast(to: b.shape).cast(to: b.dtype) : nil]
        }
    }

    /// The last axis padded by reflection without repeating the edge (NumPy's `mode="reflect"`):
    /// `[a b c d]` padded by `(2, 1)` is `[c b a b c d c]`. Each width must be smaller than the
    /// axis. Float tensors only; differentiable (the gradient folds the reflected parts back).
    ///
    /// ```swift
    /// Tensor([1.0, 2, 3, 4]).reflectPadded(before: 2, after: 1)   // [3. 2. 1. 2. 3. 4. 3.]
    /// ```
    public func reflectPadded(before: Int, after: Int) -> Tensor {
        require(rank >= 1 && dtype.isFloatingPoint, "reflect_pad: expected a float tensor of rank ≥ 1, got \(dtype) of shape \(shape)")
        let n = shape[rank - 1]
        require(before >= 0 && after >= 0 && before < n && after < n,
                "reflect_pad: widths (\(before), \(after)) must be non-negative and smaller than the last axis of shape \(shape)")
        if before == 0 && after == 0 { return self }
        let rows = scalarCount / n, m = n + before + after
        var outShape = shape
        outShape[rank - 1] = m
        let out = Tensor(uninitializedShape: outShape, dtype: dtype, op: "reflect_pad")
        @inline(__always) func run<T>(_: T.Type) {
            let src = pointer(T.self), dst = out.pointer(T.self)
            for r in 0..<rows {
                let s = src + r * n, d = dst + r * m
                for j in 0..<before { d[j] = s[before - j] }
                (d + before).update(from: s, count: n)
                for j in 0..<after { d[before + n + j] = s[n - 2 - j] }
            }
        }
        withExtendedLifetime(self) { dtype == .float64 ? run(Double.self) : run(Float.self) }
        let inShape = shape
        return Tensor.record("reflect_pad", inputs: [self], output: out) { g in
            let grad = Tensor(uninitializedShape: inShape, dtype: g.dtype, op: "reflect_pad_grad")
            @inline(__always) func fold<T: FloatingPoint>(_: T.Type) {
                let src = g.pointer(T.self), dst = grad.pointer(T.self)
                for r in 0..<rows {
                    let s = src + r * m, d = dst + r * n
                    d.update(from: s + before, count: n)
                    for j in 0..<before { d[before - j] += s[j] }
                    for j in 0..<after { d[n - 2 - j] += s[before + n + j] }
                }
            }
            withExtendedLifetime(g) { g.dtype == .float64 ? fold(Double.self) : fold(Float.self) }
            return [grad]
        }
    }
}

/// `keras.ops.arctan2(y, x)`: ``Tensor/arctan2(_:)``.
public func arctan2(_ y: Tensor, _ x: Tensor) -> Tensor { y.arctan2(x) }

/// A named window function, as `scipy.signal.get_window` computes it (the ones that take no
/// parameter). `periodic` windows are the first `length` points of a symmetric window of
/// `length + 1` (SciPy's `fftbins=True`), the usual choice for spectral analysis.
///
/// ```swift
/// WindowFunction.hann.values(length: 4, periodic: true)   // [0.0, 0.5, 1.0, 0.5]
/// ```
public enum WindowFunction: String, Sendable, CaseIterable {
    /// `0.5 − 0.5·cos(2πn/(M−1))`.
    case hann
    /// `0.54 − 0.46·cos(2πn/(M−1))`.
    case hamming
    /// `0.42 − 0.5·cos(2πn/(M−1)) + 0.08·cos(4πn/(M−1))`.
    case blackman
    /// The triangle reaching zero at both ends.
    case bartlett
    /// All ones (a rectangular window).
    case boxcar
    /// The triangle not reaching zero at the ends.
    case triang

    /// The `length` window values (`length ≥ 1`; one point gives `[1]`).
    public func values(length: Int, periodic: Bool) -> [Double] {
        require(length >= 1, "window: the length must be positive, got \(length)")
        if length == 1 { return [1] }
        let m = periodic ? length + 1 : length
        let values: [Double] = (0..<m).map { n in
            let x = Double(n), last = Double(m - 1)
            switch self {
            case .hann: return 0.5 - 0.5 * Foundation.cos(2 * Double.pi * x / last)
            case .hamming: return 0.54 - 0.46 * Foundation.cos(2 * Double.pi * x / last)
            case .blackman:
                return 0.42 - 0.5 * Foundation.cos(2 * Double.pi * x / last) + 0.08 * Foundation.cos(4 * Double.pi * x / last)
            case .bartlett: return x <= last / 2 ? 2 * x / last : 2 - 2 * x / last
            case .boxcar: return 1
            case .triang:
                // SciPy: rising (2k−1)/M (even M) or 2k/(M+1) (odd M) for k = 1…⌈M/2⌉, mirrored.
                let k = Double(Swift.min(n, m - 1 - n) + 1)
                return m % 2 == 0 ? (2 * k - 1) / Double(m) : 2 * k / Double(m + 1)
            }
        }
        return Array(values.prefix(length))
    }
}

/// The `(fftLength, 1, 2·bins)` kernel (`bins = fftLength/2 + 1`) that turns frames of
/// `fftLength` samples into their one-sided DFT: output channel `k` is the real part
/// `Σ w[n]·x[n]·cos(2πkn/N)`, channel `bins + k` the imaginary part `−Σ w[n]·x[n]·sin(2πkn/N)`.
/// `window` (length `sequenceLength`) is centred in the frame with zeros around, as
/// `keras.ops.stft` pads it; `nil` (no window) uses all `fftLength` samples of the frame, as
/// Keras does then. Computed in double precision, then stored as `dtype`.
package func stftKernel(sequenceLength: Int, fftLength: Int, window: [Double]?, dtype: DType) -> Tensor {
    let n = fftLength, bins = fftLength / 2 + 1
    // A window is centred in the frame with zeros around; without one, as in Keras, the whole
    // frame of `fftLength` samples is used.
    let leftPad = (fftLength - sequenceLength) / 2
    var padded = [Double](repeating: window == nil ? 1 : 0, count: n)
    if let window { for i in 0..<sequenceLength { padded[leftPad + i] = window[i] } }
    // cos/sin of 2πm/N for every residue m; entry (t, k) reads residue (t·k) mod N.
    let cosTable = (0..<n).map { Foundation.cos(2 * Double.pi * Double($0) / Double(n)) }
    let sinTable = (0..<n).map { Foundation.sin(2 * Double.pi * Double($0) / Double(n)) }
    var values = [Double](repeating: 0, count: n * 2 * bins)
    values.withUnsafeMutableBufferPointer { v in
        for t in 0..<n where padded[t] != 0 {
            let w = padded[t], row = t * 2 * bins
            var residue = 0
            for k in 0..<bins {
                v[row + k] = w * cosTable[residue]
                v[row + bins + k] = -w * sinTable[residue]
                residue += t
                if residue >= n { residue %= n }
            }
        }
    }
    return Tensor(shape: [n, 1, 2 * bins], doubles: values, dtype: dtype)
}

/// The STFT of the rows of `x` (`(..., samples)`, float) with a kernel from
/// ``stftKernel(sequenceLength:fftLength:window:dtype:)``: reflection-padded by `fftLength/2`
/// on both sides when `center`, framed every `sequenceStride` samples, transformed. Returns the
/// real and imaginary parts, each `(..., frames, fftLength/2 + 1)`. Differentiable in `x`.
package func stft(_ x: Tensor, kernel: Tensor, fftLength: Int, sequenceStride: Int, center: Bool) -> (real: Tensor, imag: Tensor) {
    require(x.rank >= 1, "stft: expected a signal of rank ≥ 1, got shape \(x.shape)")
    let bins = fftLength / 2 + 1
    let samples = x.shape[x.rank - 1], leading = Array(x.shape.dropLast())
    let rows = leading.reduce(1, *)
    var signal = x.reshaped(to: [rows, samples])
    if center { signal = signal.reflectPadded(before: fftLength / 2, after: fftLength / 2) }
    let length = signal.shape[1]
    require(length >= fftLength, "stft: the signal of \(length) samples (after padding) is shorter than fft_length \(fftLength)")
    let spectrum = signal.reshaped(to: [rows, length, 1]).conv(kernel.cast(to: signal.dtype), strides: [sequenceStride], padding: .valid)
    let frames = spectrum.shape[1]
    let real = spectrum.slice(axis: 2, start: 0, end: bins).reshaped(to: leading + [frames, bins])
    let imag = spectrum.slice(axis: 2, start: bins, end: 2 * bins).reshaped(to: leading + [frames, bins])
    return (real, imag)
}

/// The short-time Fourier transform (`keras.ops.stft`) of the last axis of `x`: frames of
/// `sequenceLength` samples every `sequenceStride`, each multiplied by `window` (its
/// `sequenceLength` values), zero-padded to `fftLength` (centred) and transformed (`window`
/// `nil`: frames of `fftLength` samples, unwindowed, as Keras computes them); with `center` the signal is first padded by reflection with `fftLength/2`
/// samples on each side (the signal must then be longer than `fftLength/2`). Returns the real and
/// imaginary parts, each `(..., frames, fftLength/2 + 1)`. Integer inputs are computed as float32.
/// Differentiable with respect to `x`.
///
/// ```swift
/// let signal = Tensor.ones([2, 100])
/// let window = WindowFunction.hann.values(length: 32, periodic: true)
/// let (re, im) = stft(signal, sequenceLength: 32, sequenceStride: 8, fftLength: 32, window: window)   // each (2, 13, 17)
/// ```
public func stft(_ x: Tensor, sequenceLength: Int, sequenceStride: Int, fftLength: Int, window: [Double]?,
                 center: Bool = true) -> (real: Tensor, imag: Tensor) {
    require(sequenceLength >= 1 && sequenceStride >= 1 && fftLength >= sequenceLength,
            "stft: expected 1 ≤ sequence_length ≤ fft_length and a positive sequence_stride, got sequence_length=\(sequenceLength), sequence_stride=\(sequenceStride), fft_length=\(fftLength)")
    require(window == nil || window!.count == sequenceLength,
            "stft: the shape of `window` must be equal to [sequence_length]. Received: window of \(window?.count ?? 0) values, sequence_length=\(sequenceLength)")
    let signal = x.dtype.isFloatingPoint ? x : x.cast(to: .float32)
    let kernel = stftKernel(sequenceLength: sequenceLength, fftLength: fftLength, window: window, dtype: signal.dtype)
    return stft(signal, kernel: kernel, fftLength: fftLength, sequenceStride: sequenceStride, center: center)
}
