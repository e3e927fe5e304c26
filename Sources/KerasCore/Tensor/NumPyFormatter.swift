import Foundation

/// Formats tensor values exactly as NumPy's `str(array)` does with default print options
/// (`precision=8`, `floatmode='maxprec'`, `threshold=1000`, `edgeitems=3`, `linewidth=75`):
///
/// - floats print the shortest digits that round-trip in their own precision (at most 8 after
///   the point), positional unless the largest magnitude is ≥ 1e8, the smallest non-zero is
///   < 1e-4, or their ratio is > 1000, in which case every element is scientific with a shared
///   number of mantissa digits;
/// - elements are padded to a common width (`nan`/`inf` right-aligned to it), booleans as
///   ` True`/`False`;
/// - tensors with more than 1000 elements show 3 items at each edge of every axis around `...`;
/// - rows wrap at 75 columns with a hanging indent; blank lines separate higher-rank blocks;
/// - a rank-0 tensor prints as NumPy prints the scalar (`1.5`, `1e-05`, `0.3333333333333333`).
///
/// ```swift
/// print(Tensor([[1.0, 2.5], [-3.125, 4.0]]))
/// // Tensor(
/// // [[ 1.     2.5  ]
/// //  [-3.125  4.   ]], shape=(2, 2), dtype=float32)
/// ```
struct NumPyFormatter {
    let tensor: Tensor
    let shape: [Int]
    let dtype: DType
    let summarize: Bool
    let strides: [Int]
    static let edgeItems = 3
    static let lineWidth = 75
    static let threshold = 1000

    init(_ t: Tensor) {
        tensor = t
        shape = t.shape
        dtype = t.dtype
        summarize = t.scalarCount > Self.threshold
        strides = contiguousStrides(t.shape)
    }

    func format() -> String {
        if shape.isEmpty { return scalarString(tensor.doubleAt(0)) }
        if tensor.scalarCount == 0 { return "[]" }
        // Only the printed elements are read, so summarizing a large tensor stays cheap.
        let shown = shownIndices()
        let strings = elementStrings(shown.map { tensor.doubleAt($0) })
        var lookup: [Int: String] = [:]
        for (i, s) in zip(shown, strings) { lookup[i] = s }
        return render(axis: 0, offset: 0, hanging: " ", width: Self.lineWidth, lookup: lookup)
    }

    // MARK: - Layout (numpy.core.arrayprint._formatArray)

    /// Indices along an axis of length `n` that are printed, in order.
    private func shownPositions(_ n: Int) -> [Int] {
        if summarize && n > 2 * Self.edgeItems {
            return Array(0..<Self.edgeItems) + Array((n - Self.edgeItems)..<n)
        }
        return Array(0..<n)
    }

    private func shownIndices() -> [Int] {
        var result: [Int] = []
        func walk(_ axis: Int, _ offset: Int) {
            if axis == shape.count { result.append(offset); return }
            for i in shownPositions(shape[axis]) { walk(axis + 1, offset + i * strides[axis]) }
        }
        walk(0, 0)
        return result
    }

    /// Appends `word` to `line`, first moving `line` into `text` when it would pass `width`.
    private func extend(_ text: inout String, _ line: inout String, _ word: String, width: Int, prefix: String) {
        var wrap = line.utf8.count + word.utf8.count > width
        if line.utf8.count <= prefix.utf8.count { wrap = false }
        if wrap {
            while line.hasSuffix(" ") { line.removeLast() }
            text += line + "\n"
            line = prefix
        }
        line += word
    }

