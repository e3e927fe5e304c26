import Foundation
import KerasCore

/// The base of ``StringLookup`` and ``IntegerLookup`` (Keras's `IndexLookup`), also used by
/// ``TextVectorization``: maps tokens to indices in a vocabulary given up front or learned by
/// `adapt`, and encodes them as Keras's `output_mode` says.
///
/// ```swift
/// let lookup = StringLookup(vocabulary: ["cat", "dog"])
/// let ids = try lookup(["dog", "emu"])   // int64 [2, 0]: "emu" is out of vocabulary
/// ```
///
/// Index layout, as Keras: the mask token (when set, in `int` mode) is index 0, then
/// `numOovIndices` out-of-vocabulary indices, then the tokens. With several OOV indices an
/// unknown token goes to the bucket its hash picks (FarmHash, or SipHash with a `salt`;
/// integers use `floormod` unless `oovMethod` is `farmhash`). After `adapt` the tokens are
/// ordered by count, most frequent first, ties larger token first.
open class IndexLookup<Token: LookupToken>: Layer, @unchecked Sendable {
    /// How `IntegerLookup` picks the out-of-vocabulary bucket of an integer (Keras's `oov_method`).
    public enum OOVMethod: String, Sendable, CaseIterable {
        /// `token mod numOovIndices`.
        case floormod
        /// The FarmHash bucket of the integer written in decimal.
        case farmhash
    }

    /// The largest vocabulary, special tokens included (`nil`: no limit).
    public let maxTokens: Int?
    /// How many indices out-of-vocabulary tokens share (0: they are an error).
    public let numOovIndices: Int
    /// The token mapped to index 0 in `int` mode and ignored by the other modes (`nil`: none).
    public let maskToken: Token?
    /// The token out-of-vocabulary indices stand for (in ``vocabulary(includeSpecialTokens:)`` and inverted lookups).
    public let oovToken: Token
    /// How indices are encoded: `.int` (indices), `.oneHot`, `.multiHot`, `.count` or `.tfIdf` (Keras's `output_mode`).
    public let outputMode: LookupOutputMode
    /// Indices in, tokens out.
    public let invert: Bool
    /// Non-`int` modes: outputs as wide as ``maxTokens`` even when the vocabulary is smaller.
    public let padToMaxTokens: Bool
    /// How an integer token picks its out-of-vocabulary bucket (Keras's `oov_method`; strings always use their hash).
    public let oovMethod: OOVMethod
    /// The SipHash key for out-of-vocabulary buckets (`nil`: FarmHash).
    public let salt: [Int]?

    private(set) var tokens: [Token] = []
    private var index: [Token: Int] = [:]
    /// One weight per output column (special tokens first, zeros past the vocabulary when padded).
    private(set) var idfWeights: [Double] = []
    /// The vocabulary was given at construction or in the config (Keras then refuses `adapt`).
    var hasInputVocabulary: Bool

    init(maxTokens: Int?, numOovIndices: Int, maskToken: Token?, oovToken: Token, vocabulary: [Token]?,
         idfWeights: [Double]?, invert: Bool, outputMode: LookupOutputMode, padToMaxTokens: Bool,
         oovMethod: OOVMethod, salt: [Int]?, name: String?) {
        requireValid {
            try Self.validate(maxTokens: maxTokens, numOovIndices: numOovIndices, invert: invert, outputMode: outputMode,
                              padToMaxTokens: padToMaxTokens, hasIdfWeights: idfWeights != nil,
                              hasVocabulary: vocabulary != nil, oovMethod: oovMethod, salt: salt)
        }
        self.maxTokens = maxTokens
        self.numOovIndices = numOovIndices
        self.maskToken = maskToken
        self.oovToken = oovToken
        self.outputMode = outputMode
        self.invert = invert
        self.padToMaxTokens = padToMaxTokens
        self.oovMethod = oovMethod
        self.salt = HashSalt.normalized(salt)
        self.hasInputVocabulary = vocabulary != nil
        super.init(name: name, dtype: .float32)
        if let vocabulary { requireValid { try setVocabulary(vocabulary, idfWeights: idfWeights) } }
    }

