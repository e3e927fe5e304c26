import Foundation

/// `keras.ops.image.perspective_transform`, `map_coordinates` and `elastic_transform`, with
/// JAX's sampling conventions (SciPy's `ndimage` fill modes, pixel `i` at coordinate `i`).

extension Tensor {
    /// The projective transforms `[a0, a1, a2, b0, b1, b2, c0, c1]` taking each set of four
    /// `endPoints` to the matching `startPoints` (`keras.ops.image.compute_homography_matrix`):
    /// points are `(x, y)` pairs, `(4, 2)` for one transform or `(batch, 4, 2)`; the result is
    /// `(8,)` or `(batch, 8)` float64, in the form
    /// ``affineTransform(_:interpolation:fillMode:fillValue:)`` takes.
    ///
    /// ```swift
    /// let corners = Tensor([0, 0, 9, 0, 0, 9, 9, 9] as [Double]).reshaped(to: [4, 2])
    /// let h = Tensor.homographyMatrix(startPoints: corners, endPoints: corners)   // the identity
    /// ```
    public static func homographyMatrix(startPoints: Tensor, endPoints: Tensor) -> Tensor {
        let shape = startPoints.shape
        require((shape.count == 2 || shape.count == 3) && Array(shape.suffix(2)) == [4, 2],
                "compute_homography_matrix: expected start_points of shape (4, 2) or (N, 4, 2). Received shape: \(shape)")
        require(endPoints.shape == shape,
                "compute_homography_matrix: start_points and end_points must have the same shape. Received start_points.shape=\(shape), end_points.shape=\(endPoints.shape)")
        let count = shape.count == 3 ? shape[0] : 1
        let start = startPoints.doubles, end = endPoints.doubles
        var result: [Double] = []
        result.reserveCapacity(count * 8)
        for n in 0..<count {
            result += solveHomography(start: Array(start[(n * 8)..<(n * 8 + 8)]), end: Array(end[(n * 8)..<(n * 8 + 8)]))
        }
        return Tensor(shape: shape.count == 3 ? [count, 8] : [8], doubles: result, dtype: .float64)
    }

    /// The images warped so that the four `startPoints` move to `endPoints`
    /// (`keras.ops.image.perspective_transform`): each output pixel samples the input through
    /// the homography ``homographyMatrix(startPoints:endPoints:)``; points outside the image take
    /// `fillValue`. Points are `(x, y)` pairs, `(4, 2)` (for every image) or `(batch, 4, 2)`.
    /// Differentiable with respect to the images.
    ///
    /// ```swift
    /// let start = Tensor([0, 0, 7, 0, 0, 7, 7, 7] as [Double]).reshaped(to: [4, 2])
    /// let end = Tensor([1, 0, 6, 1, 0, 7, 7, 6] as [Double]).reshaped(to: [4, 2])
    /// let tilted = images.perspectiveTransform(startPoints: start, endPoints: end)
    /// ```
    public func perspectiveTransform(startPoints: Tensor, endPoints: Tensor, interpolation: ImageInterpolation = .bilinear,
                                     fillValue: Double = 0) -> Tensor {
        _ = imageAxes(op: "perspective_transform")
        require(interpolation == .nearest || interpolation == .bilinear,
                "perspective_transform: Invalid value for argument `interpolation`. Expected of one ['nearest', 'bilinear']. Received: interpolation=\(interpolation.rawValue)")
        let points = startPoints.shape
        require((points.count == 2 || (points.count == 3 && rank == 4 && points[0] == shape[0])) && Array(points.suffix(2)) == [4, 2],
                "perspective_transform: Invalid start_points shape: expected (4, 2) or (batch, 4, 2) for images of shape \(shape). Received shape: \(points)")
        let transforms = Tensor.homographyMatrix(startPoints: startPoints, endPoints: endPoints)
        return affineTransform(transforms, interpolation: interpolation, fillMode: .constant, fillValue: fillValue)
    }

