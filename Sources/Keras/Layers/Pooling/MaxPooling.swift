import KerasCore

/// The maximum of each window over `(batch, steps, channels)` (`keras.layers.MaxPooling1D`); `strides` default to
/// `poolSize`.
///
/// ```swift
/// let y = MaxPooling1D()(Tensor.ones([2, 10, 3]))   // [2, 5, 3]
/// ```
public final class MaxPooling1D: BasePooling, @unchecked Sendable {
    override class var spatialRank: Int { 1 }
    override class var takesMaximum: Bool { true }
    override class var defaultPoolSize: Int? { 2 }
    required init(window: PoolWindow, name: String?, trainable: Bool, dtype: DType) {
        super.init(window: window, name: name, trainable: trainable, dtype: dtype)
    }
}

/// The maximum of each window over `(batch, height, width, channels)` (`keras.layers.MaxPooling2D`); `strides` default to
/// `poolSize`.
///
/// ```swift
/// let y = MaxPooling2D()(Tensor.ones([1, 28, 28, 8]))   // [1, 14, 14, 8]
/// ```
public final class MaxPooling2D: BasePooling, @unchecked Sendable {
    override class var spatialRank: Int { 2 }
    override class var takesMaximum: Bool { true }
    override class var defaultPoolSize: Int? { 2 }
    required init(window: PoolWindow, name: String?, trainable: Bool, dtype: DType) {
        super.init(window: window, name: name, trainable: trainable, dtype: dtype)
    }
}

/// The maximum of each window over `(batch, depth, height, width, channels)` (`keras.layers.MaxPooling3D`); `strides` default to
/// `poolSize`.
///
/// ```swift
/// let y = MaxPooling3D()(Tensor.ones([1, 8, 8, 8, 2]))   // [1, 4, 4, 4, 2]
/// ```
public final class MaxPooling3D: BasePooling, @unchecked Sendable {
    override class var spatialRank: Int { 3 }
    override class var takesMaximum: Bool { true }
    override class var defaultPoolSize: Int? { 2 }
    required init(window: PoolWindow, name: String?, trainable: Bool, dtype: DType) {
        super.init(window: window, name: name, trainable: trainable, dtype: dtype)
    }
}