    /// Takes a config's stated vocabulary size and the vocabulary it names (as one given at construction).
    func setConfigVocabulary(_ c: CommonConfig, reader r: ObjectConfigReader) throws {
        statedVocabularySize = c.vocabularySize
        guard let vocabulary = c.vocabulary else { return }
        let idfWeights = c.idfWeights
        try r.validated { try setVocabulary(vocabulary, idfWeights: idfWeights) }
        hasInputVocabulary = true
    }

    /// The most out-of-vocabulary indices a lookup layer takes (Keras's default is 1).
    static var maxOovIndices: Int { 1 << 24 }

    static func validate(maxTokens: Int?, numOovIndices: Int, invert: Bool, outputMode: LookupOutputMode,
                         padToMaxTokens: Bool, hasIdfWeights: Bool, hasVocabulary: Bool, oovMethod: OOVMethod,
                         salt: [Int]?) throws {
        let layer = className
        if let maxTokens {
            try ensure(maxTokens > 1, "\(layer): If set, `max_tokens` must be greater than 1. Received: max_tokens=\(maxTokens)")
        }
        try ensure(!padToMaxTokens || maxTokens != nil, "\(layer): If pad_to_max_tokens is True, must set `max_tokens`. Received: max_tokens=None")
        try ensure(numOovIndices >= 0, "\(layer): `num_oov_indices` must be greater than or equal to 0. Received: num_oov_indices=\(numOovIndices)")
        // Each OOV index is an entry of the vocabulary list (Keras builds it the same way).
        try ensure(numOovIndices <= maxOovIndices, "\(layer): `num_oov_indices` must be at most \(maxOovIndices) (each is an entry of the vocabulary). Received: num_oov_indices=\(numOovIndices)")
        try ensureBoundedSizes([maxTokens ?? 0], layer: layer, argument: "max_tokens")
        try ensure(!invert || outputMode == .int, "\(layer): `output_mode` must be `'int'` when `invert` is true. Received: output_mode=\(outputMode.rawValue)")
        try ensure(!hasIdfWeights || outputMode == .tfIdf, "\(layer): `idf_weights` should only be set if `output_mode` is `'tf_idf'`. Received: output_mode=\(outputMode.rawValue)")
        try ensure(!(outputMode == .tfIdf && hasVocabulary && !hasIdfWeights), "\(layer): When specifying the `vocabulary` argument, in TF-IDF output mode, the `idf_weights` argument must also be provided.")
        try HashSalt.validate(salt, layer: layer)
        if salt != nil {
            try ensure(Token.self == String.self || oovMethod == .farmhash, "\(layer): `salt` can only be used when `oov_method='farmhash'`. Received: oov_method=\(oovMethod.rawValue)")
        }
    }

    /// The index of the first out-of-vocabulary slot: 1 after the mask token in `int` mode, else 0.
    public var oovStartIndex: Int { maskToken != nil && outputMode == .int ? 1 : 0 }
    /// The index of the first vocabulary token.
    public var tokenStartIndex: Int { oovStartIndex + numOovIndices }

    /// The vocabulary (Keras's `get_vocabulary()`): by default the special tokens first, so a
    /// token's position is its index.
    ///
    /// ```swift
    /// StringLookup(vocabulary: ["a"]).vocabulary()   // ["[UNK]", "a"]
    /// ```
    public func vocabulary(includeSpecialTokens: Bool = true) -> [Token] {
        guard includeSpecialTokens else { return tokens }
        let mask: [Token] = oovStartIndex == 1 ? [maskToken!] : []
        return mask + [Token](repeating: oovToken, count: numOovIndices) + tokens
    }

    /// The number of indices, special ones included (Keras's `vocabulary_size()`).
    public var vocabularySize: Int { tokenStartIndex + tokens.count }

    /// The vocabulary size a config states (Keras's `vocabulary_size`), the output width until
    /// the vocabulary arrives (from a `.keras` file's assets, after the model is built).
    var statedVocabularySize: Int?

