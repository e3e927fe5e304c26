import Foundation
import KerasCore
import KerasTestSupport
import Testing

/// `resizeImages` and `affineTransform` against `keras.ops.image` (JAX) fixtures and finite
/// differences.
@Suite struct ImageOpTests {
    static var imageOps: [String: Any] {
        let root = try! loadFixture("normalization_layers.json") as! [String: Any]
        return root["image_ops"] as! [String: Any]
    }

    @Test func affineTransformMatchesKerasForEveryFillModeAndInterpolation() {
        let images = tensorFromFixture(Self.imageOps["affine_images"]!)
        let transforms = tensorFromFixture(Self.imageOps["affine_transforms"]!)
        let cases = Self.imageOps["affine"] as! [[String: Any]]
        #expect(cases.count == 10)
        for c in cases {
            let mode = ImageFillMode(rawValue: c["fill_mode"] as! String)!
            let interpolation = ImageInterpolation(rawValue: c["interpolation"] as! String)!
            let out = images.affineTransform(transforms, interpolation: interpolation, fillMode: mode,
                                             fillValue: (c["fill_value"] as! NSNumber).doubleValue)
            assertClose(out, tensorFromFixture(c["output"]!), rtol: 1e-5, atol: 1e-5, "\(mode) \(interpolation)")
        }
    }

    @Test func affineTransformOfOneImageAndIdentity() {
        let image = Tensor.randomNormal([3, 4, 2], seed: 1)
        let identity = Tensor([1, 0, 0, 0, 1, 0, 0, 0] as [Float])
        assertClose(image.affineTransform(identity), image)
        // One column to the right: column 0 is filled.
        let shifted = image.affineTransform(Tensor([1, 0, -1, 0, 1, 0, 0, 0] as [Float]), fillMode: .constant, fillValue: 7)
        assertClose(shifted[0..., 0, 0...], Tensor.full([3, 2], 7))
        assertClose(shifted[0..., 1..., 0...], image[0..., ..<3, 0...])
    }

    @Test func fillModesResolveIndicesAsSciPy() {
        // Row a b c d, column x sampled at x + offset with nearest interpolation.
        let image = Tensor([0, 1, 2, 3] as [Double]).reshaped(to: [1, 4, 1])
        func shifted(_ mode: ImageFillMode, by offset: Double) -> [Double] {
            image.affineTransform(Tensor([1, 0, offset, 0, 1, 0, 0, 0] as [Double]), interpolation: .nearest,
                                  fillMode: mode, fillValue: -1).doubles
        }
        #expect(shifted(.constant, by: -2) == [-1, -1, 0, 1])
        #expect(shifted(.nearest, by: -2) == [0, 0, 0, 1])
        #expect(shifted(.wrap, by: -2) == [2, 3, 0, 1])
        #expect(shifted(.mirror, by: -2) == [2, 1, 0, 1])
        #expect(shifted(.reflect, by: -2) == [1, 0, 0, 1])
        #expect(shifted(.reflect, by: 2) == [2, 3, 3, 2])
        // A point 1e30 pixels away (finite in float32, far past Int's range) is outside the image under
        // every fill mode's rule: the constant fill, the nearest edge, and no trap.
        #expect(shifted(.constant, by: 1e30) == [-1, -1, -1, -1])
        #expect(shifted(.nearest, by: 1e30) == [3, 3, 3, 3])
        #expect(shifted(.nearest, by: -1e30) == [0, 0, 0, 0])
        for mode in [ImageFillMode.wrap, .mirror, .reflect] {
            #expect(shifted(mode, by: -1e30).allSatisfy { (0...3).contains($0) }, "\(mode)")
        }
        let bilinear = image.affineTransform(Tensor([1, 0, 9e18, 0, 1, 0, 0, 0] as [Double]), fillMode: .nearest)
        #expect(bilinear.doubles == [3, 3, 3, 3])
    }

    @Test func gradientsMatchFiniteDifferences() {
        let images = Tensor.randomNormal([2, 3, 4, 2], dtype: .float64, seed: 5)
        let transforms = Tensor([[0.9, -0.3, 0.4, 0.2, 1.1, -0.6, 0, 0], [1, 0, 0.5, 0, 1, -0.25, 0, 0]], dtype: .float64)
        for mode in ImageFillMode.allCases {
            checkGradients([images]) { $0[0].affineTransform(transforms, fillMode: mode, fillValue: 0.3) }
        }
        checkGradients([images]) { $0[0].affineTransform(transforms, interpolation: .nearest) }
        checkGradients([images]) { $0[0].resizeImages(height: 5, width: 3) }
        checkGradients([images]) { $0[0].resizeImages(height: 2, width: 7, interpolation: .nearest) }
        checkGradients([images]) { $0[0].resizeImages(height: 4, width: 4, cropToAspectRatio: true) }
        checkGradients([images]) { $0[0].resizeImages(height: 4, width: 4, padToAspectRatio: true) }
        checkGradients([images]) { $0[0].resizeImages(height: 5, width: 2, interpolation: .bicubic) }
        checkGradients([images]) { $0[0].resizeImages(height: 2, width: 6, interpolation: .lanczos3, antialias: true) }
        checkGradients([images]) { $0[0].resizeImages(height: 2, width: 3, antialias: true) }
    }

    @Test func resizeKeepsAndCropsAsKeras() {
        let image = Tensor.randomNormal([5, 4, 3], seed: 2)
        assertClose(image.resizeImages(height: 5, width: 4), image)
        // Nearest 2× downsampling takes pixels 1, 3 (centers (i + 0.5)·2 = 1, 3).
        let row = Tensor([0, 1, 2, 3] as [Float]).reshaped(to: [1, 4, 1])
        #expect(row.resizeImages(height: 1, width: 2, interpolation: .nearest).doubles == [1, 3])
        // Bilinear 2× downsampling averages pixel pairs; upsampling clamps at the edges.
        #expect(row.resizeImages(height: 1, width: 2).doubles == [0.5, 2.5])
        #expect(Tensor([0, 4] as [Float]).reshaped(to: [1, 2, 1]).resizeImages(height: 1, width: 4).doubles == [0, 1, 3, 4])
        #expect(image.resizeImages(height: 2, width: 2, cropToAspectRatio: true).shape == [2, 2, 3])
        #expect(image.resizeImages(height: 2, width: 2, padToAspectRatio: true).shape == [2, 2, 3])
    }
}
