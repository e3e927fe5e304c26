import KerasCore

/// A layer whose adapted vocabulary Keras keeps in a `.keras` file's assets,
/// `assets/<layer path>/vocabulary.txt` (one token per line, special tokens first), instead of
/// in its config: the lookup layers and ``TextVectorization``.
protocol VocabularyAssetOwner: Layer {
    /// The config named no vocabulary, so the file's assets must hold it.
    var awaitsVocabularyAsset: Bool { get }
    /// Sets the vocabulary from the lines of `vocabulary.txt`.
    func loadVocabularyAsset(_ lines: [String]) throws
}

extension IndexLookup: VocabularyAssetOwner {
    var awaitsVocabularyAsset: Bool { tokens.isEmpty }

    func loadVocabularyAsset(_ lines: [String]) throws {
        let parsed = lines.map(Token.init(line:))
        if let bad = zip(lines, parsed).first(where: { $0.1 == nil }) {
            throw KerasError.invalidConfig("\(className) \"\(name)\": vocabulary.txt holds \"\(bad.0)\", which is not a \(Token.self) token")
        }
        try ensure(outputMode != .tfIdf, "\(className) \"\(name)\": tf_idf vocabularies saved as assets (with idf_weights among the weights) are not supported; save the model from Swift, which keeps them in the config")
        do {
            try setVocabulary(parsed.map { $0! })
        } catch KerasError.invalidArgument(let message) {
            throw KerasError.invalidConfig(message)
        }
    }
}

extension TextVectorization: VocabularyAssetOwner {
    var awaitsVocabularyAsset: Bool { lookupLayer.awaitsVocabularyAsset }
    func loadVocabularyAsset(_ lines: [String]) throws { try lookupLayer.loadVocabularyAsset(lines) }
}

/// Gives every layer of `model` that awaits its vocabulary the one Keras saved in the archive's
/// assets, at the layer's path in the weights layout (`assets/layers/string_lookup/vocabulary.txt`).
func loadVocabularyAssets(_ model: Layer, from zip: ZipReader) throws {
    var visited = Set<ObjectIdentifier>()
    func visit(_ layer: Layer, path: String) throws {
        guard visited.insert(ObjectIdentifier(layer)).inserted else { return }
        if let owner = layer as? VocabularyAssetOwner, owner.awaitsVocabularyAsset {
            let entry = "assets/\(path)/vocabulary.txt"
            if zip.contains(entry) {
                guard let text = String(validating: try zip.data(entry), as: UTF8.self) else {
                    throw KerasError.corruptFile(file: entry, expected: "UTF-8 text", got: "other bytes")
                }
                var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                while lines.last == "" { lines.removeLast() }
                try owner.loadVocabularyAsset(lines)
            }
            return
        }
        try WeightsStore.forEachChild(of: layer, path: path) { child, childPath in try visit(child, path: childPath) }
    }
    try visit(model, path: "")
}
