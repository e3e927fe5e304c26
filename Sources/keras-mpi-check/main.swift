// Trains the tutorial MLP on the bundled digits, distributed over the ranks `mpirun` starts, and
// writes what the equality test compares. Run by Tests/KerasDistributedTests.
//
//   keras-mpi-check train <prefix> [mlp|cnn|dropout|bn] [arrays|dataset]
//                                               each rank writes <prefix>-rank<r>.npz (weights, history;
//                                               dropout and bn: validation, evaluate and predict too)
//   keras-mpi-check fail <step> <rank>          rank <rank> throws after step <step> of fit
//   keras-mpi-check resume <prefix> <epoch>     fit with BackupAndRestore; rank 1 throws in epoch <epoch>
//                                               (-1: never) and each rank writes <prefix>-rank<r>.npz
//   keras-mpi-check bench <steps> <batch>       prints `mpi np=<n> fit: N samples/s` and the per-step
//                                               communication time
//   keras-mpi-check overlap <floats> <chunks>   times one allreduce of <floats> floats alone, after a
//                                               computation of <chunks> matrix products, and overlapped
//                                               with it (MPI_Iallreduce, MPI_Test after each product)
//
// One process (no mpirun) is the single-process reference with the same global batch and seed.
import Foundation
import Keras
import KerasDistributed

struct InjectedFault: Error, CustomStringConvertible {
    let step: Int
    var description: String { "injected fault after step \(step)" }
}

func tutorialMLP(hidden: Int) throws -> Sequential {
    let model = Sequential([InputLayer(shape: [8, 8]), Flatten(), Dense(hidden, activation: .relu), Dense(10)])
    try model.compile(optimizer: Adam(learningRate: 0.01), loss: SparseCategoricalCrossentropy(fromLogits: true),
                      metrics: ["accuracy"])
    return model
}

/// The small CNN: one 3×3 convolution and pooling over the 8×8 digits.
func smallCNN() throws -> Sequential {
    let model = Sequential([InputLayer(shape: [8, 8]), Reshape([8, 8, 1]), Conv2D(8, kernelSize: [3, 3], activation: .relu),
                            MaxPooling2D(poolSize: [2, 2]), Flatten(), Dense(10)])
    try model.compile(optimizer: Adam(learningRate: 0.01), loss: SparseCategoricalCrossentropy(fromLogits: true),
                      metrics: ["accuracy"])
    return model
}

/// The MLP with dropout and softmax outputs, its metrics those whose state is not a (sum, count)
/// pair (AUC, precision, recall, F1), trained on one-hot labels.
func dropoutMLP() throws -> Sequential {
    let model = Sequential([InputLayer(shape: [8, 8]), Flatten(), Dense(32, activation: .relu), Dropout(0.3),
                            Dense(10, activation: .softmax)])
    try model.compile(optimizer: Adam(learningRate: 0.01), loss: CategoricalCrossentropy(),
                      metrics: ["accuracy", AUC(), Precision(), Recall(), F1Score(average: .macro)])
    return model
}

/// The small CNN with synchronized batch normalization (plain and renormalizing), dropout and
/// noise.
func batchNormCNN() throws -> Sequential {
    let model = Sequential([InputLayer(shape: [8, 8]), Reshape([8, 8, 1]), GaussianNoise(0.05),
                            Conv2D(8, kernelSize: [3, 3], activation: .relu), BatchNormalization(synchronized: true),
                            MaxPooling2D(poolSize: [2, 2]), Flatten(), Dense(16, activation: .relu),
                            BatchNormalization(synchronized: true, renorm: true), Dropout(0.2), Dense(10, activation: .softmax)])
    try model.compile(optimizer: Adam(learningRate: 0.01), loss: CategoricalCrossentropy(),
                      metrics: ["accuracy", AUC(), F1Score(average: .macro)])
    return model
}

