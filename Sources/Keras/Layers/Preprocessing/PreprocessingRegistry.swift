/// The preprocessing layers (Rescaling, Normalization, Discretization, HashedCrossing and the image layers), for
/// ``deserializeLayer(_:)`` and ``makeLayer(className:config:)``.
let preprocessingLayerEntries: [LayerEntry] = [
    entry(Rescaling.self) { try Rescaling(config: $0) },
    entry(Normalization.self) { try Normalization(config: $0) },
    entry(Resizing.self) { try Resizing(config: $0) },
    entry(CenterCrop.self) { try CenterCrop(config: $0) },
    entry(RandomCrop.self) { try RandomCrop(config: $0) },
    entry(RandomFlip.self) { try RandomFlip(config: $0) },
    entry(RandomRotation.self) { try RandomRotation(config: $0) },
    entry(RandomZoom.self) { try RandomZoom(config: $0) },
    entry(RandomTranslation.self) { try RandomTranslation(config: $0) },
    entry(RandomContrast.self) { try RandomContrast(config: $0) },
    entry(RandomBrightness.self) { try RandomBrightness(config: $0) },
    entry(Discretization.self) { try Discretization(config: $0) },
    entry(HashedCrossing.self) { try HashedCrossing(config: $0) },
]
