import Foundation
import KerasCore

/// Turns strings into token indices or token-count vectors (`keras.layers.TextVectorization`):
/// each string is standardized (lowercased, punctuation stripped), split into tokens (on
/// whitespace or into characters), optionally widened with n-grams (`ngrams: 2` for tokens and
/// pairs, `ngrams: [2, 3]` for pairs and triples only), and looked up in a vocabulary learned by
/// ``adapt(_:)`` or given with ``setVocabulary(_:idfWeights:)``, held by an inner ``StringLookup``
/// as in Keras.
///
/// Tensors hold numbers only, so this layer takes its strings as `[String]` through
/// ``callAsFunction(_:)-([String])`` and ``adapt(_:)``; put it in front of a model (its output
/// is the model's input), not inside one.
///
/// ```swift
/// let vectorize = TextVectorization(maxTokens: 1000, outputSequenceLength: 8)
/// try vectorize.adapt(["the cat sat", "the dog ran"])
/// let ids = vectorize(["the cat ran"])   // int32 (1, 8): [[2, 6, 4, 0, 0, 0, 0, 0]]
/// let bag = TextVectorization(outputMode: .multiHot)    // (batch, vocabulary size) of 0/1
/// let pairs = TextVectorization(ngrams: [2], outputMode: .count)   // counts of token pairs
/// ```
///
/// Layouts as Keras: in `int` mode index 0 is padding (`""`) and 1 the out-of-vocabulary token
/// `[UNK]`; the other modes have no padding token, so `[UNK]` is index 0. Learned tokens are
/// ordered by count, most frequent first, ties in reverse byte order, as Keras orders them.
public final class TextVectorization: Layer, @unchecked Sendable {
    /// How each string is cleaned before splitting.
    public enum Standardize: String, Sendable, CaseIterable {
        /// `lowerAndStripPunctuation` (the default): ASCII letters lowercased, then ASCII punctuation removed; `lower`: lowercasing only; `stripPunctuation`: punctuation removal only (Keras's `standardize` strings).
        case lowerAndStripPunctuation = "lower_and_strip_punctuation", lower, stripPunctuation = "strip_punctuation"
    }

    /// How a string is cut into tokens.
    public enum Split: String, Sendable, CaseIterable {
        /// `whitespace` (the default): tokens are the runs between whitespace; `character`: each Unicode scalar is a token (Keras's `split` strings).
        case whitespace, character
    }

    /// What the layer outputs for each string.
    public enum OutputMode: String, Sendable, CaseIterable {
        /// Token indices, `(batch, steps)` int32, padded with 0.
        case int
        /// 1 where a vocabulary entry occurs, `(batch, vocabulary size)`.
        case multiHot = "multi_hot"
        /// How often each vocabulary entry occurs.
        case count
        /// Counts weighted by the inverse document frequency learned by ``TextVectorization/adapt(_:)``.
        case tfIdf = "tf_idf"
    }

    /// Which n-grams join the tokens (Keras's `ngrams`): an integer `n` gives every width
    /// `1...n`, a list gives exactly those widths, in that order.
    public enum NGrams: Sendable, Equatable, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
        /// Widths `1...n` (Keras's integer form).
        case upTo(Int)
        /// These widths, in order (Keras's tuple form).
        case widths([Int])

        /// `2` is `.upTo(2)`: tokens and pairs.
        public init(integerLiteral value: Int) { self = .upTo(value) }
        /// `[2, 3]` is `.widths([2, 3])`: pairs and triples, no single tokens.
        public init(arrayLiteral elements: Int...) { self = .widths(elements) }

        /// The widths of at most `limit` tokens (wider n-grams are empty), in order.
        func widths(upTo limit: Int) -> [Int] {
            switch self {
            case .upTo(let n): limit < 1 ? [] : Array(1...Swift.min(n, limit))
            case .widths(let widths): widths.filter { $0 <= limit }
            }
        }

