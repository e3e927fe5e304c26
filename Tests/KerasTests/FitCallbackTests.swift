import Foundation
import Keras
import KerasTestSupport
import Testing

/// Callbacks driven by a real `fit`: the learning rate they set reaches the optimizer, their logs
/// reach History and CSVLogger, and TerminateOnNaN ends training.
@Suite struct FitCallbackTests {
    func regression(count: Int = 16) -> (Sequential, Tensor, Tensor) {
        let x = Tensor.randomNormal([count, 3], seed: 11)
        let y = x.matmul(Tensor([[1.0], [-2.0], [0.5]]))
        let model = Sequential([InputLayer(shape: [3]), Dense(1, kernelInitializer: Zeros())])
        return (model, x, y)
    }

    @Test func schedulerSetsTheOptimizersRateAndHistoryLogsIt() throws {
        let (model, x, y) = regression()
        try model.compile(optimizer: SGD(learningRate: 0.1), loss: "mse")
        let scheduler = LearningRateScheduler { epoch, lr in epoch == 0 ? lr : lr / 2 }
        let history = try model.fit(x, y, batchSize: 16, epochs: 3, verbose: 0, callbacks: [scheduler])
        let rates = history.history["learning_rate"]!
        assertClose(rates, [0.1, 0.05, 0.025], rtol: 1e-6)
        #expect(Swift.abs(model.optimizer!.learningRate - 0.025) < 1e-8)
    }

    @Test func reduceOnPlateauLowersTheRateWhenTheLossStalls() throws {
        let (model, x, y) = regression()
        // Zero targets and a zero-initialized kernel: the loss is 0 from the start and never improves.
        try model.compile(optimizer: SGD(learningRate: 0.4), loss: "mse")
        let reduce = ReduceLROnPlateau(monitor: "loss", factor: 0.5, patience: 1, minLR: 0)
        let history = try model.fit(x, y * 0, batchSize: 16, epochs: 4, verbose: 0, callbacks: [reduce])
        // As in Keras, the logged rate is the one the epoch ran with; the cut applies afterwards.
        assertClose(history.history["learning_rate"]!, [0.4, 0.4, 0.2, 0.1], rtol: 1e-6)
        #expect(Swift.abs(model.optimizer!.learningRate - 0.05) < 1e-7)
    }

    @Test func csvLoggerWritesOneRowPerEpoch() throws {
        let (model, x, y) = regression()
        try model.compile(optimizer: SGD(learningRate: 0.1), loss: "mse", metrics: ["mae"])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fit-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let history = try model.fit(x, y, batchSize: 8, epochs: 2, verbose: 0, callbacks: [CSVLogger(path)],
                                    validationSplit: 0.25)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(whereSeparator: \.isNewline).map(String.init)
        #expect(lines.first == "epoch,loss,mae,val_loss,val_mae")
        #expect(lines.count == 3)
        let row = lines[2].split(separator: ",").map { Double($0)! }
        #expect(row[0] == 1)
        #expect(Swift.abs(row[1] - history.history["loss"]![1]) < 1e-6)
    }

    @Test func terminateOnNaNStopsTraining() throws {
        let (model, x, y) = regression()
        // A learning rate this large overflows to inf/NaN within a few steps.
        try model.compile(optimizer: SGD(learningRate: 1e30), loss: "mse")
        let history = try model.fit(x, y * 1e10, batchSize: 2, epochs: 50, verbose: 0, callbacks: [TerminateOnNaN(output: { _ in })])
        #expect(history.epoch.count < 50)
        #expect(history.history["loss"]!.last!.isNaN || history.history["loss"]!.last!.isInfinite)
    }
}
