import KerasCore

/// The mean of each window (with `.same`, of the real inputs it covers: padding is ignored) over `(batch, steps, channels)` (`keras.layers.AveragePooling1D`); `strides` default to
/// `poolSize`.
///
/// ```swift
/// let y = AveragePooling1D(poolSize: [2], padding: .same)(Tensor.ones([2, 10, 3]))   // [2, 5, 3]
/// ```
public final class AveragePooling1D: BasePooling, @unchecked Sendable {
    override class var spatialRank: Int { 1 }
    override class var takesMaximum: Bool { false }
    required init(window: PoolWindow, name: String?, trainable: Bool, dtype: DType) {
        super.init(window: window, name: name, trainable: trainable, dtype: dtype)
    }
}

/// The mean of each window (with `.same`, of the real inputs it covers: padding is ignored) over `(batch, height, width, channels)` (`keras.layers.AveragePooling2D`); `strides` default to
/// `poolSize`.
///
/// ```swift
/// let y = AveragePooling2D(poolSize: [2], padding: .same)(Tensor.ones([1, 28, 28, 8]))   // [1, 14, 14, 8]
/// ```
public final class AveragePooling2D: BasePooling, @unchecked Sendable {
    override class var spatialRank: Int { 2 }
    override class var takesMaximum: Bool { false }
    required init(window: PoolWindow, name: String?, trainable: Bool, dtype: DType) {
        super.init(window: window, name: name, trainable: trainable, dtype: dtype)
    }
}

/// The mean of each window (with `.same`, of the real inputs it covers: padding is ignored) over `(batch, depth, height, width, channels)` (`keras.layers.AveragePooling3D`); `strides` default to
/// `poolSize`.
///
/// ```swift
/// let y = AveragePooling3D(poolSize: [2], padding: .same)(Tensor.ones([1, 8, 8, 8, 2]))   // [1, 4, 4, 4, 2]
/// ```
public final class AveragePooling3D: BasePooling, @unchecked Sendable {
    override class var spatialRank: Int { 3 }
    override class var takesMaximum: Bool { false }
    required init(window: PoolWindow, name: String?, trainable: Bool, dtype: DType) {
        super.init(window: window, name: name, trainable: trainable, dtype: dtype)
    }
}
