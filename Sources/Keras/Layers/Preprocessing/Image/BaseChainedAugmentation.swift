/// The shared base of ``RandAugment`` and ``AugMix``: augmentation layers built as Keras builds
/// them from one `factor`, `valueRange`, `interpolation` and `seed`, which the subclass chains
/// in training. Each operation draws its own parameters when it runs (with the layer's seed,
/// as Keras's sub-layers are seeded); the identity in inference.
///
/// ```swift
/// let augment: BaseChainedAugmentation = RandAugment(numOps: 2, factor: 0.5, seed: 1)
/// augment.operations.map(\.className)   // ["RandomShear", "RandomTranslation", …]
/// ```
public class BaseChainedAugmentation: RandomImageLayer, @unchecked Sendable {
    /// The range of the pixel values (Keras's `value_range`).
    public let valueRange: (Double, Double)
    /// The resampling of the geometric operations (bilinear or nearest).
    public let interpolation: ImageInterpolation
    let factor: AugmentationFactor
    /// The operations, in Keras's order, with the attribute names Keras saves them under.
    let namedOperations: [(name: String, layer: Layer)]

    /// The operations the layer chooses from, in Keras's order.
    public var operations: [Layer] { namedOperations.map(\.layer) }

    /// Keras's attribute names of the operations, in its order (`AUGMENT_LAYERS_ALL`).
    static let allOperationNames = ["random_shear", "random_translation", "random_rotation", "random_posterization", "solarization",
                                    "auto_contrast", "equalization", "random_brightness", "random_color_degeneration",
                                    "random_contrast", "random_sharpness"]

    init(operationNames: [String], factorValue: ConfigValue, valueRange: (Double, Double), interpolation: ImageInterpolation,
         seed: Int?, name: String?, dtype: DType) {
        var parsed: AugmentationFactor?
        requireValid {
            parsed = try AugmentationFactor(unitRange: factorValue, layer: Self.className, argument: "factor")
            try validateValueRange(valueRange, layer: Self.className)
            try ensure(interpolation == .bilinear || interpolation == .nearest,
                       "\(Self.className): Unknown `interpolation` \(interpolation.rawValue). Expected of one ['nearest', 'bilinear'].")
        }
        let factor = parsed!
        self.factor = factor
        self.valueRange = valueRange
        self.interpolation = interpolation
        let range = (factor.lower, factor.upper)
        namedOperations = operationNames.map { name in
            let layer: Layer = switch name {
            case "random_shear": RandomShear(xFactor: range, yFactor: range, interpolation: interpolation, seed: seed, dtype: dtype)
            case "random_translation": RandomTranslation(heightFactor: range, widthFactor: range, interpolation: interpolation, seed: seed, dtype: dtype)
            case "random_rotation": RandomRotation(factor: range, interpolation: interpolation, seed: seed, dtype: dtype)
            case "random_posterization": RandomPosterization(Double(Swift.max(1, Int(8 * factor.upper))), valueRange: valueRange, seed: seed, dtype: dtype)
            case "solarization": Solarization(additionFactor: range, thresholdFactor: range, valueRange: valueRange, seed: seed, dtype: dtype)
            case "auto_contrast": AutoContrast(valueRange: valueRange, dtype: dtype)
            case "equalization": Equalization(valueRange: valueRange, dtype: dtype)
            case "random_brightness": RandomBrightness(factor: range, valueRange: valueRange, seed: seed, dtype: dtype)
            case "random_color_degeneration": RandomColorDegeneration(factor: range, valueRange: valueRange, seed: seed, dtype: dtype)
            case "random_contrast": RandomContrast(factor: range, valueRange: valueRange, seed: seed, dtype: dtype)
            default: RandomSharpness(factor: range, valueRange: valueRange, seed: seed, dtype: dtype)
            }
            return (name, layer)
        }
        super.init(seed: seed, name: name, dtype: dtype)
    }

    /// Reads the keys both layers share: `factor` (default `defaultFactor`), `value_range`,
    /// `interpolation` and the seed.
    static func readShared(_ r: inout ObjectConfigReader, defaultFactor: Double) throws
        -> (factor: ConfigValue, valueRange: (Double, Double), interpolation: ImageInterpolation, seed: Int?) {
        let factor = r.present("factor") == nil ? AugmentationFactor.value(defaultFactor)
            : try readFactor(&r, "factor") { try AugmentationFactor(unitRange: $0, layer: className, argument: "factor") }.original
        let valueRange = try readValueRange(&r, layer: className)
        let interpolation = try r.choice("interpolation", default: ImageInterpolation.bilinear, allowed: [.nearest, .bilinear])
        return (factor, valueRange, interpolation, try r.seed())
    }

    /// Checks a count argument (`num_ops`, `num_chains`, `chain_depth`): a whole number in
    /// `minimum...1000`.
    static func validateCount(_ value: Int, _ argument: String, minimum: Int) throws {
        try ensure(value >= minimum && value <= 1000,
                   "\(className): The `\(argument)` argument should be an integer in [\(minimum), 1000]. Received: \(argument)=\(value)")
    }

    /// Inputs every operation can take (the color operations need 3 channels, as in Keras).
    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        super.validateSymbolic(inputShapes)
            ?? operations.lazy.compactMap { $0.checkInputs(inputShapes) ?? $0.validateSymbolic(inputShapes) }.first
    }

    /// One operation run in training mode on `images`.
    func apply(_ operation: Int, _ images: Tensor) -> Tensor {
        namedOperations[operation].layer(images, training: true)
    }

    /// Saved as Keras saves them: one group per operation, under its attribute name.
    public override var savedChildren: [(name: String, child: SavedChild)] {
        namedOperations.sorted { $0.name < $1.name }.map { ($0.name, .layer($0.layer)) }
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["value_range"] = [.double(valueRange.0), .double(valueRange.1)]
        config["factor"] = factor.rangeConfig
        config["interpolation"] = .string(interpolation.rawValue)
        config["seed"] = ConfigValue(seed)
        return config
    }
}