func run() throws {
    let arguments = CommandLine.arguments
    guard arguments.count >= 3 else {
        throw KerasError.invalidArgument("usage: keras-mpi-check train <prefix> | fail <step> <rank> | bench <steps> <batch>")
    }
    let strategy = try MPIStrategy()
    setRandomSeed(7)
    let ((images, labels), _) = try Datasets.digits()
    let x = images.cast(to: .float32) / 255
    switch arguments[1] {
    case "train":
        // 300 samples, global batch 64: four full batches and a last one of 44, reshuffled each epoch.
        let kind = arguments.count > 3 ? arguments[3] : "mlp", data = arguments.count > 4 ? arguments[4] : "arrays"
        guard ["mlp", "cnn", "dropout", "bn"].contains(kind), ["arrays", "dataset"].contains(data) else {
            throw KerasError.invalidArgument("keras-mpi-check train: model mlp|cnn|dropout|bn and data arrays|dataset, got \(kind) \(data)")
        }
        let model = switch kind {
        case "mlp": try tutorialMLP(hidden: 32)
        case "cnn": try smallCNN()
        case "dropout": try dropoutMLP()
        default: try batchNormCNN()
        }
        model.distribution = strategy
        let oneHot = kind == "dropout" || kind == "bn"
        let targets = oneHot ? try toCategorical(labels, numClasses: 10) : labels
        let (xs, ys) = (x.slice(axis: 0, start: 0, end: 300), targets.slice(axis: 0, start: 0, end: 300))
        // 97 held-out samples: validation ends on a batch of 33 (16 + 17 per rank), evaluate and predict on one of 1.
        let (xv, yv) = (x.slice(axis: 0, start: 300, end: 397), targets.slice(axis: 0, start: 300, end: 397))
        let validation = oneHot ? ValidationData(xv, yv) : nil
        // The progress bar and the CSV log are rank 0's only (the test counts them); TensorBoard too.
        let log = CSVLogger("\(arguments[2])-log-rank\(strategy.rank).csv")
        let board = TensorBoard(logDir: "\(arguments[2])-tensorboard-rank\(strategy.rank)")
        let history = data == "arrays"
            ? try model.fit(xs, ys, batchSize: 64, epochs: 3, verbose: 2, callbacks: [log, board], validationData: validation)
            : try model.fit(Dataset(xs, ys).shuffled(seed: 11).batched(64), epochs: 3, verbose: 2, callbacks: [log, board],
                            validationData: validation)
        var arrays: [String: Tensor] = [:]
        for (i, w) in model.weights.enumerated() { arrays["w\(i)"] = w.value }
        for (key, values) in history.history { arrays["history_" + key] = Tensor(shape: [values.count], doubles: values, dtype: .float64) }
        if oneHot {
            let evaluation = try model.evaluate(xv, yv, batchSize: 32, verbose: 0)
            for (key, value) in zip(evaluation.names, evaluation.values) { arrays["evaluate_" + key] = Tensor(shape: [1], doubles: [value], dtype: .float64) }
            // Batches of 32, 32, 32 and 1: rank 0 has no sample of the last one.
            arrays["predict"] = try model.predict(xv, batchSize: 32, verbose: 0)
        }
        try saveNPZ(arrays, to: "\(arguments[2])-rank\(strategy.rank).npz")
    case "fail":
        guard arguments.count == 4, let step = Int(arguments[2]), let failingRank = Int(arguments[3]) else {
            throw KerasError.invalidArgument("usage: keras-mpi-check fail <step> <rank>")
        }
        let model = try tutorialMLP(hidden: 32)
        model.distribution = strategy
        let fault = LambdaCallback(onTrainBatchEnd: { batch, _ in
            if batch == step && strategy.rank == failingRank { throw InjectedFault(step: step) }
        })
        try model.fit(x, labels, batchSize: 64, epochs: 1000, verbose: 0, callbacks: [fault])
    case "resume":
        guard arguments.count == 4, let failEpoch = Int(arguments[3]) else {
            throw KerasError.invalidArgument("usage: keras-mpi-check resume <prefix> <epoch>")
        }
        let model = try tutorialMLP(hidden: 32)
        model.distribution = strategy
        var epoch = 0
        let fault = LambdaCallback(onEpochBegin: { e, _ in epoch = e }, onTrainBatchEnd: { batch, _ in
            if epoch == failEpoch && batch == 1 && strategy.rank == 1 { throw InjectedFault(step: batch) }
        })
        let backup = BackupAndRestore(backupDir: "\(arguments[2])-backup")
        let history = try model.fit(x.slice(axis: 0, start: 0, end: 300), labels.slice(axis: 0, start: 0, end: 300),
                                    batchSize: 64, epochs: 4, verbose: 0, callbacks: [backup, fault])
        var arrays: [String: Tensor] = [:]
        for (i, w) in model.weights.enumerated() { arrays["w\(i)"] = w.value }
        arrays["epochs_run"] = Tensor(Float(history.history["loss"]?.count ?? 0))
        try saveNPZ(arrays, to: "\(arguments[2])-rank\(strategy.rank).npz")
    case "bench":
        guard arguments.count == 4, let steps = Int(arguments[2]), let batch = Int(arguments[3]) else {
            throw KerasError.invalidArgument("usage: keras-mpi-check bench <steps> <batch>")
        }
        let model = try tutorialMLP(hidden: 128)
        model.distribution = strategy
        let samples = batch * steps
        let xs = concatenate(Array(repeating: x, count: samples / x.shape[0] + 1), axis: 0).slice(axis: 0, start: 0, end: samples)
        let ys = concatenate(Array(repeating: labels, count: samples / x.shape[0] + 1), axis: 0).slice(axis: 0, start: 0, end: samples)
        try model.fit(xs.slice(axis: 0, start: 0, end: batch * 2), ys.slice(axis: 0, start: 0, end: batch * 2),
                      batchSize: batch, epochs: 1, verbose: 0)   // warm-up
        strategy.resetCommunicationTime()
        let start = Date()
        try model.fit(xs, ys, batchSize: batch, epochs: 1, verbose: 0)
        let seconds = Date().timeIntervalSince(start)
        if strategy.isChief {
            let parameters = model.trainableVariables.reduce(0) { $0 + $1.shape.reduce(1, *) }
            print(String(format: "mpi np=%d fit: %.0f samples/s  (global batch %d, %d params, step %.3f ms, communication %.3f ms/step)",
                         strategy.worldSize, Double(samples) / seconds, batch, parameters,
                         seconds / Double(steps) * 1000, strategy.communicationTime / Double(steps) * 1000))
        }
    case "overlap":
        guard arguments.count == 4, let count = Int(arguments[2]), let chunks = Int(arguments[3]), count > 0, chunks > 0 else {
            throw KerasError.invalidArgument("usage: keras-mpi-check overlap <floats> <chunks>")
        }
        try measureOverlap(strategy, count: count, chunks: chunks)
    default:
        throw KerasError.invalidArgument("keras-mpi-check: unknown mode \(arguments[1])")
    }
}