    /// The width of non-`int` outputs.
    var depth: Int { padToMaxTokens ? maxTokens! : (tokens.isEmpty ? statedVocabularySize ?? vocabularySize : vocabularySize) }

    /// Sets the vocabulary, with the special tokens in front or without them, and in `tf_idf`
    /// mode one weight per given entry (the special tokens get the mean when not given).
    ///
    /// ```swift
    /// try lookup.setVocabulary(["cat", "dog"])
    /// ```
    public func setVocabulary(_ vocabulary: [Token], idfWeights: [Double]? = nil) throws {
        let layer = "\(className) \"\(name)\""
        if outputMode == .tfIdf {
            try ensure(idfWeights != nil, "\(layer): `idf_weights` must be set if output_mode is 'tf_idf'.")
        } else {
            try ensure(idfWeights == nil, "\(layer): `idf_weights` should only be set if output_mode is `'tf_idf'`. Received: output_mode=\(outputMode.rawValue)")
        }
        try ensure(!vocabulary.isEmpty, "\(layer): Cannot set an empty vocabulary.")
        let specials = self.vocabulary().prefix(tokenStartIndex)
        let foundSpecials = vocabulary.count >= specials.count && Array(vocabulary.prefix(specials.count)) == Array(specials)
        let learned = foundSpecials ? Array(vocabulary.dropFirst(specials.count)) : vocabulary
        var seen = Set<Token>(), repeated: [Token] = []
        for token in learned where !seen.insert(token).inserted { repeated.append(token) }
        try ensure(repeated.isEmpty, "\(layer): The passed vocabulary has at least one repeated term. Please uniquify your dataset. The repeated terms are: \(repeated)")
        if let maskToken {
            try ensure(!learned.contains(maskToken), "\(layer): Found reserved mask token at unexpected location in `vocabulary`. Either remove all mask and OOV tokens, or include them only at the start of the vocabulary in precisely this order: \(Array(specials)). Received: mask_token=\(maskToken)")
        }
        if invert {
            try ensure(!learned.contains(oovToken), "\(layer): Found reserved OOV token at unexpected location in `vocabulary`. Either remove all mask and OOV tokens, or include them only at the start of the vocabulary in precisely this order: \(Array(specials)). Received: oov_token=\(oovToken)")
        }
        if let maxTokens {
            try ensure(tokenStartIndex + learned.count <= maxTokens, "\(layer): Attempted to set a vocabulary larger than the maximum vocab size. Received vocabulary size is \(tokenStartIndex + learned.count); `max_tokens` is \(maxTokens).")
        }
        var weights: [Double] = []
        if outputMode == .tfIdf, let idfWeights {
            try ensure(idfWeights.count == vocabulary.count, "\(layer): `idf_weights` must be the same length as vocabulary. len(idf_weights) is \(idfWeights.count); len(vocabulary) is \(vocabulary.count)")
            try ensure(idfWeights.allSatisfy(\.isFinite), "\(layer): `idf_weights` must be finite numbers. Received: \(idfWeights)")
            let mean = idfWeights.isEmpty ? 0 : idfWeights.reduce(0, +) / Double(idfWeights.count)
            weights = (foundSpecials ? [] : [Double](repeating: mean, count: tokenStartIndex)) + idfWeights
        }
        install(learned, weights: weights)
    }

    private func install(_ learned: [Token], weights: [Double]) {
        tokens = learned
        index = Dictionary(uniqueKeysWithValues: learned.enumerated().map { ($1, $0 + tokenStartIndex) })
        var w = weights
        if outputMode == .tfIdf, padToMaxTokens, let maxTokens, w.count < maxTokens {
            w += [Double](repeating: 0, count: maxTokens - w.count)
        }
        idfWeights = w
    }

