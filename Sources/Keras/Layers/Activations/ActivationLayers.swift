/// Applies an activation function (`keras.layers.Activation`); the functions themselves are
/// ``ActivationFunction`` values (`Dense(4, activation: .relu)`).
///
/// ```swift
/// let y = Activation(.relu)(Tensor([[-1.0, 2.0]]))   // [[0, 2]]
/// ```
public final class Activation: Layer, @unchecked Sendable {
    /// Its call writes no state in inference, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// Passes the input's mask on (Keras's `supports_masking = True`).
    public override var supportsMasking: Bool { true }
    /// The `activation` this `Activation` was created with.
    public let activation: ActivationFunction

    /// Creates an `Activation` with Keras's arguments and defaults (the names in Swift case).
    public init(_ activation: ActivationFunction, name: String? = nil, dtype: DType = .float32) {
        self.activation = activation
        super.init(name: name, dtype: dtype)
    }

    /// Recreates a layer from ``getConfig()`` (`activation`, `name`, `dtype`).
    ///
    /// - Throws: `KerasError.invalidConfig` for an unknown activation name.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: Activation.self, config: config)
        let base = try r.layerBase()
        self.init(try r.activation(), name: base.name, dtype: base.dtype)
    }

    public override class var className: String { "Activation" }
    public override func call(_ inputs: Tensor, training: Bool) -> Tensor { activation(inputs) }
    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }
    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["activation"] = .string(activation.name)
        return config
    }
}

/// Rectified linear unit with options (`keras.layers.ReLU`): `max_value` caps the output,
/// values below `threshold` become `negative_slope · (x − threshold)`.
///
/// ```swift
/// ReLU(maxValue: 6)(x)                 // relu6
/// ReLU(negativeSlope: 0.1, threshold: 1)(x)
/// ```
public final class ReLU: Layer, @unchecked Sendable {
    /// Its call writes no state in inference, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// The `maxValue` this `ReLU` was created with.
    public let maxValue: Double?
    /// The `negativeSlope` this `ReLU` was created with.
    public let negativeSlope: Double
    /// The `threshold` this `ReLU` was created with.
    public let threshold: Double

    /// Creates a `ReLU` with Keras's arguments and defaults (the names in Swift case).
    public init(maxValue: Double? = nil, negativeSlope: Double = 0, threshold: Double = 0,
                name: String? = nil, dtype: DType = .float32) {
        requireValid { try Self.validate(maxValue: maxValue, negativeSlope: negativeSlope, threshold: threshold) }
        self.maxValue = maxValue
        self.negativeSlope = negativeSlope
        self.threshold = threshold
        super.init(name: name, dtype: dtype)
    }

    /// Keras's argument checks: `max_value` and `negative_slope` non-negative, `threshold` finite.
    static func validate(maxValue: Double?, negativeSlope: Double, threshold: Double) throws {
        if let maxValue {
            try ensure(maxValue >= 0, "ReLU: max_value of a ReLU layer cannot be a negative value. Received: max_value=\(maxValue)")
        }
        try ensure(negativeSlope >= 0 && negativeSlope.isFinite, "ReLU: negative_slope of a ReLU layer cannot be a negative value. Received: negative_slope=\(negativeSlope)")
        try ensure(threshold.isFinite, "ReLU: threshold of a ReLU layer must be a finite number. Received: threshold=\(threshold)")
    }

    /// Recreates a layer from ``getConfig()`` (`max_value`, `negative_slope`, `threshold`).
    ///
    /// - Throws: `KerasError.invalidConfig` for mistyped or out-of-range values.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: ReLU.self, config: config)
        let base = try r.layerBase()
        let maxValue = try r.optionalDouble("max_value")
        let negativeSlope = try r.double("negative_slope", default: 0), threshold = try r.double("threshold", default: 0)
        try r.validated { try ReLU.validate(maxValue: maxValue, negativeSlope: negativeSlope, threshold: threshold) }
        self.init(maxValue: maxValue, negativeSlope: negativeSlope, threshold: threshold, name: base.name, dtype: base.dtype)
    }

    /// Keras's `activations.relu(x, negative_slope, max_value, threshold)`.
    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        if negativeSlope != 0, maxValue == nil, threshold == 0 {
            return ActivationFunction.leakyRelu(x, negativeSlope: negativeSlope)
        }
        let negativePart = negativeSlope != 0 ? (threshold != 0 ? (threshold - x).relu() : (-x).relu()) : nil
        var y: Tensor
        if threshold != 0 {
            y = x * (x .> threshold).cast(to: x.dtype)
        } else {
            y = x.relu()
        }
        if let maxValue { y = y.clip(0, maxValue) }
        if let negativePart { y = y - negativeSlope * negativePart }
        return y
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }
    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["max_value"] = ConfigValue(maxValue)
        config["negative_slope"] = .double(negativeSlope)
        config["threshold"] = .double(threshold)
        return config
    }
}

