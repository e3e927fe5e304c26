/// Constrains the spectral norm of a layer's kernel (`keras.layers.SpectralNormalization`),
/// which bounds the layer's Lipschitz constant and steadies GAN training.
///
/// The wrapped layer must have a `kernel` weight (``Dense``, the convolutions, …) or an
/// `embeddings` weight (``Embedding``). In a training call, `powerIterations` steps of the power
/// method refine the non-trainable `vector_u` (shape `(1, kernel.shape.last)`) and the kernel,
/// seen as a `(−1, kernel.shape.last)` matrix `W`, is overwritten with `W / σ`,
/// `σ = v·W·uᵀ`, before the wrapped layer runs (an all-zero kernel is left alone). An inference
/// call runs the wrapped layer with the kernel as the last training call left it, as Keras does.
///
/// ```swift
/// let layer = SpectralNormalization(Dense(10))
/// let y = layer(Tensor.ones([2, 4]), training: true)   // shape (2, 10); kernel rescaled
/// let z = layer(Tensor.ones([2, 4]))                    // uses the rescaled kernel as is
/// ```
///
/// The kernel is overwritten in place, so gradients are taken with respect to the normalized
/// kernel (as Keras's TensorFlow backend does); the output is cast to the input's dtype.
public final class SpectralNormalization: Layer, @unchecked Sendable {
    /// Its inference calls write no state, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }
    /// The most power iterations a layer takes (a config cannot ask for an endless loop).
    public static let maxPowerIterations = 1000
    /// The wrapped layer (Keras's `layer`).
    public let layer: Layer
    /// The number of power-method steps in each training call.
    public let powerIterations: Int
    /// The running estimate of the kernel's first right singular vector, `(1, kernel.shape.last)`,
    /// once built.
    public private(set) var vectorU: Variable!
    /// The wrapped layer's `kernel` (or `embeddings`), once built.
    public private(set) var kernel: Variable!

    /// Wraps `layer`, normalizing its kernel with `powerIterations` power-method steps per training call.
    ///
    /// - Parameters:
    ///   - layer: A layer with a `kernel` or `embeddings` weight.
    ///   - powerIterations: The power-method steps per training call (1 through ``maxPowerIterations``).
    ///   - name: The layer's name; a unique name from the class name when `nil`.
    ///   - trainable: Whether the wrapped layer's weights are updated in training.
    ///   - dtype: The dtype of the computations.
    public init(_ layer: Layer, powerIterations: Int = 1, name: String? = nil, trainable: Bool = true,
                dtype: DType = .float32) {
        requireValid { try Self.validate(powerIterations: powerIterations) }
        self.layer = layer
        self.powerIterations = powerIterations
        super.init(name: name, trainable: trainable, dtype: dtype)
    }

    /// Keras's check: `power_iterations` positive (and here at most ``maxPowerIterations``).
    static func validate(powerIterations: Int) throws {
        try ensure(powerIterations > 0, "SpectralNormalization: `power_iterations` should be greater than zero. Received: `power_iterations=\(powerIterations)`")
        try ensure(powerIterations <= maxPowerIterations, "SpectralNormalization: `power_iterations` must be at most \(maxPowerIterations). Received: `power_iterations=\(powerIterations)`")
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let copy = try SpectralNormalization(config: SpectralNormalization(Dense(3)).getConfig())
    /// ```
    ///
    /// - Throws: `KerasError.invalidConfig` for a missing or unreadable `layer`, or a
    ///   `power_iterations` that is not a positive integer.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: SpectralNormalization.self, config: config)
        let base = try r.layerBase()
        let inner = try r.nested("layer") { value -> Layer in
            guard let value, !value.isNull else { throw KerasError.invalidConfig("expected a serialized layer, received nothing") }
            return try deserializeLayer(value)
        }
        let iterations = try r.int("power_iterations", default: 1)
        try r.validated { try SpectralNormalization.validate(powerIterations: iterations) }
        self.init(inner, powerIterations: iterations, name: base.name, trainable: base.trainable, dtype: base.dtype)
    }

