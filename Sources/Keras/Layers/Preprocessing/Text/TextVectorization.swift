import Foundation
import KerasCore

/// Turns strings into token indices or token-count vectors (`keras.layers.TextVectorization`):
/// each string is standardized (lowercased, punctuation stripped), split into tokens (on
/// whitespace or into characters), optionally widened with n-grams, and looked up in a
/// vocabulary learned by ``adapt(_:)`` or given with ``setVocabulary(_:idfWeights:)``.
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
/// ```
///
/// Layouts as Keras: in `int` mode index 0 is padding (`""`) and 1 the out-of-vocabulary token
/// `[UNK]`; the other modes have no padding token, so `[UNK]` is index 0. Learned tokens are
/// ordered by count, most frequent first, ties in reverse byte order, as Keras orders them.
public final class TextVectorization: Layer, @unchecked Sendable {
    /// How each string is cleaned before splitting.
    public enum Standardize: String, Sendable, CaseIterable {
        /// Keras's `standardize` options: lowercase and strip punctuation (the default), or one of the two.
        case lowerAndStripPunctuation = "lower_and_strip_punctuation", lower, stripPunctuation = "strip_punctuation"
    }

    /// How a string is cut into tokens.
    public enum Split: String, Sendable, CaseIterable {
        /// Keras's `split` options: on whitespace, or into characters.
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

    /// The token of index 0: padding (the empty string, as in Keras).
    public static let maskToken = ""
    /// The token of index 1: out of vocabulary (`"[UNK]"`, as in Keras).
    public static let oovToken = "[UNK]"

    /// The largest vocabulary, special tokens included (`nil`: no limit).
    public let maxTokens: Int?
    /// `nil`: strings are taken as they are.
    public let standardize: Standardize?
    /// `nil`: each whole string is one token.
    public let split: Split?
    /// `n`: tokens plus every run of 2…n consecutive tokens joined by a space (`nil`: tokens only).
    public let ngrams: Int?
    /// The `outputMode` this `TextVectorization` was created with.
    public let outputMode: OutputMode
    /// `int` mode: every output padded or cut to this many steps (`nil`: the longest string in the batch).
    public let outputSequenceLength: Int?
    /// Non-`int` modes: outputs as wide as ``maxTokens`` even when the vocabulary is smaller.
    public let padToMaxTokens: Bool

    private var tokens: [String] = []
    private var index: [String: Int] = [:]
    private var idfWeights: [Double] = []

    /// Creates a `TextVectorization` with Keras's arguments and defaults (the names in Swift case).
    public init(maxTokens: Int? = nil, standardize: Standardize? = .lowerAndStripPunctuation, split: Split? = .whitespace,
                ngrams: Int? = nil, outputMode: OutputMode = .int, outputSequenceLength: Int? = nil,
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
        super.init(name: name, trainable: false, dtype: .float32)
        if let vocabulary { requireValid { try setVocabulary(vocabulary, idfWeights: idfWeights) } }
    }

