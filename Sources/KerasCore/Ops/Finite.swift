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
    private static func exponentFieldNeverFull<U: FixedWidthInteger>(_ bits: UnsafeBufferPointer<U>, mask: U) -> Bool {
        var start = 0
        while start < bits.count {
            let end = Swift.min(start + 4096, bits.count)
            var largest: U = 0
            for i in start..<end { largest = Swift.max(largest, bits[i] & mask) }
            if largest == mask { return false }
            start = end
        }
        return true
    }
}
