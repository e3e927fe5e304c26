import KerasCore

/// A Keras activation function, by name or as a custom closure.
///
/// ```swift
/// Dense(64, activation: .relu)
/// ActivationFunction.named("gelu")?(x)
/// let scaled = ActivationFunction.custom("scaled_tanh") { 2 * $0.tanh() }
/// ```
public enum ActivationFunction: Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// Keras's activations of the same names (`"linear"`, `"relu"`, `"hard_sigmoid"`, `"log_softmax"`, …).
    case linear, relu, relu6, sigmoid, hardSigmoid, tanh, softmax, logSoftmax, softplus, softsign
    /// More Keras activations (`"gelu"` exact, `geluApproximate` the tanh approximation, `"leaky_relu"`, …).
    case elu, selu, gelu, geluApproximate, silu, mish, leakyRelu, exponential
    /// A user function with the name used in configs and summaries.
    case custom(String, @Sendable (Tensor) -> Tensor)

    /// An activation by its Keras name, as Keras accepts `activation="relu"`:
    /// `Dense(64, activation: "relu")`. An unknown name in a literal stops the program with the
    /// list of names; use ``named(_:)`` for names from outside the program.
    public init(stringLiteral name: String) {
        guard let activation = ActivationFunction.named(name) else {
            fatalError("Unknown activation function: '\(name)'. Known names: \(ActivationFunction.builtIns.map(\.name).joined(separator: ", ")), swish")
        }
        self = activation
    }

    /// `swish` is Keras's alias of `silu`.
    public static var swish: ActivationFunction { .silu }

    /// The Keras string name (`"relu"`, `"log_softmax"`, …).
    public var name: String {
        switch self {
        case .linear: "linear"
        case .relu: "relu"
        case .relu6: "relu6"
        case .sigmoid: "sigmoid"
        case .hardSigmoid: "hard_sigmoid"
        case .tanh: "tanh"
        case .softmax: "softmax"
        case .logSoftmax: "log_softmax"
        case .softplus: "softplus"
        case .softsign: "softsign"
        case .elu: "elu"
        case .selu: "selu"
        case .gelu: "gelu"
        case .geluApproximate: "gelu_approximate"
        case .silu: "silu"
        case .mish: "mish"
        case .leakyRelu: "leaky_relu"
        case .exponential: "exponential"
        case .custom(let name, _): name
        }
    }

    /// A readable description, as `print` shows it.
    public var description: String { name }

    /// The built-in activation with Keras name `name` (`nil` for unknown names).
    public static func named(_ name: String) -> ActivationFunction? {
        if name == "swish" { return .silu }
        return builtIns.first { $0.name == name }
    }

    /// Applies the activation (Keras formulas and defaults; `leaky_relu` slope 0.2, `elu` alpha 1).
    ///
    /// Values match Keras 3 (JAX backend) within float32 rounding; gradients at kinks follow
    /// JAX/TensorFlow: `relu` and `relu6` have slope 0 at 0 and 6, `leaky_relu` slope 1 at 0,
    /// `hard_sigmoid` slope 0 at ±3.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .linear: x
        case .relu: x.relu()
        case .relu6: ActivationFunction.reluCapped6(x)
        case .sigmoid: x.sigmoid()
        case .hardSigmoid: ActivationFunction.reluCapped6(x + 3) / 6
        case .tanh: x.tanh()
        case .softmax: x.softmax(axis: -1)
        case .logSoftmax: x.logSoftmax(axis: -1)
        case .softplus: ActivationFunction.softplus(x)
        case .softsign: x / (x.abs() + 1)
        case .elu: ActivationFunction.elu(x, alpha: 1)
        case .selu: 1.0507009873554805 * ActivationFunction.elu(x, alpha: 1.6732632423543772)
        case .gelu: x.gelu()
        case .geluApproximate:
            0.5 * x * ((0.7978845608028654 * (x + 0.044715 * x * x * x)).tanh() + 1)
        case .silu: x * x.sigmoid()
        case .mish: x * ActivationFunction.softplus(x).tanh()
        case .leakyRelu: ActivationFunction.leakyRelu(x, negativeSlope: 0.2)
        case .exponential: x.exp()
        case .custom(_, let f): f(x)
        }
    }

    /// `log(1 + e^x)` without overflow: `x + log1p(e^−x)` for `x > 0`, else `log1p(e^x)`. Each
    /// branch sees only inputs where it cannot overflow, so the gradient is `sigmoid(x)`
    /// everywhere (½ at 0, where `relu(x) + log1p(e^−|x|)` would give 0).
    static func softplus(_ x: Tensor) -> Tensor {
        let positive = x .> 0
        let pos = x.maximum(0), neg = x.minimum(0)
        return `where`(positive, pos + (-pos).exp().log1p(), neg.exp().log1p())
    }

    /// `x` if positive, else `alpha·(e^x − 1)`.
    static func elu(_ x: Tensor, alpha: Double) -> Tensor {
        `where`(x .> 0, x, alpha * x.minimum(0).expm1())
    }

    /// `x` if non-negative, else `negativeSlope·x` (slope 1 at 0, like `jax.nn.leaky_relu`).
    static func leakyRelu(_ x: Tensor, negativeSlope: Double) -> Tensor {
        `where`(x .>= 0, x, negativeSlope * x)
    }

    /// `min(max(x, 0), 6)` with gradient 1 only strictly inside (0, 6).
    static func reluCapped6(_ x: Tensor) -> Tensor {
        let inside = (x .> 0).logicalAnd(x .< 6)
        return `where`(inside, x, (x .>= 6).cast(to: x.dtype) * 6)
    }
}
