import KerasCore

/// A layer whose adapted vocabulary Keras keeps in a `.keras` file's assets,
/// `assets/<layer path>/vocabulary.txt` (one token per line, special tokens first), instead of
/// in its config: the lookup layers and ``TextVectorization``. In `tf_idf` mode Keras also keeps
/// the idf weights, one per output index, as the dataset `<layer path>/vars/idf_weights` of the
/// weights file.
protocol VocabularyAssetOwner: Layer {
    /// The config named no vocabulary, so the file's assets must hold it.
    var awaitsVocabularyAsset: Bool { get }
    /// The layer is in `tf_idf` mode, so Keras stores `vars/idf_weights` for it.
    var storesIdfWeights: Bool { get }
    /// The idf weight of every output index (special tokens and `pad_to_max_tokens` padding included).
    var idfWeightsToSave: [Double] { get }
    /// Sets the vocabulary from the lines of `vocabulary.txt`, with the stored idf weights in `tf_idf` mode.
    func loadVocabularyAsset(_ lines: [String], idfWeights: [Double]?) throws
}

/// The name of the dataset Keras's lookup layers store their idf weights under (in `vars`).
let idfWeightsDataset = "idf_weights"

extension IndexLookup: VocabularyAssetOwner {
    var awaitsVocabularyAsset: Bool { tokens.isEmpty }
    var storesIdfWeights: Bool { outputMode == .tfIdf }
    var idfWeightsToSave: [Double] { idfWeights }

    func loadVocabularyAsset(_ lines: [String], idfWeights: [Double]?) throws {
        let parsed = lines.map(Token.init(line:))
        if let bad = zip(lines, parsed).first(where: { $0.1 == nil }) {
            throw KerasError.invalidConfig("\(className) \"\(name)\": vocabulary.txt holds \"\(bad.0)\", which is not a \(Token.self) token")
        }
        var weights: [Double]?
        if outputMode == .tfIdf {
            // Keras stores one weight per output index: the vocabulary's, then `pad_to_max_tokens` zeros.
            guard let idfWeights, idfWeights.count >= lines.count else {
                throw KerasError.invalidConfig("\(className) \"\(name)\": in tf_idf mode the weights file must hold \(idfWeightsDataset) with at least one weight per vocabulary.txt line (\(lines.count)); found \(idfWeights.map { "\($0.count) weights" } ?? "none")")
            }
            weights = Array(idfWeights.prefix(lines.count))
        }
        do {
            try setVocabulary(parsed.map { $0! }, idfWeights: weights)
        } catch KerasError.invalidArgument(let message) {
            throw KerasError.invalidConfig(message)
        }
    }
}

extension TextVectorization: VocabularyAssetOwner {
    var awaitsVocabularyAsset: Bool { lookupLayer.awaitsVocabularyAsset }
    var storesIdfWeights: Bool { lookupLayer.storesIdfWeights }
    var idfWeightsToSave: [Double] { lookupLayer.idfWeightsToSave }
    func loadVocabularyAsset(_ lines: [String], idfWeights: [Double]?) throws {
        try lookupLayer.loadVocabularyAsset(lines, idfWeights: idfWeights)
    }
}

/// Gives every layer of `model` that awaits its vocabulary the one Keras saved in the archive's
/// assets, at the layer's path in the weights layout (`assets/layers/string_lookup/vocabulary.txt`),
/// and in `tf_idf` mode the idf weights at the same path in `weights`.
func loadVocabularyAssets(_ model: Layer, from zip: ZipReader, weights: HDF5Reader.Group?) throws {
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
                var idfWeights: [Double]?
                if owner.storesIdfWeights, let vars = try weights?.group("\(path)/vars"),
                   try vars.datasetShape(idfWeightsDataset) != nil {
                    idfWeights = try vars.read(idfWeightsDataset, as: .float64).doubles
                }
                try owner.loadVocabularyAsset(lines, idfWeights: idfWeights)
            }
            return
        }
        try WeightsStore.forEachChild(of: layer, path: path) { child, childPath in try visit(child, path: childPath) }
    }
    try visit(model, path: "")
}
