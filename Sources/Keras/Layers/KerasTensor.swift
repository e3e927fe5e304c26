/// A symbolic tensor: a shape (`nil` = unknown, usually the batch) and dtype with no values,
/// produced by ``Input(shape:batchSize:name:dtype:)`` and by calling layers on symbolic tensors.
/// Functional models are built from these (Keras's `KerasTensor`).
///
/// ```swift
/// let inputs = Input(shape: [3])                 // shape (None, 3)
/// let hidden = Dense(4, activation: .relu)(inputs)
/// hidden.shape                                   // [nil, 4]
/// ```
public final class KerasTensor: @unchecked Sendable, CustomStringConvertible {
    /// The shape; `nil` entries are unknown sizes (the batch dimension).
    public let shape: [Int?]
    /// The `dtype` this `KerasTensor` was created with.
    public let dtype: DType
    /// The node that produced this tensor and the index among that node's outputs.
    let node: Node?
    let tensorIndex: Int
    /// Set when building the graph failed at some layer; propagated to every later tensor and
    /// thrown by `Model/init(inputs:outputs:name:)`.
    public let error: KerasError?

    init(shape: [Int?], dtype: DType, node: Node?, tensorIndex: Int = 0, error: KerasError? = nil) {
        self.shape = shape
        self.dtype = dtype
        self.node = node
        self.tensorIndex = tensorIndex
        self.error = error
    }

    /// The number of axes, batch axis included.
    public var rank: Int { shape.count }

    /// The layer that produced this tensor (Keras's `_keras_history.operation`).
    public var sourceLayer: Layer? { node?.layer }

    /// A readable description, as `print` shows it.
    public var description: String {
        if let error { return "<KerasTensor error: \(error)>" }
        let from = node.map { ", source=\($0.layer.name)[\($0.nodeIndex)][\(tensorIndex)]" } ?? ""
        return "<KerasTensor shape=\(formatShape(shape)), dtype=\(dtype)\(from)>"
    }
}

/// One call of a layer on symbolic tensors: the edge list of a functional graph.
final class Node: @unchecked Sendable {
    let layer: Layer
    let inputs: [KerasTensor]
    /// Index of this node among the layer's calls (the `[0]` in `dense[0][0]`).
    let nodeIndex: Int
    /// The mode this call always runs in (`nil`: the model's).
    let training: Bool?
    private var weakOutputs: [WeakBox<KerasTensor>] = []
    /// How many tensors the call produced.
    private(set) var outputCount = 0

    init(layer: Layer, inputs: [KerasTensor], nodeIndex: Int, training: Bool? = nil) {
        self.layer = layer
        self.inputs = inputs
        self.nodeIndex = nodeIndex
        self.training = training
    }

    var isInput: Bool { layer is InputLayer }
    var outputs: [KerasTensor] { weakOutputs.compactMap(\.value) }
    func setOutputs(_ outputs: [KerasTensor]) {
        weakOutputs = outputs.map { WeakBox($0) }
        outputCount = outputs.count
    }
}

/// A weak reference (used so layers do not keep their call nodes, and nodes their outputs, alive
/// in reference cycles).
struct WeakBox<T: AnyObject> {
    weak var value: T?
    init(_ value: T) { self.value = value }
}