/// Leaky ReLU (`keras.layers.LeakyReLU`): `x` if positive, else `negativeSlope · x`. The default
/// slope is 0.3, Keras's layer default (the `leaky_relu` activation function uses 0.2).
public final class LeakyReLU: Layer, @unchecked Sendable {
    /// Its call writes no state in inference, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// The `negativeSlope` this `LeakyReLU` was created with.
    public let negativeSlope: Double

    /// Creates a `LeakyReLU` with Keras's arguments and defaults (the names in Swift case).
    public init(negativeSlope: Double = 0.3, name: String? = nil, dtype: DType = .float32) {
        requireValid { try Self.validate(negativeSlope: negativeSlope) }
        self.negativeSlope = negativeSlope
        super.init(name: name, dtype: dtype)
    }

    /// Keras's argument check: `negative_slope` is non-negative.
    static func validate(negativeSlope: Double) throws {
        try ensure(negativeSlope >= 0 && negativeSlope.isFinite, "LeakyReLU: The negative_slope value of a Leaky ReLU layer cannot be None or negative value. Expected a float. Received: negative_slope=\(negativeSlope)")
    }

    /// Recreates a layer from ``getConfig()`` (`negative_slope`, or Keras 2's `alpha`).
    ///
    /// - Throws: `KerasError.invalidConfig` for a mistyped or negative slope.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: LeakyReLU.self, config: config)
        let base = try r.layerBase()
        let slope = try r.optionalDouble("negative_slope") ?? r.double("alpha", default: 0.3)
        try r.validated { try LeakyReLU.validate(negativeSlope: slope) }
        self.init(negativeSlope: slope, name: base.name, dtype: base.dtype)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor { ActivationFunction.leakyRelu(x, negativeSlope: negativeSlope) }
    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }
    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["negative_slope"] = .double(negativeSlope)
        return config
    }
}

/// Parametric ReLU (`keras.layers.PReLU`): `x` if positive, else `alpha · x` with a learned
/// `alpha` per input element (shared along `sharedAxes`, 1-based axes excluding the batch).
public final class PReLU: Layer, @unchecked Sendable {
    /// Its call writes no state in inference, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// The `alphaInitializer` this `PReLU` was created with.
    public let alphaInitializer: any Initializer
    /// The `alphaRegularizer` this `PReLU` was created with.
    public let alphaRegularizer: (any Regularizer)?
    /// The `alphaConstraint` this `PReLU` was created with.
    public let alphaConstraint: (any Constraint)?
    /// The `sharedAxes` this `PReLU` was created with.
    public let sharedAxes: [Int]?
    /// The `alpha` this `PReLU` was created with.
    public private(set) var alpha: Variable!