    /// Learns the vocabulary (and, in `tf_idf` mode, the document frequencies) from documents
    /// of tokens, as Keras's `adapt`.
    func adapt(documents: [[Token]]) throws {
        try ensure(!hasInputVocabulary, "\(className) \"\(name)\": Cannot adapt the layer after setting a static vocabulary via `vocabulary` argument or `set_vocabulary()` method.")
        var counts: [Token: Int] = [:], documentCounts: [Token: Int] = [:]
        for document in documents {
            for token in document { counts[token, default: 0] += 1 }
            if outputMode == .tfIdf { for token in Set(document) { documentCounts[token, default: 0] += 1 } }
        }
        if let maskToken { counts[maskToken] = nil }
        counts[oovToken] = nil
        var ordered = counts.sorted { a, b in
            a.value != b.value ? a.value > b.value : Token.sortsBefore(b.key, a.key)
        }.map(\.key)
        if let maxTokens { ordered = Array(ordered.prefix(Swift.max(0, maxTokens - tokenStartIndex))) }
        var weights: [Double] = []
        if outputMode == .tfIdf {
            let n = Double(documents.count)
            let learned = ordered.map { Float(log(1 + n / (1 + Double(documentCounts[$0]!)))) }
            let mean = learned.isEmpty ? 0 : learned.reduce(Float(0), +) / Float(learned.count)
            weights = ([Float](repeating: mean, count: tokenStartIndex) + learned).map(Double.init)
        }
        install(ordered, weights: weights)
    }

    /// The index of each token; masked tokens give -1 outside `int` mode.
    ///
    /// - Throws: `KerasError.invalidArgument` for out-of-vocabulary tokens when `numOovIndices` is 0.
    func indices(of input: [Token]) throws -> [Int] {
        var unknown: [Token] = []
        let result = input.map { token -> Int in
            if let maskToken, token == maskToken { return outputMode == .int ? 0 : -1 }
            if let i = index[token] { return i }
            switch numOovIndices {
            case 0: unknown.append(token); return -1
            case 1: return oovStartIndex
            default: return oovStartIndex + oovBucket(token)
            }
        }
        try ensure(unknown.isEmpty, "\(className) \"\(name)\": When `num_oov_indices=0` all inputs should be in vocabulary, found OOV values \(unknown), consider setting `num_oov_indices=1`.")
        return result
    }

    /// The out-of-vocabulary bucket of an unknown token.
    func oovBucket(_ token: Token) -> Int {
        if let value = token as? Int, oovMethod == .floormod {
            let r = value % numOovIndices
            return r < 0 ? r + numOovIndices : r
        }
        return StringHashing.bucket(of: token.hashText, buckets: numOovIndices, salt: HashSalt.key(salt))
    }

    /// The tokens of indices (inverted lookup): the mask token for 0 when there is one, the
    /// OOV token for indices outside the vocabulary.
    func tokens(at ids: [Int]) -> [Token] {
        ids.map { id in
            if let maskToken, id == 0 { return maskToken }
            let j = id - tokenStartIndex
            return j >= 0 && j < tokens.count ? tokens[j] : oovToken
        }
    }

    /// The layer's output for tokens of `shape`: int64 indices, or the encoded vectors.
    func lookup(_ input: [Token], shape: [Int]) throws -> Tensor {
        let ids = try indices(of: input)
        if outputMode == .int { return Tensor(shape: shape, doubles: ids.map(Double.init), dtype: .int64) }
        try ensure(vocabularySize > tokenStartIndex || padToMaxTokens, "\(className) \"\(name)\": When using `output_mode=\(outputMode.rawValue)` and `pad_to_max_tokens=False`, you must set the layer's vocabulary before calling it. Either pass a `vocabulary` argument to the layer, or call `adapt` with some sample data.")
        return try CategoricalEncoder.encode(ids, shape: shape, mode: outputMode, depth: depth,
                                             weights: outputMode == .tfIdf ? idfWeights : nil, layer: "\(className) \"\(name)\"")
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] {
        if outputMode == .int { return inputShape }
        let d: Int? = depth
        if outputMode == .oneHot {
            return (inputShape.count > 1 && inputShape.last == 1 ? Array(inputShape.dropLast()) : inputShape) + [d]
        }
        return Array(inputShape.dropLast()) + [d]
    }

    public override func outputDType(_ inputDTypes: [DType]) -> DType { outputMode == .int ? .int64 : .float32 }

