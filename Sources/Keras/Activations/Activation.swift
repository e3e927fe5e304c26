import KerasCore

/// A Keras activation function, by name or as a custom closure.
///
/// ```swift
/// Dense(64, activation: .relu)
/// Activation.named("gelu")?(x)
/// let scaled = Activation.custom("scaled_tanh") { 2 * $0.tanh() }
/// ```
public enum Activation: Sendable, CustomStringConvertible {
    case linear, relu, relu6, sigmoid, hardSigmoid, tanh, softmax, logSoftmax, softplus, softsign
    case elu, selu, gelu, geluApproximate, silu, mish, leakyRelu, exponential
    /// A user function with the name used in configs and summaries.
    case custom(String, @Sendable (Tensor) -> Tensor)

    /// `swish` is Keras's alias of `silu`.
    public static var swish: Activation { .silu }

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

    public var description: String { name }

    /// The built-in activation with Keras name `name` (`nil` for unknown names).
    public static func named(_ name: String) -> Activation? {
        let all: [Activation] = [.linear, .relu, .relu6, .sigmoid, .hardSigmoid, .tanh, .softmax, .logSoftmax,
                                 .softplus, .softsign, .elu, .selu, .gelu, .geluApproximate, .silu, .mish,
                                 .leakyRelu, .exponential]
        if name == "swish" { return .silu }
        return all.first { $0.name == name }
    }

    /// Applies the activation (Keras formulas and defaults; `leaky_relu` slope 0.2, `elu` alpha 1).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .linear: x
        case .relu: x.relu()
        case .relu6: x.relu().minimum(6)
        case .sigmoid: x.sigmoid()
        case .hardSigmoid: (x / 6 + 0.5).clip(0, 1)
        case .tanh: x.tanh()
        case .softmax: x.softmax(axis: -1)
        case .logSoftmax: x.logSoftmax(axis: -1)
        case .softplus: Activation.softplus(x)
        case .softsign: x / (x.abs() + 1)
        case .elu: Activation.elu(x, alpha: 1)
        case .selu: 1.0507009873554805 * Activation.elu(x, alpha: 1.6732632423543772)
        case .gelu: 0.5 * x * ((x / 2.0.squareRoot()).erf() + 1)
        case .geluApproximate:
            0.5 * x * ((0.7978845608028654 * (x + 0.044715 * x * x * x)).tanh() + 1)
        case .silu: x * x.sigmoid()
        case .mish: x * Activation.softplus(x).tanh()
        case .leakyRelu: Activation.leakyRelu(x, negativeSlope: 0.2)
        case .exponential: x.exp()
        case .custom(_, let f): f(x)
        }
    }

    /// `log(1 + e^x)` without overflow.
    static func softplus(_ x: Tensor) -> Tensor { x.relu() + (-x.abs()).exp().log1p() }

    /// `x` if positive, else `alpha·(e^x − 1)`.
    static func elu(_ x: Tensor, alpha: Double) -> Tensor {
        `where`(x .> 0, x, alpha * x.minimum(0).expm1())
    }

    /// `x` if positive, else `negativeSlope·x`.
    static func leakyRelu(_ x: Tensor, negativeSlope: Double) -> Tensor {
        `where`(x .> 0, x, negativeSlope * x)
    }
}
