import KerasCore

/// Maps integers to contiguous indices, or to one-hot / multi-hot / count / tf-idf vectors
/// (`keras.layers.IntegerLookup`), with a vocabulary given up front or learned by ``adapt(_:)``.
///
/// ```swift
/// let lookup = IntegerLookup(vocabulary: [12, 36, 1138])
/// lookup(Tensor([[12, 1138], [7, 36]]).cast(to: .int64))   // int64 [[1, 3], [0, 2]]
/// ```
///
/// Integer tensors only; with `numOovIndices: 0` an unknown integer stops the call with a
/// message naming the layer (``validateInputData(_:)`` reports it as a `KerasError` in `fit`/`predict`).
public final class IntegerLookup: IndexLookup<Int>, @unchecked Sendable {
    public override class var isStatelessInInference: Bool { true }

    public override init(maxTokens: Int? = nil, numOovIndices: Int = 1, maskToken: Int? = nil, oovToken: Int = -1,
                vocabulary: [Int]? = nil, idfWeights: [Double]? = nil, invert: Bool = false,
                outputMode: LookupOutputMode = .int, padToMaxTokens: Bool = false, oovMethod: OOVMethod = .floormod,
                salt: [Int]? = nil, name: String? = nil) {
        super.init(maxTokens: maxTokens, numOovIndices: numOovIndices, maskToken: maskToken, oovToken: oovToken,
                   vocabulary: vocabulary, idfWeights: idfWeights, invert: invert, outputMode: outputMode,
                   padToMaxTokens: padToMaxTokens, oovMethod: oovMethod, salt: salt, name: name)
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let layer = try IntegerLookup(config: ["vocabulary": [3, 5], "mask_token": 0])
    /// ```
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: IntegerLookup.self, config: config)
        let c = try Self.readCommonConfig(&r, defaultOOVToken: -1)
        if let dtype = try r.optionalString("vocabulary_dtype"), dtype != "int64" {
            throw r.mismatch("vocabulary_dtype", "\"int64\"", .string(dtype))
        }
        self.init(maxTokens: c.maxTokens, numOovIndices: c.numOovIndices, maskToken: c.maskToken, oovToken: c.oovToken,
                  invert: c.invert, outputMode: c.outputMode, padToMaxTokens: c.padToMaxTokens, oovMethod: c.oovMethod,
                  salt: c.salt, name: c.name)
        try setConfigVocabulary(c, reader: r)
    }

    /// Learns the vocabulary from an integer tensor: each element of a rank-1 tensor, or each
    /// row of a rank-2 one, is a document.
    ///
    /// ```swift
    /// try lookup.adapt(Tensor([5, 5, 7]).cast(to: .int64))
    /// ```
    public func adapt(_ data: Tensor) throws {
        try ensure(data.dtype.isInteger, "IntegerLookup \"\(name)\": adapt takes integer data, received a \(data.dtype) tensor")
        try ensure(data.rank <= 2, "IntegerLookup \"\(name)\": adapt takes rank-1 or rank-2 data, received shape \(formatShape(data.shape))")
        let values = Self.integers(data)
        let width = data.rank == 2 ? data.shape[1] : 1
        try adapt(documents: width == 0 ? [] : stride(from: 0, to: values.count, by: width).map { Array(values[$0..<($0 + width)]) })
    }

    static func integers(_ t: Tensor) -> [Int] { t.cast(to: .int64).toArray(of: Int64.self).map(Int.init) }

    public override func call(_ inputs: Tensor, training: Bool) -> Tensor {
        require(inputs.dtype.isInteger, "IntegerLookup \"\(name)\": inputs must be integers, received a \(inputs.dtype) tensor")
        let values = Self.integers(inputs)
        if invert {
            return Tensor(shape: inputs.shape, doubles: tokens(at: values).map(Double.init), dtype: .int64)
        }
        do {
            return try lookup(values, shape: inputs.shape)
        } catch {
            fatalError("\(error)")
        }
    }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["vocabulary_dtype"] = "int64"
        return config
    }

    /// Integer data the lookup can encode (when `numOovIndices` is 0, only known values; in the
    /// modes that need it, once a vocabulary is set); otherwise a `KerasError.invalidData`
    /// naming the layer.
    public override func validateInputData(_ data: Tensor) -> KerasError? {
        guard data.dtype.isInteger else { return .invalidData("IntegerLookup \"\(name)\": inputs must be integers, received a \(data.dtype) tensor") }
        guard !invert else { return nil }
        do { _ = try lookup(Self.integers(data), shape: data.shape) } catch { return .invalidData("\(error)") }
        return nil
    }
}
