import Keras
import KerasTestSupport
import Testing

@Suite struct PoolingLayerTests {
    @Test(arguments: kerasLayerCases { $0.contains("Pooling") })
    func matchesKeras(_ name: String) throws {
        try checkKerasLayerCase(name)
    }

    @Test func layerContract() throws {
        try runLayerTest({ MaxPooling1D(poolSize: [2], strides: [1], dtype: $0) }, inputShapes: [[2, 5, 3]], expectedOutputShape: [2, 4, 3])
        try runLayerTest({ MaxPooling2D(padding: .same, dtype: $0) }, inputShapes: [[1, 5, 4, 2]], expectedOutputShape: [1, 3, 2, 2])
        try runLayerTest({ MaxPooling3D(poolSize: [2, 1, 2], dtype: $0) }, inputShapes: [[1, 2, 3, 4, 1]], expectedOutputShape: [1, 1, 3, 2, 1])
        try runLayerTest({ AveragePooling1D(poolSize: [3], strides: [2], padding: .same, dtype: $0) }, inputShapes: [[2, 5, 2]], expectedOutputShape: [2, 3, 2])
        try runLayerTest({ AveragePooling2D(poolSize: [2, 2], dtype: $0) }, inputShapes: [[1, 4, 5, 2]], expectedOutputShape: [1, 2, 2, 2])
        try runLayerTest({ AveragePooling3D(poolSize: [2], padding: .same, dtype: $0) }, inputShapes: [[1, 3, 2, 3, 1]], expectedOutputShape: [1, 2, 1, 2, 1])
        try runLayerTest({ GlobalMaxPooling1D(dtype: $0) }, inputShapes: [[2, 5, 3]], expectedOutputShape: [2, 3])
        try runLayerTest({ GlobalMaxPooling2D(keepdims: true, dtype: $0) }, inputShapes: [[2, 3, 4, 3]], expectedOutputShape: [2, 1, 1, 3])
        try runLayerTest({ GlobalMaxPooling3D(dtype: $0) }, inputShapes: [[1, 2, 2, 3, 2]], expectedOutputShape: [1, 2])
        try runLayerTest({ GlobalAveragePooling1D(keepdims: true, dtype: $0) }, inputShapes: [[2, 5, 3]], expectedOutputShape: [2, 1, 3])
        try runLayerTest({ GlobalAveragePooling2D(dtype: $0) }, inputShapes: [[2, 3, 4, 3]], expectedOutputShape: [2, 3])
        try runLayerTest({ GlobalAveragePooling3D(keepdims: true, dtype: $0) }, inputShapes: [[1, 2, 2, 3, 2]], expectedOutputShape: [1, 1, 1, 1, 2])
    }

    @Test func invalidArgumentsAndInputsThrow() throws {
        func configError(_ className: String, _ config: Config) -> String? {
            do { _ = try makeLayer(className: className, config: config); return nil } catch { return "\(error)" }
        }
        #expect(configError("MaxPooling2D", ["pool_size": 0])?.contains("pool_size") == true)
        #expect(configError("AveragePooling1D", [:])?.contains("pool_size") == true)
        #expect(configError("AveragePooling2D", ["pool_size": 2, "strides": [1, -2]])?.contains("strides") == true)
        #expect(configError("MaxPooling1D", ["padding": "causal"])?.contains("padding") == true)
        #expect(configError("MaxPooling2D", ["data_format": "channels_first"])?.contains("channels_last") == true)
        #expect(configError("GlobalAveragePooling2D", ["data_format": "channels_first"])?.contains("channels_last") == true)
        #expect(configError("MaxPool2D", [:]) == nil)
        #expect(configError("GlobalAvgPool1D", ["keepdims": true]) == nil)

        #expect(throws: KerasError.self) { try MaxPooling2D().callChecked(Tensor.ones([1, 8, 8])) }
        #expect(throws: KerasError.self) { try MaxPooling2D(poolSize: [3, 3]).callChecked(Tensor.ones([1, 2, 8, 1])) }
        #expect(throws: KerasError.self) { try GlobalMaxPooling2D().callChecked(Tensor.ones([1, 2, 3])) }
        #expect(try MaxPooling2D(poolSize: [3, 3], padding: .same).callChecked(Tensor.ones([1, 2, 8, 1])).shape == [1, 1, 3, 1])
    }
}
