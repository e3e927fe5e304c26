/// The categorical and text preprocessing layers in the layer table.
let textPreprocessingLayerEntries: [LayerEntry] = [
    entry(CategoryEncoding.self) { try CategoryEncoding(config: $0) },
    entry(TextVectorization.self) { try TextVectorization(config: $0) },
    entry(StringLookup.self) { try StringLookup(config: $0) },
    entry(IntegerLookup.self) { try IntegerLookup(config: $0) },
    entry(Hashing.self) { try Hashing(config: $0) },
]
