import KerasCore

extension ActivationFunction {
    /// Every built-in activation, in declaration order.
    public static let builtIns: [ActivationFunction] = [
        .linear, .relu, .relu6, .sigmoid, .hardSigmoid, .tanh, .softmax, .logSoftmax, .softplus, .softsign,
        .elu, .selu, .gelu, .geluApproximate, .silu, .mish, .leakyRelu, .exponential,
    ]

    /// The value Keras stores in a layer config: the plain string name (`"relu"`).
    ///
    /// ```swift
    /// ActivationFunction.gelu.serialize()   // "gelu"
    /// ```
    ///
    /// `geluApproximate` serializes as `"gelu_approximate"`, a swift-keras name that Keras itself
    /// does not know (Keras has no string for `gelu(approximate=True)`).
    public func serialize() -> ConfigValue { .string(name) }

    /// The activation a layer config names: a string (`"relu"`, `"swish"`), `null` (linear, as
    /// `keras.activations.get(None)`), or the serialized-function object
    /// `{"class_name": "function", "config": "relu", …}` older files hold.
    ///
    /// ```swift
    /// let act = try ActivationFunction.deserialize("relu")   // .relu
    /// ```
    ///
    /// - Throws: `KerasError` naming the unknown activation, or the unexpected value.
    public static func deserialize(_ value: ConfigValue) throws -> ActivationFunction {
        switch value {
        case .null:
            return .linear
        case .string(let name):
            if let activation = CustomObjects.current?.activations[name] ?? named(name) { return activation }
            let known = (builtIns.map(\.name) + ["swish"]).sorted().joined(separator: ", ")
            throw KerasError.invalidConfig("Unknown activation '\(name)'. Expected one of: \(known).")
        case .object(let object):
            if case .string(let name)? = object["config"] { return try deserialize(.string(name)) }
            if case .string(let name)? = object["class_name"] { return try deserialize(.string(name)) }
            throw KerasError.invalidConfig("Could not interpret activation identifier: expected a name or "
                + "{\"class_name\", \"config\"} object, received \(value)")
        default:
            throw KerasError.invalidConfig("Could not interpret activation identifier: expected a string, received \(value)")
        }
    }
}
