import KerasCore

/// The maximum over the steps axes of `(batch, steps, channels)`
/// (`keras.layers.GlobalMaxPooling1D`).
///
/// ```swift
/// let y = GlobalMaxPooling1D()(Tensor.ones([2, 10, 3]))   // [2, 3]
/// ```
public final class GlobalMaxPooling1D: BaseGlobalPooling, @unchecked Sendable {
    override class var spatialRank: Int { 1 }
    override class var takesMaximum: Bool { true }

    required init(keepdims: Bool, name: String?, trainable: Bool, dtype: DType) {
        super.init(keepdims: keepdims, name: name, trainable: trainable, dtype: dtype)
    }
}

/// The maximum over the height, width axes of `(batch, height, width, channels)`
/// (`keras.layers.GlobalMaxPooling2D`).
///
/// ```swift
/// let y = GlobalMaxPooling2D()(Tensor.ones([2, 7, 7, 16]))   // [2, 16]
/// ```
public final class GlobalMaxPooling2D: BaseGlobalPooling, @unchecked Sendable {
    override class var spatialRank: Int { 2 }
    override class var takesMaximum: Bool { true }

    required init(keepdims: Bool, name: String?, trainable: Bool, dtype: DType) {
        super.init(keepdims: keepdims, name: name, trainable: trainable, dtype: dtype)
    }
}

/// The maximum over the depth, height, width axes of `(batch, depth, height, width, channels)`
/// (`keras.layers.GlobalMaxPooling3D`).
///
/// ```swift
/// let y = GlobalMaxPooling3D()(Tensor.ones([1, 4, 4, 4, 2]))   // [1, 2]
/// ```
public final class GlobalMaxPooling3D: BaseGlobalPooling, @unchecked Sendable {
    override class var spatialRank: Int { 3 }
    override class var takesMaximum: Bool { true }

    required init(keepdims: Bool, name: String?, trainable: Bool, dtype: DType) {
        super.init(keepdims: keepdims, name: name, trainable: trainable, dtype: dtype)
    }
}
