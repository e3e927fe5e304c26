import Foundation

/// Number formatting that matches Python's, so logs, CSV files and messages read exactly as
/// Keras writes them.
package enum PythonFormat {
    /// Python's `repr(float)`: shortest round-trip digits, fixed notation for exponents −4…15
    /// (always with a fractional part, `1.0`), else `d.ddde±XX`; `nan`, `inf`, `-inf`.
    package static func repr(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if value == 0 { return value.sign == .minus ? "-0.0" : "0.0" }
        // Swift's description also prints the shortest round-trip digits; only the layout differs.
        var text = value.magnitude.description
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...])!
            text = String(text[..<e])
        }
        var intPart = text, fracPart = ""
        if let dot = text.firstIndex(of: ".") {
            intPart = String(text[..<dot])
            fracPart = String(text[text.index(after: dot)...])
        }
        // digits × 10^(pointPosition − digits.count), with leading zeros removed.
        var digits = intPart + fracPart
        var point = intPart.count + exponent
        while digits.hasPrefix("0") && digits.count > 1 { digits.removeFirst(); point -= 1 }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        let decimalExponent = point - 1
        var out: String
        if decimalExponent >= -4 && decimalExponent < 16 {
            if point <= 0 {
                out = "0." + String(repeating: "0", count: -point) + digits
            } else if point >= digits.count {
                out = digits + String(repeating: "0", count: point - digits.count) + ".0"
            } else {
                let i = digits.index(digits.startIndex, offsetBy: point)
                out = digits[..<i] + "." + digits[i...]
            }
        } else {
            let mantissa = digits.count > 1 ? String(digits.first!) + "." + digits.dropFirst() : digits
            let sign = decimalExponent < 0 ? "-" : "+"
            let e = String(abs(decimalExponent))
            out = mantissa + "e" + sign + (e.count < 2 ? "0" + e : e)
        }
        return value < 0 ? "-" + out : out
    }

    /// `format % value` for one `%.Nf` / `%.Ne` specifier, with Python's `nan`/`inf` spellings.
    package static func format(_ specifier: String, _ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        return String(format: specifier, value)
    }
}
