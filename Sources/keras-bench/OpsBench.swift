import Foundation
import Keras

/// `ops`: elementwise and reduction throughput on 4M float32 elements (bytes read + written per
/// second, beside `memcpy` on the same size), and the fixed cost of one small op, plain and recorded.
let opsWorkload = Workload(name: "ops", summary: "elementwise GB/s on 4M floats, per-op overhead in ns on [32, 10]") {
    let n = 4 << 20
    let bytes = Double(n * MemoryLayout<Float>.size)
    let x = Tensor.randomUniform([n], minval: -4, maxval: 4, seed: 1)
    let y = Tensor.randomUniform([n], minval: -4, maxval: 4, seed: 2)

    let src = UnsafeMutableRawPointer.allocate(byteCount: Int(bytes), alignment: 64)
    let dst = UnsafeMutableRawPointer.allocate(byteCount: Int(bytes), alignment: 64)
    defer { src.deallocate(); dst.deallocate() }
    src.initializeMemory(as: UInt8.self, repeating: 1, count: Int(bytes))
    dst.initializeMemory(as: UInt8.self, repeating: 0, count: Int(bytes))
    let copy = secondsPerCall { opaqueCopy(dst, src, Int(bytes)) }
    report("ops", "memcpy", 2 * bytes / copy * 1e-9, "GB/s")

    let square = x.reshaped(to: [2048, 2048])
    let throughput: [(String, Double, () -> Tensor)] = [
        ("add", 3, { x + y }),
        ("relu", 2, { x.relu() }),
        ("exp", 2, { x.exp() }),
        ("sigmoid", 2, { x.sigmoid() }),
        ("tanh", 2, { x.tanh() }),
        ("sum", 1, { x.sum() }),
        ("max", 1, { x.max() }),
        ("cast", 3, { x.cast(to: .float64) }),
        ("transpose", 2, { square.T }),
    ]
    for (name, passes, op) in throughput {
        let t = secondsPerCall { consume(op()) }
        report("ops", name, passes * bytes / t * 1e-9, "GB/s")
    }

    // Fixed cost per op at a size where the arithmetic is negligible.
    let a = Tensor.randomUniform([32, 10], seed: 3)
    let b = Tensor.randomUniform([32, 10], seed: 4)
    let w = Tensor.randomUniform([10, 10], seed: 5)
    let small: [(String, (Tensor) -> Tensor)] = [
        ("add", { $0 + b }),
        ("matmul", { $0.matmul(w) }),
    ]
    // The library alone on the same shapes: with its default OpenMP team, and on one thread as
    // KerasCore runs products this small (the floor under `matmul overhead`).
    let pa = UnsafeMutablePointer<Float>.allocate(capacity: 320), pw = UnsafeMutablePointer<Float>.allocate(capacity: 100)
    let pc = UnsafeMutablePointer<Float>.allocate(capacity: 320)
    defer { pa.deallocate(); pw.deallocate(); pc.deallocate() }
    pa.initialize(repeating: 0.5, count: 320); pw.initialize(repeating: 0.25, count: 100); pc.initialize(repeating: 0, count: 320)
    let direct = secondsPerCall { directSgemm(m: 32, n: 10, k: 10, pa, pw, pc) }
    report("ops", "matmul direct", direct * 1e9, "ns")
    let direct1 = secondsPerCall { directSgemm(m: 32, n: 10, k: 10, pa, pw, pc, threads: 1) }
    report("ops", "matmul direct 1 thread", direct1 * 1e9, "ns")
    Thread.sleep(forTimeInterval: 0.05)   // let the reference's OpenMP threads stop spinning
    for (name, op) in small {
        let plain = secondsPerCall { consume(op(a)) }
        report("ops", "\(name) overhead", plain * 1e9, "ns")
        let tape = GradientTape()
        let watched = tape.watch(a)
        let recorded = tape.record { secondsPerCall { consume(op(watched)) } }
        report("ops", "\(name) overhead recorded", recorded * 1e9, "ns")
    }
}

/// `memcpy` behind an unoptimized call, so the copy into a never-read buffer is not removed.
@_optimize(none)
private func opaqueCopy(_ dst: UnsafeMutableRawPointer, _ src: UnsafeRawPointer, _ count: Int) {
    memcpy(dst, src, count)
}
