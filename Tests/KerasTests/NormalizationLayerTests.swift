import Keras
import KerasTestSupport
import Testing

@Suite("Normalization layers")
struct NormalizationLayerTests {
    @Test(arguments: ["bn_train", "bn_infer", "bn_axis1_rank4_train", "bn_axis1_rank4_infer", "bn_rank3_train",
                      "bn_frozen_training", "bn_renorm_train", "bn_renorm_unclipped_train", "bn_renorm_infer", "groupnorm_2", "groupnorm_instance", "groupnorm_axis1",
                      "unitnorm_last", "unitnorm_axes"])
    func matchesKeras(_ id: String) throws {
        try KerasLayerFixtures.check(id)
    }

    @Test func movingStatisticsFollowKerasOverSeveralSteps() throws {
        let fixture = KerasLayerFixtures.root["bn_steps"]!
        let bn = try makeLayer(className: "BatchNormalization", config: fixture["config"]!.objectValue!)
        for step in fixture["steps"]!.arrayValue! {
            let y = bn(KerasLayerFixtures.tensor(step["input"]!), training: true)
            assertClose(y, KerasLayerFixtures.tensor(step["output"]!), rtol: 1e-5, atol: 1e-5)
            let stats = bn.nonTrainableWeights.map { $0.value }
            assertClose(stats[0], KerasLayerFixtures.tensor(step["moving_mean"]!), rtol: 1e-5, atol: 1e-5)
            assertClose(stats[1], KerasLayerFixtures.tensor(step["moving_variance"]!), rtol: 1e-5, atol: 1e-5)
        }
        let first = KerasLayerFixtures.tensor(fixture["steps"]!.arrayValue![0]["input"]!)
        assertClose(bn(first), KerasLayerFixtures.tensor(fixture["inference_output"]!), rtol: 1e-5, atol: 1e-5)
    }

    @Test(arguments: ["dense_bn_sgd", "image_bn_adam"])
    func fitMatchesKeras(_ id: String) throws {
        let c = KerasLayerFixtures.entry("fits", id)
        let model: Sequential
        let optimizer: Optimizer
        let loss: Loss
        if id == "dense_bn_sgd" {
            model = Sequential([InputLayer(shape: [5]), Dense(4), BatchNormalization(), Dense(2)])
            optimizer = SGD(learningRate: 0.1)
            loss = MeanSquaredError()
        } else {
            model = Sequential([InputLayer(shape: [3, 3, 2]), BatchNormalization(momentum: 0.9), Flatten(), Dense(3)])
            optimizer = Adam(learningRate: 0.01)
            loss = SparseCategoricalCrossentropy(fromLogits: true)
        }
        try model.setWeights(c["initial_weights"]!.arrayValue!.map(KerasLayerFixtures.tensor))
        try model.compile(optimizer: optimizer, loss: loss)
        let x = KerasLayerFixtures.tensor(c["x"]!), y = KerasLayerFixtures.tensor(c["y"]!)
        let history = try model.fit(x, y, batchSize: 4, epochs: c["losses"]!.arrayValue!.count, verbose: 0, shuffle: false)
        assertClose(history.history["loss"]!, c["losses"]!.arrayValue!.map { $0.doubleValue! }, rtol: 1e-4, atol: 1e-5)
        for (w, expected) in zip(model.getWeights(), c["final_weights"]!.arrayValue!.map(KerasLayerFixtures.tensor)) {
            assertClose(w, expected, rtol: 1e-4, atol: 1e-5)
        }
        assertClose(try model.predict(x, verbose: 0), KerasLayerFixtures.tensor(c["predict"]!), rtol: 1e-4, atol: 1e-5)
    }

    @Test func layerTests() throws {
        try runLayerTest({ BatchNormalization(dtype: $0) }, inputShapes: [[4, 3]], expectedOutputShape: [4, 3],
                         expectedTrainableWeights: 2, expectedNonTrainableWeights: 2,
                         expectedWeightShapes: [[3], [3], [3], [3]])
        try runLayerTest({ BatchNormalization(axis: 1, center: false, dtype: $0) }, inputShapes: [[2, 3, 2]],
                         expectedOutputShape: [2, 3, 2], expectedTrainableWeights: 1, expectedNonTrainableWeights: 2)
        try runLayerTest({ BatchNormalization(renorm: true, dtype: $0) }, inputShapes: [[4, 3]], expectedOutputShape: [4, 3],
                         expectedTrainableWeights: 2, expectedNonTrainableWeights: 5)
        try runLayerTest({ GroupNormalization(groups: 2, dtype: $0) }, inputShapes: [[2, 3, 4]], expectedOutputShape: [2, 3, 4],
                         expectedTrainableWeights: 2)
        try runLayerTest({ UnitNormalization(axis: [1, 2], dtype: $0) }, inputShapes: [[2, 3, 2]], expectedOutputShape: [2, 3, 2])
    }

