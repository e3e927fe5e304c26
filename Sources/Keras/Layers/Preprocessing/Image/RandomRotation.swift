import Foundation

/// Rotates images by a random angle in training (`keras.layers.RandomRotation`): `factor` is a
/// fraction of a full turn — `0.1` draws angles in [−36°, 36°], `(-0.1, 0.2)` in [−36°, 72°] —
/// about the image center.
///
/// ```swift
/// let augment = RandomRotation(0.1, fillMode: .constant, seed: 1)
/// augment(images, training: true)
/// ```
public final class RandomRotation: RandomAffineLayer, @unchecked Sendable {
    let factor: AugmentationFactor
    /// The range of rotations, as fractions of 2π.
    public var factorRange: (lower: Double, upper: Double) { (factor.lower, factor.upper) }

    /// Rotations in `[−factor, factor]` turns.
    public convenience init(_ factor: Double, fillMode: ImageFillMode = .reflect, interpolation: ImageInterpolation = .bilinear,
                            seed: Int? = nil, fillValue: Double = 0, name: String? = nil, dtype: DType = .float32) {
        self.init(factorValue: AugmentationFactor.value(factor), fillMode: fillMode, interpolation: interpolation,
                  seed: seed, fillValue: fillValue, name: name, dtype: dtype)
    }

    /// Rotations in `[factor.0, factor.1]` turns.
    public convenience init(factor: (Double, Double), fillMode: ImageFillMode = .reflect, interpolation: ImageInterpolation = .bilinear,
                            seed: Int? = nil, fillValue: Double = 0, name: String? = nil, dtype: DType = .float32) {
        self.init(factorValue: AugmentationFactor.value(factor), fillMode: fillMode, interpolation: interpolation,
                  seed: seed, fillValue: fillValue, name: name, dtype: dtype)
    }

    init(factorValue: ConfigValue, fillMode: ImageFillMode, interpolation: ImageInterpolation, seed: Int?, fillValue: Double,
         name: String?, dtype: DType) {
        var parsed: AugmentationFactor?
        requireValid { parsed = try AugmentationFactor(factorValue, bounds: (-1, 1), layer: "RandomRotation") }
        self.factor = parsed!
        super.init(fillMode: fillMode, interpolation: interpolation, fillValue: fillValue, seed: seed, name: name, dtype: dtype)
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for a missing or out-of-range `factor`, an
    ///   unsupported fill mode or interpolation, or a malformed seed.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: RandomRotation.self, config: config)
        let base = try r.layerBase()
        try r.channelsLast()
        let factor = try readFactor(&r, "factor") { try AugmentationFactor($0, bounds: (-1, 1), layer: "RandomRotation") }
        let (fillMode, interpolation, fillValue) = try Self.readSampling(&r)
        self.init(factorValue: factor.original, fillMode: fillMode, interpolation: interpolation, seed: try r.seed(),
                  fillValue: fillValue, name: base.name, dtype: base.dtype)
    }

    override func transforms(batch: Int, height: Int, width: Int) -> [[Double]] {
        let cx = 0.5 * Double(width - 1), cy = 0.5 * Double(height - 1)
        return uniformDraws(batch).map { u in
            let angle = (factor.lower + (factor.upper - factor.lower) * u) * 2 * Double.pi
            let c = Foundation.cos(angle), s = Foundation.sin(angle)
            return [c, -s, cx - cx * c + cy * s, s, c, cy - cx * s - cy * c, 0, 0]
        }
    }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["factor"] = factor.rangeConfig
        config["fill_mode"] = .string(fillMode.rawValue)
        config["fill_value"] = .double(fillValue)
        config["interpolation"] = .string(interpolation.rawValue)
        config["seed"] = ConfigValue(seed)
        return config
    }
}
