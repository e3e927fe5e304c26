/// RandAugment (`keras.layers.RandAugment`): in training, `numOps` operations drawn at random
/// (once per batch) from shear, translation, rotation, brightness, color degeneration,
/// contrast, sharpness, posterization, solarization, auto-contrast and equalization are applied
/// one after the other, all at the strength `factor` (a number in [0, 1]: the range [0, factor]).
/// The identity in inference.
///
/// ```swift
/// let augment = RandAugment(valueRange: (0, 255), numOps: 2, factor: 0.5, seed: 42)
/// let model = Sequential([Input(shape: [32, 32, 3]), augment, Conv2D(16, kernelSize: 3), Flatten(), Dense(10)])
/// ```
public final class RandAugment: BaseChainedAugmentation, @unchecked Sendable {
    /// The number of operations applied to each batch (Keras's `num_ops`).
    public let numOps: Int

    /// Keras's operation order for RandAugment (`_AUGMENT_LAYERS`).
    static let operationNames = ["random_shear", "random_translation", "random_rotation", "random_brightness",
                                 "random_color_degeneration", "random_contrast", "random_sharpness", "random_posterization",
                                 "solarization", "auto_contrast", "equalization"]

    /// Creates a `RandAugment` with Keras's arguments and defaults (the names in Swift case).
    public convenience init(valueRange: (Double, Double) = (0, 255), numOps: Int = 2, factor: Double = 0.5,
                            interpolation: ImageInterpolation = .bilinear, seed: Int? = nil, name: String? = nil, dtype: DType = .float32) {
        self.init(factorValue: .double(factor), valueRange: valueRange, numOps: numOps, interpolation: interpolation, seed: seed, name: name, dtype: dtype)
    }

    /// Creates a `RandAugment` whose strength is drawn from `factor` `(lower, upper)` in [0, 1].
    public convenience init(valueRange: (Double, Double) = (0, 255), numOps: Int = 2, factor: (Double, Double),
                            interpolation: ImageInterpolation = .bilinear, seed: Int? = nil, name: String? = nil, dtype: DType = .float32) {
        self.init(factorValue: AugmentationFactor.value(factor), valueRange: valueRange, numOps: numOps, interpolation: interpolation,
                  seed: seed, name: name, dtype: dtype)
    }

    init(factorValue: ConfigValue, valueRange: (Double, Double), numOps: Int, interpolation: ImageInterpolation, seed: Int?,
         name: String?, dtype: DType) {
        requireValid { try RandAugment.validateCount(numOps, "num_ops", minimum: 0) }
        self.numOps = numOps
        super.init(operationNames: Self.operationNames, factorValue: factorValue, valueRange: valueRange, interpolation: interpolation,
                   seed: seed, name: name, dtype: dtype)
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for an out-of-range `factor` or `num_ops`, a malformed
    ///   `value_range`, an unknown interpolation or a malformed seed.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: RandAugment.self, config: config)
        let base = try r.layerBase()
        try r.channelsLast()
        let shared = try Self.readShared(&r, defaultFactor: 0.5)
        let numOps = try r.int("num_ops", default: 2)
        try r.validated { try RandAugment.validateCount(numOps, "num_ops", minimum: 0) }
        self.init(factorValue: shared.factor, valueRange: shared.valueRange, numOps: numOps, interpolation: shared.interpolation,
                  seed: shared.seed, name: base.name, dtype: base.dtype)
    }

    /// The operations of one batch, as indices into ``operations`` (Keras's `layer_idxes`).
    func randomChoices() -> [Int] {
        Tensor.randomInt([numOps], minval: 0, maxval: operations.count, seed: seedGenerator).doubles.map { Int($0) }
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let images = floatImages(x)
        guard training else { return images }
        return randomChoices().reduce(images) { apply($1, $0) }
    }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["num_ops"] = .int(numOps)
        return config
    }
}
