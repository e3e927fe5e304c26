/// The shared base of the augmentation layers built from one `factor` range and a `valueRange`:
/// ``RandomHue``, ``RandomSaturation``, ``RandomColorDegeneration``, ``RandomInvert``,
/// ``RandomPosterization`` and ``RandomSharpness``. It checks both arguments as the subclass's
/// rules say (Keras's `_set_factor` bounds and its `value_range` rule), writes them to the config
/// with the seed, and returns shapes unchanged; the subclass draws and applies its transform.
///
/// ```swift
/// let augment: FactorValueRangeLayer = RandomSharpness(0.8, valueRange: (1, 0), seed: 1)
/// augment.valueRange   // (0.0, 1.0): sorted, as Keras sorts it for RandomSharpness
/// ```
public class FactorValueRangeLayer: RandomImageLayer, @unchecked Sendable {
    /// How a subclass checks its `factor` and `value_range` arguments.
    struct Arguments {
        /// The bounds of `factor`: a number `f` gives the range `[max(−f, lower), f]`.
        let factorBounds: (Double, Double)
        /// The `value_range` rule.
        let valueRange: ValueRangeRule
        /// The `factor` of a config without one (`nil`: the key is required).
        var defaultFactor: Double? = nil
    }

    /// The `value_range` rules: the color layers' (``colorValueRange(_:sorted:layer:)``: low <
    /// high) and the tone layers' (``toneValueRange(_:layer:distinct:sorted:)``: finite).
    enum ValueRangeRule {
        case color(sorted: Bool)
        case tone(distinct: Bool, sorted: Bool)

        /// The checked (and, where the rule says, sorted) range.
        func check(_ range: (Double, Double), layer: String) throws -> (Double, Double) {
            switch self {
            case .color(let sorted): try colorValueRange(range, sorted: sorted, layer: layer)
            case .tone(let distinct, let sorted): try toneValueRange(range, layer: layer, distinct: distinct, sorted: sorted)
            }
        }

        /// `value_range` read from a config (default `[0, 255]`) and checked.
        func read(_ r: inout ObjectConfigReader, layer: String) throws -> (Double, Double) {
            switch self {
            case .color(let sorted): try readColorValueRange(&r, sorted: sorted, layer: layer)
            case .tone(let distinct, let sorted): try readToneValueRange(&r, layer: layer, distinct: distinct, sorted: sorted)
            }
        }
    }

    /// The argument rules of this class; every subclass overrides it.
    class var arguments: Arguments { fatalError("\(className) must override arguments") }

    let factor: AugmentationFactor
    /// The `valueRange` this layer was created with: sorted where Keras sorts it, kept in its
    /// given order by ``RandomHue`` and ``RandomInvert`` (which inverts an image as
    /// `valueRange.1 − x`).
    public let valueRange: (Double, Double)

    init(factorValue: ConfigValue, valueRange: (Double, Double), seed: Int?, name: String?, dtype: DType) {
        var parsed: AugmentationFactor?
        var range = valueRange
        requireValid {
            parsed = try Self.parseFactor(factorValue)
            range = try Self.arguments.valueRange.check(valueRange, layer: Self.className)
        }
        factor = parsed!
        self.valueRange = range
        super.init(seed: seed, name: name, dtype: dtype)
    }

    /// The subclasses' `init(config:)`: reads `factor`, `value_range` and `seed`, reporting
    /// errors as `KerasError.invalidConfig`.
    convenience init(reading config: Config) throws {
        var r = ObjectConfigReader(layer: Self.self, config: config)
        let base = try r.layerBase()
        try r.channelsLast()
        let factor: ConfigValue
        if let fallback = Self.arguments.defaultFactor, r.present("factor") == nil {
            factor = AugmentationFactor.value(fallback)
        } else {
            factor = try readFactor(&r, "factor", Self.parseFactor).original
        }
        let range = try Self.arguments.valueRange.read(&r, layer: Self.className)
        self.init(factorValue: factor, valueRange: range, seed: try r.seed(), name: base.name, dtype: base.dtype)
    }

    static func parseFactor(_ value: ConfigValue) throws -> AugmentationFactor {
        try AugmentationFactor(value, bounds: arguments.factorBounds, layer: className)
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["factor"] = factor.rangeConfig
        config["value_range"] = valueRangeConfig(valueRange)
        config["seed"] = ConfigValue(seed)
        return config
    }
}
