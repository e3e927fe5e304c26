import Keras
import KerasTestSupport
import Testing

/// The models of `hostile_configs.json` (as Keras wrote them), compiled with each kind of loss,
/// given hostile data through `fit`, `evaluate`, `trainOnBatch` and `predict`: NaNs, integers
/// where floats belong, extra axes, empty batches, out-of-range and negative labels, too few
/// targets, accidental broadcasts, bad sample and class weights, batch sizes, splits and epoch
/// counts. Every call must return or throw a `KerasError`.
///
/// A stop kills the test process: the case it was running is then the last line of
/// `$TMPDIR/keras-hostile-config-case.txt`.
@Suite(.serialized) struct HostileDataTests {
    /// Inputs for the model's input shapes: fitting ones, then hostile ones.
    static func inputs(_ shapes: [[Int?]], _ dtypes: [DType], samples n: Int) -> [(String, [Tensor])] {
        func make(_ f: ([Int], DType, Int) -> Tensor) -> [Tensor] {
            zip(shapes, dtypes).enumerated().map { i, p in f([n] + p.0.dropFirst().map { $0 ?? 3 }, p.1, i + 1) }
        }
        let fitting = make { s, d, i in d.isInteger ? Tensor.randomUniform(s, maxval: 3, seed: i).cast(to: .int32) : Tensor.randomNormal(s, seed: i) }
        var cases: [(String, [Tensor])] = [
            ("fitting inputs", fitting),
            ("NaN inputs", make { s, d, _ in d.isInteger ? Tensor.full(s, 1e12).cast(to: .int64) : Tensor.full(s, .nan) }),
            ("integer inputs", make { s, _, i in Tensor.randomUniform(s, maxval: 3, seed: i).cast(to: .int32) }),
            ("inputs with an extra axis", make { s, _, _ in Tensor.zeros(s + [2]) }),
            ("empty inputs", make { s, _, _ in Tensor.zeros([0] + s.dropFirst()) }),
            ("negative ids", make { s, _, _ in Tensor.full(s, -5).cast(to: .int32) }),
            ("float64 inputs", make { s, _, i in Tensor.randomNormal(s, dtype: .float64, seed: i) }),
        ]
        if shapes.count > 1 { cases.append(("one input missing", Array(fitting.dropLast()))) }
        return cases
    }

    /// Targets for an output of `shape`: fitting ones, class ids, then hostile ones.
    static func targets(_ shape: [Int?], samples n: Int) -> [(String, Tensor)] {
        let s = [n] + shape.dropFirst().map { $0 ?? 3 }
        return [("fitting targets", Tensor.randomUniform(s, maxval: 1, seed: 9)),
                ("class ids", Tensor.randomUniform([n], maxval: 2, seed: 9).cast(to: .int32)),
                ("out-of-range ids", Tensor.full([n], 99).cast(to: .int32)), ("negative ids", Tensor.full([n], -1).cast(to: .int32)),
                ("NaN targets", Tensor.full(s, .nan)), ("infinite targets", Tensor.full(s, .infinity)),
                ("too few targets", Tensor.zeros([max(n - 1, 0)] + s.dropFirst())), ("targets with an extra axis", Tensor.zeros(s + [1])),
                ("empty targets", Tensor.zeros([0] + s.dropFirst())), ("fractional ids", Tensor.full([n], 0.5))]
    }

    @Test func everyModelTakesHostileData() throws {
        for seed in HostileConfigTests.seeds["models"]!.arrayValue! {
            let entry = HostileConfigTests.entry(seed)
            let shapes = seed["input_shapes"]!.arrayValue!.map { $0.arrayValue!.map(\.intValue) }
            let dtypes = seed["input_dtypes"]!.arrayValue!.map { DType(rawValue: $0.stringValue!)! }
            for loss in ["mse", "sparse_categorical_crossentropy", "categorical_crossentropy", "binary_crossentropy", "huber"] {
                let model = try #require(try deserializeLayer(entry) as? Model)
                try model.compile(optimizer: "adam", loss: loss, metrics: ["accuracy", "mae"])
                let outputShape = model.computeOutputShapes(shapes)[0]
                for (xLabel, x) in Self.inputs(shapes, dtypes, samples: 4) {
                    let label = "\(entry["class_name"]!.stringValue!) with \(loss), \(xLabel)"
                    for (yLabel, y) in Self.targets(outputShape, samples: 4) {
                        let label = "\(label), \(yLabel)"
                        HostileConfigTests.expectNoStop("\(label): fit") { _ = try model.fit(x, y, batchSize: 2, verbose: 0) }
                        HostileConfigTests.expectNoStop("\(label): fit with validationSplit") {
                            _ = try model.fit(x, y, batchSize: 3, verbose: 0, validationSplit: 0.5)
                        }
                        HostileConfigTests.expectNoStop("\(label): evaluate") { _ = try model.evaluate(x, y, verbose: 0) }
                        HostileConfigTests.expectNoStop("\(label): trainOnBatch") { _ = try model.trainOnBatch(x, y) }
                        HostileConfigTests.expectNoStop("\(label): NaN sampleWeight") { _ = try model.fit(x, y, verbose: 0, sampleWeight: Tensor.full([4], .nan)) }
                        HostileConfigTests.expectNoStop("\(label): 2-D sampleWeight") { _ = try model.fit(x, y, verbose: 0, sampleWeight: Tensor.zeros([3, 2])) }
                        HostileConfigTests.expectNoStop("\(label): sampleWeight") { _ = try model.fit(x, y, verbose: 0, sampleWeight: Tensor.ones([4])) }
                        HostileConfigTests.expectNoStop("\(label): classWeight") { _ = try model.fit(x, y, verbose: 0, classWeight: [0: 1, 1: 2, 99: 3]) }
                        HostileConfigTests.expectNoStop("\(label): NaN classWeight") { _ = try model.fit(x, y, verbose: 0, classWeight: [0: .nan, 99: -1]) }
                    }
                    HostileConfigTests.expectNoStop("\(label): predict") { _ = try model.predict(x, verbose: 0) }
                    for batchSize in [0, -1, 1, 1 << 40] {
                        HostileConfigTests.expectNoStop("\(label): predict batchSize \(batchSize)") { _ = try model.predict(x, batchSize: batchSize, verbose: 0) }
                    }
                    for split in [-0.5, 1.0, .nan, 2] {
                        HostileConfigTests.expectNoStop("\(label): validationSplit \(split)") { _ = try model.fit(x, x, verbose: 0, validationSplit: split) }
                    }
                    for (epochs, initial) in [(-1, 0), (0, 5), (1 << 40, 0), (2, -3)] {
                        HostileConfigTests.expectNoStop("\(label): epochs \(epochs) from \(initial)") {
                            _ = try model.fit(x, x, epochs: epochs, verbose: 0, initialEpoch: initial)
                        }
                    }
                }
            }
        }
    }
}