    /// Creates a `PReLU` with Keras's arguments and defaults (the names in Swift case).
    public init(alphaInitializer: any Initializer = Zeros(), alphaRegularizer: (any Regularizer)? = nil,
                alphaConstraint: (any Constraint)? = nil, sharedAxes: [Int]? = nil,
                name: String? = nil, trainable: Bool = true, dtype: DType = .float32) {
        self.alphaInitializer = alphaInitializer
        self.alphaRegularizer = alphaRegularizer
        self.alphaConstraint = alphaConstraint
        self.sharedAxes = sharedAxes
        super.init(name: name, trainable: trainable, dtype: dtype)
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` naming the key of a malformed value.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: PReLU.self, config: config)
        let base = try r.layerBase()
        self.init(alphaInitializer: try r.initializer("alpha_initializer", default: Zeros()),
                  alphaRegularizer: try r.regularizer("alpha_regularizer"),
                  alphaConstraint: try r.constraint("alpha_constraint"),
                  sharedAxes: try r.axes("shared_axes")?.axes,
                  name: base.name, trainable: base.trainable, dtype: base.dtype)
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        let shape = inputShapes.first ?? []
        for (i, d) in shape.enumerated().dropFirst() where d == nil && !(sharedAxes ?? []).contains(i) {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (PReLU) needs every non-batch, non-shared axis defined; received input shape \(formatShape(shape))")
        }
        if boundedElementCount(shape.dropFirst().map { $0 ?? 1 }) == nil {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (PReLU): an alpha weight for input shape \(formatShape(shape)) would hold more than \(maxWeightElements) elements")
        }
        return nil
    }

    public override func build(inputShape: [Int?]) {
        var paramShape = inputShape.dropFirst().map { $0 ?? 1 }
        for axis in sharedAxes ?? [] where axis >= 1 && axis <= paramShape.count { paramShape[axis - 1] = 1 }
        alpha = addWeight(name: "alpha", shape: paramShape, initializer: alphaInitializer,
                          regularizer: alphaRegularizer, constraint: alphaConstraint)
        var axes: [Int: Int] = [:]
        for (i, d) in inputShape.enumerated().dropFirst() where !(sharedAxes ?? []).contains(i) { if let d { axes[i] = d } }
        inputSpec = [InputSpec(rank: inputShape.count, axes: axes)]
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        x.relu() - alpha.value * (-x).relu()
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }
    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["alpha_initializer"] = alphaInitializer.serialize()
        config["alpha_regularizer"] = serializeOptional(alphaRegularizer)
        config["alpha_constraint"] = serializeOptional(alphaConstraint)
        config["shared_axes"] = sharedAxes.map { .array($0.map(ConfigValue.int)) } ?? .null
        return config
    }
}

/// Exponential linear unit (`keras.layers.ELU`): `x` if positive, else `alpha · (eˣ − 1)`.
public final class ELU: Layer, @unchecked Sendable {
    /// Its call writes no state in inference, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// The `alpha` this `ELU` was created with.
    public let alpha: Double

    /// Creates an `ELU` with Keras's arguments and defaults (the names in Swift case).
    public init(alpha: Double = 1, name: String? = nil, dtype: DType = .float32) {
        requireValid { try Self.validate(alpha: alpha) }
        self.alpha = alpha
        super.init(name: name, dtype: dtype)
    }

    /// `alpha` is a finite number.
    static func validate(alpha: Double) throws {
        try ensure(alpha.isFinite, "ELU: Expected `alpha` to be a finite number. Received: alpha=\(alpha)")
    }

    /// Recreates a layer from ``getConfig()`` (`alpha`, `name`, `dtype`).
    ///
    /// - Throws: `KerasError.invalidConfig` for a mistyped or non-finite `alpha`.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: ELU.self, config: config)
        let base = try r.layerBase()
        let alpha = try r.double("alpha", default: 1)
        try r.validated { try ELU.validate(alpha: alpha) }
        self.init(alpha: alpha, name: base.name, dtype: base.dtype)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor { ActivationFunction.elu(x, alpha: alpha) }
    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }
    public override func getConfig() -> Config {
        // Keras's ELU has no get_config of its own: its arguments follow `name`, as Keras's
        // automatic config lists them.
        var config: Config = ["name": .string(name), "alpha": .double(alpha)]
        config.merge(super.getConfig()) { mine, _ in mine }
        return config
    }
}

/// Softmax along `axis` (`keras.layers.Softmax`).
///
/// ```swift
/// Softmax()(Tensor([[1.0, 2.0, 3.0]]))   // rows sum to 1
/// ```
public final class Softmax: Layer, @unchecked Sendable {
    /// Its call writes no state in inference, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// The `axis` this `Softmax` was created with.
    public let axis: Int

    /// Creates a `Softmax` with Keras's arguments and defaults (the names in Swift case).
    public init(axis: Int = -1, name: String? = nil, dtype: DType = .float32) {
        self.axis = axis
        super.init(name: name, dtype: dtype)
    }

    /// Recreates a layer from ``getConfig()`` (`axis`, `name`, `dtype`).
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: Softmax.self, config: config)
        let base = try r.layerBase()
        self.init(axis: try r.int("axis", default: -1), name: base.name, dtype: base.dtype)
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        let rank = inputShapes[0].count
        guard axis < -rank || axis >= rank else { return nil }
        return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (Softmax): axis \(axis) is out of bounds for input shape \(formatShape(inputShapes[0]))")
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor { x.softmax(axis: axis) }
    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }
    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["axis"] = .int(axis)
        return config
    }
}
