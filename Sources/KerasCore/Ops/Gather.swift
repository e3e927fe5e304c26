/// Gathering along one axis: `take`, `takeAlongAxis`, `oneHot`, and the internal slice-copy and
/// scatter-add kernels that subscripts, sorting and their gradients build on.

/// Copies the slices `indices` of `x` along `axis` (each index already in `0..<shape[axis]`).
func gatherAxisKernel(_ x: Tensor, axis: Int, indices: [Int]) -> Tensor {
    var outShape = x.shape
    outShape[axis] = indices.count
    let out = Tensor(uninitializedShape: outShape, dtype: x.dtype)
    let outer = x.shape[..<axis].reduce(1, *), inner = x.shape[(axis + 1)...].reduce(1, *)
    let n = x.shape[axis], m = indices.count
    if out.scalarCount == 0 { return out }
    func run<T>(_: T.Type) {
        let src = x.pointer(T.self), dst = out.pointer(T.self)
        indices.withUnsafeBufferPointer { idx in
            for o in 0..<outer {
                for j in 0..<m {
                    let s = src + (o * n + idx[j]) * inner, d = dst + (o * m + j) * inner
                    for i in 0..<inner { d[i] = s[i] }
                }
            }
        }
    }
    withExtendedLifetime(x) {
        switch x.dtype.byteSize {
        case 1: run(UInt8.self)
        case 4: run(UInt32.self)
        default: run(UInt64.self)
        }
    }
    return out
}

/// The adjoint of ``gatherAxisKernel(_:axis:indices:)``: a zero tensor with `size` along `axis`
/// into which the slices of `g` are added at `indices` (repeated indices accumulate).
func scatterAddAxisKernel(_ g: Tensor, axis: Int, indices: [Int], size: Int) -> Tensor {
    var outShape = g.shape
    outShape[axis] = size
    let out = Tensor.zeros(outShape, dtype: g.dtype)
    let outer = g.shape[..<axis].reduce(1, *), inner = g.shape[(axis + 1)...].reduce(1, *)
    let m = indices.count
    if g.scalarCount == 0 { return out }
    func run<T: ArithmeticScalar>(_: T.Type) {
        let src = g.pointer(T.self), dst = out.pointer(T.self)
        for o in 0..<outer {
            for j in 0..<m {
                let s = src + (o * m + j) * inner, d = dst + (o * size + indices[j]) * inner
                for i in 0..<inner { d[i] = T.add(d[i], s[i]) }
            }
        }
    }
    withExtendedLifetime(g) {
        switch g.dtype {
        case .float64: run(Double.self)
        case .float32: run(Float.self)
        case .int32: run(Int32.self)
        case .int64: run(Int64.self)
        case .bool: fatalError("scatter-add: not defined for bool tensors")
        }
    }
    return out
}

/// Integer values of an index tensor, with negative entries counted from the end of an axis of
/// length `n`, checked against its bounds.
func normalizedIndices(_ indices: Tensor, count n: Int, op: String, shape: [Int], axis: Int) -> [Int] {
    require(indices.dtype.isInteger,
            "\(op): indices must be an integer tensor, got \(indices.dtype)")
    return indices.toArray(of: Int64.self).map { i64 in
        let i = Int(i64)
        let k = i < 0 ? i + n : i
        require(k >= 0 && k < n,
                "\(op): index \(i) is out of bounds for axis \(axis) with size \(n) (shape \(shape))")
        return k
    }
}

extension Tensor {
    /// Slices `indices` along `axis` as one recorded op; its gradient scatters back into zeros.
    func gatherAxis(_ axis: Int, indices: [Int]) -> Tensor {
        let out = gatherAxisKernel(self, axis: axis, indices: indices)
        let size = shape[axis]
        return Tensor.record("gather", inputs: [self], output: out) { g in
            [scatterAddAxisKernel(g, axis: axis, indices: indices, size: size)]
        }
    }

    /// Elements picked by integer `indices` along `axis` (`keras.ops.take`); the flattened tensor
    /// when `axis` is `nil`. The result's shape is `shape[..<axis] + indices.shape + shape[(axis+1)...]`.
    /// Negative indices count from the end. Differentiable with respect to `self`.
    ///
    /// ```swift
    /// let table = Tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    /// table.take(Tensor([2, 0]), axis: 0)   // [[5. 6.] [1. 2.]]
    /// ```
    public func take(_ indices: Tensor, axis: Int? = nil) -> Tensor {
        guard let axis else { return flattened().take(indices, axis: 0) }
        let ax = normalizeAxis(axis, rank: rank, op: "take")
        let flat = normalizedIndices(indices, count: shape[ax], op: "take", shape: shape, axis: axis)
        let gathered = gatherAxis(ax, indices: flat)
        return gathered.reshaped(to: Array(shape[..<ax]) + indices.shape + Array(shape[(ax + 1)...]))
    }

