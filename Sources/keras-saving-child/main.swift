// A child process for the crash tests of saving (Tests/KerasTests/SavingCrashTests.swift):
//
//   keras-saving-child fit <backupDir> <weights.npz> [killEpoch killBatch [saveEveryBatches]]
//       trains a small seeded model for 6 epochs of 8 batches with BackupAndRestore (backing up
//       at each epoch's end, or every saveEveryBatches batches) and writes the final weights,
//       the epochs it trained and the first batch of each; with killEpoch/killBatch it SIGKILLs
//       itself at the end of that batch instead.
//   keras-saving-child save-loop <model.keras>
//       saves a ~1M-parameter model to the path over and over until killed.
import Foundation
import Keras

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    FileHandle.standardError.write(Data("usage: keras-saving-child fit|save-loop ...\n".utf8))
    exit(2)
}

switch arguments[1] {
case "fit" where arguments.count >= 4:
    setRandomSeed(42)
    let model = Sequential([InputLayer(shape: [4]), Dense(8, activation: .relu), Dense(1)])
    try model.compile(optimizer: Adam(learningRate: 0.01), loss: "mse")
    let x = Tensor.randomNormal([64, 4], seed: 1), y = Tensor.randomNormal([64, 1], seed: 2)
    var trainedEpochs: [Int32] = [], firstBatches: [Int32] = []
    let frequency: ModelCheckpoint.SaveFrequency = arguments.count >= 7 ? .batches(Int(arguments[6]) ?? 1) : .epoch
    var callbacks: [Callback] = [BackupAndRestore(backupDir: arguments[2], saveFrequency: frequency),
                                 LambdaCallback(onEpochBegin: { e, _ in trainedEpochs.append(Int32(e)) }, onTrainBatchBegin: { b, _ in
                                     if firstBatches.count < trainedEpochs.count { firstBatches.append(Int32(b)) }
                                 })]
    if arguments.count >= 6, let killEpoch = Int(arguments[4]), let killBatch = Int(arguments[5]) {
        var epoch = 0
        callbacks.append(LambdaCallback(onEpochBegin: { e, _ in epoch = e }, onTrainBatchEnd: { batch, _ in
            if epoch == killEpoch && batch == killBatch { kill(getpid(), SIGKILL) }
        }))
    }
    try model.fit(x, y, batchSize: 8, epochs: 6, verbose: 0, callbacks: callbacks)
    var weights: [String: Tensor] = [:]
    for (i, w) in model.getWeights().enumerated() { weights["w\(i)"] = w }
    for (i, v) in model.optimizer!.variables.enumerated() { weights["opt\(i)"] = v.value }
    weights["epochs"] = Tensor(shape: [trainedEpochs.count], scalars: trainedEpochs)
    weights["first_batches"] = Tensor(shape: [firstBatches.count], scalars: firstBatches)
    try saveNPZ(weights, to: arguments[3])
case "save-loop":
    let model = Sequential([InputLayer(shape: [1000]), Dense(1000), Dense(10)])
    try model.compile(optimizer: "adam", loss: "mse")
    while true { try model.save(to: arguments[2]) }
default:
    FileHandle.standardError.write(Data("unknown command \(arguments[1])\n".utf8))
    exit(2)
}
