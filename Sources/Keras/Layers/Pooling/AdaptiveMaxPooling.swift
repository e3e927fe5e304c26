import KerasCore

/// The maximum of each of `outputSize` adaptive windows over `(batch, steps, channels)`
/// (`keras.layers.AdaptiveMaxPooling1D`), whatever the input size; `dataFormat: .channelsFirst`
/// takes channels before the spatial axes. Windows follow `adaptivePoolingBins(inputSize:outputSize:)`.
///
/// ```swift
/// let y = AdaptiveMaxPooling1D(outputSize: [4])(Tensor.ones([2, 10, 3]))   // [2, 4, 3]
/// ```
public final class AdaptiveMaxPooling1D: BaseAdaptivePooling, @unchecked Sendable {
    override class var spatialRank: Int { 1 }
    override class var takesMaximum: Bool { true }
    required init(pooling outputSize: [Int], dataFormat: DataFormat, name: String?, trainable: Bool, dtype: DType) {
        super.init(pooling: outputSize, dataFormat: dataFormat, name: name, trainable: trainable, dtype: dtype)
    }
}

/// The maximum of each of `outputSize` adaptive windows over `(batch, height, width, channels)`
/// (`keras.layers.AdaptiveMaxPooling2D`), whatever the input size; `dataFormat: .channelsFirst`
/// takes channels before the spatial axes. Windows follow `adaptivePoolingBins(inputSize:outputSize:)`.
///
/// ```swift
/// let y = AdaptiveMaxPooling2D(outputSize: [7, 5])(Tensor.ones([1, 30, 25, 8]))   // [1, 7, 5, 8]
/// ```
public final class AdaptiveMaxPooling2D: BaseAdaptivePooling, @unchecked Sendable {
    override class var spatialRank: Int { 2 }
    override class var takesMaximum: Bool { true }
    required init(pooling outputSize: [Int], dataFormat: DataFormat, name: String?, trainable: Bool, dtype: DType) {
        super.init(pooling: outputSize, dataFormat: dataFormat, name: name, trainable: trainable, dtype: dtype)
    }
}

/// The maximum of each of `outputSize` adaptive windows over `(batch, depth, height, width, channels)`
/// (`keras.layers.AdaptiveMaxPooling3D`), whatever the input size; `dataFormat: .channelsFirst`
/// takes channels before the spatial axes. Windows follow `adaptivePoolingBins(inputSize:outputSize:)`.
///
/// ```swift
/// let y = AdaptiveMaxPooling3D(outputSize: [3])(Tensor.ones([1, 9, 8, 7, 2]))   // [1, 3, 3, 3, 2]
/// ```
public final class AdaptiveMaxPooling3D: BaseAdaptivePooling, @unchecked Sendable {
    override class var spatialRank: Int { 3 }
    override class var takesMaximum: Bool { true }
    required init(pooling outputSize: [Int], dataFormat: DataFormat, name: String?, trainable: Bool, dtype: DType) {
        super.init(pooling: outputSize, dataFormat: dataFormat, name: name, trainable: trainable, dtype: dtype)
    }
}