    @Test func batchNormTrainingGradientsMatchFiniteDifferences() {
        let bn = BatchNormalization(dtype: .float64)
        let x = Tensor.randomNormal([5, 3], dtype: .float64, seed: 4)
        checkGradients([x]) { xs in bn(xs[0], training: true) }
        for variable in bn.trainableWeights {
            checkWeightGradient(variable) { bn(x, training: true) }
        }
    }

    @Test func frozenBatchNormRunsInInferenceModeAndKeepsItsStatistics() {
        let bn = BatchNormalization()
        let x = Tensor.randomNormal([6, 2], mean: 3, seed: 1)
        _ = bn(x)
        bn.trainable = false
        #expect(bn.trainableWeights.isEmpty)
        #expect(bn.nonTrainableWeights.count == 4)
        assertClose(bn(x, training: true), bn(x, training: false))
        assertClose(bn.movingMean.value, Tensor.zeros([2]))
        bn.trainable = true
        _ = bn(x, training: true)
        assertClose(bn.movingMean.value, 0.01 * x.mean(axes: [0]), rtol: 1e-5, atol: 1e-6)
    }

    @Test func badArgumentsAndInputsThrow() throws {
        #expect(throws: KerasError.self) { try makeLayer(className: "BatchNormalization", config: ["epsilon": -1]) }
        #expect(throws: KerasError.self) { try makeLayer(className: "BatchNormalization", config: ["momentum": "high"]) }
        #expect(throws: KerasError.self) { try makeLayer(className: "BatchNormalization", config: ["renorm": true, "renorm_clipping": ["rmax": 1, "rmin": 2]]) }
        #expect(throws: KerasError.self) { try makeLayer(className: "BatchNormalization", config: ["renorm": true, "renorm_clipping": ["dmax": -1]]) }
        #expect(throws: KerasError.self) { try makeLayer(className: "BatchNormalization", config: ["renorm_clipping": ["rmaxx": 1]]) }
        #expect(throws: KerasError.self) { try makeLayer(className: "BatchNormalization", config: ["axis": [1, 2]]) }
        #expect(throws: KerasError.self) { try makeLayer(className: "GroupNormalization", config: ["groups": 0]) }
        #expect(throws: KerasError.self) { try makeLayer(className: "UnitNormalization", config: ["axis": "last"]) }
        #expect(throws: KerasError.self) { try BatchNormalization(axis: 3).build([nil, 4]) }
        #expect(throws: KerasError.self) { try BatchNormalization().build([nil, nil]) }
        #expect(throws: KerasError.self) { try GroupNormalization(groups: 3).build([nil, 4]) }
        #expect(throws: KerasError.self) { try GroupNormalization(groups: 8).build([nil, 4]) }
        #expect(throws: KerasError.self) { try UnitNormalization(axis: 2).build([nil, 4]) }
        #expect(throws: KerasError.self) { try BatchNormalization().build([nil, Int.max]) }
        #expect(throws: KerasError.self) { try Normalization(axis: [1, 2]).build([nil, 1 << 20, 1 << 20]) }
        let built = BatchNormalization()
        try built.build([nil, 4])
        #expect(throws: KerasError.self) { try built.callChecked(Tensor.ones([2, 5])) }
        do {
            try GroupNormalization(groups: 3, name: "gn").build([nil, 4])
        } catch {
            #expect("\(error)".contains("gn") && "\(error)".contains("(3)") && "\(error)".contains("(4)"))
        }
    }

    @Test func instanceNormalizationResolvesGroupsAtBuild() throws {
        let layer = GroupNormalization(groups: -1)
        _ = layer(Tensor.ones([1, 2, 5]))
        #expect(layer.groups == 5)
        #expect(layer.getConfig()["groups"] == 5)
    }

