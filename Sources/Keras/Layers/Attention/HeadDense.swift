/// The projections of ``MultiHeadAttention``: Keras's `EinsumDense` layers with its two
/// equations, `abc,cde->abde` (features → heads × size: `kernel (dim, heads, size)`,
/// `bias (heads, size)`) and `abcd,cde->abe` (heads × size → features: `kernel (heads, size,
/// dim)`, `bias (dim,)`), computed as one matrix product on the flattened kernel
/// (`projectTrailingAxes`, shared with ``EinsumDense``).
///
/// ```swift
/// let query = HeadDense(splitInto: [4, 16], name: "query")
/// let q = query(Tensor.ones([2, 10, 64]))   // shape (2, 10, 4, 16)
/// ```
public final class HeadDense: Layer, @unchecked Sendable {
    public override class var isStatelessInInference: Bool { true }
    /// Keras builds these projections from `EinsumDense`.
    public override class var className: String { "EinsumDense" }
    /// `[heads, size]` for a projection into heads, `nil` for the output projection.
    public let heads: [Int]?
    /// The output size of the output projection.
    public let outputDim: Int?
    /// The `useBias` this `HeadDense` was created with.
    public let useBias: Bool
    /// The `kernelInitializer` this `HeadDense` was created with.
    public let kernelInitializer: any Initializer
    /// The `biasInitializer` this `HeadDense` was created with.
    public let biasInitializer: any Initializer
    /// The `kernelRegularizer` this `HeadDense` was created with.
    public let kernelRegularizer: (any Regularizer)?
    /// The `biasRegularizer` this `HeadDense` was created with.
    public let biasRegularizer: (any Regularizer)?
    /// The `kernelConstraint` this `HeadDense` was created with.
    public let kernelConstraint: (any Constraint)?
    /// The `biasConstraint` this `HeadDense` was created with.
    public let biasConstraint: (any Constraint)?
    /// The projection kernel, once built.
    public private(set) var kernel: Variable!
    /// The bias, once built (with `useBias`).
    public private(set) var bias: Variable?

    private init(heads: [Int]?, outputDim: Int?, useBias: Bool, kernelInitializer: any Initializer,
                 biasInitializer: any Initializer, kernelRegularizer: (any Regularizer)?,
                 biasRegularizer: (any Regularizer)?, kernelConstraint: (any Constraint)?,
                 biasConstraint: (any Constraint)?, name: String?, dtype: DType) {
        self.heads = heads
        self.outputDim = outputDim
        self.useBias = useBias
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        self.kernelRegularizer = kernelRegularizer
        self.biasRegularizer = biasRegularizer
        self.kernelConstraint = kernelConstraint
        self.biasConstraint = biasConstraint
        super.init(name: name, dtype: dtype)
    }

    /// A projection of the last axis into `heads` = `[count, size]` (`abc,cde->abde`).
    public convenience init(splitInto heads: [Int], useBias: Bool = true, kernelInitializer: any Initializer = GlorotUniform(),
                            biasInitializer: any Initializer = Zeros(), kernelRegularizer: (any Regularizer)? = nil,
                            biasRegularizer: (any Regularizer)? = nil, kernelConstraint: (any Constraint)? = nil,
                            biasConstraint: (any Constraint)? = nil, name: String? = nil, dtype: DType = .float32) {
        require(heads.count == 2 && heads.allSatisfy { $0 > 0 }, "HeadDense: heads must be [count, size] with positive sizes, received \(heads)")
        self.init(heads: heads, outputDim: nil, useBias: useBias, kernelInitializer: kernelInitializer,
                  biasInitializer: biasInitializer, kernelRegularizer: kernelRegularizer, biasRegularizer: biasRegularizer,
                  kernelConstraint: kernelConstraint, biasConstraint: biasConstraint, name: name, dtype: dtype)
    }

    /// A projection of the last two axes (heads × size) to `outputDim` features (`abcd,cde->abe`).
    public convenience init(mergingTo outputDim: Int, useBias: Bool = true, kernelInitializer: any Initializer = GlorotUniform(),
                            biasInitializer: any Initializer = Zeros(), kernelRegularizer: (any Regularizer)? = nil,
                            biasRegularizer: (any Regularizer)? = nil, kernelConstraint: (any Constraint)? = nil,
                            biasConstraint: (any Constraint)? = nil, name: String? = nil, dtype: DType = .float32) {
        require(outputDim > 0, "HeadDense: outputDim must be positive, received \(outputDim)")
        self.init(heads: nil, outputDim: outputDim, useBias: useBias, kernelInitializer: kernelInitializer,
                  biasInitializer: biasInitializer, kernelRegularizer: kernelRegularizer, biasRegularizer: biasRegularizer,
                  kernelConstraint: kernelConstraint, biasConstraint: biasConstraint, name: name, dtype: dtype)
    }

    public override func build(inputShape: [Int?]) {
        let kernelShape: [Int], biasShape: [Int]
        if let heads {
            guard let dim = inputShape.last ?? nil else { fatalError("Layer \"\(name)\": the last input dimension must be known, received \(formatShape(inputShape))") }
            kernelShape = [dim] + heads
            biasShape = heads
        } else {
            guard inputShape.count >= 2, let h = inputShape[inputShape.count - 2], let s = inputShape.last ?? nil else {
                fatalError("Layer \"\(name)\": the heads and size axes must be known, received \(formatShape(inputShape))")
            }
            kernelShape = [h, s, outputDim!]
            biasShape = [outputDim!]
        }
        // As Keras's EinsumDense: a variance-scaling initializer's fans are the contracted input
        // axes and the produced output axes of the equation, whatever the kernel's rank.
        let fanAxes = heads != nil ? (input: [0], output: [1, 2]) : (input: [0, 1], output: [2])
        kernel = addWeight(name: "kernel", shape: kernelShape,
                           initializer: withFanAxes(kernelInitializer, input: fanAxes.input, output: fanAxes.output),
                           regularizer: kernelRegularizer, constraint: kernelConstraint)
        if useBias {
            bias = addWeight(name: "bias", shape: biasShape, initializer: biasInitializer,
                             regularizer: biasRegularizer, constraint: biasConstraint)
        }
    }

    public override func call(_ inputs: Tensor, training: Bool) -> Tensor {
        projectTrailingAxes(inputs, kernel: kernel.value, contractedRank: heads == nil ? 2 : 1, bias: bias?.value)
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] {
        if let heads { return inputShape.dropLast() + heads.map { Optional($0) } }
        return inputShape.dropLast(2) + [outputDim]
    }
}