    private func render(axis: Int, offset: Int, hanging: String, width: Int, lookup: [Int: String]) -> String {
        let n = shape[axis]
        let summary = summarize && n > 2 * Self.edgeItems
        let positions = shownPositions(n)
        func child(_ i: Int) -> String {
            let o = offset + i * strides[axis]
            if axis == shape.count - 1 { return lookup[o]! }
            return render(axis: axis + 1, offset: o, hanging: hanging + " ", width: width - 1, lookup: lookup)
        }
        var text = ""
        if axis == shape.count - 1 {
            let elementWidth = width - 1   // room for the closing "]"
            var line = hanging
            for (k, i) in positions.enumerated() {
                extend(&text, &line, child(i), width: elementWidth, prefix: hanging)
                if k == positions.count - 1 { break }
                line += " "
                if summary && k == Self.edgeItems - 1 {
                    extend(&text, &line, "...", width: elementWidth, prefix: hanging)
                    line += " "
                }
            }
            text += line
        } else {
            let separator = String(repeating: "\n", count: shape.count - axis - 1)
            for (k, i) in positions.enumerated() {
                text += hanging + child(i)
                if k == positions.count - 1 { break }
                text += separator
                if summary && k == Self.edgeItems - 1 { text += hanging + "..." + separator }
            }
        }
        return "[" + text.dropFirst(hanging.utf8.count) + "]"
    }

    // MARK: - Elements

    private func elementStrings(_ xs: [Double]) -> [String] {
        switch dtype {
        case .bool: return xs.map { $0 != 0 ? " True" : "False" }
        case .int32, .int64: return padLeft(xs.map { String(Int64(saturating: $0)) })
        case .float32, .float64: return floatStrings(xs)
        }
    }

    private func padLeft(_ s: [String]) -> [String] {
        let w = s.map(\.utf8.count).max() ?? 0
        return s.map { String(repeating: " ", count: w - $0.utf8.count) + $0 }
    }

    /// How NumPy prints a 0-d array: the scalar's own `str`.
    private func scalarString(_ x: Double) -> String {
        switch dtype {
        case .bool: return x != 0 ? "True" : "False"
        case .int32, .int64: return String(Int64(saturating: x))
        case .float32, .float64:
            if !x.isFinite { return x.isNaN ? "nan" : (x < 0 ? "-inf" : "inf") }
            let d = ShortestDigits(x, dtype: dtype)
            let a = Swift.abs(x), upper = dtype == .float32 ? 1e6 : 1e16
            if a == 0 || (a >= 1e-4 && a < upper) {
                let s = d.positional(maxFraction: nil)
                return s.hasSuffix(".") ? s + "0" : s
            }
            var s = d.scientific(maxFraction: nil)
            if let dot = s.firstIndex(of: "."), s[s.index(after: dot)] == "e" { s.remove(at: dot) }
            return s
        }
    }

    private static func nonFinite(_ x: Double) -> String { x.isNaN ? "nan" : (x < 0 ? "-inf" : "inf") }

    /// numpy's `FloatingFormat` in `maxprec` mode.
    private func floatStrings(_ xs: [Double]) -> [String] {
        let finite = xs.filter { $0.isFinite }
        let nonzero = finite.map { Swift.abs($0) }.filter { $0 != 0 }
        var exponential = false
        if let maxV = nonzero.max(), let minV = nonzero.min() {
            exponential = maxV >= 1e8 || minV < 1e-4 || maxV / minV > 1e3
        }
        var padLeft = 0, padRight = 0
        var formatted = [String](repeating: "", count: xs.count)
        if finite.isEmpty {
            // nothing to measure
        } else if exponential {
            let unique = finite.map { ShortestDigits($0, dtype: dtype).scientific(maxFraction: 8) }
            let precision = unique.map { s -> Int in
                let mantissa = s.split(separator: "e")[0]
                return mantissa.split(separator: ".", omittingEmptySubsequences: false).last!.count
            }.max() ?? 0
            let exponentDigits = Swift.max(2, unique.map { $0.split(separator: "e")[1].count - 1 }.max() ?? 2)
            // Every element gets `precision` mantissa digits, rounded from its exact value.
            formatted = xs.map { x in
                guard x.isFinite else { return "" }
                let s = String(format: "%.\(precision)e", x)
                let parts = s.split(separator: "e")
                var mantissa = String(parts[0])
                if precision == 0 { mantissa += "." }
                let exp = String(parts[1])
                let digits = String(exp.dropFirst())
                let padded = String(repeating: "0", count: Swift.max(0, exponentDigits - digits.count)) + digits
                return mantissa + "e" + String(exp.first!) + padded
            }
            padLeft = formatted.filter { !$0.isEmpty }.map { $0.split(separator: ".")[0].count }.max() ?? 0
            padRight = exponentDigits + 2 + precision
        } else {
            formatted = xs.map { $0.isFinite ? ShortestDigits($0, dtype: dtype).positional(maxFraction: 8) : "" }
            let parts = formatted.filter { !$0.isEmpty }.map { $0.split(separator: ".", omittingEmptySubsequences: false) }
            padLeft = parts.map { $0[0].count }.max() ?? 0
            padRight = parts.map { $0[1].count }.max() ?? 0
        }
        if finite.count != xs.count {
            let negativeInf = xs.contains { $0.isInfinite && $0 < 0 }
            let offset = padRight + 1
            padLeft = Swift.max(padLeft, 3 - offset, 3 + (negativeInf ? 1 : 0) - offset)
        }
        return zip(xs, formatted).map { x, s in
            guard x.isFinite else {
                let word = Self.nonFinite(x)
                return String(repeating: " ", count: Swift.max(0, padLeft + padRight + 1 - word.count)) + word
            }
            let dot = s.firstIndex(of: ".")!
            let intPart = s[..<dot].count
            let rest = s[s.index(after: dot)...].count
            let rightPad = exponential ? 0 : padRight - rest
            return String(repeating: " ", count: padLeft - intPart) + s + String(repeating: " ", count: rightPad)
        }
    }
}

