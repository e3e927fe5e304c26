/// Tensor contractions: `tensordot` and `einsum`, lowered to transpose + reshape + matmul and
/// sums, so their gradients come from those ops.

extension Tensor {
    /// Sums products over `axes.a` of `self` and `axes.b` of `other` (`keras.ops.tensordot`);
    /// the result has the free axes of `self` followed by those of `other`.
    ///
    /// ```swift
    /// let a = Tensor.ones([2, 3, 4]), b = Tensor.ones([4, 3, 5])
    /// a.tensordot(b, axes: ([1, 2], [1, 0]))   // shape (2, 5), all 12
    /// ```
    public func tensordot(_ other: Tensor, axes: (a: [Int], b: [Int])) -> Tensor {
        let ca = axes.a.map { normalizeAxis($0, rank: rank, op: "tensordot") }
        let cb = axes.b.map { normalizeAxis($0, rank: other.rank, op: "tensordot") }
        require(ca.count == cb.count,
                "tensordot: axes \(axes.a) and \(axes.b) name different numbers of axes (shapes \(shape) and \(other.shape))")
        for (i, j) in zip(ca, cb) {
            require(shape[i] == other.shape[j],
                    "tensordot: axis \(i) of \(shape) has size \(shape[i]) but axis \(j) of \(other.shape) has size \(other.shape[j])")
        }
        let freeA = (0..<rank).filter { !ca.contains($0) }, freeB = (0..<other.rank).filter { !cb.contains($0) }
        let k = ca.reduce(1) { $0 * shape[$1] }
        let m = freeA.reduce(1) { $0 * shape[$1] }, n = freeB.reduce(1) { $0 * other.shape[$1] }
        let a2 = transposed(freeA + ca).reshaped(to: [m, k])
        let b2 = other.transposed(cb + freeB).reshaped(to: [k, n])
        return a2.matmul(b2).reshaped(to: freeA.map { shape[$0] } + freeB.map { other.shape[$0] })
    }

    /// `tensordot` over the last `axes` axes of `self` and the first `axes` of `other`.
    public func tensordot(_ other: Tensor, axes: Int = 2) -> Tensor {
        require(axes >= 0 && axes <= rank && axes <= other.rank,
                "tensordot: cannot contract \(axes) axes of shapes \(shape) and \(other.shape)")
        return tensordot(other, axes: (Array((rank - axes)..<rank), Array(0..<axes)))
    }
}

/// `keras.ops.tensordot` with explicit axis lists.
public func tensordot(_ a: Tensor, _ b: Tensor, axes: (a: [Int], b: [Int])) -> Tensor { a.tensordot(b, axes: axes) }
/// `keras.ops.tensordot` with a number of axes.
public func tensordot(_ a: Tensor, _ b: Tensor, axes: Int = 2) -> Tensor { a.tensordot(b, axes: axes) }

/// Einstein summation (`keras.ops.einsum`): `"ij,jk->ik"`, `"bij,bjk->bik"`, `"ij->ji"`,
/// `"ij->j"`, `"ii->i"`, `"i,j->ij"`, `"ij,ij->i"`, `"...ij,...jk->...ik"`, and any number of
/// operands (contracted pairwise, left to right). Without `->`, the output is the letters that
/// appear once, in alphabetical order. Size-1 dimensions broadcast.
///
/// ```swift
/// let a = Tensor.ones([2, 3]), b = Tensor.ones([3, 4])
/// einsum("ij,jk->ik", a, b)   // shape (2, 4), all 3
/// ```
public func einsum(_ equation: String, _ operands: Tensor...) -> Tensor {
    einsum(equation, operands)
}

