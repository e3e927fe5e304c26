import Keras

/// One input or output of a served model: its name, shape (batch axis first, `nil` for any
/// size) and dtype, as `GET /v1/models/{name}/metadata` reports it.
///
/// ```swift
/// let spec = TensorSpec(name: "pixels", shape: [nil, 28, 28, 1], dtype: .float32)
/// spec.tensorFlowDType   // "DT_FLOAT"
/// ```
public struct TensorSpec: Sendable, Equatable {
    /// The `name` this `TensorSpec` was created with.
    public var name: String
    /// The `shape` this `TensorSpec` was created with.
    public var shape: [Int?]
    /// The `dtype` this `TensorSpec` was created with.
    public var dtype: DType
    /// For an input that feeds an `Embedding` layer: values must lie in `0..<idLimit` (the
    /// layer's `inputDim`), checked before the model runs.
    public var idLimit: Int?

    /// A tensor's name, shape (`nil` for unknown sizes) and dtype; `idLimit` bounds the ids an integer input accepts.
    public init(name: String, shape: [Int?], dtype: DType, idLimit: Int? = nil) {
        self.name = name
        self.shape = shape
        self.dtype = dtype
        self.idLimit = idLimit
    }

    /// TensorFlow's name of the dtype (`DT_FLOAT`, `DT_INT32`, …), as TF Serving's metadata uses.
    public var tensorFlowDType: String {
        switch dtype {
        case .float32: "DT_FLOAT"
        case .float64: "DT_DOUBLE"
        case .int32: "DT_INT32"
        case .int64: "DT_INT64"
        case .bool: "DT_BOOL"
        }
    }

    /// The shape written like Python's tuples, `(None, 28, 28, 1)`, for messages.
    var shapeText: String {
        "(" + shape.map { $0.map(String.init) ?? "None" }.joined(separator: ", ") + (shape.count == 1 ? ",)" : ")")
    }
}

/// The inputs and outputs of a model, read from the model itself: the serving signature
/// (TF Serving's `serving_default`).
///
/// ```swift
/// let signature = ModelSignature(model: try loadModel("mlp.keras"))
/// signature.inputs.map(\.name)   // ["input_layer"]
/// ```
public struct ModelSignature: Sendable, Equatable {
    /// The `inputs` this `ModelSignature` was created with.
    public var inputs: [TensorSpec]
    /// The `outputs` this `ModelSignature` was created with.
    public var outputs: [TensorSpec]

    /// A signature with these inputs and outputs, in order.
    public init(inputs: [TensorSpec], outputs: [TensorSpec]) {
        self.inputs = inputs
        self.outputs = outputs
    }

    /// The signature of a built model: functional models give their symbolic inputs and outputs;
    /// a `Sequential` model the shape it was built for and the shape its layers compute from it.
    public init(model: Model) {
        let inputNames = model.inputNames
        let inputShapes = model.inputShapes
        let symbolicInputs = model.inputs
        var inputs: [TensorSpec] = []
        for (i, shape) in inputShapes.enumerated() {
            let name = i < inputNames.count ? inputNames[i] : "input_\(i)"
            let dtype = i < symbolicInputs.count ? symbolicInputs[i].dtype : model.dtype
            inputs.append(TensorSpec(name: name, shape: shape, dtype: dtype, idLimit: Self.embeddingLimit(model, input: i)))
        }
        let outputNames = model.outputNames
        var outputs: [TensorSpec] = []
        let symbolicOutputs = model.outputs
        if !symbolicOutputs.isEmpty {
            for (i, output) in symbolicOutputs.enumerated() {
                outputs.append(TensorSpec(name: i < outputNames.count ? outputNames[i] : "output_\(i)", shape: output.shape, dtype: output.dtype))
            }
        } else if !inputShapes.isEmpty {
            for (i, shape) in model.computeOutputShapes(inputShapes).enumerated() {
                outputs.append(TensorSpec(name: i < outputNames.count ? outputNames[i] : "output_\(i)", shape: shape, dtype: model.dtype))
            }
        }
        self.inputs = inputs
        self.outputs = outputs
    }

    /// The `inputDim` of the `Embedding` layers that read model input `index` directly (the
    /// smallest, when several do), so that requests with ids out of range are refused.
    static func embeddingLimit(_ model: Model, input index: Int) -> Int? {
        model.layersReading(input: index).compactMap { $0 as? Embedding }.map(\.inputDim).min()
    }
}
