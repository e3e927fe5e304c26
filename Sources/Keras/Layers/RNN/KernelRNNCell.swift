import KerasCore

/// The shared base of the built-in cells that hold a `kernel` for the input, a `recurrent_kernel`
/// for the state and a bias, with dropout on the input and on the state: ``DropoutRNNCell``
/// (dense products: ``SimpleRNNCell``, ``LSTMCell``, ``GRUCell``) and ``ConvLSTMCell``
/// (convolutions). It holds the arguments they share, their weights and the random stream of
/// their dropout masks, and writes those arguments' config keys.
///
/// ```swift
/// let cell: KernelRNNCell = LSTMCell(8, dropout: 0.2)
/// print(cell.dropout, cell.useBias)   // 0.2 true
/// ```
open class KernelRNNCell: RNNCell, @unchecked Sendable {
    /// The `activation` this cell was created with.
    public let activation: ActivationFunction
    /// The arguments every kernel cell takes, the dropout rates clamped.
    let arguments: KernelCellArguments
    /// Its random stream for the dropout masks (Keras's `seed_generator`), seeded with ``seed``.
    public let seedGenerator: SeedGenerator

    /// The `useBias` this cell was created with.
    public var useBias: Bool { arguments.useBias }
    /// The `kernelInitializer` this cell was created with.
    public var kernelInitializer: any Initializer { arguments.kernelInitializer }
    /// The `recurrentInitializer` this cell was created with.
    public var recurrentInitializer: any Initializer { arguments.recurrentInitializer }
    /// The `biasInitializer` this cell was created with.
    public var biasInitializer: any Initializer { arguments.biasInitializer }
    /// The `kernelRegularizer` this cell was created with.
    public var kernelRegularizer: (any Regularizer)? { arguments.kernelRegularizer }
    /// The `recurrentRegularizer` this cell was created with.
    public var recurrentRegularizer: (any Regularizer)? { arguments.recurrentRegularizer }
    /// The `biasRegularizer` this cell was created with.
    public var biasRegularizer: (any Regularizer)? { arguments.biasRegularizer }
    /// The `kernelConstraint` this cell was created with.
    public var kernelConstraint: (any Constraint)? { arguments.kernelConstraint }
    /// The `recurrentConstraint` this cell was created with.
    public var recurrentConstraint: (any Constraint)? { arguments.recurrentConstraint }
    /// The `biasConstraint` this cell was created with.
    public var biasConstraint: (any Constraint)? { arguments.biasConstraint }
    /// Fraction of the input dropped in training (clamped to [0, 1] as Keras does).
    public var dropout: Double { arguments.dropout }
    /// Fraction of the previous output dropped in training (clamped to [0, 1]).
    public var recurrentDropout: Double { arguments.recurrentDropout }
    /// The `seed` this cell was created with.
    public var seed: Int? { arguments.seed }

    /// The input kernel, once built: `(inputDim, gates·units)` in a ``DropoutRNNCell``,
    /// `(kernel…, channels, 4·filters)` in a ``ConvLSTMCell``.
    public internal(set) var kernel: Variable!
    /// The state kernel, once built: `(units, gates·units)` in a ``DropoutRNNCell``,
    /// `(kernel…, filters, 4·filters)` in a ``ConvLSTMCell``.
    public internal(set) var recurrentKernel: Variable!
    /// The bias, once built with ``useBias``: `(gates·units,)` in a ``DropoutRNNCell`` (GRU with
    /// `resetAfter`: `(2, 3·units)`), `(4·filters,)` in a ``ConvLSTMCell``.
    public internal(set) var bias: Variable?

    /// The subclasses' path: `arguments` as given (already checked), the dropout rates clamped to [0, 1].
    init(activation: ActivationFunction, arguments: KernelCellArguments, name: String?, trainable: Bool, dtype: DType) {
        var arguments = arguments
        arguments.dropout = Swift.min(1, Swift.max(0, arguments.dropout))
        arguments.recurrentDropout = Swift.min(1, Swift.max(0, arguments.recurrentDropout))
        self.activation = activation
        self.arguments = arguments
        self.seedGenerator = SeedGenerator(seed: arguments.seed)
        super.init(name: name, trainable: trainable, dtype: dtype)
    }

