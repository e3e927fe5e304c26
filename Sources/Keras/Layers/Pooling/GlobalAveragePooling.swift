import KerasCore

/// The mean over the steps axes of `(batch, steps, channels)`
/// (`keras.layers.GlobalAveragePooling1D`).
///
/// ```swift
/// let y = GlobalAveragePooling1D()(Tensor.ones([2, 10, 3]))   // [2, 3]
/// ```
///
/// With a mask `(batch, steps)` (from an ``Embedding`` with `maskZero` or a ``Masking`` layer)
/// it averages the kept steps only, as Keras does; its output carries no mask.
public final class GlobalAveragePooling1D: BaseGlobalPooling, @unchecked Sendable {
    override class var spatialRank: Int { 1 }
    override class var takesMaximum: Bool { false }
    public override var supportsMasking: Bool { true }

    /// The pooled output has no steps left to mask.
    public override func computeMask(_ inputs: Tensor, mask: Tensor?) -> Tensor? { nil }

    /// The mean over the steps the mask keeps (masked steps count as zeros and are not counted).
    public override func call(_ inputs: Tensor, mask: Tensor?, training: Bool) -> Tensor {
        guard let mask else { return call(inputs, training: training) }
        let keep = mask.cast(to: .bool).expandingDims(at: 2)
        let weights = keep.cast(to: inputs.dtype)
        let kept = `where`(keep, inputs, Tensor.zeros([], dtype: inputs.dtype))
        return kept.sum(axes: [1], keepDims: keepdims) / weights.sum(axes: [1], keepDims: keepdims)
    }

    required init(keepdims: Bool, name: String?, trainable: Bool, dtype: DType) {
        super.init(keepdims: keepdims, name: name, trainable: trainable, dtype: dtype)
    }
}

/// The mean over the height, width axes of `(batch, height, width, channels)`
/// (`keras.layers.GlobalAveragePooling2D`).
///
/// ```swift
/// let y = GlobalAveragePooling2D()(Tensor.ones([2, 7, 7, 16]))   // [2, 16]
/// ```
public final class GlobalAveragePooling2D: BaseGlobalPooling, @unchecked Sendable {
    override class var spatialRank: Int { 2 }
    override class var takesMaximum: Bool { false }

    required init(keepdims: Bool, name: String?, trainable: Bool, dtype: DType) {
        super.init(keepdims: keepdims, name: name, trainable: trainable, dtype: dtype)
    }
}

/// The mean over the depth, height, width axes of `(batch, depth, height, width, channels)`
/// (`keras.layers.GlobalAveragePooling3D`).
///
/// ```swift
/// let y = GlobalAveragePooling3D()(Tensor.ones([1, 4, 4, 4, 2]))   // [1, 2]
/// ```
public final class GlobalAveragePooling3D: BaseGlobalPooling, @unchecked Sendable {
    override class var spatialRank: Int { 3 }
    override class var takesMaximum: Bool { false }

    required init(keepdims: Bool, name: String?, trainable: Bool, dtype: DType) {
        super.init(keepdims: keepdims, name: name, trainable: trainable, dtype: dtype)
    }
}
