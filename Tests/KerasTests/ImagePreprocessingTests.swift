import Keras
import KerasTestSupport
import Testing

@Suite("Image preprocessing and augmentation layers")
struct ImagePreprocessingTests {
    @Test(arguments: ["rescaling", "rescaling_per_channel", "normalization_given", "normalization_invert", "resizing_bilinear_up",
                      "resizing_bilinear_down", "resizing_nearest", "resizing_crop_ratio", "resizing_crop_ratio_nearest",
                      "resizing_rank3", "center_crop", "center_crop_upsize", "random_crop_infer", "random_flip_infer",
                      "random_rotation_infer", "random_zoom_infer", "random_translation_infer", "random_contrast_infer",
                      "random_brightness_infer", "resizing_bicubic_up", "resizing_bicubic_down", "resizing_lanczos3_down",
                      "resizing_lanczos5_up", "resizing_bilinear_antialias", "resizing_bicubic_antialias"])
    func matchesKerasInInference(_ id: String) throws {
        try KerasLayerFixtures.check(id)
    }

    @Test(arguments: ["random_crop_train", "random_crop_train_rank3", "random_flip_train", "random_rotation_train",
                      "random_zoom_train", "random_translation_train", "random_contrast_train", "random_brightness_train"])
    func trainingOutputShapesMatchKeras(_ id: String) throws {
        try KerasLayerFixtures.checkTrainingShape(id)
    }

    @Test(arguments: ["last_axis", "axes_1_2", "no_axis"])
    func normalizationAdaptMatchesKeras(_ key: String) throws {
        let fixture = KerasLayerFixtures.root["adapt"]!
        let data = KerasLayerFixtures.tensor(fixture["data"]!)
        let layer: Normalization
        switch key {
        case "last_axis": layer = Normalization()
        case "axes_1_2": layer = Normalization(axis: [1, 2])
        default: layer = Normalization(axis: [])
        }
        try layer.adapt(data)
        let expected = fixture[key]!
        // Keras reports the statistics in the inputs' broadcast shape.
        let mean = layer.adaptMean!.value, variance = layer.adaptVariance!.value
        assertClose(mean, KerasLayerFixtures.tensor(expected["mean"]!).reshaped(to: mean.shape), rtol: 1e-5, atol: 1e-6)
        assertClose(variance, KerasLayerFixtures.tensor(expected["variance"]!).reshaped(to: variance.shape), rtol: 1e-5, atol: 1e-6)
        assertClose(layer(data[0..<2]), KerasLayerFixtures.tensor(expected["output"]!), rtol: 1e-5, atol: 1e-5)
        #expect(layer.nonTrainableWeights.map(\.name) == ["mean", "variance", "count"])
        // Batch by batch (uneven batches) and from a dataset: the same statistics.
        let batched = Normalization(axis: layer.axis), fromDataset = Normalization(axis: layer.axis)
        try batched.adapt(batches: [data[0..<7], data[7..<8], data[8...]])
        try fromDataset.adapt(Dataset(data).batched(6))
        for adapted in [batched, fromDataset] {
            assertClose(adapted.adaptMean!.value, mean, rtol: 1e-5, atol: 1e-6)
            assertClose(adapted.adaptVariance!.value, variance, rtol: 1e-5, atol: 1e-6)
        }
    }

    @Test func layerTests() throws {
        try runLayerTest({ Rescaling(0.5, offset: 1, dtype: $0) }, inputShapes: [[2, 3]], expectedOutputShape: [2, 3])
        try runLayerTest({ Rescaling(scale: [0.5, 2, 3], offset: [1], dtype: $0) }, inputShapes: [[2, 3]], expectedOutputShape: [2, 3])
        try runLayerTest({ Normalization(mean: [1, 2], variance: [4, 1], dtype: $0) }, inputShapes: [[3, 2]], expectedOutputShape: [3, 2])
        try runLayerTest({ Normalization(dtype: $0) }, inputShapes: [[3, 2]], expectedOutputShape: [3, 2],
                         expectedNonTrainableWeights: 3)
        try runLayerTest({ Resizing(3, 5, dtype: $0) }, inputShapes: [[1, 4, 4, 2]], expectedOutputShape: [1, 3, 5, 2])
        try runLayerTest({ Resizing(2, 2, interpolation: .nearest, cropToAspectRatio: true, dtype: $0) }, inputShapes: [[1, 3, 4, 1]],
                         expectedOutputShape: [1, 2, 2, 1])
        try runLayerTest({ Resizing(2, 4, padToAspectRatio: true, dtype: $0) }, inputShapes: [[1, 3, 3, 1]], expectedOutputShape: [1, 2, 4, 1])
        try runLayerTest({ CenterCrop(2, 3, dtype: $0) }, inputShapes: [[2, 4, 4, 1]], expectedOutputShape: [2, 2, 3, 1])
        // Random layers are the identity in inference (the helper calls with training: false);
        // RandomCrop's symbolic shape is the crop, as Keras's compute_output_shape says.
        try runLayerTest({ RandomFlip(seed: 1, dtype: $0) }, inputShapes: [[1, 3, 3, 2]], expectedOutputShape: [1, 3, 3, 2])
        try runLayerTest({ RandomRotation(0.2, seed: 1, dtype: $0) }, inputShapes: [[1, 3, 3, 2]], expectedOutputShape: [1, 3, 3, 2])
        try runLayerTest({ RandomZoom(0.2, seed: 1, dtype: $0) }, inputShapes: [[1, 3, 3, 2]], expectedOutputShape: [1, 3, 3, 2])
        try runLayerTest({ RandomTranslation(0.2, 0.1, seed: 1, dtype: $0) }, inputShapes: [[1, 3, 3, 2]], expectedOutputShape: [1, 3, 3, 2])
        try runLayerTest({ RandomContrast(0.2, seed: 1, dtype: $0) }, inputShapes: [[1, 3, 3, 2]], expectedOutputShape: [1, 3, 3, 2])
        try runLayerTest({ RandomBrightness(0.2, seed: 1, dtype: $0) }, inputShapes: [[1, 3, 3, 2]], expectedOutputShape: [1, 3, 3, 2])
    }

