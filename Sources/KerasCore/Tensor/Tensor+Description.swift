extension Tensor: CustomStringConvertible {
    /// TensorFlow's form: `Tensor([[1. 2.]\n [3. 4.]], shape=(2, 2), dtype=float32)`.
    public var description: String {
        var text = NumPyFormatter(self).format()
        if text.contains("\n") { text = "\n" + text }
        return "Tensor(\(text), shape=\(shapeDescription(shape)), dtype=\(dtype))"
    }
}

/// Python's tuple form of a shape: `()`, `(3,)`, `(2, 3)`.
public func shapeDescription(_ shape: [Int?]) -> String {
    let parts = shape.map { $0.map(String.init) ?? "None" }
    return parts.count == 1 ? "(\(parts[0]),)" : "(\(parts.joined(separator: ", ")))"
}

public func shapeDescription(_ shape: [Int]) -> String { shapeDescription(shape.map { Optional($0) }) }
