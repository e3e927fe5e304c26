/// Shape manipulation: reshape, broadcast, transpose, expand/squeeze, concatenate, stack.

extension Tensor {
    /// The same elements with a new shape; one dimension may be -1 (`keras.ops.reshape`).
    ///
    /// ```swift
    /// Tensor.arange(6).reshaped(to: [2, -1])   // shape (2, 3)
    /// ```
    public func reshaped(to newShape: [Int]) -> Tensor {
        var target = newShape
        let unknown = newShape.indices.filter { newShape[$0] == -1 }
        require(unknown.count <= 1, "reshape: only one dimension can be -1, got \(newShape)")
        require(newShape.allSatisfy { $0 >= -1 }, "reshape: invalid target shape \(newShape)")
        if let u = unknown.first {
            let known = Tensor.checkedElementCount(of: newShape.filter { $0 != -1 }, dtype: dtype, op: "reshape")
            require(known > 0 && scalarCount % known == 0,
                    "reshape: cannot reshape a tensor of shape \(shape) (\(scalarCount) elements) into \(newShape)")
            target[u] = scalarCount / known
        }
        let count = Tensor.checkedElementCount(of: target, dtype: dtype, op: "reshape")
        require(count == scalarCount,
                "reshape: cannot reshape a tensor of shape \(shape) (\(scalarCount) elements) into \(newShape) (\(count) elements)")
        if target == shape { return self }
        let inShape = shape
        let out = Tensor(storage: storage, byteOffset: byteOffset, shape: target, dtype: dtype)
        return Tensor.record("reshape", inputs: [self], output: out) { g in [g.reshaped(to: inShape)] }
    }

    /// The tensor repeated along broadcast dimensions to `target` (`keras.ops.broadcast_to`).
    public func broadcast(to target: [Int]) -> Tensor {
        if shape == target { return self }
        _ = Tensor.checkedElementCount(of: target, dtype: dtype, op: "broadcast_to")
        let result = broadcastShape(shape, target, op: "broadcast_to")
        require(result == target, "broadcast_to: cannot broadcast shape \(shape) to \(target)")
        // A rank-0 source is read as shape [1]: zipKernel's fast path treats equal operand
        // shapes as the output shape, which a [] source and the [] dummy would wrongly match.
        let src = rank == 0 ? withoutRecording { reshaped(to: [1]) } : self
        let out: Tensor
        switch dtype {
        case .float32: out = zipKernel(src, Tensor.zeros([], dtype: .float32), Float.self, shape: target, to: dtype, Float.self) { a, _ in a }
        case .float64: out = zipKernel(src, Tensor.zeros([], dtype: .float64), Double.self, shape: target, to: dtype, Double.self) { a, _ in a }
        case .int32: out = zipKernel(src, Tensor.zeros([], dtype: .int32), Int32.self, shape: target, to: dtype, Int32.self) { a, _ in a }
        case .int64: out = zipKernel(src, Tensor.zeros([], dtype: .int64), Int64.self, shape: target, to: dtype, Int64.self) { a, _ in a }
        case .bool: out = zipKernel(src, Tensor.zeros([], dtype: .bool), Bool.self, shape: target, to: dtype, Bool.self) { a, _ in a }
        }
        let inShape = shape
        return Tensor.record("broadcast_to", inputs: [self], output: out) { g in [g.unbroadcast(to: inShape)] }
    }

    /// Axes permuted: output axis `i` is input axis `perm[i]`; reverses the axes when `nil`
    /// (`keras.ops.transpose`).
    public func transposed(_ perm: [Int]? = nil) -> Tensor {
        let p = perm.map { $0.map { normalizeAxis($0, rank: rank, op: "transpose") } } ?? Array((0..<rank).reversed())
        require(p.count == rank && Set(p).count == rank,
                "transpose: axes \(perm ?? []) are not a permutation of the \(rank) axes of shape \(shape)")
        if p == Array(0..<rank) { return self }
        let out = transposeKernel(self, p)
        var inverse = [Int](repeating: 0, count: rank)
        for (i, a) in p.enumerated() { inverse[a] = i }
        return Tensor.record("transpose", inputs: [self], output: out) { g in [g.transposed(inverse)] }
    }

    /// The matrix transpose of the last two axes.
    public var T: Tensor {
        require(rank >= 2, "T: needs rank ≥ 2, got shape \(shape)")
        var p = Array(0..<rank)
        p.swapAt(rank - 1, rank - 2)
        return transposed(p)
    }

    /// A size-1 axis inserted at `axis` (`keras.ops.expand_dims`).
    public func expandingDims(at axis: Int) -> Tensor {
        let a = axis < 0 ? axis + rank + 1 : axis
        require(a >= 0 && a <= rank, "expand_dims: axis \(axis) is out of bounds for a tensor of rank \(rank)")
        var s = shape
        s.insert(1, at: a)
        return reshaped(to: s)
    }

    /// Size-1 axes removed: the given ones (which must be 1) or all (`keras.ops.squeeze`).
    public func squeezing(axes: [Int]? = nil) -> Tensor {
        guard let axes else { return reshaped(to: shape.filter { $0 != 1 }) }
        let ax = normalizeAxes(axes, rank: rank, op: "squeeze")
        for a in ax {
            require(shape[a] == 1, "squeeze: cannot squeeze axis \(a) of shape \(shape): its size is \(shape[a]), not 1")
        }
        return reshaped(to: shape.enumerated().filter { !ax.contains($0.offset) }.map(\.element))
    }

