/// NumPy-style subscripts: integers, ranges with strides, new axes and an ellipsis.
///
/// ```swift
/// let x = Tensor.arange(24).reshaped(to: [2, 3, 4])
/// x[0]                          // shape (3, 4)
/// x[1, 1..<3]                   // shape (2, 4)
/// x[..., 0]                     // `...` is NumPy's ellipsis: shape (2, 3)
/// x[.all, 0]                    // NumPy's `x[:, 0]`: shape (2, 4)
/// x[0, 1...]                    // shape (2, 4)
/// x[0, 0, .stride(nil, nil, by: -1)]   // reversed last axis
/// x[.newAxis]                   // shape (1, 2, 3, 4)
/// x[-1, -1, -1]                 // the last element, rank 0
/// ```

/// One entry of a tensor subscript. Build one with an `Int`, a Swift range, or the static
/// members `.all`, `.stride(_:_:by:)`, `.newAxis` and `.ellipsis` (also written `...`).
public struct TensorIndex: Sendable {
    enum Kind: Sendable {
        case index(Int)
        case range(start: Int?, end: Int?, stride: Int)
        case newAxis
        case ellipsis
    }
    let kind: Kind
}

/// Values usable inside a tensor subscript: `Int`, `Range<Int>`, `ClosedRange<Int>`, the partial
/// ranges and ``TensorIndex`` itself. Negative bounds count from the end of the axis.
public protocol TensorIndexConvertible {
    /// This value as a subscript entry.
    var tensorIndex: TensorIndex { get }
}

extension TensorIndexConvertible where Self == TensorIndex {
    /// One position along an axis (negative counts from the end); the axis is dropped.
    public static func index(_ i: Int) -> TensorIndex { TensorIndex(kind: .index(i)) }
    /// A whole axis (NumPy's `:`).
    public static var all: TensorIndex { TensorIndex(kind: .range(start: nil, end: nil, stride: 1)) }
    /// Python's `start:end:step`; `nil` bounds mean the natural ends for the step's direction.
    public static func stride(_ start: Int?, _ end: Int?, by step: Int) -> TensorIndex {
        require(step != 0, "subscript: stride must not be 0")
        return TensorIndex(kind: .range(start: start, end: end, stride: step))
    }
    /// A new axis of length 1 (NumPy's `None` / `np.newaxis`).
    public static var newAxis: TensorIndex { TensorIndex(kind: .newAxis) }
    /// As many whole axes as needed to index every axis (NumPy's `...`).
    public static var ellipsis: TensorIndex { TensorIndex(kind: .ellipsis) }
}

extension TensorIndex: TensorIndexConvertible {
    /// This value as a tensor index (`TensorIndexConvertible`).
    public var tensorIndex: TensorIndex { self }
}

extension Int: TensorIndexConvertible {
    /// This value as a tensor index (`TensorIndexConvertible`).
    public var tensorIndex: TensorIndex { TensorIndex(kind: .index(self)) }
}

extension Range: TensorIndexConvertible where Bound == Int {
    /// This value as a tensor index (`TensorIndexConvertible`).
    public var tensorIndex: TensorIndex { TensorIndex(kind: .range(start: lowerBound, end: upperBound, stride: 1)) }
}

extension ClosedRange: TensorIndexConvertible where Bound == Int {
    /// This value as a tensor index (`TensorIndexConvertible`).
    public var tensorIndex: TensorIndex {
        TensorIndex(kind: .range(start: lowerBound, end: inclusiveEnd(upperBound), stride: 1))
    }
}

extension PartialRangeFrom: TensorIndexConvertible where Bound == Int {
    /// This value as a tensor index (`TensorIndexConvertible`).
    public var tensorIndex: TensorIndex { TensorIndex(kind: .range(start: lowerBound, end: nil, stride: 1)) }
}

extension PartialRangeUpTo: TensorIndexConvertible where Bound == Int {
    /// This value as a tensor index (`TensorIndexConvertible`).
    public var tensorIndex: TensorIndex { TensorIndex(kind: .range(start: nil, end: upperBound, stride: 1)) }
}

extension PartialRangeThrough: TensorIndexConvertible where Bound == Int {
    /// This value as a tensor index (`TensorIndexConvertible`).
    public var tensorIndex: TensorIndex {
        TensorIndex(kind: .range(start: nil, end: inclusiveEnd(upperBound), stride: 1))
    }
}