    /// Keras's check of the dropout rates: numbers (Keras clamps them to [0, 1]).
    static func validateDropout(_ dropout: Double, _ recurrentDropout: Double, layer: String) throws {
        try ensure(!dropout.isNaN && !recurrentDropout.isNaN,
                   "\(layer): `dropout` and `recurrent_dropout` must be numbers, received dropout=\(dropout), recurrent_dropout=\(recurrentDropout)")
    }

    /// Adds `kernel` and `recurrent_kernel` of these shapes, with the cell's initializers,
    /// regularizers and constraints.
    func addKernels(kernelShape: [Int], recurrentKernelShape: [Int]) {
        kernel = addWeight(name: "kernel", shape: kernelShape, initializer: kernelInitializer,
                           regularizer: kernelRegularizer, constraint: kernelConstraint)
        recurrentKernel = addWeight(name: "recurrent_kernel", shape: recurrentKernelShape,
                                    initializer: recurrentInitializer, regularizer: recurrentRegularizer,
                                    constraint: recurrentConstraint)
    }

    /// A dropout mask of `shape` from ``seedGenerator``: kept entries `1 / (1 − rate)`, dropped ones 0.
    func dropoutMask(_ shape: [Int], rate: Double) -> Tensor {
        KerasCore.dropout(Tensor.ones(shape, dtype: dtype), rate: rate, seed: seedGenerator)
    }

    /// Writes `activation`, then the shared arguments' keys, in Keras's order (a subclass writes its
    /// own leading keys first and places any others among these).
    func writeArguments(into config: inout Config) {
        config["activation"] = .string(activation.name)
        arguments.write(into: &config)
    }
}

/// The arguments every ``KernelRNNCell`` takes besides its sizes and activations: `use_bias` to
/// `seed`, read from and written to a config in Keras's order.
struct KernelCellArguments {
    var useBias: Bool
    var kernelInitializer: any Initializer
    var recurrentInitializer: any Initializer
    var biasInitializer: any Initializer
    var kernelRegularizer: (any Regularizer)?
    var recurrentRegularizer: (any Regularizer)?
    var biasRegularizer: (any Regularizer)?
    var kernelConstraint: (any Constraint)?
    var recurrentConstraint: (any Constraint)?
    var biasConstraint: (any Constraint)?
    var dropout: Double
    var recurrentDropout: Double
    var seed: Int?
}

extension KernelCellArguments {
    /// Reads the keys with Keras's defaults (not yet checked: the caller validates the rates).
    init(_ r: inout ObjectConfigReader) throws {
        useBias = try r.bool("use_bias", default: true)
        kernelInitializer = try r.initializer("kernel_initializer", default: GlorotUniform())
        recurrentInitializer = try r.initializer("recurrent_initializer", default: Orthogonal())
        biasInitializer = try r.initializer("bias_initializer", default: Zeros())
        kernelRegularizer = try r.regularizer("kernel_regularizer")
        recurrentRegularizer = try r.regularizer("recurrent_regularizer")
        biasRegularizer = try r.regularizer("bias_regularizer")
        kernelConstraint = try r.constraint("kernel_constraint")
        recurrentConstraint = try r.constraint("recurrent_constraint")
        biasConstraint = try r.constraint("bias_constraint")
        dropout = try r.double("dropout", default: 0)
        recurrentDropout = try r.double("recurrent_dropout", default: 0)
        seed = try r.seed()
    }

    /// Writes the keys in Keras's order.
    func write(into config: inout Config) {
        config["use_bias"] = .bool(useBias)
        config["kernel_initializer"] = kernelInitializer.serialize()
        config["recurrent_initializer"] = recurrentInitializer.serialize()
        config["bias_initializer"] = biasInitializer.serialize()
        config["kernel_regularizer"] = serializeOptional(kernelRegularizer)
        config["recurrent_regularizer"] = serializeOptional(recurrentRegularizer)
        config["bias_regularizer"] = serializeOptional(biasRegularizer)
        config["kernel_constraint"] = serializeOptional(kernelConstraint)
        config["recurrent_constraint"] = serializeOptional(recurrentConstraint)
        config["bias_constraint"] = serializeOptional(biasConstraint)
        config["dropout"] = .double(dropout)
        config["recurrent_dropout"] = .double(recurrentDropout)
        config["seed"] = ConfigValue(seed)
    }
}
