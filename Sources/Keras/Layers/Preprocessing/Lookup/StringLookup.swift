import KerasCore

/// Maps strings to integer indices, or to one-hot / multi-hot / count / tf-idf vectors
/// (`keras.layers.StringLookup`), with a vocabulary given up front or learned by ``adapt(_:)-([String])``.
///
/// Tensors hold numbers only, so the layer takes its strings as `[String]` (one token per
/// sample) or `[[String]]` (a `(batch, tokens)` grid) and gives strings back from
/// ``invertedLookup(_:)``; put it in front of a model.
///
/// ```swift
/// let lookup = StringLookup()
/// try lookup.adapt(["cat", "dog", "cat"])
/// try lookup([["cat", "emu"]])                  // int64 [[1, 0]]: [UNK] is 0
/// let words = StringLookup(vocabulary: ["cat", "dog"], invert: true)
/// try words.invertedLookup(Tensor([2, 0]).cast(to: .int64))   // ["dog", "[UNK]"]
/// ```
public final class StringLookup: IndexLookup<String>, @unchecked Sendable {
    /// Creates a string lookup layer (`keras.layers.StringLookup`).
    ///
    /// - Parameters:
    ///   - maxTokens: The largest vocabulary, special tokens included; greater than 1 (`nil`: no limit).
    ///   - numOovIndices: How many indices out-of-vocabulary strings share, by hash; 0 makes them an error.
    ///   - maskToken: The token mapped to index 0 in `int` mode and ignored by the other modes (`nil`: none).
    ///   - oovToken: The token the out-of-vocabulary indices stand for (in the vocabulary and inverted lookups).
    ///   - vocabulary: The vocabulary, with or without the special tokens in front (`nil`: learned by `adapt`).
    ///   - idfWeights: `.tfIdf` mode only, and required there with a `vocabulary`: one weight per entry.
    ///   - invert: Indices in, strings out (``invertedLookup(_:)``); `.int` mode only.
    ///   - outputMode: `.int` (the default), `.oneHot`, `.multiHot`, `.count` or `.tfIdf`.
    ///   - padToMaxTokens: Non-`int` modes: outputs `maxTokens` wide even when the vocabulary is smaller; needs `maxTokens`.
    ///   - salt: Two integers keying SipHash for the out-of-vocabulary buckets (`nil`: FarmHash).
    ///   - name: The layer's name (`nil`: a generated one).
    /// - Precondition: the arguments are valid as Keras checks them (the program stops with Keras's message otherwise).
    public init(maxTokens: Int? = nil, numOovIndices: Int = 1, maskToken: String? = nil, oovToken: String = "[UNK]",
                vocabulary: [String]? = nil, idfWeights: [Double]? = nil, invert: Bool = false,
                outputMode: LookupOutputMode = .int, padToMaxTokens: Bool = false, salt: [Int]? = nil, name: String? = nil) {
        super.init(maxTokens: maxTokens, numOovIndices: numOovIndices, maskToken: maskToken, oovToken: oovToken,
                   vocabulary: vocabulary, idfWeights: idfWeights, invert: invert, outputMode: outputMode,
                   padToMaxTokens: padToMaxTokens, oovMethod: .floormod, salt: salt, name: name)
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let layer = try StringLookup(config: ["vocabulary": ["a", "b"], "output_mode": "one_hot"])
    /// ```
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: StringLookup.self, config: config)
        let c = try Self.readCommonConfig(&r, defaultOOVToken: "[UNK]")
        if let encoding = try r.optionalString("encoding"), encoding.lowercased() != "utf-8" {
            throw r.mismatch("encoding", "\"utf-8\"", .string(encoding))
        }
        _ = r.value("vocabulary_dtype")
        self.init(maxTokens: c.maxTokens, numOovIndices: c.numOovIndices, maskToken: c.maskToken, oovToken: c.oovToken,
                  invert: c.invert, outputMode: c.outputMode, padToMaxTokens: c.padToMaxTokens, salt: c.salt, name: c.name)
        try setConfigVocabulary(c, reader: r)
    }

    /// Learns the vocabulary from strings, each one a document (Keras's `adapt` on a 1-D array).
    ///
    /// ```swift
    /// try lookup.adapt(["cat", "dog", "cat"])
    /// ```
    public func adapt(_ strings: [String]) throws { try adapt(documents: strings.map { [$0] }) }

    /// Learns the vocabulary from rows of tokens, each row a document (for `tf_idf`).
    ///
    /// ```swift
    /// try lookup.adapt([["cat", "dog"], ["cat"]])
    /// ```
    public func adapt(_ rows: [[String]]) throws { try adapt(documents: rows) }

    /// Looks up one token per sample: `(batch,)` int64 indices, `(batch, depth)` one-hot, or in
    /// the other modes one `(depth,)` vector for the whole list (a rank-1 input is one sample, as in Keras).
    ///
    /// ```swift
    /// let ids = try lookup(["cat", "dog"])
    /// ```
    ///
    /// - Throws: `KerasError.invalidArgument` in invert mode, for unknown tokens without OOV
    ///   indices, or before a vocabulary is set in a non-`int` mode.
    public func callAsFunction(_ strings: [String]) throws -> Tensor {
        try ensureForward()
        return try lookup(strings, shape: [strings.count])
    }

    /// Looks up a `(batch, tokens)` grid of strings (all rows of one length).
    ///
    /// ```swift
    /// let bags = try StringLookup(vocabulary: ["a", "b"], outputMode: .multiHot)([["a", "b"], ["b", "b"]])
    /// ```
    public func callAsFunction(_ rows: [[String]]) throws -> Tensor {
        try ensureForward()
        let width = rows.first?.count ?? 0
        try ensure(rows.allSatisfy { $0.count == width }, "StringLookup \"\(name)\": rows must all have the same length, received lengths \(rows.map(\.count))")
        return try lookup(rows.flatMap { $0 }, shape: [rows.count, width])
    }

    private func ensureForward() throws {
        try ensure(!invert, "StringLookup \"\(name)\": with `invert=True` the layer maps indices to strings: call invertedLookup(_:) with an integer tensor")
    }

    /// Maps integer indices back to their strings, row-major (Keras's call with `invert=True`).
    ///
    /// ```swift
    /// let words = try StringLookup(vocabulary: ["a", "b"], invert: true).invertedLookup(Tensor([1, 2]).cast(to: .int64))   // ["a", "b"]
    /// ```
    public func invertedLookup(_ ids: Tensor) throws -> [String] {
        try ensure(invert, "StringLookup \"\(name)\": invertedLookup needs `invert=True`")
        try ensure(ids.dtype.isInteger, "StringLookup \"\(name)\": inverted lookups take integer indices, received a \(ids.dtype) tensor")
        return tokens(at: ids.cast(to: .int64).toArray(of: Int64.self).map(Int.init))
    }

    /// Strings do not fit in a `Tensor`: call the layer with `[String]` or `[[String]]`.
    public override func call(_ inputs: Tensor, training: Bool) -> Tensor {
        fatalError("StringLookup \"\(name)\" takes strings: call it with a [String] or [[String]] batch (tensors hold numbers only), received a tensor of shape \(formatShape(inputs.shape))")
    }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["encoding"] = "utf-8"
        return config
    }
}
