import KerasCore

/// Scales `x` to unit `order`-norm along `axis` (`keras.utils.normalize` on arrays):
/// `x / ‖x‖ₚ` with `‖x‖ₚ = (Σ|x|ᵖ)^(1/p)`; slices whose norm is 0 are left unchanged.
/// The result is floating point (integer input becomes `float32`).
///
/// ```swift
/// try normalize(Tensor([[3.0, 4.0], [0.0, 0.0]]))   // [[0.6, 0.8], [0, 0]]
/// try normalize(Tensor([[1.0, 3.0]]), order: 1)     // [[0.25, 0.75]]
/// ```
///
/// - Throws: `KerasError.invalidArgument` naming the function for an `order` below 1 or an
///   `axis` outside the input's rank.
public func normalize(_ x: Tensor, axis: Int = -1, order: Int = 2) throws -> Tensor {
    guard order >= 1 else { throw KerasError.invalidArgument("normalize: order must be an integer >= 1, received \(order)") }
    let x = x.dtype.isFloatingPoint ? x : x.cast(to: .float32)
    let input = x.rank == 0 ? x.reshaped(to: [1]) : x
    guard axis >= -input.rank && axis < input.rank else {
        throw KerasError.invalidArgument("normalize: axis \(axis) is out of bounds for an input of shape \(formatShape(x.shape))")
    }
    let magnitudes = input.abs()
    let norm: Tensor
    switch order {
    case 1: norm = magnitudes.sum(axes: [axis], keepDims: true)
    case 2: norm = (magnitudes * magnitudes).sum(axes: [axis], keepDims: true).sqrt()
    default: norm = magnitudes.pow(Double(order)).sum(axes: [axis], keepDims: true).pow(1.0 / Double(order))
    }
    let safe = `where`(norm.equal(0), Tensor.ones(norm.shape, dtype: norm.dtype), norm)
    return input / safe
}
