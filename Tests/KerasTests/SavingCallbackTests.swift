import Foundation
@testable import Keras
import KerasTestSupport
import Testing

/// ModelCheckpoint: file names from the epoch and the logs, best-only saving, weights-only
/// saving and saving every n batches.
@Suite("Saving callbacks") struct SavingCallbackTests {
    static func model() throws -> Sequential {
        let model = Sequential([InputLayer(shape: [3]), Dense(4, activation: .relu), Dense(1)])
        try model.compile(optimizer: Adam(learningRate: 0.05), loss: "mse")
        return model
    }
    static let x = Tensor.randomNormal([32, 3], seed: 5), y = Tensor.randomNormal([32, 1], seed: 6)

    @Test func formatsFilepathsLikePython() throws {
        let logs = ["val_loss": 0.123456, "accuracy": 0.5]
        #expect(try ModelCheckpoint.format("m-{epoch:02d}-{val_loss:.2f}.keras", epoch: 4, batch: nil, logs: logs) == "m-05-0.12.keras")
        #expect(try ModelCheckpoint.format("m{epoch}_{accuracy:.4f}.keras", epoch: 0, batch: nil, logs: logs) == "m1_0.5000.keras")
        #expect(try ModelCheckpoint.format("e{epoch:03d}b{batch}.weights.h5", epoch: 1, batch: 9, logs: logs) == "e002b10.weights.h5")
        #expect(try ModelCheckpoint.format("{val_loss}.keras", epoch: 0, batch: nil, logs: logs) == "0.123456.keras")
        #expect(throws: KerasError.self) { try ModelCheckpoint.format("{missing}.keras", epoch: 0, batch: nil, logs: logs) }
        #expect(throws: KerasError.self) { try ModelCheckpoint.format("{loss:x}.keras", epoch: 0, batch: nil, logs: ["loss": 1]) }
        #expect(throws: KerasError.self) { try ModelCheckpoint(filepath: "m.txt") }
        #expect(throws: KerasError.self) { try ModelCheckpoint(filepath: "m.keras", saveWeightsOnly: true) }
        #expect(throws: KerasError.self) { try ModelCheckpoint(filepath: "m.keras", saveFrequency: .batches(0)) }
    }

    @Test func savesEachEpochWithFormattedNames() throws {
        let dir = try SavingTests.temporaryDirectory()
        let model = try Self.model()
        let checkpoint = try ModelCheckpoint(filepath: dir + "/m-{epoch:02d}-{loss:.3f}.keras", monitor: "loss")
        let history = try model.fit(Self.x, Self.y, batchSize: 8, epochs: 3, verbose: 0, callbacks: [checkpoint])
        let expected = history.history["loss"]!.enumerated().map { String(format: "m-%02d-%.3f.keras", $0 + 1, $1) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).filter { !$0.hasPrefix(".") }.sorted() == expected.sorted())
        let last = try loadModel(dir + "/" + expected.last!)
        for (a, b) in zip(last.getWeights(), model.getWeights()) { assertClose(a, b, rtol: 0, atol: 0) }
        #expect(last.optimizer?.iterations == 12)
    }

    @Test func savesOnlyImprovementsAndWeightsOnly() throws {
        let dir = try SavingTests.temporaryDirectory()
        let model = try Self.model()
        var saves = 0
        // Maximizing the loss: only epochs whose loss beats the highest so far are saved.
        let checkpoint = try ModelCheckpoint(filepath: dir + "/best.weights.h5", monitor: "loss", saveBestOnly: true,
                                             saveWeightsOnly: true, mode: .max)
        var best = -Double.infinity, bestWeights: [Tensor] = []
        let tracker = LambdaCallback(onEpochEnd: { _, logs in
            if logs["loss"]! > best { best = logs["loss"]!; saves += 1; bestWeights = model.getWeights() }
        })
        _ = try model.fit(Self.x, Self.y, batchSize: 8, epochs: 4, verbose: 0, callbacks: [checkpoint, tracker])
        #expect(saves >= 1)
        #expect(checkpoint.best == best)
        let copy = try Self.model()
        try copy.build([nil, 3])
        try copy.loadWeights(from: dir + "/best.weights.h5")
        for (a, b) in zip(copy.getWeights(), bestWeights) { assertClose(a, b, rtol: 0, atol: 0) }
    }

    @Test func savesEveryNBatches() throws {
        let dir = try SavingTests.temporaryDirectory()
        let model = try Self.model()
        let checkpoint = try ModelCheckpoint(filepath: dir + "/e{epoch}-b{batch}.weights.h5", saveWeightsOnly: true, saveFrequency: .batches(3))
        _ = try model.fit(Self.x, Self.y, batchSize: 8, epochs: 2, verbose: 0, callbacks: [checkpoint])
        // 4 batches per epoch, 8 in all: saves after batches 3 and 6 overall.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).filter { !$0.hasPrefix(".") }.sorted() == ["e1-b3.weights.h5", "e2-b2.weights.h5"])
    }
}
