import KerasCore

/// Shears images by random amounts in training (`keras.layers.RandomShear`): each image is
/// sampled through `x' = x + s_x·y`, `y' = s_y·x + y`, with `s_x` drawn from the `xFactor` range
/// and `s_y` from the `yFactor` range and both negated together for half of the images; points
/// from outside the image are filled as `fillMode` says. A number `f` gives the range `[−f, f]`;
/// every factor lies in `[0, 1]` (a fraction of the image to shear over). The identity in
/// inference.
///
/// ```swift
/// let augment = RandomShear(xFactor: 0.2, yFactor: 0.1, fillMode: .constant, seed: 1)
/// augment(images, training: true)
/// ```
public final class RandomShear: RandomAffineLayer, @unchecked Sendable {
    /// The range `s_x` is drawn from, as Keras stores it.
    public let xFactor: (lower: Double, upper: Double)
    /// The range `s_y` is drawn from, as Keras stores it.
    public let yFactor: (lower: Double, upper: Double)

    /// Shears of at most `xFactor` and `yFactor` (the ranges `[−f, f]`), Keras's defaults
    /// otherwise (no shear, reflected edges, bilinear sampling).
    ///
    /// ```swift
    /// let shear = RandomShear(xFactor: 0.3, seed: 42)
    /// ```
    public convenience init(xFactor: Double = 0, yFactor: Double = 0, interpolation: ImageInterpolation = .bilinear,
                            fillMode: ImageFillMode = .reflect, fillValue: Double = 0, seed: Int? = nil,
                            name: String? = nil, dtype: DType = .float32) {
        self.init(xValue: .double(xFactor), yValue: .double(yFactor), interpolation: interpolation, fillMode: fillMode,
                  fillValue: fillValue, seed: seed, name: name, dtype: dtype)
    }

    /// Shears drawn from the ranges `xFactor` and `yFactor` (each end in `[0, 1]`).
    ///
    /// ```swift
    /// let shear = RandomShear(xFactor: (0.1, 0.3), yFactor: (0, 0.2), seed: 42)
    /// ```
    public convenience init(xFactor: (Double, Double), yFactor: (Double, Double), interpolation: ImageInterpolation = .bilinear,
                            fillMode: ImageFillMode = .reflect, fillValue: Double = 0, seed: Int? = nil,
                            name: String? = nil, dtype: DType = .float32) {
        self.init(xValue: [.double(xFactor.0), .double(xFactor.1)], yValue: [.double(yFactor.0), .double(yFactor.1)],
                  interpolation: interpolation, fillMode: fillMode, fillValue: fillValue, seed: seed, name: name, dtype: dtype)
    }

    init(xValue: ConfigValue, yValue: ConfigValue, interpolation: ImageInterpolation, fillMode: ImageFillMode, fillValue: Double,
         seed: Int?, name: String?, dtype: DType) {
        var parsed: ((Double, Double), (Double, Double))?
        requireValid { parsed = (try Self.shearRange(xValue, argument: "x_factor"), try Self.shearRange(yValue, argument: "y_factor")) }
        xFactor = parsed!.0
        yFactor = parsed!.1
        super.init(fillMode: fillMode, interpolation: interpolation, fillValue: fillValue, seed: seed, name: name, dtype: dtype)
    }

    /// Keras's `_set_factor_with_name`: a number `f` in `[0, 1]` gives `[−f, f]`; a pair has both
    /// ends in `[0, 1]`. The symmetric pair `[−f, f]` that ``getConfig()`` writes for a number is
    /// accepted too, so that configs round-trip (Keras itself rejects its own negative end).
    static func shearRange(_ value: ConfigValue, argument: String) throws -> (Double, Double) {
        let message = "RandomShear: The `\(argument)` argument should be a number (or a list of two numbers) in the range [0, 1.0]. Received: \(argument)=\(value)"
        func inRange(_ f: Double) -> Bool { f.isFinite && f >= 0 && f <= 1 }
        if let f = value.doubleValue {
            try ensure(inRange(f), message)
            return (-Swift.abs(f), Swift.abs(f))
        }
        guard let list = value.arrayValue, list.count == 2, let a = list[0].doubleValue, let b = list[1].doubleValue else {
            throw KerasError.invalidArgument(message)
        }
        let symmetric = a == -b && inRange(b)
        try ensure(symmetric || (inRange(a) && inRange(b)), message)
        return (Swift.min(a, b), Swift.max(a, b))
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for an out-of-range or malformed `x_factor` or
    ///   `y_factor`, an unsupported fill mode or interpolation, or a malformed seed.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: RandomShear.self, config: config)
        let base = try r.layerBase()
        try r.channelsLast()
        let x = r.present("x_factor") ?? .double(0), y = r.present("y_factor") ?? .double(0)
        _ = try r.validated { (try Self.shearRange(x, argument: "x_factor"), try Self.shearRange(y, argument: "y_factor")) }
        let (fillMode, interpolation, fillValue) = try Self.readSampling(&r)
        self.init(xValue: x, yValue: y, interpolation: interpolation, fillMode: fillMode, fillValue: fillValue,
                  seed: try r.seed(), name: base.name, dtype: base.dtype)
    }

    /// Keras's draws for `batch` images: `(s_x, s_y)` per image, both negated when a uniform
    /// draw exceeds ½.
    func drawShearFactors(batch: Int) -> [(x: Double, y: Double)] {
        let u = uniformDraws(3 * batch)
        return (0..<batch).map { i in
            let sign: Double = u[i] > 0.5 ? -1 : 1
            let sy = yFactor.lower + (yFactor.upper - yFactor.lower) * u[batch + i]
            let sx = xFactor.lower + (xFactor.upper - xFactor.lower) * u[2 * batch + i]
            return (sx * sign, sy * sign)
        }
    }

    /// The transform `[1, s_x, 0, s_y, 1, 0, 0, 0]` of one shear.
    static func shearMatrix(_ factor: (x: Double, y: Double)) -> [Double] { [1, factor.x, 0, factor.y, 1, 0, 0, 0] }

    /// The images sheared by the given factors, one per image (Keras's `transform_images`).
    func shear(_ images: Tensor, factors: [(x: Double, y: Double)]) -> Tensor {
        let matrix = Tensor(shape: images.rank == 4 ? [factors.count, 8] : [8], doubles: factors.flatMap(Self.shearMatrix), dtype: .float64)
        return images.affineTransform(matrix, interpolation: interpolation, fillMode: fillMode, fillValue: fillValue)
    }

    override func transforms(batch: Int, height: Int, width: Int) -> [[Double]] {
        drawShearFactors(batch: batch).map(Self.shearMatrix)
    }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["x_factor"] = [.double(xFactor.lower), .double(xFactor.upper)]
        config["y_factor"] = [.double(yFactor.lower), .double(yFactor.upper)]
        config["fill_mode"] = .string(fillMode.rawValue)
        config["interpolation"] = .string(interpolation.rawValue)
        config["seed"] = ConfigValue(seed)
        config["fill_value"] = .double(fillValue)
        return config
    }
}
