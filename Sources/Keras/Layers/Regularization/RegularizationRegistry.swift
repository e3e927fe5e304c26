/// The regularization layers (Dropout itself is listed with the core layers), for
/// ``deserializeLayer(_:)`` and ``makeLayer(className:config:)``.
let regularizationLayerEntries: [LayerEntry] = [
    entry(SpatialDropout1D.self) { try SpatialDropout1D(config: $0) },
    entry(SpatialDropout2D.self) { try SpatialDropout2D(config: $0) },
    entry(SpatialDropout3D.self) { try SpatialDropout3D(config: $0) },
    entry(GaussianNoise.self) { try GaussianNoise(config: $0) },
    entry(GaussianDropout.self) { try GaussianDropout(config: $0) },
    entry(AlphaDropout.self) { try AlphaDropout(config: $0) },
    entry(ActivityRegularization.self) { try ActivityRegularization(config: $0) },
]
