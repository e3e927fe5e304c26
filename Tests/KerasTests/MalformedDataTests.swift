import Foundation
@testable import Keras
import KerasTestSupport
import Testing

/// IDX bytes: magic `0 0 8 rank`, big-endian 32-bit dimensions, data.
private func idx(_ shape: [UInt32], _ data: [UInt8] = []) -> [UInt8] {
    var out: [UInt8] = [0, 0, 8, UInt8(shape.count)]
    for d in shape { out += [UInt8(d >> 24 & 0xFF), UInt8(d >> 16 & 0xFF), UInt8(d >> 8 & 0xFF), UInt8(d & 0xFF)] }
    return out + data
}

/// Writes `bytes` to a fresh temporary file named `name`.
private func temporaryFile(_ name: String, _ bytes: [UInt8]) throws -> URL {
    let dir = URL(fileURLWithPath: try makeTemporaryDirectory("malformed"))
    let url = dir.appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url
}

/// One hostile input to a data entry point and the error it must throw.
struct MalformedDataCase: CustomTestStringConvertible, Sendable {
    enum Kind: Sendable { case corruptFile, invalidData, invalidArgument }
    let label: String
    let kind: Kind
    let mentions: [String]
    let run: @Sendable () throws -> Void
    var testDescription: String { label }

    init(_ label: String, _ kind: Kind, _ mentions: [String], _ run: @escaping @Sendable () throws -> Void) {
        (self.label, self.kind, self.mentions, self.run) = (label, kind, mentions, run)
    }
}

/// Hostile files (gzip bombs, truncated streams, headers whose sizes overflow or pass the limits)
/// and hostile values for the data utilities and `Dataset`: each throws the right `KerasError`
/// case naming the file or function, promptly and without allocating what the input claims.
@Suite struct MalformedDataTests {
    static let fileCases: [MalformedDataCase] = [
        MalformedDataCase("gzip bomb past maxOutputBytes", .corruptFile, ["bomb.gz", "1048576"]) {
            let bomb = Gzip.compress([UInt8](repeating: 0, count: 50_000_000))
            _ = try Gzip.decompress(bomb, name: "bomb.gz", maxOutputBytes: 1 << 20)
        },
        MalformedDataCase("gzip shorter than a header", .corruptFile, ["tiny.gz"]) {
            _ = try Gzip.decompress([0x1f, 0x8b, 8], name: "tiny.gz")
        },
        MalformedDataCase("gzip truncated", .corruptFile, ["cut.gz", "truncated"]) {
            _ = try Gzip.decompress(Array(Gzip.compress(Array(repeating: 7, count: 10_000)).dropLast(12)), name: "cut.gz")
        },
        MalformedDataCase("gzip garbage", .corruptFile, ["junk.gz"]) {
            _ = try Gzip.decompress(Array(repeating: 0x41, count: 64), name: "junk.gz")
        },
        MalformedDataCase("IDX dimensions overflow Int", .corruptFile, ["overflow", "fits an Int"]) {
            _ = try IDXFile(bytes: idx([.max, .max, .max, .max, .max]), name: "overflow")
        },
        MalformedDataCase("IDX rank 0", .corruptFile, ["rank0", "magic"]) { _ = try IDXFile(bytes: [0, 0, 8, 0], name: "rank0") },
        MalformedDataCase("IDX short header", .corruptFile, ["short", "header"]) {
            _ = try IDXFile(bytes: [0, 0, 8, 3, 0, 0], name: "short")
        },
        MalformedDataCase("IDX empty", .corruptFile, ["empty"]) { _ = try IDXFile(bytes: [], name: "empty") },
        MalformedDataCase("IDX.gz header declares more than the limit", .corruptFile, ["big.gz", "limit"]) {
            // 20 MB of zeros compress to ~20 KB; the header is read and rejected before inflating them.
            let url = try temporaryFile("big.gz", Gzip.compress(idx([20, 1000, 1000], [UInt8](repeating: 0, count: 20_000_000))))
            _ = try IDXFile(contentsOf: url, expectedRank: 3, maxBytes: 1 << 20)
        },
        MalformedDataCase("IDX.gz header declares more than the stream can hold", .corruptFile, ["liar.gz", "compressed bytes"]) {
            let url = try temporaryFile("liar.gz", Gzip.compress(idx([60000, 28, 28], [1, 2, 3])))
            _ = try IDXFile(contentsOf: url, expectedRank: 3)
        },
        MalformedDataCase("IDX.gz dimensions overflow Int", .corruptFile, ["huge.gz", "fits an Int"]) {
            let url = try temporaryFile("huge.gz", Gzip.compress(idx([.max, .max, .max, .max, .max, .max])))
            _ = try IDXFile(contentsOf: url)
        },
        MalformedDataCase("IDX.gz data past the declared size", .corruptFile, ["long.gz", "end"]) {
            let url = try temporaryFile("long.gz", Gzip.compress(idx([3], [1, 2, 3, 4])))
            _ = try IDXFile(contentsOf: url, expectedRank: 1)
        },
        MalformedDataCase("IDX.gz data short of the declared size", .corruptFile, ["short.gz", "3 data bytes"]) {
            let url = try temporaryFile("short.gz", Gzip.compress(idx([3], [1, 2])))
            _ = try IDXFile(contentsOf: url, expectedRank: 1)
        },
        MalformedDataCase("IDX.gz header cut inside the dimensions", .corruptFile, ["cut.gz", "dimension"]) {
            let url = try temporaryFile("cut.gz", Gzip.compress([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0]))
            _ = try IDXFile(contentsOf: url, expectedRank: 3)
        },
        MalformedDataCase("plain IDX file past the limit", .corruptFile, ["plain", "limit"]) {
            let url = try temporaryFile("plain", idx([4096], [UInt8](repeating: 1, count: 4096)))
            _ = try IDXFile(contentsOf: url, maxBytes: 1000)
        },
    ]