    /// The input sampled at `coordinates` (`keras.ops.image.map_coordinates`): `coordinates` has
    /// shape `(rank, …)`, one row of indices per input axis, and the result has the shape of one
    /// row. `order` 0 takes the nearest element (halves rounded away from zero), 1 interpolates
    /// linearly; points outside the input are filled as `fillMode` says. Integer inputs are
    /// converted to `float32`. Differentiable with respect to the input.
    ///
    /// ```swift
    /// let grid = Tensor([[0.5, 1.0], [2.0, 0.25]] as [[Double]])     // rows, then columns
    /// let values = image2D.mapCoordinates(grid, order: 1)           // shape (2,)
    /// ```
    public func mapCoordinates(_ coordinates: Tensor, order: Int, fillMode: ImageFillMode = .constant, fillValue: Double = 0) -> Tensor {
        require(coordinates.rank >= 2, "map_coordinates: Invalid coordinates rank: expected at least rank 2. Received input with shape: \(coordinates.shape)")
        require(coordinates.shape[0] == rank,
                "map_coordinates: First dim of `coordinates` must be the same as the rank of `inputs`. Received inputs with shape: \(shape) and coordinate leading dim of \(coordinates.shape[0])")
        require(order == 0 || order == 1, "map_coordinates: Invalid value for argument `order`. Expected one of [0, 1]. Received: order=\(order)")
        require(rank > 0 && !shape.contains(0), "map_coordinates: expected a non-empty input. Received shape: \(shape)")
        let input = dtype == .float32 || dtype == .float64 ? self : cast(to: .float32)
        let outShape = Array(coordinates.shape.dropFirst())
        let points = outShape.reduce(1, *)
        let coords = coordinates.doubles
        let corners = order == 0 ? 1 : 1 << rank
        var sources = [Int32](repeating: -1, count: points * corners)
        var weights = [Double](repeating: 0, count: points * corners)
        var strides = [Int](repeating: 1, count: rank)
        for d in stride(from: rank - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * shape[d + 1] }
        var lower = [Int](repeating: 0, count: rank), upperWeight = [Double](repeating: 0, count: rank)
        for p in 0..<points {
            var finite = true
            for d in 0..<rank {
                let c = coords[d * points + p]
                guard c.isFinite, Swift.abs(c) < 1e9 else { finite = false; break }
                if order == 0 {
                    lower[d] = Int(c.rounded(.toNearestOrAwayFromZero))
                } else {
                    let f = c.rounded(.down)
                    lower[d] = Int(f)
                    upperWeight[d] = c - f
                }
            }
            guard finite else { continue }
            for corner in 0..<corners {
                var weight = 1.0, index = 0, valid = true
                for d in 0..<rank {
                    let up = order == 1 && (corner >> (rank - 1 - d)) & 1 == 1
                    if order == 1 { weight *= up ? upperWeight[d] : 1 - upperWeight[d] }
                    if let r = fillMode.resolve(lower[d] + (up ? 1 : 0), size: shape[d]) { index += r * strides[d] } else { valid = false }
                }
                weights[p * corners + corner] = weight
                if valid { sources[p * corners + corner] = Int32(index) }
            }
        }
        let plan = PointSampling(points: points, corners: corners, sources: sources, weights: weights)
        let out = plan.gather(input, channels: 1, fillValue: fillValue, outShape: outShape)
        return Tensor.record("map_coordinates", inputs: [input], output: out) { g in
            [plan.scatter(g, like: input, channels: 1)]
        }
    }

    /// Randomly distorted images (`keras.ops.image.elastic_transform`): a normal noise field per
    /// image, scaled by `sigma` and smoothed by a Gaussian blur of standard deviation `sigma`
    /// (kernel `⌊6σ⌋ | 1`), moves every pixel by `alpha` times the field; the input is sampled
    /// there with `interpolation`, points outside filled as `fillMode` says. As in Keras, the
    /// same field displaces the rows and the columns. Reproducible for a `seed`; otherwise drawn
    /// from the global source. Differentiable with respect to the images.
    ///
    /// ```swift
    /// let warped = images.elasticTransform(alpha: 20, sigma: 5, seed: SeedGenerator(seed: 1))
    /// ```
    public func elasticTransform(alpha: Double = 20, sigma: Double = 5, interpolation: ImageInterpolation = .bilinear,
                                 fillMode: ImageFillMode = .reflect, fillValue: Double = 0, seed: SeedGenerator? = nil) -> Tensor {
        _ = imageAxes(op: "elastic_transform")
        let batched = rank == 4
        let noiseShape = [batched ? shape[0] : 1, shape[batched ? 1 : 0], shape[batched ? 2 : 1]]
        let noise = seed.map { Tensor.randomNormal(noiseShape, dtype: .float64, seed: $0) }
            ?? Tensor.randomNormal(noiseShape, dtype: .float64, seed: nil as Int?)
        return elasticTransform(noiseX: noise, noiseY: nil, alpha: alpha, sigma: sigma, interpolation: interpolation,
                                fillMode: fillMode, fillValue: fillValue)
    }