/// The shortest decimal digits that round-trip a float in its own precision (Swift's
/// `description`, which is shortest round-trip for both `Float` and `Double`):
/// `value = ±0.digits × 10^exponent`.
struct ShortestDigits {
    let negative: Bool
    let digits: [UInt8]     // no leading or trailing zeros; empty for zero
    let exponent: Int
    let value: Double

    init(_ x: Double, dtype: DType) {
        value = x
        negative = x.sign == .minus
        let text = dtype == .float32 ? Float(Swift.abs(x)).description : Swift.abs(x).description
        let parts = text.split(separator: "e")
        let mantissa = parts[0]
        let e = parts.count > 1 ? Int(parts[1])! : 0
        let intDigits = mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) } ?? mantissa.count
        var ds = mantissa.compactMap { $0.wholeNumberValue.map(UInt8.init) }
        var exp = intDigits + e
        while ds.first == 0 { ds.removeFirst(); exp -= 1 }
        while ds.last == 0 { ds.removeLast() }
        digits = ds
        exponent = ds.isEmpty ? 1 : exp
    }

    private var sign: String { negative ? "-" : "" }
    private func text(_ ds: ArraySlice<UInt8>) -> String { String(ds.map { Character(String($0)) }) }

    /// `123.45`, `0.001`, `100.` (trailing dot kept, as numpy's `trim='.'`); more than
    /// `maxFraction` fraction digits are rounded from the exact value.
    func positional(maxFraction: Int?) -> String {
        let fraction = Swift.max(0, digits.count - exponent)
        if let maxFraction, fraction > maxFraction {
            var s = String(format: "%.\(maxFraction)f", value)
            while s.hasSuffix("0") { s.removeLast() }
            return s
        }
        if digits.isEmpty { return sign + "0." }
        if exponent <= 0 {
            return sign + "0." + String(repeating: "0", count: -exponent) + text(digits[...])
        }
        if exponent >= digits.count {
            return sign + text(digits[...]) + String(repeating: "0", count: exponent - digits.count) + "."
        }
        return sign + text(digits[..<exponent]) + "." + text(digits[exponent...])
    }

    /// `1.25e-05`, `1.e+03` (at least two exponent digits); more than `maxFraction` mantissa
    /// fraction digits are rounded from the exact value.
    func scientific(maxFraction: Int?) -> String {
        if let maxFraction, digits.count - 1 > maxFraction {
            var s = String(format: "%.\(maxFraction)e", value)
            let parts = s.split(separator: "e")
            var m = String(parts[0])
            while m.hasSuffix("0") { m.removeLast() }
            s = m + "e" + parts[1]
            return s
        }
        let e = digits.isEmpty ? 0 : exponent - 1
        let mantissa = digits.isEmpty ? "0." : text(digits[..<1]) + "." + text(digits.dropFirst())
        let expText = String(Swift.abs(e))
        return sign + mantissa + "e" + (e < 0 ? "-" : "+") + (expText.count < 2 ? "0" : "") + expText
    }
}