    @Test func augmentationsAreSeededAndDifferentiableInTraining() {
        let images = Tensor.randomUniform([2, 5, 4, 3], minval: 0, maxval: 255, seed: 4)
        let makers: [() -> Layer] = [
            { RandomFlip(seed: 3) }, { RandomRotation(0.3, seed: 3) }, { RandomZoom(0.3, widthFactor: 0.2, seed: 3) },
            { RandomTranslation(0.3, 0.3, seed: 3) }, { RandomContrast(0.5, seed: 3) }, { RandomBrightness(0.3, seed: 3) },
            { RandomCrop(3, 2, seed: 3) },
        ]
        for make in makers {
            assertClose(make()(images, training: true), make()(images, training: true))
            assertClose(make()(images), images)
        }
        let small = Tensor.randomUniform([2, 3, 4, 2], minval: 10, maxval: 200, dtype: .float64, seed: 5)
        for make in [{ RandomRotation(0.3, fillMode: .constant, seed: 3, dtype: .float64) as Layer },
                     { RandomZoom(0.3, fillMode: .wrap, seed: 3, dtype: .float64) }, { RandomFlip(seed: 3, dtype: .float64) },
                     { RandomTranslation(0.3, 0.3, fillMode: .nearest, seed: 3, dtype: .float64) }] {
            // The same draws for every evaluation: one fresh seeded layer per call.
            checkGradients([small]) { xs in make()(xs[0], training: true) }
        }
    }

    @Test func augmentationGeometryFollowsKeras() {
        let image = Tensor((0..<16).map { Double($0) }).reshaped(to: [1, 4, 4, 1])
        // A quarter turn: Keras's matrix samples (x, y) from (cx + (y − cy)·…): counter-clockwise.
        let turned = RandomRotation(factor: (0.25, 0.25), interpolation: .nearest, seed: 1)(image, training: true)
        let expectedTurn = Tensor((0..<4).flatMap { y in (0..<4).map { x in Double(x * 4 + (3 - y)) } }).reshaped(to: [1, 4, 4, 1])
        assertClose(turned, expectedTurn, atol: 1e-4)
        // A translation by a quarter of the height moves rows down by one.
        let shifted = RandomTranslation(heightFactor: (0.25, 0.25), widthFactor: (0, 0), fillMode: .constant,
                                        interpolation: .nearest, seed: 1)(image, training: true)
        assertClose(shifted[0..., 1..., 0..., 0...], image[0..., ..<3, 0..., 0...])
        assertClose(shifted[0..., 0, 0..., 0...], Tensor.zeros([1, 4, 1]))
        // Zoom factor 0 is the identity; brightness and contrast with fixed factors.
        assertClose(RandomZoom(factor: (0, 0), seed: 1)(image, training: true), image, atol: 1e-4)
        let unit = image / 16
        assertClose(RandomBrightness(factor: (0.25, 0.25), valueRange: (0, 1), seed: 1)(unit, training: true),
                    (unit + 0.25).clip(0, 1))
        let mean = unit.mean()
        assertClose(RandomContrast(factor: (-0.5, 0.5), valueRange: (0, 1), seed: 1)(unit, training: true),
                    ((unit - mean) * 1.5 + mean).clip(0, 1), atol: 1e-6)
        // A flip is all or nothing per image, both axes together in the default mode.
        let flipped = RandomFlip(seed: 2)(concatenate([image, image], axis: 0), training: true)
        let both = image.reshaped(to: [16]).doubles.reversed()
        for i in 0..<2 {
            let got = flipped[i].doubles
            #expect(got == image.doubles || got == Array(both))
        }
    }

