import KerasCore

/// The shared base of the normalization layers that learn a per-feature scale `gamma` and offset
/// `beta` (``LayerNormalization``, ``GroupNormalization``): `epsilon`, the `center` and `scale`
/// flags, the two weights' initializers, regularizers and constraints, their Keras config keys
/// and the creation of the weights.
///
/// ```swift
/// let norm: AffineNormalization = GroupNormalization(groups: 2, center: false)
/// norm.center   // false: no `beta`
/// ```
public class AffineNormalization: Layer, @unchecked Sendable {
    /// Its call writes no state, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// The `epsilon` this layer was created with, added to the variance.
    public let epsilon: Double
    /// Whether the layer adds the learned offset `beta`.
    public let center: Bool
    /// Whether the layer multiplies by the learned scale `gamma`.
    public let scale: Bool
    /// The `betaInitializer` this layer was created with.
    public let betaInitializer: any Initializer
    /// The `gammaInitializer` this layer was created with.
    public let gammaInitializer: any Initializer
    /// The `betaRegularizer` this layer was created with.
    public let betaRegularizer: (any Regularizer)?
    /// The `gammaRegularizer` this layer was created with.
    public let gammaRegularizer: (any Regularizer)?
    /// The `betaConstraint` this layer was created with.
    public let betaConstraint: (any Constraint)?
    /// The `gammaConstraint` this layer was created with.
    public let gammaConstraint: (any Constraint)?
    /// The learned scale, once built with it.
    public private(set) var gamma: Variable?
    /// The learned offset, once built with it.
    public private(set) var beta: Variable?

    /// The arguments every affine normalization layer takes.
    struct Arguments {
        var epsilon: Double, center: Bool, scale: Bool
        var betaInitializer: any Initializer, gammaInitializer: any Initializer
        var betaRegularizer: (any Regularizer)?, gammaRegularizer: (any Regularizer)?
        var betaConstraint: (any Constraint)?, gammaConstraint: (any Constraint)?

        /// Reads Keras's keys (`epsilon` 1e-3, `center` and `scale` true, zeros/ones initializers by default).
        static func read(_ r: inout ObjectConfigReader) throws -> Arguments {
            Arguments(epsilon: try r.double("epsilon", default: 1e-3),
                      center: try r.bool("center", default: true), scale: try r.bool("scale", default: true),
                      betaInitializer: try r.initializer("beta_initializer", default: Zeros()),
                      gammaInitializer: try r.initializer("gamma_initializer", default: Ones()),
                      betaRegularizer: try r.regularizer("beta_regularizer"), gammaRegularizer: try r.regularizer("gamma_regularizer"),
                      betaConstraint: try r.constraint("beta_constraint"), gammaConstraint: try r.constraint("gamma_constraint"))
        }
    }

    init(_ a: Arguments, name: String?, trainable: Bool, dtype: DType) {
        epsilon = a.epsilon
        center = a.center
        scale = a.scale
        betaInitializer = a.betaInitializer
        gammaInitializer = a.gammaInitializer
        betaRegularizer = a.betaRegularizer
        gammaRegularizer = a.gammaRegularizer
        betaConstraint = a.betaConstraint
        gammaConstraint = a.gammaConstraint
        super.init(name: name, trainable: trainable, dtype: dtype)
    }

    /// Adds `gamma` (when `withGamma`) then `beta` (when `withBeta`) of `shape`, in Keras's order.
    func addAffineWeights(shape: [Int], gamma withGamma: Bool, beta withBeta: Bool) {
        if withGamma {
            gamma = addWeight(name: "gamma", shape: shape, initializer: gammaInitializer,
                              regularizer: gammaRegularizer, constraint: gammaConstraint)
        }
        if withBeta {
            beta = addWeight(name: "beta", shape: shape, initializer: betaInitializer,
                             regularizer: betaRegularizer, constraint: betaConstraint)
        }
    }

    /// The mean of `x` over `axes` and `1 / √(variance + epsilon)` (biased variance), both with
    /// the reduced axes kept: the statistics an affine normalization divides by.
    func statistics(_ x: Tensor, axes: [Int]) -> (mean: Tensor, inverse: Tensor) {
        let mean = x.mean(axes: axes, keepDims: true)
        let variance = (x - mean).square().mean(axes: axes, keepDims: true)
        return (mean, (variance + epsilon).rsqrt())
    }

    /// The subclass's keys Keras lists before `epsilon` (`groups`, `axis`).
    var configBeforeEpsilon: Config { [:] }
    /// The subclass's keys Keras lists right after `scale` (`rms_scaling`).
    var configAfterScale: Config { [:] }

    /// Keras's `get_config()`: the subclass's keys, `epsilon`, `center`, `scale`, then the
    /// initializers, regularizers and constraints of `beta` and `gamma`.
    public override func getConfig() -> Config {
        var config = super.getConfig()
        config.merge(configBeforeEpsilon) { $1 }
        config["epsilon"] = .double(epsilon)
        config["center"] = .bool(center)
        config["scale"] = .bool(scale)
        config.merge(configAfterScale) { $1 }
        config["beta_initializer"] = betaInitializer.serialize()
        config["gamma_initializer"] = gammaInitializer.serialize()
        config["beta_regularizer"] = serializeOptional(betaRegularizer)
        config["gamma_regularizer"] = serializeOptional(gammaRegularizer)
        config["beta_constraint"] = serializeOptional(betaConstraint)
        config["gamma_constraint"] = serializeOptional(gammaConstraint)
        return config
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }
}