        /// The widths, in the order their n-grams follow one another.
        public var widthList: [Int] {
            switch self {
            case .upTo(let n): Array(1...Swift.max(1, n))
            case .widths(let widths): widths
            }
        }

        var configValue: ConfigValue {
            switch self {
            case .upTo(let n): .int(n)
            case .widths(let widths): .array(widths.map { .int($0) })
            }
        }
    }

    /// The padding token, index 0 in `int` mode: the empty string, as in Keras.
    public static let maskToken = ""
    /// The out-of-vocabulary token, `[UNK]` as in Keras.
    public static let oovToken = "[UNK]"

    /// The largest vocabulary, special tokens included (`nil`: no limit).
    public let maxTokens: Int?
    /// `nil`: strings are taken as they are.
    public let standardize: Standardize?
    /// `nil`: each whole string is one token.
    public let split: Split?
    /// `nil`: tokens only; otherwise the n-gram widths (`2`: tokens and pairs; `[2]`: pairs only).
    public let ngrams: NGrams?
    /// What the layer outputs: indices (`.int`), or one `.multiHot`, `.count` or `.tfIdf` vector per string (Keras's `output_mode`).
    public let outputMode: OutputMode
    /// `int` mode: every output padded or cut to this many steps (`nil`: the longest string in the batch).
    public let outputSequenceLength: Int?
    /// Non-`int` modes: outputs as wide as ``maxTokens`` even when the vocabulary is smaller.
    public let padToMaxTokens: Bool

    /// The vocabulary and its encoding, held by a ``StringLookup`` as in Keras (mask `""`, OOV `[UNK]`).
    let lookupLayer: StringLookup

    /// Creates a text vectorization layer (`keras.layers.TextVectorization`).
    ///
    /// - Parameters:
    ///   - maxTokens: The largest vocabulary, special tokens included; greater than 1 (`nil`: no limit).
    ///   - standardize: How strings are cleaned before splitting (`nil`: taken as they are).
    ///   - split: How strings are cut into tokens (`nil`: each whole string is one token).
    ///   - ngrams: The n-gram widths added to or replacing the tokens (`nil`: tokens only).
    ///   - outputMode: `.int` (the default), `.multiHot`, `.count` or `.tfIdf`.
    ///   - outputSequenceLength: `.int` mode only: pads or cuts every output to this many steps (`nil`: the longest string in the batch).
    ///   - padToMaxTokens: Non-`int` modes: outputs `maxTokens` wide even when the vocabulary is smaller; needs `maxTokens`.
    ///   - vocabulary: The vocabulary, with or without the special tokens in front (`nil`: learned by ``adapt(_:)``).
    ///   - idfWeights: `.tfIdf` mode: one inverse-document-frequency weight per vocabulary entry.
    ///   - name: The layer's name (`nil`: a generated one).
    /// - Precondition: the arguments are valid as Keras checks them (the program stops with Keras's message otherwise).
    public init(maxTokens: Int? = nil, standardize: Standardize? = .lowerAndStripPunctuation, split: Split? = .whitespace,
                ngrams: NGrams? = nil, outputMode: OutputMode = .int, outputSequenceLength: Int? = nil,
                padToMaxTokens: Bool = false, vocabulary: [String]? = nil, idfWeights: [Double]? = nil,
                name: String? = nil) {
        requireValid {
            try Self.validate(maxTokens: maxTokens, ngrams: ngrams, outputMode: outputMode,
                              outputSequenceLength: outputSequenceLength, padToMaxTokens: padToMaxTokens)
        }
        self.maxTokens = maxTokens
        self.standardize = standardize
        self.split = split
        self.ngrams = ngrams
        self.outputMode = outputMode
        self.outputSequenceLength = outputSequenceLength
        self.padToMaxTokens = padToMaxTokens
        lookupLayer = StringLookup(maxTokens: maxTokens, maskToken: Self.maskToken, oovToken: Self.oovToken,
                                   outputMode: LookupOutputMode(rawValue: outputMode.rawValue)!, padToMaxTokens: padToMaxTokens)
        super.init(name: name, dtype: .float32)
        if let vocabulary { requireValid { try setVocabulary(vocabulary, idfWeights: idfWeights) } }
        lookupLayer.hasInputVocabulary = vocabulary != nil
    }

    /// The widest n-gram taken: a text of `t` tokens gives about `t·n²/2` characters of n-grams
    /// up to width `n`, so a config cannot make each call quadratic in its text (Keras users
    /// take 2 or 3).
    static var maxNGramWidth: Int { 64 }

    static func validate(maxTokens: Int?, ngrams: NGrams?, outputMode: OutputMode, outputSequenceLength: Int?,
                         padToMaxTokens: Bool) throws {
        if let maxTokens {
            try ensure(maxTokens > 1, "TextVectorization: If set, `max_tokens` must be greater than 1. Received: max_tokens=\(maxTokens)")
            try ensureBoundedSizes([maxTokens], layer: "TextVectorization", argument: "max_tokens")
        }
        switch ngrams {
        case .upTo(let n)?:
            try ensure(n >= 1, "TextVectorization: `ngrams` must be None, a positive integer, or a tuple of positive integers. Received: ngrams=\(n)")
            try ensure(n <= maxNGramWidth, "TextVectorization: `ngrams` must be at most \(maxNGramWidth). Received: ngrams=\(n)")
        case .widths(let widths)?:
            try ensure(!widths.isEmpty && widths.allSatisfy { $0 >= 1 }, "TextVectorization: `ngrams` must be None, a positive integer, or a tuple of positive integers. Received: ngrams=\(widths)")
            try ensure(widths.allSatisfy { $0 <= maxNGramWidth }, "TextVectorization: `ngrams` widths must be at most \(maxNGramWidth). Received: ngrams=\(widths)")
        case nil: break
        }
        if let outputSequenceLength {
            try ensure(outputMode == .int, "TextVectorization: `output_sequence_length` must not be set if `output_mode` is not 'int'. Received output_sequence_length=\(outputSequenceLength).")
            try ensure(outputSequenceLength >= 1, "TextVectorization: `output_sequence_length` must be positive. Received: output_sequence_length=\(outputSequenceLength)")
            try ensureBoundedSizes([outputSequenceLength], layer: "TextVectorization", argument: "output_sequence_length")
        }
        if padToMaxTokens {
            try ensure(outputMode != .int && maxTokens != nil, "TextVectorization: `pad_to_max_tokens` needs a non-int `output_mode` and `max_tokens`. Received: output_mode=\(outputMode.rawValue), max_tokens=\(maxTokens.map(String.init) ?? "None")")
        }
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let layer = try TextVectorization(config: ["max_tokens": 100, "output_mode": "count"])
    /// ```
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: TextVectorization.self, config: config)
        let base = try r.layerBase()
        let maxTokens = try r.optionalInt("max_tokens")
        func option<T: RawRepresentable>(_ key: String, default defaultValue: T) throws -> T? where T.RawValue == String {
            try r.nested(key) { value in
                guard let value else { return defaultValue }   // absent: Keras's default
                if value.isNull { return nil }
                guard let text = value.stringValue, let option = T(rawValue: text) else {
                    throw KerasError.invalidConfig("expected null or a built-in mode, received \(value) (custom functions are not supported)")
                }
                return option
            }
        }
        let s: Standardize? = try option("standardize", default: .lowerAndStripPunctuation)
        let p: Split? = try option("split", default: .whitespace)
        let ngrams: NGrams? = try r.nested("ngrams") { value in
            guard let value, !value.isNull else { return nil }
            if let n = value.intValue { return .upTo(n) }
            guard let items = value.arrayValue, items.allSatisfy({ $0.intValue != nil }) else {
                throw KerasError.invalidConfig("expected null, an integer or a list of integers, received \(value)")
            }
            return .widths(items.compactMap(\.intValue))
        }
        let mode = try r.string("output_mode", default: "int", allowed: OutputMode.allCases.map(\.rawValue))
        let length = try r.optionalInt("output_sequence_length")
        let pad = try r.bool("pad_to_max_tokens", default: false)
        for key in ["sparse", "ragged"] where try r.bool(key, default: false) {
            throw r.mismatch(key, "false (sparse and ragged outputs are not supported)", .bool(true))
        }
        let vocabulary: [String]? = try r.nested("vocabulary") { value in
            guard let value, !value.isNull else { return nil }
            guard let items = value.arrayValue, items.allSatisfy({ $0.stringValue != nil }) else {
                throw KerasError.invalidConfig("expected a list of strings, received \(value)")
            }
            return items.compactMap(\.stringValue)
        }
        let idf = try r.value("idf_weights").flatMap { $0.isNull ? nil : try r.doubleList("idf_weights") }
        _ = try r.optionalString("encoding")
        _ = try r.optionalInt("vocabulary_size")
        _ = r.value("has_input_vocabulary")
        try r.validated {
            try TextVectorization.validate(maxTokens: maxTokens, ngrams: ngrams, outputMode: OutputMode(rawValue: mode)!,
                                           outputSequenceLength: length, padToMaxTokens: pad)
        }
        self.init(maxTokens: maxTokens, standardize: s, split: p, ngrams: ngrams, outputMode: OutputMode(rawValue: mode)!,
                  outputSequenceLength: length, padToMaxTokens: pad, name: base.name)
        if let vocabulary { try r.validated { try setVocabulary(vocabulary, idfWeights: idf) } }
        lookupLayer.hasInputVocabulary = vocabulary != nil
    }

    /// The vocabulary, special tokens first (Keras's `get_vocabulary()`).
    public func vocabulary() -> [String] { lookupLayer.vocabulary() }

    /// The number of vocabulary entries, special tokens included.
    public var vocabularySize: Int { lookupLayer.vocabularySize }

    /// Sets the vocabulary (with or without the special tokens in front) and, in `tf_idf` mode,
    /// one inverse-document-frequency weight per given token (`[UNK]` gets their mean unless given).
    ///
    /// ```swift
    /// try layer.setVocabulary(["cat", "dog"])
    /// ```
    public func setVocabulary(_ vocabulary: [String], idfWeights: [Double]? = nil) throws {
        try naming { try lookupLayer.setVocabulary(vocabulary, idfWeights: idfWeights) }
    }

    /// Learns the vocabulary (and the document frequencies for `tf_idf`) from `texts`.
    ///
    /// ```swift
    /// try layer.adapt(["the cat sat", "the dog ran"])
    /// ```
    public func adapt(_ texts: [String]) throws {
        try naming { try lookupLayer.adapt(texts.map(tokenize)) }
    }

    /// Runs `body`, naming this layer instead of its inner lookup in the errors it throws.
    private func naming(_ body: () throws -> Void) throws {
        do { try body() } catch KerasError.invalidArgument(let message) {
            throw KerasError.invalidArgument(message.replacingOccurrences(of: "StringLookup \"\(lookupLayer.name)\"", with: "TextVectorization \"\(name)\""))
        }
    }

    /// The inner lookup is saved as Keras's `_lookup_layer` attribute.
    public override var savedChildren: [(name: String, child: SavedChild)] { [("_lookup_layer", .layer(lookupLayer))] }

    /// The tokens of one string after standardizing, splitting and n-grams.
    func tokenize(_ text: String) -> [String] {
        var bytes = Array(text.utf8)
        if standardize == .lower || standardize == .lowerAndStripPunctuation {
            for i in bytes.indices where bytes[i] >= 65 && bytes[i] <= 90 { bytes[i] += 32 }   // ASCII only, as tf.strings.lower
        }
        if standardize == .stripPunctuation || standardize == .lowerAndStripPunctuation {
            bytes.removeAll { Self.punctuation.contains($0) }
        }
        let cleaned = String(decoding: bytes, as: UTF8.self)
        var pieces: [String]
        switch split {
        case .whitespace: pieces = cleaned.split(whereSeparator: { $0.isWhitespace }).map(String.init)
        case .character: pieces = cleaned.unicodeScalars.map { String($0) }
        case nil: pieces = [cleaned]
        }
        guard let ngrams else { return pieces }
        var widened: [String] = []
        for width in ngrams.widths(upTo: pieces.count) {
            if width == 1 { widened += pieces; continue }
            for start in 0...(pieces.count - width) { widened.append(pieces[start..<(start + width)].joined(separator: " ")) }
        }
        return widened
    }

    /// The ASCII punctuation Keras strips (`[!"#$%&()*+,-./:;<=>?@[\]^_`{|}~']`).
    private static let punctuation = Set(Array("!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~'".utf8))

    /// Vectorizes a batch of strings: `(batch, steps)` int32 indices in `int` mode (`(batch,)`
    /// when strings are not split and no `outputSequenceLength` is set), otherwise
    /// `(batch, vocabulary size)` float32 (`maxTokens` wide with `padToMaxTokens`).
    ///
    /// ```swift
    /// let ids = layer(["the cat sat"])
    /// ```
    public func callAsFunction(_ texts: [String]) -> Tensor {
        // Every token is known or goes to the single [UNK] index, so the lookup cannot fail.
        let lookedUp = texts.map { (try? lookupLayer.indices(of: tokenize($0))) ?? [] }
        if outputMode == .int, split == nil, ngrams == nil, outputSequenceLength == nil {
            // Each string is one token: one index per string, `(batch,)` as in Keras.
            return Tensor(shape: [texts.count], doubles: lookedUp.map { Double($0[0]) }, dtype: .int32)
        }
        if outputMode == .int {
            let steps = outputSequenceLength ?? (lookedUp.map(\.count).max() ?? 0)
            var values = [Double](repeating: 0, count: texts.count * steps)
            for (row, ids) in lookedUp.enumerated() {
                for (j, id) in ids.prefix(steps).enumerated() { values[row * steps + j] = Double(id) }
            }
            return Tensor(shape: [texts.count, steps], doubles: values, dtype: .int32)
        }
        let mode = LookupOutputMode(rawValue: outputMode.rawValue)!
        return CategoricalEncoder.encodeRows(lookedUp, mode: mode, depth: lookupLayer.depth,
                                             weights: mode == .tfIdf ? lookupLayer.idfWeights : nil)
    }

    /// Strings do not fit in a `Tensor`: call the layer with `[String]`.
    public override func call(_ inputs: Tensor, training: Bool) -> Tensor {
        fatalError("TextVectorization \"\(name)\" takes strings: call it with a [String] batch (tensors hold numbers only), received a tensor of shape \(formatShape(inputs.shape))")
    }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["max_tokens"] = maxTokens.map { .int($0) } ?? .null
        config["standardize"] = standardize.map { .string($0.rawValue) } ?? .null
        config["split"] = split.map { .string($0.rawValue) } ?? .null
        config["ngrams"] = ngrams?.configValue ?? .null
        config["output_mode"] = .string(outputMode.rawValue)
        config["output_sequence_length"] = outputSequenceLength.map { .int($0) } ?? .null
        config["pad_to_max_tokens"] = .bool(padToMaxTokens)
        config["sparse"] = .bool(false)
        config["ragged"] = .bool(false)
        let tokens = lookupLayer.tokens
        config["vocabulary"] = tokens.isEmpty ? .null : .array(tokens.map { .string($0) })
        config["idf_weights"] = outputMode == .tfIdf && !tokens.isEmpty ? .array(lookupLayer.tokenIdfWeights.map { .double($0) }) : .null
        config["encoding"] = "utf-8"
        config["vocabulary_size"] = .int(vocabularySize)
        return config
    }
}
