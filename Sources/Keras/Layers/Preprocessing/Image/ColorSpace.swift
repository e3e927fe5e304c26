/// Color-space helpers of the color augmentation layers (RandomGrayscale, RandomHue,
/// RandomSaturation, RandomColorDegeneration, RandomColorJitter), with Keras's formulas
/// (`keras.ops.image.rgb_to_grayscale`, `rgb_to_hsv`, `hsv_to_rgb`) on channels-last images.
///
/// The grayscale conversion is written with tensor ops (it is differentiable); the HSV
/// adjustments are fused loops over the pixels that run in the images' own float type and record
/// nothing on the gradient tape — they are preprocessing, as in Keras's input pipelines.
enum ColorAugmentationMath {
    /// Keras's luminance weights for R, G and B (those of `tf.image.rgb_to_grayscale`).
    static let grayscaleWeights: [Double] = [0.2989, 0.5870, 0.1140]

    /// Keras's `rgb_to_grayscale`: the weighted sum of the channels as one channel
    /// (`(…, height, width, 1)`); an image that already has one channel is returned as is.
    static func grayscale(_ images: Tensor) -> Tensor {
        let channels = images.shape[images.rank - 1]
        require(channels == 1 || channels == 3,
                "rgb_to_grayscale: expected 3 (RGB) or 1 (grayscale) channels. Received: images.shape=\(images.shape)")
        if channels == 1 { return images }
        let weights = Tensor(shape: [3], doubles: grayscaleWeights, dtype: images.dtype)
        return (images * weights).sum(axes: [images.rank - 1], keepDims: true)
    }

    /// RandomHue's transform: maps `valueRange` to [0, 1], rotates each image's hue by
    /// `delta[image]` (wrapped once into [0, 1]), converts back, clips to [0, 1] and maps back
    /// to `valueRange`.
    static func shiftHue(_ images: Tensor, delta: [Double], valueRange: (Double, Double)) -> Tensor {
        switch images.dtype {
        case .float64: shiftHue(images, Double.self, delta: delta, valueRange: valueRange)
        default: shiftHue(images, Float.self, delta: delta, valueRange: valueRange)
        }
    }

    /// RandomSaturation's transform: multiplies each image's HSV saturation by `factor[image]`,
    /// clips it to `clip` (Keras clips to the layer's `value_range`) and converts back to RGB.
    static func scaleSaturation(_ images: Tensor, factor: [Double], clip: (Double, Double)) -> Tensor {
        switch images.dtype {
        case .float64: scaleSaturation(images, Double.self, factor: factor, clip: clip)
        default: scaleSaturation(images, Float.self, factor: factor, clip: clip)
        }
    }

    private static func shiftHue<T: BinaryFloatingPoint & TensorScalar>(_ images: Tensor, _: T.Type, delta: [Double],
                                                                        valueRange: (Double, Double)) -> Tensor {
        let (low, high) = (T(valueRange.0), T(valueRange.1))
        // Keras skips the mapping when the range already is [0, 1].
        let rescale = !(valueRange.0 == 0 && valueRange.1 == 1)
        let shifts = delta.map { T($0) }
        return mapPixels(images, T.self) { image, r, g, b in
            var (r, g, b) = (r, g, b)
            if rescale {
                r = (r - low) / (high - low)
                g = (g - low) / (high - low)
                b = (b - low) / (high - low)
            }
            var (h, s, v) = rgbToHSV(r, g, b)
            h += shifts[image]
            if h > 1 { h -= 1 }
            if h < 0 { h += 1 }
            (r, g, b) = hsvToRGB(h, s, v)
            r = Swift.min(Swift.max(r, 0), 1)
            g = Swift.min(Swift.max(g, 0), 1)
            b = Swift.min(Swift.max(b, 0), 1)
            if rescale {
                r = r * (high - low) + low
                g = g * (high - low) + low
                b = b * (high - low) + low
            }
            return (r, g, b)
        }
    }

    private static func scaleSaturation<T: BinaryFloatingPoint & TensorScalar>(_ images: Tensor, _: T.Type, factor: [Double],
                                                                               clip: (Double, Double)) -> Tensor {
        let (low, high) = (T(clip.0), T(clip.1))
        let factors = factor.map { T($0) }
        return mapPixels(images, T.self) { image, r, g, b in
            let (h, s, v) = rgbToHSV(r, g, b)
            return hsvToRGB(h, Swift.min(Swift.max(s * factors[image], low), high), v)
        }
    }

