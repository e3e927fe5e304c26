import Synchronization

/// Randomly zeroes a fraction `rate` of the inputs during training and scales the rest by
/// `1 / (1 − rate)` so the expected sum is unchanged (`keras.layers.Dropout`). Outside training
/// it returns its input.
///
/// ```swift
/// let drop = Dropout(0.5, seed: 1)
/// drop(x, training: true)    // about half zeros, the rest doubled
/// drop(x)                    // x
/// ```
public final class Dropout: Layer, @unchecked Sendable {
    public let rate: Double
    public let noiseShape: [Int?]?
    public let seed: Int?
    private let generator: Mutex<RandomGenerator>

    public init(_ rate: Double, noiseShape: [Int?]? = nil, seed: Int? = nil, name: String? = nil, dtype: DType = .float32) {
        precondition(rate >= 0 && rate <= 1, "Dropout: invalid value received for argument `rate`. Expected a float value between 0 and 1. Received: rate=\(rate)")
        self.rate = rate
        self.noiseShape = noiseShape
        self.seed = seed
        self.generator = Mutex(makeRandomGenerator(seed: seed))
        super.init(name: name, dtype: dtype)
    }

    public convenience init(config: Config) throws {
        guard let rate = config["rate"]?.doubleValue else {
            throw KerasError.invalidConfig("Dropout config needs \"rate\", received \(ConfigValue.object(config))")
        }
        self.init(rate, noiseShape: config["noise_shape"]?.shapeValue, seed: config["seed"]?.intValue,
                  name: config["name"]?.stringValue, dtype: try dtypeFromConfig(config["dtype"]))
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        guard training, rate > 0 else { return x }
        if rate == 1 { return x * 0 }
        let maskShape = noiseShape.map { ns in zip(ns, x.shape).map { $0 ?? $1 } } ?? x.shape
        let keep = 1 - rate
        let scale = 1 / keep
        let count = maskShape.reduce(1, *)
        let values: [Double] = generator.withLock { g in
            (0..<count).map { _ in g.nextUnit() < keep ? scale : 0 }
        }
        return x * Tensor(shape: maskShape, doubles: values, dtype: x.dtype)
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["rate"] = .double(rate)
        config["seed"] = ConfigValue(seed)
        config["noise_shape"] = noiseShape.map { ConfigValue(shape: $0) } ?? .null
        return config
    }
}
