/// The batch-mixing augmentation layers (MixUp, CutMix) and Pipeline.
let mixingAugmentationLayerEntries: [LayerEntry] = [
    entry(MixUp.self) { try MixUp(config: $0) },
    entry(CutMix.self) { try CutMix(config: $0) },
    entry(Pipeline.self) { try Pipeline(config: $0) },
]
