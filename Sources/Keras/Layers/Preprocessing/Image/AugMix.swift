/// AugMix (`keras.layers.AugMix`): in training, `numChains` chains of up to `chainDepth`
/// random operations (each step picks one of the operations or none) are run on the images,
/// the chains are blended with Dirichlet(`alpha`) weights, and the result is mixed with the
/// original images by a Beta(`alpha`, `alpha`) weight, then clipped to `valueRange`. With
/// `allOps: false` the color operations (brightness, color degeneration, contrast, sharpness)
/// are left out. The identity in inference.
///
/// ```swift
/// let augment = AugMix(valueRange: (0, 1), numChains: 3, chainDepth: 3, factor: 0.3, seed: 42)
/// ```
public final class AugMix: BaseChainedAugmentation, @unchecked Sendable {
    /// The number of augmentation chains mixed (Keras's `num_chains`).
    public let numChains: Int
    /// The number of steps of each chain (Keras's `chain_depth`).
    public let chainDepth: Int
    /// The Dirichlet and Beta parameter of the mixing weights.
    public let alpha: Double
    /// Whether the color operations are among the choices (Keras's `all_ops`).
    public let allOps: Bool

    /// Creates an `AugMix` with Keras's arguments and defaults (the names in Swift case).
    public convenience init(valueRange: (Double, Double) = (0, 255), numChains: Int = 3, chainDepth: Int = 3, factor: Double = 0.3,
                            alpha: Double = 1.0, allOps: Bool = true, interpolation: ImageInterpolation = .bilinear, seed: Int? = nil,
                            name: String? = nil, dtype: DType = .float32) {
        self.init(factorValue: .double(factor), valueRange: valueRange, numChains: numChains, chainDepth: chainDepth, alpha: alpha,
                  allOps: allOps, interpolation: interpolation, seed: seed, name: name, dtype: dtype)
    }

    /// Creates an `AugMix` whose strength is drawn from `factor` `(lower, upper)` in [0, 1].
    public convenience init(valueRange: (Double, Double) = (0, 255), numChains: Int = 3, chainDepth: Int = 3, factor: (Double, Double),
                            alpha: Double = 1.0, allOps: Bool = true, interpolation: ImageInterpolation = .bilinear, seed: Int? = nil,
                            name: String? = nil, dtype: DType = .float32) {
        self.init(factorValue: AugmentationFactor.value(factor), valueRange: valueRange, numChains: numChains, chainDepth: chainDepth,
                  alpha: alpha, allOps: allOps, interpolation: interpolation, seed: seed, name: name, dtype: dtype)
    }

    init(factorValue: ConfigValue, valueRange: (Double, Double), numChains: Int, chainDepth: Int, alpha: Double, allOps: Bool,
         interpolation: ImageInterpolation, seed: Int?, name: String?, dtype: DType) {
        requireValid { try AugMix.validate(numChains: numChains, chainDepth: chainDepth, alpha: alpha) }
        (self.numChains, self.chainDepth, self.alpha, self.allOps) = (numChains, chainDepth, alpha, allOps)
        super.init(operationNames: Array(Self.allOperationNames.prefix(allOps ? 11 : 7)), factorValue: factorValue, valueRange: valueRange,
                   interpolation: interpolation, seed: seed, name: name, dtype: dtype)
    }

    static func validate(numChains: Int, chainDepth: Int, alpha: Double) throws {
        try validateCount(numChains, "num_chains", minimum: 1)
        try validateCount(chainDepth, "chain_depth", minimum: 0)
        try ensure(alpha > 0 && alpha.isFinite, "AugMix: The `alpha` argument should be a positive number. Received: alpha=\(alpha)")
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for an out-of-range `factor`, `num_chains`,
    ///   `chain_depth` or `alpha`, a malformed `value_range`, an unknown interpolation or a
    ///   malformed seed.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: AugMix.self, config: config)
        let base = try r.layerBase()
        try r.channelsLast()
        let shared = try Self.readShared(&r, defaultFactor: 0.3)
        let numChains = try r.int("num_chains", default: 3), chainDepth = try r.int("chain_depth", default: 3)
        let alpha = try r.double("alpha", default: 1.0), allOps = try r.bool("all_ops", default: true)
        try r.validated { try AugMix.validate(numChains: numChains, chainDepth: chainDepth, alpha: alpha) }
        self.init(factorValue: shared.factor, valueRange: shared.valueRange, numChains: numChains, chainDepth: chainDepth, alpha: alpha,
                  allOps: allOps, interpolation: shared.interpolation, seed: shared.seed, name: base.name, dtype: base.dtype)
    }

    /// One batch's draw: the chains' weights (Dirichlet), the weight of the original images
    /// (Beta), and each chain's operations (an index into ``operations``; steps that drew "none"
    /// are left out).
    struct Transformation {
        var chainWeights: [Double]
        var originalWeight: Double
        var chains: [[Int]]
    }

    func randomTransformation() -> Transformation {
        let gammas = Tensor.randomGamma([numChains], alpha: alpha, dtype: .float64, seed: seedGenerator).doubles
        let total = gammas.reduce(0, +)
        let original = Tensor.randomBeta([1], alpha: alpha, beta: alpha, dtype: .float64, seed: seedGenerator).doubles[0]
        let picks = Tensor.randomInt([numChains * chainDepth], minval: 0, maxval: operations.count + 1, seed: seedGenerator).doubles.map { Int($0) }
        let chains = (0..<numChains).map { c in picks[(c * chainDepth)..<((c + 1) * chainDepth)].filter { $0 < operations.count } }
        // Keras divides by the sum as drawn; a sum that underflowed to 0 (tiny alpha) is one chain.
        let weights = total > 0 ? gammas.map { $0 / total } : (0..<numChains).map { $0 == 0 ? 1.0 : 0.0 }
        return Transformation(chainWeights: weights, originalWeight: original, chains: chains)
    }

    /// `w · x + (1 − w) · Σ_c weight_c · chain_c(x)`, clipped to the value range.
    func augment(_ images: Tensor, _ t: Transformation, runChain: ([Int], Tensor) -> Tensor) -> Tensor {
        var mixed = Tensor.zeros(images.shape, dtype: images.dtype)
        for (chain, weight) in zip(t.chains, t.chainWeights) {
            mixed = mixed + runChain(chain, images) * weight
        }
        return (images * t.originalWeight + mixed * (1 - t.originalWeight)).clip(valueRange.0, valueRange.1)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let images = floatImages(x)
        guard training else { return images }
        return augment(images, randomTransformation()) { chain, images in chain.reduce(images) { apply($1, $0) } }
    }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["num_chains"] = .int(numChains)
        config["chain_depth"] = .int(chainDepth)
        config["alpha"] = .double(alpha)
        config["all_ops"] = .bool(allOps)
        return config
    }
}