    /// A new tensor of `images`' shape whose pixels are `transform(image index, r, g, b)` of the
    /// input pixels; `images` is channels-last RGB, one image (rank 3) or a batch (rank 4).
    private static func mapPixels<T: BinaryFloatingPoint & TensorScalar>(
        _ images: Tensor, _: T.Type, _ transform: (Int, T, T, T) -> (T, T, T)
    ) -> Tensor {
        let shape = images.shape
        require(shape.last == 3, "rgb_to_hsv: expected RGB images with 3 channels. Received: images.shape=\(shape)")
        let pixelsPerImage = Swift.max(1, shape[shape.count - 3] * shape[shape.count - 2])
        let x = images.dtype == T.dtype ? images : images.cast(to: T.dtype)
        return x.withUnsafeBufferPointer(of: T.self) { source in
            Tensor(shape: shape, dtype: T.dtype) { (out: UnsafeMutableBufferPointer<T>) in
                for pixel in 0..<(source.count / 3) {
                    let i = 3 * pixel
                    (out[i], out[i + 1], out[i + 2]) = transform(pixel / pixelsPerImage, source[i], source[i + 1], source[i + 2])
                }
            }
        }
    }

    /// Keras's `rgb_to_hsv` for one pixel: hue and saturation in [0, 1], value the largest
    /// channel; channels smaller in magnitude than the type's epsilon count as 0.
    @inline(__always)
    static func rgbToHSV<T: BinaryFloatingPoint>(_ r: T, _ g: T, _ b: T) -> (T, T, T) {
        let eps = T.ulpOfOne
        let r = Swift.abs(r) < eps ? 0 : r, g = Swift.abs(g) < eps ? 0 : g, b = Swift.abs(b) < eps ? 0 : b
        let value = Swift.max(Swift.max(r, g), b)
        let minimum = Swift.min(Swift.min(r, g), b)
        let range = value - minimum
        let saturation = value > 0 ? range / value : 0
        let norm = 1 / (6 * (range > 0 ? range : 1))
        var hue = value == g ? norm * (b - r) + 2 / 6 : norm * (r - g) + 4 / 6
        if value == r { hue = norm * (g - b) }
        hue = (range > 0 ? hue : 0) + (hue < 0 ? 1 : 0)
        return (hue, saturation, value)
    }

    /// Keras's `hsv_to_rgb` for one pixel (the hue taken modulo 1).
    @inline(__always)
    static func hsvToRGB<T: BinaryFloatingPoint>(_ h: T, _ s: T, _ v: T) -> (T, T, T) {
        let dh = (h - h.rounded(.down)) * 6
        let dr = Swift.min(Swift.max(Swift.abs(dh - 3) - 1, 0), 1)
        let dg = Swift.min(Swift.max(2 - Swift.abs(dh - 2), 0), 1)
        let db = Swift.min(Swift.max(2 - Swift.abs(dh - 4), 0), 1)
        let oneMinusS = 1 - s
        return (v * (oneMinusS + s * dr), v * (oneMinusS + s * dg), v * (oneMinusS + s * db))
    }
}

/// The error for color images whose (known) channel count is not one of `allowed`.
func colorChannelsError(_ layer: Layer, _ shape: [Int?], allowed: [Int]) -> KerasError? {
    guard let channels = shape.last ?? nil, !allowed.contains(channels) else { return nil }
    let expected = allowed.map(String.init).joined(separator: " or ")
    return .incompatibleInput(layer: layer.name, message: "Layer \"\(layer.name)\" (\(layer.className)): Input images must have \(expected) channels (channels_last), but received images with \(channels) channels. Received: inputs.shape=\(formatShape(shape))")
}

/// The `value_range` of the color layers: two finite numbers, low < high once `sorted` (Keras
/// sorts it for RandomSaturation and RandomColorDegeneration; RandomHue and RandomColorJitter
/// use it as given, so a reversed range is refused there).
func colorValueRange(_ range: (Double, Double), sorted: Bool, layer: String) throws -> (Double, Double) {
    let checked = sorted ? (Swift.min(range.0, range.1), Swift.max(range.0, range.1)) : range
    try validateValueRange(checked, layer: layer)
    return checked
}

/// Reads `value_range` (default `[0, 255]`) for ``colorValueRange(_:sorted:layer:)``.
func readColorValueRange(_ r: inout ObjectConfigReader, sorted: Bool, layer: String) throws -> (Double, Double) {
    guard let value = r.present("value_range") else { return (0, 255) }
    guard let pair = value.arrayValue?.compactMap(\.doubleValue), pair.count == 2, value.arrayValue!.count == 2 else {
        throw r.mismatch("value_range", "a list of two numbers", value)
    }
    return try r.validated { try colorValueRange((pair[0], pair[1]), sorted: sorted, layer: layer) }
}