    @Test func predictWhileFittingSeesWholeStatistics() async throws {
        let model = Sequential([InputLayer(shape: [4]), Dense(8), BatchNormalization(momentum: 0.5), Dense(1)])
        try model.compile(optimizer: SGD(learningRate: 0.01), loss: MeanSquaredError())
        let x = Tensor.randomNormal([64, 4], seed: 1), y = Tensor.randomNormal([64, 1], seed: 2)
        let training = Task.detached { try model.fit(x, y, batchSize: 8, epochs: 5, verbose: 0) }
        for _ in 0..<20 {
            let p = try model.predict(x, batchSize: 16, verbose: 0)
            #expect(p.isFinite().all().doubles[0] == 1)
        }
        _ = try await training.value
        assertClose(try model.predict(x, verbose: 0), model(x), rtol: 1e-5, atol: 1e-6)
    }

    @Test func defaultNamesAreKeras() {
        let layers: [(Layer, String)] = [
            (BatchNormalization(), "batch_normalization"), (GroupNormalization(groups: 1), "group_normalization"),
            (UnitNormalization(), "unit_normalization"), (ZeroPadding2D(), "zero_padding2d"), (Cropping3D(), "cropping3d"),
            (UpSampling1D(), "up_sampling1d"), (SpatialDropout2D(0.1), "spatial_dropout2d"), (GaussianNoise(0.1), "gaussian_noise"),
            (AlphaDropout(0.1), "alpha_dropout"), (ActivityRegularization(), "activity_regularization"),
            (Rescaling(1), "rescaling"), (CenterCrop(1, 1), "center_crop"), (RandomFlip(), "random_flip"),
            (RandomBrightness(0.1), "random_brightness"),
        ]
        for (layer, expected) in layers {
            #expect(layer.name.hasPrefix(expected) && layer.name.dropFirst(expected.count).allSatisfy { $0 == "_" || $0.isNumber },
                    "\(layer.name) vs \(expected)")
        }
    }

    @Test func summaryOfAModelOfTheseLayersMatchesKeras() throws {
        try withNameScope {
            let model = Sequential()
            for layer: Layer in [
                InputLayer(shape: [8, 8, 1]), RandomFlip(), Rescaling(1.0 / 255), ZeroPadding2D(1), BatchNormalization(),
                UpSampling2D(), Cropping2D(2), GaussianNoise(0.1), SpatialDropout2D(0.1), GroupNormalization(groups: 1),
                Resizing(6, 6), RandomRotation(0.1), Flatten(), Dense(3), UnitNormalization(),
            ] { try model.add(layer) }
            let golden = KerasLayerFixtures.root["summary"]!.stringValue!
            let text = summaryText(model)
            #expect(text == golden, "\(text)\nexpected:\n\(golden)")
        }
    }

    @Test func aModelConfigWrittenByKerasLoadsAndRuns() throws {
        let fixture = KerasLayerFixtures.root["serialized_model"]!
        let model = try deserializeLayer(fixture["config"]!) as! Sequential
        try model.setWeights(fixture["weights"]!.arrayValue!.map(KerasLayerFixtures.tensor))
        let x = KerasLayerFixtures.tensor(fixture["input"]!)
        assertClose(try model.predict(x, verbose: 0), KerasLayerFixtures.tensor(fixture["output"]!), rtol: 1e-4, atol: 1e-5)
        // And our own serialization round-trips.
        let copy = try deserializeLayer(serializeLayer(model)) as! Sequential
        try copy.setWeights(model.getWeights())
        assertClose(copy(x), model(x), rtol: 1e-6, atol: 1e-6)
    }

    /// Monte Carlo dropout: a custom predictStep calling the model in training mode (BatchNormalization
    /// updating its statistics inside predict) runs to completion.
    @Test func trainingModeCallsInsidePredictDoNotBlock() throws {
        final class MonteCarlo: Model, @unchecked Sendable {
            let dense = Dense(4), norm = BatchNormalization(), drop = Dropout(0.5, seed: 1)
            override func call(_ inputs: Tensor, training: Bool) -> Tensor { drop(norm(dense(inputs), training: training), training: training) }
            override func predictStep(_ data: DataBatch) throws -> [Tensor] { [self(data.inputs[0], training: true)] }
        }
        let model = MonteCarlo()
        let x = Tensor.randomNormal([10, 3], seed: 1)
        _ = model(x)
        #expect(try model.predict(x, batchSize: 5, verbose: 0).shape == [10, 4])
        #expect(model.norm.movingMean.value.abs().sum().doubles[0] > 0)
    }
}
