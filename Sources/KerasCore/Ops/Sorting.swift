/// Sorting along an axis: `argsort`, `sort` and `topK`. Sorts are stable; NaN sorts last.

/// The dtype of indices into an axis of `length` elements: int32 (Keras's index dtype) while every
/// index fits, int64 past `Int32.max` elements, so an index never wraps.
///
/// ```swift
/// indexDType(forAxisLength: 10)          // .int32
/// indexDType(forAxisLength: 1 << 32)     // .int64
/// ```
package func indexDType(forAxisLength length: Int) -> DType {
    length - 1 > Int(Int32.max) ? .int64 : .int32
}

extension Tensor {
    /// For each line along `axis`, the element indices in sorted order (int32, int64 for an axis
    /// longer than `Int32.max`). With `descending`, largest first; ties keep their original order
    /// either way.
    func sortedIndices(axis: Int, descending: Bool, op: String) -> Tensor {
        let ax = normalizeAxis(axis, rank: rank, op: op)
        let n = shape[ax]
        let outer = shape[..<ax].reduce(1, *), inner = shape[(ax + 1)...].reduce(1, *)
        let values = doubles
        if indexDType(forAxisLength: n) == .int64 {
            var result = [Int64](repeating: 0, count: values.count)
            sortLines(values, outer: outer, n: n, inner: inner, descending: descending) { result[$0] = Int64($1) }
            return Tensor(shape: shape, scalars: result)
        }
        var result = [Int32](repeating: 0, count: values.count)
        sortLines(values, outer: outer, n: n, inner: inner, descending: descending) { result[$0] = Int32($1) }
        return Tensor(shape: shape, scalars: result)
    }

    /// Sorts each line of `values` and calls `store(flatIndex, sortedPosition)` for each element.
    private func sortLines(_ values: [Double], outer: Int, n: Int, inner: Int, descending: Bool, store: (Int, Int) -> Void) {
        var order = [Int](repeating: 0, count: n)
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * n * inner + i
                @inline(__always) func v(_ k: Int) -> Double { values[base + k * inner] }
                for k in 0..<n { order[k] = k }
                // Stable by construction: equal keys compare by original position.
                order.sort { a, b in
                    let x = v(a), y = v(b)
                    if x.isNaN || y.isNaN {
                        if x.isNaN && y.isNaN { return a < b }
                        return descending ? x.isNaN : y.isNaN
                    }
                    if x != y { return descending ? x > y : x < y }
                    return a < b
                }
                for k in 0..<n { store(base + k * inner, order[k]) }
            }
        }
    }

    /// The indices that sort `self` along `axis`, ascending and stable (`keras.ops.argsort`):
    /// int32, or int64 when the axis is longer than `Int32.max`.
    ///
    /// ```swift
    /// Tensor([3.0, 1.0, 2.0]).argsort()   // [1 2 0]
    /// ```
    public func argsort(axis: Int = -1) -> Tensor {
        if rank == 0 { return Tensor.zeros([], dtype: .int32) }
        return sortedIndices(axis: axis, descending: false, op: "argsort")
    }

    /// The values sorted ascending along `axis` (`keras.ops.sort`); differentiable.
    ///
    /// ```swift
    /// Tensor([[3.0, 1.0, 2.0]]).sort()   // [[1. 2. 3.]]
    /// ```
    public func sort(axis: Int = -1) -> Tensor {
        if rank == 0 { return self }
        return takeAlongAxis(argsort(axis: axis), axis: axis)
    }

    /// The `k` largest values along the last axis and their indices (int32; int64 for an axis
    /// longer than `Int32.max`), largest first
    /// (`keras.ops.top_k`). Ties go to the lower index. Differentiable in the values.
    ///
    /// ```swift
    /// let (values, indices) = Tensor([1.0, 5.0, 3.0]).topK(2)   // [5. 3.], [1 2]
    /// ```
    public func topK(_ k: Int, sorted: Bool = true) -> (values: Tensor, indices: Tensor) {
        require(rank >= 1, "top_k: needs a tensor of rank ≥ 1, got shape \(shape)")
        let n = shape[rank - 1]
        require(k >= 0 && k <= n, "top_k: k = \(k) is out of range for a last axis of length \(n) (shape \(shape))")
        var indices = sortedIndices(axis: -1, descending: true, op: "top_k")
        if k < n { indices = indices.slice(axis: -1, start: 0, end: k) }
        if !sorted {
            // Keep the chosen elements in their original order.
            indices = indices.takeAlongAxis(indices.argsort(axis: -1), axis: -1)
        }
        return (takeAlongAxis(indices, axis: -1), indices)
    }
}

/// `keras.ops.argsort`.
public func argsort(_ x: Tensor, axis: Int = -1) -> Tensor { x.argsort(axis: axis) }
/// `keras.ops.sort`.
public func sort(_ x: Tensor, axis: Int = -1) -> Tensor { x.sort(axis: axis) }
/// `keras.ops.top_k`.
public func topK(_ x: Tensor, k: Int, sorted: Bool = true) -> (values: Tensor, indices: Tensor) { x.topK(k, sorted: sorted) }
