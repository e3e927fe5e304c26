import Dispatch
import Foundation
import Keras

/// `saving`: `model.save(to:)` and `loadModel` of a `.keras` file holding 10M float32
/// parameters (Dense 1000 → 5000 → 1000 → 10), in milliseconds, best of three.
let savingWorkload = Workload(name: "saving", summary: "save and load a 10M-parameter .keras file, ms") {
    let model = Sequential([InputLayer(shape: [1000]), Dense(5000), Dense(1000), Dense(10)])
    let path = NSTemporaryDirectory() + "/keras-bench-saving-\(getpid()).keras"
    defer { try? FileManager.default.removeItem(atPath: path) }
    func milliseconds(_ body: () throws -> Void) -> Double {
        var best = Double.infinity
        for _ in 0..<3 {
            let start = DispatchTime.now().uptimeNanoseconds
            try! body()
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-6)
        }
        return best
    }
    let params = model.countParams()
    report("saving", "save \(params / 1_000_000)M params", milliseconds { try model.save(to: path) }, "ms")
    report("saving", "load \(params / 1_000_000)M params", milliseconds { _ = try loadModel(path) }, "ms")
}
