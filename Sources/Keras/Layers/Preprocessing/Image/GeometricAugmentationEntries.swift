import KerasCore

/// The geometric and local augmentation layers (shear, perspective, elastic transform, Gaussian blur, erasing).
let geometricAugmentationLayerEntries: [LayerEntry] = [
    entry(RandomShear.self) { try RandomShear(config: $0) },
    entry(RandomPerspective.self) { try RandomPerspective(config: $0) },
    entry(RandomGaussianBlur.self) { try RandomGaussianBlur(config: $0) },
    entry(RandomErasing.self) { try RandomErasing(config: $0) },
    entry(RandomElasticTransform.self) { try RandomElasticTransform(config: $0) },
]

extension RandomImageLayer {
    /// Keras's per-image coin of the probability layers (RandomPerspective, RandomGaussianBlur,
    /// RandomErasing, RandomElasticTransform): a probability drawn from `factor`, then the image
    /// is transformed when a uniform draw falls below it.
    func drawApplied(_ factor: AugmentationFactor, batch: Int) -> [Bool] {
        let u = uniformDraws(2 * batch)
        return (0..<batch).map { i in u[batch + i] < factor.lower + (factor.upper - factor.lower) * u[i] }
    }

    /// `transformed` for the images where `apply` holds, `images` elsewhere (rank 3: one image).
    func select(_ apply: [Bool], _ transformed: Tensor, _ images: Tensor) -> Tensor {
        if apply.allSatisfy({ $0 }) { return transformed }
        if !apply.contains(true) { return images }
        let mask = Tensor(shape: images.rank == 4 ? [apply.count, 1, 1, 1] : [1, 1, 1], doubles: apply.map { $0 ? 1 : 0 }, dtype: .bool)
        return `where`(mask, transformed, images)
    }
}

/// Reads a `[0, 1]` range argument (`scale`, `sigma`) given as a number or a pair, with Keras's
/// `_set_factor_by_name` rules; `defaultValue` when absent.
func readUnitRange(_ r: inout ObjectConfigReader, _ key: String, layer: String, default defaultValue: ConfigValue) throws -> AugmentationFactor {
    let value = r.present(key) ?? defaultValue
    return try r.validated { try AugmentationFactor(unitRange: value, layer: layer, argument: key) }
}

extension AugmentationFactor {
    /// A range with both ends in `[0, 1]` (a scale or a standard deviation): stricter than
    /// Keras's `_set_factor`, which lets a pair reach outside the bounds, giving NaN here.
    init(unitRange value: ConfigValue, layer: String, argument: String) throws {
        self = try AugmentationFactor(value, bounds: (0, 1), layer: layer, argument: argument)
        try ensure(lower >= 0 && upper <= 1,
                   "\(layer): The `\(argument)` argument should be a number (or a list of two numbers) in the range [0.0, 1.0]. Received: \(argument)=\(value)")
    }
}