    @Test func integerImagesAreConvertedToFloat() {
        let pixels = Tensor(shape: [1, 2, 2, 1], doubles: [0, 64, 128, 255], dtype: .int32)
        #expect(Rescaling(1.0 / 255)(pixels).dtype == .float32)
        #expect(Resizing(4, 4)(pixels).dtype == .float32)
        #expect(RandomFlip(seed: 1)(pixels, training: true).dtype == .float32)
    }

    @Test func badArgumentsAndInputsThrow() throws {
        #expect(throws: KerasError.self) { try makeLayer(className: "Rescaling", config: [:]) }
        #expect(throws: KerasError.self) { try makeLayer(className: "Rescaling", config: ["scale": ["a"]]) }
        #expect(throws: KerasError.self) { try Rescaling(scale: [1, 2]).build([nil, 3]) }
        let numpyScale = try makeLayer(className: "Rescaling", config: ["scale": ["class_name": "__numpy__", "config": ["value": [0.5, 2.0], "dtype": "float64"]]]) as! Rescaling
        #expect(numpyScale.scale == [0.5, 2])
        #expect(throws: KerasError.self) { try makeLayer(className: "Normalization", config: ["mean": [1.0], "variance": nil]) }
        #expect(throws: KerasError.self) { try makeLayer(className: "Normalization", config: ["mean": [1.0, 2], "variance": [1.0]]) }
        #expect(throws: KerasError.self) { try makeLayer(className: "Resizing", config: ["height": 0, "width": 3]) }
        #expect(throws: KerasError.self) { try makeLayer(className: "Resizing", config: ["height": 2, "width": 3, "interpolation": "area"]) }
        #expect(throws: KerasError.self) { try makeLayer(className: "Resizing", config: ["height": 2, "width": 3, "crop_to_aspect_ratio": true, "pad_to_aspect_ratio": true]) }
        #expect(throws: KerasError.self) { try makeLayer(className: "CenterCrop", config: ["height": 2]) }
        #expect(throws: KerasError.self) { try makeLayer(className: "RandomFlip", config: ["mode": "diagonal"]) }
        #expect(throws: KerasError.self) { try makeLayer(className: "RandomRotation", config: ["factor": 2]) }
        #expect(throws: KerasError.self) { try makeLayer(className: "RandomRotation", config: ["factor": 0.1, "fill_mode": "mirror"]) }
        #expect(throws: KerasError.self) { try makeLayer(className: "RandomZoom", config: ["height_factor": 0.1, "interpolation": "bicubic"]) }
        #expect(throws: KerasError.self) { try makeLayer(className: "RandomZoom", config: ["height_factor": -1]) }
        #expect(throws: KerasError.self) { try makeLayer(className: "RandomTranslation", config: ["height_factor": 0.1]) }
        #expect(throws: KerasError.self) { try makeLayer(className: "RandomContrast", config: ["factor": 1.5]) }
        #expect(throws: KerasError.self) { try makeLayer(className: "RandomBrightness", config: ["factor": 0.1, "value_range": [1]]) }
        #expect(throws: KerasError.self) { try Resizing(2, 2).build([nil, 4]) }
        #expect(throws: KerasError.self) { try makeLayer(className: "Resizing", config: ["height": .int(Int.max), "width": 2]) }
        #expect(throws: KerasError.self) { try Resizing(100_000, 100_000).build([nil, 4, 4, 3]) }
        #expect(throws: KerasError.self) { try RandomFlip().build([nil, 4]) }
        #expect(throws: KerasError.self) { try Normalization(axis: [3]).build([nil, 4]) }
        #expect(throws: KerasError.self) { try Normalization(mean: [1, 2, 3], variance: [1, 1, 1]).build([nil, 4]) }
        #expect(throws: KerasError.self) { try Normalization(mean: [1], variance: [1]).adapt(Tensor.ones([2, 2])) }
        #expect(throws: KerasError.self) { try Normalization().adapt(Tensor([[1.0, .nan]])) }
        #expect(throws: KerasError.self) { try Normalization().adapt(batches: [Tensor]()) }
        #expect(throws: KerasError.self) { try Normalization().adapt(batches: [Tensor.ones([2, 3]), Tensor.ones([2, 4])]) }
        let adapted = Normalization()
        try adapted.adapt(Tensor.ones([4, 3]))
        #expect(throws: KerasError.self) { try adapted.adapt(Tensor.ones([4, 2])) }
    }
}