    static let utilityCases: [MalformedDataCase] = [
        MalformedDataCase("toCategorical NaN", .invalidData, ["toCategorical", "nan"]) { _ = try toCategorical(Tensor([0.0, .nan])) },
        MalformedDataCase("toCategorical infinity", .invalidData, ["toCategorical", "inf"]) { _ = try toCategorical(Tensor([Double.infinity])) },
        MalformedDataCase("toCategorical negative", .invalidData, ["toCategorical", "-1"]) { _ = try toCategorical(Tensor([1.0, -1.0])) },
        MalformedDataCase("toCategorical fractional", .invalidData, ["toCategorical", "0.5"]) { _ = try toCategorical(Tensor([0.5])) },
        MalformedDataCase("toCategorical 1e300", .invalidData, ["toCategorical"]) { _ = try toCategorical(Tensor([1e300])) },
        MalformedDataCase("toCategorical label ≥ numClasses", .invalidData, ["toCategorical", "0..<3"]) { _ = try toCategorical([0, 5], numClasses: 3) },
        MalformedDataCase("toCategorical numClasses 0", .invalidArgument, ["toCategorical", "numClasses"]) { _ = try toCategorical([0], numClasses: 0) },
        MalformedDataCase("toCategorical numClasses -3", .invalidArgument, ["toCategorical", "numClasses"]) { _ = try toCategorical([0], numClasses: -3) },
        MalformedDataCase("toCategorical numClasses Int.max", .invalidArgument, ["toCategorical", "elements"]) {
            _ = try toCategorical([0, 1], numClasses: .max)
        },
        MalformedDataCase("toCategorical label 2^40", .invalidArgument, ["toCategorical", "elements"]) { _ = try toCategorical([1 << 40]) },
        MalformedDataCase("padSequences maxlen -1", .invalidArgument, ["padSequences", "maxlen"]) { _ = try padSequences([[1]], maxlen: -1) },
        MalformedDataCase("padSequences maxlen Int.max", .invalidArgument, ["padSequences", "elements"]) {
            _ = try padSequences([[1], [2]], maxlen: .max)
        },
        MalformedDataCase("padSequences NaN value for int32", .invalidArgument, ["padSequences", "nan"]) { _ = try padSequences([[1]], maxlen: 3, value: .nan) },
        MalformedDataCase("padSequences 1e10 value for int32", .invalidArgument, ["padSequences", "int32"]) { _ = try padSequences([[1]], maxlen: 3, value: 1e10) },
        MalformedDataCase("padSequences element past int32", .invalidData, ["padSequences", "sequence 1"]) {
            _ = try padSequences([[1], [1 << 40]])
        },
        MalformedDataCase("normalize order 0", .invalidArgument, ["normalize", "order"]) { _ = try normalize(Tensor([1.0]), order: 0) },
        MalformedDataCase("normalize axis 5", .invalidArgument, ["normalize", "axis"]) { _ = try normalize(Tensor([[1.0]]), axis: 5) },
        MalformedDataCase("normalize axis -3", .invalidArgument, ["normalize", "axis"]) { _ = try normalize(Tensor([[1.0]]), axis: -3) },
        MalformedDataCase("Dataset no inputs", .invalidData, ["input"]) { _ = try Dataset(inputs: []) },
        MalformedDataCase("Dataset scalar input", .invalidData, ["scalar"]) { _ = try Dataset(Tensor(1.0)) },
        MalformedDataCase("Dataset sample counts differ", .invalidData, ["target 0"]) { _ = try Dataset(Tensor.ones([3, 2]), Tensor.ones([4])) },
        MalformedDataCase("Dataset sampleWeight rank 2", .invalidData, ["sampleWeight"]) {
            _ = try Dataset(Tensor.ones([3, 2]), Tensor.ones([3]), sampleWeight: Tensor.ones([3, 2]))
        },
    ]

