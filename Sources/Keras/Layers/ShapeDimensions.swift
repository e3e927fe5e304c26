extension RandomAccessCollection where Element == Int?, Index == Int {
    /// The last dimension, which must be known — what a custom layer's ``Layer/build(inputShape:)``
    /// reads to size its weights (Keras's `input_shape[-1]`).
    ///
    /// ```swift
    /// override func build(inputShape: [Int?]) {
    ///     w = addWeight(name: "w", shape: [inputShape.lastDimension, units])
    /// }
    /// ```
    ///
    /// An unknown (`nil`) or missing dimension stops the program with a message naming the shape;
    /// during a build started by a throwing entry point (`try layer.build(_:)`,
    /// `Sequential.add`, a functional graph, a config's `build_config`) it is thrown instead.
    public var lastDimension: Int { dimension(-1) }

    /// The size of `axis` (negative counts from the end), which must be known; see
    /// ``lastDimension``.
    ///
    /// ```swift
    /// let channels = inputShape.dimension(-1), height = inputShape.dimension(1)
    /// ```
    public func dimension(_ axis: Int) -> Int {
        let shape = formatShape(Array(self))
        let index = axis < 0 ? count + axis : axis
        guard index >= 0 && index < count else {
            BuildIssues.report(.invalidArgument("Input shape \(shape) has no axis \(axis) (rank \(count))"))
            return 0
        }
        guard let size = self[startIndex + index] else {
            BuildIssues.report(.invalidArgument("Axis \(axis) of input shape \(shape) must be known (it sizes the layer's weights), received None"))
            return 0
        }
        return size
    }
}