/// ``einsum(_:_:)-(String,Tensor...)`` with the operands in an array.
public func einsum(_ equation: String, _ operands: [Tensor]) -> Tensor {
    let eq = equation.filter { $0 != " " }
    let sides = eq.components(separatedBy: "->")
    require(sides.count <= 2, "einsum: malformed equation '\(equation)'")
    var inputs = sides[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    require(inputs.count == operands.count,
            "einsum: equation '\(equation)' names \(inputs.count) operands, got \(operands.count) (shapes \(operands.map(\.shape)))")
    // Replace each "..." by upper-case letters for the broadcast dimensions, right-aligned.
    let ellipsisRank = zip(inputs, operands).map { spec, t in
        spec.contains("...") ? t.rank - (spec.count - 3) : 0
    }.max() ?? 0
    let broadcastLetters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ".prefix(ellipsisRank))
    for (i, t) in operands.enumerated() where inputs[i].contains("...") {
        let own = t.rank - (inputs[i].count - 3)
        inputs[i] = inputs[i].replacingOccurrences(of: "...", with: String(broadcastLetters.suffix(own)))
    }
    var output: [Character]
    if sides.count == 2 {
        output = Array(sides[1].replacingOccurrences(of: "...", with: String(broadcastLetters)))
    } else {
        let all = inputs.joined()
        output = broadcastLetters + Set(all).filter { c in c.isLowercase && all.filter { $0 == c }.count == 1 }.sorted()
    }
    var terms: [(Tensor, [Character])] = []
    for (spec, t) in zip(inputs, operands) {
        require(spec.count == t.rank,
                "einsum: operand '\(spec)' has \(spec.count) letters but a tensor of shape \(t.shape)")
        terms.append(einsumDiagonals(t, Array(spec)))
    }
    require(Set(output).count == output.count, "einsum: output '\(String(output))' repeats a letter")
    var (acc, accLetters) = terms[0]
    for i in 1..<max(terms.count, 1) {
        let later = terms[(i + 1)...].flatMap(\.1) + output
        let keep = Array(Set(accLetters + terms[i].1).filter { later.contains($0) })
        (acc, accLetters) = einsumPair(acc, accLetters, terms[i].0, terms[i].1, keep: keep)
    }
    for c in output {
        require(accLetters.contains(c), "einsum: output letter '\(c)' does not appear in the inputs of '\(equation)'")
    }
    // Sum away letters not in the output, then order as the output asks.
    let summed = accLetters.indices.filter { !output.contains(accLetters[$0]) }
    if !summed.isEmpty {
        acc = acc.sum(axes: summed)
        accLetters = accLetters.enumerated().filter { !summed.contains($0.offset) }.map(\.element)
    }
    return acc.transposed(output.map { accLetters.firstIndex(of: $0)! })
}

/// Takes diagonals for letters repeated within one operand (`"ii->i"`), so each letter appears once.
private func einsumDiagonals(_ t: Tensor, _ letters: [Character]) -> (Tensor, [Character]) {
    var t = t, letters = letters
    while let dup = letters.indices.first(where: { i in letters[(i + 1)...].contains(letters[i]) }) {
        let other = letters[(dup + 1)...].firstIndex(of: letters[dup])!
        let n = t.shape[dup]
        require(t.shape[other] == n, "einsum: repeated letter '\(letters[dup])' spans sizes \(t.shape[dup]) and \(t.shape[other])")
        let rest = t.shape.indices.filter { $0 != dup && $0 != other }
        let moved = t.transposed(rest + [dup, other])
        let flat = moved.reshaped(to: rest.map { t.shape[$0] } + [n * n])
        t = flat.gatherAxis(rest.count, indices: (0..<n).map { $0 * (n + 1) })
        letters = rest.map { letters[$0] } + [letters[dup]]
    }
    return (t, letters)
}

/// Contracts two operands, keeping the letters in `keep`: batch letters (in both, kept) go first,
/// contracted letters (in both, not kept) are summed by a batched matmul.
private func einsumPair(_ a: Tensor, _ la: [Character], _ b: Tensor, _ lb: [Character],
                        keep: [Character]) -> (Tensor, [Character]) {
    var a = a, la = la, b = b, lb = lb
    // Letters only in one operand and not kept are summed away first.
    let dropA = la.indices.filter { !lb.contains(la[$0]) && !keep.contains(la[$0]) }
    if !dropA.isEmpty { a = a.sum(axes: dropA); la = la.enumerated().filter { !dropA.contains($0.offset) }.map(\.element) }
    let dropB = lb.indices.filter { !la.contains(lb[$0]) && !keep.contains(lb[$0]) }
    if !dropB.isEmpty { b = b.sum(axes: dropB); lb = lb.enumerated().filter { !dropB.contains($0.offset) }.map(\.element) }

    let shared = la.filter { lb.contains($0) }
    let batch = shared.filter { keep.contains($0) }, contracted = shared.filter { !keep.contains($0) }
    let freeA = la.filter { !lb.contains($0) }, freeB = lb.filter { !la.contains($0) }
    func size(_ t: Tensor, _ l: [Character], _ c: Character) -> Int { t.shape[l.firstIndex(of: c)!] }
    // Broadcast size-1 shared dimensions to the other operand's size.
    var targetA = a.shape, targetB = b.shape
    for c in shared {
        let (i, j) = (la.firstIndex(of: c)!, lb.firstIndex(of: c)!)
        let (da, db) = (a.shape[i], b.shape[j])
        require(da == db || da == 1 || db == 1,
                "einsum: letter '\(c)' has size \(da) in one operand and \(db) in the other (shapes \(a.shape) and \(b.shape))")
        targetA[i] = Swift.max(da, db); targetB[j] = Swift.max(da, db)
    }
    a = a.broadcast(to: targetA)
    b = b.broadcast(to: targetB)
    let bs = batch.map { size(a, la, $0) }
    let m = freeA.reduce(1) { $0 * size(a, la, $1) }, n = freeB.reduce(1) { $0 * size(b, lb, $1) }
    let k = contracted.reduce(1) { $0 * size(a, la, $1) }
    let bc = bs.reduce(1, *)
    let a3 = a.transposed((batch + freeA + contracted).map { la.firstIndex(of: $0)! }).reshaped(to: [bc, m, k])
    let b3 = b.transposed((batch + contracted + freeB).map { lb.firstIndex(of: $0)! }).reshaped(to: [bc, k, n])
    let product = a3.matmul(b3).reshaped(to: bs + freeA.map { size(a, la, $0) } + freeB.map { size(b, lb, $0) })
    return (product, batch + freeA + freeB)
}
