import KerasCore

/// Crosses categorical features by hashing (`keras.layers.HashedCrossing`): for each sample,
/// the values of all features (strings or integers) are combined into one bin in
/// `0..<numBins`, exactly as TensorFlow's `tf.sparse.cross_hashed` (which Keras calls) does:
/// `h = 0xDECAFCAFFE`, then for each feature in order `h = FingerprintCat64(h, v)` where `v` is
/// FarmHash `Fingerprint64` of a string's UTF-8 bytes or an integer's 64-bit pattern, and the
/// bin is `h mod numBins`.
///
/// ```swift
/// let cross = HashedCrossing(numBins: 5)
/// let bins = try cross([.strings(["A", "B", "C"]), .integers(Tensor([1, 2, 3]).cast(to: .int64))])   // int64 (3,)
/// let onehot = try HashedCrossing(numBins: 4, outputMode: .oneHot)([.strings(["a", "b"]), .strings(["x", "y"])])   // (2, 4)
/// ```
///
/// Strings come in through ``Feature`` (tensors hold numbers only); integer tensors also go
/// through the ordinary layer call (`apply([a, b])`), so the layer works inside a model. Every
/// feature has the same shape: `()`, `(batch,)` or `(batch, 1)`.
public final class HashedCrossing: Layer, @unchecked Sendable {
    public override class var isStatelessInInference: Bool { true }

    /// One input feature of a cross.
    public enum Feature: Sendable {
        /// String values, one per sample; `shape` `[n]` (the default), `[n, 1]` or `[]` (one value).
        case strings([String], shape: [Int]? = nil)
        /// An integer tensor (any integer dtype) of shape `()`, `(batch,)` or `(batch, 1)`.
        case integers(Tensor)

        var shape: [Int] {
            switch self {
            case .strings(let values, let shape): return shape ?? [values.count]
            case .integers(let tensor): return tensor.shape
            }
        }
    }

    /// The number of bins (Keras's `num_bins`).
    public let numBins: Int
    /// `.int` (bin indices, int64 by default) or `.oneHot`.
    public let outputMode: LookupOutputMode

    /// Creates a hashed-crossing layer.
    ///
    /// - Parameters:
    ///   - numBins: The number of bins; positive (at most the largest weight size in `.oneHot` mode).
    ///   - outputMode: `.int` (the default) or `.oneHot`.
    ///   - name: The layer's name (`nil`: a generated one).
    ///   - dtype: The output dtype (`nil`: int64 in `.int` mode, float32 in `.oneHot` mode).
    /// - Precondition: the arguments are valid (the program stops with the message otherwise;
    ///   ``init(config:)`` throws instead).
    public init(numBins: Int, outputMode: LookupOutputMode = .int, name: String? = nil, dtype: DType? = nil) {
        requireValid { try Self.validate(numBins: numBins, outputMode: outputMode) }
        self.numBins = numBins
        self.outputMode = outputMode
        super.init(name: name, dtype: dtype ?? (outputMode == .int ? .int64 : .float32))
    }

    static func validate(numBins: Int, outputMode: LookupOutputMode) throws {
        try ensure(numBins > 0, "HashedCrossing: `num_bins` must be a positive integer. Received: num_bins=\(numBins)")
        try ensure(outputMode == .int || outputMode == .oneHot, "HashedCrossing: Invalid value for argument `output_mode`. Expected one of (\"int\", \"one_hot\"). Received: output_mode=\(outputMode.rawValue)")
        // Outside `int` mode each bin is a column of every output sample.
        if outputMode != .int { try ensureBoundedSizes([numBins], layer: "HashedCrossing", argument: "num_bins") }
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let layer = try HashedCrossing(config: ["num_bins": 8, "output_mode": "one_hot"])
    /// ```
    ///
    /// - Throws: `KerasError.invalidConfig` naming the key for a missing, mistyped or out-of-range value.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: HashedCrossing.self, config: config)
        let base = try r.layerBase()
        let dtype: DType? = config["dtype"].map { $0.isNull ? nil : base.dtype } ?? nil
        let numBins = try r.int("num_bins")
        let mode = try r.nested("output_mode") { try LookupOutputMode.fromConfig($0, allowed: [.int, .oneHot]) }
        if try r.bool("sparse", default: false) { throw r.mismatch("sparse", "false (sparse outputs are not supported)", .bool(true)) }
        try r.validated { try HashedCrossing.validate(numBins: numBins, outputMode: mode) }
        self.init(numBins: numBins, outputMode: mode, name: base.name, dtype: dtype)
    }

    // MARK: Hashing

    /// TensorFlow's `FingerprintCat64` (`tensorflow/core/platform/fingerprint.h`).
    static func fingerprintCat64(_ fp1: UInt64, _ fp2: UInt64) -> UInt64 {
        let mul: UInt64 = 0xc6a4_a793_5bd1_e995
        @inline(__always) func shiftMix(_ v: UInt64) -> UInt64 { v ^ (v >> 47) }
        var result = fp1 ^ mul
        result ^= shiftMix(fp2 &* mul) &* mul
        result = result &* mul
        result = shiftMix(result) &* mul
        return shiftMix(result)
    }

    /// The per-sample hash values of one feature: Fingerprint64 of strings, the bit pattern of integers.
    private static func hashValues(_ feature: Feature) -> [UInt64] {
        switch feature {
        case .strings(let values, _): return values.map { StringHashing.fingerprint64(Array($0.utf8)) }
        case .integers(let tensor): return tensor.cast(to: .int64).toArray(of: Int64.self).map { UInt64(bitPattern: $0) }
        }
    }