    static func check(_ c: MalformedDataCase) {
        let error = #expect(throws: KerasError.self, "\(c.label)") { try c.run() }
        guard let error else { return }
        switch (c.kind, error) {
        case (.corruptFile, .corruptFile), (.invalidData, .invalidData), (.invalidArgument, .invalidArgument): break
        default: Issue.record("\(c.label): expected \(c.kind), got \(error)")
        }
        for word in c.mentions {
            #expect(error.description.lowercased().contains(word.lowercased()), "\(c.label): message does not name \(word): \(error)")
        }
    }

    @Test(arguments: fileCases) func file(_ c: MalformedDataCase) { Self.check(c) }
    @Test(arguments: utilityCases) func utility(_ c: MalformedDataCase) { Self.check(c) }

    @Test func bombStopsPromptly() throws {
        let bomb = Gzip.compress([UInt8](repeating: 0, count: 50_000_000))
        #expect(bomb.count < 100_000)
        let clock = ContinuousClock()
        let elapsed = clock.measure { _ = try? Gzip.decompress(bomb, name: "bomb.gz", maxOutputBytes: 1 << 20) }
        #expect(elapsed < .seconds(1), "inflated past the limit: \(elapsed)")
        // Within the limit the same stream inflates completely.
        #expect(try Gzip.decompress(bomb, name: "bomb.gz", maxOutputBytes: 50_000_000).count == 50_000_000)
    }

    @Test func validGzipIDXStillLoads() throws {
        let url = try temporaryFile("ok.gz", Gzip.compress(idx([2, 3], [1, 2, 3, 4, 5, 6])))
        let file = try IDXFile(contentsOf: url, expectedRank: 2, maxBytes: 6)
        #expect(file.shape == [2, 3] && file.bytes == [1, 2, 3, 4, 5, 6])
    }
}

/// Every batch a ``Dataset`` yields is checked as array data is checked whole: NaN/∞ sample
/// weights, inputs and targets in a later batch throw before that batch trains (issue 7).
@Suite struct DatasetBatchCheckTests {
    private func model() throws -> Sequential {
        let model = Sequential([InputLayer(shape: [2]), Dense(1)])
        try model.compile(optimizer: "sgd", loss: "mse")
        return model
    }

    private let x = Tensor.ones([8, 2]), y = Tensor.ones([8, 1])

    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func nonFiniteSampleWeightInALaterBatch(_ bad: Double) throws {
        var weights = [Double](repeating: 1, count: 8)
        weights[5] = bad
        let dataset = try Dataset(x, y, sampleWeight: Tensor(weights)).batched(4)
        let error = #expect(throws: KerasError.self) { try model().fit(dataset, epochs: 1, verbose: 0) }
        guard case .invalidData(let message)? = error else { Issue.record("expected invalidData, got \(String(describing: error))"); return }
        #expect(message.contains("sampleWeight") && message.contains("4..<8"), "\(message)")
        #expect(throws: KerasError.self) { try model().evaluate(dataset, verbose: 0) }
        // The array path throws too, up front.
        #expect(throws: KerasError.self) { try model().fit(x, y, epochs: 1, verbose: 0, sampleWeight: Tensor(weights)) }
    }

    @Test func mappedBatchesAreChecked() throws {
        let base = try Dataset(x, y).batched(4)
        let badWeights = base.map { batch in
            var batch = batch
            batch.sampleWeight = Tensor([Double](repeating: .nan, count: batch.count))
            return batch
        }
        #expect(throws: KerasError.self) { try model().fit(badWeights, epochs: 1, verbose: 0) }
        let wrongShape = base.map { batch in
            var batch = batch
            batch.sampleWeight = Tensor.ones([batch.count, 2])
            return batch
        }
        #expect(throws: KerasError.self) { try model().fit(wrongShape, epochs: 1, verbose: 0) }
        var targets = [Double](repeating: 1, count: 8)
        targets[6] = .nan
        let nanTargetLater = try Dataset(x, Tensor(shape: [8, 1], doubles: targets, dtype: .float32)).batched(4)
        let error = #expect(throws: KerasError.self) { try model().fit(nanTargetLater, epochs: 1, verbose: 0) }
        #expect("\(error.map { "\($0)" } ?? "")".contains("y in the dataset batch of samples 4..<8"))
    }

