import Foundation
import KerasCore
import Testing

/// Shared helpers for the test targets: tolerant comparisons, fixture loading and
/// finite-difference gradient checks.

/// Checks that two tensors have the same shape and values within `atol + rtol·|expected|`.
public func assertClose(_ actual: Tensor, _ expected: Tensor, rtol: Double = 1e-5, atol: Double = 1e-6,
                        _ message: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.shape == expected.shape, "shape \(actual.shape) ≠ \(expected.shape) \(message)", sourceLocation: sourceLocation)
    guard actual.shape == expected.shape else { return }
    assertClose(actual.doubles, expected.doubles, rtol: rtol, atol: atol, message, sourceLocation: sourceLocation)
}

/// Checks two arrays elementwise within `atol + rtol·|expected|` (NaNs must match NaNs).
public func assertClose(_ actual: [Double], _ expected: [Double], rtol: Double = 1e-5, atol: Double = 1e-6,
                        _ message: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "count \(actual.count) ≠ \(expected.count) \(message)", sourceLocation: sourceLocation)
    var worst: (Int, Double, Double)? = nil
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        if a.isNaN && e.isNaN { continue }
        if a == e { continue }
        if !(Swift.abs(a - e) <= atol + rtol * Swift.abs(e)) { worst = worst ?? (i, a, e) }
    }
    if let (i, a, e) = worst {
        Issue.record("element \(i): \(a) ≠ \(e) (rtol \(rtol), atol \(atol)) \(message)", sourceLocation: sourceLocation)
    }
}

/// The directory holding committed fixtures (`Tests/Fixtures`).
public let fixturesDirectory: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

/// Decodes a JSON fixture file from `Tests/Fixtures`.
public func loadFixture(_ name: String) throws -> Any {
    let data = try Data(contentsOf: fixturesDirectory.appendingPathComponent(name))
    return try JSONSerialization.jsonObject(with: data)
}

/// A tensor from a fixture entry `{"shape": [...], "dtype": "...", "data": [...]}`.
public func tensorFromFixture(_ any: Any) -> Tensor {
    let d = any as! [String: Any]
    let shape = (d["shape"] as! [Any]).map { ($0 as! NSNumber).intValue }
    let dtype = DType(rawValue: d["dtype"] as? String ?? "float32") ?? .float32
    let data = flattenNumbers(d["data"]!)
    return Tensor(shape: shape, doubles: data, dtype: dtype)
}

/// Flattens nested JSON arrays of numbers/bools (and "nan"/"inf" strings) to doubles.
public func flattenNumbers(_ any: Any) -> [Double] {
    if let a = any as? [Any] { return a.flatMap(flattenNumbers) }
    if let s = any as? String {
        switch s { case "nan": return [.nan]; case "inf": return [.infinity]; case "-inf": return [-.infinity]; default: return [Double(s)!] }
    }
    if let n = any as? NSNumber, String(cString: n.objCType) == "c" { return [n.boolValue ? 1 : 0] }
    return [(any as! NSNumber).doubleValue]
}

/// Compares the gradients `f` produces at `inputs` (float64) with central finite differences.
///
/// `f` must map the inputs to a tensor; the check differentiates `sum(f(inputs) * weights)` with
/// fixed pseudo-random weights so every output element matters.
public func checkGradients(_ inputs: [Tensor], eps: Double = 1e-6, rtol: Double = 1e-5, atol: Double = 1e-7,
                           sourceLocation: SourceLocation = #_sourceLocation,
                           _ f: @escaping ([Tensor]) -> Tensor) {
    let xs = inputs.map { $0.cast(to: .float64) }
    let probe = withoutRecording { f(xs) }
    var g = RandomGenerator(seed: 7)
    let weights = Tensor(shape: probe.shape, doubles: (0..<probe.scalarCount).map { _ in g.nextUnit() + 0.5 }, dtype: .float64)
    let objective: ([Tensor]) -> Tensor = { (f($0).cast(to: .float64) * weights).sum() }
    let (_, analytic) = valueWithGradients(at: xs, objective)
    for (k, x) in xs.enumerated() {
        var values = x.doubles
        var numeric = [Double](repeating: 0, count: values.count)
        for i in values.indices {
            let orig = values[i]
            values[i] = orig + eps
            var args = xs
            args[k] = Tensor(shape: x.shape, doubles: values, dtype: .float64)
            let up = withoutRecording { objective(args) }.doubles[0]
            values[i] = orig - eps
            args[k] = Tensor(shape: x.shape, doubles: values, dtype: .float64)
            let down = withoutRecording { objective(args) }.doubles[0]
            values[i] = orig
            numeric[i] = (up - down) / (2 * eps)
        }
        assertClose(analytic[k].doubles, numeric, rtol: rtol, atol: atol, "gradient of input \(k)", sourceLocation: sourceLocation)
    }
}