    /// The bin of every sample (`tf.sparse.cross_hashed` with Keras's arguments).
    private func bins(_ features: [Feature]) -> [Int64] {
        let columns = features.map(Self.hashValues)
        let modulus = UInt64(numBins)
        return (0..<columns[0].count).map { i in
            var h: UInt64 = 0xDE_CAFC_AFFE
            for column in columns { h = Self.fingerprintCat64(h, column[i]) }
            return Int64(h % modulus)
        }
    }

    /// What is wrong with a list of features of these shapes (`nil`: nothing), in Keras's words.
    private func shapeProblem(_ shapes: [[Int?]]) -> String? {
        guard shapes.count >= 2 else {
            return "`HashedCrossing` should be called on at least two inputs. Received: \(shapes.count) input(s)"
        }
        let first = shapes[0]
        if first.count > 2 || (first.count == 2 && first[1] != nil && first[1] != 1) {
            return "All `HashedCrossing` inputs should have shape `()`, `(batch_size)` or `(batch_size, 1)`. Received shapes: \(shapes.map { formatShape($0) }.joined(separator: ", "))"
        }
        if !shapes.dropFirst().allSatisfy({ $0.count == first.count && zip($0, first).allSatisfy { a, b in a == nil || b == nil || a == b } }) {
            return "All `HashedCrossing` inputs should have equal shape. Received shapes: \(shapes.map { formatShape($0) }.joined(separator: ", "))"
        }
        return nil
    }

    /// Crosses string and integer features: `(batch,)` bins in `.int` mode (the features' shape),
    /// `(batch, numBins)` in `.oneHot` mode.
    ///
    /// ```swift
    /// let bins = try HashedCrossing(numBins: 10)([.strings(["cat", "dog"]), .strings(["red", "blue"])])
    /// ```
    ///
    /// - Throws: `KerasError.invalidData` for fewer than two features, features of different or
    ///   unsupported shapes, a string count that does not match its shape, or non-integer tensors.
    public func callAsFunction(_ features: [Feature]) throws -> Tensor {
        for case .strings(let values, let shape) in features {
            let count = (shape ?? [values.count]).reduce(1, *)
            guard (shape ?? []).allSatisfy({ $0 >= 0 }), count == values.count else {
                throw KerasError.invalidData("HashedCrossing \"\(name)\": a string feature of shape \(formatShape(shape ?? [values.count])) needs \(count) values, received \(values.count)")
            }
        }
        for case .integers(let tensor) in features where !tensor.dtype.isInteger {
            throw KerasError.invalidData("HashedCrossing \"\(name)\": All `HashedCrossing` inputs should have an integer or string dtype. Received a \(tensor.dtype) tensor")
        }
        if let problem = shapeProblem(features.map { $0.shape.map { Optional($0) } }) {
            throw KerasError.invalidData("HashedCrossing \"\(name)\": \(problem)")
        }
        return try encode(bins(features), shape: features[0].shape)
    }

    /// The symbolic call on integer model inputs, for functional models.
    ///
    /// ```swift
    /// let a = Input(shape: [1], dtype: .int64), b = Input(shape: [1], dtype: .int64)
    /// let crossed = HashedCrossing(numBins: 16, outputMode: .oneHot)([a, b])   // (None, 16)
    /// ```
    public func callAsFunction(_ inputs: [KerasTensor]) -> KerasTensor { applySymbolic(inputs)[0] }

    /// Crosses integer tensors (the layer call a model makes).
    public override func call(_ inputs: [Tensor], training: Bool) -> [Tensor] {
        if let problem = shapeProblem(inputs.map { $0.shape.map { Optional($0) } }) { fatalError("HashedCrossing \"\(name)\": \(problem)") }
        if let problem = inputs.lazy.compactMap(validateInputData).first { fatalError(problem.description) }
        do {
            return [try encode(bins(inputs.map { .integers($0) }), shape: inputs[0].shape)]
        } catch {
            fatalError("\(error)")
        }
    }

    /// Tensor inputs must be integers (strings go through the throwing call on `[Feature]`).
    public override func validateInputData(_ data: Tensor) -> KerasError? {
        guard !data.dtype.isInteger else { return nil }
        return .invalidData("HashedCrossing \"\(name)\": All `HashedCrossing` inputs should have an integer or string dtype. Received a \(data.dtype) tensor")
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        shapeProblem(inputShapes).map { .incompatibleInput(layer: name, message: "Layer \"\(name)\" (HashedCrossing): \($0)") }
    }

    private func encode(_ bins: [Int64], shape: [Int]) throws -> Tensor {
        if outputMode == .int { return Tensor(shape: shape, scalars: bins).cast(to: dtype) }
        return try CategoricalEncoder.encode(bins.map { Int($0) }, shape: shape, mode: .oneHot, depth: numBins, weights: nil,
                                             layer: "HashedCrossing \"\(name)\"").cast(to: dtype)
    }

    public override func computeOutputShapes(_ inputShapes: [[Int?]]) -> [[Int?]] {
        let first = inputShapes.first ?? []
        if outputMode == .int { return [first] }
        if first.count > 1 && first.last == 1 { return [Array(first.dropLast()) + [numBins]] }
        return [first + [numBins]]
    }

    /// Keras's keys: `num_bins`, `output_mode`, `sparse`, `name` and `dtype` (a plain name;
    /// Keras writes no `trainable` for this layer).
    public override func getConfig() -> Config {
        [
            "num_bins": .int(numBins),
            "output_mode": .string(outputMode.rawValue),
            "sparse": .bool(false),
            "name": .string(name),
            "dtype": .string(dtype.rawValue),
        ]
    }
}
