import Foundation

/// One named benchmark: `run` prints its figures, one `<workload> <figure>: <number> <unit>` line each.
struct Workload: Sendable {
    let name: String
    let summary: String
    let run: @Sendable () -> Void
}

/// Prints one figure line, e.g. `report("gemm", "1024", 251.3, "GFLOP/s")` → `gemm 1024: 251.3 GFLOP/s`.
func report(_ workload: String, _ figure: String, _ value: Double, _ unit: String) {
    let text = value >= 100 ? String(Int(value.rounded())) : String(Double(Int((value * 10).rounded())) / 10)
    // Unbuffered, so figures appear as they are measured even when piped.
    FileHandle.standardOutput.write("\(workload) \(figure): \(text) \(unit)\n".data(using: .utf8)!)
}