/// Whether an allreduce in flight progresses while this rank computes: the median of 15 timings
/// of the allreduce alone, the computation alone, one after the other, and overlapped.
func measureOverlap(_ strategy: MPIStrategy, count: Int, chunks: Int) throws {
    let a = Tensor.randomNormal([192, 192], seed: 1)
    func compute(poll: PendingAllReduce? = nil) throws {
        for _ in 0..<chunks {
            _ = a.matmul(a).sum().item
            try poll?.poll()
        }
    }
    var bucket = [Float](repeating: 1, count: count)
    func median(_ body: () throws -> Void) throws -> Double {
        var times: [Double] = []
        for _ in 0..<15 {
            try strategy.barrier()
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return times.sorted()[times.count / 2]
    }
    let alone = try median { try strategy.allReduceSum(&bucket) }
    let computation = try median { try compute() }
    let sequential = try median { try strategy.allReduceSum(&bucket); try compute() }
    let overlapped = try median {
        let pending = try strategy.startAllReduceSum(bucket)
        try compute(poll: pending)
        bucket = try pending.wait()
    }
    if strategy.isChief {
        print(String(format: "mpi np=%d overlap %d floats: allreduce %.2f ms, compute %.2f ms, sequential %.2f ms, overlapped %.2f ms (overlap saves %.2f ms)",
                     strategy.worldSize, count, alone, computation, sequential, overlapped, sequential - overlapped))
    }
}

do {
    try run()
} catch {
    FileHandle.standardError.write(Data("keras-mpi-check: \(error)\n".utf8))
    exit(1)
}