    /// ``elasticTransform(alpha:sigma:interpolation:fillMode:fillValue:seed:)`` with given
    /// standard-normal noise fields `(batch, height, width)` for the column (`noiseX`) and row
    /// (`noiseY`, `nil`: the same as `noiseX`, as Keras draws them) displacements.
    package func elasticTransform(noiseX: Tensor, noiseY: Tensor?, alpha: Double, sigma: Double, interpolation: ImageInterpolation,
                                  fillMode: ImageFillMode, fillValue: Double) -> Tensor {
        _ = imageAxes(op: "elastic_transform")
        require(interpolation == .nearest || interpolation == .bilinear,
                "elastic_transform: Invalid value for argument `interpolation`. Expected of one ['nearest', 'bilinear']. Received: interpolation=\(interpolation.rawValue)")
        require(alpha.isFinite && sigma.isFinite && sigma >= 0,
                "elastic_transform: `alpha` and `sigma` must be finite and `sigma` non-negative. Received: alpha=\(alpha), sigma=\(sigma)")
        let batched = rank == 4
        let (batch, height, width) = (batched ? shape[0] : 1, shape[batched ? 1 : 0], shape[batched ? 2 : 1])
        require(noiseX.shape == [batch, height, width] && (noiseY?.shape ?? noiseX.shape) == noiseX.shape,
                "elastic_transform: noise must be of shape \([batch, height, width]). Received \(noiseX.shape)")
        let images = dtype == .float32 || dtype == .float64 ? self : cast(to: .float32)
        func displacement(_ noise: Tensor) -> [Double] {
            // Keras: blur(noise · σ) with a ⌊6σ⌋ | 1 kernel (σ, its kernel size computed in float32).
            guard sigma > 0, alpha != 0 else { return [Double](repeating: 0, count: noise.scalarCount) }
            let size = Int(Float(6) * Float(sigma)) | 1
            let kernel = gaussianKernel1D(size: size, sigma: sigma)
            let field = (noise.cast(to: .float64) * sigma).reshaped(to: [batch, height, width, 1])
            let blurred = SeparableBlur(shape: field.shape, width: kernel, height: kernel).apply(field, adjoint: false)
            return blurred.doubles.map { $0 * alpha }
        }
        let dx = displacement(noiseX)
        let dy = noiseY.map(displacement) ?? dx
        let plan = PointSampling(batch: batch, height: height, width: width, interpolation: interpolation,
                                 fillMode: fillMode, bound: 1e9) { taps in
            for p in 0..<(batch * height * width) {
                taps.sample(p, row: Double(p / width % height) + dy[p], col: Double(p % width) + dx[p])
            }
        }
        let channels = images.shape[images.rank - 1]
        let out = plan.gather(images, channels: channels, fillValue: fillValue, outShape: images.shape)
        return Tensor.record("elastic_transform", inputs: [images], output: out) { g in
            [plan.scatter(g, like: images, channels: channels)]
        }
    }
}

/// The homography for one set of points: the 8×8 system of Keras's `compute_homography_matrix`,
/// solved by Gaussian elimination with partial pivoting.
private func solveHomography(start: [Double], end: [Double]) -> [Double] {
    var a = [[Double]](repeating: [Double](repeating: 0, count: 9), count: 8)
    for i in 0..<4 {
        let (sx, sy, ex, ey) = (start[2 * i], start[2 * i + 1], end[2 * i], end[2 * i + 1])
        a[i] = [ex, ey, 1, 0, 0, 0, -sx * ex, -sx * ey, sx]
        a[4 + i] = [0, 0, 0, ex, ey, 1, -sy * ex, -sy * ey, sy]
    }
    for col in 0..<8 {
        var pivot = col
        for r in (col + 1)..<8 where Swift.abs(a[r][col]) > Swift.abs(a[pivot][col]) { pivot = r }
        a.swapAt(col, pivot)
        let p = a[col][col]
        guard p != 0 else { continue }
        for r in 0..<8 where r != col {
            let f = a[r][col] / p
            if f != 0 { for c in col..<9 { a[r][c] -= f * a[col][c] } }
        }
    }
    return (0..<8).map { a[$0][$0] != 0 ? a[$0][8] / a[$0][$0] : .nan }
}