    /// A later batch the model cannot take (a mapped dataset changing shape or dropping a target)
    /// is a thrown error in fit, evaluate and predict, not a stop inside the model or loss.
    @Test func laterBatchesTheModelCannotTake() throws {
        let widerLater = try Dataset(x, y, sampleWeight: Tensor.arange(8).cast(to: .float32)).batched(4).map { batch in
            var batch = batch
            if batch.sampleWeight!.scalars.first.map({ Double($0) }) == 4 { batch.inputs = [Tensor.ones([4, 3])] }
            return batch
        }
        let fitError = #expect(throws: KerasError.self) { try model().fit(widerLater, epochs: 1, verbose: 0) }
        #expect("\(fitError.map { "\($0)" } ?? "")".contains("(4, 3)"))
        #expect(throws: KerasError.self) { try model().evaluate(widerLater, verbose: 0) }
        #expect(throws: KerasError.self) { try model().predict(widerLater, verbose: 0) }
        let droppedTarget = try Dataset(x, y, sampleWeight: Tensor.arange(8).cast(to: .float32)).batched(4).map { batch in
            var batch = batch
            if batch.sampleWeight!.scalars.first.map({ Double($0) }) == 4 { batch.targets = [] }
            return batch
        }
        #expect(throws: KerasError.self) { try model().fit(droppedTarget, epochs: 1, verbose: 0) }
        let shortTarget = try Dataset(x, y, sampleWeight: Tensor.arange(8).cast(to: .float32)).batched(4).map { batch in
            var batch = batch
            if batch.sampleWeight!.scalars.first.map({ Double($0) }) == 4 { batch.targets = [Tensor.ones([3, 1])] }
            return batch
        }
        #expect(throws: KerasError.self) { try model().evaluate(shortTarget, verbose: 0) }
    }
}

/// Targets a loss or metric cannot score (Keras raises at the first batch) throw before training
/// instead of stopping inside the loss or metric (issue 7).
@Suite struct TargetShapeRuleTests {
    private func expectInvalidData(_ mentions: [String], _ body: () throws -> Void) {
        let error = #expect(throws: KerasError.self) { try body() }
        guard case .invalidData(let message)? = error else { Issue.record("expected invalidData, got \(String(describing: error))"); return }
        for word in mentions { #expect(message.contains(word), "\(message)") }
    }

    @Test func categoricalCrossentropyNeedsOneHotTargets() throws {
        let model = Sequential([InputLayer(shape: [3]), Dense(4)])
        try model.compile(optimizer: "sgd", loss: CategoricalCrossentropy())
        expectInvalidData(["CategoricalCrossentropy", "(1, 4)", "(1, 1)"]) {
            try model.fit(Tensor.ones([6, 3]), Tensor.ones([6, 1]), epochs: 1, verbose: 0)
        }
        let metered = Sequential([InputLayer(shape: [3]), Dense(4)])
        try metered.compile(optimizer: "sgd", loss: "mse", metrics: ["categorical_crossentropy"])
        expectInvalidData(["categorical_crossentropy"]) { try metered.evaluate(Tensor.ones([6, 3]), Tensor.ones([6, 1]), verbose: 0) }
        // One-hot targets of the right shape train.
        try model.fit(Tensor.ones([6, 3]), Tensor.zeros([6, 4]) + 0.25, epochs: 1, verbose: 0)
    }

    @Test func twoDimensionalMetrics() throws {
        for metric in [R2Score() as Metric, FBetaScore(), F1Score()] {
            let model = Sequential([InputLayer(shape: [3]), Dense(4), Reshape([2, 2])])
            try model.compile(optimizer: "sgd", loss: "mse", metrics: [metric])
            expectInvalidData([metric.className, "2D inputs"]) {
                try model.fit(Tensor.ones([6, 3]), Tensor.ones([6, 2, 2]), epochs: 1, verbose: 0)
            }
        }
        #expect(R2Score().targetShapeProblem(yTrue: Tensor.ones([1, 3]), yPred: Tensor.ones([1, 3])) == nil)
        #expect(R2Score().targetShapeProblem(yTrue: Tensor.ones([1]), yPred: Tensor.ones([1, 1])) == nil)
    }
}
