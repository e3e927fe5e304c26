// Misuses non-throwing APIs on purpose, one case per run, so `Scripts/check-release-messages.sh`
// can check that the stop message survives a release (-O) build. Not part of the library.
import Foundation
import Keras

let cases: [String: () -> Void] = [
    "matmul": { _ = Tensor.ones([3, 4]).matmul(Tensor.ones([5, 2])) },
    "layer-call": {
        let dense = Dense(2)
        _ = dense(Tensor.ones([1, 4]))
        _ = dense(Tensor.ones([1, 5]))
    },
    "variable-assign": { Variable(Tensor.zeros([2])).assign(Tensor.zeros([3])) },
    "model-call-arity": {
        let a = Input(shape: [2]), b = Input(shape: [2])
        let model = try! Model(inputs: [a, b], outputs: Add()([a, b]))
        _ = model([Tensor.ones([1, 2])])
    },
    "hashing-bins": { _ = Hashing(numBins: 0) },
    "backup-frequency": { _ = BackupAndRestore(backupDir: "backup", saveFrequency: .batches(0)) },
    "integer-lookup-floats": { _ = IntegerLookup(vocabulary: [1, 2])(Tensor.ones([2])) },
]

guard CommandLine.arguments.count == 2, let run = cases[CommandLine.arguments[1]] else {
    print("usage: keras-misuse <\(cases.keys.sorted().joined(separator: "|"))>")
    exit(2)
}
run()
print("keras-misuse: \(CommandLine.arguments[1]) did not stop")
exit(3)
