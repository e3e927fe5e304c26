/// The pooling layers, with Keras's `MaxPool*`, `AvgPool*`, `GlobalMaxPool*` and
/// `GlobalAvgPool*` aliases, and the adaptive pooling layers.
let poolingLayerEntries: [LayerEntry] = [
    entry(MaxPooling1D.self, aliases: ["MaxPool1D"]) { try MaxPooling1D(config: $0) },
    entry(MaxPooling2D.self, aliases: ["MaxPool2D"]) { try MaxPooling2D(config: $0) },
    entry(MaxPooling3D.self, aliases: ["MaxPool3D"]) { try MaxPooling3D(config: $0) },
    entry(AveragePooling1D.self, aliases: ["AvgPool1D"]) { try AveragePooling1D(config: $0) },
    entry(AveragePooling2D.self, aliases: ["AvgPool2D"]) { try AveragePooling2D(config: $0) },
    entry(AveragePooling3D.self, aliases: ["AvgPool3D"]) { try AveragePooling3D(config: $0) },
    entry(GlobalMaxPooling1D.self, aliases: ["GlobalMaxPool1D"]) { try GlobalMaxPooling1D(config: $0) },
    entry(GlobalMaxPooling2D.self, aliases: ["GlobalMaxPool2D"]) { try GlobalMaxPooling2D(config: $0) },
    entry(GlobalMaxPooling3D.self, aliases: ["GlobalMaxPool3D"]) { try GlobalMaxPooling3D(config: $0) },
    entry(GlobalAveragePooling1D.self, aliases: ["GlobalAvgPool1D"]) { try GlobalAveragePooling1D(config: $0) },
    entry(GlobalAveragePooling2D.self, aliases: ["GlobalAvgPool2D"]) { try GlobalAveragePooling2D(config: $0) },
    entry(GlobalAveragePooling3D.self, aliases: ["GlobalAvgPool3D"]) { try GlobalAveragePooling3D(config: $0) },
    entry(AdaptiveAveragePooling1D.self) { try AdaptiveAveragePooling1D(config: $0) },
    entry(AdaptiveAveragePooling2D.self) { try AdaptiveAveragePooling2D(config: $0) },
    entry(AdaptiveAveragePooling3D.self) { try AdaptiveAveragePooling3D(config: $0) },
    entry(AdaptiveMaxPooling1D.self) { try AdaptiveMaxPooling1D(config: $0) },
    entry(AdaptiveMaxPooling2D.self) { try AdaptiveMaxPooling2D(config: $0) },
    entry(AdaptiveMaxPooling3D.self) { try AdaptiveMaxPooling3D(config: $0) },
]
