import KerasCore

/// Pushes the rows (or columns) of a rank-2 weight toward being orthogonal
/// (`keras.regularizers.OrthogonalRegularizer`): with the rows L2-normalized (`x·min(1/‖x‖, 1e7)`,
/// Keras's `normalize`), the penalty is `factor · ½ · Σ|PᵢⱼP| / (n(n−1)/2)` over the off-diagonal
/// entries of their Gram matrix `P`, where `n` is the number of rows (`mode: .columns`: the same
/// over the columns). For a `Dense` kernel of shape `(inputs, units)`, rows mode decorrelates the
/// input features' weight vectors.
///
/// Keras raises for a weight that is not of rank 2; so does a layer given this regularizer for
/// such a weight or activity, when it builds or is called (``problem(forWeightShape:)``). A
/// direct call on such a tensor returns NaN, as it does for a weight with one row (no pairs, as
/// in Keras). Keras keeps `factor` as a float32 tensor, so the config holds the
/// float32-rounded factor (`0.01` → `0.009999999776482582`).
///
/// ```swift
/// let dense = Dense(4, kernelRegularizer: OrthogonalRegularizer(factor: 0.01))
/// OrthogonalRegularizer(factor: 1)(Tensor([[1.0, 0.0], [1.0, 1.0]]))   // ½·2·(1/√2)/1 ≈ 0.707
/// ```
public struct OrthogonalRegularizer: Regularizer {
    /// Which vectors are made orthogonal.
    public enum Mode: String, Sendable, CaseIterable {
        /// The rows (axis 0 indexes them).
        case rows
        /// The columns.
        case columns
    }

    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "OrthogonalRegularizer"
    /// The regularization factor (float32-rounded, finite, ≥ 0).
    public let factor: Double
    /// Rows or columns.
    public let mode: Mode

    /// Stops with a message unless `factor` is finite and ≥ 0 (Keras's `validate_float_arg`).
    public init(factor: Double = 0.01, mode: Mode = .rows) {
        requireValid { try validateFactor(factor, "factor", of: Self.className) }
        self.factor = Double(Float(factor))
        self.mode = mode
    }

    /// Keras's rule: the penalized tensor has rank 2.
    public func problem(forWeightShape shape: [Int?]) -> String? {
        shape.count == 2 ? nil : "\(Self.className) expects a rank-2 weight or activity, received one of shape \(formatShape(shape))"
    }

    /// The penalty for `weight` (a differentiable scalar of its dtype); NaN unless it has rank 2.
    public func callAsFunction(_ weight: Tensor) -> Tensor {
        guard weight.shape.count == 2 else { return Tensor.full([], .nan, dtype: weight.dtype) }
        let axis = mode == .rows ? 1 : 0
        let inverseNorm = weight.square().sum(axes: [axis], keepDims: true).rsqrt().minimum(1e7)
        let normalized = weight * inverseNorm
        let product = mode == .rows ? normalized.matmul(normalized.transposed()) : normalized.transposed().matmul(normalized)
        let size = weight.shape[mode == .rows ? 0 : 1]
        let offDiagonal = product * (1 - Tensor.eye(size, dtype: weight.dtype))
        let pairs = Double(size) * (Double(size) - 1) / 2
        return offDiagonal.abs().sum() * Double(Float(factor) * 0.5) / pairs
    }

    /// The Keras config (`{"factor": …, "mode": "rows"}`), which ``deserializeRegularizer(_:)`` reads back.
    public func getConfig() -> Config { ["factor": .double(factor), "mode": .string(mode.rawValue)] }
}
