/// LayerNormalization in the layer table (the other normalization layers list theirs beside them).
let layerNormalizationEntries: [LayerEntry] = [
    entry(LayerNormalization.self) { try LayerNormalization(config: $0) },
]
