import Dispatch
import Keras
import KerasTestSupport
import Synchronization
import Testing

/// What the `Sendable` claims promise: predict while fit trains the same model, and concurrent
/// first calls that build once.
@Suite struct ConcurrencyTests {
    @Test func predictWhileFittingSeesWholeSteps() throws {
        let inputs = Input(shape: [8])
        let hidden = Dense(32, activation: .relu)(inputs)
        let model = try Model(inputs: inputs, outputs: Dense(4)(hidden))
        try model.compile(optimizer: "adam", loss: SparseCategoricalCrossentropy(fromLogits: true))
        let x = Tensor.randomNormal([256, 8], seed: 1)
        let y = x.matmul(Tensor.randomNormal([8, 4], seed: 2)).argmax(axis: -1)
        let probe = Tensor.randomNormal([64, 8], seed: 3)
        let finished = Atomic<Bool>(false)
        let predictions = Atomic<Int>(0)
        let failures = Mutex<[String]>([])
        let group = DispatchGroup()
        for _ in 0..<2 {
            DispatchQueue.global().async(group: group) {
                while !finished.load(ordering: .acquiring) {
                    do {
                        let out = try model.predict(probe, batchSize: 16, verbose: 0)
                        if out.shape != [64, 4] || !out.allFinite { failures.withLock { $0.append("bad output \(out.shape)") } }
                        predictions.add(1, ordering: .relaxed)
                    } catch { failures.withLock { $0.append("\(error)") } }
                }
            }
        }
        var fits = 0
        while fits < 4 || (predictions.load(ordering: .relaxed) < 20 && fits < 400) {
            try model.fit(x, y, batchSize: 8, epochs: 1, verbose: 0)
            fits += 1
        }
        finished.store(true, ordering: .releasing)
        group.wait()
        #expect(failures.withLock { $0 }.isEmpty)
        #expect(predictions.load(ordering: .relaxed) >= 20)
        #expect(model.optimizer!.iterations == fits * 32)
    }

    @Test func concurrentFirstCallsBuildOnce() throws {
        for _ in 0..<20 {
            let model = Sequential([Dense(16, activation: .relu), Dense(3)])
            let x = Tensor.ones([2, 5])
            DispatchQueue.concurrentPerform(iterations: 4) { _ in _ = model(x) }
            #expect(model.weights.count == 4)
            #expect(model.countParams() == 5 * 16 + 16 + 16 * 3 + 3)
        }
    }
}