    /// The wrapped layer's weight Keras normalizes: `kernel`, else `embeddings`.
    private func findKernel() -> Variable? {
        let weights = layer.weights
        return weights.first { $0.name == "kernel" } ?? weights.first { $0.name == "embeddings" }
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        guard let shape = inputShapes.first else { return nil }
        if shape.isEmpty {
            return .incompatibleInput(layer: name, message: "Input 0 of layer \"\(name)\" is incompatible with the layer: expected min_ndim=1, found ndim=0. Full shape received: ()")
        }
        if let error = layer.checkInputs([shape]) ?? layer.validateSymbolic([shape]) { return error }
        if layer.built, findKernel() == nil {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (SpectralNormalization): \(layer.className) object has no attribute 'kernel' nor 'embeddings'")
        }
        return nil
    }

    public override func build(inputShape: [Int?]) {
        layer.buildIfNeeded([inputShape])
        guard layer.built else { return }   // its problem is reported already
        guard let kernel = findKernel(), let columns = kernel.shape.last else {
            BuildIssues.report(.invalidArgument("Layer \"\(name)\" (SpectralNormalization): \(layer.className) object has no attribute 'kernel' nor 'embeddings' (of rank 1 or more)"))
            return
        }
        guard kernel.dtype.isFloatingPoint else {
            BuildIssues.report(.invalidArgument("Layer \"\(name)\" (SpectralNormalization): the kernel of \(layer.className) is \(kernel.dtype), not a float"))
            return
        }
        self.kernel = kernel
        trackWeight(kernel)   // Keras's weights: [kernel, vector_u, the wrapped layer's others]
        vectorU = addWeight(name: "vector_u", shape: [1, columns], initializer: TruncatedNormal(stddev: 0.02),
                            trainable: false, dtype: kernel.dtype)
        if let last = inputShape.last ?? nil { inputSpec = [InputSpec(minRank: 1, axes: [-1: last])] } else { inputSpec = [InputSpec(minRank: 1)] }
    }

    /// One training step's `(vector_u, kernel)`: the power method from the stored `vector_u`,
    /// then the kernel divided by its estimated spectral norm (Keras's `normalized_weights`).
    public func normalizedWeights() -> (vectorU: Tensor, kernel: Tensor) {
        withoutRecording {
            let value = kernel.value, shape = value.shape
            let columns = shape.last!
            let w = value.reshaped(to: [shape.reduce(1, *) / Swift.max(columns, 1), columns])
            var u = vectorU.value
            var v = u
            for _ in 0..<powerIterations {
                v = Self.l2Normalized(u.matmul(w.transposed()))
                u = Self.l2Normalized(v.matmul(w))
            }
            let sigma = v.matmul(w).matmul(u.transposed())   // (1, 1)
            let normalized = (value.reshaped(to: w.shape) / sigma).reshaped(to: shape)
            return (u, normalized)
        }
    }

    /// `x · min(rsqrt(Σx²), 1/ε)` over all elements, ε = 1e-7 (Keras's `ops.normalize(x, axis=None)`).
    private static func l2Normalized(_ x: Tensor) -> Tensor {
        x * x.square().sum().rsqrt().minimum(1e7)
    }

    public override func call(_ inputs: Tensor, training: Bool) -> Tensor {
        if training, let kernel, let vectorU {
            let isZero = withoutRecording { kernel.value.doubles.allSatisfy { $0 == 0 } }
            if !isZero {
                let (u, normalized) = normalizedWeights()
                vectorU.assign(u)
                kernel.assign(normalized)
            }
        }
        let y = layer(inputs, training: training)
        return y.dtype == inputs.dtype ? y : y.cast(to: inputs.dtype)
    }

    /// The wrapped layer's checks of outside data (an ``Embedding``'s ids).
    public override func validateInputData(_ data: Tensor) -> KerasError? { layer.validateInputData(data) }

    public override func outputDType(_ inputDTypes: [DType]) -> DType { inputDTypes.first ?? dtype }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { layer.computeOutputShape(inputShape) }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["layer"] = serializeLayer(layer)
        config["power_iterations"] = .int(powerIterations)
        return config
    }
}