    /// Reads the keys every lookup layer shares from a Keras config.
    struct CommonConfig {
        var maxTokens: Int?, numOovIndices: Int, maskToken: Token?, oovToken: Token, vocabulary: [Token]?
        var idfWeights: [Double]?, invert: Bool, outputMode: LookupOutputMode, padToMaxTokens: Bool
        var oovMethod: OOVMethod, salt: [Int]?, name: String?, vocabularySize: Int?
    }

    static func readCommonConfig(_ r: inout ObjectConfigReader, defaultOOVToken: Token) throws -> CommonConfig {
        let base = try r.layerBase()
        func token(_ key: String) throws -> Token? {
            try r.nested(key) { value in
                guard let value, !value.isNull else { return nil }
                guard let token = Token(configValue: value) else { throw KerasError.invalidConfig("expected a \(Token.self) or null, received \(value)") }
                return token
            }
        }
        let maxTokens = try r.optionalInt("max_tokens")
        let numOov = try r.int("num_oov_indices", default: 1)
        let mask = try token("mask_token")
        let oov = try token("oov_token") ?? defaultOOVToken
        let vocabulary: [Token]? = try r.nested("vocabulary") { value in
            guard let value, !value.isNull else { return nil }
            guard let items = value.arrayValue?.map(Token.init(configValue:)), !items.contains(nil) else {
                throw KerasError.invalidConfig("expected a list of \(Token.self) tokens (vocabulary files are not supported), received \(value)")
            }
            return items.map { $0! }
        }
        let idf = try r.value("idf_weights").flatMap { $0.isNull ? nil : try r.doubleList("idf_weights") }
        let invert = try r.bool("invert", default: false)
        let mode = try r.nested("output_mode") { try LookupOutputMode.fromConfig($0) }
        let pad = try r.bool("pad_to_max_tokens", default: false)
        if try r.bool("sparse", default: false) { throw r.mismatch("sparse", "false (sparse outputs are not supported)", .bool(true)) }
        let method = try r.choice("oov_method", default: OOVMethod.floormod, allowed: OOVMethod.allCases)
        let salt = try r.nested("salt", HashSalt.read)
        let size = try r.optionalInt("vocabulary_size")
        _ = r.value("has_input_vocabulary")
        try r.validated {
            try validate(maxTokens: maxTokens, numOovIndices: numOov, invert: invert, outputMode: mode, padToMaxTokens: pad,
                         hasIdfWeights: idf != nil, hasVocabulary: vocabulary != nil, oovMethod: method, salt: salt)
        }
        return CommonConfig(maxTokens: maxTokens, numOovIndices: numOov, maskToken: mask, oovToken: oov, vocabulary: vocabulary,
                            idfWeights: idf, invert: invert, outputMode: mode, padToMaxTokens: pad, oovMethod: method,
                            salt: salt, name: base.name, vocabularySize: size)
    }

    /// Keras's keys. The vocabulary (without the special tokens) and its idf weights are in the
    /// config whenever the layer has one, so a config or `.keras` round trip keeps an adapted vocabulary.
    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["invert"] = .bool(invert)
        config["max_tokens"] = maxTokens.map { .int($0) } ?? .null
        config["num_oov_indices"] = .int(numOovIndices)
        config["oov_token"] = oovToken.configValue
        config["mask_token"] = maskToken?.configValue ?? .null
        config["output_mode"] = .string(outputMode.rawValue)
        config["sparse"] = .bool(false)
        config["pad_to_max_tokens"] = .bool(padToMaxTokens)
        config["idf_weights"] = outputMode == .tfIdf && !tokens.isEmpty ? .array(tokenIdfWeights.map { .double($0) }) : .null
        config["vocabulary"] = tokens.isEmpty ? .null : .array(tokens.map(\.configValue))
        config["vocabulary_size"] = .int(vocabularySize)
        config["oov_method"] = .string(oovMethod.rawValue)
        config["salt"] = HashSalt.configValue(salt)
        return config
    }

    /// The idf weights of the vocabulary tokens alone.
    var tokenIdfWeights: [Double] { Array(idfWeights.dropFirst(tokenStartIndex).prefix(tokens.count)) }
}