    /// Flattened to rank 1.
    public func flattened() -> Tensor { reshaped(to: [-1]) }
}

/// Joins tensors along an existing axis (`keras.ops.concatenate`).
///
/// ```swift
/// concatenate([Tensor.zeros([2, 3]), Tensor.ones([2, 1])], axis: 1)   // shape (2, 4)
/// ```
public func concatenate(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
    require(!tensors.isEmpty, "concatenate: needs at least one tensor")
    let first = tensors[0]
    require(first.rank > 0, "concatenate: cannot concatenate rank-0 tensors; use stack")
    let ax = normalizeAxis(axis, rank: first.rank, op: "concatenate")
    var dt = first.dtype
    for t in tensors {
        dt = promotedType(dt, t.dtype)
        var a = t.shape, b = first.shape
        require(a.count == b.count,
                "concatenate: all inputs must have the same rank; got shapes \(tensors.map(\.shape))")
        a[ax] = 0; b[ax] = 0
        require(a == b,
                "concatenate: shapes \(first.shape) and \(t.shape) differ outside axis \(axis); got shapes \(tensors.map(\.shape))")
    }
    let parts = tensors.map { $0.cast(to: dt) }
    var outShape = first.shape
    outShape[ax] = parts.reduce(0) { $0 + $1.shape[ax] }
    let out = Tensor(uninitializedShape: outShape, dtype: dt)
    let outer = first.shape[..<ax].reduce(1, *)
    let inner = first.shape[(ax + 1)...].reduce(1, *)
    let rowBytes = outShape[ax] * inner * dt.byteSize
    var offset = 0
    for p in parts {
        let chunk = p.shape[ax] * inner * dt.byteSize
        withExtendedLifetime(p) {
            let src = p.rawBytes, dst = out.rawBytes
            for o in 0..<outer where chunk > 0 {
                (dst + o * rowBytes + offset).copyMemory(from: src + o * chunk, byteCount: chunk)
            }
        }
        offset += chunk
    }
    let sizes = parts.map { $0.shape[ax] }
    return Tensor.record("concatenate", inputs: tensors, output: out) { g in
        let pieces = g.split(sizes: sizes, axis: ax)
        return zip(tensors, pieces).map { t, piece in t.isRecorded ? piece : nil }
    }
}

/// Joins same-shaped tensors along a new axis (`keras.ops.stack`).
public func stack(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
    require(!tensors.isEmpty, "stack: needs at least one tensor")
    let shape = tensors[0].shape
    for t in tensors {
        require(t.shape == shape, "stack: all inputs must have the same shape; got \(tensors.map(\.shape))")
    }
    return concatenate(tensors.map { $0.expandingDims(at: axis) }, axis: axis)
}

extension Tensor {
    /// Pieces with the given sizes along `axis` (which must add up to its length).
    public func split(sizes: [Int], axis: Int = 0) -> [Tensor] {
        let ax = normalizeAxis(axis, rank: rank, op: "split")
        require(sizes.reduce(0, +) == shape[ax] && sizes.allSatisfy { $0 >= 0 },
                "split: sizes \(sizes) do not add up to \(shape[ax]), the length of axis \(axis) of shape \(shape)")
        var start = 0
        return sizes.map { size in
            defer { start += size }
            return slice(axis: ax, start: start, end: start + size)
        }
    }

    /// `count` equal pieces along `axis` (`keras.ops.split` with an integer).
    public func split(count: Int, axis: Int = 0) -> [Tensor] {
        let ax = normalizeAxis(axis, rank: rank, op: "split")
        require(count > 0 && shape[ax] % count == 0,
                "split: axis \(axis) of shape \(shape) has length \(shape[ax]), which does not divide into \(count) equal pieces")
        return split(sizes: Array(repeating: shape[ax] / count, count: count), axis: ax)
    }

    /// The contiguous range `start..<end` along one axis (a copy).
    public func slice(axis: Int, start: Int, end: Int) -> Tensor {
        let ax = normalizeAxis(axis, rank: rank, op: "slice")
        require(start >= 0 && start <= end && end <= shape[ax],
                "slice: range \(start)..<\(end) is out of bounds for axis \(axis) of shape \(shape)")
        var outShape = shape
        outShape[ax] = end - start
        let outer = shape[..<ax].reduce(1, *), inner = shape[(ax + 1)...].reduce(1, *)
        let es = dtype.byteSize
        let out: Tensor
        if outer == 1 {
            // A block of whole rows is contiguous: share the storage instead of copying.
            out = Tensor(storage: storage, byteOffset: byteOffset + start * inner * es, shape: outShape, dtype: dtype)
        } else {
            out = Tensor(uninitializedShape: outShape, dtype: dtype)
            let chunk = (end - start) * inner * es, rowBytes = shape[ax] * inner * es
            withExtendedLifetime(self) {
                for o in 0..<outer where chunk > 0 {
                    (out.rawBytes + o * chunk).copyMemory(from: rawBytes + o * rowBytes + start * inner * es, byteCount: chunk)
                }
            }
        }
        let inShape = shape
        return Tensor.record("slice", inputs: [self], output: out) { g in
            var before = inShape, after = inShape
            before[ax] = start
            after[ax] = inShape[ax] - end
            return [concatenate([Tensor.zeros(before, dtype: g.dtype), g, Tensor.zeros(after, dtype: g.dtype)], axis: ax)]
        }
    }
}
