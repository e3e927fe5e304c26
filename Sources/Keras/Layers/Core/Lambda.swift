/// Wraps a Swift closure as a layer (`keras.layers.Lambda`). The output shape is found by
/// running the closure on zeros unless `outputShape` is given (batch excluded).
///
/// ```swift
/// let double = Lambda(name: "double") { $0 * 2 }
/// double(Tensor([[1.0, 2.0]]))   // [[2, 4]]
/// ```
/// A closure cannot be written to a config: ``getConfig()`` records the function's name only, and
/// ``init(config:function:)`` needs the closure again.
public final class Lambda: Layer, @unchecked Sendable {
    /// The `function` this `Lambda` was created with.
    public let function: @Sendable (Tensor) -> Tensor
    /// The output shape given at construction (without the batch axis), if any.
    public let fixedOutputShape: [Int?]?

    /// Creates a `Lambda` with Keras's arguments and defaults (the names in Swift case).
    public init(outputShape: [Int?]? = nil, name: String? = nil, dtype: DType = .float32,
                _ function: @escaping @Sendable (Tensor) -> Tensor) {
        self.function = function
        self.fixedOutputShape = outputShape
        super.init(name: name, dtype: dtype)
    }

    /// Recreates the layer from its config with the closure supplied again.
    ///
    /// ```swift
    /// let copy = try Lambda(config: double.getConfig()) { $0 * 2 }
    /// ```
    public convenience init(config: Config, function: @escaping @Sendable (Tensor) -> Tensor) throws {
        var r = ObjectConfigReader(layer: Lambda.self, config: config)
        let base = try r.layerBase()
        self.init(outputShape: try r.optionalShape("output_shape"), name: base.name, dtype: base.dtype, function)
    }

    public override func call(_ inputs: Tensor, training: Bool) -> Tensor { function(inputs) }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] {
        if let fixedOutputShape { return [inputShape.first ?? nil] + fixedOutputShape }
        return super.computeOutputShape(inputShape)
    }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["function"] = ["class_name": "__lambda__", "config": ["name": .string(name)]]
        config["arguments"] = [:]
        if let fixedOutputShape { config["output_shape"] = ConfigValue(shape: fixedOutputShape) }
        return config
    }
}
