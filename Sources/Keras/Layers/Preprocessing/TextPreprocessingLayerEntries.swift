/// The categorical and text preprocessing layers in the layer table.
let textPreprocessingLayerEntries: [LayerEntry] = [
    entry(CategoryEncoding.self) { try CategoryEncoding(config: $0) },
    entry(TextVectorization.self) { try TextVectorization(config: $0) },
]
