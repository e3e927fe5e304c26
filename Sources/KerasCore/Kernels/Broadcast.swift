/// NumPy broadcasting: the result shape of two shapes, or a stop whose message names the op.
func broadcastShape(_ a: [Int], _ b: [Int], op: String) -> [Int] {
    if a == b { return a }
    let rank = max(a.count, b.count)
    var out = [Int](repeating: 1, count: rank)
    for i in 0..<rank {
        let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
        let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
        if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else {
            fatalError("\(op): shapes \(a) and \(b) cannot be broadcast (dimension \(i - rank) is \(da) vs \(db))")
        }
    }
    // The element count only: the byte count is checked when the result is allocated.
    _ = Tensor.checkedElementCount(of: out, dtype: .bool, op: op)
    return out
}

/// Row-major strides of a contiguous shape.
@inline(__always)
func contiguousStrides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var s = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
        strides[i] = s
        s *= shape[i]
    }
    return strides
}

/// Strides for reading a tensor of `shape` as if it had `target` shape (0 on broadcast dims).
func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
    let base = contiguousStrides(shape)
    let offset = target.count - shape.count
    var out = [Int](repeating: 0, count: target.count)
    for i in 0..<shape.count where shape[i] != 1 || target[i + offset] == 1 {
        out[i + offset] = shape[i] == 1 ? 0 : base[i]
    }
    return out
}

/// Merges adjacent dimensions that every operand walks contiguously, so a broadcast loop runs
/// over as few, as long, dimensions as possible.
func coalesce(_ shape: [Int], _ strides: [[Int]]) -> (shape: [Int], strides: [[Int]]) {
    var dims: [Int] = []
    var st: [[Int]] = Array(repeating: [], count: strides.count)
    for i in 0..<shape.count where shape[i] != 1 {
        if let last = dims.last,
           strides.indices.allSatisfy({ k in st[k].last! == strides[k][i] * shape[i] }) {
            dims[dims.count - 1] = last * shape[i]
            for k in strides.indices { st[k][st[k].count - 1] = strides[k][i] }
        } else {
            dims.append(shape[i])
            for k in strides.indices { st[k].append(strides[k][i]) }
        }
    }
    if dims.isEmpty { return ([1], strides.map { _ in [0] }) }
    return (dims, st)
}
