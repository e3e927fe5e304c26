import Foundation

// The rest of `keras.random`: integers, shuffling, categorical draws and the gamma, beta and
// binomial distributions. Each comes with an `Int?` seed and a ``SeedGenerator`` form, as the
// normal and uniform draws do.

extension Tensor {
    /// Integers drawn uniformly from `[minval, maxval)` (`keras.random.randint`).
    ///
    /// ```swift
    /// let dice = Tensor.randomInt([4], minval: 1, maxval: 7, seed: 3)   // int32 in 1...6
    /// ```
    public static func randomInt(_ shape: [Int], minval: Int, maxval: Int, dtype: DType = .int32, seed: Int? = nil) -> Tensor {
        require(minval < maxval, "randint: expected minval < maxval. Received: minval=\(minval), maxval=\(maxval)")
        var g = makeRandomGenerator(seed: seed)
        let n = checkedElementCount(of: shape, dtype: dtype, op: "randint")
        let span = UInt64(maxval - minval)
        let values = (0..<n).map { _ in Double(minval + Int(g.next(upperBound: span))) }
        return Tensor(shape: shape, doubles: values, dtype: dtype)
    }

    /// ``randomInt(_:minval:maxval:dtype:seed:)-(_,_,_,_,Int?)`` drawing its seed from `seed`.
    ///
    /// ```swift
    /// let classes = Tensor.randomInt([8], minval: 0, maxval: 10, seed: seedGenerator)
    /// ```
    public static func randomInt(_ shape: [Int], minval: Int, maxval: Int, dtype: DType = .int32, seed: SeedGenerator) -> Tensor {
        let next = seed.nextSeed()
        return BatchShard.rows(of: shape) { randomInt($0, minval: minval, maxval: maxval, dtype: dtype, seed: next) }
    }

    /// Gamma samples of shape `alpha` and scale 1 (`keras.random.gamma`): mean `alpha`,
    /// variance `alpha`. `alpha` must be positive and finite.
    ///
    /// ```swift
    /// let g = Tensor.randomGamma([1000], alpha: 2, seed: 1)   // mean ≈ 2
    /// ```
    public static func randomGamma(_ shape: [Int], alpha: Double, dtype: DType = .float32, seed: Int? = nil) -> Tensor {
        requirePositive(alpha, "gamma", "alpha")
        var g = makeRandomGenerator(seed: seed)
        let n = checkedElementCount(of: shape, dtype: dtype, op: "gamma")
        return Tensor(shape: shape, doubles: (0..<n).map { _ in Foundation.exp(g.nextLogGamma(alpha)) }, dtype: dtype)
    }

    /// ``randomGamma(_:alpha:dtype:seed:)-(_,_,_,Int?)`` drawing its seed from `seed`.
    ///
    /// ```swift
    /// let g = Tensor.randomGamma([4], alpha: 0.5, seed: seedGenerator)
    /// ```
    public static func randomGamma(_ shape: [Int], alpha: Double, dtype: DType = .float32, seed: SeedGenerator) -> Tensor {
        let next = seed.nextSeed()
        return BatchShard.rows(of: shape) { randomGamma($0, alpha: alpha, dtype: dtype, seed: next) }
    }

    /// Beta samples in `[0, 1]` with parameters `alpha` and `beta` (`keras.random.beta`):
    /// mean `alpha / (alpha + beta)`. Drawn as `X / (X + Y)` of two gamma samples, computed from
    /// their logarithms so that tiny parameters (MixUp's `alpha = 1e-6`) give 0s and 1s, not NaN.
    ///
    /// ```swift
    /// let weights = Tensor.randomBeta([8], alpha: 0.2, beta: 0.2, seed: 7)
    /// ```
    public static func randomBeta(_ shape: [Int], alpha: Double, beta: Double, dtype: DType = .float32, seed: Int? = nil) -> Tensor {
        requirePositive(alpha, "beta", "alpha")
        requirePositive(beta, "beta", "beta")
        var g = makeRandomGenerator(seed: seed)
        let n = checkedElementCount(of: shape, dtype: dtype, op: "beta")
        let values = (0..<n).map { _ -> Double in
            let logX = g.nextLogGamma(alpha), logY = g.nextLogGamma(beta)
            return 1 / (1 + Foundation.exp(logY - logX))
        }
        return Tensor(shape: shape, doubles: values, dtype: dtype)
    }

