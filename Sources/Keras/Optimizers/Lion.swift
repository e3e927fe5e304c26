import CKernels
/// Lion (`keras.optimizers.Lion`): `θ −= lr·sign(β1·m + (1−β1)·g)`, then `m = β2·m + (1−β2)·g`.
///
/// ```swift
/// let optimizer = Lion(learningRate: 1e-4, weightDecay: 0.01)
/// ```
public final class Lion: Optimizer, @unchecked Sendable {
    /// The `beta1` this `Lion` was created with.
    public var beta1: Double
    /// The `beta2` this `Lion` was created with.
    public var beta2: Double

    /// Stops with a message unless `beta1` is in (0, 1] and `beta2` in [0, 1] (and the base
    /// arguments are valid).
    public init(learningRate: any LearningRateConvertible = 0.001, beta1: Double = 0.9, beta2: Double = 0.99,
                weightDecay: Double? = nil, clipnorm: Double? = nil, clipvalue: Double? = nil,
                globalClipnorm: Double? = nil, name: String = "lion") {
        requireValid { try Self.validate(beta1: beta1, beta2: beta2) }
        (self.beta1, self.beta2) = (beta1, beta2)
        super.init(learningRate: learningRate, name: name, weightDecay: weightDecay, clipnorm: clipnorm,
                   clipvalue: clipvalue, globalClipnorm: globalClipnorm)
    }

    /// Keras's rule: `beta_1` in (0, 1] (at 0 Lion degenerates to SignSGD); `beta_2` in [0, 1].
    static func validate(beta1: Double, beta2: Double) throws {
        if !(beta1 > 0 && beta1 <= 1) {
            throw KerasError.invalidArgument("\(className): `beta_1` must be in (0, 1], received \(beta1)")
        }
        try ArgumentCheck.within(0...1, beta2, "beta_2", of: className, "[0, 1]")
    }

    public override class var className: String { "Lion" }
    public override var slotGroups: [[String]] { [["momentum"]] }
    public override func optimizerConfig() -> Config { ["beta_1": .double(beta1), "beta_2": .double(beta2)] }

    public override func update(_ context: inout StepContext) {
        switch context.variable.dtype {
        case .float64: kernel(Double.self, context)
        default: kernel(Float.self, context)
        }
    }

    private func kernel<T: OptimizerFloat>(_: T.Type, _ c: StepContext) {
        let b1 = T(beta1), b2 = T(beta2)  // Keras: 1 − cast(β)
        c.runKernel(T.self, KERAS_LION, slotCount: 1, [T(c.learningRate), b1, 1 - b1, b2, 1 - b2])
    }
}
