/// The wrapper layers in the layer table.
let wrapperLayerEntries: [LayerEntry] = [
    entry(Bidirectional.self) { try Bidirectional(config: $0) },
    entry(TimeDistributed.self) { try TimeDistributed(config: $0) },
    entry(SpectralNormalization.self) { try SpectralNormalization(config: $0) },
]
