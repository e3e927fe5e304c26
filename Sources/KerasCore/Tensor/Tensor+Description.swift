extension Tensor: CustomStringConvertible {
    /// TensorFlow's form, with the values as NumPy's `str` prints them (see `NumPyFormatter`);
    /// a multi-line value starts on its own line, as in TensorFlow.
    ///
    /// ```swift
    /// print(Tensor([1, 2, 3]))             // Tensor([1 2 3], shape=(3,), dtype=int32)
    /// print(Tensor([[1.0, 2.0], [3.0, 4.0]]))
    /// // Tensor(
    /// // [[1. 2.]
    /// //  [3. 4.]], shape=(2, 2), dtype=float32)
    /// ```
    public var description: String {
        var text = NumPyFormatter(self).format()
        if text.contains("\n") { text = "\n" + text }
        return "Tensor(\(text), shape=\(formatShape(shape)), dtype=\(dtype))"
    }
}

/// Python's tuple form of a shape: `()`, `(3,)`, `(2, 3)`, `(None, 3)` for unknown dimensions.
///
/// ```swift
/// formatShape([nil, 28, 28])   // "(None, 28, 28)"
/// ```
public func formatShape(_ shape: [Int?]) -> String {
    let parts = shape.map { $0.map(String.init) ?? "None" }
    return parts.count == 1 ? "(\(parts[0]),)" : "(\(parts.joined(separator: ", ")))"
}

/// Python's tuple form of a fully known shape: `formatShape([3]) == "(3,)"`.
public func formatShape(_ shape: [Int]) -> String { formatShape(shape.map { Optional($0) }) }
