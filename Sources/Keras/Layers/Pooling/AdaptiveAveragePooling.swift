import KerasCore

/// The mean of each of `outputSize` adaptive windows over `(batch, steps, channels)`
/// (`keras.layers.AdaptiveAveragePooling1D`), whatever the input size; `dataFormat: .channelsFirst`
/// takes channels before the spatial axes. Windows follow `adaptivePoolingBins(inputSize:outputSize:)`.
///
/// ```swift
/// let y = AdaptiveAveragePooling1D(outputSize: [4])(Tensor.ones([2, 10, 3]))   // [2, 4, 3]
/// ```
public final class AdaptiveAveragePooling1D: BaseAdaptivePooling, @unchecked Sendable {
    override class var spatialRank: Int { 1 }
    override class var takesMaximum: Bool { false }
    required init(pooling outputSize: [Int], dataFormat: DataFormat, name: String?, trainable: Bool, dtype: DType) {
        super.init(pooling: outputSize, dataFormat: dataFormat, name: name, trainable: trainable, dtype: dtype)
    }
}

/// The mean of each of `outputSize` adaptive windows over `(batch, height, width, channels)`
/// (`keras.layers.AdaptiveAveragePooling2D`), whatever the input size; `dataFormat: .channelsFirst`
/// takes channels before the spatial axes. Windows follow `adaptivePoolingBins(inputSize:outputSize:)`.
///
/// ```swift
/// let y = AdaptiveAveragePooling2D(outputSize: [7, 5])(Tensor.ones([1, 30, 25, 8]))   // [1, 7, 5, 8]
/// ```
public final class AdaptiveAveragePooling2D: BaseAdaptivePooling, @unchecked Sendable {
    override class var spatialRank: Int { 2 }
    override class var takesMaximum: Bool { false }
    required init(pooling outputSize: [Int], dataFormat: DataFormat, name: String?, trainable: Bool, dtype: DType) {
        super.init(pooling: outputSize, dataFormat: dataFormat, name: name, trainable: trainable, dtype: dtype)
    }
}

/// The mean of each of `outputSize` adaptive windows over `(batch, depth, height, width, channels)`
/// (`keras.layers.AdaptiveAveragePooling3D`), whatever the input size; `dataFormat: .channelsFirst`
/// takes channels before the spatial axes. Windows follow `adaptivePoolingBins(inputSize:outputSize:)`.
///
/// ```swift
/// let y = AdaptiveAveragePooling3D(outputSize: [3])(Tensor.ones([1, 9, 8, 7, 2]))   // [1, 3, 3, 3, 2]
/// ```
public final class AdaptiveAveragePooling3D: BaseAdaptivePooling, @unchecked Sendable {
    override class var spatialRank: Int { 3 }
    override class var takesMaximum: Bool { false }
    required init(pooling outputSize: [Int], dataFormat: DataFormat, name: String?, trainable: Bool, dtype: DType) {
        super.init(pooling: outputSize, dataFormat: dataFormat, name: name, trainable: trainable, dtype: dtype)
    }
}
