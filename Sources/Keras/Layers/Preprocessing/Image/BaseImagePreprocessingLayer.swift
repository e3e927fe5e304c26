/// The shared base of the image preprocessing and augmentation layers (Keras's
/// `BaseImagePreprocessingLayer`): inputs are one channels-last image `(height, width,
/// channels)` or a batch `(batch, height, width, channels)`, integer images are converted to the
/// layer's float dtype, and the config carries `data_format`.
///
/// ```swift
/// let pipeline: [BaseImagePreprocessingLayer] = [Resizing(32, 32), RandomFlip(seed: 1)]
/// ```
public class BaseImagePreprocessingLayer: Layer, @unchecked Sendable {
    /// Its inference call writes no state, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        let shape = inputShapes[0]
        guard shape.count != 3 && shape.count != 4 else {
            let (height, width) = (shape[shape.count - 3], shape[shape.count - 2])
            if height == 0 || width == 0 {
                return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (\(className)): Expected images of non-zero height and width. Received: inputs.shape=\(formatShape(shape))")
            }
            return outputSizeError(self, input: shape, output: computeOutputShape(shape))
        }
        return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (\(className)): Expected the input image to be rank 3 or 4. Received: inputs.shape=\(formatShape(shape))")
    }

    /// The inputs as float images of the layer's dtype.
    func floatImages(_ x: Tensor) -> Tensor {
        require(x.rank == 3 || x.rank == 4, "Layer \"\(name)\" (\(className)): Expected the input image to be rank 3 or 4. Received: inputs.shape=\(x.shape)")
        return x.dtype == dtype ? x : x.cast(to: dtype)
    }

    /// The (height, width) axes of `shape`.
    func imageAxes(rank: Int) -> (height: Int, width: Int) { rank == 4 ? (1, 2) : (0, 1) }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["data_format"] = "channels_last"
        return config
    }
}

/// The shared base of the random augmentation layers: a seeded random stream (Keras's
/// `SeedGenerator`), drawn from only in training — in inference these layers return their input
/// (cast to float), as in Keras.
///
/// ```swift
/// let augment: RandomImageLayer = RandomContrast(0.2, seed: 42)
/// augment(images, training: true)   // the same draws for every layer built with seed 42
/// ```
public class RandomImageLayer: BaseImagePreprocessingLayer, @unchecked Sendable {
    /// The seed given at construction (`nil`: the global or task seed source).
    public let seed: Int?
    /// Its random stream (Keras's `seed_generator`), seeded with ``seed``.
    public let seedGenerator: SeedGenerator

    init(seed: Int?, name: String?, dtype: DType) {
        self.seed = seed
        self.seedGenerator = SeedGenerator(seed: seed)
        super.init(name: name, dtype: dtype)
    }

    /// `count` samples of U[0, 1) from ``seedGenerator``, one per image or per parameter.
    func uniformDraws(_ count: Int) -> [Double] {
        Tensor.randomUniform([count], dtype: .float64, seed: seedGenerator).doubles
    }

    /// The number of images and the image height and width of `x`.
    func batchGeometry(_ x: Tensor) -> (batch: Int, height: Int, width: Int) {
        x.rank == 4 ? (x.shape[0], x.shape[1], x.shape[2]) : (1, x.shape[0], x.shape[1])
    }

    /// A per-image tensor `(batch, 1, 1, 1)` (or `(1, 1, 1)` for one image) of `values`.
    func perImage(_ values: [Double], like x: Tensor) -> Tensor {
        Tensor(shape: x.rank == 4 ? [values.count, 1, 1, 1] : [1, 1, 1], doubles: values, dtype: x.dtype)
    }
}

/// A `factor` argument of the augmentation layers: a number `f` (the range `[−f, f]`, its lower
/// end clipped to `bounds`) or a `(lower, upper)` pair, kept as given for the config.
struct AugmentationFactor: Sendable {
    let lower: Double
    let upper: Double
    /// The argument as given (`0.1` or `[-0.1, 0.2]`).
    let original: ConfigValue

    /// Keras's `_set_factor` of `BaseImagePreprocessingLayer`.
    init(_ value: ConfigValue, bounds: (Double, Double), layer: String, argument: String = "factor") throws {
        let message = "\(layer): The `\(argument)` argument should be a number (or a list of two numbers) in the range [\(bounds.0), \(bounds.1)]. Received: \(argument)=\(value)"
        if let f = value.doubleValue {
            try ensure(f.isFinite && f >= bounds.0 && f <= bounds.1, message)
            lower = Swift.max(-Swift.abs(f), bounds.0)
            upper = Swift.abs(f)
        } else if let pair = value.arrayValue?.compactMap(\.doubleValue), pair.count == 2, value.arrayValue!.count == 2 {
            try ensure(pair.allSatisfy(\.isFinite) && pair[0] <= bounds.1 && pair[1] >= bounds.0, message)
            lower = pair.min()!
            upper = pair.max()!
        } else {
            throw KerasError.invalidArgument(message)
        }
        original = value
    }

    /// The height/width factors of RandomZoom and RandomTranslation: each end in the allowed range
    /// (`lowerOpen`: the lower bound -1 itself is rejected, as RandomZoom does).
    init(spatial value: ConfigValue, layer: String, argument: String, lowerOpen: Bool) throws {
        func check(_ f: Double) throws {
            try ensure(f.isFinite && f <= 1 && (lowerOpen ? f > -1 : f >= -1),
                       "\(layer): The `\(argument)` argument should be a number (or a list of two numbers) in the range \(lowerOpen ? "(-1.0, 1.0]" : "[-1.0, 1.0]"). Received: \(argument)=\(value)")
        }
        if let f = value.doubleValue {
            try check(f)
            lower = -Swift.abs(f)
            upper = Swift.abs(f)
        } else if let pair = value.arrayValue?.compactMap(\.doubleValue), pair.count == 2, value.arrayValue!.count == 2 {
            try check(pair[0])
            try check(pair[1])
            lower = pair.min()!
            upper = pair.max()!
        } else {
            throw KerasError.invalidArgument("\(layer): The `\(argument)` argument should be a number or a list of two numbers. Received: \(argument)=\(value)")
        }
        original = value
    }

    /// The range written as Keras stores it after parsing: `[lower, upper]`.
    var rangeConfig: ConfigValue { [.double(lower), .double(upper)] }

    /// A value for a Swift `factor` argument given as a number.
    static func value(_ f: Double) -> ConfigValue { .double(f) }
    /// A value for a Swift `factor` argument given as a range.
    static func value(_ range: (Double, Double)) -> ConfigValue { [.double(range.0), .double(range.1)] }
}

/// Reads a factor argument from a config, reporting errors as `invalidConfig`.
func readFactor(_ r: inout ObjectConfigReader, _ key: String, _ make: (ConfigValue) throws -> AugmentationFactor) throws -> AugmentationFactor {
    guard let value = r.present(key) else { throw r.mismatch(key, "a number or a list of two numbers", .null, absent: true) }
    return try r.validated { try make(value) }
}

/// The fill modes RandomRotation, RandomZoom and RandomTranslation accept.
let augmentationFillModes: [ImageFillMode] = [.reflect, .wrap, .constant, .nearest]
