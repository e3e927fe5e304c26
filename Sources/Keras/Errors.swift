/// Errors thrown by layers and models when outside input does not fit: a graph built from
/// incompatible shapes, a disconnected functional graph, mismatched weights, a bad config.
///
/// Messages follow Keras's wording so answers found for Python Keras apply:
///
/// ```swift
/// do { try model.setWeights(weights) }
/// catch let error as KerasError { print(error) }
/// // Layer "dense_1" weight shape mismatch: expected (4, 3) for weight 0, received (3, 4)
/// ```
public enum KerasError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A layer received inputs it cannot take (wrong rank, axis size or count).
    case incompatibleInput(layer: String, message: String)
    /// A functional graph whose outputs cannot be computed from its inputs.
    case graphDisconnected(String)
    /// `setWeights` with the wrong number or shapes of arrays.
    case weightsMismatch(layer: String, message: String)
    /// A config that cannot be turned back into a layer or model.
    case invalidConfig(String)
    /// Any other misuse of the layer/model API, with its message.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .incompatibleInput(_, let message): message
        case .graphDisconnected(let message): message
        case .weightsMismatch(_, let message): message
        case .invalidConfig(let message): message
        case .invalidArgument(let message): message
        }
    }

    /// Keras's wording for an input that fails a layer's input spec.
    static func axisMismatch(layer: String, inputIndex: Int, axis: Int, expected: Int, received: [Int?]) -> KerasError {
        .incompatibleInput(layer: layer, message: "Input \(inputIndex) of layer \"\(layer)\" is incompatible with the layer: expected axis \(axis) of input shape to have value \(expected), but received input with shape \(formatShape(received))")
    }
}

/// A shape as Python prints it: `(None, 3)`, `(5,)`, `()`.
public func formatShape(_ shape: [Int?]) -> String {
    let parts = shape.map { $0.map(String.init) ?? "None" }
    return parts.count == 1 ? "(\(parts[0]),)" : "(" + parts.joined(separator: ", ") + ")"
}

/// A concrete shape as Python prints it.
public func formatShape(_ shape: [Int]) -> String { formatShape(shape.map { Optional($0) }) }
