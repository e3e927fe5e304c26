/// Adaptive max and average pooling from `keras.ops.nn` on channels-last tensors (1 to 3
/// spatial axes): the window sizes and positions follow from the input and output sizes.

/// The input positions `start..<end` that output position `i` of an adaptive pooling axis reads:
/// `start = ⌊i·n/m⌋`, `end = ⌈(i+1)·n/m⌉` for `n` inputs and `m` outputs, as Keras (and PyTorch)
/// compute them. Neighbouring windows may overlap by one position; when `n < m` an input is read
/// by several outputs.
///
/// ```swift
/// adaptivePoolingBins(inputSize: 5, outputSize: 3)   // [0..<2, 1..<4, 3..<5]
/// ```
public func adaptivePoolingBins(inputSize n: Int, outputSize m: Int) -> [Range<Int>] {
    require(n > 0 && m > 0, "adaptive pooling: expected positive input and output sizes, got \(n) and \(m)")
    return (0..<m).map { i in (i * n / m)..<(((i + 1) * n + m - 1) / m) }
}

extension Tensor {
    /// The maximum over each adaptive window (`keras.ops.adaptive_max_pool`, channels-last):
    /// `(batch, spatial…, channels)` → `(batch, outputSize…, channels)`, window `i` of an axis
    /// covering ``adaptivePoolingBins(inputSize:outputSize:)``. The gradient goes to the first
    /// maximum of each window (NaN counts as the maximum); overlapping windows add up.
    ///
    /// ```swift
    /// let y = Tensor.ones([1, 7, 7, 8]).adaptiveMaxPool(outputSize: [3, 3])   // shape (1, 3, 3, 8)
    /// ```
    public func adaptiveMaxPool(outputSize: [Int]) -> Tensor {
        let (w, x) = adaptiveWindows("adaptive_max_pool", outputSize: outputSize)
        return pooledMax("adaptive_max_pool", w, x, outputShape: [shape[0]] + outputSize + [shape[rank - 1]])
    }

    /// The mean over each adaptive window (`keras.ops.adaptive_average_pool`, channels-last):
    /// `(batch, spatial…, channels)` → `(batch, outputSize…, channels)`, window `i` of an axis
    /// covering ``adaptivePoolingBins(inputSize:outputSize:)``.
    ///
    /// ```swift
    /// Tensor([1.0, 2, 3, 4, 5]).reshaped(to: [1, 5, 1]).adaptiveAveragePool(outputSize: [3])
    /// // [[[1.5], [3.0], [4.5]]]
    /// ```
    public func adaptiveAveragePool(outputSize: [Int]) -> Tensor {
        let (w, x) = adaptiveWindows("adaptive_average_pool", outputSize: outputSize)
        return pooledAverage("adaptive_average_pool", w, x, outputShape: [shape[0]] + outputSize + [shape[rank - 1]])
    }

    /// The windows of an adaptive pooling op, after checking the arguments, and the input in the
    /// dtype the kernels run in (float64 stays, anything else becomes float32).
    private func adaptiveWindows(_ op: String, outputSize: [Int]) -> (PoolingWindows, Tensor) {
        let n = rank - 2
        require((1...3).contains(n), "\(op): expected an input of rank 3 to 5 (batch, spatial…, channels), got shape \(shape)")
        require(outputSize.count == n && outputSize.allSatisfy { $0 > 0 }, "\(op): expected \(n) positive output sizes for input shape \(shape), got \(outputSize)")
        require(shape[1...n].allSatisfy { $0 > 0 }, "\(op): expected non-empty spatial axes, got shape \(shape)")
        return (PoolingWindows(adaptiveInput: shape, outputSize: outputSize), cast(to: dtype == .float64 ? .float64 : .float32))
    }
}

/// `keras.ops.adaptive_max_pool` (channels-last): ``Tensor/adaptiveMaxPool(outputSize:)``.
public func adaptiveMaxPool(_ x: Tensor, outputSize: [Int]) -> Tensor { x.adaptiveMaxPool(outputSize: outputSize) }

/// `keras.ops.adaptive_average_pool` (channels-last): ``Tensor/adaptiveAveragePool(outputSize:)``.
public func adaptiveAveragePool(_ x: Tensor, outputSize: [Int]) -> Tensor { x.adaptiveAveragePool(outputSize: outputSize) }
