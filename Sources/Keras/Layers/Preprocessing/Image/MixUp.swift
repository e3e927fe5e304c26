/// MixUp augmentation in training (`keras.layers.MixUp`): each image of a batch is blended with
/// another image of the same batch, `w · x + (1 − w) · x[perm]`, with `perm` a random
/// permutation of the batch and `w` drawn per image from Beta(`alpha`, `alpha`).
/// ``mix(images:labels:)`` blends one-hot labels with the same weights, as Keras does when it is
/// given `{"images": …, "labels": …}`. In inference, and for a single image, it returns its input
/// (as floats).
///
/// ```swift
/// let mixUp = MixUp(alpha: 0.2, seed: 1)
/// let (images, labels) = try mixUp.mix(images: batch, labels: oneHot)   // for a training step
/// ```
public final class MixUp: RandomImageLayer, @unchecked Sendable {
    /// The Beta distribution's parameter (Keras's `alpha`): small values mix little.
    public let alpha: Double

    /// Creates a `MixUp` with Keras's arguments and defaults (`alpha` must be positive).
    public init(alpha: Double = 0.2, seed: Int? = nil, name: String? = nil, dtype: DType = .float32) {
        requireValid { try MixUp.validate(alpha: alpha) }
        self.alpha = alpha
        super.init(seed: seed, name: name, dtype: dtype)
    }

    static func validate(alpha: Double) throws {
        try ensure(alpha > 0 && alpha.isFinite, "MixUp: The `alpha` argument should be a positive number. Received: alpha=\(alpha)")
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for an `alpha` that is not a positive number, or a
    ///   malformed seed.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: MixUp.self, config: config)
        let base = try r.layerBase()
        try r.channelsLast()
        let alpha = try r.double("alpha", default: 0.2)
        try r.validated { try MixUp.validate(alpha: alpha) }
        self.init(alpha: alpha, seed: try r.seed(), name: base.name, dtype: base.dtype)
    }

    /// One batch's draw: a weight and a partner image per image (Keras's `mix_weight` and
    /// `permutation_order`).
    struct Transformation {
        var mixWeight: [Double]
        var permutation: [Int]
    }

    func randomTransformation(batch: Int) -> Transformation {
        let permutation = Tensor((0..<batch).map(Double.init)).randomlyShuffled(seed: seedGenerator).doubles.map { Int($0) }
        let weights = Tensor.randomBeta([batch], alpha: alpha, beta: alpha, dtype: .float64, seed: seedGenerator).doubles
        return Transformation(mixWeight: weights, permutation: permutation)
    }

    /// `w · x + (1 − w) · x[perm]` along the batch axis, `w` broadcast over the other axes.
    func blend(_ x: Tensor, _ t: Transformation) -> Tensor {
        let w = Tensor(shape: [x.shape[0]] + Array(repeating: 1, count: x.rank - 1), doubles: t.mixWeight, dtype: x.dtype)
        let partners = x.take(Tensor(shape: [t.permutation.count], doubles: t.permutation.map(Double.init), dtype: .int64), axis: 0)
        return w * x + (1 - w) * partners
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let images = floatImages(x)
        guard training, images.rank == 4 else { return images }
        return blend(images, randomTransformation(batch: images.shape[0]))
    }

    /// Mixes a batch of images `(batch, height, width, channels)` and their labels `(batch, …)`
    /// (one-hot or soft, floats) with the same draw, as the layer does in training.
    ///
    /// - Throws: `KerasError.invalidArgument` when the images are not a rank-4 batch or the
    ///   labels do not have one row per image.
    public func mix(images: Tensor, labels: Tensor) throws -> (images: Tensor, labels: Tensor) {
        try checkMixInputs(images: images, labels: labels)
        let t = randomTransformation(batch: images.shape[0])
        return (blend(floatImages(images), t), blend(labels.dtype.isFloatingPoint ? labels : labels.cast(to: dtype), t))
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["alpha"] = .double(alpha)
        config["seed"] = ConfigValue(seed)
        return config
    }
}

extension RandomImageLayer {
    /// The checks of the batch-mixing layers' `mix(images:labels:)`: a rank-4 image batch and one
    /// label row per image.
    func checkMixInputs(images: Tensor, labels: Tensor) throws {
        guard images.rank == 4 else {
            throw KerasError.invalidArgument("\(className) \"\(name)\": expected a batch of images (batch, height, width, channels). Received: images.shape=\(images.shape)")
        }
        guard labels.rank >= 1, labels.shape[0] == images.shape[0] else {
            throw KerasError.invalidArgument("\(className) \"\(name)\": expected one label row per image (\(images.shape[0])). Received: labels.shape=\(labels.shape)")
        }
    }
}
