extension Tensor {
    /// `true` when no element is NaN or infinite (always for integer and bool tensors). A single
    /// pass over the buffer that stops at the first bad value: what data validation needs.
    ///
    /// ```swift
    /// Tensor([1.0, .nan]).allFinite   // false
    /// ```
    public var allFinite: Bool {
        switch dtype {
        case .float32:
            return withUnsafeBufferPointer(of: Float.self) { b in
                b.withMemoryRebound(to: UInt32.self) { Self.exponentFieldNeverFull($0, mask: 0x7F80_0000) }
            }
        case .float64:
            return withUnsafeBufferPointer(of: Double.self) { b in
                b.withMemoryRebound(to: UInt64.self) { Self.exponentFieldNeverFull($0, mask: 0x7FF0_0000_0000_0000) }
            }
        default: return true
        }
    }

    /// NaN and ±∞ are exactly the values whose exponent field is all ones, the largest value the
    /// masked field can take; the running maximum of the field (an integer reduction that
    /// vectorizes) reaches `mask` only if one is present. Blocks of 4096 allow an early exit.
    /// Large buffers (a training set checked before `fit`) are split over the cores, each piece
    /// stopping at its first bad value.
    private static func exponentFieldNeverFull<U: FixedWidthInteger>(_ bits: UnsafeBufferPointer<U>, mask: U) -> Bool {
        let pieces = Parallel.pieceCount(bits.count, threshold: 1 << 20)
        if pieces == 1 { return neverFull(bits, 0..<bits.count, mask: mask) }
        var clean = [Bool](repeating: true, count: pieces)
        clean.withUnsafeMutableBufferPointer { clean in
            Parallel.forEachPiece(bits.count, pieces: pieces, context: (bits, clean)) { piece, range, context in
                context.1[piece] = neverFull(context.0, range, mask: mask)
            }
        }
        return !clean.contains(false)
    }

    /// Whether no element of `bits[range]` has its masked field full, in blocks of 4096.
    private static func neverFull<U: FixedWidthInteger>(_ bits: UnsafeBufferPointer<U>, _ range: Range<Int>, mask: U) -> Bool {
        var start = range.lowerBound
        while start < range.upperBound {
            let end = Swift.min(start + 4096, range.upperBound)
            var largest: U = 0
            for i in start..<end { largest = Swift.max(largest, bits[i] & mask) }
            if largest == mask { return false }
            start = end
        }
        return true
    }
}
