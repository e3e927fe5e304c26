/// The batch-mixing augmentation layers (MixUp, CutMix), the chained ones (RandAugment, AugMix)
/// and Pipeline.
let mixingAugmentationLayerEntries: [LayerEntry] = [
    entry(MixUp.self) { try MixUp(config: $0) },
    entry(CutMix.self) { try CutMix(config: $0) },
    entry(RandAugment.self) { try RandAugment(config: $0) },
    entry(AugMix.self) { try AugMix(config: $0) },
    entry(Pipeline.self) { try Pipeline(config: $0) },
]
