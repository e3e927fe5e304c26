import Dispatch
import Foundation
import Keras

/// `optimizers`: one step of every optimizer (and variant) on a 10M-parameter float32 weight,
/// in GB/s of memory traffic (the weight, its gradient and slots read, the weight and slots
/// written) — these updates are memory-bound, so GB/s against the machine's bandwidth is the
/// measure. Then Adam on smaller weights, in million parameters per second: run once as is and
/// once with `KERAS_OPTIMIZER_SPLIT=<n>` (elements from which an update is split across cores)
/// to see where splitting starts to pay.
let optimizersWorkload = Workload(name: "optimizers", summary: "optimizer update of a 10M-param weight, GB/s") {
    let count = 10_000_000
    let weight = Tensor.randomNormal([count], seed: 1)
    let gradient = Tensor.randomNormal([count], stddev: 0.01, seed: 2)
    let optimizers: [(String, () -> Optimizer)] = [
        ("sgd", { SGD() }),
        ("sgd_momentum", { SGD(momentum: 0.9) }),
        ("sgd_nesterov", { SGD(momentum: 0.9, nesterov: true) }),
        ("adam", { Adam() }),
        ("adam_amsgrad", { Adam(amsgrad: true) }),
        ("adam_clipnorm", { Adam(clipnorm: 1) }),
        ("adamw", { AdamW() }),
        ("adamax", { Adamax() }),
        ("adagrad", { Adagrad() }),
        ("adadelta", { Adadelta() }),
        ("nadam", { Nadam() }),
        ("rmsprop", { RMSprop() }),
        ("rmsprop_momentum_centered", { RMSprop(momentum: 0.9, centered: true) }),
        ("lion", { Lion() }),
    ]
    for (name, make) in optimizers {
        let optimizer = make()
        let variable = Variable(weight, name: "kernel")
        optimizer.build([variable])
        let slots = optimizer.slots(for: variable).count
        let seconds = secondsPerCall(minSeconds: 0.5) { optimizer.apply([gradient], to: [variable]) }
        let bytes = Double(count * MemoryLayout<Float>.size * (2 + 2 * slots) + (slots == 0 ? count * 4 : 0))
        report("optimizers", "\(name) update", bytes / seconds / 1e9, "GB/s")
    }
    for size in [1 << 14, 1 << 15, 1 << 16, 1 << 17, 1 << 18, 1 << 19, 1 << 20] {
        let optimizer = Adam()
        let variable = Variable(weight.slice(axis: 0, start: 0, end: size), name: "kernel")
        let g = gradient.slice(axis: 0, start: 0, end: size)
        optimizer.build([variable])
        let seconds = secondsPerCall(minSeconds: 0.3) { optimizer.apply([g], to: [variable]) }
        report("optimizers", "adam \(size)", Double(size) / seconds / 1e6, "Mparams/s")
    }
}
