/// CutMix augmentation in training (`keras.layers.CutMix`): a random box of each image of a
/// batch is replaced by the same box of another image of the batch. The box covers a fraction
/// `1 − w` of the image, `w` drawn per image from Beta(α, α) with α drawn once per batch from
/// the `factor` range (`1.0` → [0, 1]). ``mix(images:labels:)`` also mixes the labels by the
/// area each image keeps, as Keras does given `{"images": …, "labels": …}`. In inference, and
/// for a single image, it returns its input (as floats).
///
/// ```swift
/// let cutMix = CutMix(seed: 1)
/// let (images, labels) = try cutMix.mix(images: batch, labels: oneHot)   // for a training step
/// ```
public final class CutMix: RandomImageLayer, @unchecked Sendable {
    let factor: AugmentationFactor

    /// Creates a `CutMix` with Keras's arguments and defaults: `factor` in [0, 1] gives the
    /// range [0, factor] of α.
    public convenience init(_ factor: Double = 1.0, seed: Int? = nil, name: String? = nil, dtype: DType = .float32) {
        self.init(factorValue: AugmentationFactor.value(factor), seed: seed, name: name, dtype: dtype)
    }

    /// Creates a `CutMix` drawing α from `factor` `(lower, upper)`, within [0, 1].
    public convenience init(factor: (Double, Double), seed: Int? = nil, name: String? = nil, dtype: DType = .float32) {
        self.init(factorValue: AugmentationFactor.value(factor), seed: seed, name: name, dtype: dtype)
    }

    init(factorValue: ConfigValue, seed: Int?, name: String?, dtype: DType) {
        var parsed: AugmentationFactor?
        requireValid { parsed = try AugmentationFactor(unitRange: factorValue, layer: "CutMix", argument: "factor") }
        factor = parsed!
        super.init(seed: seed, name: name, dtype: dtype)
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for an out-of-range `factor` (default 1.0) or a
    ///   malformed seed.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: CutMix.self, config: config)
        let base = try r.layerBase()
        try r.channelsLast()
        let factor = r.present("factor") == nil ? AugmentationFactor.value(1.0)
            : try readFactor(&r, "factor") { try AugmentationFactor(unitRange: $0, layer: "CutMix", argument: "factor") }.original
        self.init(factorValue: factor, seed: try r.seed(), name: base.name, dtype: base.dtype)
    }

    /// One batch's draw: each image's box `[x0, x1) × [y0, y1)` in pixel coordinates and its
    /// partner image (Keras's box corners and `permutation_order`).
    struct Transformation {
        var boxes: [(x0: Double, x1: Double, y0: Double, y1: Double)]
        var permutation: [Int]

        /// The share of each image that it keeps (Keras's recomputed `mix_weight`).
        func keptFraction(height: Int, width: Int) -> [Double] {
            boxes.map { 1 - ($0.x1 - $0.x0) * ($0.y1 - $0.y0) / Double(width * height) }
        }
    }

    func randomTransformation(batch: Int, height: Int, width: Int) -> Transformation {
        let alpha = factor.lower + (factor.upper - factor.lower) * uniformDraws(1)[0] + 1e-6
        let weights = Tensor.randomBeta([batch], alpha: alpha, beta: alpha, dtype: .float64, seed: seedGenerator).doubles
        // Keras computes the box sides in the layer's float dtype.
        func bounds(_ length: Int) -> [(Double, Double)] {
            let starts = uniformDraws(batch)
            return zip(weights, starts).map { w, u in
                let side = Double(Float((1 - w).squareRoot() * Double(length)))
                let start = u * (Double(length) - side)
                return (start, start + side)
            }
        }
        let (xs, ys) = (bounds(width), bounds(height))
        let permutation = Tensor((0..<batch).map(Double.init)).randomlyShuffled(seed: seedGenerator).doubles.map { Int($0) }
        return Transformation(boxes: zip(xs, ys).map { (x0: $0.0, x1: $0.1, y0: $1.0, y1: $1.1) }, permutation: permutation)
    }

    /// The images with each box taken from the partner image: `where(mask, x[perm], x)`, written
    /// `mask · x[perm] + (1 − mask) · x` with a 0/1 mask so that it stays exact and differentiable.
    func paste(_ images: Tensor, _ t: Transformation) -> Tensor {
        let (batch, height, width) = (images.shape[0], images.shape[1], images.shape[2])
        var mask = [Double](repeating: 0, count: batch * height * width)
        for (i, box) in t.boxes.enumerated() {
            for y in 0..<height where Double(y) >= box.y0 && Double(y) < box.y1 {
                for x in 0..<width where Double(x) >= box.x0 && Double(x) < box.x1 {
                    mask[(i * height + y) * width + x] = 1
                }
            }
        }
        let m = Tensor(shape: [batch, height, width, 1], doubles: mask, dtype: images.dtype)
        let partners = images.take(Tensor(shape: [batch], doubles: t.permutation.map(Double.init), dtype: .int64), axis: 0)
        return m * partners + (1 - m) * images
    }

    /// Labels mixed by the area each image keeps: `w · y + (1 − w) · y[perm]`.
    func mixLabels(_ labels: Tensor, _ t: Transformation, height: Int, width: Int) -> Tensor {
        let w = Tensor(shape: [labels.shape[0]] + Array(repeating: 1, count: labels.rank - 1),
                       doubles: t.keptFraction(height: height, width: width), dtype: labels.dtype)
        let partners = labels.take(Tensor(shape: [t.permutation.count], doubles: t.permutation.map(Double.init), dtype: .int64), axis: 0)
        return w * labels + (1 - w) * partners
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let images = floatImages(x)
        guard training, images.rank == 4 else { return images }
        return paste(images, randomTransformation(batch: images.shape[0], height: images.shape[1], width: images.shape[2]))
    }

    /// Mixes a batch of images `(batch, height, width, channels)` and their labels `(batch, …)`
    /// (one-hot or soft, floats) with the same draw, as the layer does in training.
    ///
    /// - Throws: `KerasError.invalidArgument` when the images are not a rank-4 batch or the
    ///   labels do not have one row per image.
    public func mix(images: Tensor, labels: Tensor) throws -> (images: Tensor, labels: Tensor) {
        try checkMixInputs(images: images, labels: labels)
        let (height, width) = (images.shape[1], images.shape[2])
        let t = randomTransformation(batch: images.shape[0], height: height, width: width)
        let floatLabels = labels.dtype.isFloatingPoint ? labels : labels.cast(to: dtype)
        return (paste(floatImages(images), t), mixLabels(floatLabels, t, height: height, width: width))
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["factor"] = factor.rangeConfig
        config["seed"] = ConfigValue(seed)
        return config
    }
}