    /// ``randomBeta(_:alpha:beta:dtype:seed:)-(_,_,_,_,Int?)`` drawing its seed from `seed`.
    ///
    /// ```swift
    /// let weights = Tensor.randomBeta([8], alpha: 0.2, beta: 0.2, seed: seedGenerator)
    /// ```
    public static func randomBeta(_ shape: [Int], alpha: Double, beta: Double, dtype: DType = .float32, seed: SeedGenerator) -> Tensor {
        let next = seed.nextSeed()
        return BatchShard.rows(of: shape) { randomBeta($0, alpha: alpha, beta: beta, dtype: dtype, seed: next) }
    }

    /// The number of successes in `counts` trials of probability `probability`
    /// (`keras.random.binomial`), as floats of `dtype`. `counts` must be a whole number ≥ 0 and
    /// `probability` in `[0, 1]`.
    ///
    /// ```swift
    /// let heads = Tensor.randomBinomial([5], counts: 10, probability: 0.5, seed: 2)
    /// ```
    public static func randomBinomial(_ shape: [Int], counts: Double, probability: Double, dtype: DType = .float32,
                                      seed: Int? = nil) -> Tensor {
        require(counts >= 0 && counts <= 0x1p52 && counts.rounded() == counts,
                "binomial: expected `counts` to be a whole number in [0, 2^52]. Received: counts=\(counts)")
        require(probability >= 0 && probability <= 1, "binomial: expected `probabilities` in [0, 1]. Received: probabilities=\(probability)")
        var g = makeRandomGenerator(seed: seed)
        let n = checkedElementCount(of: shape, dtype: dtype, op: "binomial")
        return Tensor(shape: shape, doubles: (0..<n).map { _ in g.nextBinomial(counts, probability) }, dtype: dtype)
    }

    /// ``randomBinomial(_:counts:probability:dtype:seed:)-(_,_,_,_,Int?)`` drawing its seed from `seed`.
    ///
    /// ```swift
    /// let heads = Tensor.randomBinomial([5], counts: 10, probability: 0.5, seed: seedGenerator)
    /// ```
    public static func randomBinomial(_ shape: [Int], counts: Double, probability: Double, dtype: DType = .float32,
                                      seed: SeedGenerator) -> Tensor {
        let next = seed.nextSeed()
        return BatchShard.rows(of: shape) { randomBinomial($0, counts: counts, probability: probability, dtype: dtype, seed: next) }
    }

    /// `numSamples` class indices per row of `logits` `(batch, classes)`, each drawn with
    /// probability `softmax(row)` (`keras.random.categorical`); the result is `(batch, numSamples)`.
    /// A class whose logit is −∞ is never drawn; a row must have a finite maximum and no NaN.
    ///
    /// ```swift
    /// let logits = Tensor([[0.0, 0.0, -Double.infinity]])
    /// Tensor.randomCategorical(logits, numSamples: 4, seed: 1)   // 0s and 1s, never 2
    /// ```
    public static func randomCategorical(_ logits: Tensor, numSamples: Int, dtype: DType = .int32, seed: Int? = nil) -> Tensor {
        require(logits.rank == 2, "categorical: expected `logits` of rank 2 (batch, classes). Received: logits.shape=\(logits.shape)")
        require(numSamples >= 0, "categorical: expected num_samples >= 0. Received: num_samples=\(numSamples)")
        let (rows, classes) = (logits.shape[0], logits.shape[1])
        let values = logits.doubles
        var g = makeRandomGenerator(seed: seed)
        var out = [Double]()
        out.reserveCapacity(rows * numSamples)
        var cumulative = [Double](repeating: 0, count: classes)
        for r in 0..<rows {
            let row = values[(r * classes)..<((r + 1) * classes)]
            let top = row.max() ?? -.infinity
            require(classes > 0 && top.isFinite && !row.contains(where: \.isNaN),
                    "categorical: row \(r) of `logits` has no finite maximum or contains NaN: \(Array(row.prefix(8)))")
            var total = 0.0
            for (j, v) in row.enumerated() { total += Foundation.exp(v - top); cumulative[j] = total }
            for _ in 0..<numSamples {
                let u = g.nextUnit() * total
                var j = 0
                while j < classes - 1 && cumulative[j] <= u { j += 1 }
                out.append(Double(j))
            }
        }
        return Tensor(shape: [rows, numSamples], doubles: out, dtype: dtype)
    }

    /// ``randomCategorical(_:numSamples:dtype:seed:)-(_,_,_,Int?)`` drawing its seed from `seed`.
    ///
    /// ```swift
    /// let tokens = Tensor.randomCategorical(logits, numSamples: 1, seed: seedGenerator)
    /// ```
    public static func randomCategorical(_ logits: Tensor, numSamples: Int, dtype: DType = .int32, seed: SeedGenerator) -> Tensor {
        randomCategorical(logits, numSamples: numSamples, dtype: dtype, seed: seed.nextSeed())
    }

