import Keras
import KerasTestSupport
import Testing

@Suite("Padding, cropping and upsampling layers")
struct PaddingCroppingTests {
    @Test(arguments: ["zeropad1d", "zeropad2d", "zeropad3d", "crop1d", "crop2d", "crop3d",
                      "upsample1d", "upsample2d_nearest", "upsample2d_bilinear", "upsample2d_bicubic", "upsample3d"])
    func matchesKeras(_ id: String) throws {
        try KerasLayerFixtures.check(id)
    }

    @Test func layerTests() throws {
        try runLayerTest({ ZeroPadding1D(padding: (1, 2), dtype: $0) }, inputShapes: [[2, 3, 2]], expectedOutputShape: [2, 6, 2])
        try runLayerTest({ ZeroPadding2D(padding: ((1, 0), (0, 2)), dtype: $0) }, inputShapes: [[1, 2, 2, 1]], expectedOutputShape: [1, 3, 4, 1])
        try runLayerTest({ ZeroPadding3D(1, dtype: $0) }, inputShapes: [[1, 1, 2, 1, 1]], expectedOutputShape: [1, 3, 4, 3, 1])
        try runLayerTest({ Cropping1D(cropping: (0, 2), dtype: $0) }, inputShapes: [[2, 4, 2]], expectedOutputShape: [2, 2, 2])
        try runLayerTest({ Cropping2D(cropping: ((1, 1), (0, 1)), dtype: $0) }, inputShapes: [[1, 3, 3, 2]], expectedOutputShape: [1, 1, 2, 2])
        try runLayerTest({ Cropping3D(cropping: ((1, 0), (0, 0), (0, 1)), dtype: $0) }, inputShapes: [[1, 2, 2, 2, 1]], expectedOutputShape: [1, 1, 2, 1, 1])
        try runLayerTest({ UpSampling1D(size: 3, dtype: $0) }, inputShapes: [[2, 2, 1]], expectedOutputShape: [2, 6, 1])
        try runLayerTest({ UpSampling2D(size: (2, 1), dtype: $0) }, inputShapes: [[1, 2, 2, 1]], expectedOutputShape: [1, 4, 2, 1])
        try runLayerTest({ UpSampling2D(interpolation: .bilinear, dtype: $0) }, inputShapes: [[1, 2, 3, 1]], expectedOutputShape: [1, 4, 6, 1])
        try runLayerTest({ UpSampling3D(size: (1, 2, 1), dtype: $0) }, inputShapes: [[1, 2, 1, 2, 1]], expectedOutputShape: [1, 2, 2, 2, 1])
    }

    @Test func configFormsAsKeras() throws {
        let symmetric = try makeLayer(className: "ZeroPadding2D", config: ["padding": [1, 2]]) as! ZeroPadding2D
        #expect(symmetric.padding.map { [$0.0, $0.1] } == [[1, 1], [2, 2]])
        let uniform = try makeLayer(className: "Cropping3D", config: ["cropping": 2]) as! Cropping3D
        #expect(uniform.cropping.map { [$0.0, $0.1] } == [[2, 2], [2, 2], [2, 2]])
        #expect(ZeroPadding1D().getConfig()["padding"] == [1, 1])
        #expect(UpSampling2D().getConfig()["size"] == [2, 2])
        #expect(UpSampling1D().getConfig()["size"] == 2)
    }

    @Test func badArgumentsAndInputsThrow() throws {
        #expect(throws: KerasError.self) { try makeLayer(className: "ZeroPadding2D", config: ["padding": [1, 2, 3]]) }
        #expect(throws: KerasError.self) { try makeLayer(className: "ZeroPadding1D", config: ["padding": -1]) }
        #expect(throws: KerasError.self) { try makeLayer(className: "Cropping2D", config: ["cropping": [[1, -1], [0, 0]]]) }
        #expect(throws: KerasError.self) { try makeLayer(className: "UpSampling2D", config: ["size": 0]) }
        #expect(throws: KerasError.self) { try makeLayer(className: "UpSampling2D", config: ["interpolation": "area"]) }
        #expect(throws: KerasError.self) { try makeLayer(className: "ZeroPadding2D", config: ["data_format": "channels_first"]) }
        #expect(throws: KerasError.self) { try ZeroPadding2D().build([nil, 3, 3]) }
        // Hostile sizes: too large to allocate, or overflowing.
        #expect(throws: KerasError.self) { try makeLayer(className: "ZeroPadding1D", config: ["padding": [0, .int(Int.max)]]) }
        #expect(throws: KerasError.self) { try makeLayer(className: "UpSampling1D", config: ["size": .int(Int.max)]) }
        #expect(throws: KerasError.self) { try makeLayer(className: "Cropping1D", config: ["cropping": [.int(Int.max), 0]]) }
        #expect(throws: KerasError.self) { try ZeroPadding1D(padding: (1, 1)).build([nil, Int.max, 1]) }
        #expect(throws: KerasError.self) { try UpSampling2D(size: (50_000, 50_000)).build([nil, 2, 2, 1]) }
        #expect(throws: KerasError.self) { try UpSampling1D(size: 4).build([nil, Int.max / 2, 1]) }
        #expect(throws: KerasError.self) { try UpSampling3D().build([nil, 3, 3, 1]) }
        do {
            try Cropping2D(cropping: ((2, 1), (0, 0)), name: "crop").build([nil, 3, 5, 1])
            Issue.record("cropping everything must throw")
        } catch {
            #expect("\(error)".contains("crop") && "\(error)".contains("smaller"))
        }
    }
}
