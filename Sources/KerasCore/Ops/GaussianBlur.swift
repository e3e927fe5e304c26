import Foundation

extension Tensor {
    /// The images blurred with a Gaussian kernel (`keras.ops.image.gaussian_blur`, channels
    /// last): each channel is convolved with the normalized kernel
    /// `exp(−½ (i − (k − 1)/2)² / σ²)` along each axis, zero-padded as Keras's `"same"` padding
    /// (for an even size `k` one more row or column below than above).
    ///
    /// As Keras's implementation does (whatever its docstring says), the first entries of
    /// `kernelSize` and `sigma` apply along the width and the second along the height.
    /// Integer images are converted to `float32`. Differentiable with respect to the images.
    ///
    /// ```swift
    /// let soft = images.gaussianBlur(kernelSize: (5, 5), sigma: (1.5, 1.5))
    /// ```
    public func gaussianBlur(kernelSize: (Int, Int) = (3, 3), sigma: (Double, Double) = (1, 1)) -> Tensor {
        _ = imageAxes(op: "gaussian_blur")
        require(kernelSize.0 > 0 && kernelSize.1 > 0,
                "gaussian_blur: `kernel_size` must be positive integers. Received: kernel_size=(\(kernelSize.0), \(kernelSize.1))")
        require(sigma.0.isFinite && sigma.1.isFinite && sigma.0 > 0 && sigma.1 > 0,
                "gaussian_blur: `sigma` must be positive finite numbers. Received: sigma=(\(sigma.0), \(sigma.1))")
        let images = dtype == .float32 || dtype == .float64 ? self : cast(to: .float32)
        let plan = SeparableBlur(shape: images.shape, width: gaussianKernel1D(size: kernelSize.0, sigma: sigma.0),
                                 height: gaussianKernel1D(size: kernelSize.1, sigma: sigma.1))
        let out = plan.apply(images, adjoint: false)
        return Tensor.record("gaussian_blur", inputs: [images], output: out) { g in
            [plan.apply(g.dtype == images.dtype ? g : g.cast(to: images.dtype), adjoint: true)]
        }
    }
}

/// Keras's normalized 1-D Gaussian kernel of `size` taps.
func gaussianKernel1D(size: Int, sigma: Double) -> [Double] {
    let center = Double(size - 1) / 2
    let raw = (0..<size).map { i -> Double in
        let x = (Double(i) - center) / sigma
        return Foundation.exp(-0.5 * x * x)
    }
    let total = raw.reduce(0, +)
    return raw.map { $0 / total }
}

/// A separable zero-padded ("same") 2-D convolution of channels-last images, one 1-D kernel per
/// spatial axis, and its adjoint.
struct SeparableBlur {
    let batch: Int, height: Int, width: Int, channels: Int
    let widthKernel: [Double], heightKernel: [Double]

    init(shape: [Int], width: [Double], height: [Double]) {
        let batched = shape.count == 4
        batch = batched ? shape[0] : 1
        self.height = shape[batched ? 1 : 0]
        self.width = shape[batched ? 2 : 1]
        channels = shape[shape.count - 1]
        widthKernel = width
        heightKernel = height
    }

    /// The blurred images (`adjoint`: the transpose of the blur, for gradients).
    func apply(_ x: Tensor, adjoint: Bool) -> Tensor {
        let out = Tensor(uninitializedShape: x.shape, dtype: x.dtype)
        func run<T: BinaryFloatingPoint>(_: T.Type) {
            let count = x.scalarCount
            let temp = UnsafeMutablePointer<T>.allocate(capacity: Swift.max(count, 1))
            defer { temp.deallocate() }
            let src = x.pointer(T.self), dst = out.pointer(T.self)
            // Along the width (rows of `width · channels`), then along the height.
            Self.pass(src, temp, outer: batch * height, length: width, inner: channels, kernel: widthKernel, adjoint: adjoint)
            Self.pass(temp, dst, outer: batch, length: height, inner: width * channels, kernel: heightKernel, adjoint: adjoint)
        }
        withExtendedLifetime(x) {
            if x.dtype == .float64 { run(Double.self) } else { run(Float.self) }
        }
        return out
    }

    /// `dst[o, i, n] = Σ_j k[j] · src[o, i + j − p, n]` (zeros outside) with `p = (K − 1) / 2`;
    /// the adjoint uses the reversed kernel and `p' = K − 1 − p`.
    static func pass<T: BinaryFloatingPoint>(_ src: UnsafeMutablePointer<T>, _ dst: UnsafeMutablePointer<T>, outer: Int, length: Int,
                                             inner: Int, kernel: [Double], adjoint: Bool) {
        let size = kernel.count
        let padLow = (size - 1) / 2
        let taps: [T] = (adjoint ? kernel.reversed() : kernel).map { T($0) }
        let pad = adjoint ? size - 1 - padLow : padLow
        for o in 0..<outer {
            let base = o * length * inner
            for i in 0..<length {
                let row = dst + base + i * inner
                for n in 0..<inner { row[n] = 0 }
                let first = Swift.max(0, pad - i), last = Swift.min(size, length + pad - i)
                guard first < last else { continue }
                for j in first..<last {
                    let w = taps[j]
                    let source = src + base + (i + j - pad) * inner
                    for n in 0..<inner { row[n] += w * source[n] }
                }
            }
        }
    }
}
