extension Tensor {
    /// Normal samples with `mean` and `stddev` (`keras.random.normal`). Reproducible for a `seed`;
    /// otherwise drawn from the global source that ``setRandomSeed(_:)`` resets.
    public static func randomNormal(_ shape: [Int], mean: Double = 0, stddev: Double = 1,
                                    dtype: DType = .float32, seed: Int? = nil) -> Tensor {
        var g = makeRandomGenerator(seed: seed)
        let n = checkedElementCount(of: shape, dtype: dtype, op: "random_normal")
        let values = (0..<n).map { _ in mean + stddev * g.nextNormal() }
        return Tensor(shape: shape, doubles: values, dtype: dtype)
    }

    /// Uniform samples in `[minval, maxval)` (`keras.random.uniform`).
    public static func randomUniform(_ shape: [Int], minval: Double = 0, maxval: Double = 1,
                                     dtype: DType = .float32, seed: Int? = nil) -> Tensor {
        var g = makeRandomGenerator(seed: seed)
        let n = checkedElementCount(of: shape, dtype: dtype, op: "random_uniform")
        let values = (0..<n).map { _ in minval + (maxval - minval) * g.nextUnit() }
        return Tensor(shape: shape, doubles: values, dtype: dtype)
    }

    /// Normal samples redrawn until within two standard deviations of the mean
    /// (`keras.random.truncated_normal`).
    public static func randomTruncatedNormal(_ shape: [Int], mean: Double = 0, stddev: Double = 1,
                                             dtype: DType = .float32, seed: Int? = nil) -> Tensor {
        var g = makeRandomGenerator(seed: seed)
        let n = checkedElementCount(of: shape, dtype: dtype, op: "truncated_normal")
        let values = (0..<n).map { _ -> Double in
            var z = g.nextNormal()
            while Swift.abs(z) > 2 { z = g.nextNormal() }
            return mean + stddev * z
        }
        return Tensor(shape: shape, doubles: values, dtype: dtype)
    }
}