/// The exclusive end of a closed range ending at `upperBound`: `nil` (the axis's end) for `-1`,
/// and for `Int.max`, where `+ 1` would overflow (`x[0...Int.max]` is every element, as in Python).
private func inclusiveEnd(_ upperBound: Int) -> Int? {
    upperBound == -1 || upperBound == Int.max ? nil : upperBound + 1
}

/// The positions Python's `slice(start, end, step).indices(n)` selects. Any bounds and step
/// (`Int.min`, `Int.max`) are clamped first, so the arithmetic never overflows.
func sliceIndices(start: Int?, end: Int?, stride step: Int, count n: Int) -> [Int] {
    let (lower, upper) = step > 0 ? (0, n) : (-1, n - 1)
    func clamp(_ v: Int?, _ fallback: Int) -> Int {
        guard var v else { return fallback }
        if v < 0 { v += n }
        return Swift.min(Swift.max(v, lower), upper)
    }
    let s = clamp(start, step > 0 ? lower : upper)
    let e = clamp(end, step > 0 ? upper : lower)
    // Both ends lie in [-1, n]; count the picks with the step's magnitude (|Int.min| fits a UInt).
    let span = step > 0 ? e - s : s - e
    guard span > 0 else { return [] }
    let count = Int(UInt(span - 1) / step.magnitude) + 1
    return (0..<count).map { s + $0 * step }
}

extension Tensor {
    /// The elements selected by `indices` (see ``TensorIndex``). Differentiable: the gradient
    /// scatters into zeros of the input's shape.
    public subscript(indices indices: [TensorIndex]) -> Tensor {
        let consuming = indices.filter {
            if case .index = $0.kind { return true }
            if case .range = $0.kind { return true }
            return false
        }.count
        let ellipses = indices.filter { if case .ellipsis = $0.kind { return true }; return false }.count
        require(ellipses <= 1, "subscript: at most one .ellipsis is allowed")
        require(consuming <= rank,
                "subscript: too many indices (\(consuming)) for a tensor of rank \(rank) (shape \(shape))")
        var expanded: [TensorIndex] = []
        for index in indices {
            if case .ellipsis = index.kind {
                expanded += Array(repeating: .all, count: rank - consuming)
            } else {
                expanded.append(index)
            }
        }
        if ellipses == 0 { expanded += Array(repeating: .all, count: rank - consuming) }

        var result = self
        var finalShape: [Int] = []
        var axis = 0
        for index in expanded {
            switch index.kind {
            case .newAxis:
                finalShape.append(1)
            case .ellipsis:
                break
            case .index(let i):
                let n = shape[axis]
                let k = i < 0 ? i + n : i
                require(k >= 0 && k < n,
                        "subscript: index \(i) is out of bounds for axis \(axis) with size \(n) (shape \(shape))")
                result = result.slice(axis: axis, start: k, end: k + 1)
                axis += 1
            case .range(let start, let end, let step):
                let n = shape[axis]
                let picked = sliceIndices(start: start, end: end, stride: step, count: n)
                if picked.count != n || step != 1 {
                    if step == 1 {
                        let first = picked.first ?? 0
                        result = result.slice(axis: axis, start: first, end: first + picked.count)
                    } else {
                        result = result.gatherAxis(axis, indices: picked)
                    }
                }
                finalShape.append(picked.count)
                axis += 1
            }
        }
        return result.reshaped(to: finalShape)
    }

    /// `x[0]`, `x[1..<3, .newAxis]`, `x[.stride(nil, nil, by: 2)]`, `x[.ellipsis, -1]`.
    public subscript(_ indices: any TensorIndexConvertible...) -> Tensor {
        self[indices: indices.map(\.tensorIndex)]
    }

    /// `x[..., 0]`, `x[..., .newAxis]`: Swift's `...` stands for NumPy's ellipsis, as many whole
    /// axes as needed (so code ported from Python reads the same).
    public subscript(_ ellipsis: UnboundedRange, _ rest: any TensorIndexConvertible...) -> Tensor {
        self[indices: [.ellipsis] + rest.map(\.tensorIndex)]
    }

    /// `x[0, ...]`, `x[1..<2, ..., 3]`.
    public subscript(_ first: any TensorIndexConvertible, _ ellipsis: UnboundedRange,
                     _ rest: any TensorIndexConvertible...) -> Tensor {
        self[indices: [first.tensorIndex, .ellipsis] + rest.map(\.tensorIndex)]
    }
}
