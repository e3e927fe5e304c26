/// The normalization layers, for ``deserializeLayer(_:)`` and ``makeLayer(className:config:)``.
let normalizationLayerEntries: [LayerEntry] = [
    entry(BatchNormalization.self) { try BatchNormalization(config: $0) },
    entry(GroupNormalization.self) { try GroupNormalization(config: $0) },
    entry(UnitNormalization.self) { try UnitNormalization(config: $0) },
    entry(RMSNormalization.self) { try RMSNormalization(config: $0) },
]
