/// The embedding and masking layers in the layer table.
let maskingLayerEntries: [LayerEntry] = [
    entry(Embedding.self) { try Embedding(config: $0) },
    entry(ReversibleEmbedding.self) { try ReversibleEmbedding(config: $0) },
    entry(Masking.self) { try Masking(config: $0) },
]