    /// Elements picked along `axis` by an index tensor of the same rank (`keras.ops.take_along_axis`):
    /// `out[..., j, ...] = self[..., indices[..., j, ...], ...]`. The other dimensions broadcast.
    ///
    /// ```swift
    /// let x = Tensor([[10.0, 30.0, 20.0]])
    /// x.takeAlongAxis(x.argsort(axis: -1), axis: -1)   // [[10. 20. 30.]]
    /// ```
    public func takeAlongAxis(_ indices: Tensor, axis: Int) -> Tensor {
        let ax = normalizeAxis(axis, rank: rank, op: "take_along_axis")
        require(indices.rank == rank,
                "take_along_axis: indices of shape \(indices.shape) must have the rank of the input shape \(shape)")
        var xs = shape, ids = indices.shape
        xs[ax] = 1; ids[ax] = 1
        var target = broadcastShape(xs, ids, op: "take_along_axis")
        let n = shape[ax]
        target[ax] = n
        let source = broadcast(to: target)
        target[ax] = indices.shape[ax]
        let flat = normalizedIndices(indices.broadcast(to: target), count: n, op: "take_along_axis", shape: shape, axis: axis)
        let out = takeAlongKernel(source, axis: ax, indices: flat, count: indices.shape[ax])
        return Tensor.record("take_along_axis", inputs: [source], output: out) { g in
            [scatterAlongKernel(g, axis: ax, indices: flat, size: n)]
        }
    }
}

/// `out[o, j, i] = x[o, indices[o, j, i], i]` in the (outer, axis, inner) layout.
private func takeAlongKernel(_ x: Tensor, axis: Int, indices: [Int], count m: Int) -> Tensor {
    var outShape = x.shape
    outShape[axis] = m
    let out = Tensor(uninitializedShape: outShape, dtype: x.dtype)
    let outer = x.shape[..<axis].reduce(1, *), inner = x.shape[(axis + 1)...].reduce(1, *)
    let n = x.shape[axis]
    func run<T>(_: T.Type) {
        let src = x.pointer(T.self), dst = out.pointer(T.self)
        for o in 0..<outer {
            for j in 0..<m {
                for i in 0..<inner {
                    let k = (o * m + j) * inner + i
                    dst[k] = src[(o * n + indices[k]) * inner + i]
                }
            }
        }
    }
    withExtendedLifetime(x) {
        switch x.dtype.byteSize {
        case 1: run(UInt8.self)
        case 4: run(UInt32.self)
        default: run(UInt64.self)
        }
    }
    return out
}

/// The adjoint of `takeAlongKernel`.
private func scatterAlongKernel(_ g: Tensor, axis: Int, indices: [Int], size: Int) -> Tensor {
    var outShape = g.shape
    outShape[axis] = size
    let out = Tensor.zeros(outShape, dtype: g.dtype)
    let outer = g.shape[..<axis].reduce(1, *), inner = g.shape[(axis + 1)...].reduce(1, *)
    let m = g.shape[axis]
    func run<T: ArithmeticScalar>(_: T.Type) {
        let src = g.pointer(T.self), dst = out.pointer(T.self)
        for o in 0..<outer {
            for j in 0..<m {
                for i in 0..<inner {
                    let k = (o * m + j) * inner + i
                    dst[(o * size + indices[k]) * inner + i] += src[k]
                }
            }
        }
    }
    withExtendedLifetime(g) {
        if g.dtype == .float64 { run(Double.self) } else { run(Float.self) }
    }
    return out
}

/// One-hot encoding of integer `indices` (`keras.ops.one_hot`): a new axis of length `depth`
/// (last by default) holding 1 at each index and 0 elsewhere. Out-of-range and negative indices
/// give an all-zero row, as in Keras.
///
/// ```swift
/// oneHot(Tensor([0, 2]), depth: 3)   // [[1. 0. 0.] [0. 0. 1.]]
/// ```
public func oneHot(_ indices: Tensor, depth: Int, axis: Int = -1, dtype: DType = .float32) -> Tensor {
    require(indices.dtype.isInteger, "one_hot: indices must be an integer tensor, got \(indices.dtype)")
    require(depth >= 0, "one_hot: depth must be non-negative, got \(depth)")
    _ = Tensor.checkedElementCount(of: indices.shape + [depth], dtype: .float64, op: "one_hot")
    let ids = indices.toArray(of: Int64.self)
    var values = [Double](repeating: 0, count: ids.count * depth)
    for (k, i) in ids.enumerated() where i >= 0 && i < depth { values[k * depth + Int(i)] = 1 }
    let out = Tensor(shape: indices.shape + [depth], doubles: values, dtype: dtype)
    let ax = axis < 0 ? axis + indices.rank + 1 : axis
    require(ax >= 0 && ax <= indices.rank,
            "one_hot: axis \(axis) is out of bounds for indices of shape \(indices.shape)")
    if ax == indices.rank { return out }
    var perm = Array(0..<indices.rank)
    perm.insert(indices.rank, at: ax)
    return out.transposed(perm)
}

extension Tensor {
    /// One-hot encoding of this integer tensor; see ``oneHot(_:depth:axis:dtype:)``.
    public func oneHot(depth: Int, axis: Int = -1, dtype: DType = .float32) -> Tensor {
        KerasCore.oneHot(self, depth: depth, axis: axis, dtype: dtype)
    }
}

/// `keras.ops.take`.
public func take(_ x: Tensor, _ indices: Tensor, axis: Int? = nil) -> Tensor { x.take(indices, axis: axis) }
/// `keras.ops.take_along_axis`.
public func takeAlongAxis(_ x: Tensor, _ indices: Tensor, axis: Int) -> Tensor { x.takeAlongAxis(indices, axis: axis) }