    static func validate(maxTokens: Int?, ngrams: Int?, outputMode: OutputMode, outputSequenceLength: Int?,
                         padToMaxTokens: Bool) throws {
        if let maxTokens {
            try ensure(maxTokens > 1, "TextVectorization: If set, `max_tokens` must be greater than 1. Received: max_tokens=\(maxTokens)")
        }
        if let ngrams {
            try ensure(ngrams >= 1, "TextVectorization: `ngrams` must be None or a positive integer. Received: ngrams=\(ngrams)")
        }
        if let outputSequenceLength {
            try ensure(outputMode == .int, "TextVectorization: `output_sequence_length` must not be set if `output_mode` is not 'int'. Received output_sequence_length=\(outputSequenceLength).")
            try ensure(outputSequenceLength >= 1, "TextVectorization: `output_sequence_length` must be positive. Received: output_sequence_length=\(outputSequenceLength)")
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
        let ngrams = try r.optionalInt("ngrams")
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
        try r.validated {
            try TextVectorization.validate(maxTokens: maxTokens, ngrams: ngrams, outputMode: OutputMode(rawValue: mode)!,
                                           outputSequenceLength: length, padToMaxTokens: pad)
        }
        self.init(maxTokens: maxTokens, standardize: s, split: p, ngrams: ngrams, outputMode: OutputMode(rawValue: mode)!,
                  outputSequenceLength: length, padToMaxTokens: pad, name: base.name)
        if let vocabulary { try r.validated { try setVocabulary(vocabulary, idfWeights: idf) } }
    }

    /// The special tokens in front of the learned ones: padding and `[UNK]` in `int` mode, `[UNK]` otherwise.
    private var specialTokens: [String] { outputMode == .int ? [Self.maskToken, Self.oovToken] : [Self.oovToken] }

    /// The vocabulary, special tokens first (Keras's `get_vocabulary()`).
    public func vocabulary() -> [String] { specialTokens + tokens }

    /// The number of vocabulary entries, special tokens included.
    public var vocabularySize: Int { specialTokens.count + tokens.count }

    /// Sets the vocabulary (with or without the special tokens in front) and, in `tf_idf` mode,
    /// one inverse-document-frequency weight per given token (`[UNK]` gets their mean unless given).
    ///
    /// ```swift
    /// try layer.setVocabulary(["cat", "dog"])
    /// ```
    public func setVocabulary(_ vocabulary: [String], idfWeights: [Double]? = nil) throws {
        var learned = vocabulary, weights = idfWeights
        let specials = specialTokens
        let given = learned.starts(with: specials) ? specials.count : (learned.first == Self.oovToken ? 1 : 0)
        learned.removeFirst(given)
        try ensure(Set(learned).count == learned.count, "TextVectorization: the vocabulary cannot contain repeated tokens.")
        try ensure(!learned.contains(Self.maskToken) && !learned.contains(Self.oovToken),
                   "TextVectorization: the special tokens \"\" and \"[UNK]\" may only come first in the vocabulary.")
        if let maxTokens {
            try ensure(specials.count + learned.count <= maxTokens, "TextVectorization: Attempted to set a vocabulary larger than the maximum vocab size. Received vocabulary size is \(specials.count + learned.count); `max_tokens` is \(maxTokens).")
        }
        if outputMode == .tfIdf {
            guard var w = weights else { throw KerasError.invalidArgument("TextVectorization: `idf_weights` must be set if output_mode is 'tf_idf'.") }
            try ensure(w.count == vocabulary.count, "TextVectorization: `idf_weights` must be the same length as vocabulary. len(idf_weights) is \(w.count); len(vocabulary) is \(vocabulary.count)")
            if given < specials.count {
                let mean = w.isEmpty ? 0 : w.reduce(0, +) / Double(w.count)
                w.insert(contentsOf: [Double](repeating: mean, count: specials.count - given), at: 0)
            }
            weights = w
        } else {
            try ensure(weights == nil, "TextVectorization: `idf_weights` should only be set if output_mode is 'tf_idf'.")
        }
        tokens = learned
        index = Dictionary(uniqueKeysWithValues: learned.enumerated().map { ($1, $0 + specials.count) })
        self.idfWeights = weights ?? []
    }

    /// Learns the vocabulary (and the document frequencies for `tf_idf`) from `texts`.
    ///
    /// ```swift
    /// try layer.adapt(["the cat sat", "the dog ran"])
    /// ```
    public func adapt(_ texts: [String]) throws {
        var counts: [String: Int] = [:], documents: [String: Int] = [:]
        for text in texts {
            let pieces = tokenize(text)
            for token in pieces { counts[token, default: 0] += 1 }
            for token in Set(pieces) { documents[token, default: 0] += 1 }
        }
        counts[Self.maskToken] = nil
        counts[Self.oovToken] = nil
        var ordered = counts.sorted { a, b in
            a.value != b.value ? a.value > b.value : Array(b.key.utf8).lexicographicallyPrecedes(Array(a.key.utf8))
        }.map(\.key)
        if let maxTokens { ordered = Array(ordered.prefix(Swift.max(0, maxTokens - specialTokens.count))) }
        var weights: [Double]? = nil
        if outputMode == .tfIdf {
            let n = Double(texts.count)
            weights = ordered.map { Double(Float(log(1 + n / (1 + Double(documents[$0]!))))) }
        }
        try setVocabulary(ordered, idfWeights: weights)
    }

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
        guard let ngrams, ngrams > 1 else { return pieces }
        var widened = pieces
        for width in 2...ngrams where width <= pieces.count {
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
        let specials = specialTokens.count
        let lookedUp = texts.map { tokenize($0).map { index[$0] ?? (specials - 1) } }
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
        let width = padToMaxTokens ? maxTokens! : vocabularySize
        var values = [Double](repeating: 0, count: texts.count * width)
        for (row, ids) in lookedUp.enumerated() {
            for id in ids {
                switch outputMode {
                case .multiHot: values[row * width + id] = 1
                case .count, .tfIdf: values[row * width + id] += 1
                case .int: break
                }
            }
            if outputMode == .tfIdf {
                for j in 0..<vocabularySize { values[row * width + j] *= idfWeights[j] }
            }
        }
        return Tensor(shape: [texts.count, width], doubles: values, dtype: .float32)
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
        config["ngrams"] = ngrams.map { .int($0) } ?? .null
        config["output_mode"] = .string(outputMode.rawValue)
        config["output_sequence_length"] = outputSequenceLength.map { .int($0) } ?? .null
        config["pad_to_max_tokens"] = .bool(padToMaxTokens)
        config["sparse"] = .bool(false)
        config["ragged"] = .bool(false)
        config["vocabulary"] = tokens.isEmpty ? .null : .array(tokens.map { .string($0) })
        config["idf_weights"] = outputMode == .tfIdf && !tokens.isEmpty ? .array(idfWeights.dropFirst(specialTokens.count).map { .double($0) }) : .null
        config["encoding"] = "utf-8"
        config["vocabulary_size"] = .int(vocabularySize)
        return config
    }
}
