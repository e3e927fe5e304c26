/// A layer's input or output shape, printed as Keras prints it: `(None, 3)`, `(5,)`.
/// `nil` entries are unknown sizes (usually the batch).
///
/// ```swift
/// let dense = Dense(3)
/// _ = dense(Tensor.ones([2, 4]))
/// print(try dense.inputShape)            // (2, 4)
/// try dense.outputShape == [2, 3]        // true
/// ```
public struct Shape: RandomAccessCollection, ExpressibleByArrayLiteral, Hashable, Sendable, CustomStringConvertible {
    /// The sizes, `nil` where unknown.
    public var dimensions: [Int?]

    /// A shape of these dimensions (`nil` for unknown sizes).
    public init(_ dimensions: [Int?]) { self.dimensions = dimensions }
    /// Creates a value from a Swift literal.
    public init(arrayLiteral elements: Int?...) { self.dimensions = elements }

    /// The position of the first element (`Collection`).
    public var startIndex: Int { 0 }
    /// The position after the last element (`Collection`).
    public var endIndex: Int { dimensions.count }
    /// The element at `position` (`Collection`).
    public subscript(position: Int) -> Int? { dimensions[position] }

    /// Python's tuple form, as Keras prints shapes.
    public var description: String { formatShape(dimensions) }
}
