/// The shared base of ``RandomRotation``, ``RandomZoom`` and ``RandomTranslation``: in training
/// each image is resampled through a random affine transform
/// (`Tensor/affineTransform(_:interpolation:fillMode:fillValue:)`), points from outside the
/// image filled as `fillMode` says; the identity in inference.
///
/// ```swift
/// let augment: RandomAffineLayer = RandomZoom(0.1, fillMode: .constant, fillValue: 0, seed: 1)
/// augment.fillMode   // .constant
/// ```
public class RandomAffineLayer: RandomImageLayer, @unchecked Sendable {
    /// The `fillMode` this `RandomAffineLayer` was created with.
    public let fillMode: ImageFillMode
    /// The `interpolation` this `RandomAffineLayer` was created with.
    public let interpolation: ImageInterpolation
    /// The `fillValue` this `RandomAffineLayer` was created with.
    public let fillValue: Double

    init(fillMode: ImageFillMode, interpolation: ImageInterpolation, fillValue: Double, seed: Int?, name: String?, dtype: DType) {
        requireValid { try Self.validateSampling(fillMode: fillMode, interpolation: interpolation, fillValue: fillValue) }
        self.fillMode = fillMode
        self.interpolation = interpolation
        self.fillValue = fillValue
        super.init(seed: seed, name: name, dtype: dtype)
    }

    /// Keras's fill modes (reflect, wrap, constant, nearest) and interpolations (nearest,
    /// bilinear) for these layers; a finite fill value.
    static func validateSampling(fillMode: ImageFillMode, interpolation: ImageInterpolation, fillValue: Double) throws {
        try ensure(augmentationFillModes.contains(fillMode), "\(className): Unknown `fill_mode` \(fillMode.rawValue). Expected of one \(augmentationFillModes.map(\.rawValue)).")
        try ensure(interpolation == .nearest || interpolation == .bilinear, "\(className): Unknown `interpolation` \(interpolation.rawValue). Expected of one ['nearest', 'bilinear'].")
        try ensure(fillValue.isFinite, "\(className): `fill_value` must be a finite number. Received: fill_value=\(fillValue)")
    }

    /// Reads and checks `fill_mode` (default reflect), `interpolation` (default bilinear) and
    /// `fill_value`.
    static func readSampling(_ r: inout ObjectConfigReader) throws -> (ImageFillMode, ImageInterpolation, Double) {
        let fillMode = try r.choice("fill_mode", default: .reflect, allowed: augmentationFillModes)
        let interpolation = try r.choice("interpolation", default: .bilinear, allowed: [ImageInterpolation.nearest, .bilinear])
        let fillValue = try r.double("fill_value", default: 0)
        try r.validated { try validateSampling(fillMode: fillMode, interpolation: interpolation, fillValue: fillValue) }
        return (fillMode, interpolation, fillValue)
    }

    /// One transform `[a0, a1, a2, b0, b1, b2, 0, 0]` per image for a batch of `batch` images of
    /// `height × width`. Subclasses draw their random parameters here.
    func transforms(batch: Int, height: Int, width: Int) -> [[Double]] {
        fatalError("\(className) must override transforms(batch:height:width:)")
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let images = floatImages(x)
        guard training else { return images }
        let (batch, height, width) = batchGeometry(images)
        let rows = transforms(batch: batch, height: height, width: width)
        let matrix = Tensor(shape: images.rank == 4 ? [batch, 8] : [8], doubles: rows.flatMap { $0 }, dtype: .float64)
        return images.affineTransform(matrix, interpolation: interpolation, fillMode: fillMode, fillValue: fillValue)
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }
}