    /// A random permutation of `axis`'s positions, uniform over all orders (Fisher–Yates).
    static func randomPermutation(_ count: Int, seed: Int?) -> [Int] {
        var g = makeRandomGenerator(seed: seed)
        var order = Array(0..<count)
        if count > 1 {
            for i in stride(from: count - 1, to: 0, by: -1) { order.swapAt(i, Int(g.next(upperBound: UInt64(i + 1)))) }
        }
        return order
    }

    /// This tensor with its slices along `axis` in a random order (`keras.random.shuffle`).
    /// Differentiable: the gradient goes back to each slice's original position.
    ///
    /// ```swift
    /// let rows = Tensor([[1.0], [2.0], [3.0]]).randomlyShuffled(seed: 4)   // the rows, reordered
    /// ```
    public func randomlyShuffled(axis: Int = 0, seed: Int? = nil) -> Tensor {
        let ax = normalizeAxis(axis, rank: rank, op: "shuffle")
        return gatherAxis(ax, indices: Tensor.randomPermutation(shape[ax], seed: seed))
    }

    /// ``randomlyShuffled(axis:seed:)-(_,Int?)`` drawing its seed from `seed`.
    ///
    /// ```swift
    /// let batch = images.randomlyShuffled(seed: seedGenerator)
    /// ```
    public func randomlyShuffled(axis: Int = 0, seed: SeedGenerator) -> Tensor {
        randomlyShuffled(axis: axis, seed: seed.nextSeed())
    }

    private static func requirePositive(_ value: Double, _ op: String, _ argument: String) {
        require(value > 0 && value.isFinite, "\(op): expected `\(argument)` > 0 and finite. Received: \(argument)=\(value)")
    }
}

extension RandomGenerator {
    /// The logarithm of one Gamma(`alpha`, 1) sample: Marsaglia and Tsang's squeeze method for
    /// `alpha ≥ 1`, and `G(alpha + 1) · U^(1/alpha)` below 1, kept in logs so that it cannot
    /// underflow for tiny `alpha`.
    mutating func nextLogGamma(_ alpha: Double) -> Double {
        if alpha < 1 {
            var u = nextUnit()
            while u <= 0 { u = nextUnit() }
            return nextLogGamma(alpha + 1) + Foundation.log(u) / alpha
        }
        let d = alpha - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            var x = 0.0, v = 0.0
            repeat {
                x = nextNormal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = nextUnit()
            if u < 1 - 0.0331 * x * x * x * x { return Foundation.log(d * v) }
            if u > 0 && Foundation.log(u) < 0.5 * x * x + d * (1 - v + Foundation.log(v)) { return Foundation.log(d * v) }
        }
    }

    /// One Binomial(`n`, `p`) sample: counting geometric waiting times when `n·min(p, 1−p)` is
    /// small, Hörmann's transformed rejection (BTRS) otherwise.
    mutating func nextBinomial(_ n: Double, _ p: Double) -> Double {
        if p > 0.5 { return n - nextBinomial(n, 1 - p) }
        if n == 0 || p == 0 { return 0 }
        if n * p < 10 {
            let log1mp = Foundation.log1p(-p)
            var successes = 0.0, position = 0.0
            while true {
                var u = nextUnit()
                while u <= 0 { u = nextUnit() }
                position += (Foundation.log(u) / log1mp).rounded(.up)
                if position > n { return successes }
                successes += 1
            }
        }
        let q = 1 - p, spq = (n * p * q).squareRoot()
        let b = 1.15 + 2.53 * spq, a = -0.0873 + 0.0248 * b + 0.01 * p, c = n * p + 0.5
        let vr = 0.92 - 4.2 / b, alphaR = (2.83 + 5.1 / b) * spq, lpq = Foundation.log(p / q)
        let m = ((n + 1) * p).rounded(.down)
        let h = Foundation.lgamma(m + 1) + Foundation.lgamma(n - m + 1)
        while true {
            let u = nextUnit() - 0.5
            var v = nextUnit()
            let us = 0.5 - Swift.abs(u)
            let k = ((2 * a / us + b) * u + c).rounded(.down)
            if k < 0 || k > n || us <= 0 { continue }
            if us >= 0.07 && v <= vr { return k }
            v = Foundation.log(v * alphaR / (a / (us * us) + b))
            if v <= h - Foundation.lgamma(k + 1) - Foundation.lgamma(n - k + 1) + (k - m) * lpq { return k }
        }
    }
}
