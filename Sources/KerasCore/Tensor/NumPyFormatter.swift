import Foundation

/// Formats tensor values as NumPy's `str(array)` does: uniform width per element, positional or
/// scientific floats with up to 8 significant fraction digits, `...` summarization above 1000
/// elements (3 items at each edge) and wrapping at 75 columns.
struct NumPyFormatter {
    let shape: [Int]
    let dtype: DType
    let values: [Double]
    let summarize: Bool
    static let edgeItems = 3
    static let lineWidth = 75

    init(_ t: Tensor) {
        shape = t.shape
        dtype = t.dtype
        values = t.doubles
        summarize = t.scalarCount > 1000
    }

    func format() -> String {
        let shown = shownIndices()
        let strings = elementStrings(shown.map { values[$0] })
        var lookup: [Int: String] = [:]
        for (i, s) in zip(shown, strings) { lookup[i] = s }
        if shape.isEmpty { return strings.first ?? "" }
        return render(axis: 0, offset: 0, indent: " ", lookup: lookup)
    }

    /// Indices along one axis that are printed (all, or the edges when summarizing).
    private func axisIndices(_ n: Int) -> [Int?] {
        if summarize && n > 2 * Self.edgeItems {
            return Array(0..<Self.edgeItems).map { Optional($0) } + [nil] + Array((n - Self.edgeItems)..<n).map { Optional($0) }
        }
        return Array(0..<n).map { Optional($0) }
    }

    private func shownIndices() -> [Int] {
        var result: [Int] = []
        let strides = contiguousStrides(shape)
        func walk(_ axis: Int, _ offset: Int) {
            if axis == shape.count { result.append(offset); return }
            for i in axisIndices(shape[axis]) { if let i { walk(axis + 1, offset + i * strides[axis]) } }
        }
        walk(0, 0)
        return result
    }

    private func render(axis: Int, offset: Int, indent: String, lookup: [Int: String]) -> String {
        let strides = contiguousStrides(shape)
        let indices = axisIndices(shape[axis])
        if axis == shape.count - 1 {
            var lines: [String] = []
            var line = "["
            for (k, i) in indices.enumerated() {
                let word = i.map { lookup[offset + $0 * strides[axis]]! } ?? "..."
                let sep = k == 0 ? "" : " "
                let closing = k == indices.count - 1 ? "]" : ""
                if k > 0 && (line.count + sep.count + word.count + closing.count + indent.count - 1) > Self.lineWidth {
                    lines.append(line)
                    line = indent + word
                } else {
                    line += sep + word
                }
            }
            lines.append(line + "]")
            return lines.joined(separator: "\n")
        }
        let separator = String(repeating: "\n", count: shape.count - axis - 1) + indent
        let parts = indices.map { i -> String in
            guard let i else { return "..." }
            return render(axis: axis + 1, offset: offset + i * strides[axis], indent: indent + " ", lookup: lookup)
        }
        return "[" + parts.joined(separator: separator) + "]"
    }

    private func elementStrings(_ xs: [Double]) -> [String] {
        switch dtype {
        case .bool: return pad(xs.map { $0 != 0 ? "True" : "False" })
        case .int32, .int64: return pad(xs.map { String(Int64($0)) })
        case .float32, .float64: return floatStrings(xs)
        }
    }

    private func pad(_ s: [String]) -> [String] {
        let w = s.map(\.count).max() ?? 0
        return s.map { String(repeating: " ", count: w - $0.count) + $0 }
    }

    /// Shortest round-tripping digits of `x` in its own precision, as "d.ddd" / exponent parts.
    private func shortest(_ x: Double) -> String {
        dtype == .float32 ? Float(x).description : x.description
    }

    private func floatStrings(_ xs: [Double]) -> [String] {
        let finite = xs.filter { $0.isFinite }.map { Swift.abs($0) }
        let nonzero = finite.filter { $0 != 0 }
        let maxV = finite.max() ?? 0, minV = nonzero.min() ?? 0
        let scientific = maxV >= 1e8 || (!nonzero.isEmpty && (minV < 1e-4 || maxV / minV > 1e3))
        if scientific { return scientificStrings(xs) }
        // Positional: up to 8 fraction digits, trailing zeros trimmed, fractions padded on the right.
        var parts: [(String, String)] = []
        for x in xs {
            guard x.isFinite else { parts.append((x.isNaN ? "nan" : (x < 0 ? "-inf" : "inf"), "")); continue }
            var s = shortest(x)
            if s.contains("e") || (s.split(separator: ".").last?.count ?? 0) > 8 {
                s = String(format: "%.8f", x)
            }
            var pieces = s.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            if pieces.count == 1 { pieces.append("") }
            var frac = pieces[1]
            while frac.hasSuffix("0") { frac.removeLast() }
            parts.append((pieces[0] + ".", frac))
        }
        let intWidth = parts.map(\.0.count).max() ?? 0
        let fracWidth = parts.filter { $0.0.hasSuffix(".") }.map(\.1.count).max() ?? 0
        return parts.map { ip, fp in
            if !ip.hasSuffix(".") {   // nan / inf
                return String(repeating: " ", count: max(0, intWidth + fracWidth - ip.count)) + ip
            }
            return String(repeating: " ", count: intWidth - ip.count) + ip + fp + String(repeating: " ", count: fracWidth - fp.count)
        }
    }

    private func scientificStrings(_ xs: [Double]) -> [String] {
        // Digits needed after the point for each value's shortest mantissa, at most 8.
        func digitsNeeded(_ x: Double) -> Int {
            for p in 0...8 {
                let s = String(format: "%.\(p)e", x)
                if dtype == .float32 ? Float(s) == Float(x) : Double(s) == x { return p }
            }
            return 8
        }
        let p = xs.filter { $0.isFinite }.map(digitsNeeded).max() ?? 0
        let strings = xs.map { x -> String in
            guard x.isFinite else { return x.isNaN ? "nan" : (x < 0 ? "-inf" : "inf") }
            var s = String(format: "%.\(p)e", x)
            if p == 0, let e = s.firstIndex(of: "e") { s.insert(".", at: e) }
            return s
        }
        return pad(strings)
    }
}
